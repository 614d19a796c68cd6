//! `/maintenance schedule | move | cancel | start | extend | end | list`.

use chrono::{DateTime, TimeDelta, Utc};

use super::{allowed, audit, line, on_timeline, queue_sync, queue_times};
use crate::app::{render, App, AppError};
use crate::domain::{
    parse_when, window_length, window_message, window_title, Actor, ChannelId, EventId, IncidentId,
    IncidentKind, MaintenanceError, Refusal, Systems, Window, WindowStatus,
};
use crate::render::{full_date, MaintenanceDone, MaintenanceStaff, Stage, TemplateName};
use crate::store::{IncidentRecord, Tx};

/// `/maintenance …`, as parsed at the edge.
#[derive(Debug, Clone)]
pub enum MaintenanceArgs {
    /// Plan a window.
    Schedule {
        /// The systems, comma-separated.
        systems: String,
        /// When it starts, as typed.
        start: String,
        /// How long it lasts, as typed.
        duration: String,
        /// Its title; made from the systems when left out.
        title: Option<String>,
        /// What players are told.
        message: Option<String>,
    },
    /// Move the next scheduled window.
    Move {
        /// Its new start, as typed.
        start: String,
        /// Its new length, as typed; its length is kept when left out.
        duration: Option<String>,
    },
    /// Call off the next scheduled window.
    Cancel,
    /// Start an unplanned window now.
    Start {
        /// The systems, comma-separated.
        systems: String,
        /// How long it is expected to last, as typed.
        duration: String,
        /// What players are told.
        message: Option<String>,
        /// The number of the incident it is for (else the incident of the channel, if any).
        incident: Option<u32>,
    },
    /// Push back the end of the running window.
    Extend {
        /// By how much, as typed.
        by: String,
    },
    /// End the running window now.
    End {
        /// What players are told with the end, if anything.
        message: Option<String>,
    },
    /// List the windows not over, with how many members are interested in each event
    /// (`None`: Discord did not say).
    List {
        /// Interest by event.
        interest: Option<Vec<(EventId, u64)>>,
    },
}

/// Runs `/maintenance …` for `actor`, in `channel`; returns the answer.
#[tracing::instrument(skip_all, fields(origin = origin))]
pub async fn maintenance(
    app: &App,
    actor: &Actor,
    channel: ChannelId,
    origin: &str,
    args: MaintenanceArgs,
) -> Result<String, AppError> {
    if let MaintenanceArgs::List { interest } = args {
        return list(app, actor, interest).await;
    }
    let now = app.clock.now();
    // Found before the transaction: a read outside it would wait for it on SQLite.
    let incident = match &args {
        MaintenanceArgs::Start { incident, .. } => incident_for(app, channel, *incident).await?,
        _ => None,
    };
    let mut tx = app.db.begin().await?;
    let (w, stage) = match args {
        MaintenanceArgs::Schedule {
            systems,
            start,
            duration,
            title,
            message,
        } => {
            allowed(app, actor, None)?;
            let systems = parse_systems(&systems)?;
            let start = parse_when(&start, now)?;
            let w = Window {
                id: 0,
                title: window_title(title.as_deref(), &systems)?,
                message: window_message(message.as_deref())?,
                systems,
                start,
                end: start + window_length(&duration)?,
                status: WindowStatus::Scheduled,
                incident: None,
                event: None,
                created_by: actor.user,
                created_at: now,
                started_at: None,
                ended_at: None,
            };
            (insert(app, &mut tx, w, origin).await?, "scheduled")
        }
        MaintenanceArgs::Start {
            systems,
            duration,
            message,
            ..
        } => {
            // Read again in the transaction: its kind decides whether a window may open.
            let record = match incident {
                Some(id) => tx.incident(id).await?,
                None => None,
            };
            let systems = parse_systems(&systems)?;
            let w = unplanned(app, actor, record.as_ref(), systems, &duration, message)?;
            (insert(app, &mut tx, w, origin).await?, "started")
        }
        other => change(app, &mut tx, actor, other, now, origin).await?,
    };
    audit(app, &mut tx, actor, &format!("maintenance.{stage}"), &w).await?;
    let said =
        super::entry_text(app, stage, &w, Some(full_date(w.end))).map_err(anyhow::Error::new)?;
    on_timeline(&mut tx, w.incident, Some(actor), now, said).await?;
    tx.commit().await?;
    app.waker.wake();
    app.public.changed();
    done(app, &w, stage)
}

/// Moves, cancels, extends or ends a window.
async fn change(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    args: MaintenanceArgs,
    now: DateTime<Utc>,
    origin: &str,
) -> Result<(Window, &'static str), AppError> {
    let open = tx.open_windows().await?;
    let scheduled = open.iter().find(|w| w.status == WindowStatus::Scheduled);
    let running = open.iter().find(|w| w.status == WindowStatus::InProgress);
    let (mut w, stage) = match &args {
        MaintenanceArgs::Move { .. } | MaintenanceArgs::Cancel => {
            let w = scheduled.ok_or(MaintenanceError::NoneScheduled)?;
            let stage = if matches!(args, MaintenanceArgs::Cancel) {
                "cancelled"
            } else {
                "moved"
            };
            (w.clone(), stage)
        }
        _ => {
            let w = running.ok_or(MaintenanceError::NoneRunning)?;
            let stage = if matches!(args, MaintenanceArgs::End { .. }) {
                "ended"
            } else {
                "extended"
            };
            (w.clone(), stage)
        }
    };
    let commander = match w.incident {
        Some(id) => tx
            .incident(id)
            .await?
            .and_then(|r| r.incident.roles.commander),
        None => None,
    };
    allowed(app, actor, commander)?;
    match args {
        MaintenanceArgs::Move { start, duration } => {
            let length = duration.as_deref().map(window_length).transpose()?;
            w.move_to(parse_when(&start, now)?, length)?;
        }
        MaintenanceArgs::Cancel => w.cancel(now)?,
        MaintenanceArgs::Extend { by } => w.extend(window_length(&by)?)?,
        MaintenanceArgs::End { message } => {
            if let Some(m) = window_message(message.as_deref())? {
                w.message = Some(m);
            }
            w.finish(now);
        }
        _ => {}
    }
    tx.save_window(&w).await?;
    if !w.status.is_over() {
        queue_times(app, tx, &w, origin).await?;
    }
    queue_sync(app, tx, &w, stage, origin).await?;
    Ok((w, stage))
}

/// The systems of a window: at least one.
fn parse_systems(text: &str) -> Result<Systems, AppError> {
    let systems = Systems::parse(text)?;
    if systems.is_empty() {
        return Err(MaintenanceError::NoSystems.into());
    }
    Ok(systems)
}

/// An unplanned window starting now, for `record` if given (never a security incident).
fn unplanned(
    app: &App,
    actor: &Actor,
    record: Option<&IncidentRecord>,
    systems: Systems,
    duration: &str,
    message: Option<String>,
) -> Result<Window, AppError> {
    if record.is_some_and(|r| r.incident.kind == IncidentKind::Security) {
        return Err(MaintenanceError::Security.into());
    }
    allowed(app, actor, record.and_then(|r| r.incident.roles.commander))?;
    let now = app.clock.now();
    Ok(Window {
        id: 0,
        title: window_title(None, &systems)?,
        message: window_message(message.as_deref())?,
        systems,
        start: now,
        end: now + window_length(duration)?,
        status: WindowStatus::InProgress,
        incident: record.map(|r| r.id),
        event: None,
        created_by: actor.user,
        created_at: now,
        started_at: Some(now),
        ended_at: None,
    })
}

/// The incident numbered `number`, else the incident of `channel`, if any.
async fn incident_for(
    app: &App,
    channel: ChannelId,
    number: Option<u32>,
) -> Result<Option<IncidentId>, AppError> {
    let guild = app.settings.discord.guild_id;
    let found = match number {
        Some(n) => app
            .db
            .incident_by_number(guild, n)
            .await?
            .ok_or(Refusal::NoSuchIncident {
                number: n,
                open: vec![],
            })?,
        None => match app.db.incident_by_channel(channel).await? {
            Some(r) => r,
            None => return Ok(None),
        },
    };
    Ok(Some(found.id))
}

/// Records a new window and queues its event, its post and its times.
async fn insert(app: &App, tx: &mut Tx, mut w: Window, origin: &str) -> Result<Window, AppError> {
    w.id = tx.insert_window(&w).await?;
    let stage = if w.status == WindowStatus::InProgress {
        "started"
    } else {
        "scheduled"
    };
    queue_times(app, tx, &w, origin).await?;
    queue_sync(app, tx, &w, stage, origin).await?;
    Ok(w)
}

/// Starts an unplanned window for the incident `record` on its systems, from its checklist's
/// "Enable maintenance mode" step; returns the window, or why not.
pub(in crate::app) async fn start_for_incident(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    record: &IncidentRecord,
    origin: &str,
    length: TimeDelta,
) -> Result<Window, AppError> {
    let open = tx.open_windows().await?;
    if let Some(w) = open.into_iter().find(|w| w.incident == Some(record.id)) {
        return Ok(w);
    }
    let systems = record.incident.systems.clone();
    if systems.is_empty() {
        return Err(MaintenanceError::NoSystems.into());
    }
    let minutes = format!("{}m", length.num_minutes());
    let w = unplanned(app, actor, Some(record), systems, &minutes, None)?;
    insert(app, tx, w, origin).await
}

/// The answer to a command that did `stage` to `w`.
fn done(app: &App, w: &Window, stage: &str) -> Result<String, AppError> {
    let view = MaintenanceStaff {
        done: Some(MaintenanceDone {
            stage: Stage::named(stage),
            window: line(w, None, None),
        }),
        ..MaintenanceStaff::default()
    };
    render(app, TemplateName::MaintenanceStaff, &view)
}

/// `/maintenance list`: the windows not over, with their events' interest.
async fn list(
    app: &App,
    actor: &Actor,
    interest: Option<Vec<(EventId, u64)>>,
) -> Result<String, AppError> {
    if !actor.is_responder(&crate::app::team(app)) {
        allowed(app, actor, None)?;
    }
    let windows = app.db.open_windows().await?;
    let mut lines = Vec::with_capacity(windows.len());
    for w in &windows {
        let count = w.event.and_then(|e| {
            let all = interest.as_ref()?;
            Some(all.iter().find(|(id, _)| *id == e).map_or(0, |(_, n)| *n))
        });
        let number = match w.incident {
            Some(id) => app.db.incident(id).await?.map(|r| r.number.0),
            None => None,
        };
        lines.push(line(w, count, number));
    }
    let view = MaintenanceStaff {
        list: Some(lines),
        ..MaintenanceStaff::default()
    };
    render(app, TemplateName::MaintenanceStaff, &view)
}
