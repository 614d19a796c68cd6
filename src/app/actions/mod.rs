//! Runbook actions (`[[actions]]`): a checklist step's button or `/incident run` asks for one;
//! a confirmation first when the action says so; then a run is recorded and queued as a job
//! in one transaction ([`run_action`]), and the job ([`run`]) sends it and records what came
//! back. A run whose call got no answer is never sent again on its own: the channel is asked
//! ([`answer_unknown`]).

mod answers;
mod run;

use serde_json::json;

use super::{audit, team, App, AppError, Button, ButtonStyle, Effect, Outbox, Place};
use crate::domain::{
    Action, ActionId, Actor, ChecklistItem, EntryKind, IncidentKind, Phase, Refusal, RunbookAction,
    Shape, Status, TimelineEntry, UserId,
};
use crate::render::{ActionConfirm, ActionNotice, ActionQueued, ActionTarget, TemplateName};
use crate::store::{ActionRun, IncidentRecord, NewActionRun, Tx};

pub use answers::{answer_unknown, confirm_run, press_step, StepPress};

/// The custom id prefix of the "Run it" button of a confirmation: `run:<incident>:<action>`.
pub const RUN_BUTTON: &str = "run";
/// The custom id prefix of "It ran" under the question of an unknown outcome: `run_ran:<run>`.
pub const RAN_BUTTON: &str = "run_ran";
/// The custom id prefix of "Run again" under the same question: `run_again:<run>`.
pub const AGAIN_BUTTON: &str = "run_again";

/// What asking for an action gives: a confirmation to press, or the run already queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunAsked {
    /// "Run it?", with its button; only the asker sees it.
    Confirm {
        /// The question.
        content: String,
        /// Its "Run it" button.
        buttons: Vec<Button>,
    },
    /// The run is queued; the answer says so.
    Queued(String),
}

/// The action with this id, or a refusal naming the ones there are.
pub(crate) fn find<'a>(app: &'a App, id: &str) -> Result<&'a RunbookAction, AppError> {
    app.settings
        .actions
        .iter()
        .find(|a| a.id.as_str() == id)
        .ok_or_else(|| {
            let known: Vec<&str> = app.settings.actions.iter().map(|a| a.id.as_str()).collect();
            AppError::from(Refusal::NoSuchAction {
                typed: id.to_owned(),
                known: known.into_iter().map(str::to_owned).collect(),
            })
        })
}

/// Whether `actor` may run `action` in `record`'s incident now.
pub(crate) fn allowed(
    app: &App,
    actor: &Actor,
    record: &IncidentRecord,
    action: &RunbookAction,
) -> Result<(), AppError> {
    let i = &record.incident;
    if i.status == Status::Closed {
        return Err(Refusal::ActionInClosedIncident.into());
    }
    if !action.runs_in(i.kind) {
        return Err(Refusal::ActionNotForKind {
            label: action.label.clone(),
            security: i.kind == IncidentKind::Security,
        }
        .into());
    }
    let right = match action.who {
        crate::domain::Runners::Responders => Action::Work,
        crate::domain::Runners::Commanders => Action::Command,
    };
    actor.may(right, &team(app), i.roles.commander)?;
    Ok(())
}

/// The actions `actor` may run in an incident of `kind` (every kind when unknown), as
/// `(id, label)`: what `/incident run` completes.
pub fn runnable<'a>(
    app: &'a App,
    actor: &Actor,
    kind: Option<IncidentKind>,
) -> Vec<(&'a str, &'a str)> {
    let team = team(app);
    app.settings
        .actions
        .iter()
        .filter(|a| kind.is_none_or(|k| a.runs_in(k)))
        .filter(|a| {
            let right = match a.who {
                crate::domain::Runners::Responders => Action::Work,
                crate::domain::Runners::Commanders => Action::Command,
            };
            actor.may(right, &team, None).is_ok()
        })
        .map(|a| (a.id.as_str(), a.label.as_str()))
        .collect()
}

/// What an action calls, for the confirmation and the question (worded in `action.hbs`).
pub(crate) fn target(action: &RunbookAction) -> ActionTarget {
    let or = |v: &Option<String>| v.clone().unwrap_or_default();
    match action.kind {
        Shape::Webhook => ActionTarget::Webhook {
            method: action.method.as_deref().unwrap_or("POST").to_owned(),
            host: action
                .url
                .as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default(),
        },
        Shape::GithubWorkflow => ActionTarget::GithubWorkflow {
            workflow: or(&action.workflow),
            owner: or(&action.owner),
            repo: or(&action.repo),
        },
        Shape::GitlabPipeline => ActionTarget::GitlabPipeline {
            project: or(&action.project),
        },
    }
}

/// The steps of an incident of `kind` whose button runs `action`, with their phase.
pub(crate) fn bound_steps<'a>(
    app: &'a App,
    kind: IncidentKind,
    action: &ActionId,
) -> Vec<(Phase, &'a ChecklistItem)> {
    Phase::ALL
        .into_iter()
        .flat_map(|p| {
            app.settings
                .checklists
                .list(p, kind)
                .iter()
                .filter(|i| i.action.as_ref() == Some(action))
                .map(move |i| (p, i))
        })
        .collect()
}

/// `/incident run action:<id>`: the confirmation when the action asks for one, else the run.
#[tracing::instrument(skip_all, fields(origin = origin))]
pub async fn request_run(
    app: &App,
    actor: &Actor,
    name: &str,
    place: Place,
    id: &str,
    origin: &str,
) -> Result<RunAsked, AppError> {
    let record = super::lifecycle::incident_here(app, actor, place).await?;
    let action = find(app, id)?;
    allowed(app, actor, &record, action)?;
    if action.confirm {
        return confirmation(app, &record, action)
            .map(|(content, buttons)| RunAsked::Confirm { content, buttons });
    }
    let queued = run_action(app, actor, name, &record, &action.id, origin).await?;
    Ok(RunAsked::Queued(queued))
}

/// "Run it?" with its button.
pub(crate) fn confirmation(
    app: &App,
    record: &IncidentRecord,
    action: &RunbookAction,
) -> Result<(String, Vec<Button>), AppError> {
    let step = bound_steps(app, record.incident.kind, &action.id)
        .first()
        .map(|(_, i)| i.text.to_string());
    let view = ActionNotice {
        confirm: Some(ActionConfirm {
            label: action.label.clone(),
            number: record.number.0,
            target: target(action),
            step,
        }),
        ..ActionNotice::default()
    };
    let content = super::render(app, TemplateName::Action, &view)?;
    let button = Button {
        custom_id: format!("{RUN_BUTTON}:{}:{}", record.id, action.id),
        label: app.templates.label(&crate::render::Label::RunIt),
        style: ButtonStyle::Primary,
    };
    Ok((content, vec![button]))
}

/// Records a run of `action` for `actor` in `record`'s incident and queues it, in one
/// transaction, after checking `actor` may; returns the answer saying so. `name` is what the
/// body's `by` says.
pub async fn run_action(
    app: &App,
    actor: &Actor,
    name: &str,
    record: &IncidentRecord,
    action: &ActionId,
    origin: &str,
) -> Result<String, AppError> {
    let action = find(app, action.as_str())?;
    allowed(app, actor, record, action)?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let mut outbox = Outbox::new(origin, record.id, now);
    let run = queue_run(app, &mut tx, &mut outbox, record, action, actor.user, name).await?;
    let detail = json!({ "action": action.id.as_str(), "run": run.key });
    audit(
        &mut tx,
        app,
        record.guild_id,
        actor,
        record.id,
        "run_action",
        detail,
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    let view = ActionNotice {
        queued: Some(ActionQueued {
            label: action.label.clone(),
            run_id: run.key,
        }),
        ..ActionNotice::default()
    };
    super::render(app, TemplateName::Action, &view)
}

/// Records a run of `action` in `tx` (on the timeline, as asked by `by`) and queues its job in
/// `outbox`: the one way a run starts. A use case that runs an action as part of its own
/// change (a maintenance window's hook, say) calls this inside its transaction, with the
/// rights it checked itself.
pub(crate) async fn queue_run(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    action: &RunbookAction,
    by: UserId,
    name: &str,
) -> Result<ActionRun, AppError> {
    let now = app.clock.now();
    let new = NewActionRun {
        incident: record.id,
        action: &action.id,
        by,
        by_name: name,
        at: now,
    };
    let run = tx.insert_action_run(&new).await?;
    let text = crate::render::TimelineView::Action {
        did: crate::render::ActionDid::Ran,
        label: action.label.clone(),
        run: run.key.clone(),
    };
    let text = super::render(app, TemplateName::Timeline, &text)?;
    let entry = TimelineEntry::by(by, now, EntryKind::Action, text);
    tx.append_timeline(record.id, &[entry]).await?;
    let key = format!("action_run:{}", run.id);
    outbox
        .push_keyed(tx, Effect::RunAction { run: run.id }, now, key)
        .await?;
    Ok(run)
}
