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
}

impl Db {
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
}
