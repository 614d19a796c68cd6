//! REST: giving and taking one role of a member (`PUT`/`DELETE
//! /guilds/{guild_id}/members/{user_id}/roles/{role_id}`), and changing a role (`PATCH
//! /guilds/{guild_id}/roles/{role_id}`, Modify Guild Role: MANAGE_ROLES, below the bot's highest
//! role, answers the role and fires GUILD_ROLE_UPDATE), as Discord does.
//!
//! Source: discord/discord-api-docs `developers/resources/guild.mdx` (Add Guild Member Role and
//! Remove Guild Member Role: "Requires the MANAGE_ROLES permission", "Returns a 204 empty
//! response on success", "Fires a Guild Member Update Gateway event", and both support the
//! `X-Audit-Log-Reason` header), `developers/topics/permissions.mdx` ("Permission Hierarchy":
//! a bot "can only … add/remove roles lower than their highest role"; the guild owner is
//! exempt) and `opcodes-and-status-codes.mdx` (10007 Unknown member, 10011 Unknown role, 50013
//! You lack permissions to perform that action).

use serde_json::json;

use super::gateway::{notify_bot, GUILDS};
use super::guard::{bot_base, missing_permissions};
use super::permissions::MANAGE_ROLES;
use super::reply::Reply;
use super::rest::Ctx;
use super::rest_guild::wrong_guild;
use super::shapes;
use super::shared::Shared;
use super::state::State;

/// Intent GUILD_MEMBERS (privileged): members joining, leaving and changing, roles included.
pub const GUILD_MEMBERS: u64 = 1 << 1;

/// 50013 unless the bot may give or take `role`: it needs MANAGE_ROLES, and the role must sit
/// below the bot's highest role (the owner may do anything). An unknown role passes, so that
/// the route answers Unknown Role.
pub fn may_manage(shared: &Shared, s: &State, role: u64) -> Option<Reply> {
    let role = s.roles.get(&role)?;
    let me = shared.config.bot.id;
    if shared.config.owner_id == me {
        return None;
    }
    if bot_base(shared, s) & MANAGE_ROLES == 0 {
        return Some(missing_permissions());
    }
    let highest = s.members.get(&me.get()).map_or(0, |bot| {
        bot.roles
            .iter()
            .filter_map(|r| s.roles.get(&r.get()))
            .map(|r| r.position)
            .max()
            .unwrap_or(0)
    });
    (role.position >= highest).then(missing_permissions)
}

/// Gives (`PUT`) or takes (`DELETE`) the role; doing what is already so succeeds too. The
/// member's new roles go out as GUILD_MEMBER_UPDATE to a bot that asked for member events.
pub fn member_role(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    let (user, role) = (ctx.id("user_id"), ctx.id("role_id"));
    let add = ctx.method == "PUT";
    shared.write(|s| {
        if !s.roles.contains_key(&role) {
            return Reply::error(404, 10011, "Unknown Role", "unknown-role");
        }
        let Some(member) = s.members.get_mut(&user) else {
            return Reply::error(404, 10007, "Unknown Member", "unknown-member");
        };
        member.roles.retain(|r| r.get() != role);
        if add {
            member.roles.push(serenity::all::RoleId::new(role));
        }
        let mut event = shapes::member(member);
        event["guild_id"] = json!(shared.config.guild_id.to_string());
        notify_bot(shared, s, "GUILD_MEMBER_UPDATE", event, GUILD_MEMBERS);
        Reply::no_content()
    })
}

/// Changes the role's name, permissions, mentionable or hoist as the body says.
pub fn edit_role(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    let body = &ctx.body;
    shared.write(|s| {
        let Some(role) = s.roles.get_mut(&ctx.id("role_id")) else {
            return Reply::error(404, 10011, "Unknown Role", "unknown-role");
        };
        if let Some(name) = body["name"].as_str() {
            role.name = name.to_owned();
        }
        if let Some(mentionable) = body["mentionable"].as_bool() {
            role.mentionable = mentionable;
        }
        match &body["permissions"] {
            serde_json::Value::String(bits) => role.permissions = bits.parse().unwrap_or(0),
            serde_json::Value::Number(bits) => role.permissions = bits.as_u64().unwrap_or(0),
            _ => {}
        }
        let json = shapes::role(role);
        let event = json!({ "guild_id": shared.config.guild_id.to_string(), "role": json });
        notify_bot(shared, s, "GUILD_ROLE_UPDATE", event, GUILDS);
        Reply::ok(json)
    })
}

impl super::FakeDiscord {
    /// The roles `user` has now (beyond `@everyone`), empty when they are not a member.
    pub fn member_roles(&self, user: serenity::all::UserId) -> Vec<serenity::all::RoleId> {
        self.shared.read(|s| {
            s.members
                .get(&user.get())
                .map(|m| m.roles.clone())
                .unwrap_or_default()
        })
    }

    /// A server admin drags `role` to `position` in the role list (Server Settings → Roles).
    pub fn move_role(&self, role: serenity::all::RoleId, position: u16) {
        self.shared.write(|s| {
            if let Some(r) = s.roles.get_mut(&role.get()) {
                r.position = position;
            }
        });
    }

    /// A server admin lets anyone mention `role` (or not).
    pub fn set_mentionable(&self, role: serenity::all::RoleId, mentionable: bool) {
        self.shared.write(|s| {
            if let Some(r) = s.roles.get_mut(&role.get()) {
                r.mentionable = mentionable;
            }
        });
    }

    /// A server admin deletes `role`: it leaves the role list and every member.
    pub fn delete_role(&self, role: serenity::all::RoleId) {
        self.shared.write(|s| {
            s.roles.remove(&role.get());
            for member in s.members.values_mut() {
                member.roles.retain(|r| *r != role);
            }
        });
    }
}
