//! Post-mortems: the record, its impact fields and its review meeting.

use chrono::{DateTime, Utc};

use super::{
    convert::{self, from_millis, from_millis_opt, to_db_id, to_millis},
    Error,
};
use super::{Db, Tx};
use crate::domain::{EventId, IncidentId, PostmortemReason, UserId};

/// The post-mortem of one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postmortem {
    /// The incident.
    pub incident: IncidentId,
    /// Why it is required, or was started.
    pub reason: PostmortemReason,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// When the review meeting is.
    pub meeting_at: Option<DateTime<Utc>>,
    /// How many users were affected.
    pub users_affected: Option<i64>,
    /// How long the downtime was.
    pub downtime_minutes: Option<i64>,
    /// The revenue impact, as written.
    pub revenue: Option<String>,
    /// When it was marked done.
    pub done_at: Option<DateTime<Utc>>,
    /// The link to the written post-mortem.
    pub link: Option<String>,
    /// The Discord event of the review meeting, once created.
    pub meeting_event: Option<EventId>,
    /// Who started it, for an optional post-mortem (`None`: required by the policy).
    pub started_by: Option<UserId>,
}

type Row = (
    i64,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

impl Tx {
    /// Creates the post-mortem record of an incident; a second call keeps the first.
    #[tracing::instrument(skip_all)]
    pub async fn insert_postmortem(
        &mut self,
        incident: IncidentId,
        reason: &PostmortemReason,
        due_at: DateTime<Utc>,
    ) -> Result<(), Error> {
        // A reopened incident that is resolved again gets a new deadline, unless it is done.
        sqlx::query(
            "INSERT INTO postmortems (incident_id, reason, due_at) VALUES ($1, $2, $3) \
             ON CONFLICT (incident_id) DO UPDATE SET reason = excluded.reason, \
             due_at = excluded.due_at WHERE postmortems.done_at IS NULL",
        )
        .bind(incident.0)
        .bind(stored(reason)?)
        .bind(to_millis(due_at))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Starts an optional post-mortem, by `by`; returns false when the incident has one already.
    #[tracing::instrument(skip_all)]
    pub async fn start_postmortem(
        &mut self,
        incident: IncidentId,
        reason: &PostmortemReason,
        due_at: DateTime<Utc>,
        by: UserId,
    ) -> Result<bool, Error> {
        let done = sqlx::query(
            "INSERT INTO postmortems (incident_id, reason, due_at, started_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(incident.0)
        .bind(stored(reason)?)
        .bind(to_millis(due_at))
        .bind(to_db_id(by.get()))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the Discord event of the review meeting (`None`: it is gone).
    #[tracing::instrument(skip_all)]
    pub async fn set_meeting_event(
        &mut self,
        incident: IncidentId,
        event: Option<EventId>,
    ) -> Result<(), Error> {
        sqlx::query("UPDATE postmortems SET meeting_event_id = $1 WHERE incident_id = $2")
            .bind(event.map(|e| to_db_id(e.get())))
            .bind(incident.0)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Writes back the editable fields of a post-mortem.
    #[tracing::instrument(skip_all)]
    pub async fn save_postmortem(&mut self, p: &Postmortem) -> Result<(), Error> {
        sqlx::query(
            "UPDATE postmortems SET meeting_at = $1, users_affected = $2, downtime_minutes = $3, revenue = $4, \
             done_at = $5, link = $6 WHERE incident_id = $7",
        )
        .bind(p.meeting_at.map(to_millis))
        .bind(p.users_affected)
        .bind(p.downtime_minutes)
        .bind(&p.revenue)
        .bind(p.done_at.map(to_millis))
        .bind(&p.link)
        .bind(p.incident.0)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

/// A reason as stored: its key and values.
fn stored(reason: &PostmortemReason) -> Result<String, Error> {
    serde_json::to_string(reason).map_err(Error::other)
}

/// A stored reason: its key and values, or the sentence a row from before kept.
fn reason_from(stored: String) -> PostmortemReason {
    serde_json::from_str(&stored).unwrap_or(PostmortemReason::Said { text: stored })
}

const SELECT_POSTMORTEM: &str = "SELECT incident_id, reason, due_at, meeting_at, users_affected, downtime_minutes, revenue, done_at, link, \
     meeting_event_id, started_by \
     FROM postmortems WHERE incident_id = $1";

fn postmortem_from_row(row: Row) -> Result<Postmortem, Error> {
    let (id, reason, due, meeting, users, downtime, revenue, done, link, event, started_by) = row;
    Ok(Postmortem {
        incident: IncidentId(id),
        reason: reason_from(reason),
        due_at: from_millis(due)?,
        meeting_at: from_millis_opt(meeting)?,
        users_affected: users,
        downtime_minutes: downtime,
        revenue,
        done_at: from_millis_opt(done)?,
        link,
        meeting_event: event.map(convert::event_id).transpose()?,
        started_by: started_by.map(convert::user_id).transpose()?,
    })
}

impl Tx {
    /// The post-mortem of an incident, read inside this transaction so that a read-modify-write
    /// cannot lose a concurrent change.
    #[tracing::instrument(skip_all)]
    pub async fn postmortem(&mut self, incident: IncidentId) -> Result<Option<Postmortem>, Error> {
        let lock = self.backend.for_update();
        let row: Option<Row> = sqlx::query_as(sql!("{SELECT_POSTMORTEM}{lock}"))
            .bind(incident.0)
            .fetch_optional(&mut *self.inner)
            .await?;
        row.map(postmortem_from_row).transpose()
    }
}

impl Db {
    /// The post-mortem of an incident, if one is required.
    #[tracing::instrument(skip_all)]
    pub async fn postmortem(&self, incident: IncidentId) -> Result<Option<Postmortem>, Error> {
        let row: Option<Row> = sqlx::query_as(SELECT_POSTMORTEM)
            .bind(incident.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(postmortem_from_row).transpose()
    }
}
