//! What the end of an incident's work shows people: the fix applied and its verification, the
//! fix that held (recovery and the ✅ all-clear), a reopen, and the close summary.

use super::lifecycle::notice;
use super::{checklists, App, AppError, Effect, Outbox};
use crate::config::delta;
use crate::domain::{FreeText, IncidentKind, Phase, Status};
use crate::render::{
    channel_link, human, mention, timestamp, AllClear, CloseAnswer, CloseSummary, FixApplied,
    FixRecordedAnswer, Markup, Notice, PhaseLine, ReopenAnswer, Reopened, ResolveAnswer, Resolved,
    TemplateName,
};
use crate::store::{AnnouncementKind, IncidentRecord, Tx};

/// `/incident resolve` without `all_clear:now`: the fix is in and is being verified; players
/// hear nothing yet. Returns the answer to the commander.
pub(in crate::app) async fn fix_applied(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    who: &Markup,
    record: &IncidentRecord,
    root_cause: &FreeText,
) -> Result<String, AppError> {
    let i = &record.incident;
    let until =
        i.resolved_at.unwrap_or(i.last_change_at) + delta(app.settings.resolution.verify_after);
    let applied = FixApplied {
        by: who.clone(),
        until: timestamp(until),
        root_cause: root_cause.to_string(),
    };
    let text = notice(app, &[], Notice::from(applied))?;
    outbox.say_here(text, vec![]);
    checklists::say(app, tx, outbox, record, i.phase).await?;
    let fix = FixRecordedAnswer {
        until: timestamp(until),
        commander: i.roles.commander.map(mention),
    };
    super::answer(app, fix)
}

/// The fix held (`held`), or `/incident resolve all_clear:now`: recovery begins, with its
/// checklist and, if players heard of the incident, the all-clear.
pub(in crate::app) async fn recovered(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    who: &Markup,
    record: &IncidentRecord,
    held: bool,
) -> Result<String, AppError> {
    let i = &record.incident;
    let ttr = i.time_to_resolve().map(human).unwrap_or_default();
    let resolved = Resolved {
        by: who.clone(),
        after: ttr.clone(),
        held,
        root_cause: (!held)
            .then(|| i.root_cause.as_ref().map(ToString::to_string))
            .flatten(),
    };
    let text = notice(app, &[], Notice::from(resolved))?;
    outbox.say_here(text, vec![]);
    checklists::say(app, tx, outbox, record, i.phase).await?;
    let all_clear = all_clear(app, tx, outbox, record).await?;
    super::answer(
        app,
        ResolveAnswer {
            after: ttr,
            all_clear,
        },
    )
}

/// The fix did not hold, or the problem is back: work resumes in phase 4. Reminds the one who
/// reopened that players who had the all-clear should hear it is back.
pub(in crate::app) async fn reopened(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    who: &Markup,
    record: &IncidentRecord,
    reason: &FreeText,
) -> Result<String, AppError> {
    let reopened = Reopened {
        by: who.clone(),
        phase: Phase::Resolution.number(),
        reason: reason.to_string(),
    };
    let text = notice(app, &[], Notice::from(reopened))?;
    outbox.say_here(text, vec![]);
    checklists::say(app, tx, outbox, record, record.incident.phase).await?;
    let told = !tx
        .announcements_of(record.id, AnnouncementKind::AllClear)
        .await?
        .is_empty();
    let told_in = told.then(|| channel_link(app.settings.channels.announcements));
    super::answer(app, ReopenAnswer { told_in })
}

/// `/incident close`: the summary goes with the archive job.
pub(in crate::app) async fn closed(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
) -> Result<String, AppError> {
    let i = &record.incident;
    let timeline_len = tx.timeline_len(record.id).await?;
    let ticks = tx.ticks(record.id).await?;
    let view = |lists, steps_left_out| CloseSummary {
        number: record.number.0,
        title: i.title.to_string(),
        severity: i.severity.to_string(),
        declared_at: timestamp(i.declared_at),
        resolved_at: i.verified_at.map(timestamp).unwrap_or_default(),
        time_to_resolve: i.time_to_resolve().map(human).unwrap_or_default(),
        phases: i
            .phases
            .iter()
            .map(|s| PhaseLine {
                phase: s.phase.number(),
                duration: human(s.ended_at.unwrap_or(i.last_change_at) - s.started_at),
            })
            .collect(),
        checklists: lists,
        steps_left_out,
        timeline_len,
    };
    let summary =
        checklists::fit_summary(checklists::summaries(app, i, &ticks), |lists, left_out| {
            super::render(app, TemplateName::CloseSummary, &view(lists, left_out))
        })?;
    outbox.push(tx, Effect::Archive { summary }).await?;
    debug_assert_eq!(i.status, Status::Closed);
    let archived = record.channel_id.is_some();
    super::answer(app, CloseAnswer { archived })
}

/// Queues the ✅ all-clear when players heard of the incident (an alert or a public update).
/// A security incident is never announced, so it never gets an all-clear either. Returns
/// whether it was queued.
async fn all_clear(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
) -> Result<bool, AppError> {
    let i = &record.incident;
    let heard = !tx
        .announcements_of(record.id, AnnouncementKind::Alert)
        .await?
        .is_empty()
        || !tx
            .announcements_of(record.id, AnnouncementKind::Update)
            .await?
            .is_empty();
    if i.kind != IncidentKind::Availability || !heard {
        return Ok(false);
    }
    let Some(root_cause) = &i.root_cause else {
        return Ok(false);
    };
    let view = AllClear {
        system: i.systems.display(),
        root_cause: root_cause.to_string(),
        compensation: i.compensation.as_ref().map(ToString::to_string),
    };
    super::announce(
        app,
        tx,
        outbox,
        record,
        AnnouncementKind::AllClear,
        &view,
        vec![],
    )
    .await?;
    Ok(true)
}
