//! What the tables of calls recorded before they go out share: each row is written in the
//! transaction that asks for the call, marked just before it is sent, and marked again with
//! what came back, so that a retry after a crash finds it and never calls twice.
//!
//! Two shapes, each on two tables: runs (`action_runs`, `maintenance_hook_runs`) move from
//! `queued` to `sending` by a compare-and-set, then to their outcome; social posts
//! (`social_posts`, `social_notices`) keep their key, when they were first tried, and the
//! post the network made or why they were skipped. The tables keep their own columns for what
//! the call is about; what is the same is written once, here.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};

use super::convert::{from_millis_opt, to_millis};
use super::{Db, Error, RemotePost};
use crate::domain::{ActionId, BotReason, Network, RunNote, RunState, Skipped};

/// A table of recorded calls, read as `Self`.
pub(super) trait Recorded: Sized + Send + Unpin {
    /// `SELECT <its columns> FROM <its table>`.
    const SELECT: &'static str;
    /// Its row, as `SELECT` reads it.
    type Row: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin;
    /// The row as the store's type.
    fn from_row(row: Self::Row) -> Result<Self, Error>;
}

/// The call of row `id`.
pub(super) async fn recorded<T: Recorded>(
    executor: impl Executor<'_, Database = Any>,
    id: i64,
) -> Result<Option<T>, Error> {
    let row: Option<T::Row> = sqlx::query_as(sql!("{} WHERE id = $1", T::SELECT))
        .bind(id)
        .fetch_optional(executor)
        .await?;
    row.map(T::from_row).transpose()
}

impl Db {
    /// The calls whose `column` is `owner` (on `network`, when given), oldest first.
    pub(super) async fn recorded_of<T: Recorded>(
        &self,
        column: &'static str,
        owner: i64,
        network: Option<Network>,
    ) -> Result<Vec<T>, Error> {
        let on = if network.is_some() {
            " AND network = $2"
        } else {
            ""
        };
        let sql = sql!("{} WHERE {column} = $1{on} ORDER BY id", T::SELECT);
        let mut query = sqlx::query_as::<_, T::Row>(sql).bind(owner);
        if let Some(network) = network {
            query = query.bind(network.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.into_iter().map(T::from_row).collect()
    }
}

/// Takes queued run `id` of `table` for sending (`sending`, one more attempt, and `started_at`
/// when the table keeps it); false when it was not queued (an earlier attempt took it, and may
/// have sent it).
pub(super) async fn start_run(
    executor: impl Executor<'_, Database = Any>,
    table: &'static str,
    id: i64,
    started_at: Option<DateTime<Utc>>,
) -> Result<bool, Error> {
    let stamp = if started_at.is_some() {
        ", started_at = $2"
    } else {
        ""
    };
    let sql = sql!(
        "UPDATE {table} SET state = 'sending', attempts = attempts + 1{stamp} \
         WHERE id = $1 AND state = 'queued'"
    );
    let mut query = sqlx::query(sql).bind(id);
    if let Some(at) = started_at {
        query = query.bind(to_millis(at));
    }
    Ok(query.execute(executor).await?.rows_affected() == 1)
}

/// Moves run `id` of `table` from `from` to `to`; returns whether it was in `from` (so two
/// answers to the same question cannot both act).
pub(super) async fn move_run(
    executor: impl Executor<'_, Database = Any>,
    table: &'static str,
    id: i64,
    from: RunState,
    to: RunState,
) -> Result<bool, Error> {
    let done = sqlx::query(sql!(
        "UPDATE {table} SET state = $3 WHERE id = $1 AND state = $2"
    ))
    .bind(id)
    .bind(from.key())
    .bind(to.key())
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What came back from a run: the state it ends in, the target's status if it answered, and
/// the first characters of the answer (redacted) or the bot's reason.
pub(super) struct RunOutcome<'a> {
    pub state: RunState,
    pub status: Option<u16>,
    pub note: &'a RunNote,
    pub at: DateTime<Utc>,
}

/// A run's note as stored: the target's words in `snippet`, or the bot's reason as a word in
/// `why`. Rows from before `why` have their reason's old sentence in `snippet`, and read back
/// as words said, as they were shown.
pub(super) fn read_note(
    why: Option<String>,
    snippet: Option<String>,
    action: &ActionId,
) -> Result<Option<RunNote>, Error> {
    match why {
        Some(key) => BotReason::parse(&key, action)
            .map(|r| Some(RunNote::Bot(r)))
            .ok_or_else(|| super::corrupt(format!("run note `{key}`"))),
        None => Ok(snippet.map(RunNote::Said)),
    }
}

/// Records the outcome of run `id` of `table`, if it is still `sending`; returns whether it was.
pub(super) async fn finish_run(
    executor: impl Executor<'_, Database = Any>,
    table: &'static str,
    id: i64,
    outcome: RunOutcome<'_>,
) -> Result<bool, Error> {
    let done = sqlx::query(sql!(
        "UPDATE {table} SET state = $2, status = $3, snippet = $4, why = $5, finished_at = $6 \
         WHERE id = $1 AND state = 'sending'"
    ))
    .bind(id)
    .bind(outcome.state.key())
    .bind(outcome.status.map(i64::from))
    .bind(outcome.note.said())
    .bind(outcome.note.reason().map(BotReason::key))
    .bind(to_millis(outcome.at))
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The columns every social post's row has, as read.
pub(super) struct SocialColumns {
    pub network: Network,
    pub first_tried_at: Option<DateTime<Utc>>,
    pub remote: Option<RemotePost>,
}

impl SocialColumns {
    /// Reads `network`, `first_tried_at`, `remote_id` and `remote_cid`.
    pub(super) fn read(
        network: &str,
        tried: Option<i64>,
        remote_id: Option<String>,
        remote_cid: Option<String>,
    ) -> Result<Self, Error> {
        Ok(Self {
            network: Network::parse(network)
                .ok_or_else(|| super::corrupt(format!("unknown network `{network}`")))?,
            first_tried_at: from_millis_opt(tried)?,
            remote: remote_id.map(|id| RemotePost {
                id,
                cid: remote_cid,
            }),
        })
    }
}

impl Db {
    /// Records that post `id` of `table` is about to be sent for the first time (a later
    /// attempt keeps the first time: how long the network may remember the key counts from it).
    pub(super) async fn social_tried(
        &self,
        table: &'static str,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        sqlx::query(sql!(
            "UPDATE {table} SET first_tried_at = $1 WHERE id = $2 AND first_tried_at IS NULL"
        ))
        .bind(to_millis(at))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records the post the network made for post `id` of `table` and when, or (`Err`) why it
    /// was skipped.
    pub(super) async fn social_done(
        &self,
        table: &'static str,
        id: i64,
        done: Result<(&RemotePost, DateTime<Utc>), &Skipped>,
    ) -> Result<(), Error> {
        let (rid, cid, at, skipped) = match done {
            Ok((r, at)) => (
                Some(r.id.as_str()),
                r.cid.as_deref(),
                Some(to_millis(at)),
                None,
            ),
            Err(why) => (
                None,
                None,
                None,
                Some(serde_json::to_string(why).map_err(Error::other)?),
            ),
        };
        sqlx::query(sql!(
            "UPDATE {table} SET remote_id = $1, remote_cid = $2, skipped = $3, posted_at = $4 \
             WHERE id = $5"
        ))
        .bind(rid)
        .bind(cid)
        .bind(skipped)
        .bind(at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many posts of `table` went out on `network` since `since`, and how many made since
    /// then were skipped.
    pub(super) async fn social_since(
        &self,
        table: &'static str,
        network: Network,
        since: DateTime<Utc>,
    ) -> Result<(u64, u64), Error> {
        let (made, skipped): (i64, i64) = sqlx::query_as(sql!(
            "SELECT COALESCE(SUM(CASE WHEN posted_at >= $1 THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN skipped IS NOT NULL AND created_at >= $2 THEN 1 ELSE 0 END), 0) \
             FROM {table} WHERE network = $3"
        ))
        .bind(to_millis(since))
        .bind(to_millis(since))
        .bind(network.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok((made.max(0).unsigned_abs(), skipped.max(0).unsigned_abs()))
    }
}

/// A stored reason for a skipped post: its key and values, or an older row's sentence.
pub(super) fn skipped_from(stored: Option<String>) -> Option<Skipped> {
    stored.map(|s| serde_json::from_str(&s).unwrap_or(Skipped::Said { text: s }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skip_reason_is_stored_as_its_key_and_an_older_sentence_reads_back_as_said() {
        let cap = Skipped::XMonthlyCap { cap: 1500 };
        let stored = serde_json::to_string(&cap).expect("json");
        assert_eq!(stored, r#"{"key":"x_monthly_cap","cap":1500}"#);
        assert_eq!(skipped_from(Some(stored)), Some(cap));
        let older = "X's monthly cap of 1500 posts is reached".to_owned();
        assert_eq!(
            skipped_from(Some(older.clone())),
            Some(Skipped::Said { text: older })
        );
        assert_eq!(skipped_from(None), None);
    }
}
