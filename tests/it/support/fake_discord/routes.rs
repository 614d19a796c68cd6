//! The table of implemented routes: spec template and method to handler.

use serde_json::json;

use super::reply::Reply;
use super::rest::Ctx;
use super::shared::Shared;
use super::{
    rest_channels, rest_events, rest_guild, rest_interactions, rest_messages, rest_meta, rest_pins,
};

/// Serves a validated request, or records it as unimplemented so nothing passes silently.
pub fn dispatch(shared: &Shared, ctx: &Ctx) -> Reply {
    use rest_channels as ch;
    use rest_guild as guild;
    use rest_interactions as ix;
    use rest_messages as msg;
    use rest_meta as meta;
    use rest_pins as pins;
    match (ctx.method.as_str(), ctx.template.as_str()) {
        ("GET", "/gateway") => meta::gateway(shared),
        ("GET", "/gateway/bot") => meta::gateway_bot(shared),
        ("GET", "/users/@me") => meta::current_user(shared),
        ("GET", "/users/@me/guilds") => guild::my_guilds(shared, ctx),
        ("GET", "/oauth2/applications/@me" | "/applications/@me") => meta::application(shared),
        ("GET", "/applications/{application_id}/commands")
        | ("GET", "/applications/{application_id}/guilds/{guild_id}/commands") => {
            meta::list_commands(shared, ctx)
        }
        ("PUT", "/applications/{application_id}/commands")
        | ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands") => {
            meta::overwrite_commands(shared, ctx)
        }
        ("POST", "/applications/{application_id}/commands")
        | ("POST", "/applications/{application_id}/guilds/{guild_id}/commands") => {
            meta::create_command(shared, ctx)
        }
        ("GET" | "DELETE", "/applications/{application_id}/commands/{command_id}")
        | (
            "GET" | "DELETE",
            "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
        ) => meta::one_command(shared, ctx),
        ("GET", "/guilds/{guild_id}") => guild::get_guild(shared, ctx),
        ("PUT", "/guilds/{guild_id}/incident-actions") => {
            super::rest_incidents::incident_actions(shared, ctx)
        }
        ("GET", "/guilds/{guild_id}/roles") => guild::list_roles(shared, ctx),
        ("POST", "/guilds/{guild_id}/roles") => guild::create_role(shared, ctx),
        ("PATCH", "/guilds/{guild_id}/roles/{role_id}") => {
            super::rest_member_roles::edit_role(shared, ctx)
        }
        ("GET", "/guilds/{guild_id}/members") => guild::list_members(shared, ctx),
        ("GET", "/guilds/{guild_id}/members/{user_id}") => guild::get_member(shared, ctx),
        ("PUT" | "DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}") => {
            super::rest_member_roles::member_role(shared, ctx)
        }
        ("GET", "/guilds/{guild_id}/channels") => guild::list_channels(shared, ctx),
        ("GET", "/guilds/{guild_id}/scheduled-events") => rest_events::list(shared, ctx),
        ("POST", "/guilds/{guild_id}/scheduled-events") => rest_events::create(shared, ctx),
        ("GET", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}") => {
            rest_events::get(shared, ctx)
        }
        ("PATCH", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}") => {
            rest_events::update(shared, ctx)
        }
        ("DELETE", "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}") => {
            rest_events::delete(shared, ctx)
        }
        ("POST", "/guilds/{guild_id}/channels") => ch::create_channel(shared, ctx),
        ("PATCH", "/guilds/{guild_id}/channels") => ch::move_channels(shared, ctx),
        ("GET", "/channels/{channel_id}") => ch::get_channel(shared, ctx),
        ("PATCH", "/channels/{channel_id}") => ch::edit_channel(shared, ctx),
        ("DELETE", "/channels/{channel_id}") => ch::delete_channel(shared, ctx),
        ("PUT" | "DELETE", "/channels/{channel_id}/permissions/{overwrite_id}") => {
            ch::set_overwrite(shared, ctx)
        }
        ("POST", "/channels/{channel_id}/messages") => msg::create(shared, ctx),
        ("GET", "/channels/{channel_id}/messages") => msg::list(shared, ctx),
        ("GET", "/channels/{channel_id}/messages/{message_id}") => msg::get(shared, ctx),
        ("PATCH", "/channels/{channel_id}/messages/{message_id}") => msg::edit(shared, ctx),
        ("DELETE", "/channels/{channel_id}/messages/{message_id}") => msg::delete(shared, ctx),
        ("PUT" | "DELETE", "/channels/{channel_id}/pins/{message_id}")
        | ("PUT" | "DELETE", "/channels/{channel_id}/messages/pins/{message_id}") => {
            pins::pin(shared, ctx)
        }
        ("GET", "/channels/{channel_id}/pins") => pins::list_pins_legacy(shared, ctx),
        ("GET", "/channels/{channel_id}/messages/pins") => pins::list_pins(shared, ctx),
        ("POST", "/channels/{channel_id}/messages/{message_id}/crosspost") => {
            pins::crosspost(shared, ctx)
        }
        (
            "PUT" | "DELETE",
            "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
        ) => pins::own_reaction(shared, ctx),
        ("POST", "/interactions/{interaction_id}/{interaction_token}/callback") => {
            ix::callback(shared, ctx)
        }
        (
            "GET" | "PATCH" | "DELETE",
            "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
        )
        | (
            "GET" | "PATCH" | "DELETE",
            "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        ) => ix::webhook_message(shared, ctx),
        ("POST", "/webhooks/{webhook_id}/{webhook_token}") => ix::followup(shared, ctx),
        _ => Reply {
            status: 501,
            body: Some(json!({
                "message": format!("the fake Discord does not implement {} {}", ctx.method, ctx.template),
                "code": 0,
            })),
            headers: vec![],
            violation: Some((
                "unimplemented",
                format!(
                    "spec-valid request to {} {}, which the fake does not serve",
                    ctx.method, ctx.template
                ),
            )),
            cut: false,
        },
    }
}
