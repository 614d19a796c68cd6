//! REST: messages in channels: create (with `enforce_nonce`), list, get, edit, delete.

use serde_json::{json, Value};
use serenity::all::{ChannelId, MessageId};

use super::content;
use super::gateway::{notify_bot, notify_message, GUILDS, GUILD_MESSAGES, GUILD_MESSAGE_REACTIONS};
use super::limits::{
    is_empty_message, message_errors, take_slot, CROSSPOST_WINDOW, MAX_CROSSPOSTS, NONCE_WINDOW,
};
use super::reply::Reply;
use super::rest::Ctx;
use super::shapes;
use super::shared::Shared;
use super::state::{snowflake, FakeAttachment, FakeMessage, FakeUser, State};

/// Flags a bot may set on a message it sends: SUPPRESS_EMBEDS (4), EPHEMERAL (64, interaction
/// responses only) and SUPPRESS_NOTIFICATIONS (4096).
const SETTABLE_FLAGS: u64 = 4 | 64 | 4096;

/// 10008: the message does not exist (or is ephemeral, which channel routes cannot reach).
pub(super) fn unknown_message() -> Reply {
    Reply::error(404, 10008, "Unknown Message", "unknown-message")
}

/// 10003: the channel does not exist.
pub(super) fn unknown_channel() -> Reply {
    Reply::error(404, 10003, "Unknown Channel", "unknown-channel")
}

/// Checks a message payload against the limits the spec does not carry.
pub(super) fn check_payload(body: &Value, files: usize, creating: bool) -> Option<Reply> {
    let errors = message_errors(body);
    if !errors.is_empty() {
        return Some(Reply::invalid_form(&errors, "limit"));
    }
    (creating && is_empty_message(body, files))
        .then(|| Reply::error(400, 50006, "Cannot send an empty message", "empty-message"))
}

/// Builds a message from a create payload (channel route, interaction response or follow-up).
pub(super) fn new_message(
    shared: &Shared,
    channel_id: u64,
    author: FakeUser,
    body: &Value,
    files: &[(String, Vec<u8>)],
    kind: u8,
) -> FakeMessage {
    let content = body["content"].as_str().unwrap_or_default().to_owned();
    FakeMessage {
        id: MessageId::new(snowflake(&shared.clock)),
        channel_id: ChannelId::new(channel_id),
        author,
        history: vec![content.clone()],
        content,
        embeds: body["embeds"].as_array().cloned().unwrap_or_default(),
        components: body["components"].as_array().cloned().unwrap_or_default(),
        pinned: false,
        pinned_at: None,
        crossposted: false,
        allowed_mentions: body
            .get("allowed_mentions")
            .filter(|v| !v.is_null())
            .cloned(),
        nonce: body.get("nonce").filter(|v| !v.is_null()).cloned(),
        attachments: files
            .iter()
            .map(|(name, bytes)| attachment(shared, name, bytes))
            .collect(),
        timestamp: shared.clock.wall(),
        edited_timestamp: None,
        flags: body["flags"].as_u64().unwrap_or(0) & SETTABLE_FLAGS,
        kind,
        interaction: None,
        own_reactions: vec![],
    }
}

fn attachment(shared: &Shared, name: &str, bytes: &[u8]) -> FakeAttachment {
    FakeAttachment {
        id: snowflake(&shared.clock),
        filename: name.to_owned(),
        bytes: bytes.to_vec(),
    }
}

/// Applies an edit payload; an `attachments` list keeps only the listed existing files.
pub(super) fn apply_edit(
    shared: &Shared,
    msg: &mut FakeMessage,
    body: &Value,
    files: &[(String, Vec<u8>)],
) {
    if body.get("content").is_some() {
        msg.content = body["content"].as_str().unwrap_or_default().to_owned();
        msg.history.push(msg.content.clone());
    }
    if body.get("embeds").is_some() {
        msg.embeds = body["embeds"].as_array().cloned().unwrap_or_default();
    }
    if body.get("components").is_some() {
        msg.components = body["components"].as_array().cloned().unwrap_or_default();
    }
    if body.get("allowed_mentions").is_some() {
        msg.allowed_mentions = body
            .get("allowed_mentions")
            .filter(|v| !v.is_null())
            .cloned();
    }
    if let Some(flags) = body["flags"].as_u64() {
        // Only SUPPRESS_EMBEDS can change after sending.
        msg.flags = (msg.flags & !4) | (flags & 4);
    }
    if let Some(keep) = body["attachments"].as_array() {
        let kept: Vec<String> = keep
            .iter()
            .filter_map(|a| a["id"].as_str().map(str::to_owned))
            .collect();
        msg.attachments.retain(|a| kept.contains(&a.id.to_string()));
    }
    msg.attachments
        .extend(files.iter().map(|(n, b)| attachment(shared, n, b)));
    msg.flags &= !128;
    msg.edited_timestamp = Some(shared.clock.wall());
}

/// `POST /channels/{channel_id}/messages`, with Discord's `enforce_nonce` de-duplication: a
/// repeated nonce within the window returns the message created the first time.
pub fn create(shared: &Shared, ctx: &Ctx) -> Reply {
    let channel_id = ctx.id("channel_id");
    if let Some(reply) = check_payload(&ctx.body, ctx.files.len(), true) {
        return reply;
    }
    shared.write(|s| {
        match s.channels.get(&channel_id) {
            None => return unknown_channel(),
            Some(c) if c.kind == 4 => {
                return Reply::error(400, 50008, "Cannot send messages in a non-text channel", "wrong-channel-type")
            }
            Some(_) => {}
        }
        let nonce = ctx.body.get("nonce").filter(|n| !n.is_null());
        if let (Some(nonce), Some(true)) = (nonce, ctx.body["enforce_nonce"].as_bool()) {
            let now = shared.clock.wall();
            let earlier = s.messages.values().find(|m| {
                m.channel_id.get() == channel_id
                    && m.author.id == shared.config.bot.id
                    && m.nonce.as_ref() == Some(nonce)
                    && (now - m.timestamp).to_std().is_ok_and(|age| age < NONCE_WINDOW)
            });
            if let Some(earlier) = earlier {
                return Reply::ok(shapes::message(shared, s, earlier));
            }
        }
        let reference = ctx.body["message_reference"]["message_id"].as_str().and_then(|m| m.parse::<u64>().ok());
        if let Some(reference) = reference {
            let fail = ctx.body["message_reference"]["fail_if_not_exists"].as_bool().unwrap_or(true);
            if fail && s.messages.get(&reference).is_none_or(|m| m.channel_id.get() != channel_id) {
                let err = json!({ "code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "message": "Unknown message" });
                return Reply::invalid_form(&[("/message_reference".to_owned(), err)], "invalid-body");
            }
        }
        let kind = if reference.is_some() { 19 } else { 0 };
        let mut msg = new_message(shared, channel_id, shared.config.bot.clone(), &ctx.body, &ctx.files, kind);
        msg.flags &= !64;
        let json = shapes::message(shared, s, &msg);
        s.messages.insert(msg.id.get(), msg.clone());
        notify_message(shared, s, "MESSAGE_CREATE", &msg);
        Reply::ok(json)
    })
}

/// Messages a channel route can see (ephemeral ones exist only for their user).
pub(super) fn visible(s: &State, channel_id: u64) -> impl Iterator<Item = &FakeMessage> {
    s.messages
        .values()
        .filter(move |m| m.channel_id.get() == channel_id && m.flags & 64 == 0)
}

/// `GET /channels/{channel_id}/messages?limit&before&after&around`: newest first.
pub fn list(shared: &Shared, ctx: &Ctx) -> Reply {
    let channel_id = ctx.id("channel_id");
    let limit: usize = ctx
        .query("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(50);
    let bound = |name: &str| ctx.query(name).and_then(|v| v.parse::<u64>().ok());
    shared.read(|s| {
        if !s.channels.contains_key(&channel_id) {
            return unknown_channel();
        }
        let mut list: Vec<&FakeMessage> = visible(s, channel_id).collect();
        if let Some(before) = bound("before") {
            list.retain(|m| m.id.get() < before);
        }
        if let Some(after) = bound("after") {
            list.retain(|m| m.id.get() > after);
            list.truncate(limit);
        }
        if let Some(around) = bound("around") {
            let at = list
                .iter()
                .position(|m| m.id.get() >= around)
                .unwrap_or(list.len());
            let start = at.saturating_sub(limit / 2);
            list = list.into_iter().skip(start).take(limit).collect();
        }
        list.reverse();
        list.truncate(limit);
        Reply::ok(
            list.into_iter()
                .map(|m| content::rest_message(shared, s, m))
                .collect(),
        )
    })
}

/// `GET /channels/{channel_id}/messages/{message_id}`.
pub fn get(shared: &Shared, ctx: &Ctx) -> Reply {
    let (channel_id, id) = (ctx.id("channel_id"), ctx.id("message_id"));
    shared.read(
        |s| match visible(s, channel_id).find(|m| m.id.get() == id) {
            Some(m) => Reply::ok(content::rest_message(shared, s, m)),
            None => unknown_message(),
        },
    )
}

/// `PATCH /channels/{channel_id}/messages/{message_id}`: only the bot's own messages.
pub fn edit(shared: &Shared, ctx: &Ctx) -> Reply {
    let (channel_id, id) = (ctx.id("channel_id"), ctx.id("message_id"));
    if let Some(reply) = check_payload(&ctx.body, ctx.files.len(), false) {
        return reply;
    }
    shared.write(|s| {
        let Some(msg) = s
            .messages
            .get_mut(&id)
            .filter(|m| m.channel_id.get() == channel_id && m.flags & 64 == 0)
        else {
            return unknown_message();
        };
        if msg.author.id != shared.config.bot.id {
            return Reply::error(
                403,
                50005,
                "Cannot edit a message authored by another user",
                "forbidden",
            );
        }
        apply_edit(shared, msg, &ctx.body, &ctx.files);
        let msg = msg.clone();
        notify_message(shared, s, "MESSAGE_UPDATE", &msg);
        Reply::ok(shapes::message(shared, s, &msg))
    })
}

/// `DELETE /channels/{channel_id}/messages/{message_id}`.
pub fn delete(shared: &Shared, ctx: &Ctx) -> Reply {
    let (channel_id, id) = (ctx.id("channel_id"), ctx.id("message_id"));
    shared.write(|s| {
        if !s
            .messages
            .get(&id)
            .is_some_and(|m| m.channel_id.get() == channel_id && m.flags & 64 == 0)
        {
            return unknown_message();
        }
        s.messages.remove(&id);
        let event = json!({ "id": id.to_string(), "channel_id": channel_id.to_string(),
            "guild_id": shared.config.guild_id.to_string() });
        notify_bot(shared, s, "MESSAGE_DELETE", event, GUILD_MESSAGES);
        Reply::no_content()
    })
}
