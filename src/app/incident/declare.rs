//! Declaring an incident: the record, its timeline, and the jobs that open its channel and,
//! when the severity says so, alert the players.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::App;
use super::{audit, team, AppError, Effect, Outbox};
use crate::domain::{
    Action, Actor, Declaration, EtaInput, FreeText, Incident, IncidentKind, IncidentTitle,
    InteractionId, Refusal, Severity, Systems, TimelineEntry,
};
use crate::render::{eta, role_pings, Markup, ServiceAlert, ETA_UNKNOWN};
use crate::store::{AlertCard, AnnouncementKind, IncidentRecord, NewIncident, Tx};

/// Channels a guild may hold before the bot refuses to open more (Discord's limit is 500).
pub const GUILD_CHANNEL_BUDGET: usize = 480;
/// Channels the incident category may hold before the bot refuses (Discord's limit is 50).
pub const CATEGORY_CHANNEL_BUDGET: usize = 48;

/// How full the guild is, as the adapter sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelCounts {
    /// Channels in the guild.
    pub guild: usize,
    /// Channels in the incident category.
    pub category: usize,
}

/// `/incident declare`, as typed.
#[derive(Debug, Clone)]
pub struct DeclareArgs {
    /// The title.
    pub title: String,
    /// The severity.
    pub severity: Severity,
    /// The kind (availability when not given).
    pub kind: IncidentKind,
    /// Comma-separated systems.
    pub systems: Option<String>,
    /// A first summary.
    pub summary: Option<String>,
    /// When players can expect a fix: a duration (`45m`) or words.
    pub eta: Option<String>,
    /// When the problem was first seen, if earlier than now: a player's report's time.
    pub detected_at: Option<DateTime<Utc>>,
}

/// The outcome.
#[derive(Debug, Clone)]
pub struct Declared {
    /// The incident.
    pub record: IncidentRecord,
    /// True when this interaction had already declared it (a re-delivery).
    pub already: bool,
}

/// Declares an incident for `actor`, once per `interaction`.
#[tracing::instrument(skip_all, fields(interaction = %interaction))]
pub async fn declare(
    app: &App,
    actor: &Actor,
    args: DeclareArgs,
    interaction: InteractionId,
    counts: ChannelCounts,
) -> Result<Declared, AppError> {
    actor.may(Action::Declare, &team(app), None)?;
    if let Some(record) = app.db.incident_by_interaction(interaction).await? {
        return Ok(Declared {
            record,
            already: true,
        });
    }
    let declaration = Declaration {
        title: IncidentTitle::parse(&args.title)?,
        severity: args.severity,
        kind: args.kind,
        systems: Systems::parse(args.systems.as_deref().unwrap_or_default())?,
        summary: args.summary.as_deref().map(FreeText::parse).transpose()?,
        declared_by: actor.user,
        eta: args.eta.as_deref().map(EtaInput::parse).transpose()?,
        // A player's report knows it; a person declaring says it with /incident edit.
        detected_at: args.detected_at,
    };
    declare_as(app, actor, declaration, Some(interaction), counts, None).await
}

/// An alert's triage card a declaration comes from, and the `[[intake.auto_declare]]` rule
/// that declared it, if no person did.
#[derive(Debug, Clone, Copy)]
pub(in crate::app) struct FromCard<'a> {
    /// The card.
    pub card: &'a AlertCard,
    /// The rule, as people read it.
    pub rule: Option<&'a str>,
}

/// Declares `declaration` for `actor`, once per `interaction` (a rule's declaration has none);
/// `from`, when it comes from an alert's triage card, puts the alert first on the timeline and
/// marks the card declared.
pub(in crate::app) async fn declare_as(
    app: &App,
    actor: &Actor,
    declaration: Declaration,
    interaction: Option<InteractionId>,
    counts: ChannelCounts,
    from: Option<FromCard<'_>>,
) -> Result<Declared, AppError> {
    within_channel_budget(counts)?;
    // A player's report knows when it was detected; nothing else declares with it.
    let reported = declaration.detected_at.is_some() && from.is_none();
    let now = app.clock.now();
    let (incident, happened) = Incident::declare(declaration, now);
    let entry = app
        .templates
        .timeline_entry(happened)
        .map_err(anyhow::Error::new)?;
    let guild = app.settings.discord.guild_id;
    let mut tx = app.db.begin().await?;
    if let Some(FromCard { card, .. }) = from {
        card_undecided(&mut tx, card).await?;
    }
    let inserted = tx
        .insert_incident(NewIncident {
            guild_id: guild,
            interaction_id: interaction,
            incident: &incident,
        })
        .await;
    let record = match (inserted, interaction) {
        (Ok(record), _) => record,
        // The same interaction, delivered twice at once: the other delivery won.
        (Err(crate::store::Error::Duplicate(_)), Some(interaction)) => {
            drop(tx);
            let record = app
                .db
                .incident_by_interaction(interaction)
                .await?
                .ok_or_else(|| anyhow::anyhow!("declare raced and lost its row"))?;
            return Ok(Declared {
                record,
                already: true,
            });
        }
        (Err(e), _) => return Err(e.into()),
    };
    let entries = opening_entries(app, &mut tx, actor, &record, entry, from, now).await?;
    tx.append_timeline(record.id, &entries).await?;
    audit(
        &mut tx,
        app,
        guild,
        actor,
        record.id,
        "declare",
        json!({ "severity": incident.severity, "kind": incident.kind, "title": incident.title }),
    )
    .await?;
    let origin = format!("declare:{}", record.id);
    let mut outbox = Outbox::new(&origin, record.id, now);
    outbox.push(&mut tx, Effect::OpenChannel).await?;
    super::reminders::on_declare(app, &mut tx, &mut outbox, &record, now).await?;
    crate::app::paging::on_declare(app, &mut tx, &mut outbox, &record, now).await?;
    crate::app::tickets::on_declare(app, &mut tx, &mut outbox, &record).await?;
    let config = app.settings.severity.get(incident.severity);
    if config.announce && incident.kind == IncidentKind::Availability {
        queue_alert(app, &mut tx, &mut outbox, &record).await?;
    }
    if reported {
        super::came_back::reported(app, &mut tx, &record, now).await?;
    }
    super::intake::refresh_menus(app, &mut tx, &format!("declared:{}", record.id), now).await?;
    tx.public_changed().await?;
    tx.commit().await?;
    app.waker.wake();
    app.public.changed();
    tracing::info!(incident = record.number.0, severity = %incident.severity, "declared");
    Ok(Declared {
        record,
        already: false,
    })
}

/// Refuses a declaration once the guild or the incident category holds as many channels as the
/// bot allows itself, to stay inside Discord's limits.
fn within_channel_budget(counts: ChannelCounts) -> Result<(), AppError> {
    if counts.guild >= GUILD_CHANNEL_BUDGET || counts.category >= CATEGORY_CHANNEL_BUDGET {
        return Err(Refusal::TooManyChannels {
            guild: counts.guild,
            category: counts.category,
            guild_budget: GUILD_CHANNEL_BUDGET,
            category_budget: CATEGORY_CHANNEL_BUDGET,
        }
        .into());
    }
    Ok(())
}

/// Refuses to declare from an alert's card that someone dismissed or declared meanwhile.
async fn card_undecided(tx: &mut Tx, card: &AlertCard) -> Result<(), AppError> {
    // Two people pressing Declare at once: the first one declares. Read under the
    // transaction's lock: someone may have dismissed it meanwhile.
    let current = tx.alert_card(card.id).await?;
    if current.as_ref().is_some_and(|c| c.dismissed.is_some()) {
        return Err(Refusal::AlertDismissed.into());
    }
    if let Some(id) = current.and_then(|c| c.incident) {
        let number = tx.incident(id).await?.map(|r| r.number);
        return Err(Refusal::AlertDeclared { number }.into());
    }
    Ok(())
}

/// The new incident's first timeline entries: the alert it comes from, the declaration
/// `entry`, and the `[[intake.auto_declare]]` rule that declared it; marks the card declared.
async fn opening_entries(
    app: &App,
    tx: &mut Tx,
    actor: &Actor,
    record: &IncidentRecord,
    entry: TimelineEntry,
    from: Option<FromCard<'_>>,
    now: DateTime<Utc>,
) -> Result<Vec<TimelineEntry>, AppError> {
    let mut entries = Vec::new();
    if let Some(FromCard { card, .. }) = from {
        entries.push(super::intake::alert_entry(app, card, false)?);
        tx.alert_card_incident(card.id, record.id, Some(actor.user))
            .await?;
    }
    entries.push(entry);
    if let Some(FromCard {
        card,
        rule: Some(rule),
    }) = from
    {
        entries.push(crate::domain::TimelineEntry {
            at: now,
            actor: None,
            kind: crate::domain::EntryKind::Bot,
            text: super::render(
                app,
                crate::render::TemplateName::Timeline,
                &crate::render::TimelineView::AutoDeclared {
                    rule: rule.to_string(),
                },
            )?,
            source_message: None,
        });
        // Nobody pressed a button: a job edits the card to say which incident it is.
        if let Some(declared) = tx.alert_card(card.id).await? {
            super::intake::queue_card(tx, &declared, now).await?;
        }
    }
    Ok(entries)
}

/// Queues the 🚨 service alert for players, pinging the opt-in role on a P0.
pub(in crate::app) async fn queue_alert(
    app: &App,
    tx: &mut crate::store::Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
) -> Result<(), AppError> {
    let none = crate::domain::Translations::default();
    queue_alert_in(app, tx, outbox, record, &none).await
}

/// [`queue_alert`], with the affected systems as typed for players in their other languages.
pub(in crate::app) async fn queue_alert_in(
    app: &App,
    tx: &mut crate::store::Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    translations: &crate::domain::Translations,
) -> Result<(), AppError> {
    let i = &record.incident;
    let ping_roles: Vec<_> = match (i.severity, app.settings.roles.player_alerts) {
        (Severity::P0, Some(role)) => vec![role],
        _ => vec![],
    };
    let now = app.clock.now();
    let view = ServiceAlert {
        ping: role_pings(&ping_roles),
        system: i.systems.display(),
        // An ETA that has passed is no ETA: players would read "2 hours ago".
        eta: i
            .eta
            .as_ref()
            .filter(|e| !e.passed(now))
            .map_or_else(|| Markup::text(ETA_UNKNOWN), eta),
        status_url: app.settings.status.url.clone(),
    };
    let translated = crate::domain::to_translate(&app.settings.players.locales)
        .into_iter()
        .filter_map(|l| {
            let system = translations.get(l)?.to_string();
            Some((
                l,
                ServiceAlert {
                    system,
                    ..view.clone()
                },
            ))
        })
        .collect();
    let post = crate::app::players::ToPost {
        kind: AnnouncementKind::Alert,
        view: &view,
        translated,
        titles: translations.titles(),
        ping_roles,
        publish: true,
    };
    crate::app::players::post(app, tx, outbox, record, post).await
}
