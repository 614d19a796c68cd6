//! Configuring and starting a fake: the guild, its roles, members and channels, and defaults.

use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use serenity::all::{ChannelId, GuildId, RoleId, UserId};

use super::cut::{Cut, CuttableListener};
use super::gateway;
use super::rest;
use super::setup_channels::deny_member;
use super::shared::{Config, Shared};
use super::state::{FakeChannel, FakeMember, FakeRole, FakeUser, State};
use super::FakeDiscord;

/// Default guild id (and `@everyone` role id).
pub const DEFAULT_GUILD: u64 = 1_100_000_000_000_000_001;
/// Default bot user id, also the application id (as for any application created today).
pub const DEFAULT_BOT: u64 = 1_100_000_000_000_000_002;
/// The id of the role Discord makes for the bot when it is invited with permissions.
pub const DEFAULT_BOT_ROLE: u64 = 1_100_000_000_000_000_003;
/// The guild's owner once the bot is invited rather than owning it (not listed as a member).
pub const DEFAULT_OWNER: u64 = 1_100_000_000_000_000_004;

/// Permissions `@everyone` gets in a new Discord server: view, send, history, reactions,
/// embeds, files, external emoji, voice basics, nickname, application commands.
pub const DEFAULT_EVERYONE: u64 = 1
    | (1 << 6)
    | (1 << 9)
    | (1 << 10)
    | (1 << 11)
    | (1 << 14)
    | (1 << 15)
    | (1 << 16)
    | (1 << 18)
    | (1 << 20)
    | (1 << 21)
    | (1 << 25)
    | (1 << 26)
    | (1 << 31);

/// Builds a fake. Defaults: guild [`DEFAULT_GUILD`] named "Studio", bot and application
/// [`DEFAULT_BOT`] named "incident-bot" owning the guild (so it has every permission, unless
/// it is invited with [`Self::bot_permissions`]), token "fake-bot-token", `@everyone` with [`DEFAULT_EVERYONE`], 41.25 s heartbeats, and the
/// Message Content intent off in the developer portal.
pub struct FakeDiscordBuilder {
    pub(super) token: String,
    pub(super) bot: FakeUser,
    pub(super) application_id: u64,
    pub(super) guild_id: GuildId,
    pub(super) guild_name: String,
    pub(super) owner: Option<UserId>,
    pub(super) everyone: u64,
    pub(super) roles: Vec<FakeRole>,
    pub(super) members: Vec<(UserId, String, Vec<RoleId>)>,
    pub(super) channels: Vec<FakeChannel>,
    pub(super) heartbeat: Duration,
    pub(super) message_content_intent: bool,
    pub(super) bot_permissions: Option<u64>,
    pub(super) bot_denied: Vec<(ChannelId, u64)>,
    pub(super) community: bool,
    pub(super) other_guilds: Vec<(GuildId, String)>,
}

impl Default for FakeDiscordBuilder {
    fn default() -> Self {
        FakeDiscordBuilder {
            token: "fake-bot-token".into(),
            bot: FakeUser {
                id: UserId::new(DEFAULT_BOT),
                username: "incident-bot".into(),
                bot: true,
            },
            application_id: DEFAULT_BOT,
            guild_id: GuildId::new(DEFAULT_GUILD),
            guild_name: "Studio".into(),
            owner: None,
            everyone: DEFAULT_EVERYONE,
            roles: vec![],
            members: vec![],
            channels: vec![],
            heartbeat: Duration::from_millis(41_250),
            message_content_intent: false,
            bot_permissions: None,
            bot_denied: vec![],
            community: true,
            other_guilds: vec![],
        }
    }
}

impl FakeDiscordBuilder {
    /// The guild's id (its `@everyone` role gets the same id).
    pub fn guild(mut self, id: GuildId) -> Self {
        self.guild_id = id;
        self
    }

    /// The guild's name.
    pub fn guild_name(mut self, name: &str) -> Self {
        self.guild_name = name.to_owned();
        self
    }

    /// Whether the guild is a Community server (the default): only those may have
    /// announcement channels.
    pub fn community(mut self, on: bool) -> Self {
        self.community = on;
        self
    }

    /// Another server the bot was invited to. It is only listed (`GET /users/@me/guilds`);
    /// every other route answers it as Discord answers a guild the bot cannot reach.
    pub fn other_guild(mut self, id: GuildId, name: &str) -> Self {
        self.other_guilds.push((id, name.to_owned()));
        self
    }

    /// The token the bot must present.
    pub fn token(mut self, token: &str) -> Self {
        self.token = token.to_owned();
        self
    }

    /// The bot's user id and name (the application id follows unless set apart).
    pub fn bot(mut self, id: UserId, name: &str) -> Self {
        self.bot = FakeUser {
            id,
            username: name.to_owned(),
            bot: true,
        };
        self.application_id = id.get();
        self
    }

    /// A guild owner other than the bot (they get every permission).
    pub fn owner(mut self, id: UserId) -> Self {
        self.owner = Some(id);
        self
    }

    /// What `@everyone` may do guild-wide.
    pub fn everyone_permissions(mut self, bits: u64) -> Self {
        self.everyone = bits;
        self
    }

    /// A role with a permission bit set.
    pub fn role(mut self, id: RoleId, name: &str, permissions: u64) -> Self {
        let position = u16::try_from(self.roles.len() + 1).unwrap_or(u16::MAX);
        self.roles.push(FakeRole {
            id,
            name: name.to_owned(),
            permissions,
            position,
            bot: None,
            mentionable: false,
        });
        self
    }

    /// Invites the bot with `bits` instead of making it the owner: as Discord does, it gets a
    /// managed role of its own name holding exactly `bits` (id [`DEFAULT_BOT_ROLE`]), and the
    /// guild is owned by [`DEFAULT_OWNER`] (unless [`Self::owner`] names someone).
    pub fn bot_permissions(mut self, bits: u64) -> Self {
        self.bot_permissions = Some(bits);
        self
    }

    /// A human member with these roles.
    pub fn member(mut self, id: UserId, name: &str, roles: &[RoleId]) -> Self {
        self.members.push((id, name.to_owned(), roles.to_vec()));
        self
    }

    /// The heartbeat interval announced in HELLO (short ones make heartbeat tests quick).
    pub fn heartbeat_interval(mut self, interval: Duration) -> Self {
        self.heartbeat = interval;
        self
    }

    /// Turns on the Message Content intent in the developer portal (off for a new app): only
    /// then does the app read other people's messages, and may it IDENTIFY with the intent.
    pub fn message_content_intent(mut self, on: bool) -> Self {
        self.message_content_intent = on;
        self
    }

    /// The guild as it starts: roles (the bot's own when invited), members, channels with the
    /// bot's denials applied; and its owner.
    fn world(&mut self) -> (State, UserId) {
        let owner = self.owner.unwrap_or(match self.bot_permissions {
            Some(_) => UserId::new(DEFAULT_OWNER),
            None => self.bot.id,
        });
        assert!(
            self.bot_denied.is_empty() || owner != self.bot.id,
            "fake Discord builder: bot_denied has no effect while the bot owns the guild; invite it with .bot_permissions(...)"
        );
        let mut state = State::default();
        let joined_at = chrono::Utc::now();
        let everyone = FakeRole {
            id: RoleId::new(self.guild_id.get()),
            name: "@everyone".into(),
            permissions: self.everyone,
            position: 0,
            bot: None,
            // Discord's `@everyone` is not a mentionable role: Mention Everyone governs it.
            mentionable: false,
        };
        state.roles.insert(everyone.id.get(), everyone);
        let mut bot_roles = vec![];
        if let Some(bits) = self.bot_permissions {
            let role = FakeRole {
                id: RoleId::new(DEFAULT_BOT_ROLE),
                name: self.bot.username.clone(),
                permissions: bits,
                position: u16::try_from(self.roles.len() + 1).unwrap_or(u16::MAX),
                bot: Some(self.bot.id),
                mentionable: false,
            };
            bot_roles.push(role.id);
            state.roles.insert(role.id.get(), role);
        }
        for role in self.roles.drain(..) {
            state.roles.insert(role.id.get(), role);
        }
        let bot = FakeMember {
            user: self.bot.clone(),
            roles: bot_roles,
            joined_at,
        };
        state.members.insert(self.bot.id.get(), bot);
        for (id, name, roles) in self.members.drain(..) {
            let user = FakeUser {
                id,
                username: name,
                bot: false,
            };
            let member = FakeMember {
                user,
                roles,
                joined_at,
            };
            state.members.insert(id.get(), member);
        }
        for channel in self.channels.drain(..) {
            state.channels.insert(channel.id.get(), channel);
        }
        for (channel, bits) in &self.bot_denied {
            let channel = state.channels.get_mut(&channel.get()).unwrap_or_else(|| {
                panic!(
                    "fake Discord builder: bot_denied names channel {channel}, which is not added"
                )
            });
            deny_member(channel, self.bot.id, *bits);
        }
        (state, owner)
    }

    /// Binds 127.0.0.1:0 and serves REST and the gateway on the current tokio runtime.
    pub async fn start(mut self) -> FakeDiscord {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Discord to loopback");
        let port = listener
            .local_addr()
            .expect("a bound socket has an address")
            .port();
        let (state, owner) = self.world();
        let config = Config {
            token: self.token,
            owner_id: owner,
            bot: self.bot,
            application_id: self.application_id,
            guild_id: self.guild_id,
            guild_name: self.guild_name,
            community: self.community,
            other_guilds: self.other_guilds,
            port,
            heartbeat_interval: self.heartbeat,
            message_content_intent: self.message_content_intent,
        };
        let shared = Arc::new(Shared::new(config, state));
        let app = Router::new()
            .route("/gateway", get(gateway::upgrade))
            .fallback(rest::handle)
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            let listener = CuttableListener(listener);
            let app = app.into_make_service_with_connect_info::<Cut>();
            if let Err(why) = axum::serve(listener, app).await {
                tracing::error!(%why, "fake Discord server stopped");
            }
        });
        FakeDiscord { shared, server }
    }
}
