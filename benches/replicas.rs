//! Jobs per second through the durable queue on SQLite, on PostgreSQL with one replica, and on
//! PostgreSQL with two replicas (two processes' worth of queue: each its own pool, scheduler
//! and LISTEN connection, in one process here), in one run. Each job stands for a Discord call:
//! its handler waits [`JOB_WORK`]. Prints a table and writes the "Replicas (jobs per second)"
//! section of `bench/RESULTS.md`.
//!
//! `BENCH_POSTGRES=postgres://user@host/db cargo bench --bench replicas` (a server whose user
//! may create databases; `tests/run`'s throwaway one will do).

#[path = "support/report.rs"]
mod report;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use chrono::Utc;
use incident_bot::clock::{BoxFuture, SystemClock};
use incident_bot::scheduler::{JobError, JobHandler, RetryPolicy, Scheduler};
use incident_bot::store::{Db, Job, JobFailure, NewJob};
use serde_json::json;

/// Jobs per run.
const JOBS: usize = 4_000;
/// Jobs per enqueue transaction.
const BATCH: usize = 100;
/// What each job's handler waits: a Discord call's round trip.
const JOB_WORK: Duration = Duration::from_millis(5);
/// Workers per replica (`startup::JOB_WORKERS`).
const WORKERS: usize = incident_bot::startup::JOB_WORKERS;
const POLICY: RetryPolicy = RetryPolicy {
    max_attempts: 5,
    base: Duration::from_secs(1),
    max: Duration::from_secs(60),
};

/// Counts what it performed, and by whom.
struct Counter {
    done: Arc<AtomicUsize>,
    mine: AtomicUsize,
}

impl JobHandler for Counter {
    fn perform<'a>(&'a self, _job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            tokio::time::sleep(JOB_WORK).await;
            self.mine.fetch_add(1, Ordering::Relaxed);
            self.done.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
    }

    fn gave_up<'a>(&'a self, _job: &'a Job, _why: &'a JobFailure) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// One measured run: jobs per second, and how many each replica performed.
struct Run {
    label: &'static str,
    per_second: f64,
    shares: Vec<usize>,
}

async fn run(label: &'static str, dbs: Vec<Db>, url: Option<&str>) -> anyhow::Result<Run> {
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    let mut counters = Vec::new();
    let mut wakers = Vec::new();
    for db in &dbs {
        let counter = Arc::new(Counter {
            done: done.clone(),
            mine: AtomicUsize::new(0),
        });
        counters.push(counter.clone());
        let scheduler = Scheduler::new(db.clone(), Arc::new(SystemClock), counter, POLICY, WORKERS);
        let waker = scheduler.waker();
        wakers.push(waker.clone());
        if let Some(url) = url {
            tasks.push(tokio::spawn(incident_bot::replica::wake_on_notices(
                url.to_owned(),
                waker.into(),
            )));
        }
        tasks.push(tokio::spawn(scheduler.run()));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    // Queued through the first replica, as commands arriving at the gateway owner would be;
    // the other learns of them by NOTIFY.
    let first = &dbs[0];
    for batch in 0..JOBS / BATCH {
        let mut tx = first.begin().await.context("begin")?;
        let now = Utc::now();
        for n in 0..BATCH {
            let job = NewJob {
                kind: "bench.replica".into(),
                payload: json!({}),
                incident: None,
                idempotency_key: format!("{label}-{batch}-{n}"),
                due_at: now,
            };
            tx.enqueue(&job, now).await.context("enqueue")?;
        }
        tx.commit().await.context("commit")?;
        // As a use case does after its commit: its own process's queue wakes at once.
        wakers[0].wake();
    }
    let deadline = Instant::now() + Duration::from_secs(300);
    while done.load(Ordering::Relaxed) < JOBS {
        ensure!(
            Instant::now() < deadline,
            "{label}: the jobs did not finish in 5 min"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let took = started.elapsed();
    for t in tasks {
        t.abort();
    }
    ensure!(
        done.load(Ordering::Relaxed) == JOBS,
        "{label}: a job ran twice"
    );
    Ok(Run {
        label,
        per_second: JOBS as f64 / took.as_secs_f64(),
        shares: counters
            .iter()
            .map(|c| c.mine.load(Ordering::Relaxed))
            .collect(),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let server = std::env::var("BENCH_POSTGRES").context(
        "set BENCH_POSTGRES=postgres://user@host/db, a server whose user may create databases",
    )?;
    let dir = tempfile::tempdir()?;
    let sqlite = Db::open(&dir.path().join("bench.db")).await?;
    let mut runs = vec![run("SQLite, one process", vec![sqlite], None).await?];
    let one = incident_bot::store::fresh_postgres_database(&server, "bench_replicas").await?;
    runs.push(
        run(
            "PostgreSQL, one replica",
            vec![Db::connect_postgres(&one).await?],
            Some(&one),
        )
        .await?,
    );
    let two = incident_bot::store::fresh_postgres_database(&server, "bench_replicas").await?;
    runs.push(
        run(
            "PostgreSQL, two replicas",
            vec![
                Db::connect_postgres(&two).await?,
                Db::connect_postgres(&two).await?,
            ],
            Some(&two),
        )
        .await?,
    );
    let machine = report::Machine::detect(repo);
    let heading = "## Replicas (jobs per second)";
    let mut section = format!(
        "{heading}\n\n{machine}.\n\n{JOBS} jobs due at once, queued in transactions of {BATCH} \
         through the first replica; each handler waits {} ms (a Discord call); {WORKERS} workers \
         per replica. Two replicas are two pools, schedulers and LISTEN connections in one \
         process.\n\n| setup | jobs/s | performed by each replica |\n|---|---|---|\n",
        JOB_WORK.as_millis()
    );
    for r in &runs {
        let shares: Vec<String> = r.shares.iter().map(ToString::to_string).collect();
        section.push_str(&format!(
            "| {} | {:.0} | {} |\n",
            r.label,
            r.per_second,
            shares.join(" / ")
        ));
    }
    println!("{section}");
    report::write_section(&repo.join("bench/RESULTS.md"), heading, &section)?;
    Ok(())
}
