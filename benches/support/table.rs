//! The Markdown table the bench prints and keeps in `bench/RESULTS.md`.

use std::time::Duration;

use super::counter::Snapshot;
use super::report::Machine;
use super::stats::{Lateness, Ms};
use crate::{BACKLOG, BACKLOG_BATCH, CONCURRENCY, DUE_BATCH, DUE_SPREAD};
use incident_bot::store::Backend;

/// The heading of the section this bench owns in `bench/RESULTS.md`, one per backend.
pub fn heading(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "## Job queue (scheduler)",
        Backend::Postgres => "## Job queue on PostgreSQL (scheduler)",
    }
}

/// Everything measured, for the table.
pub struct Results {
    /// The database it ran on.
    pub backend: Backend,
    /// How long inserting the backlog took.
    pub backlog_fill: Duration,
    /// How long inserting the due jobs took.
    pub due_insert: Duration,
    /// Lateness of the due jobs.
    pub due: Lateness,
    /// What the loop ran while the due jobs were performed.
    pub due_phase: Snapshot,
    /// Lateness of the wake-on-insert jobs from their `due_at`.
    pub wake_from_due: Lateness,
    /// The same from the `Waker::wake()` call.
    pub wake_from_wake: Lateness,
    /// How long the loop was watched idle.
    pub idle_window: Duration,
    /// What the loop ran while idle.
    pub idle: Snapshot,
    /// The first words of each statement run while idle.
    pub idle_statements: Vec<String>,
}

/// The results section, in Markdown.
pub fn section(r: &Results, machine: &Machine, took: Duration) -> String {
    let row = |what: &str, l: &Lateness| {
        format!(
            "| {what} | {} | {} | {} | {} | {} |\n",
            l.count,
            Ms(l.p50),
            Ms(l.p95),
            Ms(l.p99),
            Ms(l.max)
        )
    };
    let idle_secs = r.idle_window.as_secs_f64();
    let per_min = |n: u64| n as f64 * 60.0 / idle_secs;
    let postgres = r.backend == Backend::Postgres;
    // sqlx-sqlite logs neither BEGIN IMMEDIATE nor COMMIT; sqlx-postgres logs COMMIT but
    // queues BEGIN without an event.
    let unlogged = |s: &super::counter::Snapshot| {
        if postgres {
            s.transaction_bounds() / 2
        } else {
            s.transaction_bounds()
        }
    };
    let bounds = unlogged(&r.idle);
    let total = r.idle.statements + bounds;
    let due_total = r.due_phase.statements + unlogged(&r.due_phase);
    let seen = if r.idle_statements.is_empty() {
        "none".to_owned()
    } else {
        r.idle_statements.join("; ")
    };
    let worst_p99 = r.due.p99.max(r.wake_from_due.p99);
    let met = |ok: bool| if ok { "met" } else { "**NOT met**" };

    let mut s = format!("{}\n\n", heading(r.backend));
    s += &format!(
        "`cargo bench --bench scheduler` (`benches/scheduler.rs`), release build; {machine}.\n\n"
    );
    let database = if postgres {
        "A fresh PostgreSQL database (`BENCH_POSTGRES`'s server, through `Db::connect_postgres`)"
    } else {
        "A fresh SQLite file (WAL, synchronous FULL, as `Db::open` opens it)"
    };
    s += &format!(
        "{database} holds {BACKLOG} \
         pending jobs due in a day, inserted in {:.1} s ({BACKLOG_BATCH} per transaction). The \
         real `Scheduler` runs on `SystemClock` with concurrency {CONCURRENCY}; its handler only \
         notes when each job starts, so the numbers are the queue's own. Lateness is the \
         handler's start minus the job's `due_at`.\n\n",
        r.backlog_fill.as_secs_f64()
    );
    s += "| Lateness | count | p50 | p95 | p99 | max |\n";
    s += "| --- | ---: | ---: | ---: | ---: | ---: |\n";
    s += &row(
        &format!(
            "due jobs spread over {} s, enqueued beforehand \
             ({DUE_BATCH} per commit + wake, {:.2} s in all)",
            DUE_SPREAD.as_secs(),
            r.due_insert.as_secs_f64()
        ),
        &r.due,
    );
    s += &row(
        "wake-on-insert: due at once, committed while the loop sleeps; \
         from `due_at` (commit included)",
        &r.wake_from_due,
    );
    s += &row(
        "wake-on-insert, from `Waker::wake()` to the handler's start",
        &r.wake_from_wake,
    );
    s += &format!(
        "\n| Idle for {:.0} s, {BACKLOG} pending, none due for a day | count | per minute |\n",
        idle_secs
    );
    s += "| --- | ---: | ---: |\n";
    s += &format!(
        "| statements sqlx logged (`sqlx::query` events) | {} | {:.2} |\n",
        r.idle.statements,
        per_min(r.idle.statements)
    );
    let bounds_row = if postgres {
        "`BEGIN`, 1 per `claim_due_jobs` or `perform` span (sqlx logs `COMMIT`, not `BEGIN`)"
    } else {
        "`BEGIN IMMEDIATE` + `COMMIT`, 2 per `claim_due_jobs` or `perform` span \
         (sqlx logs neither)"
    };
    s += &format!("| {bounds_row} | {} | {:.2} |\n", bounds, per_min(bounds));
    s += &format!(
        "| **all SQL statements** | **{total}** | **{:.2}** |\n",
        per_min(total)
    );
    s += &format!(
        "| loop turns (`claim_due_jobs` spans) / `next_due_at` spans / jobs performed \
         | {} / {} / {} | {:.2} |\n\n",
        r.idle.claims,
        r.idle.next_due,
        r.idle.performs,
        per_min(r.idle.claims)
    );
    s += &format!("Statements seen while idle: {seen}.\n\n");
    s += &format!(
        "Targets: p99 lateness under 1 s: {} (worst p99 {}); at most one query per minute \
         while idle: {} ({:.2}/min).\n\n",
        met(worst_p99 < 1_000_000),
        Ms(worst_p99),
        met(per_min(total) <= 1.0),
        per_min(total)
    );
    let bounds_note = if postgres {
        "It adds the `BEGIN` that sqlx-postgres sends without an event (it logs the `COMMIT`): \
         one per `claim_due_jobs` span and one per `perform` span."
    } else {
        "It adds the `BEGIN IMMEDIATE` and `COMMIT` that sqlx-sqlite runs without an event: two \
         per `claim_due_jobs` span (the claim's transaction) and two per `perform` span (the \
         `finish_job` transaction of a job that succeeds)."
    };
    s += &format!(
        "How statements are counted: a tracing-subscriber layer counts the events sqlx emits \
         for every statement it runs (target `sqlx::query`, DEBUG; `Db::open` keeps sqlx's \
         default log settings). {bounds_note} The counter \
         is live: while the {} due jobs ran it saw {} statements (the bench's own INSERTs \
         among them) in {} loop turns. The loop sleeps until the next due job but at most \
         10 min (`MAX_SLEEP`), so over a long idle period expect one turn (4 statements) per \
         10 min; a shorter window may see none.\n\n",
        r.due_phase.performs, due_total, r.due_phase.claims
    );
    s += &format!(
        "Bench run time: {:.0} s (idle window {:.0} s; set `BENCH_IDLE_SECS` to change it).\n",
        took.as_secs_f64(),
        idle_secs
    );
    s
}
