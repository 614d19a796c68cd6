//! How long the bot's own instrumented calls take (`#[tracing::instrument]` on the use cases,
//! the store's methods and each job the scheduler performs), switched on only while the
//! `declare` split runs, so that the other phases pay nothing for it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::Subscriber;
use tracing_subscriber::filter::DynFilterFn;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// One finished span of the bot.
#[derive(Debug, Clone)]
pub struct Closed {
    /// Its name, with the job kind for the scheduler's `perform`.
    pub name: String,
    /// When it was entered first.
    pub start: Instant,
    /// From creation to close: the whole call, awaits included.
    pub took: Duration,
}

/// The span clock. Cheap to clone; every clone shares the switch and the record.
#[derive(Clone, Default)]
pub struct Spans {
    on: Arc<AtomicBool>,
    closed: Arc<Mutex<Vec<Closed>>>,
}

struct Opened {
    name: String,
    start: Instant,
}

struct Kind(Option<String>);

impl Visit for Kind {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "kind" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl Spans {
    /// The layer, filtered to the bot's spans while the switch is on.
    pub fn layer<S>(&self) -> impl Layer<S>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let on = Arc::clone(&self.on);
        let filter = DynFilterFn::new(move |meta, _| {
            on.load(Ordering::Relaxed)
                && meta.is_span()
                && meta.target().starts_with("incident_bot")
        });
        self.clone().with_filter(filter)
    }

    /// Starts or stops recording.
    pub fn record(&self, on: bool) {
        self.on.store(on, Ordering::Relaxed);
    }

    /// Everything recorded so far.
    pub fn closed(&self) -> Vec<Closed> {
        self.closed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut kind = Kind(None);
        attrs.record(&mut kind);
        let name = match kind.0 {
            Some(k) => format!("{} {k}", attrs.metadata().name()),
            None => attrs.metadata().name().to_owned(),
        };
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Opened {
                name,
                start: Instant::now(),
            });
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let extensions = span.extensions();
        let Some(opened) = extensions.get::<Opened>() else {
            return;
        };
        let closed = Closed {
            name: opened.name.clone(),
            start: opened.start,
            took: opened.start.elapsed(),
        };
        self.closed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(closed);
    }
}
