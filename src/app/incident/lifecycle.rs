//! Changing an incident from its channel: severity, phase, roles, updates, notes, resolve and
//! close. One function, so every change is authorized, audited and queued the same way; what
//! the end of the work shows people is in `resolution`, the corrected facts in `corrections`.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::corrections::{self, Prepared};
use super::declare::queue_alert;
use super::App;
use super::{
    answer, audit, checklists, reminders, resolution, team, workflow, AppError, Clicked, Outbox,
};
use crate::domain::{
    Action, Actor, Candidate, ChannelId, Command, EarlierIncident, FreeText, IncidentId,
    IncidentKind, IncidentRole, Named, Phase, Refusal, Severity, ShortText, Status, UserId,
};
use crate::render::{
    mention, role_pings, timestamp, AssignAnswer, BackIn, FixAnswered, Markup, Notice, PhaseAnswer,
    PhaseMoved, RoleAssigned, SeverityAnswer, SeverityChanged, TemplateName, TimelineAnswer,
    UpdateAnswer, UpdatePosted,
};
use crate::store::{AnnouncementKind, IncidentRecord, Tx};

/// A change, as parsed at the edge.
#[derive(Debug, Clone)]
pub struct ChangeArgs {
    /// The domain command.
    pub command: Command,
    /// For an assignment: the person named, as the guild knows them.
    pub assignee: Option<Candidate>,
    /// For an update or an announcement: the typed text in the players' other languages.
    pub translations: crate::domain::Translations,
}

impl From<Command> for ChangeArgs {
    /// A change with no assignee.
    fn from(command: Command) -> Self {
        Self {
            command,
            assignee: None,
            translations: crate::domain::Translations::default(),
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
        Command::ChangeSeverity { .. }
        | Command::Resolve { .. }
        | Command::FixHeld
        | Command::Close => Action::Command,
        Command::Announce { .. } | Command::Update { publish: true, .. } => Action::Announce,
        Command::ChangeKind {
            to: IncidentKind::Availability,
        } => Action::Declassify,
        // Saying the fix failed is caution any responder may exercise.
        _ => Action::Work,
    }
}

/// Where a command about one incident runs: a channel, and the incident's number when typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// The channel it runs in.
    pub channel: ChannelId,
    /// `incident:` as typed, for a command run from the log channel.
    pub incident: Option<u32>,
}

impl From<ChannelId> for Place {
    fn from(channel: ChannelId) -> Self {
        Self {
            channel,
            incident: None,
        }
    }
}

/// Loads the incident whose channel this is, or, from the log channel, the one numbered in
/// `incident:` (so an incident whose channel never opened can still be worked and closed); or
/// says where to go instead, naming only the incidents `actor` may see (and none to people
/// outside the response team).
pub(in crate::app) async fn incident_here(
    app: &App,
    actor: &Actor,
    place: impl Into<Place>,
) -> Result<IncidentRecord, AppError> {
    let place = place.into();
    if let Some(record) = app.db.incident_by_channel(place.channel).await? {
        return match place.incident {
            Some(typed) if typed != record.number.0 => Err(Refusal::OtherIncidentsChannel {
                here: record.number,
                typed,
            }
            .into()),
            _ => Ok(record),
        };
    }
    let log = app.settings.channels.log;
    if let Some(number) = place.incident {
        if log != Some(place.channel) {
            return Err(Refusal::IncidentOptionOutsideLog { log }.into());
        }
        let found = app
            .db
            .incident_by_number(app.settings.discord.guild_id, number)
            .await?;
        let visible = super::summary::visible_unclosed(app, actor).await?;
        return match found {
            Some(record) if actor.can_see(&record.incident, &super::team(app)) => Ok(record),
            // Someone who may not see it learns nothing of it, not even that it exists.
            _ => Err(Refusal::NoSuchIncident {
                number,
                open: visible.iter().map(|r| r.number).collect(),
            }
            .into()),
        };
    }
    let open = super::summary::visible_unclosed(app, actor).await?;
    let open = open
        .iter()
        .map(|r| Named {
            number: r.number,
            channel: r.channel_id,
        })
        .collect();
    Err(Refusal::NotAnIncidentChannel { open, log }.into())
}

/// Applies `args` to the incident of `place`, for `actor`. `origin` makes its jobs idempotent.
#[tracing::instrument(skip_all, fields(origin = origin))]
pub async fn change(
    app: &App,
    actor: &Actor,
    place: impl Into<Place>,
    origin: &str,
    args: ChangeArgs,
) -> Result<Changed, AppError> {
    let found = incident_here(app, actor, place).await?;
    change_incident(app, actor, found, origin, args).await
}

/// The answer to the fix check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixAnswer {
    /// The fix held: recovery and the all-clear begin.
    Held,
    /// It did not: back to phase 4, with what is still wrong, as typed.
    DidNotHold(String),
}

/// Answers the fix check. Returns what the question becomes.
#[tracing::instrument(skip_all, fields(origin = origin))]
pub async fn answer_fix_check(
    app: &App,
    actor: &Actor,
    incident: IncidentId,
    answer: FixAnswer,
    origin: &str,
) -> Result<Clicked, AppError> {
    let found = app
        .db
        .incident(incident)
        .await?
        .ok_or(Refusal::IncidentGone)?;
    // "It did not hold" under an older message (a came-back notice, an earlier fix check)
    // outlives its question: once no fix is verified, it would reopen after the all-clear.
    let stale = matches!(answer, FixAnswer::DidNotHold(_));
    if stale && found.incident.status != Status::Verifying {
        return Err(Refusal::FixCheckOver {
            number: found.number.0,
        }
        .into());
    }
    let held = answer == FixAnswer::Held;
    let command = match answer {
        FixAnswer::Held => Command::FixHeld,
        FixAnswer::DidNotHold(what) => Command::Reopen {
            reason: FreeText::parse(&what)?,
        },
    };
    let changed = change_incident(app, actor, found, origin, command.into()).await?;
    // The question stays readable with its answer under it.
    let view = Notice {
        fix_answered: Some(FixAnswered {
            by: mention(actor.user),
            at: timestamp(app.clock.now()),
            back: (!held).then(|| BackIn {
                number: changed.record.number.0,
                phase: Phase::Resolution.number(),
            }),
        }),
        ..Notice::default()
    };
    Ok(Clicked {
        content: super::render(app, TemplateName::Notice, &view)?,
        buttons: vec![],
        menu: None,
    })
}

/// Applies `args` to the incident `found`, for `actor`.
pub(in crate::app) async fn change_incident(
    app: &App,
    actor: &Actor,
    found: IncidentRecord,
    origin: &str,
    mut args: ChangeArgs,
) -> Result<Changed, AppError> {
    authorize(app, actor, &found, &args)?;
    let locked_by = super::lockdown::holder(app, found.id, &args.command).await?;
    let now = app.clock.now();
    // Read before writing: the recurrence rule looks at earlier incidents.
    let earlier = earlier_for(app, &found, &args.command).await?;
    let mut tx = app.db.begin().await?;
    // Re-read inside the transaction: a concurrent change must not be lost.
    let mut record = tx
        .incident(found.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("incident {} vanished", found.id))?;
    // Authorize again on what the transaction sees: command may have changed hands meanwhile.
    authorize(app, actor, &record, &args)?;
    let prepared = corrections::prepare(app, &mut tx, &record, &mut args.command, now).await?;
    let before = write_change(app, &mut tx, actor, &mut record, &args.command, now).await?;
    let mut outbox = Outbox::new(origin, record.id, now);
    let mut reply = effects(
        app,
        &mut tx,
        &mut outbox,
        actor,
        &before,
        &record,
        &args,
        prepared,
    )
    .await?;
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
    crate::app::paging::on_change(
        app,
        &mut tx,
        &mut outbox,
        &before,
        &record,
        &args.command,
        now,
    )
    .await?;
    super::lockdown::remind_at_all_clear(app, &mut outbox, locked_by, &args.command)?;
    crate::app::tickets::on_change(app, &mut tx, &mut outbox, &before, &record, &args.command)
        .await?;
    // The post-mortem clock starts when the fix held, not when it went in.
    let recovered = record.incident.status == Status::Resolved && before.status != Status::Resolved;
    if let (true, Some(earlier)) = (recovered, earlier) {
        let said = workflow::on_resolve(app, &mut tx, &mut outbox, &record, &earlier, now).await?;
        if !said.is_empty() {
            reply.push(' ');
            reply.push_str(&said);
        }
    }
    if super::intake::changes_menus(&before, &record.incident) {
        super::intake::refresh_menus(app, &mut tx, origin, now).await?;
    }
    outbox.flush_here(&mut tx).await?;
    crate::app::status_hooks::on_incident(app, &mut tx, &record, now).await?;
    tx.public_changed().await?;
    tx.commit().await?;
    app.waker.wake();
    app.public.changed();
    app.metrics.incident_changed(&before, &record.incident, now);
    Ok(Changed { record, reply })
}

/// Applies `command` to `record` and writes it with its timeline and audit entries. Returns
/// the incident as it was before.
async fn write_change(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    record: &mut IncidentRecord,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<crate::domain::Incident, AppError> {
    let before = record.incident.clone();
    let happened = record.incident.apply(command.clone(), actor.user, now)?;
    let entries = super::worded(app, happened)?;
    tx.save_incident(record).await?;
    tx.append_timeline(record.id, &entries).await?;
    let action = command_name(command);
    audit(
        tx,
        app,
        record.guild_id,
        actor,
        record.id,
        action,
        json!({ "timeline": entries.iter().map(|e| &e.text).collect::<Vec<_>>() }),
    )
    .await?;
    Ok(before)
}

/// The incidents before `found` on its systems, which the recurrence rule looks at, for a
/// command that may end the work (`None` for the others).
async fn earlier_for(
    app: &App,
    found: &IncidentRecord,
    command: &Command,
) -> Result<Option<Vec<EarlierIncident>>, AppError> {
    Ok(match command {
        Command::Resolve {
            all_clear_now: true,
            ..
        }
        | Command::FixHeld => {
            let i = &found.incident;
            let since = i.declared_at - app.settings.postmortem_policy().recurrence_window;
            Some(
                app.db
                    .earlier_incidents(found.guild_id, &i.systems, since, i.declared_at)
                    .await?,
            )
        }
        _ => None,
    })
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
        Command::FixHeld => "fix_held",
        Command::Reopen { .. } => "reopen",
        Command::Close => "close",
        Command::Announce { .. } => "announce",
        Command::Edit { .. } => "edit",
        Command::ChangeKind { .. } => "kind",
    }
}

/// A notice in the incident channel, pinging `ping_roles`: `view` says which.
pub(in crate::app) fn notice(
    app: &App,
    ping_roles: &[crate::domain::RoleId],
    view: Notice,
) -> Result<String, AppError> {
    let view = Notice {
        ping: role_pings(ping_roles),
        ..view
    };
    super::render(app, TemplateName::Notice, &view)
}

/// Queues what each command shows people, and says what to reply.
#[expect(
    clippy::too_many_arguments,
    reason = "the change, before and after, and where it goes: each needed"
)]
async fn effects(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    actor: &Actor,
    before: &crate::domain::Incident,
    record: &IncidentRecord,
    args: &ChangeArgs,
    prepared: Prepared,
) -> Result<String, AppError> {
    let now = app.clock.now();
    let who = mention(actor.user);
    let shown = Shown {
        translations: &args.translations,
        app,
        who: &who,
        before,
        record,
    };
    Ok(match &args.command {
        Command::ChangeSeverity { to, reason } => {
            shown.severity_changed(tx, outbox, *to, reason).await?
        }
        Command::AdvancePhase { to } => shown.phase_advanced(tx, outbox, *to).await?,
        Command::Assign { role, user } => shown.assigned(outbox, *role, *user)?,
        Command::Update {
            message,
            public,
            publish,
            eta,
        } => {
            let update = (message, *public, *publish, eta.is_some());
            shown.updated(tx, outbox, update, prepared, now).await?
        }
        Command::Announce { .. } => {
            let asked = (actor, &args.translations);
            corrections::announced(app, tx, outbox, asked, record).await?
        }
        Command::Edit { .. } => corrections::edited(app, tx, outbox, actor, before, record).await?,
        Command::ChangeKind { .. } => {
            corrections::kind_changed(app, tx, outbox, actor, record, now).await?
        }
        Command::Note { .. } => answer(app, TimelineAnswer { already: false })?,
        Command::Resolve {
            root_cause,
            all_clear_now: false,
            ..
        } => resolution::fix_applied(app, tx, outbox, &who, record, root_cause).await?,
        Command::Resolve { .. } | Command::FixHeld => {
            let held = matches!(args.command, Command::FixHeld);
            resolution::recovered(app, tx, outbox, &who, record, held).await?
        }
        Command::Reopen { reason } => {
            resolution::reopened(app, tx, outbox, &who, record, reason).await?
        }
        Command::Close => resolution::closed(app, tx, outbox, record).await?,
    })
}

/// One change to show people: who made it, and the incident before and after.
#[derive(Clone, Copy)]
struct Shown<'a> {
    app: &'a App,
    who: &'a Markup,
    before: &'a crate::domain::Incident,
    record: &'a IncidentRecord,
    /// What was typed for players in their other languages.
    translations: &'a crate::domain::Translations,
}

impl Shown<'_> {
    /// A severity change: says so, pinging the page roles when raised, and queues the service
    /// alert when the new level announces and none went out yet.
    async fn severity_changed(
        self,
        tx: &mut Tx,
        outbox: &mut Outbox<'_>,
        to: Severity,
        reason: &Option<ShortText>,
    ) -> Result<String, AppError> {
        let Self {
            app,
            who,
            before,
            record,
            ..
        } = self;
        let i = &record.incident;
        let raised = to.is_more_severe_than(before.severity);
        let ping = if raised {
            app.page_roles(i.kind, to)
        } else {
            vec![]
        };
        let changed = SeverityChanged {
            raised,
            from: before.severity.to_string(),
            to: to.to_string(),
            by: who.clone(),
            reason: reason.as_ref().map(ToString::to_string),
        };
        let text = notice(app, &ping, Notice::from(changed))?;
        outbox.say_here(text, ping);
        let alerted = !tx
            .announcements_of(record.id, AnnouncementKind::Alert)
            .await?
            .is_empty();
        let alert = raised
            && app.settings.severity.get(to).announce
            && i.kind == IncidentKind::Availability
            && !alerted;
        if alert {
            queue_alert(app, tx, outbox, record).await?;
        }
        let to = to.to_string();
        answer(app, SeverityAnswer { to, alert })
    }

    /// A phase change: says so, with the new phase's checklist.
    async fn phase_advanced(
        self,
        tx: &mut Tx,
        outbox: &mut Outbox<'_>,
        to: Phase,
    ) -> Result<String, AppError> {
        let Self {
            app, who, record, ..
        } = self;
        let moved = PhaseMoved {
            number: to.number(),
            by: who.clone(),
        };
        outbox.say_here(notice(app, &[], Notice::from(moved))?, vec![]);
        checklists::say(app, tx, outbox, record, to).await?;
        answer(app, PhaseAnswer { to: to.number() })
    }

    /// A role given or handed over.
    fn assigned(
        self,
        outbox: &mut Outbox<'_>,
        role: IncidentRole,
        user: UserId,
    ) -> Result<String, AppError> {
        let Self {
            app, who, before, ..
        } = self;
        let assigned = RoleAssigned {
            role: role.key(),
            previous: before.roles.get(role).map(mention),
            user: mention(user),
            by: who.clone(),
        };
        let text = notice(app, &[], Notice::from(assigned))?;
        outbox.say_here(text, vec![]);
        let user = mention(user);
        answer(
            app,
            AssignAnswer {
                user,
                role: role.key(),
            },
        )
    }

    /// A status update: says it in the channel, and to players when public. `update` is the
    /// message, whether it is public, whether it is published, and whether it gave an ETA.
    async fn updated(
        self,
        tx: &mut Tx,
        outbox: &mut Outbox<'_>,
        (message, public, publish, eta): (&FreeText, bool, bool, bool),
        prepared: Prepared,
        now: DateTime<Utc>,
    ) -> Result<String, AppError> {
        let Self {
            app, who, record, ..
        } = self;
        let i = &record.incident;
        let update = UpdatePosted {
            by: who.clone(),
            eta: i.eta.as_ref().filter(|_| eta).map(crate::render::eta),
            message: message.to_string(),
        };
        let text = notice(app, &[], Notice::from(update))?;
        outbox.say_here(text, vec![]);
        Ok(if public || publish {
            let told = (publish, self.translations);
            corrections::update_to_players(app, tx, outbox, record, told, prepared, now).await?
        } else {
            answer(app, UpdateAnswer { players: None })?
        })
    }
}
