//! Counts the SQL the job queue issues, from the tracing events sqlx emits for every statement.
//!
//! sqlx logs each statement it runs through its query API as one event with target
//! `sqlx::query` (DEBUG by default, WARN when slow), whatever the connection options, and
//! `Db::open` keeps the default log settings. The `BEGIN IMMEDIATE` and `COMMIT` of a
//! transaction are run by sqlx-sqlite's connection worker directly and log nothing, so they are
//! counted from the job queue's spans instead: the loop opens a transaction in each
//! `claim_due_jobs` span, and each `perform` span of a job that succeeds (all of them here)
//! ends in `finish_job`, one more.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// The target of sqlx's per-statement events.
const SQLX_QUERY: &str = "sqlx::query";

/// What has been counted so far. Cheap to read at any time.
#[derive(Debug, Default)]
pub struct Counts {
    statements: AtomicU64,
    claims: AtomicU64,
    next_due: AtomicU64,
    performs: AtomicU64,
    recording: AtomicBool,
    log: Mutex<Vec<String>>,
}

/// The counters at one moment, to subtract from a later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    /// Statements sqlx logged (every query, but not `BEGIN`/`COMMIT`).
    pub statements: u64,
    /// `Db::claim_due_jobs` calls: one transaction each, so one `BEGIN IMMEDIATE` and one
    /// `COMMIT` sqlx does not log.
    pub claims: u64,
    /// `Db::next_due_at` calls.
    pub next_due: u64,
    /// Jobs performed; each success commits one `finish_job` transaction.
    pub performs: u64,
}

impl Snapshot {
    /// What happened between `earlier` and `self`.
    pub fn since(self, earlier: Snapshot) -> Snapshot {
        Snapshot {
            statements: self.statements - earlier.statements,
            claims: self.claims - earlier.claims,
            next_due: self.next_due - earlier.next_due,
            performs: self.performs - earlier.performs,
        }
    }

    /// The `BEGIN IMMEDIATE` and `COMMIT` statements of the queue's transactions.
    pub fn transaction_bounds(self) -> u64 {
        2 * (self.claims + self.performs)
    }
}

impl Counts {
    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            statements: self.statements.load(Ordering::SeqCst),
            claims: self.claims.load(Ordering::SeqCst),
            next_due: self.next_due.load(Ordering::SeqCst),
            performs: self.performs.load(Ordering::SeqCst),
        }
    }

    /// Starts keeping the first words of every statement, to show what an idle loop runs.
    pub fn start_recording(&self) {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.recording.store(true, Ordering::SeqCst);
    }

    /// Stops recording and returns the statements seen since [`Counts::start_recording`].
    pub fn stop_recording(&self) -> Vec<String> {
        self.recording.store(false, Ordering::SeqCst);
        std::mem::take(&mut *self.log.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Installs the counting layer (and WARN+ logs on stderr) as the global subscriber.
pub fn install() -> Arc<Counts> {
    let counts = Arc::new(Counts::default());
    let filter = Targets::new()
        .with_target(SQLX_QUERY, Level::DEBUG)
        .with_target("incident_bot::store", Level::INFO)
        .with_target("incident_bot::scheduler", Level::INFO);
    tracing_subscriber::registry()
        .with(Counter(counts.clone()).with_filter(filter))
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(LevelFilter::WARN),
        )
        .init();
    counts
}

/// The layer that feeds [`Counts`].
struct Counter(Arc<Counts>);

impl<S: Subscriber> Layer<S> for Counter {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !event.metadata().target().starts_with(SQLX_QUERY) {
            return;
        }
        self.0.statements.fetch_add(1, Ordering::SeqCst);
        if self.0.recording.load(Ordering::SeqCst) {
            let mut summary = Summary(String::new());
            event.record(&mut summary);
            self.0
                .log
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(summary.0);
        }
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        match attrs.metadata().name() {
            "claim_due_jobs" => self.0.claims.fetch_add(1, Ordering::SeqCst),
            "next_due_at" => self.0.next_due.fetch_add(1, Ordering::SeqCst),
            "perform" => self.0.performs.fetch_add(1, Ordering::SeqCst),
            _ => 0,
        };
    }
}

/// Reads the `summary` field (the statement's first words) of a sqlx event.
struct Summary(String);

impl Visit for Summary {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "summary" {
            value.clone_into(&mut self.0);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}");
        }
    }
}
