//! Each incident's page outside Discord: its round (part of the dedup key), whether that round
//! was resolved, and who acknowledged it; and the PagerDuty webhook events taken, so a replay
//! is known.

use chrono::{DateTime, Utc};

use super::convert::{from_millis, to_millis};
use super::{Db, Error, Tx};
use crate::domain::IncidentId;

/// Where an incident's page stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageState {
    /// 1 for the first page; one more for each page made anew (after a resolve, a rise to P0).
    pub round: u32,
    /// Whether this round was resolved.
    pub resolved: bool,
    /// The services this round went to, by their config names.
    pub services: Vec<String>,
    /// When someone acknowledged it in PagerDuty.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Who (the PagerDuty user id).
    pub acknowledged_by: Option<String>,
}

/// round, resolved, services, acknowledged_at, acknowledged_by
type Row = (i64, i64, String, Option<i64>, Option<String>);

fn services_of(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Db {
    /// Whether someone acknowledged `incident`'s open page in PagerDuty.
    #[tracing::instrument(skip_all)]
    pub async fn page_acknowledged(&self, incident: IncidentId) -> Result<bool, Error> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM incident_pages WHERE incident_id = $1 AND resolved = 0 \
             AND acknowledged_at IS NOT NULL",
        )
        .bind(incident.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }
}

impl Tx {
    /// The page of `incident`, read inside this transaction; `None` when it never paged.
    #[tracing::instrument(skip_all)]
    pub async fn page_state(&mut self, incident: IncidentId) -> Result<Option<PageState>, Error> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT round, resolved, services, acknowledged_at, acknowledged_by FROM incident_pages \
             WHERE incident_id = $1",
        )
        .bind(incident.0)
        .fetch_optional(&mut *self.inner)
        .await?;
        let Some((round, resolved, services, at, by)) = row else {
            return Ok(None);
        };
        Ok(Some(PageState {
            round: u32::try_from(round).map_err(Error::other)?,
            resolved: resolved != 0,
            services: services_of(&services),
            acknowledged_at: at.map(from_millis).transpose()?,
            acknowledged_by: by,
        }))
    }

    /// Writes the page of `incident` as `state`.
    #[tracing::instrument(skip_all)]
    pub async fn save_page_state(
        &mut self,
        incident: IncidentId,
        state: &PageState,
    ) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO incident_pages \
             (incident_id, round, resolved, services, acknowledged_at, acknowledged_by) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (incident_id) DO UPDATE SET round = excluded.round, \
             resolved = excluded.resolved, services = excluded.services, acknowledged_at = excluded.acknowledged_at, \
             acknowledged_by = excluded.acknowledged_by",
        )
        .bind(incident.0)
        .bind(i64::from(state.round))
        .bind(i64::from(state.resolved))
        .bind(state.services.join(","))
        .bind(state.acknowledged_at.map(to_millis))
        .bind(state.acknowledged_by.clone())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Takes the webhook event `id` of `source` once: false when it was taken already and is
    /// still remembered (a replay, or the sender's retry). Remembered until `until`; the
    /// events whose time is over are forgotten.
    #[tracing::instrument(skip_all)]
    pub async fn take_event(
        &mut self,
        source: &str,
        id: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, Error> {
        sqlx::query("DELETE FROM webhook_deliveries WHERE expires_at <= $1")
            .bind(to_millis(now))
            .execute(&mut *self.inner)
            .await?;
        let done = sqlx::query(
            "INSERT INTO webhook_deliveries (source, digest, seen_at, expires_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(source)
        .bind(id)
        .bind(to_millis(now))
        .bind(to_millis(until))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
