//! REST: pins (both route families), crossposts from announcement channels, the bot's reactions.

use serde_json::{json, Value};

use super::content;
use super::gateway::{notify_bot, notify_message, GUILDS, GUILD_MESSAGE_REACTIONS};
use super::limits::{take_slot, CROSSPOST_WINDOW, MAX_CROSSPOSTS};
use super::reply::Reply;
use super::rest::Ctx;
use super::rest_messages::{new_message, unknown_channel, unknown_message, visible};
use super::shapes;
use super::shared::Shared;
use super::state::{FakeMessage, State};

/// `PUT`/`DELETE` on either pin route: pins show a system notice and a CHANNEL_PINS_UPDATE.
pub fn pin(shared: &Shared, ctx: &Ctx) -> Reply {
    let (channel_id, id) = (ctx.id("channel_id"), ctx.id("message_id"));
    let pinning = ctx.method == "PUT";
    shared.write(|s| {
        let now = shared.clock.wall();
        let Some(msg) = s
            .messages
            .get_mut(&id)
            .filter(|m| m.channel_id.get() == channel_id && m.flags & 64 == 0)
        else {
            return unknown_message();
        };
        if msg.pinned == pinning {
            return Reply::no_content();
        }
        msg.pinned = pinning;
        msg.pinned_at = pinning.then_some(now);
        let updated = msg.clone();
        if let Some(channel) = s.channels.get_mut(&channel_id) {
            channel.last_pin_timestamp = if pinning { Some(now) } else { None };
        }
        notify_message(shared, s, "MESSAGE_UPDATE", &updated);
        if pinning {
            let mut notice = new_message(
                shared,
                channel_id,
                shared.config.bot.clone(),
                &json!({}),
                &[],
                6,
            );
            notice.history.clear();
            s.messages.insert(notice.id.get(), notice.clone());
            notify_message(shared, s, "MESSAGE_CREATE", &notice);
        }
        let event = json!({
            "guild_id": shared.config.guild_id.to_string(),
            "channel_id": channel_id.to_string(),
            "last_pin_timestamp": if pinning { Some(shapes::timestamp(now)) } else { None },
        });
        notify_bot(shared, s, "CHANNEL_PINS_UPDATE", event, GUILDS);
        Reply::no_content()
    })
}

fn pinned(s: &State, channel_id: u64) -> Vec<&FakeMessage> {
    let mut list: Vec<&FakeMessage> = visible(s, channel_id).filter(|m| m.pinned).collect();
    list.sort_by_key(|m| std::cmp::Reverse(m.pinned_at));
    list
}

/// `GET /channels/{channel_id}/pins`: the older route, a plain list of messages.
pub fn list_pins_legacy(shared: &Shared, ctx: &Ctx) -> Reply {
    let channel_id = ctx.id("channel_id");
    shared.read(|s| {
        if !s.channels.contains_key(&channel_id) {
            return unknown_channel();
        }
        Reply::ok(
            pinned(s, channel_id)
                .into_iter()
                .map(|m| content::rest_message(shared, s, m))
                .collect(),
        )
    })
}

/// `GET /channels/{channel_id}/messages/pins`: the newer route, `{items: [{pinned_at, message}]}`.
pub fn list_pins(shared: &Shared, ctx: &Ctx) -> Reply {
    let channel_id = ctx.id("channel_id");
    shared.read(|s| {
        if !s.channels.contains_key(&channel_id) {
            return unknown_channel();
        }
        let items: Vec<Value> = pinned(s, channel_id)
            .into_iter()
            .map(|m| {
                json!({ "pinned_at": m.pinned_at.map(shapes::timestamp),
                "message": content::rest_message(shared, s, m) })
            })
            .collect();
        Reply::ok(json!({ "items": items, "has_more": false }))
    })
}

/// `POST .../crosspost`: publishes a message of an announcement channel, about 10 an hour per
/// channel; past that Discord answers 429 (not a violation: the bot must cope with it).
pub fn crosspost(shared: &Shared, ctx: &Ctx) -> Reply {
    let (channel_id, id) = (ctx.id("channel_id"), ctx.id("message_id"));
    shared.write(|s| {
        match s.channels.get(&channel_id) {
            None => return unknown_channel(),
            Some(c) if c.kind != 5 => {
                return Reply::error(
                    400,
                    50024,
                    "Cannot execute action on this channel type",
                    "wrong-channel-type",
                )
            }
            Some(_) => {}
        }
        match s
            .messages
            .get(&id)
            .filter(|m| m.channel_id.get() == channel_id)
        {
            None => return unknown_message(),
            Some(m) if m.crossposted => {
                return Reply::error(
                    400,
                    40033,
                    "This message has already been crossposted.",
                    "already-crossposted",
                )
            }
            Some(_) => {}
        }
        let uses = s.crossposts.entry(channel_id).or_default();
        if let Err(wait) = take_slot(uses, shared.clock.now(), CROSSPOST_WINDOW, MAX_CROSSPOSTS) {
            return Reply::rate_limited(wait, false, "shared", &format!("crosspost-{channel_id}"));
        }
        let Some(msg) = s.messages.get_mut(&id) else {
            return unknown_message();
        };
        msg.crossposted = true;
        msg.flags |= 1;
        let msg = msg.clone();
        notify_message(shared, s, "MESSAGE_UPDATE", &msg);
        Reply::ok(content::rest_message(shared, s, &msg))
    })
}

/// `PUT`/`DELETE .../reactions/{emoji}/@me`: unicode emoji only (the guild has no custom ones).
pub fn own_reaction(shared: &Shared, ctx: &Ctx) -> Reply {
    let (channel_id, id) = (ctx.id("channel_id"), ctx.id("message_id"));
    let emoji = ctx.param("emoji_name").to_owned();
    if emoji.contains(':') {
        return Reply::error(400, 10014, "Unknown Emoji", "unknown-emoji");
    }
    shared.write(|s| {
        let Some(msg) = s
            .messages
            .get_mut(&id)
            .filter(|m| m.channel_id.get() == channel_id)
        else {
            return unknown_message();
        };
        msg.own_reactions.retain(|e| *e != emoji);
        if ctx.method == "PUT" {
            msg.own_reactions.push(emoji.clone());
        }
        let name = if ctx.method == "PUT" {
            "MESSAGE_REACTION_ADD"
        } else {
            "MESSAGE_REACTION_REMOVE"
        };
        let event = json!({
            "user_id": shared.config.bot.id.to_string(), "channel_id": channel_id.to_string(),
            "message_id": id.to_string(), "guild_id": shared.config.guild_id.to_string(),
            "emoji": shapes::emoji(&emoji), "burst": false, "type": 0,
        });
        notify_bot(shared, s, name, event, GUILD_MESSAGE_REACTIONS);
        Reply::no_content()
    })
}
