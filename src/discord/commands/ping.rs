//! `/ping`: answers at once, to check the bot is alive. Also the latency floor in benchmarks.

use super::super::reply::say;
use super::super::{Context, Error};

/// Check that the bot is up: it answers "ok".
#[poise::command(slash_command, guild_only)]
pub async fn ping(ctx: Context<'_>) -> Result<(), Error> {
    say(ctx, "ok").await
}
