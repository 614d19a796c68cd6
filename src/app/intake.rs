//! Alerts from monitoring: a delivery is stored first (one transaction, a few milliseconds),
//! and its triage card is posted or edited by a job, so the webhook answers at once.

use chrono::{DateTime, Utc};

use super::declare::{declare_as, ChannelCounts, FromCard};
use super::effects::enqueue;
use super::{team, App, AppError, Button, ButtonStyle, Choice, Clicked, Effect, Menu, MAX_CHOICES};
use crate::domain::{
    Action, Actor, AlertBatch, AlertEvent, AlertStatus, ChannelId, Declaration, EntryKind,
    FreeText, Incident, IncidentId, IncidentKind, IncidentNumber, IncidentTitle, InteractionId,
    MessageId, Refusal, Severity, Status, Systems, TimelineEntry,
};
use crate::render::{
    mention, relative, timestamp, AlertCardView, AlertNews, AlertSeen, Markup, Notice, TemplateName,
};
use crate::store::{AlertCard, IncidentRecord, NewCard, Tx};

/// The prefix of a card's Declare buttons: `alert_declare:<card>:<severity>`.
pub const DECLARE_BUTTON: &str = "alert_declare";
/// The prefix of a card's Not real button (and its form): `alert_dismiss:<card>`.
pub const DISMISS_BUTTON: &str = "alert_dismiss";
/// The prefix of a card's attach menu: `alert_attach:<card>`; its values are incident numbers.
pub const ATTACH_MENU: &str = "alert_attach";

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
    // Two deliveries of one group at once (two replicas, or two webhook requests) would both
    // find no card and post two: one at a time per group.
    let group = format!("alert_group:{}:{}", batch.source.as_str(), batch.group_key);
    tx.lock_named(&group).await?;
    let existing = tx
        .alert_card_of_group(batch.source, &batch.group_key, since)
        .await?;
    let was_resolved = existing.as_ref().is_some_and(|c| c.resolved_at.is_some());
    let (card, new_card) = match existing {
        Some(card) => (card.id, false),
        None => (open_card(app, &mut tx, batch, now).await?, true),
    };
    let mut new_occurrences = 0;
    for alert in &batch.alerts {
        new_occurrences += u64::from(record_alert(&mut tx, card, alert, now).await?);
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
    if new_card && stored.incident.is_none() {
        queue_auto_declare(app, &mut tx, batch, card, now).await?;
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
            alert_joined(app, &mut tx, &mut outbox, &stored, incident).await?;
        } else if stored.resolved_at.is_some() && !was_resolved {
            alert_resolved(app, &mut tx, &mut outbox, &stored, incident, now).await?;
        }
        outbox.flush_here(&mut tx).await?;
    }
    if new_occurrences > 0 {
        super::incident::came_back::alert_fired(app, &mut tx, &stored, was_resolved, now).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(Received {
        card,
        new_card,
        new_occurrences,
    })
}

/// Stores the card of a group seen for the first time (within the dedup window): its system
/// from the rules, and the availability incident of that system being worked, if any.
async fn open_card(
    app: &App,
    tx: &mut Tx,
    batch: &AlertBatch,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let system = batch
        .named_system()
        .or_else(|| app.settings.intake.systems.system_of(&batch.labels))
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
    // While an availability incident of that system is being worked, its alerts join
    // it. Never a security one: its card stays in the alerts channel for everyone, and
    // the security channel is told once the card is posted (`card_posted`).
    let attach_to = match system {
        Some(system) => tx
            .open_incidents_with_system(
                app.settings.discord.guild_id,
                system,
                IncidentKind::Availability,
            )
            .await?
            .into_iter()
            .next(),
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
    Ok(id)
}

/// Stores one alert of a delivery on `card`; whether it is a new occurrence (a new alert, or
/// one firing again).
async fn record_alert(
    tx: &mut Tx,
    card: i64,
    alert: &AlertEvent,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
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
            Ok(firing)
        }
        Some(stored) => {
            // The same firing sent again (Alertmanager repeats its groups) is no new
            // occurrence; a new start, or firing after resolved, is.
            let again = firing
                && (stored.occurrence != alert.occurrence
                    || stored.status == AlertStatus::Resolved);
            tx.update_alert(stored.id, &alert.occurrence, alert.status, again, now)
                .await?;
            Ok(again)
        }
    }
}

/// Queues the declaring of a new card that an `[[intake.auto_declare]]` rule matches.
async fn queue_auto_declare(
    app: &App,
    tx: &mut Tx,
    batch: &AlertBatch,
    card: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if let Some(rule) = app.settings.intake.auto_declare.matching(batch) {
        let effect = Effect::AutoDeclare {
            card,
            severity: rule.severity,
            rule: rule.describe(),
        };
        enqueue(tx, &effect, None, format!("auto_declare:{card}"), now, now).await?;
    }
    Ok(())
}

/// A new card that joined `incident` on arrival: its timeline and channel are told.
async fn alert_joined(
    app: &App,
    tx: &mut Tx,
    outbox: &mut super::Outbox<'_>,
    stored: &AlertCard,
    incident: IncidentId,
) -> Result<(), AppError> {
    tx.append_timeline(incident, &[alert_entry(stored)]).await?;
    let view = Notice {
        alert_joined: Some(news(stored, None)),
        ..Notice::default()
    };
    outbox.say_here(super::render(app, TemplateName::Notice, &view)?, vec![]);
    Ok(())
}

/// A card of `incident` its source now says is over: a hint for the verify step, told in its
/// timeline and channel.
async fn alert_resolved(
    app: &App,
    tx: &mut Tx,
    outbox: &mut super::Outbox<'_>,
    stored: &AlertCard,
    incident: IncidentId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
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
    let view = Notice {
        alert_resolved: Some(news(stored, None)),
        ..Notice::default()
    };
    outbox.say_here(super::render(app, TemplateName::Notice, &view)?, vec![]);
    Ok(())
}

/// `card` as an incident channel is told of it, attached by `by` if by hand.
fn news(card: &AlertCard, by: Option<Markup>) -> AlertNews {
    AlertNews {
        title: card.title.clone(),
        source: card.source.display().to_owned(),
        since: relative(card.started_at),
        by,
    }
}

/// Queues the job that posts `card`, or edits it to how it stands when the job runs. Keyed by
/// the card's state, so a delivery that changed nothing queues nothing new.
pub(super) async fn queue_card(
    tx: &mut Tx,
    card: &AlertCard,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    let key = format!(
        "alert_card:{}:{}:{}:{}:{}:{}",
        card.id,
        card.count,
        card.firing,
        card.last_seen.timestamp_millis(),
        card.incident.map_or(0, |i| i.0),
        u8::from(card.dismissed.is_some()),
    );
    enqueue(
        tx,
        &Effect::AlertCard { card: card.id },
        None,
        key,
        now,
        now,
    )
    .await
}

/// Records where `card` was first posted and tells each security incident being worked that
/// lists the card's system, in its private channel and pinging nobody, that an alert about it
/// fired, with a link to the card: the card itself says nothing of them.
pub(super) async fn card_posted(
    app: &App,
    card: &AlertCard,
    channel: ChannelId,
    message: MessageId,
) -> Result<(), AppError> {
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    tx.alert_card_posted(card.id, channel, message).await?;
    let guild = app.settings.discord.guild_id;
    let secret = match card.system.as_deref() {
        Some(system) => {
            tx.open_incidents_with_system(guild, system, IncidentKind::Security)
                .await?
        }
        None => Vec::new(),
    };
    for incident in secret {
        let origin = format!("alert_seen:{}:{incident}", card.id);
        let mut outbox = super::Outbox::new(&origin, incident, now);
        let seen = AlertSeen {
            system: card.system.clone().unwrap_or_default(),
            title: card.title.clone(),
            source: card.source.display().to_owned(),
            channel: Markup::raw(format!("<#{channel}>")),
            card: Markup::raw(format!(
                "https://discord.com/channels/{guild}/{channel}/{message}"
            )),
        };
        let line = super::render(app, TemplateName::Notice, &Notice::from(seen))?;
        outbox.say_here(line, vec![]);
        outbox.flush_here(&mut tx).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

/// A card's text, buttons and attach menu as they stand: what fired, where, since when, how
/// often, and the answers left to give.
pub fn card_view(
    app: &App,
    card: &AlertCard,
    incident: Option<IncidentNumber>,
    attach_to: Vec<Choice>,
) -> Result<Clicked, AppError> {
    let view = AlertCardView {
        resolved: card.resolved_at.is_some(),
        title: card.title.clone(),
        source: card.source.display().to_owned(),
        system: card.system.clone(),
        since: timestamp(card.started_at)
            .raw_then(" (")
            .push(relative(card.started_at))
            .raw_then(")"),
        count: card.count,
        once: card.count == 1,
        firing: card.firing,
        last_seen: relative(card.last_seen),
        resolved_at: card.resolved_at.map(timestamp),
        // Checked at parse time: http(s), no spaces or angle brackets. `<…>` stops the embed.
        link: card.link.as_ref().map(|l| Markup::raw(format!("<{l}>"))),
        incident: incident.map(|n| Markup::raw(format!("#{n}"))),
        dismissed_by: card.dismissed.as_ref().map(|(user, _)| mention(*user)),
        dismissed_why: card.dismissed.as_ref().map(|(_, why)| why.clone()),
        attachable: !attach_to.is_empty(),
    };
    let content = super::render(app, TemplateName::AlertCard, &view)?;
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
    let menu = (open && !attach_to.is_empty()).then(|| Menu {
        custom_id: format!("{ATTACH_MENU}:{}", card.id),
        placeholder: "Attach to incident #…".to_owned(),
        choices: attach_to,
    });
    Ok(Clicked {
        content,
        buttons,
        menu,
    })
}

/// The card's view with its incident's number and the incidents it may join, read from the
/// store.
pub async fn card_view_now(app: &App, card: &AlertCard) -> Result<Clicked, AppError> {
    let number = match card.incident {
        Some(id) => app.db.incident(id).await?.map(|r| r.number),
        None => None,
    };
    let choices = if card.incident.is_none() && card.dismissed.is_none() {
        let worked = being_worked(app).await?;
        attach_choices(card, worked)
    } else {
        Vec::new()
    };
    card_view(app, card, number, choices)
}

/// The incidents being worked: open, or fixed and being verified.
async fn being_worked(app: &App) -> Result<Vec<IncidentRecord>, AppError> {
    let mut records = app
        .db
        .unclosed_incidents(app.settings.discord.guild_id)
        .await?;
    records.retain(|r| worked(r.incident.status));
    Ok(records)
}

/// Whether an incident in `status` is being worked, so that alerts may join it.
fn worked(status: Status) -> bool {
    matches!(status, Status::Open | Status::Verifying)
}

/// The attach menu's choices (availability incidents only): the incidents that list the card's
/// system first, then the newest.
fn attach_choices(card: &AlertCard, mut worked: Vec<IncidentRecord>) -> Vec<Choice> {
    let lists_system = |r: &IncidentRecord| {
        card.system.as_deref().is_some_and(|system| {
            r.incident
                .systems
                .names()
                .any(|n| n.eq_ignore_ascii_case(system))
        })
    };
    worked.sort_by_key(|r| (!lists_system(r), std::cmp::Reverse(r.number)));
    worked
        .iter()
        .filter(|r| r.incident.kind == IncidentKind::Availability)
        .take(MAX_CHOICES)
        .map(|r| {
            let i = &r.incident;
            let label = format!(
                "#{} {} {} ({})",
                r.number,
                i.severity,
                i.title,
                i.systems.display()
            );
            Choice {
                value: r.number.to_string(),
                label: label.chars().take(100).collect(),
            }
        })
        .collect()
}

/// Whether a change to an incident changes how it is offered on cards' attach menus.
pub(super) fn changes_menus(before: &Incident, after: &Incident) -> bool {
    worked(before.status) != worked(after.status)
        || (worked(after.status)
            && (before.title != after.title
                || before.kind != after.kind
                || before.severity != after.severity
                || before.systems != after.systems))
}

/// Queues an edit of every card still waiting for an answer, so that its attach menu lists the
/// incidents being worked now. `why` keys the edits: one per change.
pub(super) async fn refresh_menus(
    app: &App,
    tx: &mut Tx,
    why: &str,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    let since = now - crate::config::delta(app.settings.intake.dedup_window);
    for card in tx.undecided_cards(since).await? {
        let key = format!("alert_card_menu:{}:{why}", card.id);
        enqueue(
            tx,
            &Effect::AlertCard { card: card.id },
            None,
            key,
            now,
            now,
        )
        .await?;
    }
    Ok(())
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
        .map_err(|_| Refusal::ButtonWithoutAlert)?;
    let severity = severity
        .map(Severity::parse)
        .transpose()
        .map_err(|_| Refusal::ButtonWithoutSeverity)?;
    Ok((card, severity))
}

async fn load(app: &App, id: i64) -> Result<AlertCard, AppError> {
    app.db
        .alert_card(id)
        .await?
        .ok_or(AppError::User(Refusal::AlertUnknown))
}

/// The incident a card declares: titled as the alert, of the card's system, detected when the
/// alert began.
fn declaration_of(
    card: &AlertCard,
    severity: Severity,
    by: crate::domain::UserId,
) -> Result<Declaration, AppError> {
    let title = IncidentTitle::parse(card.title.chars().take(100).collect::<String>().trim())
        .or_else(|_| IncidentTitle::parse(&format!("{} alert", card.source.display())))?;
    let systems = card
        .system
        .as_deref()
        .map(Systems::parse)
        .transpose()?
        .unwrap_or_default();
    Ok(Declaration {
        title,
        severity,
        kind: IncidentKind::Availability,
        systems,
        summary: None,
        declared_by: by,
        eta: None,
        detected_at: Some(card.started_at),
    })
}

/// An `[[intake.auto_declare]]` rule's job: declares the card's incident as the bot, unless
/// someone declared, attached or dismissed it first. Pages per severity as any declaration.
pub async fn auto_declare(
    app: &App,
    card: i64,
    severity: Severity,
    rule: &str,
    bot: crate::domain::UserId,
    counts: ChannelCounts,
) -> Result<(), AppError> {
    let card = load(app, card).await?;
    if card.incident.is_some() || card.dismissed.is_some() {
        tracing::info!(
            card = card.id,
            "auto-declare skipped: the card was answered first"
        );
        return Ok(());
    }
    let actor = Actor {
        user: bot,
        roles: vec![],
    };
    let declaration = declaration_of(&card, severity, bot)?;
    let from = FromCard {
        card: &card,
        rule: Some(rule),
    };
    match declare_as(app, &actor, declaration, None, counts, Some(from)).await {
        Ok(declared) => {
            tracing::info!(
                card = card.id,
                incident = declared.record.number.0,
                rule,
                "auto-declared"
            );
            Ok(())
        }
        // Someone pressed Declare while the job ran: theirs stands.
        Err(AppError::User(_)) if load(app, card.id).await?.incident.is_some() => Ok(()),
        Err(e) => Err(e),
    }
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
        return Err(Refusal::AlertDismissed.into());
    }
    let declaration = declaration_of(&card, severity, actor.user)?;
    let from = FromCard {
        card: &card,
        rule: None,
    };
    declare_as(
        app,
        actor,
        declaration,
        Some(interaction),
        counts,
        Some(from),
    )
    .await?;
    let card = load(app, card.id).await?;
    card_view_now(app, &card).await
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
    let current = tx.alert_card(card).await?.ok_or(Refusal::AlertUnknown)?;
    if current.incident.is_some() {
        return Err(Refusal::AlertIsIncident.into());
    }
    tx.alert_card_dismissed(card, actor.user, why.as_str())
        .await?;
    tx.commit().await?;
    tracing::info!(card, "alert dismissed as not real");
    let card = load(app, card).await?;
    card_view_now(app, &card).await
}

/// A choice in a card's attach menu: the card joins the incident being worked that was
/// picked, whose timeline gets the alert and whose channel is told.
pub async fn attach_card(
    app: &App,
    actor: &Actor,
    card: i64,
    picked: &[String],
) -> Result<Clicked, AppError> {
    actor.may(Action::Declare, &team(app), None)?;
    let number = picked
        .first()
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or(Refusal::PickAnIncident)?;
    let gone = || not_worked(number);
    let target = being_worked(app)
        .await?
        .into_iter()
        .find(|r| u64::from(r.number.0) == number)
        .ok_or_else(gone)?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    // Read again under the transaction's lock: it may have closed, or become a security
    // incident, since the menu was read.
    let still = tx
        .incident(target.id)
        .await?
        .filter(|r| worked(r.incident.status))
        .ok_or_else(gone)?;
    may_attach_to(app, actor, &still)?;
    let current = tx.alert_card(card).await?.ok_or(Refusal::AlertUnknown)?;
    if let Some(id) = current.incident {
        let number = tx.incident(id).await?.map(|r| r.number);
        return Err(Refusal::AlertWithIncident { number }.into());
    }
    if current.dismissed.is_some() {
        return Err(Refusal::AlertDismissed.into());
    }
    tx.alert_card_incident(card, target.id, None).await?;
    let mut entry = alert_entry(&current);
    entry.actor = Some(actor.user);
    entry.at = now;
    entry.text = format!("Attached by hand: {}", entry.text);
    tx.append_timeline(target.id, &[entry]).await?;
    let origin = format!("attach:{card}");
    let mut outbox = super::Outbox::new(&origin, target.id, now);
    let view = Notice {
        alert_attached: Some(news(&current, Some(mention(actor.user)))),
        ..Notice::default()
    };
    outbox.say_here(super::render(app, TemplateName::Notice, &view)?, vec![]);
    outbox.flush_here(&mut tx).await?;
    tx.commit().await?;
    app.waker.wake();
    tracing::info!(card, incident = target.number.0, "alert attached");
    let card = load(app, card).await?;
    card_view_now(app, &card).await
}

/// The refusal of a pick that is not (or no longer) an incident being worked.
fn not_worked(number: u64) -> AppError {
    Refusal::NotWorked { number }.into()
}

/// Whether `actor` may attach a card to `record`: only to an availability incident, since the
/// card (in a channel every responder reads) then names it. Someone who may not know that a
/// security incident exists is told what a closed incident would tell them.
fn may_attach_to(app: &App, actor: &Actor, record: &IncidentRecord) -> Result<(), AppError> {
    let number = record.number;
    if !actor.can_see(&record.incident, &team(app)) {
        return Err(not_worked(number.0.into()));
    }
    if record.incident.kind == IncidentKind::Security {
        return Err(Refusal::CardToSecurity { number }.into());
    }
    Ok(())
}

/// A message in `[intake] reports_channel`: counted for each system it names when a player (no
/// team role) wrote it; enough players naming one system within the window post a triage card,
/// and later mentions join that card.
pub async fn player_said(
    app: &App,
    message: &crate::domain::PlayerMessage,
    roles: &[crate::domain::RoleId],
) -> Result<Vec<Received>, AppError> {
    let team = team(app);
    if roles
        .iter()
        .any(|r| [team.responder, team.commander, team.security].contains(r))
    {
        return Ok(Vec::new());
    }
    let intake = &app.settings.intake;
    let systems: Vec<&str> = intake.systems.names().collect();
    let batches = app
        .reports
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .observe(message, &systems, intake.report_threshold());
    let mut received = Vec::new();
    for batch in &batches {
        match receive(app, batch).await {
            Ok(r) => received.push(r),
            Err(e) => {
                if let Some(system) = batch.named_system() {
                    app.reports
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .forget_card(system);
                }
                return Err(e);
            }
        }
    }
    Ok(received)
}
