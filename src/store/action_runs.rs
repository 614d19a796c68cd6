//! Runs of runbook actions: recorded before the call goes out, moved to `sending` by a
//! compare-and-set just before it does, and finished with what came back. A run found in
//! `sending` by a job was sent by an attempt that never recorded its answer (the states'
//! moves are [`super::recorded_calls`]'s, shared with the maintenance hook's calls).

use chrono::{DateTime, Utc};

use super::convert::{self, from_millis, from_millis_opt, to_db_id, to_millis};
use super::recorded_calls::{self as calls, Recorded, RunOutcome};
use super::{Db, Error, Tx};
use crate::domain::{ActionId, IncidentId, RunNote, RunState, UserId};

/// One run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRun {
    /// Its row.
    pub id: i64,
    /// The incident it ran for.
    pub incident: IncidentId,
    /// The action.
    pub action: ActionId,
    /// The idempotency key sent with it, the same on every attempt.
    pub key: String,
    /// Who asked for it.
    pub by: UserId,
    /// Their display name when they asked (what the body's `by` says).
    pub by_name: String,
    /// Where it stands.
    pub state: RunState,
    /// How many times it was sent.
    pub attempts: i64,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// When it was last sent.
    pub started_at: Option<DateTime<Utc>>,
    /// When its outcome was recorded.
    pub finished_at: Option<DateTime<Utc>>,
    /// The status the target answered, if it answered.
    pub status: Option<u16>,
    /// The first characters of the answer (redacted), or the bot's reason; none until it
    /// finished.
    pub note: Option<RunNote>,
}

/// A run to record.
#[derive(Debug, Clone)]
pub struct NewActionRun<'a> {
    /// The incident.
    pub incident: IncidentId,
    /// The action.
    pub action: &'a ActionId,
    /// Who asked.
    pub by: UserId,
    /// Their display name.
    pub by_name: &'a str,
    /// When.
    pub at: DateTime<Utc>,
}

type Row = (
    i64,
    i64,
    String,
    String,
    i64,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

const SELECT: &str = "SELECT id, incident_id, action_id, run_key, requested_by, requested_name, \
     state, attempts, created_at, started_at, finished_at, status, snippet, why FROM action_runs";

/// The table of runs.
const TABLE: &str = "action_runs";

impl Recorded for ActionRun {
    const SELECT: &'static str = SELECT;
    type Row = Row;

    fn from_row(r: Row) -> Result<Self, Error> {
        let (id, incident, action, key, by, by_name, state, attempts, created, started, finished) =
            (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10);
        let action = ActionId::from_stored(action);
        let note = calls::read_note(r.13, r.12, &action)?;
        Ok(ActionRun {
            id,
            incident: IncidentId(incident),
            action,
            key,
            by: convert::user_id(by)?,
            by_name,
            state: RunState::parse(&state)
                .ok_or_else(|| super::corrupt(format!("action run state `{state}`")))?,
            attempts,
            created_at: from_millis(created)?,
            started_at: from_millis_opt(started)?,
            finished_at: from_millis_opt(finished)?,
            status: r.11.and_then(|s| u16::try_from(s).ok()),
            note,
        })
    }
}

impl Tx {
    /// Records a run, queued, with a key of its own (`ib-<incident>-<action>-<n>`).
    #[tracing::instrument(skip_all)]
    pub async fn insert_action_run(&mut self, run: &NewActionRun<'_>) -> Result<ActionRun, Error> {
        let (earlier,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM action_runs WHERE incident_id = $1 AND action_id = $2",
        )
        .bind(run.incident.0)
        .bind(run.action.as_str())
        .fetch_one(&mut *self.inner)
        .await?;
        let key = format!("ib-{}-{}-{}", run.incident.0, run.action, earlier + 1);
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO action_runs (incident_id, action_id, run_key, requested_by, \
             requested_name, state, attempts, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6) RETURNING id",
        )
        .bind(run.incident.0)
        .bind(run.action.as_str())
        .bind(&key)
        .bind(to_db_id(run.by.get()))
        .bind(run.by_name)
        .bind(to_millis(run.at))
        .fetch_one(&mut *self.inner)
        .await?;
        self.action_run(id)
            .await?
            .ok_or_else(|| super::corrupt("the action run just written"))
    }

    /// One run, read inside this transaction.
    #[tracing::instrument(skip_all)]
    pub async fn action_run(&mut self, id: i64) -> Result<Option<ActionRun>, Error> {
        calls::recorded(&mut *self.inner, id).await
    }

    /// Moves a run from `from` to `to`; returns whether it was in `from` (so two answers to
    /// the same question cannot both act).
    #[tracing::instrument(skip_all)]
    pub async fn move_action_run(
        &mut self,
        id: i64,
        from: RunState,
        to: RunState,
    ) -> Result<bool, Error> {
        calls::move_run(&mut *self.inner, TABLE, id, from, to).await
    }

    /// Records a run's outcome, if it is still `sending`; returns whether it was.
    #[tracing::instrument(skip_all)]
    pub async fn finish_action_run(
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
    /// One run.
    #[tracing::instrument(skip_all)]
    pub async fn action_run(&self, id: i64) -> Result<Option<ActionRun>, Error> {
        calls::recorded(&self.pool, id).await
    }

    /// Every run of an incident, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn action_runs(&self, incident: IncidentId) -> Result<Vec<ActionRun>, Error> {
        self.recorded_of("incident_id", incident.0, None).await
    }

    /// Takes a queued run for sending: `sending`, one more attempt, started now. Returns false
    /// when it was not queued (an earlier attempt took it, and may have sent it).
    #[tracing::instrument(skip_all)]
    pub async fn start_action_run(&self, id: i64, at: DateTime<Utc>) -> Result<bool, Error> {
        let mut tx = self.begin().await?;
        let taken = calls::start_run(&mut *tx.inner, TABLE, id, Some(at)).await?;
        tx.commit().await?;
        Ok(taken)
    }

    /// Gives a run taken for sending back to the queue: the target said it did nothing (a 429
    /// with a time to come back), so the retry may send it.
    #[tracing::instrument(skip_all)]
    pub async fn requeue_action_run(&self, id: i64) -> Result<bool, Error> {
        let mut tx = self.begin().await?;
        let moved = tx
            .move_action_run(id, RunState::Sending, RunState::Queued)
            .await?;
        tx.commit().await?;
        Ok(moved)
    }
}
