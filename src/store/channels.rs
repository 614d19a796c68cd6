//! Channel relabels: when the bot changed a channel's name or topic, for Discord's limit of two
//! such changes per channel in 10 minutes.

use chrono::{DateTime, TimeDelta, Utc};

use super::Db;
use super::{
    convert::{from_millis, to_db_id, to_millis},
    Error,
};
use crate::domain::ChannelId;

/// Discord's window for channel name and topic changes.
pub const RELABEL_WINDOW: TimeDelta = TimeDelta::minutes(10);

impl Db {
    /// The bot's relabels of `channel` within the window before `now`, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn relabels_since(
        &self,
        channel: ChannelId,
        now: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, Error> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT at FROM channel_relabels WHERE channel_id = $1 AND at > $2 ORDER BY at",
        )
        .bind(to_db_id(channel.get()))
        .bind(to_millis(now - RELABEL_WINDOW))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|(at,)| from_millis(at)).collect()
    }

    /// Records a relabel of `channel` at `at`, and forgets those that left the window.
    #[tracing::instrument(skip_all)]
    pub async fn record_relabel(&self, channel: ChannelId, at: DateTime<Utc>) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM channel_relabels WHERE at <= $1")
            .bind(to_millis(at - RELABEL_WINDOW))
            .execute(&mut *tx.inner)
            .await?;
        sqlx::query("INSERT INTO channel_relabels (channel_id, at) VALUES ($1, $2)")
            .bind(to_db_id(channel.get()))
            .bind(to_millis(at))
            .execute(&mut *tx.inner)
            .await?;
        tx.commit().await
    }
}
