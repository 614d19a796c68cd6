//! The Discord adapter: the serenity client, its commands and events, and the `Chat` port
//! over serenity's Http. Thin: rules live in `app/`, SQL in `store/`.

mod ask;
mod chat;
mod clicks;
mod commands;
pub mod endpoint;
mod events;
mod lockdown;
mod metered;
pub mod setup;
mod signals;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use serenity::all as serenity;

pub use crate::redact::{error_chain, redact, REDACTED};
pub use ask::Reach;
pub use chat::SerenityChat;
pub use commands::Via;

use crate::app::App;
use crate::app::{self, AppError, NotedMessage, Performer};
use crate::config::DiscordToken;
use crate::domain::{Actor, ChannelId, MessageId, Refusal, RoleId, UserId};

/// What every command, click and gateway event is handled with.
pub struct Data {
    /// The application.
    pub app: App,
    /// Whether a gateway session was ready before, so that the next READY is a reconnect.
    connected_once: AtomicBool,
    /// Whether this process may act on what the gateway delivers (its lease holds).
    pub fence: crate::replica::Fence,
}

impl Data {
    /// The handlers' state for `app`, acting on gateway events while `fence` holds.
    pub fn new(app: App, fence: crate::replica::Fence) -> Arc<Self> {
        Arc::new(Self {
            app,
            connected_once: AtomicBool::new(false),
            fence,
        })
    }
}

/// The error type of the handlers.
pub type Error = anyhow::Error;

/// The emoji that adds a message to the timeline.
pub const TIMELINE_EMOJI: &str = "📌";

/// The gateway intents the bot needs: guild events (Discord's raid and DM-spam detections
/// come as guild updates), reactions (📌 adds to the timeline), scheduled events (a
/// maintenance window follows its event, which Discord starts and ends) and AutoMod's actions
/// (not privileged);
/// with `[intake] reports_channel` set, also guild messages and their words (the privileged
/// Message Content intent, which the developer portal must allow).
pub fn intents(settings: &crate::config::Settings) -> serenity::GatewayIntents {
    let base = serenity::GatewayIntents::GUILDS
        | serenity::GatewayIntents::GUILD_MESSAGE_REACTIONS
        | serenity::GatewayIntents::GUILD_SCHEDULED_EVENTS
        | serenity::GatewayIntents::AUTO_MODERATION_EXECUTION;
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
        Arc::clone(&http),
        app.settings.discord.guild_id,
        app.metrics.clone(),
    ));
    // Only jobs change the server in a lockdown: the queue's copy of the App holds the guard.
    let mut app = app.clone();
    app.guard = Some(Arc::new(lockdown::SerenityGuard::new(
        http,
        app.settings.discord.guild_id,
        app.metrics.clone(),
    )));
    Arc::new(Performer::new(app, chat))
}

/// The client builder with the bot's event handler installed. Returned unstarted, so that
/// tests can add their own raw event handlers before `start()`. Gateway events are acted on only
/// while `data.fence` holds.
pub fn client_builder(data: Arc<Data>, http: serenity::Http) -> serenity::ClientBuilder {
    let intents = intents(&data.app.settings);
    let mut cache = serenity::cache::Settings::default();
    // The bot reads incidents from its database, not from cached messages.
    cache.max_messages = 0;
    serenity::ClientBuilder::new_with_http(http, intents)
        .cache_settings(cache)
        .event_handler(events::Events::new(data))
}

/// Registers the commands in the guild, unless the same definitions were registered before.
async fn register_if_changed(http: &serenity::Http, app: &App) -> Result<(), Error> {
    let guild = serenity::GuildId::new(app.settings.discord.guild_id.get());
    let texts = commands::configured_texts(app);
    let definitions = commands::localized_definitions(&app.settings.severity, &texts);
    let json = serde_json::to_string(&definitions)?;
    let key = format!("registered_commands:{guild}");
    if app.db.meta(&key).await?.as_deref() == Some(json.as_str()) {
        tracing::info!("commands unchanged since last start; not registering");
        return Ok(());
    }
    let count = definitions.len();
    metered::metered(
        &app.metrics,
        "PUT",
        metered::route::GUILD_COMMANDS,
        guild.set_commands(http, definitions),
    )
    .await?;
    app.db.set_meta(&key, &json).await?;
    tracing::info!(count, "registered commands in the guild");
    Ok(())
}

/// The parts of a Discord message the timeline keeps.
pub(crate) fn noted(message: &serenity::Message) -> Result<NotedMessage, AppError> {
    let bad = || AppError::User(Refusal::ZeroMessageId);
    let at: DateTime<Utc> = *message.timestamp;
    Ok(NotedMessage {
        id: MessageId::new(message.id.get()).ok_or_else(bad)?,
        channel: ChannelId::new(message.channel_id.get()).ok_or_else(bad)?,
        author: UserId::new(message.author.id.get()).ok_or_else(bad)?,
        at,
        content: message.content.clone(),
    })
}

/// The gateway as this process sees it: standing by while another replica owns it, else ready
/// when every shard serenity runs has reached the Connected stage (READY or RESUMED received).
pub fn gateway_probe(
    shards: Arc<serenity::ShardManager>,
    role: crate::replica::GatewayRole,
) -> crate::replica::GatewayProbe {
    use crate::replica::GatewayState;
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
