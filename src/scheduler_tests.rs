//! Tests of the job loop with a controlled clock and a recording handler.

use std::sync::Mutex;

use serde_json::json;

use super::*;
use crate::clock::{Clock, ManualClock};
use crate::store::{JobFailure, NewJob};
use crate::test_time::T0;

/// Records what it performed; fails a job's first `fail_times` attempts, or panics on every
/// attempt.
#[derive(Default)]
struct Recorder {
    performed: Mutex<Vec<String>>,
    gave_up: Mutex<Vec<String>>,
    /// Why each job given up was, as the handler was told.
    why: Mutex<Vec<JobFailure>>,
    fail_times: u32,
    /// What every attempt fails with, instead of succeeding.
    fails_with: Option<fn() -> JobError>,
    panics: bool,
    attempts: Mutex<Vec<u32>>,
    notify: Notify,
}

impl JobHandler for Recorder {
    fn perform<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            self.attempts.lock().expect("lock").push(job.attempts);
            if self.panics {
                self.notify.notify_waiters();
                panic!("the handler panics on attempt {}", job.attempts);
            }
            if job.attempts <= self.fail_times {
                self.notify.notify_waiters();
                return Err(JobError::retry_because(format!("boom {}", job.attempts)));
            }
            if let Some(error) = self.fails_with {
                self.notify.notify_waiters();
                return Err(error());
            }
            self.performed
                .lock()
                .expect("lock")
                .push(job.idempotency_key.clone());
            self.notify.notify_waiters();
            Ok(())
        })
    }

    fn gave_up<'a>(&'a self, job: &'a Job, why: &'a JobFailure) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.why.lock().expect("lock").push(why.clone());
            self.gave_up
                .lock()
                .expect("lock")
                .push(job.idempotency_key.clone());
        })
    }
}

impl Recorder {
    fn performed(&self) -> Vec<String> {
        self.performed.lock().expect("lock").clone()
    }
}

/// Runs each of the named `async fn(Db)` tests once per backend: `NAME::sqlite` on an in-memory
/// database, `NAME::postgres` on a fresh database of the test PostgreSQL server.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name(super::Db::open_in_memory().await.expect("db")).await;
                }

                #[tokio::test]
                async fn postgres() {
                    super::$name(crate::store::tests::postgres().await).await;
                }
            }
        )*
    };
}

on_both!(
    due_jobs_run_in_the_order_they_fell_due,
    a_job_is_not_run_before_it_is_due,
    a_failing_job_is_retried_with_backoff_and_its_error_recorded,
    a_job_that_keeps_failing_is_given_up_and_reported,
    a_given_up_job_keeps_its_whole_cause_chain_without_secrets,
    a_job_refused_for_a_permission_is_given_up_as_forbidden,
    a_job_that_panics_every_time_is_given_up_after_max_attempts_and_reported_once,
    an_idle_scheduler_wakes_at_once_when_a_job_is_added,
    a_job_whose_outcome_was_never_recorded_runs_again_when_its_lease_runs_out,
    a_job_scheduled_twice_under_one_key_runs_once,
    a_worker_whose_claim_was_taken_over_stops_and_records_nothing,
);

const POLICY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base: Duration::from_secs(2),
    max: Duration::from_secs(60),
};

struct Harness {
    db: Db,
    clock: ManualClock,
    recorder: Arc<Recorder>,
    waker: Waker,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start(db: Db, recorder: Recorder, concurrency: usize) -> Harness {
    let clock = ManualClock::new(T0);
    let recorder = Arc::new(recorder);
    let scheduler = Scheduler::new(
        db.clone(),
        Arc::new(clock.clone()),
        recorder.clone(),
        POLICY,
        concurrency,
    );
    let waker = scheduler.waker();
    let task = tokio::spawn(scheduler.run());
    Harness {
        db,
        clock,
        recorder,
        waker,
        task,
    }
}

async fn enqueue(db: &Db, key: &str, due: DateTime<Utc>) {
    let job = NewJob {
        kind: "test".into(),
        payload: json!({}),
        incident: None,
        idempotency_key: key.into(),
        due_at: due,
    };
    let mut tx = db.begin().await.expect("begin");
    tx.enqueue(&job, T0).await.expect("enqueue");
    tx.commit().await.expect("commit");
}

/// Waits until `cond` holds, re-checking whenever the handler or the clock moves.
async fn until(h: &Harness, what: &str, cond: impl Fn(&Harness) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !cond(h) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        let _ = tokio::time::timeout(Duration::from_millis(50), h.recorder.notify.notified()).await;
    }
}

async fn due_jobs_run_in_the_order_they_fell_due(db: Db) {
    enqueue(&db, "third", T0 + TimeDelta::seconds(3)).await;
    enqueue(&db, "first", T0 + TimeDelta::seconds(1)).await;
    enqueue(&db, "second", T0 + TimeDelta::seconds(2)).await;
    let h = start(db, Recorder::default(), 1).await;
    h.clock.advance(TimeDelta::seconds(5));
    until(&h, "three jobs", |h| h.recorder.performed().len() == 3).await;
    assert_eq!(h.recorder.performed(), ["first", "second", "third"]);
}

async fn a_job_is_not_run_before_it_is_due(db: Db) {
    enqueue(&db, "later", T0 + TimeDelta::minutes(10)).await;
    let h = start(db, Recorder::default(), 2).await;
    h.clock.advance(TimeDelta::minutes(9));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(h.recorder.performed().is_empty(), "ran early");
    h.clock.advance(TimeDelta::minutes(1));
    until(&h, "the job", |h| h.recorder.performed() == ["later"]).await;
}

async fn a_failing_job_is_retried_with_backoff_and_its_error_recorded(db: Db) {
    enqueue(&db, "flaky", T0).await;
    let h = start(
        db,
        Recorder {
            fail_times: 2,
            ..Recorder::default()
        },
        1,
    )
    .await;
    // First attempt fails at t0; the retry is due 2 s later, the next 4 s after that.
    for _ in 0..50 {
        if h.recorder.performed().len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        h.clock.advance(TimeDelta::seconds(1));
    }
    until(&h, "the third attempt", |h| {
        h.recorder.performed() == ["flaky"]
    })
    .await;
    let job =
        h.db.job_by_key("flaky")
            .await
            .expect("read")
            .expect("exists");
    assert_eq!(job.attempts, 3);
    assert_eq!(job.last_error.as_deref(), Some("boom 2"));
    assert!(job.finished_at.is_some());
}

async fn a_job_that_keeps_failing_is_given_up_and_reported(db: Db) {
    enqueue(&db, "doomed", T0).await;
    let h = start(
        db,
        Recorder {
            fail_times: u32::MAX,
            ..Recorder::default()
        },
        1,
    )
    .await;
    for _ in 0..100 {
        if !h.recorder.gave_up.lock().expect("lock").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
        h.clock.advance(TimeDelta::seconds(5));
    }
    assert_eq!(*h.recorder.gave_up.lock().expect("lock"), ["doomed"]);
    let job =
        h.db.job_by_key("doomed")
            .await
            .expect("read")
            .expect("exists");
    assert_eq!(job.attempts, POLICY.max_attempts);
    assert_eq!(h.db.pending_jobs().await.expect("count"), 0);
}

/// Runs the job `key`, whose every attempt fails with `error`, until it is given up.
async fn given_up(db: Db, key: &str, error: fn() -> JobError) -> Harness {
    enqueue(&db, key, T0).await;
    let h = start(
        db,
        Recorder {
            fails_with: Some(error),
            ..Recorder::default()
        },
        1,
    )
    .await;
    until(&h, "the give-up", |h| {
        !h.recorder.gave_up.lock().expect("lock").is_empty()
    })
    .await;
    h
}

async fn a_given_up_job_keeps_its_whole_cause_chain_without_secrets(db: Db) {
    const TOKEN: &str = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OjE2OTg.dGVzdC10b2tlbi1f_x-y";
    fn chained() -> JobError {
        let root =
            anyhow::anyhow!("error sending request for url (/interactions/7/{TOKEN}/callback)");
        JobError::Fatal(
            root.context("Error while sending HTTP request.")
                .context("could not post"),
        )
    }
    let h = given_up(db, "chained", chained).await;
    let want = "could not post: Error while sending HTTP request.: \
        error sending request for url (/interactions/7/[redacted]/callback)";
    let job =
        h.db.job_by_key("chained")
            .await
            .expect("read")
            .expect("exists");
    assert_eq!(job.last_error.as_deref(), Some(want));
    assert_eq!(
        *h.recorder.why.lock().expect("lock"),
        [JobFailure::Error(want.to_owned())]
    );
}

async fn a_job_refused_for_a_permission_is_given_up_as_forbidden(db: Db) {
    fn refused() -> crate::domain::Forbidden {
        crate::domain::Forbidden::Discord(crate::domain::Denied {
            attempt: crate::domain::Attempt::Rename,
            channel: crate::domain::ChannelId::new(42),
            needs: vec![crate::domain::Permission::ManageChannels],
        })
    }
    let h = given_up(db, "forbidden", || JobError::Forbidden(refused())).await;
    assert_eq!(
        *h.recorder.why.lock().expect("lock"),
        [JobFailure::Forbidden(refused())]
    );
    let job =
        h.db.job_by_key("forbidden")
            .await
            .expect("read")
            .expect("exists");
    assert_eq!(job.attempts, 1, "no retry for a missing permission");
}

async fn a_job_that_panics_every_time_is_given_up_after_max_attempts_and_reported_once(db: Db) {
    enqueue(&db, "panics", T0).await;
    let h = start(
        db,
        Recorder {
            panics: true,
            ..Recorder::default()
        },
        1,
    )
    .await;
    // Each attempt dies with its task and leaves its claim to expire.
    for _ in 0..(2 * POLICY.max_attempts) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        h.clock.advance(LEASE);
    }
    until(&h, "the report", |h| {
        !h.recorder.gave_up.lock().expect("lock").is_empty()
    })
    .await;
    assert_eq!(*h.recorder.attempts.lock().expect("lock"), [1, 2, 3]);
    assert_eq!(*h.recorder.gave_up.lock().expect("lock"), ["panics"]);
    let job =
        h.db.job_by_key("panics")
            .await
            .expect("read")
            .expect("exists");
    assert_eq!(job.attempts, POLICY.max_attempts);
    assert!(job.finished_at.is_some(), "{job:?}");
    assert!(
        job.last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("no attempt finished")),
        "{job:?}"
    );
    assert_eq!(h.db.pending_jobs().await.expect("count"), 0);
}

async fn an_idle_scheduler_wakes_at_once_when_a_job_is_added(db: Db) {
    let h = start(db, Recorder::default(), 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    enqueue(&h.db, "now", h.clock.now()).await;
    h.waker.wake();
    until(&h, "the new job", |h| h.recorder.performed() == ["now"]).await;
}

/// SQLite only: on PostgreSQL other processes may be running what they claimed, so a start
/// releases nothing and only the lease brings a job back (the test below).
#[tokio::test]
async fn jobs_claimed_by_a_dead_process_run_after_restart() {
    let db = Db::open_in_memory().await.expect("db");
    enqueue(&db, "orphan", T0).await;
    // A process claims it, then dies before finishing: its lease would hold for minutes.
    let claimed = db
        .claim_due_jobs(T0, TimeDelta::minutes(5), 10, POLICY.max_attempts, "")
        .await
        .expect("claim");
    assert_eq!(claimed.jobs.len(), 1);
    let h = start(db, Recorder::default(), 1).await;
    until(&h, "the orphaned job", |h| {
        h.recorder.performed() == ["orphan"]
    })
    .await;
}

async fn a_job_whose_outcome_was_never_recorded_runs_again_when_its_lease_runs_out(db: Db) {
    enqueue(&db, "marker", T0).await;
    let h = start(db, Recorder::default(), 1).await;
    // The marker shows the loop is past its start, where it releases every claim.
    until(&h, "the marker", |h| h.recorder.performed() == ["marker"]).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A worker claims a job and its outcome is never written (the write failed): the job
    // stays claimed until its lease runs out.
    enqueue(&h.db, "stuck", h.clock.now()).await;
    let claimed =
        h.db.claim_due_jobs(h.clock.now(), LEASE, 10, POLICY.max_attempts, "")
            .await
            .expect("claim");
    assert_eq!(claimed.jobs.len(), 1);
    // The loop looks at the table while the lease holds, then sleeps.
    h.waker.wake();
    tokio::time::sleep(Duration::from_millis(200)).await;
    h.clock.advance(LEASE);
    until(&h, "the stuck job, after its lease", |h| {
        h.recorder.performed() == ["marker", "stuck"]
    })
    .await;
}

async fn a_job_scheduled_twice_under_one_key_runs_once(db: Db) {
    enqueue(&db, "once", T0).await;
    enqueue(&db, "once", T0).await;
    enqueue(&db, "marker", T0 + TimeDelta::seconds(1)).await;
    let h = start(db, Recorder::default(), 1).await;
    h.clock.advance(TimeDelta::seconds(2));
    until(&h, "both jobs", |h| h.recorder.performed().len() == 2).await;
    assert_eq!(h.recorder.performed(), ["once", "marker"]);
}

#[test]
fn backoff_doubles_up_to_the_cap() {
    let p = RetryPolicy {
        max_attempts: 10,
        base: Duration::from_secs(2),
        max: Duration::from_secs(10),
    };
    let waits: Vec<_> = (1..=5).map(|a| p.backoff(a).as_secs()).collect();
    assert_eq!(waits, [2, 4, 8, 10, 10]);
}

/// PostgreSQL only: a job committed by another replica (another `Db` on the same database)
/// wakes this one's idle queue through LISTEN/NOTIFY, without any in-process wake.
#[tokio::test]
async fn a_job_queued_by_another_replica_wakes_this_idle_queue() {
    let url = crate::store::tests::postgres_url().await;
    let here = Db::connect_postgres(&url).await.expect("db");
    let there = Db::connect_postgres(&url)
        .await
        .expect("another replica's db");
    let h = start(here, Recorder::default(), 1).await;
    let listener = tokio::spawn(crate::replica::wake_on_notices(url, h.waker.clone().into()));
    // Idle: nothing due, so it sleeps for minutes unless told.
    tokio::time::sleep(Duration::from_millis(300)).await;
    enqueue(&there, "from the other replica", h.clock.now()).await;
    until(&h, "the other replica's job", |h| {
        h.recorder.performed() == ["from the other replica"]
    })
    .await;
    listener.abort();
}

/// Starts the job and then waits (as a hung call would) until dropped, saying so.
#[derive(Default)]
struct Stuck {
    started: Notify,
    dropped: Arc<Notify>,
}

struct SaysDropped(Arc<Notify>);

impl Drop for SaysDropped {
    fn drop(&mut self) {
        self.0.notify_one();
    }
}

impl JobHandler for Stuck {
    fn perform<'a>(&'a self, _job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        let guard = SaysDropped(self.dropped.clone());
        Box::pin(async move {
            let _guard = guard;
            self.started.notify_one();
            std::future::pending::<()>().await;
            Ok(())
        })
    }
}

async fn a_worker_whose_claim_was_taken_over_stops_and_records_nothing(db: Db) {
    enqueue(&db, "once", T0).await;
    let lease = TimeDelta::milliseconds(600);
    // Worker A claims the job and hangs in it.
    let stuck = Arc::new(Stuck::default());
    let a = Scheduler::new(
        db.clone(),
        Arc::new(ManualClock::new(T0)),
        stuck.clone(),
        POLICY,
        1,
    )
    .with_lease(lease);
    let a = tokio::spawn(a.run());
    tokio::time::timeout(Duration::from_secs(10), stuck.started.notified())
        .await
        .expect("worker A starts the job");
    // Worker B's clock is past A's claim (A stalled longer than its lease): B takes it over.
    let recorder = Arc::new(Recorder::default());
    let b = Scheduler::new(
        db.clone(),
        Arc::new(ManualClock::new(T0 + TimeDelta::minutes(1))),
        recorder.clone(),
        POLICY,
        1,
    )
    .with_lease(TimeDelta::minutes(5));
    let b = tokio::spawn(b.run());
    // A learns at its next renewal that the job is B's, and drops it mid-way.
    tokio::time::timeout(Duration::from_secs(10), stuck.dropped.notified())
        .await
        .expect("worker A stops the job it no longer holds");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while recorder.performed().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "B performs the job");
        let _ = tokio::time::timeout(Duration::from_millis(50), recorder.notify.notified()).await;
    }
    assert_eq!(recorder.performed(), vec!["once".to_owned()]);
    let job = db.job_by_key("once").await.expect("read").expect("the job");
    assert!(
        job.finished_at.is_some(),
        "B's outcome is the job's: {job:?}"
    );
    a.abort();
    b.abort();
}
