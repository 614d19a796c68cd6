//! REST: gateway discovery, the bot's user and application, and application commands.

use serde_json::{json, Value};
use serenity::all::GuildId;

use super::command_limits::command_errors;
use super::reply::Reply;
use super::rest::Ctx;
use super::shapes;
use super::shared::Shared;
use super::state::{snowflake, FakeCommand};

/// `GET /gateway`: where serenity's client connects (its ClientBuilder asks this one).
pub fn gateway(shared: &Shared) -> Reply {
    Reply::ok(json!({ "url": shared.gateway_url() }))
}

/// `GET /gateway/bot`: the same URL plus sharding advice and the identify budget.
pub fn gateway_bot(shared: &Shared) -> Reply {
    Reply::ok(json!({
        "url": shared.gateway_url(),
        "shards": 1,
        "session_start_limit": { "total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1 },
    }))
}

/// `GET /users/@me`.
pub fn current_user(shared: &Shared) -> Reply {
    Reply::ok(shapes::current_user(shared))
}

/// `GET /applications/@me` and `GET /oauth2/applications/@me`.
pub fn application(shared: &Shared) -> Reply {
    Reply::ok(shapes::application(shared))
}

/// Refuses an application id or guild id that is not this fake's.
fn check_scope(shared: &Shared, ctx: &Ctx) -> Result<Option<GuildId>, Reply> {
    if ctx.id("application_id") != shared.config.application_id {
        return Err(Reply::error(
            403,
            50001,
            "Missing Access",
            "wrong-application",
        ));
    }
    match ctx.params.contains_key("guild_id") {
        false => Ok(None),
        true if ctx.id("guild_id") == shared.config.guild_id.get() => {
            Ok(Some(shared.config.guild_id))
        }
        true => Err(Reply::error(404, 10004, "Unknown Guild", "unknown-guild")),
    }
}

/// `GET .../commands`: the commands registered in that scope.
pub fn list_commands(shared: &Shared, ctx: &Ctx) -> Reply {
    let guild = match check_scope(shared, ctx) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    shared.read(|s| {
        let list: Vec<Value> = s
            .commands
            .iter()
            .filter(|c| c.guild_id == guild)
            .map(|c| c.json.clone())
            .collect();
        Reply::ok(Value::Array(list))
    })
}

/// `PUT .../commands`: replaces every command of the scope; a command keeps its id when its
/// name and type stay the same, as Discord does.
pub fn overwrite_commands(shared: &Shared, ctx: &Ctx) -> Reply {
    let guild = match check_scope(shared, ctx) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let wanted: Vec<Value> = ctx.body.as_array().cloned().unwrap_or_default();
    let errors: Vec<_> = wanted
        .iter()
        .enumerate()
        .flat_map(|(i, c)| command_errors(c, &format!("/{i}")))
        .collect();
    if !errors.is_empty() {
        return Reply::invalid_form(&errors, "limit");
    }
    shared.write(|s| {
        let old: Vec<FakeCommand> = s
            .commands
            .iter()
            .filter(|c| c.guild_id == guild)
            .cloned()
            .collect();
        s.commands.retain(|c| c.guild_id != guild);
        let mut out = Vec::new();
        for body in wanted {
            let id = old
                .iter()
                .find(|c| same_command(&c.json, &body))
                .map_or_else(|| snowflake(&shared.clock), |c| c.id);
            let json = command_json(shared, &body, id, guild);
            out.push(json.clone());
            s.commands.push(FakeCommand {
                id,
                guild_id: guild,
                json,
            });
        }
        Reply::ok(Value::Array(out))
    })
}

/// `POST .../commands`: creates a command, or overwrites the one with the same name and type.
pub fn create_command(shared: &Shared, ctx: &Ctx) -> Reply {
    let guild = match check_scope(shared, ctx) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let errors = command_errors(&ctx.body, "");
    if !errors.is_empty() {
        return Reply::invalid_form(&errors, "limit");
    }
    shared.write(|s| {
        let existing = s
            .commands
            .iter()
            .position(|c| c.guild_id == guild && same_command(&c.json, &ctx.body));
        let id = existing.map_or_else(|| snowflake(&shared.clock), |i| s.commands[i].id);
        let json = command_json(shared, &ctx.body, id, guild);
        let command = FakeCommand {
            id,
            guild_id: guild,
            json: json.clone(),
        };
        match existing {
            Some(i) => {
                s.commands[i] = command;
                Reply::ok(json)
            }
            None => {
                s.commands.push(command);
                Reply::created(json)
            }
        }
    })
}

/// `GET`/`DELETE .../commands/{command_id}`.
pub fn one_command(shared: &Shared, ctx: &Ctx) -> Reply {
    let guild = match check_scope(shared, ctx) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let id = ctx.id("command_id");
    shared.write(|s| {
        let Some(i) = s
            .commands
            .iter()
            .position(|c| c.id == id && c.guild_id == guild)
        else {
            return Reply::error(404, 10063, "Unknown application command", "unknown-command");
        };
        if ctx.method == "DELETE" {
            s.commands.remove(i);
            Reply::no_content()
        } else {
            Reply::ok(s.commands[i].json.clone())
        }
    })
}

fn same_command(a: &Value, b: &Value) -> bool {
    let kind = |v: &Value| v["type"].as_u64().unwrap_or(1);
    a["name"] == b["name"] && kind(a) == kind(b)
}

/// The command as Discord returns it: the request plus ids, version and defaults.
fn command_json(shared: &Shared, body: &Value, id: u64, guild: Option<GuildId>) -> Value {
    let mut json = body.clone();
    let permissions = match &body["default_member_permissions"] {
        Value::String(s) => json!(s),
        Value::Number(n) => json!(n.to_string()),
        _ => Value::Null,
    };
    json["id"] = json!(id.to_string());
    json["application_id"] = json!(shared.config.application_id.to_string());
    json["version"] = json!(snowflake(&shared.clock).to_string());
    json["type"] = json!(body["type"].as_u64().unwrap_or(1));
    json["description"] = json!(body["description"].as_str().unwrap_or(""));
    json["default_member_permissions"] = permissions;
    json["nsfw"] = json!(body["nsfw"].as_bool().unwrap_or(false));
    if let Some(guild) = guild {
        json["guild_id"] = json!(guild.to_string());
    }
    json
}
