//! Digests of the signed webhook deliveries taken, so that a replay is known within
//! `[intake] replay_window`.

use chrono::{DateTime, Utc};

use super::{Db, Error};
use crate::domain::AlertSource;

impl Db {
    /// Whether a delivery of `source` with `digest` was taken and is still remembered at `now`.
    #[tracing::instrument(skip_all)]
    pub async fn delivery_seen(
        &self,
        source: AlertSource,
        digest: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM webhook_deliveries WHERE source = $1 AND digest = $2 AND expires_at > $3",
        )
        .bind(source.as_str())
        .bind(digest)
        .bind(now.timestamp_millis())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Remembers a delivery of `source` with `digest` until `until`, and forgets the ones
    /// whose time is over.
    #[tracing::instrument(skip_all)]
    pub async fn remember_delivery(
        &self,
        source: AlertSource,
        digest: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE expires_at <= $1")
            .bind(now.timestamp_millis())
            .execute(&mut *tx.inner)
            .await?;
        sqlx::query(
            "INSERT INTO webhook_deliveries (source, digest, seen_at, expires_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (source, digest) DO UPDATE SET seen_at = excluded.seen_at, \
             expires_at = excluded.expires_at",
        )
        .bind(source.as_str())
        .bind(digest)
        .bind(now.timestamp_millis())
        .bind(until.timestamp_millis())
        .execute(&mut *tx.inner)
        .await?;
        tx.commit().await
    }

    /// How many delivery digests are remembered, expired or not.
    pub async fn delivery_count(&self) -> Result<u64, Error> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM webhook_deliveries")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
