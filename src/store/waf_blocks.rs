//! The WAF blocks of `/incident block`: one row per address or range, with its entry's id at
//! the WAF once known, so that `/incident unblock`, the end of `until` and a retry after a
//! crash all find it.

use chrono::{DateTime, Utc};

use super::convert::{self, from_millis, from_millis_opt, to_db_id, to_millis};
use super::{corrupt, Db, Error, Tx};
use crate::domain::{BlockTarget, IncidentId, UserId};

/// A block being asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBlock {
    /// What to block.
    pub target: BlockTarget,
    /// Why, as typed.
    pub note: Option<String>,
    /// Who asked.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// When it is lifted by itself, if ever.
    pub until: Option<DateTime<Utc>>,
}

/// A stored block and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WafBlock {
    /// Its row.
    pub id: i64,
    /// The incident it was asked for in.
    pub incident: IncidentId,
    /// What was asked.
    pub asked: NewBlock,
    /// The WAF's id of its entry (a rule, a list item), once known.
    pub entry_id: Option<String>,
    /// When the WAF confirmed it.
    pub blocked_at: Option<DateTime<Utc>>,
    /// When it was asked to be lifted (by hand, or by `until`).
    pub unblock_asked_at: Option<DateTime<Utc>>,
    /// Who asked to lift it; `None` when `until` did.
    pub unblocked_by: Option<UserId>,
    /// When the WAF confirmed it lifted.
    pub unblocked_at: Option<DateTime<Utc>>,
}

impl WafBlock {
    /// Whether it blocks, or is about to: asked, and not asked to be lifted.
    pub fn in_force(&self) -> bool {
        self.unblock_asked_at.is_none()
    }
}

type Row = (
    i64,
    i64,
    String,
    Option<String>,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// The columns [`Row`] reads, in its order: a literal, so that queries stay static strings.
macro_rules! columns {
    () => {
        "SELECT id, incident_id, target, note, asked_by, asked_at, until_at, entry_id, \
         blocked_at, unblock_asked_at, unblocked_by, unblocked_at FROM waf_blocks "
    };
}

fn read(row: Row) -> Result<WafBlock, Error> {
    let (id, incident, target, note, by, at, until, entry_id, blocked, asked, unby, unblocked) =
        row;
    Ok(WafBlock {
        id,
        incident: IncidentId(incident),
        asked: NewBlock {
            target: BlockTarget::from_stored(&target)
                .ok_or_else(|| corrupt(format!("WAF target {target}")))?,
            note,
            by: convert::user_id(by)?,
            at: from_millis(at)?,
            until: from_millis_opt(until)?,
        },
        entry_id,
        blocked_at: from_millis_opt(blocked)?,
        unblock_asked_at: from_millis_opt(asked)?,
        unblocked_by: unby.map(convert::user_id).transpose()?,
        unblocked_at: from_millis_opt(unblocked)?,
    })
}

impl Tx {
    /// Records a block asked for in `incident`; returns its row.
    #[tracing::instrument(skip_all)]
    pub async fn add_waf_block(
        &mut self,
        incident: IncidentId,
        block: &NewBlock,
    ) -> Result<i64, Error> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO waf_blocks (incident_id, target, note, asked_by, asked_at, until_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(incident.0)
        .bind(block.target.to_string())
        .bind(block.note.as_deref())
        .bind(to_db_id(block.by.get()))
        .bind(to_millis(block.at))
        .bind(block.until.map(to_millis))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// Marks the blocks `ids` to be lifted, by `by` (`None`: their `until`), unless they were
    /// already. Returns the rows it marked.
    #[tracing::instrument(skip_all)]
    pub async fn ask_waf_unblock(
        &mut self,
        ids: &[i64],
        by: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<Vec<i64>, Error> {
        let mut marked = Vec::new();
        for id in ids {
            let done = sqlx::query(
                "UPDATE waf_blocks SET unblock_asked_at = $1, unblocked_by = $2 \
                 WHERE id = $3 AND unblock_asked_at IS NULL",
            )
            .bind(to_millis(at))
            .bind(by.map(|u| to_db_id(u.get())))
            .bind(*id)
            .execute(&mut *self.inner)
            .await?;
            if done.rows_affected() == 1 {
                marked.push(*id);
            }
        }
        Ok(marked)
    }

    /// Records the WAF's id of a block's entry, as soon as it is known.
    #[tracing::instrument(skip_all)]
    pub async fn set_waf_entry(&mut self, id: i64, entry_id: &str) -> Result<(), Error> {
        sqlx::query("UPDATE waf_blocks SET entry_id = $1 WHERE id = $2")
            .bind(entry_id)
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Records that the WAF blocks it.
    #[tracing::instrument(skip_all)]
    pub async fn set_waf_blocked(&mut self, id: i64, at: DateTime<Utc>) -> Result<(), Error> {
        sqlx::query("UPDATE waf_blocks SET blocked_at = $1 WHERE id = $2 AND blocked_at IS NULL")
            .bind(to_millis(at))
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Records that the WAF no longer blocks it.
    #[tracing::instrument(skip_all)]
    pub async fn set_waf_unblocked(&mut self, id: i64, at: DateTime<Utc>) -> Result<(), Error> {
        sqlx::query(
            "UPDATE waf_blocks SET unblocked_at = $1 WHERE id = $2 AND unblocked_at IS NULL",
        )
        .bind(to_millis(at))
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

impl Db {
    /// The blocks of an incident, in the order they were asked.
    #[tracing::instrument(skip_all)]
    pub async fn waf_blocks(&self, incident: IncidentId) -> Result<Vec<WafBlock>, Error> {
        let rows: Vec<Row> =
            sqlx::query_as(concat!(columns!(), "WHERE incident_id = $1 ORDER BY id"))
                .bind(incident.0)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(read).collect()
    }

    /// The blocks of these rows, in their order.
    #[tracing::instrument(skip_all)]
    pub async fn waf_blocks_of(&self, ids: &[i64]) -> Result<Vec<WafBlock>, Error> {
        let mut out = Vec::new();
        for id in ids {
            let row: Option<Row> = sqlx::query_as(concat!(columns!(), "WHERE id = $1"))
                .bind(*id)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(row) = row {
                out.push(read(row)?);
            }
        }
        Ok(out)
    }
}
