//! The Discord adapter: the serenity/poise client, its commands and events, and the `Chat` port
//! over serenity's Http. Thin: rules live in `app/`, SQL in `store/`.

mod chat;
mod clicks;
mod commands;
mod failure;
mod invocation;
mod metered;
mod reply;
pub mod setup;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;

pub use crate::redact::{error_chain, redact, REDACTED};
pub use chat::SerenityChat;
pub use failure::RESTARTING;
pub use reply::UNAVAILABLE;

use crate::app::App;
use crate::app::{self, AppError, NotedMessage, Performer};
use crate::config::DiscordToken;
use crate::domain::{Actor, ChannelId, MessageId, RoleId, UserId};

/// What every poise command receives.
pub struct Data {
    /// The application.
    pub app: App,
    /// Whether a gateway session was ready before, so that the next READY is a reconnect.
    connected_once: AtomicBool,
    /// Whether this process may act on what the gateway delivers (its lease holds).
    pub fence: crate::replica::Fence,
}

/// The error type of poise commands.
pub type Error = anyhow::Error;

/// A poise command context.
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// The emoji that adds a message to the timeline.
pub const TIMELINE_EMOJI: &str = "📌";

/// The gateway intents the bot needs: guild events and reactions (📌 adds to the timeline);
/// with `[intake] reports_channel` set, also guild messages and their words (the privileged
/// Message Content intent, which the developer portal must allow).
pub fn intents(settings: &crate::config::Settings) -> serenity::GatewayIntents {
    let base = serenity::GatewayIntents::GUILDS | serenity::GatewayIntents::GUILD_MESSAGE_REACTIONS;
    if settings.intake.reports_channel.is_some() {
        base | serenity::GatewayIntents::GUILD_MESSAGES | serenity::GatewayIntents::MESSAGE_CONTENT
    } else {
        base
    }
}

/// serenity's Http client, pointed at `discord.api_base` when set. serenity ignores a proxy
/// unless its own rate limiter is off, so the proxy (or fake) must enforce limits itself, and
/// the job queue retries 429s.
pub fn http(app: &App, token: &DiscordToken) -> anyhow::Result<serenity::Http> {
    http_with(
        token,
        app.settings.discord.api_base.as_deref(),
        app.settings.jobs.discord_timeout,
    )
}

/// serenity's Http client for `token`, pointed at `api_base` when given, each call (a job's, an
/// answer to a command, registering commands, set-up's) abandoned a second after `timeout`: Discord
/// that stops answering must not hold a command or the start-up forever.
pub fn http_with(
    token: &DiscordToken,
    api_base: Option<&str>,
    timeout: std::time::Duration,
) -> anyhow::Result<serenity::Http> {
    // As serenity builds its own (rustls), plus the timeouts: a second over `timeout`, so that
    // a job's own bound (TimedChat, the same `timeout`) speaks first where there is one.
    let backstop = timeout + std::time::Duration::from_secs(1);
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(backstop)
        .timeout(backstop)
        .build()
        .context("the HTTP client for Discord could not be built")?;
    let mut builder = serenity::HttpBuilder::new(token.expose()).client(client);
    if let Some(base) = api_base {
        builder = builder
            .proxy(base.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    Ok(builder.build())
}

/// The job handler of the running bot: the use cases' effects, performed over `http`.
pub fn performer(app: &App, http: Arc<serenity::Http>) -> Arc<Performer> {
    let chat = Arc::new(SerenityChat::new(
        http,
        app.settings.discord.guild_id,
        app.metrics.clone(),
    ));
    Arc::new(Performer::new(app.clone(), chat))
}

/// The client builder with the poise framework installed. Returned unstarted, so that tests can
/// add their own raw event handlers before `start()`. Commands and events are acted on only
/// while `fence` holds.
pub fn client_builder(
    app: App,
    http: serenity::Http,
    fence: crate::replica::Fence,
) -> serenity::ClientBuilder {
    let guild = serenity::GuildId::new(app.settings.discord.guild_id.get());
    let app_settings = Arc::clone(&app.settings);
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all_for(&app.settings.severity),
            // No reply of the bot pings anyone unless a message lists roles explicitly.
            allowed_mentions: Some(serenity::CreateAllowedMentions::new()),
            command_check: Some(|ctx| Box::pin(failure::command_check(ctx))),
            post_command: |ctx| Box::pin(invocation::finish(ctx, crate::metrics::Outcome::Ok)),
            on_error: |error| Box::pin(failure::on_error(error)),
            event_handler: |framework, event| {
                Box::pin(on_event(
                    framework.serenity_context,
                    event,
                    framework.user_data,
                ))
            },
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                tracing::info!(user = %ready.user.name, "connected to Discord");
                // A registration that fails (Discord slow or down) must not leave the bot deaf:
                // the commands registered last time still arrive, and the next start tries again
                // (the definitions are remembered only once registered).
                if let Err(e) =
                    register_if_changed(ctx, &app, &framework.options().commands, guild).await
                {
                    tracing::error!(
                        error = %error_chain(&e),
                        "could not register the commands; serving those registered before"
                    );
                }
                setup::warn_if_exposed(&ctx.http, &app.settings).await;
                Ok(Data {
                    app,
                    connected_once: AtomicBool::new(false),
                    fence,
                })
            })
        })
        .build();
    let mut cache = serenity::cache::Settings::default();
    // The bot reads incidents from its database, not from cached messages.
    cache.max_messages = 0;
    serenity::ClientBuilder::new_with_http(http, intents(&app_settings))
        .cache_settings(cache)
        .framework(framework)
}

/// Registers the commands in the guild, unless the same definitions were registered before.
async fn register_if_changed(
    ctx: &serenity::Context,
    app: &App,
    commands: &[poise::Command<Data, Error>],
    guild: serenity::GuildId,
) -> Result<(), Error> {
    let definitions = poise::builtins::create_application_commands(commands);
    let json = serde_json::to_string(&definitions)?;
    let key = format!("registered_commands:{guild}");
    if app.db.meta(&key).await?.as_deref() == Some(json.as_str()) {
        tracing::info!("commands unchanged since last start; not registering");
        return Ok(());
    }
    metered::metered(
        &app.metrics,
        "PUT",
        metered::route::GUILD_COMMANDS,
        guild.set_commands(ctx, definitions),
    )
    .await?;
    app.db.set_meta(&key, &json).await?;
    tracing::info!(count = commands.len(), "registered commands in the guild");
    Ok(())
}

/// The parts of a Discord message the timeline keeps.
pub(crate) fn noted(message: &serenity::Message) -> Result<NotedMessage, AppError> {
    let bad = || AppError::user("Discord sent a message with an id of 0.");
    let at: DateTime<Utc> = *message.timestamp;
    Ok(NotedMessage {
        id: MessageId::new(message.id.get()).ok_or_else(bad)?,
        channel: ChannelId::new(message.channel_id.get()).ok_or_else(bad)?,
        author: UserId::new(message.author.id.get()).ok_or_else(bad)?,
        at,
        content: message.content.clone(),
    })
}

async fn on_event(
    ctx: &serenity::Context,
    event: &serenity::FullEvent,
    data: &Data,
) -> Result<(), Error> {
    if !data.fence.holds() {
        // Another replica may own the gateway by now: this one does nothing until it stops.
        tracing::info!(
            event = event.snake_case_name(),
            "ignored a gateway event: this replica's lease on the gateway may have run out"
        );
        return Ok(());
    }
    match event {
        // The first READY is the start; every later one is a session begun again.
        serenity::FullEvent::Ready { .. } if data.connected_once.swap(true, Ordering::Relaxed) => {
            data.app.metrics.gateway_reconnects.inc(&[]);
        }
        serenity::FullEvent::Resume { .. } => data.app.metrics.gateway_reconnects.inc(&[]),
        serenity::FullEvent::ReactionAdd { add_reaction }
            if add_reaction.emoji.unicode_eq(TIMELINE_EMOJI) =>
        {
            if let Err(e) = note_reaction(ctx, add_reaction, data).await {
                tracing::warn!(error = %error_chain(&e), "could not add a 📌 message to the timeline");
            }
        }
        serenity::FullEvent::Message { new_message } => player_message(new_message, data).await,
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(click),
        } => clicks::on_click(ctx, click, data).await?,
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Modal(submit),
        } => clicks::on_modal(ctx, submit, data).await?,
        _ => {}
    }
    Ok(())
}

/// The gateway as this process sees it: standing by while another replica owns it, else ready
/// when every shard serenity runs has reached the Connected stage (READY or RESUMED received).
pub fn gateway_probe(
    shards: Arc<serenity::ShardManager>,
    role: crate::replica::GatewayRole,
) -> crate::http::GatewayProbe {
    use crate::http::GatewayState;
    use crate::replica::Role;
    Arc::new(move || {
        let shards = shards.clone();
        let role = role.get();
        Box::pin(async move {
            if role == Role::Standby {
                return GatewayState::Standby;
            }
            let runners = shards.runners.lock().await;
            let ready = !runners.is_empty()
                && runners
                    .values()
                    .all(|r| r.stage == serenity::ConnectionStage::Connected);
            if ready {
                GatewayState::Connected {
                    replica: role == Role::Owner,
                }
            } else {
                GatewayState::Connecting
            }
        })
    })
}

/// A member's roles as the domain knows them.
fn role_ids(roles: &[serenity::RoleId]) -> Vec<RoleId> {
    roles.iter().filter_map(|r| RoleId::new(r.get())).collect()
}

/// A message in the reports channel, counted when a player wrote it. Other channels, bots and
/// messages of other guilds are not read.
async fn player_message(message: &serenity::Message, data: &Data) {
    let app = &data.app;
    let Some(reports) = app.settings.intake.reports_channel else {
        return;
    };
    let guild = app.settings.discord.guild_id;
    if message.channel_id.get() != reports.get()
        || message.author.bot
        || message.guild_id.map(|g| g.get()) != Some(guild.get())
    {
        return;
    }
    let (Some(author), Some(id)) = (
        UserId::new(message.author.id.get()),
        MessageId::new(message.id.get()),
    ) else {
        return;
    };
    let roles = message
        .member
        .as_ref()
        .map(|m| role_ids(&m.roles))
        .unwrap_or_default();
    let said = crate::domain::PlayerMessage {
        author,
        id,
        at: *message.timestamp,
        text: message.content.clone(),
        link: format!("https://discord.com/channels/{guild}/{reports}/{id}"),
    };
    if let Err(e) = app::player_said(app, &said, &roles).await {
        tracing::warn!(error = %e, "could not count a player's report");
    }
}

async fn note_reaction(
    ctx: &serenity::Context,
    reaction: &serenity::Reaction,
    data: &Data,
) -> Result<(), Error> {
    if reaction.guild_id.map(|g| g.get()) != Some(data.app.settings.discord.guild_id.get()) {
        return Ok(());
    }
    let Some(member) = &reaction.member else {
        return Ok(());
    };
    let actor = Actor {
        user: UserId::new(member.user.id.get()).ok_or_else(|| anyhow::anyhow!("user id 0"))?,
        roles: member
            .roles
            .iter()
            .filter_map(|r| RoleId::new(r.get()))
            .collect(),
    };
    // Only incident channels matter; skip the REST fetch elsewhere.
    let Some(channel) = ChannelId::new(reaction.channel_id.get()) else {
        return Ok(());
    };
    if data.app.db.incident_by_channel(channel).await?.is_none() {
        return Ok(());
    }
    let message = metered::metered(
        &data.app.metrics,
        "GET",
        metered::route::MESSAGE,
        reaction.channel_id.message(ctx, reaction.message_id),
    )
    .await?;
    match app::note_message(&data.app, &actor, noted(&message)?).await {
        Ok(_) => Ok(()),
        Err(AppError::User(e)) => {
            tracing::info!(reason = %e, "📌 not added to the timeline");
            Ok(())
        }
        Err(AppError::Internal(e) | AppError::Unavailable(e)) => Err(e),
    }
}
