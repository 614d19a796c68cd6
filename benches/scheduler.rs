//! Benchmarks the durable job queue with 100,000 pending jobs in its table: how late due jobs
//! start (p50/p95/p99/max), how soon a job committed while the loop sleeps starts, and how many
//! SQL statements the loop issues per minute while idle. Prints a table and writes it to the
//! "Job queue (scheduler)" section of `bench/RESULTS.md`.
//!
//! `cargo bench --bench scheduler`; `BENCH_IDLE_SECS` sets the idle window (default 60 s).
//! With `BENCH_POSTGRES=postgres://user@host/db` (a server whose user may create databases) it
//! runs on a fresh PostgreSQL database there instead, and writes the "Job queue on PostgreSQL
//! (scheduler)" section.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context as _};
use chrono::{DateTime, TimeDelta, Utc};
use incident_bot::clock::{BoxFuture, SystemClock};
use incident_bot::scheduler::{JobError, JobHandler, RetryPolicy, Scheduler, Waker};
use incident_bot::store::{Db, Job, NewJob};
use serde_json::json;
use tokio::sync::mpsc;

use support::counter::{self, Counts};
use support::report::{self, Machine};
use support::stats::{Lateness, Ms};
use support::table::{self, Results};

/// Pending jobs due in a day, filling the table.
const BACKLOG: usize = 100_000;
/// Backlog rows per setup transaction.
const BACKLOG_BATCH: usize = 1_000;
/// Jobs that fall due while the bench watches.
const DUE_JOBS: usize = 2_000;
/// Due jobs per transaction; each commit is followed by a wake, as a use case does.
const DUE_BATCH: usize = 100;
/// When the first due job falls due after the scheduler starts: time to insert them all.
const DUE_FIRST: Duration = Duration::from_secs(3);
/// How long the due jobs are spread over.
const DUE_SPREAD: Duration = Duration::from_secs(15);
/// Jobs due at once, committed one at a time while the loop sleeps.
const WAKE_JOBS: usize = 200;
/// The pause before each of them, so that the loop is back asleep.
const WAKE_GAP: Duration = Duration::from_millis(25);
/// The idle window unless `BENCH_IDLE_SECS` says otherwise.
const IDLE_DEFAULT_SECS: u64 = 60;
/// The bot's scheduler concurrency (`src/main.rs`).
const CONCURRENCY: usize = 4;
/// No job fails here; the policy only has to exist.
const POLICY: RetryPolicy = RetryPolicy {
    max_attempts: 5,
    base: Duration::from_secs(1),
    max: Duration::from_secs(60),
};

const FAR: &str = "bench.far";
const DUE: &str = "bench.due";
const WAKE: &str = "bench.wake";

fn main() -> anyhow::Result<()> {
    let counts = counter::install();
    let idle = idle_window()?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(run(&counts, idle))
}

/// The idle window: `BENCH_IDLE_SECS` or the default.
fn idle_window() -> anyhow::Result<Duration> {
    let secs = match std::env::var("BENCH_IDLE_SECS") {
        Ok(v) => v
            .parse::<u64>()
            .ok()
            .filter(|&s| s > 0)
            .with_context(|| format!("BENCH_IDLE_SECS={v:?} is not a positive whole number"))?,
        Err(_) => IDLE_DEFAULT_SECS,
    };
    Ok(Duration::from_secs(secs))
}

/// One job as its handler saw it start.
struct Started {
    kind: String,
    lateness: TimeDelta,
    at: Instant,
}

/// Reports each job as it starts and succeeds at once, so that what is timed is the queue alone.
struct Recorder(mpsc::UnboundedSender<Started>);

impl JobHandler for Recorder {
    fn perform<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let started = Started {
                kind: job.kind.clone(),
                // SystemClock's time, as the scheduler reads it.
                lateness: Utc::now() - job.due_at,
                at: Instant::now(),
            };
            // The receiver is dropped only once the bench has its numbers.
            let _ = self.0.send(started);
            Ok(())
        })
    }
}

async fn run(counts: &Counts, idle_window: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    let dir = tempfile::tempdir().context("cannot create a temp dir")?;
    let db = match std::env::var("BENCH_POSTGRES") {
        Ok(server) => {
            let url = incident_bot::store::fresh_postgres_database(&server, "bench")
                .await
                .context("cannot create a database on BENCH_POSTGRES")?;
            Db::connect_postgres(&url)
                .await
                .context("cannot open the database")?
        }
        Err(_) => Db::open(&dir.path().join("bench.db"))
            .await
            .context("cannot open the database")?,
    };
    let backend = db.backend();

    let t = Instant::now();
    let backlog_due = Utc::now() + TimeDelta::days(1);
    let backlog: Vec<NewJob> = (0..BACKLOG)
        .map(|n| new_job(FAR, n, backlog_due + TimeDelta::milliseconds(n as i64)))
        .collect();
    for batch in backlog.chunks(BACKLOG_BATCH) {
        enqueue(&db, batch).await?;
    }
    let backlog_fill = t.elapsed();
    println!("{BACKLOG} backlog jobs inserted in {backlog_fill:.2?}");

    let (tx, mut rx) = mpsc::unbounded_channel();
    let waker = Waker::default();
    let scheduler = Scheduler::new(
        db.clone(),
        Arc::new(SystemClock),
        Arc::new(Recorder(tx)),
        POLICY,
        CONCURRENCY,
    )
    .with_waker(waker.clone());
    let task = tokio::spawn(scheduler.run());

    let before = counts.snapshot();
    let (due_insert, due) = due_jobs(&db, &waker, &mut rx).await?;
    let due_phase = counts.snapshot().since(before);
    println!("due jobs done: p99 {}", Ms(due.p99));

    let (wake_from_due, wake_from_wake) = wake_on_insert(&db, &waker, &mut rx).await?;
    println!("wake-on-insert done: p99 {}", Ms(wake_from_due.p99));

    // Let the last job's wake and its loop turn pass, then check the backlog is all still there.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pending = db
        .pending_jobs()
        .await
        .context("cannot count pending jobs")?;
    ensure!(
        pending == BACKLOG as u64,
        "{pending} jobs pending, expected the {BACKLOG} of the backlog"
    );
    println!("idling for {idle_window:?} with {pending} jobs pending ...");
    let before = counts.snapshot();
    counts.start_recording();
    tokio::time::sleep(idle_window).await;
    let idle_statements = counts.stop_recording();
    let idle = counts.snapshot().since(before);

    task.abort();
    ensure!(
        rx.try_recv().is_err(),
        "a job ran that was not due (or ran twice)"
    );
    db.close().await;

    let results = Results {
        backend,
        backlog_fill,
        due_insert,
        due,
        due_phase,
        wake_from_due,
        wake_from_wake,
        idle_window,
        idle,
        idle_statements,
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let section = table::section(&results, &Machine::detect(repo), started.elapsed());
    println!("\n{section}");
    let path = repo.join("bench/RESULTS.md");
    report::write_section(&path, table::heading(backend), &section)
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("written to {}", path.display());
    Ok(())
}

/// Enqueues jobs spread over [`DUE_SPREAD`], starting [`DUE_FIRST`] from now, waking the loop
/// after each commit; returns how long inserting took and the lateness of the jobs.
async fn due_jobs(
    db: &Db,
    waker: &Waker,
    rx: &mut mpsc::UnboundedReceiver<Started>,
) -> anyhow::Result<(Duration, Lateness)> {
    let first = Utc::now() + TimeDelta::from_std(DUE_FIRST).context("DUE_FIRST")?;
    let spread_us = DUE_SPREAD.as_micros() as i64;
    let jobs: Vec<NewJob> = (0..DUE_JOBS)
        .map(|n| {
            let offset = spread_us * n as i64 / DUE_JOBS as i64;
            new_job(DUE, n, first + TimeDelta::microseconds(offset))
        })
        .collect();
    let t = Instant::now();
    for batch in jobs.chunks(DUE_BATCH) {
        enqueue(db, batch).await?;
        waker.wake();
    }
    let inserted = t.elapsed();
    ensure!(
        Utc::now() < first,
        "inserting the due jobs took {inserted:?}, past the first one's due time"
    );
    let deadline = Instant::now() + DUE_FIRST + DUE_SPREAD + Duration::from_secs(30);
    let mut lateness = Vec::with_capacity(DUE_JOBS);
    while lateness.len() < DUE_JOBS {
        lateness.push(next_start(rx, DUE, deadline).await?.lateness);
    }
    Ok((inserted, Lateness::of(&lateness).context("no due jobs")?))
}

/// Commits jobs due at once, one at a time while the loop sleeps, and wakes it after each;
/// returns their lateness from `due_at` (the insert's commit included) and from the wake.
async fn wake_on_insert(
    db: &Db,
    waker: &Waker,
    rx: &mut mpsc::UnboundedReceiver<Started>,
) -> anyhow::Result<(Lateness, Lateness)> {
    let mut from_due = Vec::with_capacity(WAKE_JOBS);
    let mut from_wake = Vec::with_capacity(WAKE_JOBS);
    for n in 0..WAKE_JOBS {
        tokio::time::sleep(WAKE_GAP).await;
        enqueue(db, &[new_job(WAKE, n, Utc::now())]).await?;
        let woken = Instant::now();
        waker.wake();
        let started = next_start(rx, WAKE, Instant::now() + Duration::from_secs(10)).await?;
        from_due.push(started.lateness);
        from_wake.push(
            TimeDelta::from_std(started.at.saturating_duration_since(woken))
                .context("a wake latency beyond chrono's range")?,
        );
    }
    Ok((
        Lateness::of(&from_due).context("no wake jobs")?,
        Lateness::of(&from_wake).context("no wake jobs")?,
    ))
}

/// The next job to start, which must be of `kind`, before `deadline`.
async fn next_start(
    rx: &mut mpsc::UnboundedReceiver<Started>,
    kind: &str,
    deadline: Instant,
) -> anyhow::Result<Started> {
    let started = tokio::time::timeout_at(deadline.into(), rx.recv())
        .await
        .with_context(|| format!("timed out waiting for a {kind} job to start"))?
        .context("the scheduler stopped")?;
    if started.kind != kind {
        bail!(
            "a {} job started while {kind} jobs were expected",
            started.kind
        );
    }
    Ok(started)
}

/// A job of `kind`, numbered `n`, due at `due_at`.
fn new_job(kind: &str, n: usize, due_at: DateTime<Utc>) -> NewJob {
    NewJob {
        kind: kind.to_owned(),
        payload: json!({ "n": n }),
        incident: None,
        idempotency_key: format!("{kind}-{n}"),
        due_at,
    }
}

/// Enqueues `jobs` in one transaction, as a use case does.
async fn enqueue(db: &Db, jobs: &[NewJob]) -> anyhow::Result<()> {
    let mut tx = db.begin().await.context("cannot begin a transaction")?;
    let now = Utc::now();
    for job in jobs {
        tx.enqueue(job, now)
            .await
            .context("cannot enqueue a job")?
            .with_context(|| format!("{} was enqueued twice", job.idempotency_key))?;
    }
    tx.commit().await.context("cannot commit the jobs")
}
