//! `/incident block` and `/incident unblock`: the plan's "Block malicious IPs via WAF", in a
//! security incident. A use case records each address or range and queues the job that puts
//! it in place at the WAF (`waf_jobs`); `until` queues the unblock that lifts it.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::lifecycle::{incident_here, Place};
use super::{answer, audit, team, App, AppError, Effect, Outbox};
use crate::domain::Refusal;
use crate::domain::{
    parse_duration, parse_targets, parse_when, Action, Actor, IncidentKind, ShortText, Status,
};
use crate::render::{timestamp, WafAnswer};
use crate::store::{IncidentRecord, NewBlock};

/// `/incident block`, as typed.
#[derive(Debug, Clone, Default)]
pub struct BlockArgs {
    /// Addresses and ranges, separated by commas, spaces or new lines (the option and the
    /// attached file's text, joined).
    pub targets: String,
    /// Why, if said.
    pub note: Option<String>,
    /// How long (`24h`) or until when (`tomorrow 09:00`), if not until unblocked.
    pub until: Option<String>,
}

/// The longest a block may last by itself: a month (it can always be lifted sooner).
const MAX_UNTIL_DAYS: i64 = 31;

/// Where a block runs, and the checks every WAF command makes: blocks configured, and those of
/// [`security_incident`].
async fn waf_incident(app: &App, actor: &Actor, place: Place) -> Result<IncidentRecord, AppError> {
    if app.waf.is_none() {
        return Err(Refusal::WafOff.into());
    }
    security_incident(app, actor, place).await
}

/// The incident of `place`, for a containment command: a security incident, not closed, that
/// `actor` may work.
pub(super) async fn security_incident(
    app: &App,
    actor: &Actor,
    place: Place,
) -> Result<IncidentRecord, AppError> {
    let record = incident_here(app, actor, place).await?;
    actor.may(Action::Work, &team(app), record.incident.roles.commander)?;
    if record.incident.kind != IncidentKind::Security {
        return Err(Refusal::SecurityOnly.into());
    }
    if record.incident.status == Status::Closed {
        return Err(Refusal::ContainmentClosed.into());
    }
    Ok(record)
}

/// When a block (or a lockdown) lifts by itself: after a duration, or at a time, at most
/// [`MAX_UNTIL_DAYS`] ahead.
pub(super) fn parse_until(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, AppError> {
    let at = match parse_duration(text) {
        Some(d) => now + d,
        None => parse_when(text, now).map_err(Refusal::Until)?,
    };
    if at <= now || at > now + chrono::TimeDelta::days(MAX_UNTIL_DAYS) {
        return Err(Refusal::UntilOutOfRange {
            max_days: MAX_UNTIL_DAYS,
        }
        .into());
    }
    Ok(at)
}

/// Blocks the addresses and ranges of `args` at the WAF for `actor`, in the incident of
/// `place`. Returns the answer; the channel is told when the WAF confirms.
#[tracing::instrument(skip_all, fields(origin = origin))]
pub async fn block(
    app: &App,
    actor: &Actor,
    place: Place,
    origin: &str,
    args: BlockArgs,
) -> Result<String, AppError> {
    let record = waf_incident(app, actor, place).await?;
    let targets = parse_targets(&args.targets, &app.settings.cloudflare.never_block)
        .map_err(|e| Refusal::Targets { said: e.0 })?;
    let note = args
        .note
        .as_deref()
        .map(ShortText::parse)
        .transpose()?
        .map(|n| n.to_string());
    let now = app.clock.now();
    let until = args
        .until
        .as_deref()
        .map(|u| parse_until(u, now))
        .transpose()?;
    let existing = app.db.waf_blocks(record.id).await?;
    let (already, fresh): (Vec<_>, Vec<_>) = targets.into_iter().partition(|t| {
        existing
            .iter()
            .any(|b| b.in_force() && b.asked.target == *t)
    });
    if fresh.is_empty() {
        return Err(Refusal::AllBlockedAlready.into());
    }
    let mut tx = app.db.begin().await?;
    let asked: Vec<NewBlock> = fresh
        .iter()
        .map(|target| NewBlock {
            target: *target,
            note: note.clone(),
            by: actor.user,
            at: now,
            until,
        })
        .collect();
    queue_blocks(app, &mut tx, &record, actor, origin, &asked).await?;
    tx.commit().await?;
    app.waker.wake();
    answer(
        app,
        WafAnswer {
            unblock: false,
            count: fresh.len(),
            already: already.len(),
            until: until.map(timestamp),
        },
    )
}

/// Records the blocks `asked` and queues the job that puts them in place, and the one that
/// lifts them at their `until`; audited as one.
async fn queue_blocks(
    app: &App,
    tx: &mut crate::store::Tx,
    record: &IncidentRecord,
    actor: &Actor,
    origin: &str,
    asked: &[NewBlock],
) -> Result<(), AppError> {
    let mut ids = Vec::with_capacity(asked.len());
    for block in asked {
        ids.push(tx.add_waf_block(record.id, block).await?);
    }
    let now = app.clock.now();
    let mut outbox = Outbox::new(origin, record.id, now);
    let effect = Effect::WafBlock {
        blocks: ids.clone(),
    };
    outbox.push(tx, effect).await?;
    let until = asked.first().and_then(|b| b.until);
    if let Some(at) = until {
        let effect = Effect::WafUnblock {
            blocks: ids,
            expired: true,
        };
        outbox.push_at(tx, effect, at).await?;
    }
    let targets: Vec<String> = asked.iter().map(|b| b.target.to_string()).collect();
    let detail = json!({ "targets": targets, "until": until.map(|u| u.to_rfc3339()) });
    audit(
        tx,
        app,
        record.guild_id,
        actor,
        record.id,
        "waf_block",
        detail,
    )
    .await?;
    Ok(())
}

/// Lifts every block of the incident of `place` still in force, for `actor`.
#[tracing::instrument(skip_all, fields(origin = origin))]
pub async fn unblock(
    app: &App,
    actor: &Actor,
    place: Place,
    origin: &str,
) -> Result<String, AppError> {
    let record = waf_incident(app, actor, place).await?;
    let ids: Vec<i64> = app
        .db
        .waf_blocks(record.id)
        .await?
        .into_iter()
        .filter(|b| b.in_force())
        .map(|b| b.id)
        .collect();
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let marked = tx.ask_waf_unblock(&ids, Some(actor.user), now).await?;
    if marked.is_empty() {
        return Err(Refusal::NothingBlocked.into());
    }
    let mut outbox = Outbox::new(origin, record.id, now);
    let effect = Effect::WafUnblock {
        blocks: marked.clone(),
        expired: false,
    };
    outbox.push(&mut tx, effect).await?;
    let detail = json!({ "blocks": marked });
    audit(
        &mut tx,
        app,
        record.guild_id,
        actor,
        record.id,
        "waf_unblock",
        detail,
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    answer(
        app,
        WafAnswer {
            unblock: true,
            count: marked.len(),
            already: 0,
            until: None,
        },
    )
}
