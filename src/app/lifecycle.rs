//! Changing an incident from its channel: severity, phase, roles, updates, notes, resolve and
//! close. One function, so every change is authorized, audited and queued the same way.

use serde_json::json;

use super::declare::queue_alert;
use super::App;
use super::{audit, postmortem, reminders, team, AppError, Effect, Outbox};
use crate::domain::{
    Action, Actor, Candidate, ChannelId, Command, IncidentKind, ShortText, Status,
};
use crate::render::{
    human, mention, role_pings, timestamp, AllClear, Checklist, CloseSummary, Markup, Notice,
    PhaseLine, StatusUpdate, TemplateName,
};
use crate::store::{AnnouncementKind, IncidentRecord, Tx};

/// A change, as parsed at the edge.
#[derive(Debug, Clone)]
pub struct ChangeArgs {
    /// The domain command.
    pub command: Command,
    /// The ETA of a public update.
    pub eta: Option<ShortText>,
    /// For an assignment: the person named, as the guild knows them.
    pub assignee: Option<Candidate>,
}

impl From<Command> for ChangeArgs {
    /// A change with no ETA and no assignee.
    fn from(command: Command) -> Self {
        Self {
            command,
            eta: None,
            assignee: None,
        }
    }
}

/// The outcome.
#[derive(Debug, Clone)]
pub struct Changed {
    /// The incident after the change.
    pub record: IncidentRecord,
    /// What to tell the person who asked.
    pub reply: String,
}

/// Which right a command needs.
fn needed(command: &Command) -> Action {
    match command {
        Command::ChangeSeverity { .. } | Command::Resolve { .. } | Command::Close => {
            Action::Command
        }
        _ => Action::Work,
    }
}

/// Loads the incident whose channel this is, or says where to go instead, naming only the
/// incidents `actor` may see (and none to people outside the response team).
pub(super) async fn incident_here(
    app: &App,
    actor: &Actor,
    channel: ChannelId,
) -> Result<IncidentRecord, AppError> {
    if let Some(record) = app.db.incident_by_channel(channel).await? {
        return Ok(record);
    }
    let open = super::status::visible_unclosed(app, actor).await?;
    let list: Vec<String> = open
        .iter()
        .filter_map(|r| r.channel_id.map(|c| format!("<#{c}> (#{})", r.number)))
        .collect();
    Err(AppError::user(if list.is_empty() {
        "This is not an incident channel, and no incident you can see is open. Declare one with /incident declare.".to_owned()
    } else {
        format!(
            "This is not an incident channel. Run the command in the incident's channel: {}.",
            list.join(", ")
        )
    }))
}

/// Applies `args` to the incident of `channel`, for `actor`. `origin` makes its jobs idempotent.
#[tracing::instrument(skip_all, fields(origin = origin))]
pub async fn change(
    app: &App,
    actor: &Actor,
    channel: ChannelId,
    origin: &str,
    args: ChangeArgs,
) -> Result<Changed, AppError> {
    let found = incident_here(app, actor, channel).await?;
    authorize(app, actor, &found, &args)?;
    let now = app.clock.now();
    // Read before writing: the recurrence rule looks at earlier incidents.
    let earlier = match &args.command {
        Command::Resolve { .. } => {
            let i = &found.incident;
            let since = i.declared_at - app.settings.postmortem_policy().recurrence_window;
            Some(
                app.db
                    .earlier_incidents(found.guild_id, &i.systems, since, i.declared_at)
                    .await?,
            )
        }
        _ => None,
    };
    let mut tx = app.db.begin().await?;
    // Re-read inside the transaction: a concurrent change must not be lost.
    let mut record = tx
        .incident(found.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("incident {} vanished", found.id))?;
    // Authorize again on what the transaction sees: command may have changed hands meanwhile.
    authorize(app, actor, &record, &args)?;
    let before = record.incident.clone();
    let entries = record
        .incident
        .apply(args.command.clone(), actor.user, now)?;
    tx.save_incident(&record).await?;
    tx.append_timeline(record.id, &entries).await?;
    let action = command_name(&args.command);
    audit(
        &mut tx,
        app,
        record.guild_id,
        actor,
        record.id,
        action,
        json!({ "timeline": entries.iter().map(|e| &e.text).collect::<Vec<_>>() }),
    )
    .await?;
    let mut outbox = Outbox::new(origin, record.id, now);
    let mut reply = effects(app, &mut tx, &mut outbox, actor, &before, &record, &args).await?;
    reminders::on_change(
        app,
        &mut tx,
        &mut outbox,
        &before,
        &record,
        &args.command,
        now,
    )
    .await?;
    if let (Command::Resolve { .. }, Some(earlier)) = (&args.command, earlier) {
        let said =
            postmortem::on_resolve(app, &mut tx, &mut outbox, &record, &earlier, now).await?;
        if !said.is_empty() {
            reply.push(' ');
            reply.push_str(&said);
        }
    }
    outbox.flush_here(&mut tx).await?;
    tx.commit().await?;
    app.waker.wake();
    app.metrics.incident_changed(&before, &record.incident, now);
    Ok(Changed { record, reply })
}

/// Whether `actor` may apply `args` to `record`: the right the command needs, and for an
/// assignment the rules of who may take, hand over and hold a role.
fn authorize(
    app: &App,
    actor: &Actor,
    record: &IncidentRecord,
    args: &ChangeArgs,
) -> Result<(), AppError> {
    let team = team(app);
    let commander = record.incident.roles.commander;
    actor.may(needed(&args.command), &team, commander)?;
    if let Command::Assign { role, user } = &args.command {
        let candidate = args
            .assignee
            .as_ref()
            .filter(|c| c.user == *user)
            .ok_or_else(|| anyhow::anyhow!("an assignment came without its member data"))?;
        actor.may_assign(*role, candidate, &team, commander)?;
    }
    Ok(())
}

fn command_name(c: &Command) -> &'static str {
    match c {
        Command::ChangeSeverity { .. } => "severity",
        Command::AdvancePhase { .. } => "phase",
        Command::Assign { .. } => "assign",
        Command::Update { .. } => "update",
        Command::Note { .. } => "note",
        Command::Resolve { .. } => "resolve",
        Command::Close => "close",
    }
}

fn notice(
    app: &App,
    ping_roles: &[crate::domain::RoleId],
    icon: &str,
    headline: Markup,
    body: Option<String>,
) -> Result<String, AppError> {
    let view = Notice {
        ping: role_pings(ping_roles),
        icon: icon.to_owned(),
        headline,
        body,
    };
    super::render(app, TemplateName::Notice, &view)
}

/// Queues what each command shows people, and says what to reply.
async fn effects(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    actor: &Actor,
    before: &crate::domain::Incident,
    record: &IncidentRecord,
    args: &ChangeArgs,
) -> Result<String, AppError> {
    let i = &record.incident;
    let who = mention(actor.user);
    Ok(match &args.command {
        Command::ChangeSeverity { to, reason } => {
            let raised = to.is_more_severe_than(before.severity);
            let ping = if raised {
                app.page_roles(i.kind, *to)
            } else {
                vec![]
            };
            let verb = if raised { "raised" } else { "lowered" };
            let text = notice(
                app,
                &ping,
                if raised { "⬆️" } else { "⬇️" },
                Markup::raw(format!(
                    "Severity {verb} from {} to {to} by {who}",
                    before.severity
                )),
                reason.as_ref().map(ToString::to_string),
            )?;
            outbox.say_here(text, ping);
            let alerted = !tx
                .announcements_of(record.id, AnnouncementKind::Alert)
                .await?
                .is_empty();
            if raised
                && app.settings.severity.get(*to).announce
                && i.kind == IncidentKind::Availability
                && !alerted
            {
                queue_alert(app, tx, outbox, record).await?;
                format!("Severity is now {to}. The service alert is going out to players.")
            } else {
                format!("Severity is now {to}.")
            }
        }
        Command::AdvancePhase { to } => {
            let view = Checklist::current(i, &app.phase_budgets());
            let text = super::render(app, TemplateName::Checklist, &view)?;
            outbox.say_here(
                format!("➡️ Moved to phase {} by {who}\n{text}", to.number()),
                vec![],
            );
            format!("Moved to {to}.")
        }
        Command::Assign { role, user } => {
            let title = role.title().to_lowercase();
            let headline = match before.roles.get(*role) {
                Some(previous) => Markup::raw(format!(
                    "{} handed over from {} to {} by {who}",
                    role.title(),
                    mention(previous),
                    mention(*user)
                )),
                None => Markup::raw(format!(
                    "{} is now {title} (assigned by {who})",
                    mention(*user)
                )),
            };
            let text = notice(app, &[], "👤", headline, None)?;
            outbox.say_here(text, vec![]);
            format!("{} is now {title}.", mention(*user))
        }
        Command::Update { message, public } => {
            let text = notice(
                app,
                &[],
                "📣",
                Markup::raw(format!("Update from {who}")),
                Some(message.to_string()),
            )?;
            outbox.say_here(text, vec![]);
            if *public {
                let view = StatusUpdate {
                    system: i.systems.display(),
                    message: message.to_string(),
                    eta: args.eta.as_ref().map(ToString::to_string),
                    status_url: app.settings.status.url.clone(),
                };
                super::announce(
                    app,
                    tx,
                    outbox,
                    record.id,
                    AnnouncementKind::Update,
                    &view,
                    vec![],
                )
                .await?;
                let channel = app.settings.channels.announcements;
                format!("Update posted here and to <#{channel}>.")
            } else {
                "Update posted.".to_owned()
            }
        }
        Command::Note { .. } => "Added to the timeline.".to_owned(),
        Command::Resolve {
            root_cause,
            compensation,
        } => {
            let ttr = i.time_to_resolve().map(human).unwrap_or_default();
            let text = notice(
                app,
                &[],
                "✅",
                Markup::raw(format!("Resolved by {who} after {ttr}")),
                Some(format!("Root cause: {root_cause}")),
            )?;
            outbox.say_here(text, vec![]);
            let view = Checklist::current(i, &app.phase_budgets());
            let checklist = super::render(app, TemplateName::Checklist, &view)?;
            outbox.say_here(checklist, vec![]);
            // A security incident is never announced, so it never gets an all-clear either.
            let public = i.kind == IncidentKind::Availability
                && (!tx
                    .announcements_of(record.id, AnnouncementKind::Alert)
                    .await?
                    .is_empty()
                    || !tx
                        .announcements_of(record.id, AnnouncementKind::Update)
                        .await?
                        .is_empty());
            if public {
                let view = AllClear {
                    system: i.systems.display(),
                    root_cause: root_cause.to_string(),
                    compensation: compensation.as_ref().map(ToString::to_string),
                };
                super::announce(
                    app,
                    tx,
                    outbox,
                    record.id,
                    AnnouncementKind::AllClear,
                    &view,
                    vec![],
                )
                .await?;
                format!("Resolved after {ttr}. The all-clear is going out to players.")
            } else {
                format!("Resolved after {ttr}.")
            }
        }
        Command::Close => {
            let timeline_len = tx.timeline_len(record.id).await?;
            let view = CloseSummary {
                number: record.number.0,
                title: i.title.to_string(),
                severity: i.severity.to_string(),
                declared_at: timestamp(i.declared_at),
                resolved_at: i.resolved_at.map(timestamp).unwrap_or_default(),
                time_to_resolve: i.time_to_resolve().map(human).unwrap_or_default(),
                phases: i
                    .phases
                    .iter()
                    .map(|s| PhaseLine {
                        title: s.phase.to_string(),
                        duration: human(s.ended_at.unwrap_or(i.last_change_at) - s.started_at),
                    })
                    .collect(),
                timeline_len,
            };
            let summary = super::render(app, TemplateName::CloseSummary, &view)?;
            outbox.push(tx, Effect::Archive { summary }).await?;
            debug_assert_eq!(i.status, Status::Closed);
            "Closed. The channel is being archived and locked.".to_owned()
        }
    })
}
