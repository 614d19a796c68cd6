//! Checklists people tick. When a phase begins its checklist is posted as a message of its own
//! with one button per step (`check:<incident>:<phase>:<step>`); pressing one ticks the step,
//! or undoes the tick, edits the message to show who did it and when, and writes it to the
//! timeline. Counts go into `/incident status`, who did what into the close summary and the
//! post-mortem draft.

use serde_json::json;

use super::{audit, team, App, AppError, Button, ButtonStyle, Clicked, Outbox, MAX_BUTTONS};
use crate::domain::{
    steps, Action, Actor, EntryKind, Incident, IncidentId, Phase, Refusal, Status, Step, StepId,
    Tick, TimelineEntry, TransitionError,
};
use crate::render::{
    full_date, mention, ChecklistCount, ChecklistReport, ChecklistReportStep, ChecklistSummary,
    Label, RenderError, TemplateName, Templates, TimelineView,
};
use crate::store::{IncidentRecord, Tx};

/// The custom id prefix of a checklist step's button.
pub const CHECK_BUTTON: &str = "check";

/// A checklist message: its text and a button per step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChecklistMessage {
    /// The rendered text.
    pub content: String,
    /// One button per listed step, green once ticked.
    pub buttons: Vec<Button>,
    /// Whether the phase has any step to show.
    pub has_steps: bool,
}

/// The checklist message of `phase` of `record`, with `ticks`.
pub(crate) fn message(
    app: &App,
    record: &IncidentRecord,
    phase: Phase,
    ticks: &[Tick],
) -> Result<ChecklistMessage, RenderError> {
    let i = &record.incident;
    let shown = steps(&app.settings.checklists, phase, i.kind, i.severity, ticks);
    let view = crate::render::Checklist::new(i, phase, &app.phase_budgets(), &shown);
    let content = app.templates.render(TemplateName::Checklist, &view)?;
    let buttons = shown
        .iter()
        .flat_map(|s| {
            let action = crate::app::maintenance::step_button(&app.templates, record, phase, s);
            button(&app.templates, record.id, phase, s)
                .into_iter()
                .chain(action)
        })
        .take(MAX_BUTTONS)
        .collect();
    Ok(ChecklistMessage {
        content,
        buttons,
        has_steps: !shown.is_empty(),
    })
}

fn button(
    templates: &Templates,
    incident: IncidentId,
    phase: Phase,
    step: &Step<'_>,
) -> Option<Button> {
    let label = step.label()?;
    let ticked = step.tick.is_some();
    Some(Button {
        custom_id: format!("{CHECK_BUTTON}:{incident}:{}:{}", phase.key(), step.id),
        label: templates.label(&Label::Step {
            step: label.to_owned(),
            ticked,
        }),
        style: if ticked {
            ButtonStyle::Success
        } else {
            ButtonStyle::Secondary
        },
    })
}

/// Posts the checklist of `phase` as a message of its own, right after what this change says in
/// the channel (see [`Outbox::checklist_here`]). A phase without steps posts nothing.
pub(crate) async fn say(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    phase: Phase,
) -> Result<(), AppError> {
    let ticks = tx.ticks(record.id).await?;
    let m = message(app, record, phase, &ticks).map_err(anyhow::Error::new)?;
    if m.has_steps {
        outbox.checklist_here(m.content, m.buttons);
        if phase == Phase::Investigation {
            super::evidence::say(app, outbox, record)?;
        }
    }
    Ok(())
}

/// A press on a checklist button, read from its custom id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckClick {
    /// The incident.
    pub incident: IncidentId,
    /// The phase whose checklist it is on.
    pub phase: Phase,
    /// The step.
    pub step: StepId,
}

impl CheckClick {
    /// Reads what follows `check:` in a button's custom id: `<incident>:<phase>:<step>`.
    pub fn parse(about: &str) -> Result<Self, AppError> {
        let stale = || AppError::User(Refusal::StaleButton);
        let mut parts = about.splitn(3, ':');
        let incident = parts
            .next()
            .and_then(|p| p.parse::<i64>().ok())
            .map(IncidentId)
            .ok_or_else(stale)?;
        let phase = parts
            .next()
            .and_then(|p| Phase::parse(p).ok())
            .ok_or_else(stale)?;
        let step = parts
            .next()
            .and_then(|p| StepId::parse(p).ok())
            .ok_or_else(stale)?;
        Ok(Self {
            incident,
            phase,
            step,
        })
    }
}

/// Ticks the step, or undoes its tick, for `actor`: a responder ticks; a tick is undone by
/// whoever made it or by a commander. Returns the checklist message's new look.
#[tracing::instrument(skip_all)]
pub async fn tick(app: &App, actor: &Actor, click: CheckClick) -> Result<Clicked, AppError> {
    let team = team(app);
    let now = app.clock.now();
    let CheckClick {
        incident,
        phase,
        step,
    } = click;
    let mut tx = app.db.begin().await?;
    let record = tx
        .incident(incident)
        .await?
        .ok_or(Refusal::ButtonWithoutIncident)?;
    let i = &record.incident;
    actor.may(Action::Work, &team, i.roles.commander)?;
    if i.status == Status::Closed {
        return Err(TransitionError::Closed.into());
    }
    let (action, text) = match tx.tick_of(record.id, phase, &step).await? {
        Some(done) => {
            actor.may_untick(done.by, &team, i.roles.commander)?;
            tx.untick(record.id, phase, &step).await?;
            let said = TimelineView::Ticked {
                step: done.text,
                phase: phase.number(),
                ticked: false,
            };
            (
                "untick",
                crate::app::render(app, TemplateName::Timeline, &said)?,
            )
        }
        None => {
            tick_step(app, &mut tx, actor, &record, phase, &step).await?;
            let ticks = tx.ticks(record.id).await?;
            let m = message(app, &record, phase, &ticks).map_err(anyhow::Error::new)?;
            tx.commit().await?;
            return Ok(Clicked {
                content: m.content,
                buttons: m.buttons,
                menu: None,
            });
        }
    };
    let entry = TimelineEntry::by(actor.user, now, EntryKind::Checklist, text);
    tx.append_timeline(record.id, &[entry]).await?;
    let detail = json!({ "phase": phase.key(), "step": step.as_str() });
    audit(
        &mut tx,
        app,
        record.guild_id,
        actor,
        record.id,
        action,
        detail,
    )
    .await?;
    let ticks = tx.ticks(record.id).await?;
    let m = message(app, &record, phase, &ticks).map_err(anyhow::Error::new)?;
    tx.commit().await?;
    Ok(Clicked {
        content: m.content,
        buttons: m.buttons,
        menu: None,
    })
}

/// Ticks `step` of `phase` for `actor` (it is not ticked yet), with its timeline and audit
/// entries.
pub(crate) async fn tick_step(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    record: &IncidentRecord,
    phase: Phase,
    step: &StepId,
) -> Result<(), AppError> {
    let now = app.clock.now();
    let item = app
        .settings
        .checklists
        .list(phase, record.incident.kind)
        .iter()
        .find(|item| item.id == *step)
        .ok_or(Refusal::StepGone)?;
    let text = item.text.to_string();
    let done = Tick {
        phase,
        step: step.clone(),
        text: text.clone(),
        by: actor.user,
        at: now,
    };
    tx.tick(record.id, &done).await?;
    let said = TimelineView::Ticked {
        step: text,
        phase: phase.number(),
        ticked: true,
    };
    let said = crate::app::render(app, TemplateName::Timeline, &said)?;
    let entry = TimelineEntry::by(actor.user, now, EntryKind::Checklist, said);
    tx.append_timeline(record.id, &[entry]).await?;
    let detail = json!({ "phase": phase.key(), "step": step.as_str() });
    audit(tx, app, record.guild_id, actor, record.id, "tick", detail).await?;
    Ok(())
}

/// One phase's steps for a summary: the phase and its steps as shown.
struct PhaseSteps<'a> {
    phase: Phase,
    steps: Vec<Step<'a>>,
    /// The incident went through the phase, or someone ticked one of its steps.
    entered: bool,
}

impl PhaseSteps<'_> {
    fn done(&self) -> usize {
        self.steps.iter().filter(|s| s.tick.is_some()).count()
    }
}

/// The checklists that count so far: every phase up to the current one (a phase jumped over
/// counts, its steps skipped), and a later one that has ticks; phases without steps are left
/// out.
fn so_far<'a>(app: &'a App, i: &Incident, ticks: &'a [Tick]) -> Vec<PhaseSteps<'a>> {
    Phase::ALL
        .into_iter()
        .filter(|p| *p <= i.phase || ticks.iter().any(|t| t.phase == *p))
        .map(|phase| PhaseSteps {
            phase,
            steps: steps(&app.settings.checklists, phase, i.kind, i.severity, ticks),
            entered: i.phases.iter().any(|s| s.phase == phase)
                || ticks.iter().any(|t| t.phase == phase),
        })
        .filter(|p| !p.steps.is_empty())
        .collect()
}

/// How many steps of each phase are ticked, for `/incident status`.
pub(crate) fn counts(app: &App, i: &Incident, ticks: &[Tick]) -> Vec<ChecklistCount> {
    so_far(app, i, ticks)
        .iter()
        .map(|p| ChecklistCount {
            phase: p.phase.number(),
            done: p.done(),
            total: p.steps.len(),
        })
        .collect()
}

/// A step's short name: its label, or its text when it is no longer listed.
fn short(step: &Step<'_>) -> String {
    step.label().unwrap_or_else(|| step.text()).to_owned()
}

/// Each phase's checklist for the close summary: who ticked which steps (by label, grouped by
/// person in the order they first ticked) and which were skipped.
pub(crate) fn summaries(app: &App, i: &Incident, ticks: &[Tick]) -> Vec<ChecklistSummary> {
    so_far(app, i, ticks)
        .iter()
        .map(|p| {
            let mut by: Vec<(crate::domain::UserId, Vec<String>)> = Vec::new();
            let mut done: Vec<(&Tick, String)> = p
                .steps
                .iter()
                .filter_map(|s| s.tick.map(|t| (t, short(s))))
                .collect();
            done.sort_by_key(|(t, _)| t.at);
            for (t, label) in done {
                match by.iter_mut().find(|(u, _)| *u == t.by) {
                    Some((_, labels)) => labels.push(label),
                    None => by.push((t.by, vec![label])),
                }
            }
            let done_by = by
                .iter()
                .map(|(user, labels)| {
                    mention(*user)
                        .raw_then(" (")
                        .text_then(&labels.join(", "))
                        .raw_then(")")
                })
                .reduce(|a, b| a.raw_then(", ").push(b));
            let skipped: Vec<String> = p
                .steps
                .iter()
                .filter(|s| s.tick.is_none())
                .map(short)
                .collect();
            ChecklistSummary {
                phase: p.phase.number(),
                entered: p.entered,
                done: p.done(),
                total: p.steps.len(),
                done_by,
                skipped: (!skipped.is_empty()).then(|| skipped.join(", ")),
            }
        })
        .collect()
}

/// Each phase's checklist for the post-mortem draft, step by step: who ticked it (written by
/// `person`) and when, or whether it was skipped (its phase is over) or is not done yet.
pub(crate) fn reports(
    app: &App,
    i: &Incident,
    ticks: &[Tick],
    person: &dyn Fn(crate::domain::UserId) -> crate::render::Markup,
) -> Vec<ChecklistReport> {
    so_far(app, i, ticks)
        .iter()
        .map(|p| {
            let over = i.status == Status::Closed || p.phase < i.phase;
            ChecklistReport {
                phase: p.phase.number(),
                entered: p.entered,
                done: p.done(),
                total: p.steps.len(),
                steps: p
                    .steps
                    .iter()
                    .map(|s| ChecklistReportStep {
                        text: s.text().to_owned(),
                        done_by: s.tick.map(|t| person(t.by)),
                        done_at: s.tick.map(|t| full_date(t.at)),
                        state: match (s.tick, over) {
                            (Some(_), _) => "done",
                            (None, true) => "skipped",
                            (None, false) => "not done yet",
                        }
                        .to_owned(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The close summary's checklists, and whether who did what had to be left out: a summary
/// is one message, and with many steps the names would not fit.
pub(crate) fn fit_summary<F>(
    mut summaries: Vec<ChecklistSummary>,
    render: F,
) -> Result<String, AppError>
where
    F: Fn(Vec<ChecklistSummary>, bool) -> Result<String, AppError>,
{
    let full = render(summaries.clone(), false)?;
    if full.chars().count() < crate::render::MESSAGE_LIMIT {
        return Ok(full);
    }
    for s in &mut summaries {
        s.done_by = None;
        s.skipped = None;
    }
    render(summaries, true)
}
