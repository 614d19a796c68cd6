//! Counts what the bot logs at WARN and above, to find SQLite "busy" or "locked" errors even
//! when they end in a retry rather than in an answer: the bot logs a failed command with its
//! whole cause chain, and a failed job with its error, and sqlx's error text carries SQLite's.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::Layer;

use crate::spans::Spans;

/// One logged line, kept for the report.
#[derive(Debug, Clone)]
pub struct Line {
    /// WARN or ERROR.
    pub level: Level,
    /// The module that logged it.
    pub target: String,
    /// Message and fields, formatted.
    pub text: String,
}

/// What the bench has seen logged so far. Cheap to clone.
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<Line>>>);

/// SQLite's words for a writer that found the database taken: SQLITE_BUSY (5), SQLITE_LOCKED
/// (6) and their extended codes, as sqlx prints them; and PostgreSQL's for a lock conflict
/// (deadlock 40P01, serialization failure 40001, lock timeout 55P03).
const BUSY_MARKERS: [&str; 8] = [
    "database is locked",
    "database table is locked",
    "(code: 5)",
    "(code: 6)",
    "SQLITE_BUSY",
    "deadlock detected",
    "could not serialize access",
    "canceling statement due to lock timeout",
];

impl Logs {
    /// Installs the counting layer as the process's subscriber (WARN and above only, so the
    /// bot's INFO lines cost nothing while latency is measured), with the span clock, which
    /// records nothing until it is switched on.
    pub fn install(spans: &Spans) -> Self {
        let logs = Self::default();
        tracing_subscriber::registry()
            .with(logs.clone().with_filter(LevelFilter::WARN))
            .with(spans.layer())
            .init();
        logs
    }

    /// Lines logged so far.
    pub fn lines(&self) -> Vec<Line> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many lines so far; pass it to [`Self::since`] to look at one phase.
    pub fn mark(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Lines logged after `mark`.
    pub fn since(&self, mark: usize) -> Vec<Line> {
        self.lines().into_iter().skip(mark).collect()
    }
}

impl Line {
    /// Whether the line reports SQLite busy or locked, or a PostgreSQL lock conflict.
    pub fn is_busy(&self) -> bool {
        let lower = self.text.to_lowercase();
        BUSY_MARKERS
            .iter()
            .any(|m| lower.contains(&m.to_lowercase()))
    }

    /// Whether the bot (not the fake or the harness) logged it.
    pub fn by_bot(&self) -> bool {
        self.target.starts_with("incident_bot")
            || self.target.starts_with("sqlx")
            || self.target.starts_with("serenity")
    }
}

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={value:?} ", field.name());
    }
}

impl<S: Subscriber> Layer<S> for Logs {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let line = Line {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            text: fields.0,
        };
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line);
    }
}
