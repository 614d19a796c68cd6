//! The translations forms' drafts between their steps, shared by every replica. The store
//! keeps rows; when a draft expires is the app's rule (`app::translation_drafts`).

use chrono::{DateTime, Utc};

use super::{from_millis, to_db_id, to_millis, Db, Error};

/// A draft as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraft {
    /// The draft as JSON; `None` once it expired.
    pub body: Option<String>,
    /// When its command opened it.
    pub opened_at: DateTime<Utc>,
}

impl Db {
    /// Holds draft `id` as `body` from `now`, after forgetting the drafts opened at or before
    /// `forget_before` and emptying those opened at or before `expire_before`.
    pub async fn hold_translation_draft(
        &self,
        id: u64,
        body: &str,
        now: DateTime<Utc>,
        (expire_before, forget_before): (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM translation_drafts WHERE opened_at <= $1")
            .bind(to_millis(forget_before))
            .execute(&mut *tx.inner)
            .await?;
        sqlx::query("UPDATE translation_drafts SET body = NULL WHERE opened_at <= $1")
            .bind(to_millis(expire_before))
            .execute(&mut *tx.inner)
            .await?;
        sqlx::query(
            "INSERT INTO translation_drafts (id, body, opened_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, opened_at = excluded.opened_at",
        )
        .bind(to_db_id(id))
        .bind(body)
        .bind(to_millis(now))
        .execute(&mut *tx.inner)
        .await?;
        tx.commit().await
    }

    /// Draft `id`, if a row is kept for it.
    pub async fn translation_draft(&self, id: u64) -> Result<Option<StoredDraft>, Error> {
        let row: Option<(Option<String>, i64)> =
            sqlx::query_as("SELECT body, opened_at FROM translation_drafts WHERE id = $1")
                .bind(to_db_id(id))
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(body, opened_at)| {
            Ok(StoredDraft {
                body,
                opened_at: from_millis(opened_at)?,
            })
        })
        .transpose()
    }

    /// Replaces draft `id`'s body (`None`: it expired) if it still has one; returns whether it
    /// did.
    pub async fn set_translation_draft(&self, id: u64, body: Option<&str>) -> Result<bool, Error> {
        let _writer = self.writer().await;
        let done = sqlx::query(
            "UPDATE translation_drafts SET body = $2 WHERE id = $1 AND body IS NOT NULL",
        )
        .bind(to_db_id(id))
        .bind(body)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Forgets draft `id`: its command ran.
    pub async fn drop_translation_draft(&self, id: u64) -> Result<(), Error> {
        let _writer = self.writer().await;
        sqlx::query("DELETE FROM translation_drafts WHERE id = $1")
            .bind(to_db_id(id))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
