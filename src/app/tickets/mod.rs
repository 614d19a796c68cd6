//! The incident's ticket in the issue tracker, and its post-mortem's action items there: which
//! incidents get one, and the jobs that keep the ticket in step with the incident (opened at
//! declare, comments for severity changes and the resolution, closed on close, reopened on
//! reopen). Each job is keyed by (incident, kind, item), and the ticket carries a marker that
//! finds it again when an answer was lost.

mod perform;
mod text;

use serde::{Deserialize, Serialize};

use super::{App, AppError, Effect, Outbox};
use crate::domain::{Command, Incident, IncidentKind, IncidentNumber};
use crate::store::{IncidentRecord, Tx};

/// What a ticket job does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum TicketStep {
    /// Opens the ticket (or adopts the one a lost answer opened).
    Open,
    /// Adds a comment.
    Comment {
        /// Its paragraphs, plain text.
        text: Vec<String>,
    },
    /// Comments the summary, then closes it.
    Close {
        /// The summary's paragraphs, plain text.
        summary: Vec<String>,
    },
    /// Reopens it, saying why.
    Reopen {
        /// Why, plain text.
        text: Vec<String>,
    },
}

/// The item of the incident's own ticket in `tracker_tickets`.
pub(super) const TICKET_ITEM: &str = "ticket";

/// The item of an action item's ticket.
pub(super) fn action_item(id: i64) -> String {
    format!("action:{id}")
}

/// The marker hidden in a ticket's text, by which a retry finds it:
/// `incident-bot:inc-12:ticket`, `incident-bot:inc-12:action-3`.
pub fn marker(number: IncidentNumber, item: &str) -> String {
    format!("incident-bot:inc-{}:{}", number.0, item.replace(':', "-"))
}

/// Whether `incident` gets a ticket: a tracker is set up, its severity asks for one, and a
/// security incident only where a private project is named.
pub(super) fn wanted(app: &App, incident: &Incident) -> bool {
    let Some(tracker) = &app.tracker else {
        return false;
    };
    app.settings.severity.get(incident.severity).ticket && reachable(tracker.as_ref(), incident)
}

/// Whether anything of `incident` may reach the tracker: a security incident only goes to a
/// private project.
pub(super) fn reachable(tracker: &dyn super::Tracker, incident: &Incident) -> bool {
    incident.kind == IncidentKind::Availability || tracker.has_private()
}

/// Queues the ticket's opening, when the incident gets one.
pub(super) async fn on_declare(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
) -> Result<(), AppError> {
    if wanted(app, &record.incident) {
        queue(tx, outbox, record, TicketStep::Open, app.clock.now()).await?;
    }
    Ok(())
}

/// Queues what a change says on the ticket: a raise that now asks for a ticket opens it (once);
/// a severity change and the resolution are comments; close closes, reopen reopens.
pub(super) async fn on_change(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    before: &Incident,
    record: &IncidentRecord,
    command: &Command,
) -> Result<(), AppError> {
    let now = app.clock.now();
    let has_ticket = wanted(app, before)
        || (app.tracker.is_some() && app.db.ticket(record.id, TICKET_ITEM).await?.is_some());
    let step = match command {
        Command::ChangeSeverity { .. } if !has_ticket && wanted(app, &record.incident) => {
            Some(TicketStep::Open)
        }
        Command::ChangeSeverity { reason, .. } if has_ticket => Some(TicketStep::Comment {
            text: text::severity_changed(app, before.severity, record.incident.severity, reason)?,
        }),
        Command::Resolve { root_cause, .. } if has_ticket => Some(TicketStep::Comment {
            text: text::resolved(app, root_cause)?,
        }),
        Command::Close if has_ticket => Some(TicketStep::Close {
            summary: text::closed(app, &record.incident)?,
        }),
        Command::Reopen { reason } if has_ticket => Some(TicketStep::Reopen {
            text: text::reopened(app, reason)?,
        }),
        _ => None,
    };
    if let Some(step) = step {
        queue(tx, outbox, record, step, now).await?;
    }
    Ok(())
}

/// Queues `step`: the opening under its one key per incident (a second asks for nothing), the
/// others under their origin's key.
async fn queue(
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    step: TicketStep,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let effect = Effect::Ticket { step };
    if matches!(
        effect,
        Effect::Ticket {
            step: TicketStep::Open
        }
    ) {
        let key = format!("inc:{}:ticket:open", record.id);
        outbox.push_keyed(tx, effect, now, key).await?;
    } else {
        outbox.push(tx, effect).await?;
    }
    Ok(())
}

/// Queues the export of the action item just added, when a tracker is set up, the item is a
/// TODO (prevent, process), and the incident may reach the tracker.
pub(super) async fn on_action(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    kind: crate::domain::ActionKind,
) -> Result<(), AppError> {
    let Some(tracker) = &app.tracker else {
        return Ok(());
    };
    if kind.is_done() || !reachable(tracker.as_ref(), &record.incident) {
        return Ok(());
    }
    let Some(item) = tx.last_action_id(record.id).await? else {
        return Ok(());
    };
    let key = format!("inc:{}:{}", record.id, action_item(item));
    let effect = Effect::ActionTicket { item };
    outbox.push_keyed(tx, effect, app.clock.now(), key).await?;
    Ok(())
}

/// The action items of `incident` that have no ticket yet, when a tracker is set up: what
/// `/postmortem done` refuses over.
pub(super) async fn actions_without_ticket(
    app: &App,
    record: &IncidentRecord,
) -> Result<usize, AppError> {
    let Some(tracker) = &app.tracker else {
        return Ok(0);
    };
    if !reachable(tracker.as_ref(), &record.incident) {
        return Ok(0);
    }
    let tickets = app.db.tickets(record.id).await?;
    let missing = app
        .db
        .actions_to_do(record.id)
        .await?
        .into_iter()
        .filter(|id| !tickets.iter().any(|(item, _)| *item == action_item(*id)))
        .count();
    Ok(missing)
}
