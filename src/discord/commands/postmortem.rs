//! `/postmortem …`: start, draft, impact, action items, lessons, the review meeting, done.

use poise::serenity_prelude as serenity;

use super::super::reply::{actor, outcome};
use super::super::{Context, Error};
use crate::app::{self, PostmortemArgs};
use crate::domain::{ActionKind, ChannelId, LessonKind, UserId};

/// The post-mortem of this incident: the plan requires one for every P0 and a recurring P1.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("start", "draft", "impact", "action", "lesson", "schedule", "done"),
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

/// Start a post-mortem the plan does not require (a P1 that did not recur, a P2, a P3).
#[poise::command(slash_command, guild_only)]
pub async fn start(ctx: Context<'_>) -> Result<(), Error> {
    run(ctx, PostmortemArgs::Start).await
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

/// The plan's three groups of action items, as a choice.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum ActionChoice {
    /// Immediate fix, done already.
    #[name = "fix"]
    Fix,
    /// Preventive measure, to do.
    #[name = "prevent"]
    Prevent,
    /// Process improvement, to do.
    #[name = "process"]
    Process,
}

impl From<ActionChoice> for ActionKind {
    fn from(c: ActionChoice) -> Self {
        match c {
            ActionChoice::Fix => Self::Fix,
            ActionChoice::Prevent => Self::Prevent,
            ActionChoice::Process => Self::Process,
        }
    }
}

/// Add an action item: an immediate fix (done), a preventive measure or a process improvement.
#[poise::command(slash_command, guild_only)]
pub async fn action(
    ctx: Context<'_>,
    #[description = "fix: done already; prevent, process: to do, with an owner"] kind: ActionChoice,
    #[description = "What is to be done, or what was done"] text: String,
    #[description = "Who owns it (to do: you, unless you name someone)"] owner: Option<
        serenity::User,
    >,
) -> Result<(), Error> {
    let owner = owner.and_then(|u| UserId::new(u.id.get()));
    let kind = kind.into();
    run(ctx, PostmortemArgs::Action { kind, text, owner }).await
}

/// The halves of "Lessons learned", as a choice.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum LessonChoice {
    /// What went well.
    #[name = "went_well"]
    WentWell,
    /// What didn't.
    #[name = "went_badly"]
    WentBadly,
}

/// Add a lesson learned: what went well or what didn't.
#[poise::command(slash_command, guild_only)]
pub async fn lesson(
    ctx: Context<'_>,
    #[description = "What went well, or what went badly"] kind: LessonChoice,
    #[description = "The lesson"] text: String,
) -> Result<(), Error> {
    let kind = match kind {
        LessonChoice::WentWell => LessonKind::WentWell,
        LessonChoice::WentBadly => LessonKind::WentBadly,
    };
    run(ctx, PostmortemArgs::Lesson { kind, text }).await
}

/// Set or move the review meeting: a Discord event, and a call to everyone involved.
#[poise::command(slash_command, guild_only)]
pub async fn schedule(
    ctx: Context<'_>,
    #[description = "When, e.g. tomorrow 15:00 (UTC)"] when: String,
    #[description = "Commanders: allow a time after the post-mortem's deadline"]
    after_deadline: Option<bool>,
) -> Result<(), Error> {
    let after_deadline = after_deadline.unwrap_or(false);
    run(
        ctx,
        PostmortemArgs::Schedule {
            when,
            after_deadline,
        },
    )
    .await
}

/// Mark the post-mortem done, stop its reminders and end its meeting's event.
#[poise::command(slash_command, guild_only)]
pub async fn done(
    ctx: Context<'_>,
    #[description = "Where it is written up"] link: String,
) -> Result<(), Error> {
    run(ctx, PostmortemArgs::Done { link }).await
}
