//! Maintenance windows, planned and unplanned: `/maintenance …`, the Discord Scheduled Event
//! (EXTERNAL) that carries each, the 🛠️ posts to players, the staff reminder, and the window
//! following its event as Discord starts and completes it.
//!
//! A command records the window and queues jobs in one transaction: [`Effect::SyncWindow`]
//! makes the event match the record (and then tells players), [`Effect::WindowDue`] at the
//! start and the end catches a gateway update the bot missed (a restart), and
//! [`Effect::WindowReminder`] reminds the staff. The record is the truth: nothing scheduled is
//! lost across a restart, since every step is a job.

mod commands;
mod follow;
mod hook;
mod steps;
mod sync;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::effects::enqueue;
use super::{team, App, AppError, Effect};
use crate::domain::{Actor, ChannelId, EntryKind, IncidentId, TimelineEntry, Window};
use crate::render::{timestamp, MaintenanceLine};
use crate::store::Tx;

pub use commands::{maintenance, MaintenanceArgs};
pub use follow::event_changed;
pub(in crate::app) use steps::step_button;
pub use steps::{maintenance_click, MAINTENANCE_BUTTON};

/// The line at the end of an event's description that finds it again after a crash.
fn marker(id: i64) -> String {
    format!("(ref: incident-bot maintenance #{id})")
}

/// A window as the staff read it in a line.
fn line(w: &Window, interested: Option<u64>, number: Option<u32>) -> MaintenanceLine {
    MaintenanceLine {
        status: w.status.as_str().to_owned(),
        title: w.title.to_string(),
        systems: w.systems.display(),
        start: timestamp(w.start),
        end: timestamp(w.end),
        interested,
        incident: number.map(|n| format!("#{n}")),
    }
}

/// Queues `effect` about window `id` at `due`, keyed by `about` and the origin that asks: a
/// re-run of the same origin never queues it twice.
async fn queue(
    app: &App,
    tx: &mut Tx,
    effect: Effect,
    about: &str,
    origin: &str,
    due: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    let key = format!("{about}@{origin}");
    enqueue(tx, &effect, None, key, due, app.clock.now()).await
}

/// Queues the jobs of a window's times: the reminder before it starts (when scheduled and
/// far enough ahead), and the checks at its start and end.
async fn queue_times(
    app: &App,
    tx: &mut Tx,
    w: &Window,
    origin: &str,
) -> Result<(), crate::store::Error> {
    let now = app.clock.now();
    let id = w.id;
    if let Some(before) = app.settings.maintenance.remind_before {
        let at = w.start - crate::config::delta(before);
        if w.status == crate::domain::WindowStatus::Scheduled && at > now {
            let start = w.start.timestamp();
            let effect = Effect::WindowReminder { window: id, start };
            queue(
                app,
                tx,
                effect,
                &format!("mw:{id}:remind:{start}"),
                origin,
                at,
            )
            .await?;
        }
    }
    for at in [w.start, w.end] {
        let effect = Effect::WindowDue { window: id };
        let about = format!("mw:{id}:due:{}", at.timestamp());
        queue(app, tx, effect, &about, origin, at.max(now)).await?;
    }
    Ok(())
}

/// Queues the sync of the window's event, then the post to players of `stage`.
async fn queue_sync(
    app: &App,
    tx: &mut Tx,
    w: &Window,
    stage: &str,
    origin: &str,
) -> Result<(), crate::store::Error> {
    let effect = Effect::SyncWindow {
        window: w.id,
        stage: Some(stage.to_owned()),
    };
    let now = app.clock.now();
    queue(
        app,
        tx,
        effect,
        &format!("mw:{}:sync:{stage}", w.id),
        origin,
        now,
    )
    .await?;
    match stage {
        "started" => hook::queue_hook(app, tx, w, true).await?,
        "ended" => hook::queue_hook(app, tx, w, false).await?,
        _ => {}
    }
    crate::app::status_hooks::on_window(app, tx, w.id, now).await?;
    // Every replica's status page shows the change.
    tx.public_changed().await
}

/// The timeline's words for window `w` at `stage` (`started`), until `until` when said.
fn entry_text(
    app: &App,
    stage: &str,
    w: &Window,
    until: Option<String>,
) -> Result<String, crate::render::RenderError> {
    let view = crate::render::TimelineView::Maintenance {
        stage: stage.to_owned(),
        title: w.title.to_string(),
        until,
    };
    app.templates.timeline_text(&view)
}

/// Writes `text` on the timeline of the incident the window is for, if any, by `actor`.
async fn on_timeline(
    tx: &mut Tx,
    incident: Option<IncidentId>,
    actor: Option<&Actor>,
    at: DateTime<Utc>,
    text: String,
) -> Result<(), crate::store::Error> {
    let Some(incident) = incident else {
        return Ok(());
    };
    let entry = TimelineEntry {
        at,
        actor: actor.map(|a| a.user),
        kind: EntryKind::Bot,
        text,
        source_message: None,
    };
    tx.append_timeline(incident, &[entry]).await.map(|_| ())
}

/// Checks that `actor` may open, move or end windows (`incident_commander`: the commander of
/// the incident a window is for).
fn allowed(
    app: &App,
    actor: &Actor,
    incident_commander: Option<crate::domain::UserId>,
) -> Result<(), AppError> {
    actor.may_maintain(
        &team(app),
        app.settings.roles.maintenance,
        incident_commander,
    )?;
    Ok(())
}

/// Writes the audit entry of a command on `w`.
async fn audit(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    w: &Window,
) -> Result<(), crate::store::Error> {
    tx.audit(&crate::store::AuditEntry {
        at: app.clock.now(),
        guild_id: app.settings.discord.guild_id,
        actor: Some(actor.user),
        incident: w.incident,
        action: action.to_owned(),
        detail: json!({
            "window": w.id,
            "start": w.start.to_rfc3339(),
            "end": w.end.to_rfc3339(),
            "status": w.status.as_str(),
        }),
    })
    .await
}

/// Where the staff are told of windows: the log channel.
fn staff_channel(app: &App) -> Option<ChannelId> {
    app.settings.channels.log
}
