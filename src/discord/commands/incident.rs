//! `/incident …`: the responders' commands. Each one defers, converts its options to a domain
//! request once, calls the use case, and answers; rules live in `app/`.

use std::time::Duration;

use poise::serenity_prelude as serenity;

use super::super::reply::{actor, outcome, say};
use super::super::{Context, Error};
use super::choices::{AllClearChoice, KindChoice, PhaseChoice, RoleChoice, SeverityChoice};
use crate::app::{self, AppError, ChangeArgs, ChannelCounts, DeclareArgs};
use crate::app::{AppEvent, ChannelState};
use crate::domain::{
    Candidate, ChannelId, Command, EtaInput, FreeText, IncidentTitle, InteractionId, RoleId,
    ShortText, SinceInput, Systems, UserId,
};

/// Work an incident: declare it, then run these in its channel.
#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "declare", "severity", "phase", "assign", "update", "note", "status", "announce", "edit",
        "kind", "resolve", "reopen", "close", "help"
    ),
    subcommand_required
)]
pub async fn incident(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Where the command runs, with `incident:` as typed.
fn here(ctx: Context<'_>, incident: Option<u32>) -> Result<app::Place, Error> {
    let channel =
        ChannelId::new(ctx.channel_id().get()).ok_or_else(|| anyhow::anyhow!("channel id 0"))?;
    Ok(app::Place { channel, incident })
}

/// Runs a change in this channel's incident (or, from the log channel, the one numbered
/// `incident`) and answers with its outcome.
async fn change(
    ctx: Context<'_>,
    incident: Option<u32>,
    parse: impl FnOnce() -> Result<ChangeArgs, AppError>,
) -> Result<(), Error> {
    super::super::reply::defer(ctx).await?;
    let actor = actor(ctx).await?;
    let result = match parse() {
        Ok(args) => {
            let origin = format!("ix:{}", ctx.id());
            app::change(&ctx.data().app, &actor, here(ctx, incident)?, &origin, args)
                .await
                .map(|c| c.reply)
        }
        Err(e) => Err(e),
    };
    outcome(ctx, result).await
}

/// The person a user option names, with their roles from the interaction's resolved members
/// (none when they are not a member of the server).
fn candidate(ctx: Context<'_>, user: &serenity::User) -> Result<Candidate, AppError> {
    let id =
        UserId::new(user.id.get()).ok_or_else(|| AppError::user("That user id is not valid."))?;
    let roles = match ctx {
        poise::Context::Application(a) => a
            .interaction
            .data
            .resolved
            .members
            .get(&user.id)
            .map(|m| {
                m.roles
                    .iter()
                    .filter_map(|r| RoleId::new(r.get()))
                    .collect()
            })
            .unwrap_or_default(),
        poise::Context::Prefix(_) => Vec::new(),
    };
    Ok(Candidate {
        user: id,
        roles,
        bot: user.bot,
    })
}

/// How full the guild and the incident category are, from the cache (REST if not cached).
async fn channel_counts(ctx: Context<'_>) -> Result<ChannelCounts, Error> {
    counts(ctx.serenity_context(), &ctx.data().app).await
}

/// How full the guild and the incident category are, from the cache (REST if not cached), for
/// any interaction that declares.
pub(crate) async fn counts(
    ctx: &serenity::Context,
    app: &crate::app::App,
) -> Result<ChannelCounts, Error> {
    let category = serenity::ChannelId::new(app.settings.channels.incident_category.get());
    let guild = serenity::GuildId::new(app.settings.discord.guild_id.get());
    let cached = ctx.cache.guild(guild).map(|g| ChannelCounts {
        guild: g.channels.len(),
        category: g
            .channels
            .values()
            .filter(|c| c.parent_id == Some(category))
            .count(),
    });
    if let Some(counts) = cached {
        return Ok(counts);
    }
    let channels = super::super::metered::metered(
        &app.metrics,
        "GET",
        super::super::metered::route::GUILD_CHANNELS,
        guild.channels(ctx),
    )
    .await?;
    Ok(ChannelCounts {
        guild: channels.len(),
        category: channels
            .values()
            .filter(|c| c.parent_id == Some(category))
            .count(),
    })
}

/// Declare an incident: opens its channel, pages responders, alerts players when the severity says so.
#[poise::command(slash_command, guild_only)]
pub async fn declare(
    ctx: Context<'_>,
    #[description = "What is broken, in a few words (at most 100 characters)"] title: String,
    #[description = "P0 critical … P3 minor"] severity: SeverityChoice,
    #[description = "availability (default) or security (private channel, never announced)"]
    kind: Option<KindChoice>,
    #[description = "Affected systems, comma-separated"]
    #[autocomplete = "super::choices::autocomplete_systems"]
    systems: Option<String>,
    #[description = "What you know so far"] summary: Option<String>,
    #[description = "Fix expected in: 45m, 2h, or words"] eta: Option<String>,
) -> Result<(), Error> {
    // Declare commits before it acknowledges: an acknowledged declare always exists, even if the
    // bot dies right after. The commit needs no REST call, so it fits well inside the 3 s.
    let app = &ctx.data().app;
    let actor = actor(ctx).await?;
    let interaction =
        InteractionId::new(ctx.id()).ok_or_else(|| anyhow::anyhow!("interaction id 0"))?;
    let args = DeclareArgs {
        detected_at: None,
        title,
        severity: severity.into(),
        kind: kind
            .map(Into::into)
            .unwrap_or(crate::domain::IncidentKind::Availability),
        systems,
        summary,
        eta,
    };
    let mut opened = app.events.subscribe();
    let counts = channel_counts(ctx).await?;
    let declared = match app::declare(app, &actor, args, interaction, counts).await {
        Ok(d) => d,
        Err(e) => return outcome(ctx, Err(e)).await,
    };
    super::super::reply::defer(ctx).await?;
    let record = declared.record;
    let state = match record.channel_id {
        Some(c) => ChannelState::Open(c),
        None => {
            let wait = async {
                loop {
                    match opened.recv().await {
                        Ok(AppEvent::ChannelOpened { incident, channel })
                            if incident == record.id =>
                        {
                            return Some(ChannelState::Open(channel))
                        }
                        Ok(AppEvent::ChannelFailed { incident, reason })
                            if incident == record.id =>
                        {
                            return Some(ChannelState::Failed(reason))
                        }
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    }
                }
            };
            // A shutdown stops the queue: the channel opens after the restart.
            let waited = tokio::select! {
                waited = tokio::time::timeout(Duration::from_secs(10), wait) => waited.ok().flatten(),
                () = app.shutdown.triggered() => None,
            };
            match waited {
                Some(state) => state,
                // It may have opened, or failed, between the declare and the subscription's
                // first read. The incident exists either way: a database that stopped answering
                // meanwhile must not make the answer say nothing was changed.
                None => match app::channel_state(app, record.id).await {
                    Ok(state) => state,
                    Err(e) => {
                        tracing::warn!(
                            incident = %record.number,
                            error = %e,
                            "could not read the declared incident's channel"
                        );
                        ChannelState::Opening
                    }
                },
            }
        }
    };
    let head = format!(
        "Incident #{} declared ({}).",
        record.number, record.incident.severity
    );
    let text = match state {
        ChannelState::Open(c) => format!("{head} Work it in <#{c}>."),
        ChannelState::Opening => format!(
            "{head} Discord is slow: its channel will appear under <#{}> shortly.",
            app.settings.channels.incident_category
        ),
        ChannelState::Failed(reason) => format!(
            "{head} But I could not open its channel: {}. Fix the permission or make room, \
             then declare again.",
            app::readable_error(reason.trim_end_matches('.'))
        ),
    };
    say(ctx, text).await
}

/// Raise or lower this incident's severity (commanders).
#[poise::command(slash_command, guild_only)]
pub async fn severity(
    ctx: Context<'_>,
    #[description = "The new severity"] level: SeverityChoice,
    #[description = "Why"] reason: Option<String>,
    #[description = "Its number, from the log channel"]
    #[min = 1]
    incident: Option<u32>,
) -> Result<(), Error> {
    change(ctx, incident, || {
        let reason = reason.as_deref().map(ShortText::parse).transpose();
        Ok(ChangeArgs::from(Command::ChangeSeverity {
            to: level.into(),
            reason: reason?,
        }))
    })
    .await
}

/// Move this incident to a later phase and post its checklist.
#[poise::command(slash_command, guild_only)]
pub async fn phase(
    ctx: Context<'_>,
    #[description = "The phase to move to"] to: PhaseChoice,
    #[description = "Its number, from the log channel"]
    #[min = 1]
    incident: Option<u32>,
) -> Result<(), Error> {
    change(ctx, incident, || {
        Ok(ChangeArgs::from(Command::AdvancePhase { to: to.into() }))
    })
    .await
}

/// Give someone a role in this incident.
#[poise::command(slash_command, guild_only)]
pub async fn assign(
    ctx: Context<'_>,
    #[description = "The role"] role: RoleChoice,
    #[description = "Who takes it"] user: serenity::User,
    #[description = "Its number, from the log channel"]
    #[min = 1]
    incident: Option<u32>,
) -> Result<(), Error> {
    change(ctx, incident, || {
        let assignee = candidate(ctx, &user)?;
        Ok(ChangeArgs {
            command: Command::Assign {
                role: role.into(),
                user: assignee.user,
            },
            assignee: Some(assignee),
        })
    })
    .await
}

/// Post a status update to this channel, and to players with public:true.
#[poise::command(slash_command, guild_only)]
pub async fn update(
    ctx: Context<'_>,
    #[description = "The update"] message: String,
    #[description = "Also post it to the players' announcement channel"] public: Option<bool>,
    #[description = "Fix expected in: 45m, 2h, or words"] eta: Option<String>,
    #[description = "Also publish to following servers (commanders; 8 an hour)"] publish: Option<
        bool,
    >,
    #[description = "Its number, from the log channel"]
    #[min = 1]
    incident: Option<u32>,
) -> Result<(), Error> {
    change(ctx, incident, || {
        let eta = eta.as_deref().map(EtaInput::parse).transpose()?;
        let message = FreeText::parse(&message)?;
        Ok(ChangeArgs::from(Command::Update {
            message,
            public: public.unwrap_or(false),
            publish: publish.unwrap_or(false),
            eta,
        }))
    })
    .await
}

/// Send players the service alert (commanders).
#[poise::command(slash_command, guild_only)]
pub async fn announce(
    ctx: Context<'_>,
    #[description = "Fix expected in: 45m, 2h, or words"] eta: Option<String>,
    #[description = "Its number, from the log channel"]
    #[min = 1]
    incident: Option<u32>,
) -> Result<(), Error> {
    change(ctx, incident, || {
        let eta = eta.as_deref().map(EtaInput::parse).transpose()?;
        Ok(ChangeArgs::from(Command::Announce { eta }))
    })
    .await
}

/// Correct the title, systems, summary or start.
#[poise::command(slash_command, guild_only)]
pub async fn edit(
    ctx: Context<'_>,
    #[description = "New title"] title: Option<String>,
    #[description = "All affected systems, comma-separated"]
    #[autocomplete = "super::choices::autocomplete_systems"]
    systems: Option<String>,
    #[description = "New summary"] summary: Option<String>,
    #[description = "When it began: 25m ago, 08:40 UTC, 2026-11-30 08:40"] detected_at: Option<
        String,
    >,
    #[description = "Its number, from the log channel"]
    #[min = 1]
    incident: Option<u32>,
) -> Result<(), Error> {
    change(ctx, incident, || {
        Ok(ChangeArgs::from(Command::Edit {
            title: title.as_deref().map(IncidentTitle::parse).transpose()?,
            systems: systems.as_deref().map(Systems::parse).transpose()?,
            summary: summary.as_deref().map(FreeText::parse).transpose()?,
            detected_at: detected_at.as_deref().map(SinceInput::parse).transpose()?,
        }))
    })
    .await
}

/// Make this a security incident (private, unannounced), or back.
#[poise::command(slash_command, guild_only)]
pub async fn kind(
    ctx: Context<'_>,
    #[description = "Back to availability needs the security role"] to: KindChoice,
    #[description = "Its number, from the log channel"]
    #[min = 1]
    incident: Option<u32>,
) -> Result<(), Error> {
    change(ctx, incident, || {
        Ok(ChangeArgs::from(Command::ChangeKind { to: to.into() }))
    })
    .await
}

/// Add a note to this incident's timeline.
#[poise::command(slash_command, guild_only)]
pub async fn note(
    ctx: Context<'_>,
    #[description = "The note"] text: String,
    #[description = "Its number, from the log channel"]
    #[min = 1]
    incident: Option<u32>,
) -> Result<(), Error> {
    change(ctx, incident, || {
        Ok(ChangeArgs::from(Command::Note {
            text: FreeText::parse(&text)?,
        }))
    })
    .await
}

/// Show this incident's status, or the open incidents when run elsewhere.
#[poise::command(slash_command, guild_only)]
pub async fn status(
    ctx: Context<'_>,
    #[description = "Its number, from the log channel"]
    #[min = 1]
    incident: Option<u32>,
) -> Result<(), Error> {
    super::super::reply::defer(ctx).await?;
    let actor = actor(ctx).await?;
    let result = app::status(&ctx.data().app, &actor, here(ctx, incident)?)
        .await
        .map(|s| s.text);
    outcome(ctx, result).await
}

/// Record the fix and verify it before players get the all-clear (commanders).
#[poise::command(slash_command, guild_only)]
pub async fn resolve(
    ctx: Context<'_>,
    #[description = "The root cause, in brief (players see it)"] root_cause: String,
    #[description = "What players get for their trouble, if anything"] compensation: Option<String>,
    #[description = "When players get the all-clear"] all_clear: Option<AllClearChoice>,
    #[description = "Its number, from the log channel"]
    #[min = 1]
    incident: Option<u32>,
) -> Result<(), Error> {
    change(ctx, incident, || {
        let root_cause = FreeText::parse(&root_cause)?;
        let compensation = compensation.as_deref().map(FreeText::parse).transpose()?;
        Ok(ChangeArgs::from(Command::Resolve {
            root_cause,
            compensation,
            all_clear_now: all_clear == Some(AllClearChoice::Now),
        }))
    })
    .await
}

/// The fix did not hold or the problem is back: work resumes in phase 4.
#[poise::command(slash_command, guild_only)]
pub async fn reopen(
    ctx: Context<'_>,
    #[description = "What is wrong again"] reason: String,
    #[description = "Its number, from the log channel"]
    #[min = 1]
    incident: Option<u32>,
) -> Result<(), Error> {
    change(ctx, incident, || {
        Ok(ChangeArgs::from(Command::Reopen {
            reason: FreeText::parse(&reason)?,
        }))
    })
    .await
}

/// Archive and lock this resolved incident's channel (commanders).
#[poise::command(slash_command, guild_only)]
pub async fn close(
    ctx: Context<'_>,
    #[description = "Its number, from the log channel"]
    #[min = 1]
    incident: Option<u32>,
) -> Result<(), Error> {
    change(ctx, incident, || Ok(ChangeArgs::from(Command::Close))).await
}

/// What each severity means, the phases, and the commands, on one page.
#[poise::command(slash_command, guild_only)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    let result = app::help(&ctx.data().app);
    outcome(ctx, result).await
}
