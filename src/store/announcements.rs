//! Announcements: which Discord message carries which player-facing post, and whether it was
//! published (crossposted).

use chrono::{DateTime, Utc};

use super::{
    convert::{self, from_millis, from_millis_opt, to_db_id, to_millis},
    Error,
};
use super::{corrupt, Db, Tx};
use crate::domain::{ChannelId, IncidentId, MessageId, Severity, Systems};

/// The sort of post players see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnnouncementKind {
    /// The 🚨 service alert.
    Alert,
    /// A status update.
    Update,
    /// The ✅ all-clear.
    AllClear,
}

impl AnnouncementKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alert => "alert",
            Self::Update => "update",
            Self::AllClear => "all_clear",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Alert, Self::Update, Self::AllClear]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// How much of a channel's hourly publish budget is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishSlots {
    /// Publishes made or queued within the hour.
    pub taken: u32,
    /// When the oldest of them leaves the hour, if there is one.
    pub frees_at: Option<DateTime<Utc>>,
}

/// One announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The row id.
    pub id: i64,
    /// The incident.
    pub incident: IncidentId,
    /// Which post.
    pub kind: AnnouncementKind,
    /// Where it goes.
    pub channel_id: ChannelId,
    /// The message, once posted.
    pub message_id: Option<MessageId>,
    /// Whether it should be published.
    pub publish: bool,
    /// When it was posted.
    pub posted_at: Option<DateTime<Utc>>,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was withdrawn unposted (its incident became a security one): never to be posted.
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// The text that went (or goes) to the channel; `None` for rows older than the column.
    pub content: Option<String>,
    /// When a publish of it began: its slot of the hourly budget is taken from then.
    pub publish_started_at: Option<DateTime<Utc>>,
    /// The incident's systems when it was made: what players were told is affected.
    pub systems: Systems,
    /// The incident's severity when it was made.
    pub severity: Severity,
}

/// An announcement to record: what goes to players, and the facts it tells them.
#[derive(Debug, Clone)]
pub struct NewAnnouncement<'a> {
    /// The incident.
    pub incident: IncidentId,
    /// Which post.
    pub kind: AnnouncementKind,
    /// Where it goes.
    pub channel: ChannelId,
    /// Whether it should be published.
    pub publish: bool,
    /// Its text.
    pub content: &'a str,
    /// The incident's systems as it tells them.
    pub systems: &'a Systems,
    /// The incident's severity as it stands.
    pub severity: Severity,
    /// Now.
    pub at: DateTime<Utc>,
}

type Row = (
    i64,
    i64,
    String,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    String,
    String,
);

fn from_row(
    (
        id,
        incident,
        kind,
        channel,
        message,
        publish,
        posted,
        published,
        withdrawn,
        content,
        started,
        systems,
        severity,
    ): Row,
) -> Result<Announcement, Error> {
    let systems: Vec<String> = serde_json::from_str(&systems)
        .map_err(|e| corrupt(format!("announcement {id} systems: {e}")))?;
    Ok(Announcement {
        id,
        incident: IncidentId(incident),
        kind: AnnouncementKind::parse(&kind)
            .ok_or_else(|| corrupt(format!("announcement kind {kind}")))?,
        channel_id: convert::channel_id(channel)?,
        message_id: message.map(convert::message_id).transpose()?,
        publish: publish != 0,
        posted_at: from_millis_opt(posted)?,
        published_at: from_millis_opt(published)?,
        withdrawn_at: from_millis_opt(withdrawn)?,
        content,
        publish_started_at: from_millis_opt(started)?,
        systems: Systems::from_stored(systems),
        severity: Severity::parse(&severity).map_err(|e| corrupt(e.to_string()))?,
    })
}

const SELECT: &str = "SELECT id, incident_id, kind, channel_id, message_id, publish, posted_at, \
    published_at, withdrawn_at, content, publish_started_at, systems, severity FROM announcements";

impl Tx {
    /// Records that an announcement is to be posted, with the facts it tells; returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn insert_announcement(&mut self, a: &NewAnnouncement<'_>) -> Result<i64, Error> {
        let systems: Vec<&str> = a.systems.names().collect();
        let systems = serde_json::to_string(&systems).map_err(Error::other)?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO announcements (incident_id, kind, channel_id, publish, content, \
             systems, severity, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(a.incident.0)
        .bind(a.kind.as_str())
        .bind(to_db_id(a.channel.get()))
        .bind(i64::from(a.publish))
        .bind(a.content)
        .bind(systems)
        .bind(a.severity.as_str())
        .bind(to_millis(a.at))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// The announcements of one kind for an incident, read inside this transaction; withdrawn
    /// ones are left out, as never made.
    pub async fn announcements_of(
        &mut self,
        incident: IncidentId,
        kind: AnnouncementKind,
    ) -> Result<Vec<Announcement>, Error> {
        let rows: Vec<Row> = sqlx::query_as(sql!(
            "{SELECT} WHERE incident_id = $1 AND kind = $2 AND withdrawn_at IS NULL ORDER BY id"
        ))
        .bind(incident.0)
        .bind(kind.as_str())
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter().map(from_row).collect()
    }

    /// Withdraws every announcement of `incident` not posted yet (its jobs are cancelled in the
    /// same transaction); returns how many.
    #[tracing::instrument(skip_all)]
    pub async fn withdraw_unposted_announcements(
        &mut self,
        incident: IncidentId,
        at: DateTime<Utc>,
    ) -> Result<u64, Error> {
        Ok(sqlx::query(
            "UPDATE announcements SET withdrawn_at = $1 \
             WHERE incident_id = $2 AND message_id IS NULL AND withdrawn_at IS NULL",
        )
        .bind(to_millis(at))
        .bind(incident.0)
        .execute(&mut *self.inner)
        .await?
        .rows_affected())
    }

    /// How much of the hourly publish budget of `channel` is taken at `now`: publishes in the
    /// last hour and publishes still to come (asked for in the last hour), and when the oldest
    /// of them leaves the window.
    #[tracing::instrument(skip_all)]
    pub async fn publish_slots_taken(
        &mut self,
        channel: ChannelId,
        now: DateTime<Utc>,
    ) -> Result<PublishSlots, Error> {
        let since = to_millis(now - chrono::TimeDelta::hours(1));
        let (taken, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(COALESCE(published_at, created_at)) FROM announcements \
             WHERE channel_id = $1 AND publish = 1 AND withdrawn_at IS NULL \
             AND (published_at >= $2 OR (published_at IS NULL AND created_at >= $3))",
        )
        .bind(to_db_id(channel.get()))
        .bind(since)
        .bind(since)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(PublishSlots {
            taken: u32::try_from(taken).unwrap_or(u32::MAX),
            frees_at: oldest
                .map(from_millis)
                .transpose()?
                .map(|at| at + chrono::TimeDelta::hours(1)),
        })
    }

    /// Records the message that carries an announcement.
    pub async fn announcement_posted(
        &mut self,
        id: i64,
        message: MessageId,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        sqlx::query("UPDATE announcements SET message_id = $1, posted_at = $2 WHERE id = $3")
            .bind(to_db_id(message.get()))
            .bind(to_millis(at))
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Records that an announcement was published.
    pub async fn announcement_published(
        &mut self,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        sqlx::query("UPDATE announcements SET published_at = $1 WHERE id = $2")
            .bind(to_millis(at))
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

impl Db {
    /// One announcement.
    pub async fn announcement(&self, id: i64) -> Result<Option<Announcement>, Error> {
        let row: Option<Row> = sqlx::query_as(sql!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(from_row).transpose()
    }

    /// Every announcement of an incident, in order.
    #[tracing::instrument(skip_all)]
    pub async fn announcements(&self, incident: IncidentId) -> Result<Vec<Announcement>, Error> {
        let rows: Vec<Row> = sqlx::query_as(sql!("{SELECT} WHERE incident_id = $1 ORDER BY id"))
            .bind(incident.0)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(from_row).collect()
    }

    /// Takes a slot of the publish budget for `id` before Discord is asked: from now it counts
    /// as published for the budget, whatever happens to the process.
    pub async fn publish_started(&self, id: i64, at: DateTime<Utc>) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE announcements SET publish_started_at = $1 \
             WHERE id = $2 AND publish_started_at IS NULL",
        )
        .bind(to_millis(at))
        .bind(id)
        .execute(&mut *tx.inner)
        .await?;
        tx.commit().await
    }

    /// Gives the slot back after Discord refused the publish (it will be tried again).
    pub async fn publish_failed(&self, id: i64) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE announcements SET publish_started_at = NULL \
             WHERE id = $1 AND published_at IS NULL",
        )
        .bind(id)
        .execute(&mut *tx.inner)
        .await?;
        tx.commit().await
    }

    /// How many announcements were published in `channel` since `since`, or began to be (the
    /// publish budget).
    #[tracing::instrument(skip_all)]
    pub async fn publishes_since(
        &self,
        channel: ChannelId,
        since: DateTime<Utc>,
    ) -> Result<u32, Error> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM announcements WHERE channel_id = $1 \
             AND COALESCE(published_at, publish_started_at) >= $2",
        )
        .bind(to_db_id(channel.get()))
        .bind(to_millis(since))
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The earliest publish still inside the window that starts at `since`, to know when the
    /// budget frees up.
    pub async fn first_publish_since(
        &self,
        channel: ChannelId,
        since: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, Error> {
        let (at,): (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(COALESCE(published_at, publish_started_at)) FROM announcements \
                 WHERE channel_id = $1 AND COALESCE(published_at, publish_started_at) >= $2",
        )
        .bind(to_db_id(channel.get()))
        .bind(to_millis(since))
        .fetch_one(&self.pool)
        .await?;
        at.map(from_millis).transpose()
    }
}
