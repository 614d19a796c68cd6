//! The bot's own permissions on REST routes: 50001 Missing Access where it cannot see the
//! channel, 50013 Missing Permissions where it lacks what the route needs.
//!
//! Source: discord/discord-api-docs `developers/resources/message.mdx` (Create Message needs
//! SEND_MESSAGES, and READ_MESSAGE_HISTORY for a reply; Get Channel Message VIEW_CHANNEL and
//! READ_MESSAGE_HISTORY; Get Channel Messages and Get Channel Pins return nothing without
//! READ_MESSAGE_HISTORY; Crosspost SEND_MESSAGES for the app's own message, MANAGE_MESSAGES
//! too for others'; Create Reaction READ_MESSAGE_HISTORY and ADD_REACTIONS; Delete Message
//! MANAGE_MESSAGES for others' messages; Pin and Unpin PIN_MESSAGES), `developers/resources/
//! channel.mdx` and `guild.mdx` (Modify and Delete Channel MANAGE_CHANNELS, MANAGE_ROLES when
//! overwrites change; Edit Channel Permissions MANAGE_ROLES; Create Guild Channel
//! MANAGE_CHANNELS, MANAGE_ROLES with overwrites), `developers/topics/permissions.mdx`
//! (EMBED_LINKS, ATTACH_FILES, PIN_MESSAGES = 1 << 51) and `opcodes-and-status-codes.mdx`
//! (50001 Missing access, 50013 lack of permissions).
//!
//! Pinning needs PIN_MESSAGES: the change log says MANAGE_MESSAGES stopped sufficing on
//! 23 February 2026, and the invite list (docs/setup-and-configuration.md) asks for Pin Messages.

use serde_json::{json, Value};

use super::permissions::{
    base_permissions, channel_permissions, ADD_REACTIONS, ATTACH_FILES, CONNECT, CREATE_EVENTS,
    EMBED_LINKS, MANAGE_CHANNELS, MANAGE_EVENTS, MANAGE_GUILD, MANAGE_MESSAGES, MANAGE_ROLES,
    MOVE_MEMBERS, MUTE_MEMBERS, PIN_MESSAGES, READ_MESSAGE_HISTORY, SEND_MESSAGES, VIEW_CHANNEL,
};
use super::reply::Reply;
use super::rest::Ctx;
use super::rest_channels::overwrites_from;
use super::shared::Shared;
use super::state::{FakeChannel, Overwrite, State};

/// 403 50001: the bot cannot see the channel.
pub fn missing_access() -> Reply {
    Reply::error(403, 50001, "Missing Access", "missing-access")
}

/// 403 50013: the bot lacks a permission the route needs.
pub fn missing_permissions() -> Reply {
    Reply::error(403, 50013, "Missing Permissions", "missing-permissions")
}

/// The bot's permissions in `channel`.
pub fn bot_in(shared: &Shared, state: &State, channel: &FakeChannel) -> u64 {
    let (guild, owner) = (shared.config.guild_id.get(), shared.config.owner_id.get());
    state
        .members
        .get(&shared.config.bot.id.get())
        .map_or(0, |me| {
            channel_permissions(state, guild, owner, me, channel)
        })
}

/// The bot's guild-wide permissions.
pub(super) fn bot_base(shared: &Shared, state: &State) -> u64 {
    let (guild, owner) = (shared.config.guild_id.get(), shared.config.owner_id.get());
    state
        .members
        .get(&shared.config.bot.id.get())
        .map_or(0, |me| base_permissions(state, guild, owner, me))
}

/// The refusal Discord gives this request for the bot's permissions, if any. Requests about
/// channels that do not exist pass, so that the route answers Unknown Channel.
pub fn check(shared: &Shared, ctx: &Ctx) -> Option<Reply> {
    shared.read(|s| match (ctx.method.as_str(), ctx.template.as_str()) {
        ("POST", "/guilds/{guild_id}/channels") => create_channel(shared, s, &ctx.body),
        ("POST", "/guilds/{guild_id}/roles") => create_role(shared, s, &ctx.body),
        ("PATCH", "/guilds/{guild_id}/channels") => {
            (bot_base(shared, s) & MANAGE_CHANNELS == 0).then(missing_permissions)
        }
        // guild.mdx, Modify Guild Incident Actions: "Requires the MANAGE_GUILD permission."
        ("PUT", "/guilds/{guild_id}/incident-actions") => {
            (bot_base(shared, s) & MANAGE_GUILD == 0).then(missing_permissions)
        }
        ("PATCH", "/guilds/{guild_id}/roles/{role_id}")
        | ("PUT" | "DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}") => {
            super::rest_member_roles::may_manage(shared, s, ctx.id("role_id"))
        }
        (_, template) if template.starts_with("/guilds/{guild_id}/scheduled-events") => {
            scheduled_event(shared, s, ctx)
        }
        (_, template) if template.starts_with("/channels/{channel_id}") => {
            let channel = s.channels.get(&ctx.id("channel_id"))?;
            in_channel(shared, s, ctx, channel)
        }
        _ => None,
    })
}

/// Scheduled events (Discord's docs, "Guild Scheduled Event Permissions Requirements"): in the
/// event's channel, VIEW_CHANNEL and CONNECT for a voice event, MANAGE_CHANNELS, MUTE_MEMBERS and
/// MOVE_MEMBERS too for a stage event; CREATE_EVENTS to create one; to change or delete one,
/// CREATE_EVENTS or MANAGE_EVENTS when the bot created it, MANAGE_EVENTS otherwise. An external
/// event asks the guild-wide right only. Reading events asks nothing here.
fn scheduled_event(shared: &Shared, s: &State, ctx: &Ctx) -> Option<Reply> {
    let body = &ctx.body;
    let (kind, channel, rights) = match ctx.method.as_str() {
        "POST" => (
            body["entity_type"].as_u64().unwrap_or(0),
            body["channel_id"].as_str().and_then(|c| c.parse().ok()),
            CREATE_EVENTS,
        ),
        "PATCH" | "DELETE" => {
            // An unknown event passes, so that the route answers Unknown Guild Scheduled Event.
            let event = s
                .scheduled_events
                .get(&ctx.id("guild_scheduled_event_id"))?;
            let own = event.creator == shared.config.bot.id;
            (
                body["entity_type"]
                    .as_u64()
                    .unwrap_or(u64::from(event.entity_type)),
                body["channel_id"]
                    .as_str()
                    .and_then(|c| c.parse().ok())
                    .or(event.channel_id.map(|c| c.get())),
                if own {
                    CREATE_EVENTS | MANAGE_EVENTS
                } else {
                    MANAGE_EVENTS
                },
            )
        }
        _ => return None,
    };
    let (perms, need) = match (kind, channel.and_then(|c| s.channels.get(&c))) {
        (1, Some(c)) => (
            bot_in(shared, s, c),
            VIEW_CHANNEL | CONNECT | MANAGE_CHANNELS | MUTE_MEMBERS | MOVE_MEMBERS,
        ),
        (2, Some(c)) => (bot_in(shared, s, c), VIEW_CHANNEL | CONNECT),
        // A voice or stage event without a channel is the route's to refuse.
        (1 | 2, None) => return None,
        _ => (bot_base(shared, s), 0),
    };
    let has_right = perms & rights != 0;
    (!has_right || perms & need != need).then(missing_permissions)
}

/// A new channel needs MANAGE_CHANNELS (in its category, when it has one), and MANAGE_ROLES
/// when it comes with overwrites.
fn create_channel(shared: &Shared, s: &State, body: &Value) -> Option<Reply> {
    let parent = body["parent_id"]
        .as_str()
        .and_then(|p| p.parse::<u64>().ok())
        .and_then(|p| s.channels.get(&p));
    let perms = parent.map_or_else(|| bot_base(shared, s), |p| bot_in(shared, s, p));
    let overwrites = body["permission_overwrites"]
        .as_array()
        .is_some_and(|o| !o.is_empty());
    let need = MANAGE_CHANNELS | if overwrites { MANAGE_ROLES } else { 0 };
    (perms & need != need).then(missing_permissions)
}

/// A new role needs MANAGE_ROLES, and may hold only permissions the bot has itself.
fn create_role(shared: &Shared, s: &State, body: &Value) -> Option<Reply> {
    let perms = bot_base(shared, s);
    let wanted = match &body["permissions"] {
        Value::String(bits) => bits.parse().unwrap_or(0),
        Value::Number(bits) => bits.as_u64().unwrap_or(0),
        _ => 0,
    };
    (perms & MANAGE_ROLES == 0 || wanted & !perms != 0).then(missing_permissions)
}

fn in_channel(shared: &Shared, s: &State, ctx: &Ctx, channel: &FakeChannel) -> Option<Reply> {
    let perms = bot_in(shared, s, channel);
    if perms & VIEW_CHANNEL == 0 {
        return Some(missing_access());
    }
    let bot = shared.config.bot.id;
    let own = s
        .messages
        .get(&ctx.id("message_id"))
        .is_some_and(|m| m.author.id == bot);
    let has = |bits: u64| perms & bits == bits;
    let body = &ctx.body;
    let need = match (ctx.method.as_str(), ctx.template.as_str()) {
        ("POST", "/channels/{channel_id}/messages") => {
            let embeds = body["embeds"].as_array().is_some_and(|e| !e.is_empty());
            let reply = body["message_reference"]["message_id"].is_string();
            SEND_MESSAGES
                | if ctx.files.is_empty() {
                    0
                } else {
                    ATTACH_FILES
                }
                | if embeds { EMBED_LINKS } else { 0 }
                | if reply { READ_MESSAGE_HISTORY } else { 0 }
        }
        ("GET", "/channels/{channel_id}/messages" | "/channels/{channel_id}/pins") => {
            return (!has(READ_MESSAGE_HISTORY)).then(|| Reply::ok(json!([])));
        }
        ("GET", "/channels/{channel_id}/messages/pins") => {
            let empty = json!({ "items": [], "has_more": false });
            return (!has(READ_MESSAGE_HISTORY)).then(|| Reply::ok(empty));
        }
        ("GET", "/channels/{channel_id}/messages/{message_id}") => READ_MESSAGE_HISTORY,
        ("DELETE", "/channels/{channel_id}/messages/{message_id}") if !own => MANAGE_MESSAGES,
        (
            _,
            "/channels/{channel_id}/pins/{message_id}"
            | "/channels/{channel_id}/messages/pins/{message_id}",
        ) => {
            let may_pin = perms & PIN_MESSAGES != 0;
            return (!may_pin).then(missing_permissions);
        }
        ("POST", "/channels/{channel_id}/messages/{message_id}/crosspost") => {
            SEND_MESSAGES | if own { 0 } else { MANAGE_MESSAGES }
        }
        ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me") => {
            // Discord asks ADD_REACTIONS only of the first to use an emoji; the fake does not
            // keep other people's reactions, so it always asks.
            READ_MESSAGE_HISTORY | ADD_REACTIONS
        }
        ("PATCH", "/channels/{channel_id}") => {
            let sorted = |mut list: Vec<Overwrite>| {
                list.sort_by_key(|o| (o.kind, o.id));
                list
            };
            let changes = body["permission_overwrites"].is_array()
                && sorted(overwrites_from(&body["permission_overwrites"]))
                    != sorted(channel.overwrites.clone());
            MANAGE_CHANNELS | if changes { MANAGE_ROLES } else { 0 }
        }
        ("DELETE", "/channels/{channel_id}") => MANAGE_CHANNELS,
        (_, "/channels/{channel_id}/permissions/{overwrite_id}") => MANAGE_ROLES,
        _ => 0,
    };
    (!has(need)).then(missing_permissions)
}
