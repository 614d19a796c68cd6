//! The error rates of the verification window (`[systems.<name>] error_rate`, read from the
//! `MetricsSource`): said at resolve (now, and an hour before detection), read every
//! `[resolution] check_every` with a rate over its threshold said at once (the commander
//! pinged, **It did not hold** offered: people decide, not the bot), and a verdict line per
//! system in the fix check, its chart added to that message by an edit once drawn. A source
//! that is down never holds the fix check back: it says so and asks as it does without one.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::lifecycle::notice;
use super::reminders::Recipient;
use super::Performer;
use super::{App, Attachment, Effect, MetricsSource, Outbox};
use crate::config::delta;
use crate::domain::{over, percent, Incident, IncidentRole, MessageId, Status, Verdict};
use crate::render::{
    human, Notice, RateOverReminder, RateThen, RateVerdict, RatesAtResolve, Reminder,
};
use crate::scheduler::JobError;
use crate::store::{IncidentRecord, Job, Tx};

/// One system whose error rate is read.
struct Watched {
    system: String,
    query: String,
    good_below: f64,
}

/// The source and the incident's systems that have an error rate, when there are any.
fn watched(app: &App, i: &Incident) -> Option<(Arc<dyn MetricsSource>, Vec<Watched>)> {
    let source = app.metrics_source.clone()?;
    let list: Vec<Watched> = i
        .systems
        .names()
        .filter_map(|name| {
            let (query, good_below) = app.settings.error_rate_of(name)?;
            Some(Watched {
                system: name.to_owned(),
                query: query.to_owned(),
                good_below,
            })
        })
        .collect();
    (!list.is_empty()).then_some((source, list))
}

/// At resolve: queues the reading of now and before, and the first reading of the window.
pub(in crate::app) async fn on_fix(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    if watched(app, &record.incident).is_none() {
        return Ok(());
    }
    outbox.push(tx, Effect::ErrorRatesAtFix).await?;
    schedule_watch(app, tx, outbox, vec![], now).await
}

/// Queues the next reading of the window, `check_every` after `from`.
async fn schedule_watch(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    above: Vec<String>,
    from: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    let at = from + delta(app.settings.resolution.check_every);
    outbox
        .push_reminder(
            tx,
            Effect::WatchErrorRates { above },
            at,
            "watch_error_rates",
        )
        .await
}

/// After the fix check is posted as `message`: queues its charts, added to it by an edit,
/// when its incident has rates to draw. Once per fix: a fix check asked again while nobody
/// answers gives its verdict again, but the charts are not drawn again.
pub(in crate::app) async fn queue_charts(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    message: MessageId,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    if watched(app, &record.incident).is_none() {
        return Ok(());
    }
    let fix = record
        .incident
        .resolved_at
        .map_or(0, |at| at.timestamp_millis());
    let key = format!("inc:{}:error_rate_charts:{fix}", record.id);
    outbox
        .push_keyed(
            tx,
            Effect::ErrorRateCharts {
                message: Some(message),
            },
            now,
            key,
        )
        .await
}

/// The fix check's verdict lines, or why the rates could not be read.
#[derive(Debug, Default)]
pub(in crate::app) struct FixRates {
    /// One line per system.
    pub rates: Vec<RateVerdict>,
    /// Why some could not be read.
    pub unread: Option<String>,
    /// A system whose rate had no data in the window.
    pub no_data: Option<String>,
}

/// The step a range of `span` is read at: every 15 s, or coarser for a long one.
fn step_for(span: TimeDelta, points: u32) -> Duration {
    let span = span.to_std().unwrap_or_default();
    Duration::from_secs(15).max(span / points)
}

/// Reads each system's rate over the last verification window, for the fix check.
pub(in crate::app) async fn verdicts(
    app: &App,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> FixRates {
    let mut out = FixRates::default();
    let Some((source, list)) = watched(app, &record.incident) else {
        return out;
    };
    let window = delta(app.settings.resolution.verify_after);
    for w in list {
        let read = source
            .range(&w.query, now - window, now, step_for(window, 240))
            .await;
        match read.map(|series| Verdict::of(&series.samples, w.good_below)) {
            Ok(Some(v)) => out.rates.push(RateVerdict {
                system: w.system,
                mean: percent(v.mean),
                window: human(window),
                threshold: percent(w.good_below),
                peak: percent(v.peak),
                held: v.held(),
            }),
            Ok(None) => out.no_data = Some(w.system),
            Err(e) => out.unread = Some(e.to_string()),
        }
    }
    out
}

/// A file name for `system`'s chart: letters and digits, dashes for the rest.
fn file_name(system: &str) -> String {
    let slug: String = system
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("error-rate-{slug}.png")
}

impl Performer {
    /// Waits, five seconds at most, for the jobs the same change queued to run now (the
    /// "Fix applied" post, the checklist): jobs run in parallel, and the reading answers that
    /// post, so it must read after it in the channel. Keys are `origin:n:kind`.
    async fn after_its_change(&self, job: &Job) {
        let Some(origin) = job.idempotency_key.rsplitn(3, ':').nth(2) else {
            return;
        };
        let prefix = format!("{origin}:");
        for _ in 0..50 {
            let Ok(jobs) = self.app.db.jobs_of(job.incident).await else {
                return;
            };
            let waiting = jobs.iter().any(|j| {
                j.id != job.id
                    && j.finished_at.is_none()
                    && j.due_at <= job.due_at
                    && j.idempotency_key.starts_with(&prefix)
            });
            if !waiting {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Says each system's rate now and an hour before detection.
    pub(in crate::app) async fn error_rates_at_fix(&self, job: &Job) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        self.after_its_change(job).await;
        let Some((source, list)) = watched(&self.app, &record.incident) else {
            return Ok(());
        };
        let now = self.app.clock.now();
        let before = record.incident.detected_at - TimeDelta::hours(1);
        let mut view = RatesAtResolve {
            rates: Vec::new(),
            unread: None,
            every: human(delta(self.app.settings.resolution.check_every)),
        };
        for w in list {
            let then = source.at(&w.query, before).await;
            match (source.at(&w.query, now).await, then) {
                (Ok(current), Ok(then)) => view.rates.push(RateThen {
                    over: current.is_some_and(|v| over(v, w.good_below)),
                    now: current.map_or_else(|| percent(f64::NAN), percent),
                    before: then.map_or_else(|| percent(f64::NAN), percent),
                    threshold: percent(w.good_below),
                    system: w.system,
                }),
                (Err(e), _) | (_, Err(e)) => view.unread = Some(e.to_string()),
            }
        }
        let content = notice(&self.app, &[], Notice::from(view))
            .map_err(|e| crate::app::jobs::use_case_failed(&self.app.templates, e))?;
        let channel = self.channel_of(&record).await?;
        self.post(job, channel, content, vec![]).await?;
        Ok(())
    }

    /// Reads each rate once: one newly over its threshold is said at once, pinging the
    /// commander, with **It did not hold**; the next reading is queued while the fix is
    /// verified. A source that does not answer is skipped: the fix check says so.
    pub(in crate::app) async fn watch_error_rates(
        &self,
        job: &Job,
        above: Vec<String>,
    ) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        if record.incident.status != Status::Verifying {
            return Ok(());
        }
        let Some((source, list)) = watched(&self.app, &record.incident) else {
            return Ok(());
        };
        let now = self.app.clock.now();
        let mut still = Vec::new();
        let mut newly = Vec::new();
        for w in list {
            match source.at(&w.query, now).await {
                Ok(Some(v)) if over(v, w.good_below) => {
                    if !above.contains(&w.system) {
                        newly.push((v, w.good_below, w.system.clone()));
                    }
                    still.push(w.system);
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, system = %w.system, "could not read an error rate");
                    if above.contains(&w.system) {
                        still.push(w.system);
                    }
                }
            }
        }
        for (n, (value, good_below, system)) in newly.into_iter().enumerate() {
            self.say_over(job, n, &record, system, value, good_below, now)
                .await?;
        }
        let mut tx = self.app.db.begin().await?;
        let origin = format!("job:{}", job.id.0);
        let mut outbox = Outbox::new(&origin, record.id, now);
        schedule_watch(&self.app, &mut tx, &mut outbox, still, now).await?;
        tx.commit().await?;
        self.app.waker.wake();
        Ok(())
    }

    #[expect(clippy::too_many_arguments, reason = "one message, its facts named")]
    async fn say_over(
        &self,
        job: &Job,
        n: usize,
        record: &IncidentRecord,
        system: String,
        value: f64,
        good_below: f64,
        now: DateTime<Utc>,
    ) -> Result<(), JobError> {
        let i = &record.incident;
        let to = Recipient::of(&self.app, i, i.roles.commander, IncidentRole::Commander);
        let view = Reminder {
            rate_over: Some(RateOverReminder {
                system,
                now: percent(value),
                threshold: percent(good_below),
                since: i.resolved_at.map_or_else(String::new, |at| human(now - at)),
            }),
            ..to.view(&[])
        };
        self.say_did_not_hold(job, n, record, view, to).await
    }

    /// Draws each system's chart, from an hour before detection to now, and adds them to the
    /// fix check's `message` in one edit. A rate that cannot be read draws nothing: the fix
    /// check said so already.
    pub(in crate::app) async fn error_rate_charts(
        &self,
        job: &Job,
        message: Option<MessageId>,
    ) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        let (Some(message), Some((source, list))) = (message, watched(&self.app, &record.incident))
        else {
            return Ok(());
        };
        let i = &record.incident;
        let now = self.app.clock.now();
        let from = i.detected_at - TimeDelta::hours(1);
        let mut files = Vec::new();
        for w in list {
            let Ok(series) = source
                .range(&w.query, from, now, step_for(now - from, 300))
                .await
            else {
                continue;
            };
            let (detected_at, fixed_at) = (i.detected_at, i.resolved_at);
            let words = rate_words(&self.app, record.number.0, &w.system, w.good_below)?;
            let png = tokio::task::spawn_blocking(move || {
                crate::chart::error_rate_png(&crate::chart::RateChart {
                    words: &words,
                    samples: &series.samples,
                    good_below: w.good_below,
                    detected_at,
                    fixed_at,
                    to: now,
                })
            })
            .await
            .map_err(JobError::fatal)?
            .map_err(JobError::Fatal)?;
            files.push(Attachment {
                filename: file_name(&w.system),
                bytes: png,
            });
        }
        if files.is_empty() {
            return Ok(());
        }
        let channel = self.channel_of(&record).await?;
        self.chat.attach(channel, message, &files).await?;
        Ok(())
    }
}

/// The error-rate chart's words for `system` of incident `number`, from `chart.hbs`.
fn rate_words(
    app: &App,
    number: u32,
    system: &str,
    good_below: f64,
) -> Result<crate::chart::RateWords, JobError> {
    use crate::render::{ChartView, Markup, TemplateName};
    let word = |word: &'static str| {
        let view = ChartView {
            system: Some(Markup::raw(system)),
            threshold: Some(Markup::raw(format!("{:.2}", good_below * 100.0))),
            ..ChartView::word(word, number)
        };
        app.templates
            .render(TemplateName::Chart, &view)
            .map_err(|e| JobError::Fatal(e.into()))
    };
    Ok(crate::chart::RateWords {
        title: word("rate_title")?,
        axis: word("axis")?,
        y_axis: word("rate_axis")?,
        threshold: word("rate_threshold")?,
        detected: word("detected")?,
        fix_applied: word("fix_applied")?,
        rate: word("rate")?,
    })
}
