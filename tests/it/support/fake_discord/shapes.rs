//! JSON shapes of Discord objects, as serenity's model types require them to deserialize.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::mentions::Pings;
use super::shared::Shared;
use super::state::{FakeChannel, FakeMember, FakeMessage, FakeRole, FakeUser, Overwrite, State};

/// Discord's timestamp format (ISO 8601 with microseconds and an explicit offset).
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// A user object (`discriminator` "0" is what Discord sends for migrated usernames).
pub fn user(user: &FakeUser) -> Value {
    json!({
        "id": user.id.to_string(),
        "username": user.username,
        "discriminator": "0",
        "global_name": user.username,
        "avatar": null,
        "bot": user.bot,
        "public_flags": 0,
        "flags": 0,
    })
}

/// The bot's own user, as `/users/@me` and READY carry it.
pub fn current_user(shared: &Shared) -> Value {
    let mut me = user(&shared.config.bot);
    me["verified"] = json!(true);
    me["mfa_enabled"] = json!(false);
    me["email"] = Value::Null;
    me
}

/// A guild member; interactions add `permissions`.
pub fn member(member: &FakeMember) -> Value {
    json!({
        "user": user(&member.user),
        "nick": null,
        "avatar": null,
        "roles": member.roles.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "joined_at": timestamp(member.joined_at),
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null,
    })
}

/// A role object.
pub fn role(role: &FakeRole) -> Value {
    let mut value = json!({
        "id": role.id.to_string(),
        "name": role.name,
        "color": 0,
        "colors": { "primary_color": 0, "secondary_color": null, "tertiary_color": null },
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": role.position,
        "permissions": role.permissions.to_string(),
        "managed": role.bot.is_some(),
        "mentionable": role.mentionable,
        "flags": 0,
    });
    if let Some(bot) = role.bot {
        value["tags"] = json!({ "bot_id": bot.to_string() });
    }
    value
}

/// A permission overwrite object (bit sets as decimal strings, as Discord sends them).
pub fn overwrite(o: &Overwrite) -> Value {
    json!({ "id": o.id.to_string(), "type": o.kind, "allow": o.allow.to_string(), "deny": o.deny.to_string() })
}

/// A guild channel object.
pub fn channel(shared: &Shared, ch: &FakeChannel) -> Value {
    json!({
        "id": ch.id.to_string(),
        "type": ch.kind,
        "guild_id": shared.config.guild_id.to_string(),
        "name": ch.name,
        "position": ch.position,
        "parent_id": ch.parent_id.map(|p| p.to_string()),
        "topic": ch.topic,
        "nsfw": ch.nsfw,
        "rate_limit_per_user": ch.rate_limit_per_user,
        "last_message_id": null,
        "last_pin_timestamp": ch.last_pin_timestamp.map(timestamp),
        "permission_overwrites": ch.overwrites.iter().map(overwrite).collect::<Vec<_>>(),
        "flags": 0,
    })
}

/// A message object, with mentions computed from content and `allowed_mentions`.
pub fn message(shared: &Shared, state: &State, msg: &FakeMessage) -> Value {
    let pings = Pings::of(msg);
    let mentions: Vec<Value> = pings
        .users
        .iter()
        .filter_map(|id| state.user(id.get()))
        .map(|u| user(&u))
        .collect();
    let attachments: Vec<Value> = msg
        .attachments
        .iter()
        .map(|a| {
            let url = format!(
                "{}/attachments/{}/{}/{}",
                shared.rest_base(),
                msg.channel_id,
                a.id,
                a.filename
            );
            json!({
                "id": a.id.to_string(), "filename": a.filename, "size": a.bytes.len(),
                "url": url, "proxy_url": url, "content_type": null,
            })
        })
        .collect();
    let reactions: Vec<Value> = msg
        .own_reactions
        .iter()
        .map(|e| {
            json!({ "count": 1, "count_details": {"burst": 0, "normal": 1}, "me": true,
            "me_burst": false, "burst_colors": [], "emoji": emoji(e) })
        })
        .collect();
    let mut value = json!({
        "id": msg.id.to_string(),
        "channel_id": msg.channel_id.to_string(),
        "guild_id": shared.config.guild_id.to_string(),
        "author": user(&msg.author),
        "content": msg.content,
        "timestamp": timestamp(msg.timestamp),
        "edited_timestamp": msg.edited_timestamp.map(timestamp),
        "tts": false,
        "mention_everyone": pings.everyone,
        "mentions": mentions,
        "mention_roles": pings.roles.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "attachments": attachments,
        "embeds": msg.embeds,
        "components": msg.components,
        "reactions": reactions,
        "pinned": msg.pinned,
        "type": msg.kind,
        "flags": msg.flags,
    });
    if let Some(nonce) = &msg.nonce {
        value["nonce"] = nonce.clone();
    }
    if msg.interaction.is_some() {
        value["application_id"] = json!(shared.config.application_id.to_string());
        value["webhook_id"] = json!(shared.config.application_id.to_string());
    }
    value
}

/// An emoji object from the text form used in reaction paths (`name` or `name:id`).
pub fn emoji(text: &str) -> Value {
    match text.rsplit_once(':') {
        Some((name, id)) if id.bytes().all(|b| b.is_ascii_digit()) => {
            json!({ "id": id, "name": name.trim_start_matches("a:") })
        }
        _ => json!({ "id": null, "name": text }),
    }
}

/// The guild as `GET /guilds/{id}` returns it (no members or channels).
pub fn guild(shared: &Shared, state: &State) -> Value {
    let system_channel = state
        .channels
        .values()
        .find(|c| c.kind == 0)
        .map(|c| c.id.to_string());
    json!({
        "id": shared.config.guild_id.to_string(),
        "name": shared.config.guild_name,
        "icon": null, "icon_hash": null, "splash": null, "discovery_splash": null, "banner": null,
        "description": null,
        "owner_id": shared.config.owner_id.to_string(),
        "afk_channel_id": null, "afk_timeout": 300,
        "widget_enabled": false, "widget_channel_id": null,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": state.roles.values().map(role).collect::<Vec<_>>(),
        "emojis": [],
        "stickers": [],
        "features": features(shared),
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": system_channel,
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "public_updates_channel_id": null,
        "safety_alerts_channel_id": null,
        "incidents_data": state.incidents.to_json(),
        "max_members": 500_000,
        "vanity_url_code": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": state.preferred_locale.as_deref().unwrap_or("en-US"),
        "max_video_channel_users": 25,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": false,
    })
}

/// The guild's features: a Community server can have announcement channels.
pub fn features(shared: &Shared) -> Value {
    if shared.config.community {
        json!(["COMMUNITY", "NEWS"])
    } else {
        json!([])
    }
}

/// The full guild object of a GUILD_CREATE dispatch.
pub fn guild_create(shared: &Shared, state: &State) -> Value {
    let mut value = guild(shared, state);
    value["joined_at"] = json!(timestamp(shared.clock.wall()));
    value["large"] = json!(false);
    value["unavailable"] = json!(false);
    value["member_count"] = json!(state.members.len());
    value["members"] = state.members.values().map(member).collect();
    value["channels"] = state
        .channels
        .values()
        .map(|c| channel(shared, c))
        .collect();
    value["threads"] = json!([]);
    value["presences"] = json!([]);
    value["voice_states"] = json!([]);
    value["stage_instances"] = json!([]);
    value["guild_scheduled_events"] = json!([]);
    value["soundboard_sounds"] = json!([]);
    value
}

/// The application object (`/applications/@me`, `/oauth2/applications/@me`).
pub fn application(shared: &Shared) -> Value {
    let owner = shared.config.owner_id.get();
    let owner_user = FakeUser {
        id: owner.into(),
        username: "owner".into(),
        bot: false,
    };
    json!({
        "id": shared.config.application_id.to_string(),
        "name": shared.config.bot.username,
        "icon": null,
        "description": "",
        "bot_public": false,
        "bot_require_code_grant": false,
        "verify_key": shared.portal.verify_key(),
        "interactions_endpoint_url": shared.portal.urls().first(),
        // GATEWAY_MESSAGE_CONTENT_LIMITED (1 << 19): the portal switch of a bot in under 100
        // servers.
        "flags": if shared.config.message_content_intent { 1 << 19 } else { 0 },
        "owner": user(&owner_user),
        "team": null,
        "bot": user(&shared.config.bot),
        "summary": "",
    })
}
