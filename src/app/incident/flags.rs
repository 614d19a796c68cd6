//! `/incident flag`: sets or clears a flag the game client acts on while an incident lasts
//! (`ranked_disabled`, `store_disabled`, names from `[players] flags`). Stored, on the
//! timeline, said in the channel, and shown in `/game-status.json` once players were told of
//! the incident. A security incident takes none: players never hear of it.

use serde_json::json;

use super::lifecycle::{incident_here, notice, Place};
use super::{answer, audit, team, App, AppError, Outbox};
use crate::domain::{Action, Actor, EntryKind, GameFlag, IncidentKind, Refusal, TimelineEntry};
use crate::render::{code_span, mention, FlagAnswer, FlagChanged, Notice};
use crate::store::IncidentRecord;

/// `/incident flag`, as typed.
#[derive(Debug, Clone)]
pub struct FlagArgs {
    /// The flag's name.
    pub name: String,
    /// Set it (true) or clear it.
    pub on: bool,
}

/// Sets or clears a flag of the incident of `place`, for `actor`.
#[tracing::instrument(skip_all, fields(origin = origin))]
pub async fn flag(
    app: &App,
    actor: &Actor,
    place: Place,
    origin: &str,
    args: FlagArgs,
) -> Result<String, AppError> {
    let record = incident_here(app, actor, place).await?;
    // Said first, to anyone who may see the incident: no right would make a flag reach players.
    if record.incident.kind == IncidentKind::Security {
        return Err(Refusal::FlagInSecurity.into());
    }
    // What the game client turns off is told to players: the comms decision is the commander's.
    actor.may(
        Action::Announce,
        &team(app),
        record.incident.roles.commander,
    )?;
    let flag = GameFlag::parse(&args.name, &app.settings.players.flags)?;
    let public = told_players(app, &record).await?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let changed = if args.on {
        tx.set_flag(record.id, flag.name(), actor.user, now).await?
    } else {
        tx.clear_flag(record.id, flag.name()).await?
    };
    if !changed {
        return Err(Refusal::FlagUnchanged {
            name: flag.name().to_owned(),
            set: args.on,
        }
        .into());
    }
    let told = |by| {
        notice(
            app,
            &[],
            Notice::from(FlagChanged {
                by,
                name: code_span(flag.name()),
                on: args.on,
            }),
        )
    };
    let entry = TimelineEntry::by(actor.user, now, EntryKind::Containment, told(None)?);
    tx.append_timeline(record.id, &[entry]).await?;
    let mut outbox = Outbox::new(origin, record.id, now);
    outbox.say_here(told(Some(mention(actor.user)))?, vec![]);
    outbox.flush_here(&mut tx).await?;
    let detail = json!({ "flag": flag.name(), "on": args.on });
    audit(
        &mut tx,
        app,
        record.guild_id,
        actor,
        record.id,
        "flag",
        detail,
    )
    .await?;
    tx.public_changed().await?;
    tx.commit().await?;
    app.waker.wake();
    app.public.changed();
    answer(
        app,
        FlagAnswer {
            name: code_span(flag.name()),
            on: args.on,
            public,
        },
    )
}

/// Whether players were told of the incident: an announcement posted and not withdrawn.
async fn told_players(app: &App, record: &IncidentRecord) -> Result<bool, AppError> {
    Ok(app
        .db
        .announcements(record.id)
        .await?
        .iter()
        .any(|a| a.posted_at.is_some() && a.withdrawn_at.is_none()))
}
