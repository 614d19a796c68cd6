//! `/postmortem …`: draft, impact, action items, the review meeting, done.

use poise::serenity_prelude as serenity;

use super::super::reply::{actor, outcome};
use super::super::{Context, Error};
use crate::app::{self, PostmortemArgs};
use crate::domain::{ChannelId, UserId};

/// The post-mortem of this incident: the plan requires one for every P0 and a recurring P1.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("draft", "impact", "action", "schedule", "done"),
    subcommand_required
)]
pub async fn postmortem(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

async fn run(ctx: Context<'_>, args: PostmortemArgs) -> Result<(), Error> {
    super::super::reply::defer(ctx).await?;
    let actor = actor(ctx).await?;
    let channel =
        ChannelId::new(ctx.channel_id().get()).ok_or_else(|| anyhow::anyhow!("channel id 0"))?;
    let origin = format!("ix:{}", ctx.id());
    let result = app::postmortem(&ctx.data().app, &actor, channel, &origin, args).await;
    outcome(ctx, result).await
}

/// Post the post-mortem draft, filled from the timeline, as a Markdown file.
#[poise::command(slash_command, guild_only)]
pub async fn draft(ctx: Context<'_>) -> Result<(), Error> {
    run(ctx, PostmortemArgs::Draft).await
}

/// Record the impact: users affected, downtime, revenue.
#[poise::command(slash_command, guild_only)]
pub async fn impact(
    ctx: Context<'_>,
    #[description = "How many users were affected"]
    #[min = 0]
    #[max = 10_000_000_000_i64]
    users: Option<i64>,
    #[description = "How many minutes of downtime (at most a year)"]
    #[min = 0]
    #[max = 525_600]
    downtime_minutes: Option<i64>,
    #[description = "The revenue impact, e.g. $1,200"] revenue: Option<String>,
) -> Result<(), Error> {
    run(
        ctx,
        PostmortemArgs::Impact {
            users,
            downtime_minutes,
            revenue,
        },
    )
    .await
}

/// Add an action item.
#[poise::command(slash_command, guild_only)]
pub async fn action(
    ctx: Context<'_>,
    #[description = "What is to be done"] text: String,
    #[description = "Who owns it"] owner: Option<serenity::User>,
) -> Result<(), Error> {
    let owner = owner.and_then(|u| UserId::new(u.id.get()));
    run(ctx, PostmortemArgs::Action { text, owner }).await
}

/// Record the review meeting, e.g. "2026-12-01 15:00 UTC" or "tomorrow 15:00" (UTC).
#[poise::command(slash_command, guild_only)]
pub async fn schedule(
    ctx: Context<'_>,
    #[description = "When, e.g. tomorrow 15:00 (UTC)"] when: String,
) -> Result<(), Error> {
    run(ctx, PostmortemArgs::Schedule { when }).await
}

/// Mark the post-mortem done and stop its reminders.
#[poise::command(slash_command, guild_only)]
pub async fn done(
    ctx: Context<'_>,
    #[description = "Where it is written up"] link: String,
) -> Result<(), Error> {
    run(ctx, PostmortemArgs::Done { link }).await
}
