//! The Discord adapter: the serenity/poise client, command registration and the job handler
//! that performs side effects over serenity's Http. Thin: rules live in `app/`, SQL in `store/`.

mod jobs;

use poise::serenity_prelude as serenity;

pub use jobs::DiscordJobs;

use crate::config::DiscordToken;
use crate::startup::App;

/// What every poise command receives.
pub struct Data {
    /// The application.
    pub app: App,
}

/// The error type of poise commands.
pub type Error = anyhow::Error;

/// The gateway intents the bot needs: guild events and reactions (📌 adds to the timeline).
pub fn intents() -> serenity::GatewayIntents {
    serenity::GatewayIntents::GUILDS | serenity::GatewayIntents::GUILD_MESSAGE_REACTIONS
}

/// serenity's Http client, pointed at `discord.api_base` when set. serenity ignores a proxy
/// unless its own rate limiter is off, so the proxy (or fake) must enforce limits itself.
pub fn http(app: &App, token: &DiscordToken) -> serenity::Http {
    let mut builder = serenity::HttpBuilder::new(token.expose());
    if let Some(base) = &app.settings.discord.api_base {
        builder = builder
            .proxy(base.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    builder.build()
}

/// The client builder with the poise framework installed. Returned unstarted, so that tests can
/// add their own raw event handlers before `start()`.
pub fn client_builder(app: App, http: serenity::Http) -> serenity::ClientBuilder {
    let guild = serenity::GuildId::new(app.settings.discord.guild_id.get());
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands(),
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                tracing::info!(user = %ready.user.name, "connected to Discord");
                poise::builtins::register_in_guild(ctx, &framework.options().commands, guild)
                    .await?;
                Ok(Data { app })
            })
        })
        .build();
    let mut cache = serenity::cache::Settings::default();
    // The bot reads incidents from its database, not from cached messages.
    cache.max_messages = 0;
    serenity::ClientBuilder::new_with_http(http, intents())
        .cache_settings(cache)
        .framework(framework)
}

/// Every command the bot offers.
fn commands() -> Vec<poise::Command<Data, Error>> {
    Vec::new()
}
