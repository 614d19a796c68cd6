//! REST: the guild itself, its roles, its members and its channel list.

use super::reply::Reply;
use super::rest::Ctx;
use super::shapes;
use super::shared::Shared;

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
