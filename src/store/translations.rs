//! An announcement's text in the other languages players read, kept with it.

use std::collections::BTreeMap;

use super::{Db, Error, Tx};
use crate::domain::Locale;

impl Tx {
    /// Records `texts` as announcement `id` in their locales.
    #[tracing::instrument(skip_all)]
    pub async fn insert_translations(
        &mut self,
        id: i64,
        texts: &[(Locale, String)],
    ) -> Result<(), Error> {
        for (locale, content) in texts {
            sqlx::query(
                "INSERT INTO announcement_translations (announcement_id, locale, content) \
                 VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(locale.code())
            .bind(content)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }

    /// Records `titles`, the incident's public title per locale typed with announcement `id`
    /// (its rows are in: [`Tx::insert_translations`] first).
    #[tracing::instrument(skip_all)]
    pub async fn set_translation_titles(
        &mut self,
        id: i64,
        titles: &[(Locale, String)],
    ) -> Result<(), Error> {
        for (locale, title) in titles {
            sqlx::query(
                "UPDATE announcement_translations SET title = $1 \
                 WHERE announcement_id = $2 AND locale = $3",
            )
            .bind(title)
            .bind(id)
            .bind(locale.code())
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }
}

impl Db {
    /// Announcement `id`'s text in `locale`, and whether its locale channel has it already.
    #[tracing::instrument(skip_all)]
    pub async fn translation_post(
        &self,
        id: i64,
        locale: &str,
    ) -> Result<Option<(String, bool)>, Error> {
        let row: Option<(String, Option<i64>)> = sqlx::query_as(
            "SELECT content, message_id FROM announcement_translations \
             WHERE announcement_id = $1 AND locale = $2",
        )
        .bind(id)
        .bind(locale)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(content, message)| (content, message.is_some())))
    }

    /// Records the message that carries announcement `id` in `locale`'s channel.
    #[tracing::instrument(skip_all)]
    pub async fn translation_posted(
        &self,
        id: i64,
        locale: &str,
        message: crate::domain::MessageId,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE announcement_translations SET message_id = $1 \
             WHERE announcement_id = $2 AND locale = $3",
        )
        .bind(super::to_db_id(message.get()))
        .bind(id)
        .bind(locale)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The translations of announcement `id`, by locale (codes no longer Discord's are skipped).
    #[tracing::instrument(skip_all)]
    pub async fn translations(&self, id: i64) -> Result<BTreeMap<Locale, String>, Error> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT locale, content FROM announcement_translations WHERE announcement_id = $1",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(code, content)| Locale::parse(&code).ok().map(|l| (l, content)))
            .collect())
    }

    /// The incident's public titles typed with announcement `id`, by locale.
    #[tracing::instrument(skip_all)]
    pub async fn translation_titles(&self, id: i64) -> Result<BTreeMap<Locale, String>, Error> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT locale, title FROM announcement_translations \
             WHERE announcement_id = $1 AND title IS NOT NULL",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(code, title)| Locale::parse(&code).ok().map(|l| (l, title)))
            .collect())
    }
}
