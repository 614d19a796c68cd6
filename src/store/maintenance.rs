//! Maintenance windows: the record of each, and its Discord event.

use chrono::{DateTime, Utc};

use super::convert::{self, from_millis, from_millis_opt, to_db_id, to_millis};
use super::{corrupt, Db, Error, Tx};
use crate::domain::{
    EventId, IncidentId, Systems, Window, WindowMessage, WindowStatus, WindowTitle,
};

type Row = (
    i64,
    String,
    String,
    Option<String>,
    i64,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
);

const SELECT: &str =
    "SELECT id, title, systems, message, starts_at, ends_at, status, incident_id, \
     event_id, created_by, created_at, started_at, ended_at FROM maintenance_windows";

fn window_from_row(row: Row) -> Result<Window, Error> {
    let (id, title, systems, message, start, end, status, incident, event, by, at, started, ended) =
        row;
    Ok(Window {
        id,
        title: WindowTitle::from_stored(title),
        systems: Systems::from_stored(systems.lines().map(str::to_owned)),
        message: message.map(WindowMessage::from_stored),
        start: from_millis(start)?,
        end: from_millis(end)?,
        status: WindowStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("maintenance status {status}")))?,
        incident: incident.map(IncidentId),
        event: event.map(convert::event_id).transpose()?,
        created_by: convert::user_id(by)?,
        created_at: from_millis(at)?,
        started_at: from_millis_opt(started)?,
        ended_at: from_millis_opt(ended)?,
    })
}

fn systems_text(w: &Window) -> String {
    w.systems.names().collect::<Vec<_>>().join("\n")
}

impl Tx {
    /// Records a new window; returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn insert_window(&mut self, w: &Window) -> Result<i64, Error> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO maintenance_windows (title, systems, message, starts_at, ends_at, status, \
             incident_id, created_by, created_at, started_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(w.title.as_str())
        .bind(systems_text(w))
        .bind(w.message.as_ref().map(WindowMessage::as_str))
        .bind(to_millis(w.start))
        .bind(to_millis(w.end))
        .bind(w.status.as_str())
        .bind(w.incident.map(|i| i.0))
        .bind(to_db_id(w.created_by.get()))
        .bind(to_millis(w.created_at))
        .bind(w.started_at.map(to_millis))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// Writes back a window's times, status, event and message.
    #[tracing::instrument(skip_all)]
    pub async fn save_window(&mut self, w: &Window) -> Result<(), Error> {
        sqlx::query(
            "UPDATE maintenance_windows SET starts_at = $1, ends_at = $2, status = $3, \
             event_id = $4, started_at = $5, ended_at = $6, message = $7 WHERE id = $8",
        )
        .bind(to_millis(w.start))
        .bind(to_millis(w.end))
        .bind(w.status.as_str())
        .bind(w.event.map(|e| to_db_id(e.get())))
        .bind(w.started_at.map(to_millis))
        .bind(w.ended_at.map(to_millis))
        .bind(w.message.as_ref().map(WindowMessage::as_str))
        .bind(w.id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// The window `id`, locked for a change.
    #[tracing::instrument(skip_all)]
    pub async fn window(&mut self, id: i64) -> Result<Option<Window>, Error> {
        let lock = self.backend.for_update();
        let row: Option<Row> = sqlx::query_as(sql!("{SELECT} WHERE id = $1{lock}"))
            .bind(id)
            .fetch_optional(&mut *self.inner)
            .await?;
        row.map(window_from_row).transpose()
    }

    /// The windows not over, soonest first, locked for a change.
    #[tracing::instrument(skip_all)]
    pub async fn open_windows(&mut self) -> Result<Vec<Window>, Error> {
        let lock = self.backend.for_update();
        let rows: Vec<Row> = sqlx::query_as(sql!(
            "{SELECT} WHERE status IN ('scheduled', 'in_progress') ORDER BY starts_at, id{lock}"
        ))
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter().map(window_from_row).collect()
    }

    /// The window whose Discord event is `event`, locked for a change.
    #[tracing::instrument(skip_all)]
    pub async fn window_of_event(&mut self, event: EventId) -> Result<Option<Window>, Error> {
        let lock = self.backend.for_update();
        let row: Option<Row> = sqlx::query_as(sql!("{SELECT} WHERE event_id = $1{lock}"))
            .bind(to_db_id(event.get()))
            .fetch_optional(&mut *self.inner)
            .await?;
        row.map(window_from_row).transpose()
    }
}

impl Db {
    /// The window `id`.
    #[tracing::instrument(skip_all)]
    pub async fn window(&self, id: i64) -> Result<Option<Window>, Error> {
        let row: Option<Row> = sqlx::query_as(sql!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(window_from_row).transpose()
    }

    /// The windows cancelled that were planned to end after `since`, soonest first: the status
    /// webhooks tell their receivers a window they were sent is off.
    #[tracing::instrument(skip_all)]
    pub async fn cancelled_windows(&self, since: DateTime<Utc>) -> Result<Vec<Window>, Error> {
        let rows: Vec<Row> = sqlx::query_as(sql!(
            "{SELECT} WHERE status = 'cancelled' AND ends_at >= $1 ORDER BY starts_at, id"
        ))
        .bind(to_millis(since))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(window_from_row).collect()
    }

    /// The windows players may read of: every one not cancelled that is not over or ended
    /// since `since`, soonest first (cancelled ones were withdrawn before they began).
    #[tracing::instrument(skip_all)]
    pub async fn public_windows(&self, since: DateTime<Utc>) -> Result<Vec<Window>, Error> {
        let rows: Vec<Row> = sqlx::query_as(sql!(
            "{SELECT} WHERE status <> 'cancelled' AND (ended_at IS NULL OR ended_at >= $1) \
             ORDER BY starts_at, id"
        ))
        .bind(to_millis(since))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(window_from_row).collect()
    }

    /// The windows not over, soonest first.
    #[tracing::instrument(skip_all)]
    pub async fn open_windows(&self) -> Result<Vec<Window>, Error> {
        let rows: Vec<Row> = sqlx::query_as(sql!(
            "{SELECT} WHERE status IN ('scheduled', 'in_progress') ORDER BY starts_at, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(window_from_row).collect()
    }
}
