//! `/incident lockdown` and `/incident unlock` (raids and compromised accounts): the guild's
//! invites and DMs paused through Discord's incident actions, and slow-mode on named channels,
//! each part recorded with what was there before so that unlock puts it back. The use cases
//! record and queue; `lockdown_jobs` changes the server.

use serde_json::json;

use super::lifecycle::Place;
use super::waf::{parse_until, security_incident};
use super::{answer, audit, App, AppError, Button, ButtonStyle, Clicked, Effect, Outbox};
use crate::domain::Refusal;
use crate::domain::{parse_channels, parse_slowmode, Actor, Command, IncidentId, UserId};
use crate::render::{LockdownAnswer, LockdownStill, Notice, TemplateName};
use crate::store::NewLockdown;

/// `/incident lockdown`, as typed.
#[derive(Debug, Clone, Default)]
pub struct LockdownArgs {
    /// Pause invites.
    pub invites: bool,
    /// Pause DMs between members who are not friends.
    pub dms: bool,
    /// The slow-mode to set (`30s`).
    pub slowmode: Option<String>,
    /// The channels to set it on, as mentions.
    pub channels: Option<String>,
    /// How long (`48h`) or until when; 24 hours when not said.
    pub until: Option<String>,
}

/// The lockdown's parts, refused with what to type when they do not make one.
fn parse(args: &LockdownArgs) -> Result<(Option<u16>, Vec<crate::domain::ChannelId>), AppError> {
    let slowmode = args.slowmode.as_deref().map(parse_slowmode).transpose();
    let channels = args.channels.as_deref().map(parse_channels).transpose();
    let refused = |e: crate::domain::LockdownError| AppError::from(Refusal::Lockdown { said: e.0 });
    let (slowmode, channels) = (
        slowmode.map_err(refused)?,
        channels.map_err(refused)?.unwrap_or_default(),
    );
    if slowmode.is_some() == channels.is_empty() {
        return Err(Refusal::SlowmodeNeedsChannels.into());
    }
    if !args.invites && !args.dms && slowmode.is_none() {
        return Err(Refusal::NothingToLock.into());
    }
    Ok((slowmode, channels))
}

/// Locks the server down for `actor`, in the security incident of `place`.
#[tracing::instrument(skip_all, fields(origin = origin))]
pub async fn lockdown(
    app: &App,
    actor: &Actor,
    place: Place,
    origin: &str,
    args: LockdownArgs,
) -> Result<String, AppError> {
    let record = security_incident(app, actor, place).await?;
    let (slowmode, channels) = parse(&args)?;
    let now = app.clock.now();
    let until = match args.until.as_deref() {
        Some(text) => parse_until(text, now)?,
        None => now + crate::app::MAX_PAUSE,
    };
    if in_force(app, record.id).await? {
        return Err(Refusal::LockdownInPlace.into());
    }
    let asked = NewLockdown {
        by: actor.user,
        at: now,
        invites_until: args.invites.then_some(until),
        dms_until: args.dms.then_some(until),
        slowmode,
        channels,
    };
    let mut tx = app.db.begin().await?;
    let id = tx.add_lockdown(record.id, &asked).await?;
    let mut outbox = Outbox::new(origin, record.id, now);
    outbox
        .push(&mut tx, Effect::Lockdown { lockdown: id })
        .await?;
    let detail = json!({ "lockdown": id, "invites": args.invites, "dms": args.dms,
        "slowmode": slowmode, "channels": asked.channels.len() });
    audit(
        &mut tx,
        app,
        record.guild_id,
        actor,
        record.id,
        "lockdown",
        detail,
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    answer(app, LockdownAnswer { unlock: false })
}

/// Lifts the lockdowns of the incident of `place` still in force, for `actor`.
#[tracing::instrument(skip_all, fields(origin = origin))]
pub async fn unlock(
    app: &App,
    actor: &Actor,
    place: Place,
    origin: &str,
) -> Result<String, AppError> {
    let record = security_incident(app, actor, place).await?;
    let now = app.clock.now();
    // Read before the transaction: it holds the connection until it commits.
    let lockdowns = app.db.lockdowns(record.id).await?;
    let mut tx = app.db.begin().await?;
    let mut outbox = Outbox::new(origin, record.id, now);
    let mut lifted = Vec::new();
    for l in lockdowns {
        if tx.ask_unlock(l.id, actor.user, now).await? {
            outbox
                .push(&mut tx, Effect::Unlock { lockdown: l.id })
                .await?;
            lifted.push(l.id);
        }
    }
    if lifted.is_empty() {
        return Err(Refusal::NoLockdown.into());
    }
    let detail = json!({ "lockdowns": lifted });
    audit(
        &mut tx,
        app,
        record.guild_id,
        actor,
        record.id,
        "unlock",
        detail,
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    answer(app, LockdownAnswer { unlock: true })
}

/// Whether a lockdown of `incident` is in place (or being put in place).
pub(in crate::app) async fn in_force(app: &App, incident: IncidentId) -> Result<bool, AppError> {
    Ok(app
        .db
        .lockdowns(incident)
        .await?
        .iter()
        .any(crate::store::Lockdown::in_force))
}

/// Who locked the server down for `incident`, while a lockdown holds; and the refusal of a
/// close then: the server would stay locked with nobody watching. Read before the change's
/// transaction.
pub(in crate::app) async fn holder(
    app: &App,
    incident: IncidentId,
    command: &Command,
) -> Result<Option<UserId>, AppError> {
    let lockdowns = app.db.lockdowns(incident).await?;
    let by = lockdowns.iter().find(|l| l.in_force()).map(|l| l.asked.by);
    if by.is_some() && matches!(command, Command::Close) {
        return Err(Refusal::StillLockedDown.into());
    }
    Ok(by)
}

/// At the resolve and when the fix held, a lockdown still in place (by `holder`) is pointed
/// out: the all-clear is the moment to lift it.
pub(in crate::app) fn remind_at_all_clear(
    app: &App,
    outbox: &mut Outbox<'_>,
    holder: Option<UserId>,
    command: &Command,
) -> Result<(), AppError> {
    let Some(by) = holder else {
        return Ok(());
    };
    if matches!(command, Command::Resolve { .. } | Command::FixHeld) {
        let notice = Notice::from(LockdownStill {
            by: crate::render::mention(by),
            lifting: None,
        });
        let button = Button {
            custom_id: format!("{UNLOCK_BUTTON}:{}", outbox.incident()),
            label: app.templates.label(&crate::render::Label::LiftLockdown),
            style: ButtonStyle::Danger,
        };
        let content = super::render(app, TemplateName::Notice, &notice)?;
        outbox.question_here(content, vec![button]);
    }
    Ok(())
}

/// The custom id prefix of "Lift the lockdown" under the all-clear's reminder:
/// `unlock:<incident>`.
pub const UNLOCK_BUTTON: &str = "unlock";

/// A press on "Lift the lockdown" (`about`: the incident's id): `/incident unlock` for the
/// presser, with the same rights; returns the reminder's new look, without its button.
#[tracing::instrument(skip_all)]
pub async fn unlock_click(
    app: &App,
    actor: &Actor,
    about: &str,
    origin: &str,
) -> Result<Clicked, AppError> {
    let stale = || AppError::from(Refusal::StaleButton);
    let id = about.parse::<i64>().map(IncidentId).map_err(|_| stale())?;
    let record = app.db.incident(id).await?.ok_or_else(stale)?;
    let channel = record.channel_id.ok_or_else(stale)?;
    let by = app
        .db
        .lockdowns(id)
        .await?
        .iter()
        .find(|l| l.in_force())
        .map(|l| l.asked.by);
    unlock(app, actor, Place::from(channel), origin).await?;
    let notice = Notice::from(LockdownStill {
        by: crate::render::mention(by.unwrap_or(actor.user)),
        lifting: Some(crate::render::mention(actor.user)),
    });
    Ok(Clicked {
        content: super::render(app, TemplateName::Notice, &notice)?,
        buttons: vec![],
        menu: None,
    })
}
