//! Key-value facts the bot keeps about itself.

use super::{Db, Error};

impl Db {
    /// The value stored under `key`.
    pub async fn meta(&self, key: &str) -> Result<Option<String>, Error> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(v,)| v))
    }

    /// Stores `value` under `key`.
    pub async fn set_meta(&self, key: &str, value: &str) -> Result<(), Error> {
        let _writer = self.writer().await;
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
