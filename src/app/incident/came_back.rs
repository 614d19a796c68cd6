//! What comes back while a fix is verified: an alert about the incident's system firing again
//! (any intake source), players reporting it again in the reports channel, or a player's
//! message reported as an incident of its own (**Report as incident**). The incident channel
//! hears it at once, the commander pinged (the severity's page roles when nobody commands),
//! with the fix check's **It did not hold** button: people decide, not the bot.

use chrono::{DateTime, Utc};

use super::reminders::{Recipient, FIX_FAILED_BUTTON};
use super::{App, Button, ButtonStyle, Effect, Outbox, Outgoing, Performer};
use crate::app::effects::{Recurrence, RecurrenceSource};
use crate::domain::{AlertSource, IncidentKind, IncidentRole, Status};
use crate::render::{human, relative, CameBackReminder, Reminder, TemplateName};
use crate::scheduler::JobError;
use crate::store::{AlertCard, IncidentRecord, Job, Tx};

/// A delivery added firing occurrences to `card`: each availability incident being verified
/// that lists the card's system, or that the card is attached to, is told. Once per card and
/// fix while the card keeps firing (Alertmanager repeats its groups, players keep writing),
/// and again when it fires after it was resolved (`was_resolved`, before this delivery).
pub(in crate::app) async fn alert_fired(
    app: &App,
    tx: &mut Tx,
    card: &AlertCard,
    was_resolved: bool,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    if card.dismissed.is_some() || card.firing == 0 {
        return Ok(());
    }
    let guild = app.settings.discord.guild_id;
    let verifying = tx
        .verifying_incidents_about(guild, card.system.as_deref(), card.incident)
        .await?;
    let source = match card.source {
        AlertSource::Players => RecurrenceSource::Players,
        other => RecurrenceSource::Alert {
            name: other.display().to_owned(),
        },
    };
    // A card firing since before the fix was said on its first delivery of the window; one
    // that fires after it was resolved is news again.
    let episode = if was_resolved {
        card.last_seen.timestamp_millis()
    } else {
        0
    };
    for (incident, fixed_at) in verifying {
        let news = Recurrence {
            source: source.clone(),
            title: card.title.clone(),
            system: card.system.clone(),
            // Fired again after it was resolved: since now, not since its first alert.
            since: if was_resolved { now } else { card.started_at },
        };
        let key = format!(
            "inc:{incident}:came_back:card:{}:{}:{episode}",
            card.id,
            fixed_at.timestamp_millis()
        );
        let origin = format!("card:{}", card.id);
        let mut outbox = Outbox::new(&origin, incident, now);
        outbox
            .push_keyed(tx, Effect::CameBack { news }, now, key)
            .await?;
    }
    Ok(())
}

/// A player's message was declared as `declared` (an availability incident): each other
/// availability incident being verified that lists one of its systems is told.
pub(in crate::app) async fn reported(
    app: &App,
    tx: &mut Tx,
    declared: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    let i = &declared.incident;
    if i.kind != IncidentKind::Availability {
        return Ok(());
    }
    let guild = app.settings.discord.guild_id;
    let mut told = Vec::new();
    for system in i.systems.names() {
        for (incident, _) in tx
            .verifying_incidents_about(guild, Some(system), None)
            .await?
        {
            if incident == declared.id || told.contains(&incident) {
                continue;
            }
            told.push(incident);
            let news = Recurrence {
                source: RecurrenceSource::Report {
                    number: declared.number.0,
                },
                title: i.title.as_str().to_owned(),
                system: Some(system.to_owned()),
                since: i.detected_at,
            };
            let key = format!("inc:{incident}:came_back:report:{}", declared.id);
            let origin = format!("report:{}", declared.id);
            let mut outbox = Outbox::new(&origin, incident, now);
            outbox
                .push_keyed(tx, Effect::CameBack { news }, now, key)
                .await?;
        }
    }
    Ok(())
}

impl Performer {
    /// Tells the incident channel what came back, while the fix is still verified.
    pub(in crate::app) async fn came_back(
        &self,
        job: &Job,
        news: &Recurrence,
    ) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        let i = &record.incident;
        if i.status != Status::Verifying {
            return Ok(());
        }
        let to = Recipient::of(&self.app, i, i.roles.commander, IncidentRole::Commander);
        let now = self.app.clock.now();
        let (alert, players, report) = match &news.source {
            RecurrenceSource::Alert { name } => (Some(name.clone()), false, None),
            RecurrenceSource::Players => (None, true, None),
            RecurrenceSource::Report { number } => (None, false, Some(*number)),
        };
        let view = Reminder {
            came_back: Some(CameBackReminder {
                alert,
                players,
                report,
                title: news.title.clone(),
                system: news.system.clone(),
                began: relative(news.since),
                since: i.resolved_at.map_or_else(String::new, |at| human(now - at)),
            }),
            ..to.view(&[])
        };
        self.say_did_not_hold(job, 0, &record, view, to).await
    }

    /// Posts `view` (a reminder) in the incident channel, pinging `to`, with **It did not
    /// hold** under it: the answer the fix check offers, for news that the fix may not hold.
    pub(in crate::app) async fn say_did_not_hold(
        &self,
        job: &Job,
        n: usize,
        record: &IncidentRecord,
        view: Reminder,
        to: Recipient,
    ) -> Result<(), JobError> {
        let content = self
            .app
            .templates
            .render(TemplateName::Reminder, &view)
            .map_err(|e| JobError::Fatal(e.into()))?;
        let message = Outgoing {
            channel: self.channel_of(record).await?,
            content,
            ping_roles: to.roles,
            ping_users: to.users,
            nonce: crate::app::jobs::nonce(job, n),
            attachment: None,
            buttons: vec![Button {
                custom_id: format!("{FIX_FAILED_BUTTON}:{}", record.id),
                label: self.app.templates.label(&crate::render::Label::FixFailed),
                style: ButtonStyle::Danger,
            }],
            menu: None,
        };
        self.chat.post(&message).await?;
        Ok(())
    }
}
