//! The buttons of runbook actions: a press on a step bound to an action, "Run it" under a
//! confirmation, and "It ran" / "Run again" under the question of an unknown outcome.

use super::{allowed, confirmation, find, run_action, RunAsked, AGAIN_BUTTON};
use crate::app::{tick, App, AppError, CheckClick, Clicked, Effect, Outbox};
use crate::domain::{
    ActionId, Actor, EntryKind, IncidentId, Refusal, RunState, Tick, TimelineEntry,
};
use crate::render::{
    mention, timestamp, ActionAnswered, ActionDid, ActionNotice, TemplateName, TimelineView,
};
use crate::store::IncidentRecord;

/// What a press on a checklist step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepPress {
    /// A plain step was ticked or unticked: the checklist's new look.
    Ticked(Clicked),
    /// A step bound to an action asked for it.
    Asked(RunAsked),
}

async fn incident(app: &App, id: IncidentId) -> Result<IncidentRecord, AppError> {
    app.db
        .incident(id)
        .await?
        .ok_or_else(|| Refusal::IncidentGone.into())
}

/// A press on a checklist step: a step bound to an action and not ticked yet asks for its
/// action (a confirmation first when it says so); any other press ticks or unticks, as always.
/// `shown_ticked` is whether the button showed the step ticked: an action's success ticks its
/// step without redrawing the checklist, and a press on that stale button only redraws it
/// (it must not undo a tick the person never saw).
pub async fn press_step(
    app: &App,
    actor: &Actor,
    name: &str,
    click: CheckClick,
    shown_ticked: bool,
    origin: &str,
) -> Result<StepPress, AppError> {
    let record = incident(app, click.incident).await?;
    let bound = app
        .settings
        .checklists
        .list(click.phase, record.incident.kind)
        .iter()
        .find(|i| i.id == click.step)
        .and_then(|i| i.action.clone());
    let ticked = app
        .db
        .ticks(record.id)
        .await?
        .iter()
        .any(|t| t.phase == click.phase && t.step == click.step);
    if bound.is_some() && ticked && !shown_ticked {
        let ticks = app.db.ticks(record.id).await?;
        let m = crate::app::checklists::message(app, &record, click.phase, &ticks)
            .map_err(anyhow::Error::new)?;
        return Ok(StepPress::Ticked(Clicked {
            content: m.content,
            buttons: m.buttons,
            menu: None,
        }));
    }
    let Some(id) = bound.filter(|_| !ticked) else {
        return tick(app, actor, click).await.map(StepPress::Ticked);
    };
    let action = find(app, id.as_str())?;
    allowed(app, actor, &record, action)?;
    if action.confirm {
        let (content, buttons) = confirmation(app, &record, action)?;
        return Ok(StepPress::Asked(RunAsked::Confirm { content, buttons }));
    }
    let queued = run_action(app, actor, name, &record, &id, origin).await?;
    Ok(StepPress::Asked(RunAsked::Queued(queued)))
}

/// "Run it", under a confirmation (`<incident>:<action>`): queues the run; the confirmation
/// becomes the answer.
pub async fn confirm_run(
    app: &App,
    actor: &Actor,
    name: &str,
    about: &str,
    origin: &str,
) -> Result<Clicked, AppError> {
    let stale = || AppError::from(Refusal::StaleButton);
    let (incident_id, action) = about.split_once(':').ok_or_else(stale)?;
    let incident_id = incident_id
        .parse::<i64>()
        .map(IncidentId)
        .map_err(|_| stale())?;
    let action = ActionId::parse(action).map_err(|_| stale())?;
    let record = incident(app, incident_id).await?;
    let content = run_action(app, actor, name, &record, &action, origin).await?;
    Ok(Clicked {
        content,
        buttons: vec![],
        menu: None,
    })
}

/// "It ran" (`ran`) or "Run again" under the question of a run whose outcome is unknown
/// (`<run>`): records it as done (ticking its steps), or queues it once more with the same
/// run id. Only the first answer counts.
pub async fn answer_unknown(
    app: &App,
    actor: &Actor,
    about: &str,
    ran: bool,
    origin: &str,
) -> Result<Clicked, AppError> {
    let stale = || AppError::from(Refusal::StaleButton);
    let id = about.parse::<i64>().map_err(|_| stale())?;
    let run = app.db.action_run(id).await?.ok_or_else(stale)?;
    let record = incident(app, run.incident).await?;
    let action = find(app, run.action.as_str())?;
    allowed(app, actor, &record, action)?;
    let now = app.clock.now();
    let to = if ran {
        RunState::Succeeded
    } else {
        RunState::Queued
    };
    let mut tx = app.db.begin().await?;
    if !tx.move_action_run(id, RunState::Unknown, to).await? {
        return Err(Refusal::AnsweredAlready.into());
    }
    let text = if ran {
        for (phase, item) in super::bound_steps(app, record.incident.kind, &action.id) {
            let done = Tick {
                phase,
                step: item.id.clone(),
                text: item.text.to_string(),
                by: actor.user,
                at: now,
            };
            tx.tick(record.id, &done).await?;
        }
        ActionDid::SaidRan
    } else {
        let key = format!("action_run:{id}@{origin}");
        let mut outbox = Outbox::new(origin, record.id, now);
        outbox
            .push_keyed(&mut tx, Effect::RunAction { run: id }, now, key)
            .await?;
        ActionDid::SentAgain
    };
    let text = TimelineView::Action {
        did: text,
        label: action.label.clone(),
        run: run.key.clone(),
    };
    let text = crate::app::render(app, TemplateName::Timeline, &text)?;
    let entry = TimelineEntry::by(actor.user, now, EntryKind::Action, text);
    tx.append_timeline(record.id, &[entry]).await?;
    tx.commit().await?;
    app.waker.wake();
    let view = ActionNotice {
        answered: Some(ActionAnswered {
            ran,
            label: action.label.clone(),
            by: mention(actor.user),
            at: timestamp(now),
        }),
        ..ActionNotice::default()
    };
    Ok(Clicked {
        content: crate::app::render(app, TemplateName::Action, &view)?,
        buttons: vec![],
        menu: None,
    })
}

/// The custom ids of the question's two buttons.
pub(super) fn question_buttons(
    templates: &crate::render::Templates,
    run: i64,
) -> Vec<crate::app::Button> {
    use crate::app::{Button, ButtonStyle};
    use crate::render::Label;
    vec![
        Button {
            custom_id: format!("{}:{run}", super::RAN_BUTTON),
            label: templates.label(&Label::ItRan),
            style: ButtonStyle::Success,
        },
        Button {
            custom_id: format!("{AGAIN_BUTTON}:{run}"),
            label: templates.label(&Label::RunAgain),
            style: ButtonStyle::Danger,
        },
    ]
}
