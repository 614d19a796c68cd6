//! Adding a Discord message to an incident's timeline: from the context menu, a 📌 reaction or
//! a pin. Once per message, with its author and its original time.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::lifecycle::incident_here;
use super::App;
use super::{audit, team, AppError, Outbox};
use crate::domain::{
    parse_field, Action, Actor, ChannelId, FreeText, Happened, MessageId, Refusal, Status,
    TimelineEntry, TimelineEvent, UserId,
};
use crate::render::{mention, MessageLinked, Notice, TemplateName};

/// A message someone wants on the timeline.
#[derive(Debug, Clone)]
pub struct NotedMessage {
    /// The message.
    pub id: MessageId,
    /// Its channel.
    pub channel: ChannelId,
    /// Who wrote it.
    pub author: UserId,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// What it says.
    pub content: String,
}

/// Adds `message` to the timeline for `actor`. Returns false when it was there already.
#[tracing::instrument(skip_all, fields(message = %message.id))]
pub async fn note_message(
    app: &App,
    actor: &Actor,
    message: NotedMessage,
) -> Result<bool, AppError> {
    let record = incident_here(app, actor, message.channel).await?;
    actor.may(Action::Work, &team(app), record.incident.roles.commander)?;
    if record.incident.status == Status::Closed {
        return Err(Refusal::TimelineFinal.into());
    }
    // Without the privileged Message Content intent Discord hides the words of other people's
    // messages from a 📌 reaction (a context-menu command carries them). An empty message
    // still belongs on the timeline: as a link, until Apps → Add to timeline fills in its words.
    let link = linked(app, &message)?;
    let words = if message.content.trim().is_empty() {
        None
    } else {
        Some(parse_field(
            "The message",
            &message.content,
            FreeText::MAX,
            true,
        )?)
    };
    let entry = TimelineEntry {
        text: words.clone().unwrap_or_else(|| link.text.clone()),
        ..link
    };
    let mut tx = app.db.begin().await?;
    let added = tx.append_timeline(record.id, &[entry]).await? == 1
        || match &words {
            Some(text) => {
                tx.fill_timeline_text(record.id, message.id, &link.text, text)
                    .await?
            }
            None => false,
        };
    if added {
        audit(
            &mut tx,
            app,
            record.guild_id,
            actor,
            record.id,
            "note_message",
            json!({ "message": message.id }),
        )
        .await?;
    }
    if added && words.is_none() {
        let view = Notice::from(MessageLinked {
            by: mention(actor.user),
        });
        let origin = format!("pin:{}", message.id);
        let mut outbox = Outbox::new(&origin, record.id, app.clock.now());
        outbox.say_here(super::render(app, TemplateName::Notice, &view)?, vec![]);
        outbox.flush_here(&mut tx).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(added)
}

/// The timeline's entry for a message whose words the bot could not read: a link to it, worded
/// by `timeline.hbs`, with the message's author and time.
fn linked(app: &App, message: &NotedMessage) -> Result<TimelineEntry, AppError> {
    let happened = Happened {
        at: message.at,
        actor: message.author,
        event: TimelineEvent::MessageLinked {
            guild: app.settings.discord.guild_id,
            channel: message.channel,
            message: message.id,
        },
    };
    let [entry] = <[TimelineEntry; 1]>::try_from(crate::app::worded(app, [happened])?)
        .map_err(|_| anyhow::anyhow!("one event words one entry"))?;
    Ok(TimelineEntry {
        source_message: Some(message.id),
        ..entry
    })
}
