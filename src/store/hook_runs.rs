//! Calls of the game's maintenance hook (`[maintenance] hook`): one per window and mode,
//! recorded in the transaction that starts or ends the window, moved to `sending` by a
//! compare-and-set just before the call, and finished with what came back. A call found in
//! `sending` by a job was sent by an attempt that never recorded its answer (the states'
//! moves are [`super::recorded_calls`]'s, shared with the runbook actions' runs).

use chrono::{DateTime, Utc};

use super::convert::{from_millis, to_millis};
use super::recorded_calls::{self as calls, Recorded, RunOutcome};
use super::{Db, Error, Tx};
use crate::domain::{ActionId, RunNote, RunState};

/// One call of the hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookRun {
    /// Its row.
    pub id: i64,
    /// The window.
    pub window: i64,
    /// Whether it turns the game's maintenance mode on (else off).
    pub on: bool,
    /// The action called.
    pub action: ActionId,
    /// The idempotency key sent with it, the same on every attempt.
    pub key: String,
    /// Where it stands.
    pub state: RunState,
    /// How many times it was sent.
    pub attempts: i64,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// The status the target answered, if it answered.
    pub status: Option<u16>,
    /// The first characters of the answer (redacted), or the bot's reason; none until it
    /// finished.
    pub note: Option<RunNote>,
}

type Row = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
);

const SELECT: &str = "SELECT id, window_id, mode, action_id, run_key, state, attempts, \
     created_at, status, snippet, why FROM maintenance_hook_runs";

fn mode(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// The table of calls.
const TABLE: &str = "maintenance_hook_runs";

impl Recorded for HookRun {
    const SELECT: &'static str = SELECT;
    type Row = Row;

    fn from_row(r: Row) -> Result<Self, Error> {
        let (id, window, mode, action, key, state, attempts, created, status, snippet, why) = r;
        let action = ActionId::from_stored(action);
        let note = calls::read_note(why, snippet, &action)?;
        Ok(HookRun {
            id,
            window,
            on: mode == "on",
            action,
            key,
            state: RunState::parse(&state)
                .ok_or_else(|| super::corrupt(format!("hook run state `{state}`")))?,
            attempts,
            created_at: from_millis(created)?,
            status: status.and_then(|s| u16::try_from(s).ok()),
            note,
        })
    }
}

impl Tx {
    /// Records the call turning window `window`'s maintenance `on` or off through `action`,
    /// unless it is recorded already; returns its row either way.
    #[tracing::instrument(skip_all)]
    pub async fn record_hook_run(
        &mut self,
        window: i64,
        on: bool,
        action: &ActionId,
        at: DateTime<Utc>,
    ) -> Result<i64, Error> {
        let key = format!("ib-maintenance-{window}-{}", mode(on));
        sqlx::query(
            "INSERT INTO maintenance_hook_runs (window_id, mode, action_id, run_key, state, \
             attempts, created_at) VALUES ($1, $2, $3, $4, 'queued', 0, $5) \
             ON CONFLICT DO NOTHING",
        )
        .bind(window)
        .bind(mode(on))
        .bind(action.as_str())
        .bind(&key)
        .bind(to_millis(at))
        .execute(&mut *self.inner)
        .await?;
        let (id,): (i64,) = sqlx::query_as(
            "SELECT id FROM maintenance_hook_runs WHERE window_id = $1 AND mode = $2",
        )
        .bind(window)
        .bind(mode(on))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// Records a call's outcome, if it is still `sending`; returns whether it was.
    #[tracing::instrument(skip_all)]
    pub async fn finish_hook_run(
        &mut self,
        id: i64,
        state: RunState,
        status: Option<u16>,
        note: &RunNote,
        at: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let outcome = RunOutcome {
            state,
            status,
            note,
            at,
        };
        calls::finish_run(&mut *self.inner, TABLE, id, outcome).await
    }
}

impl Db {
    /// One call.
    #[tracing::instrument(skip_all)]
    pub async fn hook_run(&self, id: i64) -> Result<Option<HookRun>, Error> {
        calls::recorded(&self.pool, id).await
    }

    /// Every call of a window's hook, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn hook_runs(&self, window: i64) -> Result<Vec<HookRun>, Error> {
        self.recorded_of("window_id", window, None).await
    }

    /// Takes a queued call for sending (`sending`, one more attempt); false when it was not
    /// queued (an earlier attempt took it, and may have sent it).
    #[tracing::instrument(skip_all)]
    pub async fn start_hook_run(&self, id: i64) -> Result<bool, Error> {
        calls::start_run(&self.pool, TABLE, id, None).await
    }

    /// Gives a call taken for sending back to the queue: the target said it did nothing.
    #[tracing::instrument(skip_all)]
    pub async fn requeue_hook_run(&self, id: i64) -> Result<bool, Error> {
        calls::move_run(&self.pool, TABLE, id, RunState::Sending, RunState::Queued).await
    }
}
