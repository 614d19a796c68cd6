//! The checklists' maintenance steps as actions: containment's `maintenance` step ("Enable
//! maintenance mode") gets a button that starts an unplanned window on the incident's
//! systems, and recovery's `maintenance-off` ("Disable maintenance mode") one that ends it.
//! The first press asks to confirm, on the same message; the second acts, ticks the step and
//! writes both on the timeline.

use super::commands::start_for_incident;
use super::{allowed, audit, on_timeline, queue_sync};
use crate::app::checklists::{message, tick_step};
use crate::app::{App, AppError, Button, ButtonStyle, Clicked};
use crate::domain::{
    Action, Actor, IncidentId, IncidentKind, Phase, Refusal, Status, Step, StepId, WindowStatus,
};
use crate::render::Label;
use crate::store::{IncidentRecord, Tx};

/// The custom id prefix of a maintenance step's button: `mnt:<incident>:<on|off>[:yes]`.
pub const MAINTENANCE_BUTTON: &str = "mnt";

/// The step of containment that starts a window, and the step of recovery that ends it.
const ON_STEP: &str = "maintenance";
const OFF_STEP: &str = "maintenance-off";

/// The action button beside `step` of `phase`, if it is a maintenance step not ticked yet
/// (never for a security incident: a maintenance message is a public statement).
pub(in crate::app) fn step_button(
    templates: &crate::render::Templates,
    record: &IncidentRecord,
    phase: Phase,
    step: &Step<'_>,
) -> Option<Button> {
    if step.tick.is_some() || record.incident.kind == IncidentKind::Security {
        return None;
    }
    use crate::render::Label;
    let (which, label) = match (phase, step.id.as_str()) {
        (Phase::Containment, ON_STEP) => ("on", Label::StartMaintenance),
        (Phase::Recovery, OFF_STEP) => ("off", Label::EndMaintenance),
        _ => return None,
    };
    Some(Button {
        custom_id: format!("{MAINTENANCE_BUTTON}:{}:{which}", record.id),
        label: templates.label(&label),
        style: ButtonStyle::Primary,
    })
}

/// A press on a maintenance step's button (`about`: what follows `mnt:`): the first asks to
/// confirm, the confirmation acts. Returns the checklist message's new look.
#[tracing::instrument(skip_all)]
pub async fn maintenance_click(
    app: &App,
    actor: &Actor,
    about: &str,
    origin: &str,
) -> Result<Clicked, AppError> {
    let stale = || AppError::from(Refusal::StaleButton);
    let mut parts = about.split(':');
    let id = parts
        .next()
        .and_then(|p| p.parse::<i64>().ok())
        .ok_or_else(stale)?;
    let on = match parts.next() {
        Some("on") => true,
        Some("off") => false,
        _ => return Err(stale()),
    };
    let confirmed = parts.next() == Some("yes");
    let mut tx = app.db.begin().await?;
    let record = tx.incident(IncidentId(id)).await?.ok_or_else(stale)?;
    let i = &record.incident;
    actor.may(Action::Work, &crate::app::team(app), i.roles.commander)?;
    allowed(app, actor, i.roles.commander)?;
    if i.status == Status::Closed {
        return Err(crate::domain::TransitionError::Closed.into());
    }
    let (phase, step) = if on {
        (Phase::Containment, ON_STEP)
    } else {
        (Phase::Recovery, OFF_STEP)
    };
    if !confirmed {
        return ask(app, &mut tx, &record, phase, on).await;
    }
    let length = crate::config::delta(app.settings.maintenance.default_length);
    let (w, said) = if on {
        let w = start_for_incident(app, &mut tx, actor, &record, origin, length).await?;
        (w, "started")
    } else {
        (
            end_for_incident(app, &mut tx, record.id, origin).await?,
            "ended",
        )
    };
    audit(app, &mut tx, actor, &format!("maintenance.{said}"), &w).await?;
    let now = app.clock.now();
    let text = super::entry_text(app, said, &w, Some(crate::render::full_date(w.end)))
        .map_err(anyhow::Error::new)?;
    on_timeline(&mut tx, Some(record.id), Some(actor), now, text).await?;
    let step = StepId::parse(step).map_err(|e| AppError::Internal(e.into()))?;
    if tx.tick_of(record.id, phase, &step).await?.is_none() {
        tick_step(app, &mut tx, actor, &record, phase, &step).await?;
    }
    let ticks = tx.ticks(record.id).await?;
    let m = message(app, &record, phase, &ticks).map_err(anyhow::Error::new)?;
    tx.commit().await?;
    app.waker.wake();
    app.public.changed();
    Ok(Clicked {
        content: m.content,
        buttons: m.buttons,
        menu: None,
    })
}

/// The checklist with the step's button turned into its confirmation.
async fn ask(
    app: &App,
    tx: &mut Tx,
    record: &IncidentRecord,
    phase: Phase,
    on: bool,
) -> Result<Clicked, AppError> {
    let ticks = tx.ticks(record.id).await?;
    let mut m = message(app, record, phase, &ticks).map_err(anyhow::Error::new)?;
    let which = if on { "on" } else { "off" };
    let id = format!("{MAINTENANCE_BUTTON}:{}:{which}", record.id);
    let length = crate::config::delta(app.settings.maintenance.default_length);
    let label = app.templates.label(&if on {
        Label::ConfirmMaintenanceOn {
            systems: crate::render::cap(&record.incident.systems.display(), 40),
            minutes: length.num_minutes(),
        }
    } else {
        Label::ConfirmMaintenanceOff
    });
    for b in m.buttons.iter_mut().filter(|b| b.custom_id == id) {
        b.custom_id = format!("{id}:yes");
        b.label = crate::render::cap(&label, 80);
        b.style = ButtonStyle::Danger;
    }
    Ok(Clicked {
        content: m.content,
        buttons: m.buttons,
        menu: None,
    })
}

/// Ends the window under way for the incident `incident`.
async fn end_for_incident(
    app: &App,
    tx: &mut Tx,
    incident: IncidentId,
    origin: &str,
) -> Result<crate::domain::Window, AppError> {
    let open = tx.open_windows().await?;
    let Some(mut w) = open
        .into_iter()
        .find(|w| w.incident == Some(incident) && w.status == WindowStatus::InProgress)
    else {
        return Err(Refusal::NoMaintenanceUnderWay.into());
    };
    let now = app.clock.now();
    w.finish(now);
    tx.save_window(&w).await?;
    queue_sync(app, tx, &w, "ended", origin).await?;
    Ok(w)
}
