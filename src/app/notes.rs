//! Adding a Discord message to an incident's timeline: from the context menu, a 📌 reaction or
//! a pin. Once per message, with its author and its original time.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::lifecycle::incident_here;
use super::App;
use super::{audit, team, AppError};
use crate::domain::{
    parse_field, Action, Actor, ChannelId, EntryKind, FreeText, MessageId, Status, TimelineEntry,
    UserId,
};

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
        return Err(AppError::user(
            "This incident is closed: its timeline is final.",
        ));
    }
    // An empty message (an image, an embed) still belongs on the timeline: say what it was.
    let text = if message.content.trim().is_empty() {
        "(a message with no text: see the link)".to_owned()
    } else {
        parse_field("The message", &message.content, FreeText::MAX, true)
            .map_err(|e| AppError::user(e.to_string()))?
    };
    let entry = TimelineEntry {
        at: message.at,
        actor: Some(message.author),
        kind: EntryKind::Note,
        text,
        source_message: Some(message.id),
    };
    let mut tx = app.db.begin().await?;
    let added = tx.append_timeline(record.id, &[entry]).await? == 1;
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
    tx.commit().await?;
    Ok(added)
}
