//! Alerts from monitoring: a delivery is stored first (one transaction, a few milliseconds),
//! and its triage card is posted or edited by a job, so the webhook answers at once.

use chrono::{DateTime, Utc};

use super::declare::{declare_as, ChannelCounts};
use super::{team, App, AppError, Button, ButtonStyle, Clicked, Effect};
use crate::domain::{
    Action, Actor, AlertBatch, AlertStatus, Declaration, EntryKind, FreeText, IncidentKind,
    IncidentNumber, IncidentTitle, InteractionId, Severity, Systems, TimelineEntry,
};
use crate::render::{relative, timestamp, Markup};
use crate::store::{AlertCard, NewCard, NewJob, Tx};

/// The prefix of a card's Declare buttons: `alert_declare:<card>:<severity>`.
pub const DECLARE_BUTTON: &str = "alert_declare";
/// The prefix of a card's Not real button (and its form): `alert_dismiss:<card>`.
pub const DISMISS_BUTTON: &str = "alert_dismiss";

/// What a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// The card its alerts are on.
    pub card: i64,
    /// Whether the card is new.
    pub new_card: bool,
    /// Occurrences it added (new alerts, or alerts firing again).
    pub new_occurrences: u64,
}

/// Stores one delivery and queues its card's post or edit, in one transaction.
#[tracing::instrument(skip_all, fields(source = batch.source.as_str()))]
pub async fn receive(app: &App, batch: &AlertBatch) -> Result<Received, AppError> {
    let now = app.clock.now();
    let since = now - crate::config::delta(app.settings.intake.dedup_window);
    let mut tx = app.db.begin().await?;
    let existing = tx
        .alert_card_of_group(batch.source, &batch.group_key, since)
        .await?;
    let was_resolved = existing.as_ref().is_some_and(|c| c.resolved_at.is_some());
    let (card, new_card) = match existing {
        Some(card) => (card.id, false),
        None => {
            let system = app
                .settings
                .intake
                .systems
                .system_of(&batch.labels)
                .or_else(|| {
                    batch
                        .alerts
                        .iter()
                        .find_map(|a| app.settings.intake.systems.system_of(&a.labels))
                });
            let started_at = batch
                .alerts
                .iter()
                .map(|a| a.started_at)
                .min()
                .unwrap_or(now);
            // While an incident of that system is being worked, its alerts join it.
            let attach_to = match system {
                Some(system) => {
                    tx.open_incident_with_system(app.settings.discord.guild_id, system)
                        .await?
                }
                None => None,
            };
            let id = tx
                .insert_alert_card(&NewCard {
                    source: batch.source,
                    group_key: &batch.group_key,
                    title: &batch.title,
                    system,
                    link: batch.link.as_deref(),
                    started_at,
                    now,
                    incident: attach_to,
                })
                .await?;
            (id, true)
        }
    };
    let mut new_occurrences = 0;
    for alert in &batch.alerts {
        let firing = alert.status == AlertStatus::Firing;
        match tx.alert_of_card(card, &alert.dedup_key).await? {
            None => {
                tx.insert_alert(
                    card,
                    &alert.dedup_key,
                    &alert.occurrence,
                    alert.status,
                    &alert.title,
                    alert.started_at,
                    now,
                )
                .await?;
                new_occurrences += u64::from(firing);
            }
            Some(stored) => {
                // The same firing sent again (Alertmanager repeats its groups) is no new
                // occurrence; a new start, or firing after resolved, is.
                let again = firing
                    && (stored.occurrence != alert.occurrence
                        || stored.status == AlertStatus::Resolved);
                tx.update_alert(stored.id, &alert.occurrence, alert.status, again, now)
                    .await?;
                new_occurrences += u64::from(again);
            }
        }
    }
    tx.refresh_alert_card(card, new_occurrences, now).await?;
    let stored = tx
        .alert_card(card)
        .await?
        .ok_or_else(|| anyhow::anyhow!("alert card {card} vanished"))?;
    // A card posted, or not yet attached to an incident, shows the news; an alert that joined
    // an incident on arrival is told in that incident's channel instead.
    if stored.message.is_some() || stored.incident.is_none() {
        queue_card(&mut tx, &stored, now).await?;
    }
    if let Some(incident) = stored.incident {
        let origin = format!(
            "alert:{}:{}:{}:{}",
            stored.id,
            stored.count,
            stored.firing,
            stored.last_seen.timestamp_millis()
        );
        let mut outbox = super::Outbox::new(&origin, incident, now);
        if new_card {
            tx.append_timeline(incident, &[alert_entry(&stored)])
                .await?;
            let line = Markup::raw("🔔 **Alert joined this incident:** ")
                .text_then(&stored.title)
                .raw_then(&format!(" ({}, since ", stored.source.display()))
                .push(relative(stored.started_at))
                .raw_then(")");
            outbox.say_here(line.as_str().to_owned(), vec![]);
        } else if stored.resolved_at.is_some() && !was_resolved {
            let text = format!(
                "Alert resolved: {} ({} says it is over: a hint for the verify step, not an all-clear)",
                stored.title,
                stored.source.display()
            );
            let entry = TimelineEntry {
                at: now,
                actor: None,
                kind: EntryKind::Bot,
                text,
                source_message: None,
            };
            tx.append_timeline(incident, &[entry]).await?;
            let line = Markup::raw("🔕 **Alert resolved:** ")
                .text_then(&stored.title)
                .raw_then(&format!(
                    " ({} says it is over). Check it yourself before you resolve the incident.",
                    stored.source.display()
                ));
            outbox.say_here(line.as_str().to_owned(), vec![]);
        }
        outbox.flush_here(&mut tx).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(Received {
        card,
        new_card,
        new_occurrences,
    })
}

/// Queues the job that posts `card`, or edits it to how it stands when the job runs. Keyed by
/// the card's state, so a delivery that changed nothing queues nothing new.
pub(super) async fn queue_card(
    tx: &mut Tx,
    card: &AlertCard,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let effect = Effect::AlertCard { card: card.id };
    let job = NewJob {
        kind: effect.kind().to_owned(),
        payload: serde_json::to_value(&effect).map_err(|e| sqlx::Error::Encode(e.into()))?,
        incident: None,
        idempotency_key: format!(
            "alert_card:{}:{}:{}:{}:{}:{}",
            card.id,
            card.count,
            card.firing,
            card.last_seen.timestamp_millis(),
            card.incident.map_or(0, |i| i.0),
            u8::from(card.dismissed.is_some()),
        ),
        due_at: now,
    };
    tx.enqueue(&job, now).await?;
    Ok(())
}

/// A card's text and buttons as they stand: what fired, where, since when, how often, and the
/// answers left to give.
pub fn card_view(card: &AlertCard, incident: Option<IncidentNumber>) -> Clicked {
    let mut text = Markup::raw(if card.resolved_at.is_some() {
        "✅ **Alert resolved:** "
    } else {
        "🔔 **Alert:** "
    })
    .text_then(&card.title)
    .raw_then(&format!(" ({})", card.source.display()));
    text = text.raw_then("\n**System:** ").text_then(
        card.system
            .as_deref()
            .unwrap_or("not mapped (see [intake.systems])"),
    );
    text = text
        .raw_then("\n**Since:** ")
        .push(timestamp(card.started_at))
        .raw_then(" (")
        .push(relative(card.started_at))
        .raw_then(")");
    let times = if card.count == 1 { "time" } else { "times" };
    text = text
        .raw_then(&format!(
            "\n**Seen:** {} {times}, {} firing now, last ",
            card.count, card.firing
        ))
        .push(relative(card.last_seen));
    if let Some(at) = card.resolved_at {
        text = text.raw_then("\n**Resolved:** ").push(timestamp(at));
    }
    if let Some(link) = &card.link {
        text = text.raw_then(&format!("\n**Source:** <{link}>"));
    }
    if let Some(number) = incident {
        text = text.raw_then(&format!("\n**Incident:** #{number}"));
    }
    if let Some((user, why)) = &card.dismissed {
        text = text
            .raw_then(&format!("\n**Not real**, said <@{user}>: "))
            .text_then(why);
    }
    let open = card.incident.is_none() && card.dismissed.is_none();
    let mut buttons = Vec::new();
    if open {
        for severity in Severity::ALL {
            buttons.push(Button {
                custom_id: format!("{DECLARE_BUTTON}:{}:{severity}", card.id),
                label: format!("Declare {severity}"),
                style: if severity == Severity::P0 {
                    ButtonStyle::Danger
                } else {
                    ButtonStyle::Primary
                },
            });
        }
        buttons.push(Button {
            custom_id: format!("{DISMISS_BUTTON}:{}", card.id),
            label: "Not real".to_owned(),
            style: ButtonStyle::Secondary,
        });
    }
    Clicked {
        content: crate::render::cap(text.as_str(), crate::render::MESSAGE_LIMIT),
        buttons,
    }
}

/// The card's view with its incident's number, read from the store.
pub async fn card_view_now(app: &App, card: &AlertCard) -> Result<Clicked, AppError> {
    let number = match card.incident {
        Some(id) => app.db.incident(id).await?.map(|r| r.number),
        None => None,
    };
    Ok(card_view(card, number))
}

/// The timeline entry an alert's card gives the incident declared from it: what fired, when.
pub(super) fn alert_entry(card: &AlertCard) -> TimelineEntry {
    let mut text = format!(
        "Alert from {}: {} ({} seen, first at {})",
        card.source.display(),
        card.title,
        card.count,
        card.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
    );
    if let Some(link) = &card.link {
        text.push_str(&format!(" {link}"));
    }
    TimelineEntry {
        at: card.started_at,
        actor: None,
        kind: EntryKind::Bot,
        text,
        source_message: None,
    }
}

/// What a card's button is about: `<card>` or `<card>:<severity>`.
pub fn card_of(about: &str) -> Result<(i64, Option<Severity>), AppError> {
    let (card, severity) = match about.split_once(':') {
        Some((card, severity)) => (card, Some(severity)),
        None => (about, None),
    };
    let card = card
        .parse::<i64>()
        .map_err(|_| AppError::user("That button belongs to no alert."))?;
    let severity = severity
        .map(Severity::parse)
        .transpose()
        .map_err(|_| AppError::user("That button names no severity."))?;
    Ok((card, severity))
}

async fn load(app: &App, id: i64) -> Result<AlertCard, AppError> {
    app.db
        .alert_card(id)
        .await?
        .ok_or_else(|| AppError::user("That alert is no longer known to the bot."))
}

/// **Declare P…** on a card: declares an incident whose detection is the alert's start, whose
/// systems are the card's, and whose timeline begins with the alert. Answers with the card as
/// it now reads.
pub async fn declare_from_card(
    app: &App,
    actor: &Actor,
    card: i64,
    severity: Severity,
    interaction: InteractionId,
    counts: ChannelCounts,
) -> Result<Clicked, AppError> {
    actor.may(Action::Declare, &team(app), None)?;
    let card = load(app, card).await?;
    if card.dismissed.is_some() {
        return Err(AppError::user(
            "This alert was dismissed as not real; declare with /incident declare if it is.",
        ));
    }
    let title = IncidentTitle::parse(card.title.chars().take(100).collect::<String>().trim())
        .or_else(|_| IncidentTitle::parse(&format!("{} alert", card.source.display())))?;
    let systems = card
        .system
        .as_deref()
        .map(Systems::parse)
        .transpose()?
        .unwrap_or_default();
    let declaration = Declaration {
        title,
        severity,
        kind: IncidentKind::Availability,
        systems,
        summary: None,
        declared_by: actor.user,
        eta: None,
        detected_at: Some(card.started_at),
    };
    let declared = declare_as(app, actor, declaration, interaction, counts, Some(&card)).await?;
    let card = load(app, card.id).await?;
    Ok(card_view(&card, Some(declared.record.number)))
}

/// **Not real** on a card, once the form says why: records who dismissed it and why.
pub async fn dismiss_card(
    app: &App,
    actor: &Actor,
    card: i64,
    why: &str,
) -> Result<Clicked, AppError> {
    actor.may(Action::Declare, &team(app), None)?;
    let why = FreeText::parse(why)?;
    let mut tx = app.db.begin().await?;
    let current = tx
        .alert_card(card)
        .await?
        .ok_or_else(|| AppError::user("That alert is no longer known to the bot."))?;
    if current.incident.is_some() {
        return Err(AppError::user(
            "This alert is already an incident: close the incident instead.",
        ));
    }
    tx.alert_card_dismissed(card, actor.user, why.as_str())
        .await?;
    tx.commit().await?;
    tracing::info!(card, "alert dismissed as not real");
    let card = load(app, card).await?;
    card_view_now(app, &card).await
}
