//! Effects: the Discord side effects a use case causes, stored as jobs in the same transaction
//! as the state change, and performed by [`super::perform`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{ChannelId, IncidentId, RoleId};
use crate::store::{NewJob, Tx};

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The incident's own channel, looked up when the job runs.
    IncidentChannel,
    /// A fixed channel.
    Channel(ChannelId),
}

/// One side effect. The serde tag is the job's kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Effect {
    /// Opens the incident's channel, then queues its intro and the log line.
    OpenChannel,
    /// Posts and pins the intro, paging the severity's roles.
    PostIntro,
    /// Posts a rendered message.
    Post {
        /// Where.
        to: Target,
        /// The text.
        content: String,
        /// The roles it pings.
        ping_roles: Vec<RoleId>,
    },
    /// Posts a player announcement and records its message; queues its publish when wanted.
    Announce {
        /// The announcement row.
        announcement: i64,
        /// The text.
        content: String,
        /// The roles it pings (the opt-in player role on P0 alerts).
        ping_roles: Vec<RoleId>,
    },
    /// Publishes an announcement, within the hourly budget.
    Publish {
        /// The announcement row.
        announcement: i64,
    },
    /// Posts the close summary, then moves the channel to the archive and locks it.
    Archive {
        /// The summary text.
        summary: String,
    },
}

impl Effect {
    /// The job kind: the serde tag.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::OpenChannel => "open_channel",
            Self::PostIntro => "post_intro",
            Self::Post { .. } => "post",
            Self::Announce { .. } => "announce",
            Self::Publish { .. } => "publish",
            Self::Archive { .. } => "archive",
        }
    }
}

/// Queues effects of one use case under keys derived from `origin` (an interaction id, a job
/// id), so the same origin never queues the same effect twice.
pub struct Outbox<'a> {
    origin: &'a str,
    incident: IncidentId,
    now: DateTime<Utc>,
    next: u32,
}

impl<'a> Outbox<'a> {
    /// An outbox for effects of `incident` caused by `origin`.
    pub fn new(origin: &'a str, incident: IncidentId, now: DateTime<Utc>) -> Self {
        Self {
            origin,
            incident,
            now,
            next: 0,
        }
    }

    /// Queues `effect` to run at once.
    pub async fn push(&mut self, tx: &mut Tx, effect: Effect) -> Result<(), sqlx::Error> {
        let due = self.now;
        self.push_at(tx, effect, due).await
    }

    /// Queues `effect` to run at `due`.
    pub async fn push_at(
        &mut self,
        tx: &mut Tx,
        effect: Effect,
        due: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        self.next += 1;
        let job = NewJob {
            kind: effect.kind().to_owned(),
            payload: serde_json::to_value(&effect).map_err(|e| sqlx::Error::Encode(e.into()))?,
            incident: Some(self.incident),
            idempotency_key: format!("{}:{}:{}", self.origin, self.next, effect.kind()),
            due_at: due,
        };
        tx.enqueue(&job, self.now).await?;
        Ok(())
    }
}
