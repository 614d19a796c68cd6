//! Paging on-call outside Discord: which services a change pages, the jobs that do it, and the
//! acknowledgements that come back from PagerDuty.
//!
//! An incident's page has a round: its key (`incident-bot-<incident>-<round>`) is the same for
//! every call about that page, so a retried job never pages twice; a page made anew (a reopen
//! after the page was resolved, a rise to P0) takes the next round and so a new key.

use chrono::{DateTime, TimeDelta, Utc};

use super::effects::Outbox;
use super::{App, AppError, Effect, PageAction, PageLink};
use crate::config::PageService;
use crate::domain::{
    Command, EntryKind, IncidentId, IncidentKind, Severity, Status, TimelineEntry,
};
use crate::render::{Markup, PageDetails, PageRaised, PageTitle, PageView, TemplateName};
use crate::scheduler::JobError;
use crate::store::{IncidentRecord, Job, PageState, Tx};

mod ack;

pub use ack::{acknowledged, take_command, AckOutcome, Acknowledged};

/// The button that offers command to whoever acknowledged in PagerDuty.
pub const TAKE_COMMAND_BUTTON: &str = "take_command";

/// How long a page waits for the incident's channel, to carry its link, before it goes without.
const WAIT_FOR_CHANNEL: TimeDelta = TimeDelta::seconds(30);

/// The key of `incident`'s page of `round`: nothing of the incident but its row id.
pub fn page_key(incident: IncidentId, round: u32) -> String {
    format!("incident-bot-{}-{round}", incident.0)
}

/// The incident and round a key of [`page_key`] names.
pub fn parse_page_key(key: &str) -> Option<(IncidentId, u32)> {
    let rest = key.strip_prefix("incident-bot-")?;
    let (id, round) = rest.split_once('-')?;
    Some((IncidentId(id.parse().ok()?), round.parse().ok()?))
}

/// The services an incident at `severity` pages, among those configured with a pager.
fn services_for(app: &App, severity: Severity) -> Vec<PageService> {
    let listed = app.settings.severity.get(severity).page_out.as_deref();
    app.settings
        .page_out
        .services(severity, listed)
        .into_iter()
        .filter(|s| app.pagers.of(*s).is_some())
        .collect()
}

fn names(services: &[PageService]) -> Vec<String> {
    services.iter().map(|s| s.as_str().to_owned()).collect()
}

fn services_named(names: &[String]) -> Vec<PageService> {
    PageService::ALL
        .into_iter()
        .filter(|s| names.iter().any(|n| n == s.as_str()))
        .collect()
}

/// Queues `action` of `round` for each of `services`, keyed by (incident, page, service,
/// action, round): the same page is never queued twice.
async fn queue(
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    incident: IncidentId,
    services: &[PageService],
    action: PageAction,
    round: u32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for service in services {
        let name = service.as_str();
        let what = serde_json::to_value(action).unwrap_or_default();
        let what = what.as_str().unwrap_or("page");
        let key = format!("inc:{}:page:{name}:{what}:{round}", incident.0);
        let effect = Effect::Page {
            service: *service,
            action,
            round,
        };
        outbox.push_keyed(tx, effect, now, key).await?;
    }
    Ok(())
}

/// Starts paging `record` when its severity pages outside Discord: round 1, or the next one.
async fn start(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    previous: Option<&PageState>,
    now: DateTime<Utc>,
) -> Result<Option<u32>, AppError> {
    let services = services_for(app, record.incident.severity);
    if services.is_empty() {
        return Ok(None);
    }
    let round = previous.map_or(1, |p| p.round + 1);
    let state = PageState {
        round,
        resolved: false,
        services: names(&services),
        acknowledged_at: None,
        acknowledged_by: None,
    };
    tx.save_page_state(record.id, &state).await?;
    queue(
        tx,
        outbox,
        record.id,
        &services,
        PageAction::Trigger,
        round,
        now,
    )
    .await?;
    Ok(Some(round))
}

/// A declaration pages on-call outside Discord when its severity says so.
pub(in crate::app) async fn on_declare(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    start(app, tx, outbox, record, None, now).await.map(|_| ())
}

/// What a change does to the page: the fix held resolves it; a reopen of a resolved page
/// pages anew; a raise pages when nothing did yet, pages anew on a rise to P0, and is said on
/// the timeline otherwise.
pub(in crate::app) async fn on_change(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    before: &crate::domain::Incident,
    record: &IncidentRecord,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let state = tx.page_state(record.id).await?;
    let recovered = record.incident.status == Status::Resolved && before.status != Status::Resolved;
    match (command, state) {
        (_, Some(mut state)) if recovered && !state.resolved => {
            state.resolved = true;
            tx.save_page_state(record.id, &state).await?;
            let services = services_named(&state.services);
            queue(
                tx,
                outbox,
                record.id,
                &services,
                PageAction::Resolve,
                state.round,
                now,
            )
            .await
        }
        (Command::Reopen { .. }, Some(state)) if state.resolved => {
            start(app, tx, outbox, record, Some(&state), now)
                .await
                .map(|_| ())
        }
        (Command::ChangeSeverity { to, .. }, state) if *to < before.severity => {
            raised(app, tx, outbox, record, state, *to, now).await
        }
        _ => Ok(()),
    }
}

/// A raise: pages if nothing paged yet; a rise to P0 pages anew under a new key (an
/// acknowledged page would not ring again for the same key); any other raise of an open page
/// is only said on the timeline.
async fn raised(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    state: Option<PageState>,
    to: Severity,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    // The fix held already: nobody is woken for an incident that is over.
    if matches!(record.incident.status, Status::Resolved | Status::Closed) {
        return Ok(());
    }
    let open = state.as_ref().filter(|s| !s.resolved);
    let mut also = Vec::new();
    let anew = match open {
        None => {
            start(app, tx, outbox, record, state.as_ref(), now).await?;
            return Ok(());
        }
        Some(old) if to == Severity::P0 => match start(app, tx, outbox, record, open, now).await? {
            Some(round) => {
                superseded(tx, outbox, record.id, old, now).await?;
                Some(round)
            }
            None => return Ok(()),
        },
        Some(old) => {
            also = widen(app, tx, outbox, record, old, now).await?;
            None
        }
    };
    let view = PageView {
        raised: Some(PageRaised {
            to: to.to_string(),
            anew,
            also: (!also.is_empty()).then(|| also.join(", ")),
        }),
        ..PageView::default()
    };
    let text = super::render(app, TemplateName::Page, &view)?;
    let entry = TimelineEntry {
        at: now,
        actor: None,
        kind: EntryKind::Bot,
        text,
        source_message: None,
    };
    tx.append_timeline(record.id, &[entry]).await?;
    Ok(())
}

/// The services the raised severity pages that the open page did not: paged now, in the open
/// page's round. Their names, as the config spells them.
async fn widen(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    open: &PageState,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    let added: Vec<PageService> = services_for(app, record.incident.severity)
        .into_iter()
        .filter(|s| !open.services.iter().any(|n| n == s.as_str()))
        .collect();
    if added.is_empty() {
        return Ok(Vec::new());
    }
    let mut state = open.clone();
    state.services.extend(names(&added));
    tx.save_page_state(record.id, &state).await?;
    let round = state.round;
    queue(
        tx,
        outbox,
        record.id,
        &added,
        PageAction::Trigger,
        round,
        now,
    )
    .await?;
    Ok(names(&added))
}

/// Resolves the PagerDuty alert of a page made anew, so that it does not stay open beside the
/// new one. ntfy has nothing to close, and its on-call reads the new message.
async fn superseded(
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    incident: IncidentId,
    old: &PageState,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let services: Vec<PageService> = services_named(&old.services)
        .into_iter()
        .filter(|s| *s == PageService::PagerDuty)
        .collect();
    queue(
        tx,
        outbox,
        incident,
        &services,
        PageAction::Resolve,
        old.round,
        now,
    )
    .await
}

fn render(app: &App, view: &PageView) -> Result<String, JobError> {
    super::render(app, TemplateName::Page, view).map_err(|e| match e {
        AppError::User(why) => JobError::Fatal(why.into()),
        AppError::Internal(e) | AppError::Unavailable(e) => JobError::Fatal(e),
    })
}

/// The links a page carries: the incident channel, and for an availability incident the
/// status page.
async fn links(
    performer: &super::Performer,
    record: &IncidentRecord,
) -> Result<Vec<PageLink>, JobError> {
    let app = &performer.app;
    let mut out = Vec::new();
    match performer.channel_of(record).await {
        Ok(channel) => {
            let href = format!("https://discord.com/channels/{}/{channel}", record.guild_id);
            if let Ok(href) = url::Url::parse(&href) {
                let view = PageView {
                    channel_link: Some(record.number.0),
                    ..PageView::default()
                };
                out.push(PageLink {
                    href,
                    text: render(app, &view)?,
                });
            }
        }
        // Waking on-call never waits long on Discord: past a short wait, the page goes
        // without the channel's link.
        Err(JobError::NotYet(at))
            if record.incident.declared_at + WAIT_FOR_CHANNEL > app.clock.now() =>
        {
            return Err(JobError::NotYet(at));
        }
        Err(_) => {}
    }
    if record.incident.kind == IncidentKind::Availability {
        if let Ok(href) = url::Url::parse(&app.settings.status.url) {
            let view = PageView {
                status_link: true,
                ..PageView::default()
            };
            out.push(PageLink {
                href,
                text: render(app, &view)?,
            });
        }
    }
    Ok(out)
}

/// The page of `record` for `action` of `round`, its words from `page.hbs`.
fn page_of(
    app: &App,
    record: &IncidentRecord,
    action: PageAction,
    round: u32,
    links: Vec<PageLink>,
    tried_before: bool,
) -> Result<super::Page, JobError> {
    let i = &record.incident;
    let security = i.kind == IncidentKind::Security;
    let head = PageTitle {
        security,
        number: record.number.0,
        severity: i.severity.to_string(),
        // PagerDuty and ntfy show plain text: the title goes as typed.
        title: Markup::raw(i.title.as_str()),
    };
    let title = render(
        app,
        &PageView {
            title: Some(head.clone()),
            ..PageView::default()
        },
    )?;
    let body = match action {
        PageAction::Resolve => PageView {
            all_clear: Some(head),
            ..PageView::default()
        },
        PageAction::Trigger | PageAction::Acknowledge => PageView {
            details: Some(PageDetails {
                security,
                severity: i.severity.to_string(),
                systems: (!i.systems.is_empty()).then(|| Markup::raw(i.systems.display())),
            }),
            ..PageView::default()
        },
    };
    Ok(super::Page {
        action,
        key: page_key(record.id, round),
        title,
        body: render(app, &body)?,
        severity: i.severity,
        security,
        links,
        tried_before,
    })
}

/// Performs an [`Effect::Page`].
pub(super) async fn perform(
    performer: &super::Performer,
    job: &Job,
    service: PageService,
    action: PageAction,
    round: u32,
) -> Result<(), JobError> {
    let app = &performer.app;
    let pager = app.pagers.of(service).ok_or_else(|| {
        JobError::fatal(format!(
            "[page_out.{}] is not configured any more: the page was not sent",
            service.as_str()
        ))
    })?;
    let record = performer.incident(job).await?;
    let links = links(performer, &record).await?;
    let page = page_of(app, &record, action, round, links, job.attempts > 1)?;
    pager.send(&page).await?;
    Ok(())
}
