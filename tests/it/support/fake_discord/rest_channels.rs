//! REST: channels: create (category limits, synced overwrites), move, edit (rename limit), delete, overwrites.

use serde_json::{json, Value};
use serenity::all::ChannelId;

use super::gateway::{notify_bot, GUILDS};
use super::limits::{
    take_slot, MAX_CATEGORY_CHILDREN, MAX_GUILD_CHANNELS, MAX_RENAMES, RENAME_WINDOW,
};
use super::reply::Reply;
use super::rest::Ctx;
use super::rest_guild::wrong_guild;
use super::shapes;
use super::shared::Shared;
use super::state::{snowflake, FakeChannel, Overwrite, State};

fn unknown_channel() -> Reply {
    Reply::error(404, 10003, "Unknown Channel", "unknown-channel")
}

/// Reads overwrites from a request (bit sets may be strings or numbers).
pub(super) fn overwrites_from(value: &Value) -> Vec<Overwrite> {
    let bits = |v: &Value| match v {
        Value::String(s) => s.parse().unwrap_or(0),
        other => other.as_u64().unwrap_or(0),
    };
    let id = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse().ok())
            .or_else(|| v.as_u64())
            .unwrap_or(0)
    };
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| Overwrite {
            id: id(&o["id"]),
            kind: u8::try_from(o["type"].as_u64().unwrap_or(0)).unwrap_or(0),
            allow: bits(&o["allow"]),
            deny: bits(&o["deny"]),
        })
        .collect()
}

/// Text and announcement channel names are lower-cased with dashes for spaces, as Discord does.
fn normalize_name(kind: u8, name: &str) -> String {
    if matches!(kind, 0 | 5) {
        name.trim()
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("-")
    } else {
        name.to_owned()
    }
}

/// Checks that `parent` is a category with room for one more channel.
fn check_parent(state: &State, parent: u64, moving: Option<u64>) -> Option<Reply> {
    let field = |code: &str, message: &str| {
        Reply::invalid_form(
            &[(
                "/parent_id".to_owned(),
                json!({ "code": code, "message": message }),
            )],
            "limit",
        )
    };
    match state.channels.get(&parent) {
        Some(c) if c.kind == 4 => {}
        _ => return Some(field("CHANNEL_PARENT_INVALID", "Category does not exist")),
    }
    let children = state
        .channels
        .values()
        .filter(|c| c.parent_id.map(ChannelId::get) == Some(parent) && Some(c.id.get()) != moving)
        .count();
    (children >= MAX_CATEGORY_CHILDREN).then(|| {
        field(
            "CHANNEL_PARENT_MAX_CHANNELS",
            "Maximum number of channels in category reached (50)",
        )
    })
}

/// Only a Community server may have announcement channels (type 5): elsewhere Discord answers
/// the type as an invalid choice.
fn announcement_refused(shared: &Shared, kind: u8) -> Option<Reply> {
    (kind == 5 && !shared.config.community).then(|| {
        let err = json!({ "code": "BASE_TYPE_CHOICES", "message": "Value must be one of {0, 2, 4, 6, 13, 14, 15, 16}." });
        Reply::invalid_form(&[("/type".to_owned(), err)], "community")
    })
}

/// `POST /guilds/{guild_id}/channels`: a channel in a category copies the category's
/// overwrites when the request brings none (it starts "synced").
pub fn create_channel(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    let body = &ctx.body;
    let kind = u8::try_from(body["type"].as_u64().unwrap_or(0)).unwrap_or(0);
    let parent = body["parent_id"]
        .as_str()
        .and_then(|p| p.parse::<u64>().ok());
    if let Some(reply) = announcement_refused(shared, kind) {
        return reply;
    }
    shared.write(|s| {
        if s.channels.len() >= MAX_GUILD_CHANNELS {
            return Reply::error(400, 30013, "Maximum number of guild channels reached (500)", "limit");
        }
        if let Some(parent) = parent {
            if kind == 4 {
                let err = json!({ "code": "CHANNEL_PARENT_INVALID", "message": "Categories cannot have subcategories" });
                return Reply::invalid_form(&[("/parent_id".to_owned(), err)], "invalid-body");
            }
            if let Some(reply) = check_parent(s, parent, None) {
                return reply;
            }
        }
        let overwrites = if body["permission_overwrites"].is_array() {
            overwrites_from(&body["permission_overwrites"])
        } else {
            parent.and_then(|p| s.channels.get(&p)).map(|c| c.overwrites.clone()).unwrap_or_default()
        };
        let position = body["position"].as_i64().unwrap_or_else(|| {
            s.channels.values().map(|c| c.position + 1).max().unwrap_or(0)
        });
        let channel = FakeChannel {
            id: ChannelId::new(snowflake(&shared.clock)),
            kind,
            name: normalize_name(kind, body["name"].as_str().unwrap_or_default()),
            parent_id: parent.map(ChannelId::new),
            position,
            topic: body["topic"].as_str().map(str::to_owned),
            overwrites,
            nsfw: body["nsfw"].as_bool().unwrap_or(false),
            rate_limit_per_user: body["rate_limit_per_user"].as_u64().unwrap_or(0),
            last_pin_timestamp: None,
        };
        let json = shapes::channel(shared, &channel);
        s.channels.insert(channel.id.get(), channel);
        notify_bot(shared, s, "CHANNEL_CREATE", json.clone(), GUILDS);
        Reply::created(json)
    })
}

/// `PATCH /guilds/{guild_id}/channels`: positions (and parents) of several channels.
pub fn move_channels(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    shared.write(|s| {
        for item in ctx.body.as_array().into_iter().flatten() {
            let id = item["id"]
                .as_str()
                .and_then(|i| i.parse::<u64>().ok())
                .unwrap_or(0);
            if !s.channels.contains_key(&id) {
                return unknown_channel();
            }
            if let Some(parent) = item["parent_id"]
                .as_str()
                .and_then(|p| p.parse::<u64>().ok())
            {
                if let Some(reply) = check_parent(s, parent, Some(id)) {
                    return reply;
                }
            }
            let parent_overwrites = item["parent_id"]
                .as_str()
                .and_then(|p| p.parse::<u64>().ok())
                .and_then(|p| s.channels.get(&p))
                .map(|p| p.overwrites.clone());
            if let Some(channel) = s.channels.get_mut(&id) {
                if let Some(position) = item["position"].as_i64() {
                    channel.position = position;
                }
                if item.get("parent_id").is_some() {
                    channel.parent_id = item["parent_id"]
                        .as_str()
                        .and_then(|p| p.parse().ok())
                        .map(ChannelId::new);
                }
                if item["lock_permissions"].as_bool() == Some(true) {
                    channel.overwrites = parent_overwrites.unwrap_or_default();
                }
            }
        }
        Reply::no_content()
    })
}

/// `GET /channels/{channel_id}`.
pub fn get_channel(shared: &Shared, ctx: &Ctx) -> Reply {
    shared.read(|s| match s.channels.get(&ctx.id("channel_id")) {
        Some(c) => Reply::ok(shapes::channel(shared, c)),
        None => unknown_channel(),
    })
}

/// `PATCH /channels/{channel_id}`: name (2 renames per 10 minutes), topic, parent, position,
/// overwrites, type (text and announcement only), NSFW and slow mode.
pub fn edit_channel(shared: &Shared, ctx: &Ctx) -> Reply {
    let id = ctx.id("channel_id");
    let body = &ctx.body;
    shared.write(|s| {
        let Some(current) = s.channels.get(&id).cloned() else { return unknown_channel() };
        let mut next = current.clone();
        if let Some(kind) = body["type"].as_u64() {
            let kind = u8::try_from(kind).unwrap_or(u8::MAX);
            if kind != current.kind && !(matches!(kind, 0 | 5) && matches!(current.kind, 0 | 5)) {
                let err = json!({ "code": "CHANNEL_TYPE_INVALID", "message": "Only text and announcement channels can be converted" });
                return Reply::invalid_form(&[("/type".to_owned(), err)], "invalid-body");
            }
            if let Some(reply) = announcement_refused(shared, kind) {
                return reply;
            }
            next.kind = kind;
        }
        if let Some(name) = body["name"].as_str() {
            next.name = normalize_name(next.kind, name);
        }
        if next.name != current.name {
            let uses = s.renames.entry(id).or_default();
            if let Err(wait) = take_slot(uses, shared.clock.now(), RENAME_WINDOW, MAX_RENAMES) {
                let reply = Reply::rate_limited(wait, false, "shared", "channel-rename");
                let detail = format!("channel {id} renamed more than {MAX_RENAMES} times in 10 minutes");
                return reply.with_violation("limit", detail);
            }
        }
        if body.get("topic").is_some() {
            next.topic = body["topic"].as_str().map(str::to_owned);
        }
        if body.get("parent_id").is_some() {
            let parent = body["parent_id"].as_str().and_then(|p| p.parse::<u64>().ok());
            if let Some(parent) = parent {
                if let Some(reply) = check_parent(s, parent, Some(id)) {
                    return reply;
                }
                if body["lock_permissions"].as_bool() == Some(true) {
                    next.overwrites = s.channels.get(&parent).map(|p| p.overwrites.clone()).unwrap_or_default();
                }
            }
            next.parent_id = parent.map(ChannelId::new);
        }
        if body["permission_overwrites"].is_array() {
            next.overwrites = overwrites_from(&body["permission_overwrites"]);
        }
        if let Some(position) = body["position"].as_i64() {
            next.position = position;
        }
        if let Some(nsfw) = body["nsfw"].as_bool() {
            next.nsfw = nsfw;
        }
        if let Some(slow) = body["rate_limit_per_user"].as_u64() {
            next.rate_limit_per_user = slow;
        }
        let json = shapes::channel(shared, &next);
        s.channels.insert(id, next);
        notify_bot(shared, s, "CHANNEL_UPDATE", json.clone(), GUILDS);
        Reply::ok(json)
    })
}

/// `DELETE /channels/{channel_id}`: children of a deleted category lose their parent.
pub fn delete_channel(shared: &Shared, ctx: &Ctx) -> Reply {
    let id = ctx.id("channel_id");
    shared.write(|s| {
        let Some(channel) = s.channels.remove(&id) else {
            return unknown_channel();
        };
        for child in s
            .channels
            .values_mut()
            .filter(|c| c.parent_id.map(ChannelId::get) == Some(id))
        {
            child.parent_id = None;
        }
        s.messages.retain(|_, m| m.channel_id.get() != id);
        let json = shapes::channel(shared, &channel);
        notify_bot(shared, s, "CHANNEL_DELETE", json.clone(), GUILDS);
        Reply::ok(json)
    })
}

/// `PUT`/`DELETE /channels/{channel_id}/permissions/{overwrite_id}`.
pub fn set_overwrite(shared: &Shared, ctx: &Ctx) -> Reply {
    let (id, target) = (ctx.id("channel_id"), ctx.id("overwrite_id"));
    if ctx.method == "PUT" && ctx.body["type"].as_u64().is_none() {
        let err = json!({ "code": "BASE_TYPE_REQUIRED", "message": "This field is required" });
        return Reply::invalid_form(&[("/type".to_owned(), err)], "invalid-body");
    }
    shared.write(|s| {
        let Some(channel) = s.channels.get_mut(&id) else {
            return unknown_channel();
        };
        channel.overwrites.retain(|o| o.id != target);
        if ctx.method == "PUT" {
            let mut body = ctx.body.clone();
            body["id"] = json!(target.to_string());
            channel.overwrites.extend(overwrites_from(&json!([body])));
        }
        let json = shapes::channel(shared, channel);
        notify_bot(shared, s, "CHANNEL_UPDATE", json, GUILDS);
        Reply::no_content()
    })
}
