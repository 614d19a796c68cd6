//! Counting Discord REST calls by route template and status class.
//!
//! serenity 0.12 has no hook around its requests (its ratelimiter's callback sees only rate
//! limit headers, and it is off behind a proxy), and reqwest has no middleware. So each call
//! the bot makes is wrapped where it is made: the `Chat` port (every job's side effect), the
//! interaction answers in `reply`, and command registration. What serenity does on its own
//! (fetching the gateway URL at start) is not counted.

use std::future::Future;

use serenity::all as serenity;

use crate::metrics::Metrics;

/// The route templates of Discord's OpenAPI spec for the calls the bot makes, as labels.
pub(crate) mod route {
    /// Get or edit a channel.
    pub const CHANNEL: &str = "/channels/{channel_id}";
    /// Post a message.
    pub const MESSAGES: &str = "/channels/{channel_id}/messages";
    /// Get one message.
    pub const MESSAGE: &str = "/channels/{channel_id}/messages/{message_id}";
    /// Publish a message of an announcement channel.
    pub const CROSSPOST: &str = "/channels/{channel_id}/messages/{message_id}/crosspost";
    /// List the pins of a channel.
    pub const PINS: &str = "/channels/{channel_id}/pins";
    /// Pin a message.
    pub const PIN: &str = "/channels/{channel_id}/pins/{message_id}";
    /// List or create a guild's channels.
    pub const GUILD_CHANNELS: &str = "/guilds/{guild_id}/channels";
    /// List or create the guild's scheduled events.
    pub const GUILD_EVENTS: &str = "/guilds/{guild_id}/scheduled-events";
    /// Get or edit one scheduled event.
    pub const GUILD_EVENT: &str = "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}";
    /// The bot's own user.
    pub const ME: &str = "/users/@me";
    /// The guild itself (its preferred locale).
    pub const GUILD: &str = "/guilds/{guild_id}";
    /// One member of the guild.
    pub const GUILD_MEMBER: &str = "/guilds/{guild_id}/members/{user_id}";
    /// Give or take one role of a member.
    pub const MEMBER_ROLE: &str = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}";
    /// Register the guild's commands.
    pub const GUILD_COMMANDS: &str = "/applications/{application_id}/guilds/{guild_id}/commands";
    /// The first answer to an interaction (a message or a defer).
    pub const CALLBACK: &str = "/interactions/{interaction_id}/{interaction_token}/callback";
    /// A later answer to an interaction.
    pub const FOLLOWUP: &str = "/webhooks/{application_id}/{interaction_token}";
}

/// Awaits `call`, a request to `method` `route`, and counts it by its status class. A call
/// serenity refused before sending (a model check) is not a request and is not counted.
pub(crate) async fn metered<T>(
    metrics: &Metrics,
    method: &str,
    route: &str,
    call: impl Future<Output = Result<T, serenity::Error>>,
) -> Result<T, serenity::Error> {
    let result = call.await;
    if let Some(status) = status_of(&result) {
        metrics.discord_request(method, route, status);
    }
    result
}

/// `Some(Some(status))` for an answer, `Some(None)` when none came, `None` when nothing was sent.
fn status_of<T>(result: &Result<T, serenity::Error>) -> Option<Option<u16>> {
    use serenity::{Error, HttpError};
    match result {
        // Discord answered 2xx; a body serenity could not read still was one.
        Ok(_) | Err(Error::Json(_)) => Some(Some(200)),
        Err(Error::Http(HttpError::UnsuccessfulRequest(r))) => Some(Some(r.status_code.as_u16())),
        Err(Error::Model(_)) => None,
        Err(_) => Some(None),
    }
}
