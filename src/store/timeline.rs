//! Timeline entries of an incident.

use super::{
    convert::{self, from_millis, to_db_id, to_millis},
    Error,
};
use super::{corrupt, Db, Tx};
use crate::domain::{EntryKind, IncidentId, TimelineEntry};

/// at, actor_id, kind, body, source_message_id
type Row = (i64, Option<i64>, String, String, Option<i64>);

impl Tx {
    /// Appends entries. An entry taken from a Discord message that is already on the timeline
    /// is skipped; returns how many were added.
    #[tracing::instrument(skip_all)]
    pub async fn append_timeline(
        &mut self,
        incident: IncidentId,
        entries: &[TimelineEntry],
    ) -> Result<u64, Error> {
        let mut added = 0;
        for e in entries {
            let done = sqlx::query(
                "INSERT INTO timeline (incident_id, at, actor_id, kind, body, source_message_id) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (incident_id, source_message_id) DO NOTHING",
            )
            .bind(incident.0)
            .bind(to_millis(e.at))
            .bind(e.actor.map(|a| to_db_id(a.get())))
            .bind(e.kind.as_str())
            .bind(&e.text)
            .bind(e.source_message.map(|m| to_db_id(m.get())))
            .execute(&mut *self.inner)
            .await?;
            added += done.rows_affected();
        }
        Ok(added)
    }
}

impl Tx {
    /// Replaces the text of the entry taken from `message` when it still reads `was` (a 📌
    /// link waiting for the message's words). Returns whether it did.
    #[tracing::instrument(skip_all)]
    pub async fn fill_timeline_text(
        &mut self,
        incident: IncidentId,
        message: crate::domain::MessageId,
        was: &str,
        text: &str,
    ) -> Result<bool, Error> {
        let done = sqlx::query(
            "UPDATE timeline SET body = $1 WHERE incident_id = $2 AND source_message_id = $3 AND body = $4",
        )
        .bind(text)
        .bind(incident.0)
        .bind(to_db_id(message.get()))
        .bind(was)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Tx {
    /// How many entries an incident's timeline has, inside this transaction.
    pub async fn timeline_len(&mut self, incident: IncidentId) -> Result<usize, Error> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM timeline WHERE incident_id = $1")
            .bind(incident.0)
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}

const SELECT_TIMELINE: &str = "SELECT at, actor_id, kind, body, source_message_id FROM timeline \
     WHERE incident_id = $1 ORDER BY at, id";

fn entries(rows: Vec<Row>) -> Result<Vec<TimelineEntry>, Error> {
    rows.into_iter()
        .map(|(at, actor, kind, text, source)| {
            Ok(TimelineEntry {
                at: from_millis(at)?,
                actor: actor.map(convert::user_id).transpose()?,
                kind: EntryKind::parse(&kind)
                    .ok_or_else(|| corrupt(format!("timeline kind {kind}")))?,
                text,
                source_message: source.map(convert::message_id).transpose()?,
            })
        })
        .collect()
}

impl Tx {
    /// The whole timeline of an incident, in time order, read inside this transaction.
    #[tracing::instrument(skip_all)]
    pub async fn timeline(&mut self, incident: IncidentId) -> Result<Vec<TimelineEntry>, Error> {
        let rows: Vec<Row> = sqlx::query_as(SELECT_TIMELINE)
            .bind(incident.0)
            .fetch_all(&mut *self.inner)
            .await?;
        entries(rows)
    }
}

impl Db {
    /// The whole timeline of an incident, in time order.
    #[tracing::instrument(skip_all)]
    pub async fn timeline(&self, incident: IncidentId) -> Result<Vec<TimelineEntry>, Error> {
        let rows: Vec<Row> = sqlx::query_as(SELECT_TIMELINE)
            .bind(incident.0)
            .fetch_all(&self.pool)
            .await?;
        entries(rows)
    }
}
