//! The durable job queue: every Discord side effect (the outbox) and every reminder is a row in
//! `jobs`, committed with the state change that causes it, and performed here.
//!
//! The loop sleeps until the next job falls due, and is woken at once when a use case commits a
//! new one: it never polls while idle. Jobs are claimed with a lease and performed at least once;
//! handlers make retries harmless (Discord message nonces, look-before-create). After a restart
//! the claims of the dead process are released, so whatever was due or in flight runs again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;

use crate::clock::{BoxFuture, SharedClock};
use crate::config::{delta, JobSettings};
use crate::metrics::Metrics;
use crate::redact::error_chain;
use crate::shutdown::Shutdown;
use crate::store::{Db, Job, JobFailure, JobId};

/// Why a job did not complete.
#[derive(Debug)]
pub enum JobError {
    /// A passing failure (a 429, a 5xx, a timeout, the database): try again, after `after` if
    /// the other side said how long to wait.
    Retry {
        /// What went wrong, with its causes.
        error: anyhow::Error,
        /// How long the other side asked us to wait.
        after: Option<Duration>,
    },
    /// A failure that no retry can fix: give the job up now.
    Fatal(anyhow::Error),
    /// Refused for lack of a permission: give the job up now, and tell people what to grant
    /// (worded by `refusal.hbs` where they read it).
    Forbidden(crate::domain::Forbidden),
    /// Not a failure: the job may not run before this time (a budget is spent). It runs again
    /// then, and this attempt does not count.
    NotYet(DateTime<Utc>),
}

impl JobError {
    /// A passing failure with no advice on when to retry.
    pub fn retry(error: impl Into<anyhow::Error>) -> Self {
        Self::Retry {
            error: error.into(),
            after: None,
        }
    }

    /// A passing failure saying `why`, with no advice on when to retry.
    pub fn retry_because(why: impl std::fmt::Display + Send + Sync + 'static) -> Self {
        Self::retry(anyhow::Error::msg(why.to_string()))
    }

    /// A failure no retry can fix, saying `why`.
    pub fn fatal(why: impl std::fmt::Display) -> Self {
        Self::Fatal(anyhow::Error::msg(why.to_string()))
    }
}

/// A database failure is passing: the job runs again, and `last_error` keeps what it said.
impl From<crate::store::Error> for JobError {
    fn from(e: crate::store::Error) -> Self {
        Self::retry(anyhow::Error::new(e).context("database"))
    }
}

/// Performs jobs of every kind. The bot's handler dispatches on [`Job::kind`].
pub trait JobHandler: Send + Sync + 'static {
    /// Performs one job. Must be safe to run again after a crash.
    fn perform<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>>;

    /// Told once when a job is given up, to report it where people will see it.
    fn gave_up<'a>(&'a self, _job: &'a Job, _why: &'a JobFailure) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// How failed jobs are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before a job is given up.
    pub max_attempts: u32,
    /// The first retry delay; it doubles each time.
    pub base: Duration,
    /// The longest retry delay.
    pub max: Duration,
}

impl From<&JobSettings> for RetryPolicy {
    fn from(s: &JobSettings) -> Self {
        Self {
            max_attempts: s.max_attempts,
            base: s.retry_base,
            max: s.retry_max,
        }
    }
}

impl RetryPolicy {
    /// The delay before attempt `attempts + 1`, given `attempts` failed ones.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1));
        self.base.saturating_mul(factor).min(self.max)
    }
}

/// Wakes the scheduler when a use case has committed new jobs. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    /// Wakes the scheduler; a wake with nobody waiting is kept for its next wait.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// The job loop.
pub struct Scheduler {
    db: Db,
    clock: SharedClock,
    handler: Arc<dyn JobHandler>,
    policy: RetryPolicy,
    waker: Waker,
    concurrency: usize,
    lease: TimeDelta,
    metrics: Metrics,
    shutdown: Shutdown,
}

/// How long the queue lets the jobs in flight finish once it is told to stop; the rest are
/// stopped and their claims released, so they run again at once after the restart.
pub const DRAIN: Duration = Duration::from_secs(10);

/// How long a claim holds before another worker may take the job, unless `[jobs] lease` says:
/// how soon the jobs of a process that died run again where no restart releases them
/// (PostgreSQL). A running job renews its claim, so a long job is never taken twice.
pub const LEASE: TimeDelta = TimeDelta::seconds(30);

/// Why a job that used every attempt without an outcome is given up at its next claim.
const NO_OUTCOME: &str = "no attempt finished: each one panicked, hung past its lease, or \
    ended with the bot.";

/// The longest the loop sleeps without looking at the table, in case the clock was stepped.
const MAX_SLEEP: TimeDelta = TimeDelta::minutes(10);

impl Scheduler {
    /// A scheduler performing jobs through `handler`, up to `concurrency` at once.
    pub fn new(
        db: Db,
        clock: SharedClock,
        handler: Arc<dyn JobHandler>,
        policy: RetryPolicy,
        concurrency: usize,
    ) -> Self {
        Self {
            db,
            clock,
            handler,
            policy,
            waker: Waker::default(),
            concurrency: concurrency.max(1),
            lease: LEASE,
            metrics: Metrics::default(),
            shutdown: Shutdown::default(),
        }
    }

    /// Claims jobs for `lease` instead of [`LEASE`].
    pub fn with_lease(mut self, lease: TimeDelta) -> Self {
        self.lease = lease;
        self
    }

    /// Records lateness, completions and failures in `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Stops claiming when `shutdown` is triggered, lets the jobs in flight finish for up to
    /// [`DRAIN`], stops the rest and releases their claims, and returns.
    pub fn with_shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// Uses `waker` instead of a new one, so that it can be handed out before the scheduler
    /// exists (the handler may need the application, which holds the waker).
    pub fn with_waker(mut self, waker: Waker) -> Self {
        self.waker = waker;
        self
    }

    /// The handle use cases call after committing jobs.
    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }

    /// Runs until the shutdown signal (then drains, see [`Self::with_shutdown`]), or until the
    /// task is dropped or aborted: jobs in flight then run again after the restart.
    pub async fn run(self) {
        match self.db.release_claims().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "picked up jobs claimed before the restart"),
            Err(e) => tracing::error!(error = %e, "could not release old job claims"),
        }
        let slots = Arc::new(Semaphore::new(self.concurrency));
        // Each task returns its job's id; `mine` holds the ids of this process's claims still
        // running, released at shutdown (other replicas' claims are not this one's to release).
        let mut running: JoinSet<()> = JoinSet::new();
        let mut mine: HashMap<tokio::task::Id, JobId> = HashMap::new();
        loop {
            if self.shutdown.is_triggered() {
                break;
            }
            while let Some(done) = running.try_join_next_with_id() {
                finished(&mut mine, done);
            }
            let free = u32::try_from(slots.available_permits()).unwrap_or(u32::MAX);
            let mut claimed_all = false;
            // No claim of this turn's lasts longer than from here.
            let asked = tokio::time::Instant::now();
            if free > 0 {
                match self
                    .claim(&slots, &mut running, &mut mine, free, asked)
                    .await
                {
                    Claim::All => claimed_all = true,
                    Claim::Partial => {}
                    Claim::Failed => continue,
                    Claim::Closed => return,
                }
            }
            if claimed_all {
                // More may be due: come back as soon as a slot frees.
                tokio::select! {
                    Some(done) = running.join_next_with_id() => finished(&mut mine, done),
                    () = self.shutdown.triggered() => {}
                }
                continue;
            }
            self.wait(&mut running, &mut mine).await;
        }
        self.drain(running, mine).await;
    }

    /// Claims up to `free` due jobs, asked at `asked`, and spawns them into `running`: those
    /// out of attempts to be reported given up, the others to be performed in a slot.
    async fn claim(
        &self,
        slots: &Arc<Semaphore>,
        running: &mut JoinSet<()>,
        mine: &mut HashMap<tokio::task::Id, JobId>,
        free: u32,
        asked: tokio::time::Instant,
    ) -> Claim {
        match self
            .db
            .claim_due_jobs(
                self.clock.now(),
                self.lease,
                free,
                self.policy.max_attempts,
                NO_OUTCOME,
            )
            .await
        {
            Ok(claimed) => {
                let claimed_all = u32::try_from(claimed.len()).unwrap_or(u32::MAX) == free;
                for job in claimed.exhausted {
                    tracing::error!(job = job.id.0, kind = %job.kind, "job given up: no attempt finished");
                    self.metrics.jobs_failed.inc(&[&job.kind]);
                    let handler = self.handler.clone();
                    let id = job.id;
                    let task = running.spawn(async move {
                        let why = JobFailure::Error(job.last_error.clone().unwrap_or_default());
                        handler.gave_up(&job, &why).await;
                    });
                    mine.insert(task.id(), id);
                }
                let now = self.clock.now();
                for job in claimed.jobs {
                    self.metrics.job_started(job.due_at, now);
                    let Ok(permit) = slots.clone().acquire_owned().await else {
                        return Claim::Closed;
                    };
                    let worker = self.worker();
                    let id = job.id;
                    let task = running.spawn(async move {
                        worker.perform(job, asked).await;
                        drop(permit);
                    });
                    mine.insert(task.id(), id);
                }
                if claimed_all {
                    Claim::All
                } else {
                    Claim::Partial
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "could not claim due jobs; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
                Claim::Failed
            }
        }
    }

    /// Waits for the next due job, a wake, a job's end or the shutdown, whichever comes first.
    async fn wait(&self, running: &mut JoinSet<()>, mine: &mut HashMap<tokio::task::Id, JobId>) {
        let wake_at = match self.db.next_due_at(self.clock.now()).await {
            Ok(next) => next,
            Err(e) => {
                tracing::error!(error = %e, "could not read the next due job");
                Some(self.clock.now() + TimeDelta::seconds(1))
            }
        };
        let sleep = async {
            match wake_at {
                Some(at) => {
                    self.clock
                        .sleep_until(at.min(self.clock.now() + MAX_SLEEP))
                        .await
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = sleep => {}
            () = self.waker.0.notified() => {}
            Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                finished(mine, done);
            }
            () = self.shutdown.triggered() => {}
        }
    }

    /// Lets the jobs in flight finish for up to [`DRAIN`], stops the others, and releases every
    /// claim so that what was stopped runs again at once after the restart.
    async fn drain(&self, mut running: JoinSet<()>, mut mine: HashMap<tokio::task::Id, JobId>) {
        let in_flight = running.len();
        let finished_all = tokio::time::timeout(DRAIN, async {
            while let Some(done) = running.join_next_with_id().await {
                finished(&mut mine, done);
            }
        })
        .await;
        if finished_all.is_err() {
            tracing::warn!(
                jobs = running.len(),
                "jobs still running after {DRAIN:?}: stopped; they run again after the restart"
            );
            running.shutdown().await;
        }
        // What this process stopped runs again at once, here after the restart or on another
        // replica now; other replicas' claims are theirs.
        let stopped: Vec<JobId> = mine.into_values().collect();
        match self.db.release_jobs(&stopped).await {
            Ok(released) => {
                tracing::info!(in_flight, released, "job queue stopped");
            }
            Err(e) => tracing::error!(error = %e, "could not release job claims on the way out"),
        }
    }

    fn worker(&self) -> Worker {
        Worker {
            db: self.db.clone(),
            clock: self.clock.clone(),
            handler: self.handler.clone(),
            policy: self.policy,
            metrics: self.metrics.clone(),
            lease: self.lease,
        }
    }
}

/// What one turn's claim came to.
enum Claim {
    /// Every free slot got a job: more may be due.
    All,
    /// Fewer jobs than free slots were due.
    Partial,
    /// The database failed; the turn starts again after a pause.
    Failed,
    /// The slots are closed: the scheduler stops at once.
    Closed,
}

/// Forgets a task's job once the task ended, however it ended (a panicked job's claim comes
/// back with its lease; releasing it later could free another replica's claim on it).
fn finished(
    mine: &mut HashMap<tokio::task::Id, JobId>,
    done: Result<(tokio::task::Id, ()), tokio::task::JoinError>,
) {
    let task = match done {
        Ok((task, ())) => task,
        Err(e) => e.id(),
    };
    mine.remove(&task);
}

/// What one spawned job needs.
struct Worker {
    db: Db,
    clock: SharedClock,
    handler: Arc<dyn JobHandler>,
    policy: RetryPolicy,
    metrics: Metrics,
    lease: TimeDelta,
}

impl Worker {
    /// Performs `job`, claimed at `asked`, renewing its claim every third of the lease. Stops
    /// the job (drops it mid-way, records nothing) as soon as the claim may have run out: a
    /// renewal failed, found the claim taken by another worker, or did not come back before the
    /// claim's end (the process hung, or the database stalled, longer than the lease).
    #[tracing::instrument(skip_all, fields(job = job.id.0, kind = %job.kind, attempt = job.attempts))]
    async fn perform(self, job: Job, asked: tokio::time::Instant) {
        let renew = self.keep_claim(&job, asked);
        // The renewal first: a job whose claim has run out is not polled again.
        let outcome = tokio::select! {
            biased;
            why = renew => {
                tracing::warn!(
                    reason = %why,
                    "job stopped: it may be another worker's now, and runs again if nobody \
                     records an outcome"
                );
                return;
            }
            outcome = self.handler.perform(&job) => outcome,
        };
        let now = self.clock.now();
        let written = match outcome {
            Ok(()) => {
                self.metrics.jobs_done.inc(&[&job.kind]);
                self.db.finish_job(&job, now).await
            }
            Err(JobError::NotYet(at)) => {
                tracing::info!(%at, "job deferred");
                self.db.defer_job(&job, at).await
            }
            Err(JobError::Retry { error, after }) if job.attempts < self.policy.max_attempts => {
                let wait = after.unwrap_or_else(|| self.policy.backoff(job.attempts));
                let at: DateTime<Utc> = now + delta(wait);
                let error = error_chain(&error);
                tracing::warn!(%error, retry_in = ?wait, "job failed; will retry");
                self.db.retry_job(&job, &error, at).await
            }
            Err(JobError::Retry { error, .. } | JobError::Fatal(error)) => {
                self.give_up(&job, JobFailure::Error(error_chain(&error)), now)
                    .await
            }
            Err(JobError::Forbidden(refused)) => {
                self.give_up(&job, JobFailure::Forbidden(refused), now)
                    .await
            }
        };
        match written {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!("job outcome not recorded: another worker claimed the job since");
            }
            // The lease expires and the job runs again: at least once, never lost.
            Err(e) => tracing::error!(error = %e, "could not record the job's outcome"),
        }
        // No wake here: the loop learns that a job ended from its `JoinSet`. A wake would also
        // be kept for the loop's next wait and cost it a turn of SQL for nothing.
    }

    /// Gives `job` up for `why`, and tells the handler once it is recorded.
    async fn give_up(
        &self,
        job: &Job,
        why: JobFailure,
        now: DateTime<Utc>,
    ) -> Result<bool, crate::store::Error> {
        tracing::error!(error = %why, "job given up");
        self.metrics.jobs_failed.inc(&[&job.kind]);
        let written = self.db.fail_job(job, &why, now).await;
        if matches!(written, Ok(true)) {
            self.handler.gave_up(job, &why).await;
        }
        written
    }

    /// Renews `job`'s claim, taken at `asked`, every third of the lease, and returns why it
    /// stopped once the claim may have run out.
    async fn keep_claim(&self, job: &Job, asked: tokio::time::Instant) -> String {
        let lease = self.lease.to_std().unwrap_or(Duration::from_secs(30));
        let every = (lease / 3).max(Duration::from_millis(100));
        // Until when the claim surely holds, by this process's monotonic clock (which keeps
        // counting while the process is stopped): half a renewal short of the lease.
        let mut holds_until = asked + lease.saturating_sub(every / 2);
        loop {
            tokio::select! {
                biased;
                () = tokio::time::sleep_until(holds_until) => {
                    return "its claim ran out before it could be renewed".to_owned();
                }
                () = tokio::time::sleep(every) => {}
            }
            let renewing = tokio::time::Instant::now();
            let renewed = tokio::time::timeout_at(
                holds_until,
                self.db.renew_claim(job, self.clock.now() + self.lease),
            )
            .await;
            match renewed {
                Ok(Ok(true)) => holds_until = renewing + lease.saturating_sub(every / 2),
                Ok(Ok(false)) => return "another worker has claimed it since".to_owned(),
                Ok(Err(e)) => return format!("its claim could not be renewed: {e}"),
                Err(_) => {
                    return "its claim could not be renewed before it ran out".to_owned();
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "scheduler_tests.rs"]
mod tests;
