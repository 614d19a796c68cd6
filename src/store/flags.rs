//! The flags of `/incident flag` (`ranked_disabled`, `store_disabled`): what the game client
//! should turn off while an incident lasts. A row while a flag is set; clearing deletes it.

use chrono::{DateTime, Utc};

use super::convert::{to_db_id, to_millis};
use super::{Db, Error, Tx};
use crate::domain::{IncidentId, UserId};

impl Tx {
    /// Sets flag `name` on `incident`, by `by` at `at`; false when it was set already.
    #[tracing::instrument(skip_all)]
    pub async fn set_flag(
        &mut self,
        incident: IncidentId,
        name: &str,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let done = sqlx::query(
            "INSERT INTO incident_flags (incident_id, name, set_by, set_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (incident_id, name) DO NOTHING",
        )
        .bind(incident.0)
        .bind(name)
        .bind(to_db_id(by.get()))
        .bind(to_millis(at))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Clears flag `name` of `incident`; false when it was not set.
    #[tracing::instrument(skip_all)]
    pub async fn clear_flag(&mut self, incident: IncidentId, name: &str) -> Result<bool, Error> {
        let done = sqlx::query("DELETE FROM incident_flags WHERE incident_id = $1 AND name = $2")
            .bind(incident.0)
            .bind(name)
            .execute(&mut *self.inner)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Db {
    /// The flags set on `incident`, in the order they were set.
    #[tracing::instrument(skip_all)]
    pub async fn flags(&self, incident: IncidentId) -> Result<Vec<String>, Error> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM incident_flags WHERE incident_id = $1 ORDER BY set_at, name",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(name,)| name).collect())
    }
}
