//! `/postmortem start`: a post-mortem the policy does not require (a P1 that is not a
//! recurrence, a P2, a P3), started by a responder once the incident is resolved or closed.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{audit, reminders, App, AppError, Outbox};
use crate::domain::{Actor, EntryKind, PostmortemReason, Refusal, Status, TimelineEntry, Typed};
use crate::render::{
    mention, timestamp, Answer, Notice, PostmortemDue, PostmortemStarted, TemplateName,
};
use crate::store::{IncidentRecord, Postmortem};

/// Starts an optional post-mortem of `record`, due `[postmortem] due_after` from now, with the
/// same reminders as a required one. Refused before resolve, and when one exists already.
pub(in crate::app) async fn start(
    app: &App,
    actor: &Actor,
    record: &IncidentRecord,
    origin: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let i = &record.incident;
    if !matches!(i.status, Status::Resolved | Status::Closed) {
        return Err(Refusal::PostmortemBeforeResolve {
            number: record.number,
        }
        .into());
    }
    let due = now + app.settings.postmortem_policy().due_after;
    let reason = PostmortemReason::Optional {
        severity: i.severity,
    };
    let mut tx = app.db.begin().await?;
    if let Some(existing) = tx.postmortem(record.id).await? {
        return Err(exists(app, record, &existing)?.into());
    }
    tx.start_postmortem(record.id, &reason, due, actor.user)
        .await?;
    let mut outbox = Outbox::new(origin, record.id, now);
    reminders::schedule_postmortem(app, &mut tx, &mut outbox, due).await?;
    let view = Notice::from(PostmortemStarted {
        by: mention(actor.user),
        due_at: timestamp(due),
        severity: i.severity.to_string(),
    });
    outbox.say_here(super::render(app, TemplateName::Notice, &view)?, vec![]);
    outbox.flush_here(&mut tx).await?;
    let did = crate::render::PostmortemDid::Started {
        reason: super::render(app, TemplateName::PostmortemReason, &reason)?,
    };
    let text = super::render(
        app,
        TemplateName::Timeline,
        &crate::render::TimelineView::Postmortem { did },
    )?;
    let entry = TimelineEntry::by(actor.user, now, EntryKind::Note, text);
    tx.append_timeline(record.id, &[entry]).await?;
    audit(
        &mut tx,
        app,
        record.guild_id,
        actor,
        record.id,
        "postmortem_start",
        json!({ "due_at": due.to_rfc3339() }),
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    let started = Answer {
        postmortem_started: Some(PostmortemDue {
            due_at: timestamp(due),
        }),
        ..Answer::default()
    };
    super::answer(app, started)
}

/// Why a second post-mortem is refused: the one there is, and what to do with it.
fn exists(app: &App, record: &IncidentRecord, pm: &Postmortem) -> Result<Refusal, AppError> {
    let reason = match pm.started_by {
        // The policy's reason names systems people typed.
        None => Some(Typed(super::render(
            app,
            TemplateName::PostmortemReason,
            &pm.reason,
        )?)),
        Some(_) => None,
    };
    Ok(Refusal::PostmortemExists {
        number: record.number,
        started_by: pm.started_by,
        reason,
        done: pm.done_at.map(|at| at.timestamp()),
        due: pm.due_at.timestamp(),
    })
}
