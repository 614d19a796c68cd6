//! The parts of [`super::change`] that correct facts and tell players on purpose:
//! `/incident edit`, `/incident kind`, `/incident announce`, and an update's ETA and publish.

use chrono::{DateTime, Utc};

use super::effects::kinds;
use super::{App, AppError, Effect, Outbox, Target, PUBLISH_BUDGET};
use crate::domain::{Actor, Command, Incident, IncidentKind, Refusal, Status, Systems};
use crate::render::{
    channel_link, eta, mention, relative, role_mention, timestamp, AlertSent, AnnounceAnswer,
    AvailabilityAnswer, EditAnswer, FactChange, FactsChanged, LoggedSecurity, Markup, Notice,
    NowAvailability, NowSecurity, PublishRefused, Published, SecurityAnswer, StatusUpdate,
    TemplateName, ToPlayers, UpdateAnswer,
};
use crate::store::{AnnouncementKind, IncidentRecord, PublishSlots, Tx};

/// What was decided before the command was applied, for what it shows people.
#[derive(Debug, Clone, Copy, Default)]
pub(in crate::app) struct Prepared {
    /// A publish asked for and refused: the hourly budget, as it stood.
    pub publish_refused: Option<PublishSlots>,
}

/// Checks, inside the transaction and before `command` applies to `record`, what the store knows
/// and the domain does not: an alert that went out already (for an incident that may still have
/// one: the domain's own refusals come first), a publish budget that is spent (the update then
/// goes out unpublished, and the timeline says so).
pub(in crate::app) async fn prepare(
    app: &App,
    tx: &mut Tx,
    record: &IncidentRecord,
    command: &mut Command,
    now: DateTime<Utc>,
) -> Result<Prepared, AppError> {
    let i = &record.incident;
    match command {
        Command::Announce { .. }
            if i.kind == IncidentKind::Availability && i.status == Status::Open =>
        {
            let alerts = tx
                .announcements_of(record.id, AnnouncementKind::Alert)
                .await?;
            if let Some(alert) = alerts.first() {
                let link = alert.message_id.map(|message| {
                    format!(
                        "https://discord.com/channels/{}/{}/{message}",
                        record.guild_id, alert.channel_id
                    )
                });
                return Err(Refusal::AlertAlreadySent {
                    channel: alert.channel_id,
                    link,
                }
                .into());
            }
            Ok(Prepared::default())
        }
        Command::Update {
            publish, public, ..
        } if *publish => {
            let slots = tx
                .publish_slots_taken(app.settings.channels.announcements, now)
                .await?;
            if slots.taken < PUBLISH_BUDGET {
                return Ok(Prepared::default());
            }
            // Still posted for players, as asked; only not published.
            *publish = false;
            *public = true;
            Ok(Prepared {
                publish_refused: Some(slots),
            })
        }
        _ => Ok(Prepared::default()),
    }
}

/// The ETA players read with an alert or an update: the last one given, unless it has passed.
fn standing_eta(i: &Incident, now: DateTime<Utc>) -> Option<Markup> {
    i.eta.as_ref().filter(|e| !e.passed(now)).map(eta)
}

/// The update just applied to `record`, for players: posted in the announcement channel, and
/// published when asked and the budget allows. Returns the reply.
pub(in crate::app) async fn update_to_players(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    (publish, translations): (bool, &crate::domain::Translations),
    prepared: Prepared,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let i = &record.incident;
    let channel = app.settings.channels.announcements;
    let view = StatusUpdate {
        system: i.systems.display(),
        message: i
            .last_update
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        eta: standing_eta(i, now),
        status_url: app.settings.status.url.clone(),
    };
    let translated = crate::domain::to_translate(&app.settings.players.locales)
        .into_iter()
        .filter_map(|l| {
            let message = translations.get(l)?.to_string();
            Some((
                l,
                StatusUpdate {
                    message,
                    ..view.clone()
                },
            ))
        })
        .collect();
    let post = crate::app::players::ToPost {
        kind: AnnouncementKind::Update,
        view: &view,
        translated,
        titles: translations.titles(),
        ping_roles: vec![],
        publish,
    };
    crate::app::players::post(app, tx, outbox, record, post).await?;
    let mut players = ToPlayers {
        channel: channel_link(channel),
        budget: PUBLISH_BUDGET,
        published: None,
        refused: None,
    };
    if let Some(slots) = prepared.publish_refused {
        players.refused = Some(PublishRefused {
            frees: slots.frees_at.map(relative),
        });
    } else if publish {
        let slots = tx.publish_slots_taken(channel, now).await?;
        let left = PUBLISH_BUDGET.saturating_sub(slots.taken);
        players.published = Some(Published { left });
    }
    let players = Some(players);
    super::answer(app, UpdateAnswer { players })
}

/// `/incident announce`: queues the 🚨 alert. Returns the reply.
pub(in crate::app) async fn announced(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    (actor, translations): (&Actor, &crate::domain::Translations),
    record: &IncidentRecord,
) -> Result<String, AppError> {
    super::declare::queue_alert_in(app, tx, outbox, record, translations).await?;
    let i = &record.incident;
    let sent = AlertSent {
        by: mention(actor.user),
        eta: standing_eta(i, app.clock.now()),
    };
    notice(app, outbox, Notice::from(sent), vec![])?;
    let channel = channel_link(app.settings.channels.announcements);
    super::answer(app, AnnounceAnswer { channel })
}

/// `/incident edit`: says what changed, renames the channel when its name follows the title.
/// Returns the reply.
pub(in crate::app) async fn edited(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    actor: &Actor,
    before: &Incident,
    record: &IncidentRecord,
) -> Result<String, AppError> {
    let i = &record.incident;
    let (changes, names) = fact_changes(before, i);
    let renamed = super::channel_name(record);
    let rename = record.channel_id.is_some()
        && i.kind == IncidentKind::Availability
        && i.title != before.title;
    if rename {
        outbox.push(tx, Effect::Relabel).await?;
    }
    let view = FactsChanged {
        by: mention(actor.user),
        changes,
        renamed_to: rename.then(|| format!("#{renamed}")),
        deadlines_from: (i.detected_at != before.detected_at).then(|| timestamp(i.detected_at)),
    };
    outbox.say_here(
        super::render(app, TemplateName::FactsChanged, &view)?,
        vec![],
    );
    let corrected = EditAnswer {
        facts: names.join(", "),
        renamed: rename.then_some(renamed),
    };
    super::answer(app, corrected)
}

/// What `/incident edit` changed between `before` and `i`: each fact's before and after, and
/// the names of the facts for the reply.
fn fact_changes(before: &Incident, i: &Incident) -> (Vec<FactChange>, Vec<&'static str>) {
    let mut changes = Vec::new();
    let mut names = Vec::new();
    if i.title != before.title {
        names.push("title");
        changes.push(FactChange {
            what: "Title".to_owned(),
            before: Some(Markup::text(before.title.as_str())),
            after: Some(Markup::text(i.title.as_str())),
        });
    }
    if i.systems != before.systems {
        names.push("systems");
        changes.push(FactChange {
            what: "Systems".to_owned(),
            before: systems(&before.systems),
            after: systems(&i.systems),
        });
    }
    if i.summary != before.summary {
        names.push("summary");
        changes.push(FactChange {
            what: "Summary".to_owned(),
            before: before.summary.as_ref().map(|s| Markup::text(s.as_str())),
            after: i.summary.as_ref().map(|s| Markup::text(s.as_str())),
        });
    }
    if i.detected_at != before.detected_at {
        names.push("detection time");
        changes.push(FactChange {
            what: "Detected".to_owned(),
            before: Some(timestamp(before.detected_at)),
            after: Some(timestamp(i.detected_at)),
        });
    }
    (changes, names)
}

/// Systems as people read them; none for none.
fn systems(s: &Systems) -> Option<Markup> {
    (!s.is_empty()).then(|| Markup::text(&s.display()))
}

/// `/incident kind`: a security incident's channel is made private and renamed, and what was
/// still to go to players is withdrawn; an availability one again keeps its channel as it is,
/// private, and is renamed. Returns the reply.
pub(in crate::app) async fn kind_changed(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    actor: &Actor,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    super::meeting::kind_changed(tx, outbox, record).await?;
    match record.incident.kind {
        IncidentKind::Security => turned_security(app, tx, outbox, actor, record, now).await,
        IncidentKind::Availability => turned_availability(app, tx, outbox, actor, record).await,
    }
}

/// Turned into a security incident: the channel is made private and renamed, what was still to
/// go to players is withdrawn, the security role is paged and the log told.
async fn turned_security(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    actor: &Actor,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let i = &record.incident;
    let security = app.settings.roles.security;
    let who = mention(actor.user);
    let name = super::channel_name(record);
    tx.cancel_jobs(record.id, &[kinds::ANNOUNCE, kinds::PUBLISH], now)
        .await?;
    let withdrawn = tx.withdraw_unposted_announcements(record.id, now).await?;
    // Alerts that joined it on arrival never had a card: their next firing makes one.
    tx.detach_unposted_cards(record.id).await?;
    outbox.push(tx, Effect::MakePrivate).await?;
    outbox.push(tx, Effect::Relabel).await?;
    let secured = NowSecurity {
        by: who.clone(),
        name: name.to_string(),
        withdrawn,
    };
    // Paged as a security incident is at declare: its channel is theirs now.
    let page = app.page_roles(i.kind, i.severity);
    notice(app, outbox, Notice::from(secured), page)?;
    crate::app::social::cancel_posts(app, tx, outbox, record, now).await?;
    if let Some(log) = app.settings.channels.log {
        let post = Effect::Post {
            to: Target::Channel(log),
            content: super::lifecycle::notice(
                app,
                &[],
                Notice::from(LoggedSecurity {
                    number: record.number.0,
                    by: who.clone(),
                    channel: record.channel_id.map(|c| Markup::raw(format!("<#{c}>"))),
                }),
            )?,
            ping_roles: vec![],
            file: None,
            buttons: vec![],
        };
        outbox.push(tx, post).await?;
    }
    let answer = SecurityAnswer {
        number: record.number.0,
        role: role_mention(security),
        name: name.to_string(),
        withdrawn,
        member: actor.roles.contains(&security),
    };
    super::answer(app, answer)
}

/// Turned back into an availability incident: the channel is renamed and stays private.
async fn turned_availability(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    actor: &Actor,
    record: &IncidentRecord,
) -> Result<String, AppError> {
    let who = mention(actor.user);
    let name = super::channel_name(record);
    outbox.push(tx, Effect::Relabel).await?;
    let again = NowAvailability {
        by: who.clone(),
        name: name.to_string(),
    };
    notice(app, outbox, Notice::from(again), vec![])?;
    let answer = AvailabilityAnswer {
        number: record.number.0,
        name: name.to_string(),
    };
    super::answer(app, answer)
}

/// Adds a notice to what this change says in the channel, pinging `ping`.
fn notice(
    app: &App,
    outbox: &mut Outbox<'_>,
    view: Notice,
    ping: Vec<crate::domain::RoleId>,
) -> Result<(), AppError> {
    outbox.say_here(super::lifecycle::notice(app, &ping, view)?, ping);
    Ok(())
}
