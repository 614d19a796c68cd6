//! Status webhooks: each public change (an announcement players saw, a change of an announced
//! incident, a maintenance window's) queues one delivery per `[[status.webhooks]]` receiver in
//! the same transaction; a job POSTs it, signed, as Statuspage's own webhooks do (`meta`,
//! `page`, `incident`), after the webhook's earlier deliveries. A receiver that keeps failing
//! is turned off and the log channel told once; turned back on, it gets the current state of
//! what is public, not the changes it missed. A security incident is never public: nothing of
//! it is queued, and the feed never holds it.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::effects::enqueue;
use super::{App, Effect, FeedItem, FeedPage, HookCall, Performer, PublicState};
use crate::config::StatusWebhookSettings;
use crate::domain::IncidentKind;
use crate::render::{LogPost, Markup, WebhookOffLog};
use crate::scheduler::JobError;
use crate::store::{Db, IncidentRecord, Job, StatusDelivery, StatusWebhookState, Tx, ALL_PUBLIC};

/// The job kind of [`Effect::StatusWebhook`].
pub const STATUS_WEBHOOK: &str = "status_webhook";

/// Queues a delivery of incident `record`'s public state to every webhook that is on; none
/// for a security incident.
pub(crate) async fn on_incident(
    app: &App,
    tx: &mut Tx,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    if record.incident.kind == IncidentKind::Security {
        return Ok(());
    }
    queue(app, tx, &FeedItem::incident_id(record.number.0), now).await
}

/// Queues a delivery of maintenance window `window`'s public state to every webhook that is on.
pub(crate) async fn on_window(
    app: &App,
    tx: &mut Tx,
    window: i64,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    queue(app, tx, &FeedItem::window_id(window), now).await
}

async fn queue(
    app: &App,
    tx: &mut Tx,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    for hook in &app.settings.status.webhooks {
        if tx.status_webhook_off(&hook.name).await? {
            continue;
        }
        queue_delivery(tx, &hook.name, subject, now).await?;
    }
    Ok(())
}

/// Records one delivery of `subject` to `webhook` and queues the job that sends it.
async fn queue_delivery(
    tx: &mut Tx,
    webhook: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    let delivery = tx.queue_status_delivery(webhook, subject, now).await?;
    let effect = Effect::StatusWebhook { delivery };
    let key = format!("status-webhook:{delivery}");
    enqueue(tx, &effect, None, key, now, now).await
}

/// One webhook as `incident-bot webhooks` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookListing {
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
    /// Its failures and whether it is off (a webhook that never failed has no row).
    pub state: Option<StatusWebhookState>,
}

/// Every configured webhook with its state.
pub async fn list(
    db: &Db,
    hooks: &[StatusWebhookSettings],
) -> Result<Vec<WebhookListing>, crate::store::Error> {
    let states = db.status_webhook_states().await?;
    Ok(hooks
        .iter()
        .map(|h| WebhookListing {
            name: h.name.clone(),
            url: h.url.to_string(),
            state: states.iter().find(|s| s.name == h.name).cloned(),
        })
        .collect())
}

/// Turns webhook `name` back on: what waited for it is dropped, and one delivery of the
/// current state of everything public is queued (the running bot's queue sends it). `false`
/// when it was not off.
pub async fn turn_on(db: &Db, name: &str, now: DateTime<Utc>) -> Result<bool, crate::store::Error> {
    let mut tx = db.begin().await?;
    let was_off = tx.turn_status_webhook_on(name, now).await?;
    queue_delivery(&mut tx, name, ALL_PUBLIC, now).await?;
    tx.commit().await?;
    Ok(was_off)
}

/// Statuspage's webhook body: `meta`, `page`, then the incident (a maintenance window is an
/// incident with `scheduled_for` there too).
#[derive(Debug, Serialize)]
struct Envelope<'a> {
    meta: Meta<'a>,
    page: &'a FeedPage,
    incident: &'a serde_json::Value,
}

#[derive(Debug, Serialize)]
struct Meta<'a> {
    /// Where a receiver reads about the webhook: the status page (there is nothing to
    /// unsubscribe from: the operator lists the receivers).
    documentation: &'a str,
    generated_at: String,
}

impl Performer {
    /// Performs [`Effect::StatusWebhook`]: sends delivery `id` once its webhook's earlier ones
    /// went (or were dropped), with the body fixed at its first attempt.
    pub(super) async fn status_webhook(&self, job: &Job, id: i64) -> Result<(), JobError> {
        let app = &self.app;
        let Some(d) = app.db.status_delivery(id).await? else {
            return Err(JobError::fatal(format!(
                "status delivery {id} does not exist"
            )));
        };
        if !d.waiting() {
            return Ok(());
        }
        let Some(hook) = app
            .settings
            .status
            .webhooks
            .iter()
            .find(|h| h.name == d.webhook)
        else {
            app.db
                .status_delivery_skipped(id, "the webhook is not configured any more")
                .await?;
            return Ok(());
        };
        let (Some(sender), Some(feed)) = (&app.status_hooks, &app.public_feed) else {
            return Err(JobError::fatal("the status webhooks are not wired in"));
        };
        if app
            .db
            .earlier_status_delivery_waiting(&d.webhook, id)
            .await?
        {
            // One receiver hears the changes in the order they were made.
            return Err(JobError::NotYet(app.clock.now() + TimeDelta::seconds(1)));
        }
        let body = match &d.body {
            Some(body) => body.clone(),
            None => {
                let public = feed.read(app).await.map_err(JobError::retry)?;
                if d.subject == ALL_PUBLIC {
                    return self.catch_up(&d, &public).await;
                }
                match self.fresh_body(&d, &public).await? {
                    Some(body) => body,
                    None => return Ok(()),
                }
            }
        };
        let now = app.clock.now();
        app.db.status_delivery_tried(id, &body, now).await?;
        let call = HookCall {
            webhook: &d.webhook,
            delivery: &d.delivery_id(),
            body: &body,
            at: now,
        };
        match sender.deliver(call).await {
            Ok(()) => {
                let sent = &app.metrics.status_webhook_deliveries;
                sent.inc(&[&hook.name, "sent"]);
                Ok(app.db.status_delivery_sent(&d, app.clock.now()).await?)
            }
            Err(e) => self.hook_failed(job, hook, e).await,
        }
    }

    /// The body of `d` from what is public now; `None` (and `d` skipped) when its subject is
    /// not public or the receiver has it as it is already.
    async fn fresh_body(
        &self,
        d: &StatusDelivery,
        public: &PublicState,
    ) -> Result<Option<String>, JobError> {
        let db = &self.app.db;
        let Some(item) = public.items.iter().find(|i| i.id == d.subject) else {
            db.status_delivery_skipped(d.id, "players were not told of it")
                .await?;
            return Ok(None);
        };
        let last = db.last_status_body(&d.webhook, &d.subject).await?;
        let last: Option<serde_json::Value> = last.and_then(|b| serde_json::from_str(&b).ok());
        let page = serde_json::to_value(&public.page).map_err(JobError::fatal)?;
        let same = last.is_some_and(|l| l["incident"] == item.json && l["page"] == page);
        if same {
            db.status_delivery_skipped(d.id, "the receiver has it as it is")
                .await?;
            return Ok(None);
        }
        let envelope = Envelope {
            meta: Meta {
                documentation: &self.app.settings.status.url,
                generated_at: self
                    .app
                    .clock
                    .now()
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            },
            page: &public.page,
            incident: &item.json,
        };
        serde_json::to_string(&envelope)
            .map(Some)
            .map_err(JobError::fatal)
    }

    /// A webhook turned back on: one delivery per incident or window going on now, or that it
    /// was to hear of before (an incident resolved while it was off), in the page's order;
    /// those whose state the receiver has already are skipped when sent. `d` itself sends
    /// nothing.
    async fn catch_up(&self, d: &StatusDelivery, public: &PublicState) -> Result<(), JobError> {
        let now = self.app.clock.now();
        let mut due = Vec::new();
        for item in &public.items {
            if item.current
                || self
                    .app
                    .db
                    .status_subject_queued(&d.webhook, &item.id)
                    .await?
            {
                due.push(item);
            }
        }
        let mut tx = self.app.db.begin().await?;
        for item in due {
            queue_delivery(&mut tx, &d.webhook, &item.id, now).await?;
        }
        tx.commit().await?;
        self.app.waker.wake();
        self.app
            .db
            .status_delivery_skipped(d.id, "sent as the current state of each item")
            .await?;
        Ok(())
    }

    /// Counts a failed attempt; at the webhook's `turn_off_after`, turns it off, tells the
    /// log channel once, and drops what waited. Otherwise the delivery is retried (a 4xx too:
    /// a receiver being fixed comes back, one that is not is turned off).
    async fn hook_failed(
        &self,
        job: &Job,
        hook: &StatusWebhookSettings,
        e: JobError,
    ) -> Result<(), JobError> {
        let (error, after) = match e {
            JobError::Retry { error, after } => (error, after),
            JobError::Fatal(error) => (error, None),
            other => return Err(other),
        };
        let reason = format!("{error:#}");
        let now = self.app.clock.now();
        let (state, off_now) = self
            .app
            .db
            .status_webhook_failed(&hook.name, &reason, hook.turn_off_after, now)
            .await?;
        tracing::warn!(webhook = %hook.name, failures = state.failures, error = %reason, "a status webhook delivery failed");
        let outcome = if off_now { "turned_off" } else { "failed" };
        let counted = &self.app.metrics.status_webhook_deliveries;
        counted.inc(&[&hook.name, outcome]);
        if !off_now {
            return Err(JobError::Retry { error, after });
        }
        tracing::error!(webhook = %hook.name, "a status webhook kept failing and was turned off");
        if let Some(log) = self.app.settings.channels.log {
            let post = LogPost {
                webhook_off: Some(WebhookOffLog {
                    name: Markup::raw(&hook.name),
                    failures: state.failures,
                    error: Markup::text(reason.trim_end_matches(['.', ':', ' '])),
                }),
                ..LogPost::default()
            };
            self.report_post(log, job, &post).await;
        }
        Ok(())
    }
}
