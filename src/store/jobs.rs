//! The durable job queue's table: enqueue, claim, finish, retry, cancel.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use super::{
    convert::{from_millis, from_millis_opt, to_millis},
    Error,
};
use super::{corrupt, Backend, Db, Tx};
use crate::domain::{Forbidden, IncidentId};

/// A job's row id. Also the nonce of the Discord message it posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub i64);

/// A job to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// Which handler performs it.
    pub kind: String,
    /// What the handler needs, as JSON.
    pub payload: Value,
    /// The incident it belongs to, so a state change can cancel it.
    pub incident: Option<IncidentId>,
    /// Adding a job with a key that exists already does nothing.
    pub idempotency_key: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
}

/// A job as the queue hands it to its handler.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The row id.
    pub id: JobId,
    /// Which handler performs it.
    pub kind: String,
    /// What the handler needs.
    pub payload: Value,
    /// The incident it belongs to.
    pub incident: Option<IncidentId>,
    /// Its idempotency key.
    pub idempotency_key: String,
    /// When it was due.
    pub due_at: DateTime<Utc>,
    /// Attempts so far, counting this one.
    pub attempts: u32,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// When it was done, failed or cancelled, if it was.
    pub finished_at: Option<DateTime<Utc>>,
    /// The token of its last claim: its outcome is written, and its claim renewed, only while
    /// the job still carries it (no other worker has claimed it since).
    pub claim_token: Option<i64>,
}

/// Why a job was given up, as `last_error`, `forbidden` and `refusal` keep it and people are
/// told.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobFailure {
    /// Refused for lack of a permission: what was tried, where, and what to grant, worded by
    /// `refusal.hbs` where people read it. No retry would help: given up at the first attempt.
    Forbidden(Forbidden),
    /// Anything else, with its causes: text that may quote Discord, escaped where people read it.
    Error(String),
}

impl JobFailure {
    /// The text `last_error` keeps, for operators: a missing permission as its redacted
    /// cause chain, anything else as it is.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::Forbidden(refused) => {
                crate::redact::redact(&format!("forbidden: {refused}")).into()
            }
            Self::Error(text) => text.as_str().into(),
        }
    }

    /// Read back from `last_error`, `forbidden` and `refusal`. A row given up for a permission
    /// before the refusal was kept as data (its text an old sentence) reads as an error.
    fn from_row(text: String, forbidden: bool, refusal: Option<String>) -> Self {
        let refused = refusal
            .filter(|_| forbidden)
            .and_then(|json| serde_json::from_str(&json).ok());
        match refused {
            Some(refused) => Self::Forbidden(refused),
            None => Self::Error(text),
        }
    }

    /// The refusal as `refusal` keeps it: JSON, for a missing permission only.
    fn refusal(&self) -> Option<String> {
        match self {
            Self::Forbidden(refused) => serde_json::to_string(refused).ok(),
            Self::Error(_) => None,
        }
    }
}

impl std::fmt::Display for JobFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

/// What one claim returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Claimed {
    /// The jobs to perform now, in the order they fell due.
    pub jobs: Vec<Job>,
    /// The jobs given up instead: they had used every attempt without an outcome.
    pub exhausted: Vec<Job>,
}

impl Claimed {
    /// How many rows the claim took, performed or given up.
    pub fn len(&self) -> usize {
        self.jobs.len() + self.exhausted.len()
    }

    /// Whether the claim took nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

const PENDING: &str = "done_at IS NULL AND failed_at IS NULL AND cancelled_at IS NULL";
/// The job (`$1`) is pending and still carries the claim token `$3`: nobody claimed it since.
const OURS: &str = "done_at IS NULL AND failed_at IS NULL AND cancelled_at IS NULL \
    AND claimed_until IS NOT NULL AND claim_token = $3";
const COLUMNS: &str =
    "id, kind, payload, incident_id, idempotency_key, due_at, attempts, last_error, \
    COALESCE(done_at, failed_at, cancelled_at), claim_token";

type Row = (
    i64,
    String,
    String,
    Option<i64>,
    String,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

fn from_row(
    (id, kind, payload, incident, key, due, attempts, last_error, finished, token): Row,
) -> Result<Job, Error> {
    Ok(Job {
        id: JobId(id),
        kind,
        payload: serde_json::from_str(&payload)
            .map_err(|e| corrupt(format!("job {id} payload: {e}")))?,
        incident: incident.map(IncidentId),
        idempotency_key: key,
        due_at: from_millis(due)?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        last_error,
        finished_at: from_millis_opt(finished)?,
        claim_token: token,
    })
}

impl Tx {
    /// Adds a job unless one with the same idempotency key exists. Returns its id when added.
    #[tracing::instrument(skip_all, fields(kind = %job.kind))]
    pub async fn enqueue(
        &mut self,
        job: &NewJob,
        now: DateTime<Utc>,
    ) -> Result<Option<JobId>, Error> {
        let id: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO jobs (kind, payload, incident_id, idempotency_key, due_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        )
        .bind(&job.kind)
        .bind(job.payload.to_string())
        .bind(job.incident.map(|i| i.0))
        .bind(&job.idempotency_key)
        .bind(to_millis(job.due_at))
        .bind(to_millis(now))
        .fetch_optional(&mut *self.inner)
        .await?;
        if id.is_some() && self.backend == Backend::Postgres {
            // Delivered at commit, once per transaction: every replica's queue wakes.
            sqlx::query("SELECT pg_notify($1, '')")
                .bind(super::JOBS_CHANNEL)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(id.map(|(id,)| JobId(id)))
    }

    /// Cancels the pending jobs of `kinds` for an incident; returns how many.
    #[tracing::instrument(skip_all)]
    pub async fn cancel_jobs(
        &mut self,
        incident: IncidentId,
        kinds: &[&str],
        now: DateTime<Utc>,
    ) -> Result<u64, Error> {
        let mut n = 0;
        for kind in kinds {
            n += sqlx::query(sql!(
                "UPDATE jobs SET cancelled_at = $1 WHERE incident_id = $2 AND kind = $3 AND {PENDING}"
            ))
            .bind(to_millis(now))
            .bind(incident.0)
            .bind(kind)
            .execute(&mut *self.inner)
            .await?
            .rows_affected();
        }
        Ok(n)
    }

    /// Marks a job done.
    pub async fn finish_job(&mut self, id: JobId, now: DateTime<Utc>) -> Result<(), Error> {
        sqlx::query("UPDATE jobs SET done_at = $1, claimed_until = NULL WHERE id = $2")
            .bind(to_millis(now))
            .bind(id.0)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

impl Db {
    /// Claims up to `limit` due jobs for `lease`, counting an attempt on each, oldest due first.
    /// A due job that has used `max_attempts` already (every one of them claimed and none
    /// recorded: it panicked, or the process died) is given up instead, with `reason`.
    #[tracing::instrument(skip_all)]
    pub async fn claim_due_jobs(
        &self,
        now: DateTime<Utc>,
        lease: TimeDelta,
        limit: u32,
        max_attempts: u32,
        reason: &str,
    ) -> Result<Claimed, Error> {
        let mut tx = self.begin().await?;
        // On PostgreSQL other processes claim at the same time: each takes rows no other claim
        // holds locked, instead of waiting for them and then claiming them again.
        let skip_locked = match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        // A new token for each claim, drawn per row.
        let token = match self.backend {
            Backend::Sqlite => "random()",
            Backend::Postgres => "floor(random() * 9007199254740991)::bigint",
        };
        // One statement for both, so a loop turn costs no more than before.
        let rows: Vec<Row> = sqlx::query_as(sql!(
            "UPDATE jobs SET \
             claimed_until = CASE WHEN attempts >= $1 THEN NULL ELSE $2 END, \
             claim_token = CASE WHEN attempts >= $1 THEN NULL ELSE {token} END, \
             failed_at = CASE WHEN attempts >= $1 THEN $3 END, \
             last_error = CASE WHEN attempts >= $1 \
              THEN $4 || COALESCE(' The last error: ' || last_error, '') ELSE last_error END, \
             attempts = CASE WHEN attempts >= $1 THEN attempts ELSE attempts + 1 END \
             WHERE id IN \
             (SELECT id FROM jobs WHERE {PENDING} AND due_at <= $3 \
              AND (claimed_until IS NULL OR claimed_until <= $3) ORDER BY due_at, id LIMIT $5{skip_locked}) \
             RETURNING {COLUMNS}"
        ))
        .bind(i64::from(max_attempts))
        .bind(to_millis(now + lease))
        .bind(to_millis(now))
        .bind(reason)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx.inner)
        .await?;
        tx.commit().await?;
        let mut claimed = Claimed::default();
        for row in rows {
            let job = from_row(row)?;
            // Only a job given up here comes back finished.
            if job.finished_at.is_some() {
                claimed.exhausted.push(job);
            } else {
                claimed.jobs.push(job);
            }
        }
        // RETURNING gives no order guarantee; hand them out in the order they fell due.
        claimed.jobs.sort_by_key(|j| (j.due_at, j.id));
        Ok(claimed)
    }

    /// The time the next job falls due, if any: an unclaimed job at its `due_at`, a claimed one
    /// when its lease runs out (its worker may never record an outcome, and then it runs again).
    #[tracing::instrument(skip_all)]
    pub async fn next_due_at(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, Error> {
        // A job is claimed only once due, so every claimed row has `due_at <= now`: bounding
        // the second scan by that keeps both on the pending index, and short.
        let (unclaimed, leased): (Option<i64>, Option<i64>) = sqlx::query_as(sql!(
            "SELECT \
             (SELECT due_at FROM jobs WHERE {PENDING} AND claimed_until IS NULL \
              ORDER BY due_at, id LIMIT 1), \
             (SELECT MIN(claimed_until) FROM jobs WHERE {PENDING} AND due_at <= $1 \
              AND claimed_until IS NOT NULL)"
        ))
        .bind(to_millis(now))
        .fetch_one(&self.pool)
        .await?;
        unclaimed
            .into_iter()
            .chain(leased)
            .min()
            .map(from_millis)
            .transpose()
    }

    /// Releases every claim: called at start, when no job of ours can be running, so that what
    /// a dead process had claimed runs again now instead of when its lease would have expired.
    /// Not on PostgreSQL, where other processes may be running the jobs they claimed: there an
    /// expired lease is the only way back, and this releases nothing.
    pub async fn release_claims(&self) -> Result<u64, Error> {
        if self.backend == Backend::Postgres {
            return Ok(0);
        }
        let _writer = self.writer().await;
        let done = sqlx::query(sql!(
            "UPDATE jobs SET claimed_until = NULL WHERE {PENDING} AND claimed_until IS NOT NULL"
        ))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Extends the claim on a running job to `until`. False when the claim is no longer the
    /// job's: it was finished, released, or claimed by another worker since; the worker stops.
    pub async fn renew_claim(&self, job: &Job, until: DateTime<Utc>) -> Result<bool, Error> {
        let _writer = self.writer().await;
        let done = sqlx::query(sql!(
            "UPDATE jobs SET claimed_until = $2 WHERE id = $1 AND {OURS}"
        ))
        .bind(job.id.0)
        .bind(to_millis(until))
        .bind(job.claim_token)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Jobs claimed and not finished: running now, or left by a process that died (until
    /// their lease runs out, or a restart on SQLite).
    pub async fn claimed_job_count(&self) -> Result<u64, Error> {
        let (n,): (i64,) = sqlx::query_as(sql!(
            "SELECT COUNT(*) FROM jobs WHERE {PENDING} AND claimed_until IS NOT NULL"
        ))
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Releases the claims on `ids` that are still pending: jobs this process stopped, which
    /// then run again at once. Returns how many were released.
    pub async fn release_jobs(&self, ids: &[JobId]) -> Result<u64, Error> {
        let mut released = 0;
        for id in ids {
            let _writer = self.writer().await;
            released += sqlx::query(sql!(
                "UPDATE jobs SET claimed_until = NULL WHERE id = $1 AND {PENDING} \
                 AND claimed_until IS NOT NULL"
            ))
            .bind(id.0)
            .execute(&self.pool)
            .await?
            .rows_affected();
        }
        Ok(released)
    }

    /// Marks a claimed job done. Each outcome below is written only while the job still carries
    /// this claim's token, and says whether it was: a worker whose claim was taken over writes
    /// nothing.
    pub async fn finish_job(&self, job: &Job, now: DateTime<Utc>) -> Result<bool, Error> {
        let _writer = self.writer().await;
        let done = sqlx::query(sql!(
            "UPDATE jobs SET done_at = $2, claimed_until = NULL WHERE id = $1 AND {OURS}"
        ))
        .bind(job.id.0)
        .bind(to_millis(now))
        .bind(job.claim_token)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt; the job runs again at `retry_at`.
    pub async fn retry_job(
        &self,
        job: &Job,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let _writer = self.writer().await;
        let done = sqlx::query(sql!(
            "UPDATE jobs SET last_error = $4, due_at = $2, claimed_until = NULL \
             WHERE id = $1 AND {OURS}"
        ))
        .bind(job.id.0)
        .bind(to_millis(retry_at))
        .bind(job.claim_token)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Puts a job off until `due` without counting the attempt that found it too early.
    pub async fn defer_job(&self, job: &Job, due: DateTime<Utc>) -> Result<bool, Error> {
        let _writer = self.writer().await;
        let done = sqlx::query(sql!(
            "UPDATE jobs SET due_at = $2, \
             attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
             claimed_until = NULL WHERE id = $1 AND {OURS}"
        ))
        .bind(job.id.0)
        .bind(to_millis(due))
        .bind(job.claim_token)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a job up for good.
    pub async fn fail_job(
        &self,
        job: &Job,
        error: &JobFailure,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let _writer = self.writer().await;
        let done = sqlx::query(sql!(
            "UPDATE jobs SET last_error = $4, forbidden = $5, refusal = $6, failed_at = $2, \
             claimed_until = NULL WHERE id = $1 AND {OURS}"
        ))
        .bind(job.id.0)
        .bind(to_millis(now))
        .bind(job.claim_token)
        .bind(error.text().into_owned())
        .bind(i64::from(matches!(error, JobFailure::Forbidden(_))))
        .bind(error.refusal())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives up the pending ones of `ids` for good, with `reason`; returns how many.
    #[tracing::instrument(skip_all)]
    pub async fn give_up_jobs(
        &self,
        ids: &[JobId],
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, Error> {
        let mut tx = self.begin().await?;
        let mut n = 0;
        for id in ids {
            n += sqlx::query(sql!(
                "UPDATE jobs SET last_error = $1, failed_at = $2, claimed_until = NULL \
                 WHERE id = $3 AND {PENDING}"
            ))
            .bind(reason)
            .bind(to_millis(now))
            .bind(id.0)
            .execute(&mut *tx.inner)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Why the incident's job of `kind` was given up, if one was.
    #[tracing::instrument(skip_all)]
    pub async fn job_failure(
        &self,
        incident: IncidentId,
        kind: &str,
    ) -> Result<Option<JobFailure>, Error> {
        let row: Option<(Option<String>, i64, Option<String>)> = sqlx::query_as(
            "SELECT last_error, forbidden, refusal FROM jobs WHERE incident_id = $1 AND kind = $2 \
             AND failed_at IS NOT NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(incident.0)
        .bind(kind)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(error, forbidden, refusal)| {
            let text = error.unwrap_or_else(|| "no reason was recorded".to_owned());
            JobFailure::from_row(text, forbidden != 0, refusal)
        }))
    }

    /// Every job of an incident (or of none), oldest first: for status, tests and the fault suite.
    pub async fn jobs_of(&self, incident: Option<IncidentId>) -> Result<Vec<Job>, Error> {
        let rows: Vec<Row> = sqlx::query_as(sql!(
            "SELECT {COLUMNS} FROM jobs WHERE incident_id IS NOT DISTINCT FROM $1 ORDER BY id"
        ))
        .bind(incident.map(|i| i.0))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(from_row).collect()
    }

    /// The job with that idempotency key.
    pub async fn job_by_key(&self, key: &str) -> Result<Option<Job>, Error> {
        let row: Option<Row> = sqlx::query_as(sql!(
            "SELECT {COLUMNS} FROM jobs WHERE idempotency_key = $1"
        ))
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(from_row).transpose()
    }

    /// How many pending jobs are due at `now`: claimed and running, or waiting for a worker.
    /// Zero once the queue has caught up.
    pub async fn due_jobs(&self, now: DateTime<Utc>) -> Result<u64, Error> {
        let (n,): (i64,) = sqlx::query_as(sql!(
            "SELECT COUNT(*) FROM jobs WHERE {PENDING} AND due_at <= $1"
        ))
        .bind(to_millis(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// How many jobs were given up after their last attempt.
    pub async fn failed_jobs(&self) -> Result<u64, Error> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE failed_at IS NOT NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// How many jobs are pending (not done, failed or cancelled).
    pub async fn pending_jobs(&self) -> Result<u64, Error> {
        let (n,): (i64,) = sqlx::query_as(sql!("SELECT COUNT(*) FROM jobs WHERE {PENDING}"))
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Pending jobs of one kind, as `/metrics` reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobCount {
    /// The kind.
    pub kind: String,
    /// How many are pending.
    pub pending: u64,
    /// How many of those are due.
    pub due: u64,
}

impl Db {
    /// Pending jobs by kind, and how many of each are due at `now`.
    #[tracing::instrument(skip_all)]
    pub async fn job_counts(&self, now: DateTime<Utc>) -> Result<Vec<JobCount>, Error> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(sql!(
            "SELECT kind, COUNT(*), COUNT(CASE WHEN due_at <= $1 THEN 1 END) FROM jobs WHERE {PENDING} \
             GROUP BY kind ORDER BY kind"
        ))
        .bind(to_millis(now))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(kind, pending, due)| JobCount {
                kind,
                pending: u64::try_from(pending).unwrap_or(0),
                due: u64::try_from(due).unwrap_or(0),
            })
            .collect())
    }

    /// The due time of the job that has waited longest for a worker at `now`: due, and not
    /// claimed (or its lease ran out). `None` when no due job is waiting.
    #[tracing::instrument(skip_all)]
    pub async fn oldest_waiting_job(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, Error> {
        let (due,): (Option<i64>,) = sqlx::query_as(sql!(
            "SELECT MIN(due_at) FROM jobs WHERE {PENDING} AND due_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until <= $1)"
        ))
        .bind(to_millis(now))
        .fetch_one(&self.pool)
        .await?;
        due.map(from_millis).transpose()
    }

    /// Answers a write, as readiness asks: the same one-row write as the check at start.
    pub async fn ping_write(&self) -> Result<(), Error> {
        self.probe_write().await
    }
}
