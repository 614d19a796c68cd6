//! REST: the guild itself, its roles, its members and its channel list.

use serde_json::{json, Value};
use serenity::all::RoleId;

use super::gateway::{notify_bot, GUILDS};
use super::guard::bot_base;
use super::reply::Reply;
use super::rest::Ctx;
use super::shapes;
use super::shared::Shared;
use super::state::{snowflake, FakeRole};

/// Discord answers 10004 for a guild the bot is not in; the fake has exactly one.
pub(super) fn wrong_guild(shared: &Shared, ctx: &Ctx) -> Option<Reply> {
    (ctx.id("guild_id") != shared.config.guild_id.get())
        .then(|| Reply::error(404, 10004, "Unknown Guild", "unknown-guild"))
}

/// `GET /guilds/{guild_id}`.
pub fn get_guild(shared: &Shared, ctx: &Ctx) -> Reply {
    wrong_guild(shared, ctx).unwrap_or_else(|| shared.read(|s| Reply::ok(shapes::guild(shared, s))))
}

/// `GET /guilds/{guild_id}/roles`.
pub fn list_roles(shared: &Shared, ctx: &Ctx) -> Reply {
    wrong_guild(shared, ctx)
        .unwrap_or_else(|| shared.read(|s| Reply::ok(s.roles.values().map(shapes::role).collect())))
}

/// `GET /guilds/{guild_id}/members?limit&after`: members by ascending id.
pub fn list_members(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    let limit = ctx.query("limit").and_then(|l| l.parse().ok()).unwrap_or(1);
    let after: u64 = ctx.query("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    shared.read(|s| {
        let list = s
            .members
            .range(after + 1..)
            .take(limit)
            .map(|(_, m)| shapes::member(m))
            .collect();
        Reply::ok(list)
    })
}

/// `GET /guilds/{guild_id}/members/{user_id}`.
pub fn get_member(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    shared.read(|s| match s.members.get(&ctx.id("user_id")) {
        Some(member) => Reply::ok(shapes::member(member)),
        None => Reply::error(404, 10007, "Unknown Member", "unknown-member"),
    })
}

/// `GET /guilds/{guild_id}/channels`.
pub fn list_channels(shared: &Shared, ctx: &Ctx) -> Reply {
    wrong_guild(shared, ctx).unwrap_or_else(|| {
        shared.read(|s| {
            Reply::ok(
                s.channels
                    .values()
                    .map(|c| shapes::channel(shared, c))
                    .collect(),
            )
        })
    })
}

/// `GET /users/@me/guilds?limit&after`: the servers the bot is in, by ascending id, with the
/// bot's guild-wide permissions (a decimal string, as Discord sends them) and features.
pub fn my_guilds(shared: &Shared, ctx: &Ctx) -> Reply {
    let limit = ctx
        .query("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(200usize);
    let after: u64 = ctx.query("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    shared.read(|s| {
        let permissions = bot_base(shared, s).to_string();
        let owner = shared.config.owner_id == shared.config.bot.id;
        let mut list: Vec<(u64, Value)> = vec![(
            shared.config.guild_id.get(),
            json!({
                "id": shared.config.guild_id.to_string(),
                "name": shared.config.guild_name,
                "icon": null, "banner": null,
                "owner": owner,
                "permissions": permissions,
                "features": shapes::features(shared),
            }),
        )];
        for (id, name) in &shared.config.other_guilds {
            list.push((
                id.get(),
                json!({
                    "id": id.to_string(), "name": name, "icon": null, "banner": null,
                    "owner": false, "permissions": permissions, "features": [],
                }),
            ));
        }
        list.sort_by_key(|(id, _)| *id);
        let page: Vec<Value> = list
            .into_iter()
            .filter(|(id, _)| *id > after)
            .take(limit)
            .map(|(_, g)| g)
            .collect();
        Reply::ok(Value::Array(page))
    })
}

/// `POST /guilds/{guild_id}/roles`: a new role just above `@everyone`. Without
/// `permissions` it gets `@everyone`'s, as on Discord.
pub fn create_role(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    let body = &ctx.body;
    shared.write(|s| {
        let everyone = s
            .roles
            .get(&shared.config.guild_id.get())
            .map_or(0, |r| r.permissions);
        let permissions = match &body["permissions"] {
            Value::String(bits) => bits.parse().unwrap_or(0),
            Value::Number(bits) => bits.as_u64().unwrap_or(0),
            _ => everyone,
        };
        for role in s.roles.values_mut().filter(|r| r.position >= 1) {
            role.position = role.position.saturating_add(1);
        }
        let role = FakeRole {
            id: RoleId::new(snowflake(&shared.clock)),
            name: body["name"].as_str().unwrap_or("new role").to_owned(),
            permissions,
            position: 1,
            bot: None,
            mentionable: body["mentionable"].as_bool().unwrap_or(false),
        };
        let json = shapes::role(&role);
        s.roles.insert(role.id.get(), role);
        let event = json!({ "guild_id": shared.config.guild_id.to_string(), "role": json });
        notify_bot(shared, s, "GUILD_ROLE_CREATE", event, GUILDS);
        Reply::ok(json)
    })
}
