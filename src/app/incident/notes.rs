//! Adding a Discord message to an incident's timeline: from the context menu, a 📌 reaction or
//! a pin. Once per message, with its author and its original time.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::lifecycle::incident_here;
use super::App;
use super::{audit, team, AppError, Outbox};
use crate::domain::{
    parse_field, Action, Actor, ChannelId, EntryKind, FreeText, MessageId, Refusal, Status,
    TimelineEntry, UserId,
};
use crate::render::mention;

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
    let link = placeholder(app, &message);
    let text = if message.content.trim().is_empty() {
        link.clone()
    } else {
        parse_field("The message", &message.content, FreeText::MAX, true)?
    };
    let entry = TimelineEntry {
        at: message.at,
        actor: Some(message.author),
        kind: EntryKind::Note,
        text: text.clone(),
        source_message: Some(message.id),
    };
    let mut tx = app.db.begin().await?;
    let added = tx.append_timeline(record.id, &[entry]).await? == 1
        || (text != link
            && tx
                .fill_timeline_text(record.id, message.id, &link, &text)
                .await?);
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
    if added && text == link {
        let content = format!(
            "📌 {} put a link to that message on the timeline. Discord does not show me the \
             words of other people's messages, so to keep them use **Apps → Add to timeline** \
             on it.",
            mention(actor.user)
        );
        let origin = format!("pin:{}", message.id);
        let mut outbox = Outbox::new(&origin, record.id, app.clock.now());
        outbox.say_here(content, vec![]);
        outbox.flush_here(&mut tx).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(added)
}

/// What the timeline says of a message whose words the bot could not read: a link to it.
fn placeholder(app: &App, message: &NotedMessage) -> String {
    format!(
        "(message: https://discord.com/channels/{}/{}/{}; its words: use Apps → Add to timeline)",
        app.settings.discord.guild_id, message.channel, message.id
    )
}
