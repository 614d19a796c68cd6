//! The Message Content intent: what an app without it reads of other people's messages.
//!
//! Source: discord/discord-api-docs `developers/resources/message.mdx` (an app receives empty
//! `content`, `embeds`, `attachments` and `components`, and no `poll`, unless it configured
//! or was approved for `MESSAGE_CONTENT` (1 << 15)); `developers/gateway/
//! you-might-not-need-a-privileged-intent.mdx` (the exceptions: messages the app sends, DMs
//! to it, messages that @mention it, replies to its messages); `developers/events/
//! gateway.mdx` (IDENTIFY with a privileged intent the app has not configured is closed with
//! 4014). Over REST what counts is the developer-portal switch; over the gateway, whether the
//! session asked for the intent (which it can only do with the switch on).
//!
//! The fake's guild has no DMs and its people cannot reply to messages, so those two
//! exceptions never arise; the message a context-menu command is used on is carried in the
//! interaction's `resolved` data in full.

use serde_json::{json, Value};

use super::mentions::Pings;
use super::shapes;
use super::shared::Shared;
use super::state::{FakeMessage, State};

/// Whether an app with (`intent`) or without the intent reads `message`'s content.
pub fn readable(shared: &Shared, message: &FakeMessage, intent: bool) -> bool {
    intent
        || message.author.id == shared.config.bot.id
        || Pings::of(message).users.contains(&shared.config.bot.id)
}

/// Empties what the intent guards in a message object.
pub fn redact(message: &mut Value) {
    message["content"] = json!("");
    message["embeds"] = json!([]);
    message["attachments"] = json!([]);
    message["components"] = json!([]);
    if let Some(fields) = message.as_object_mut() {
        fields.remove("poll");
    }
}

/// A message object as the bot reads it over REST: content only with the developer-portal
/// switch on, or under one of the exceptions.
pub fn rest_message(shared: &Shared, state: &State, message: &FakeMessage) -> Value {
    let mut json = shapes::message(shared, state, message);
    if !readable(shared, message, shared.config.message_content_intent) {
        redact(&mut json);
    }
    json
}
