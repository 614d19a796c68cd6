//! When a change pages: a declaration, the fix that held, a reopen, a raise; each queues the
//! page jobs of its round.

use chrono::{DateTime, Utc};

use super::{names, services_for, services_named};
use crate::app::effects::Outbox;
use crate::app::{App, AppError, Effect, PageAction};
use crate::config::PageService;
use crate::domain::{Command, EntryKind, IncidentId, Severity, Status, TimelineEntry};
use crate::render::{PageRaised, PageView, TemplateName};
use crate::store::{IncidentRecord, PageState, Tx};

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
    let text = crate::app::render(app, TemplateName::Page, &view)?;
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
