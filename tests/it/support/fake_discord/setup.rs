//! Configuring and starting a fake: the guild, its roles, members and channels, and defaults.

use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::serve::ListenerExt as _;
use axum::Router;
use serenity::all::{ChannelId, GuildId, RoleId, UserId};

use super::gateway;
use super::rest;
use super::shared::{Config, Shared};
use super::state::{FakeChannel, FakeMember, FakeRole, FakeUser, Overwrite, State};
use super::FakeDiscord;

/// Default guild id (and `@everyone` role id).
pub const DEFAULT_GUILD: u64 = 1_100_000_000_000_000_001;
/// Default bot user id, also the application id (as for any application created today).
pub const DEFAULT_BOT: u64 = 1_100_000_000_000_000_002;

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
/// [`DEFAULT_BOT`] named "incident-bot" owning the guild (so it has every permission),
/// token "fake-bot-token", `@everyone` with [`DEFAULT_EVERYONE`], 41.25 s heartbeats, and the
/// Message Content intent off in the developer portal.
pub struct FakeDiscordBuilder {
    token: String,
    bot: FakeUser,
    application_id: u64,
    guild_id: GuildId,
    guild_name: String,
    owner: Option<UserId>,
    everyone: u64,
    roles: Vec<FakeRole>,
    members: Vec<(UserId, String, Vec<RoleId>)>,
    channels: Vec<FakeChannel>,
    heartbeat: Duration,
    message_content_intent: bool,
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
        });
        self
    }

    /// A human member with these roles.
    pub fn member(mut self, id: UserId, name: &str, roles: &[RoleId]) -> Self {
        self.members.push((id, name.to_owned(), roles.to_vec()));
        self
    }

    fn channel(mut self, id: ChannelId, kind: u8, name: &str, parent: Option<ChannelId>) -> Self {
        let position = i64::try_from(self.channels.len()).unwrap_or(i64::MAX);
        let overwrites = parent
            .and_then(|p| self.channels.iter().find(|c| c.id == p))
            .map(|p| p.overwrites.clone())
            .unwrap_or_default();
        self.channels.push(FakeChannel {
            id,
            kind,
            name: name.to_owned(),
            parent_id: parent,
            position,
            topic: None,
            overwrites,
            nsfw: false,
            rate_limit_per_user: 0,
            last_pin_timestamp: None,
        });
        self
    }

    /// A text channel (type 0) outside any category.
    pub fn text_channel(self, id: ChannelId, name: &str) -> Self {
        self.channel(id, 0, name, None)
    }

    /// A text channel inside a category (copies the category's overwrites, i.e. synced).
    pub fn text_channel_in(self, id: ChannelId, name: &str, category: ChannelId) -> Self {
        self.channel(id, 0, name, Some(category))
    }

    /// A category (type 4).
    pub fn category(self, id: ChannelId, name: &str) -> Self {
        self.channel(id, 4, name, None)
    }

    /// An announcement channel (type 5), whose messages can be crossposted.
    pub fn announcement_channel(self, id: ChannelId, name: &str) -> Self {
        self.channel(id, 5, name, None)
    }

    /// A permission overwrite on a channel already added: `role` (kind 0) allow/deny bits.
    pub fn role_overwrite(
        mut self,
        channel: ChannelId,
        role: RoleId,
        allow: u64,
        deny: u64,
    ) -> Self {
        if let Some(c) = self.channels.iter_mut().find(|c| c.id == channel) {
            c.overwrites.retain(|o| o.id != role.get());
            c.overwrites.push(Overwrite {
                id: role.get(),
                kind: 0,
                allow,
                deny,
            });
        } else {
            panic!("fake Discord builder: add channel {channel} before its overwrites");
        }
        self
    }

    /// A permission overwrite for `@everyone` on a channel already added.
    pub fn everyone_overwrite(self, channel: ChannelId, allow: u64, deny: u64) -> Self {
        let everyone = RoleId::new(self.guild_id.get());
        self.role_overwrite(channel, everyone, allow, deny)
    }

    /// A permission overwrite for one member (kind 1) on a channel already added.
    pub fn member_overwrite(
        mut self,
        channel: ChannelId,
        user: UserId,
        allow: u64,
        deny: u64,
    ) -> Self {
        if let Some(c) = self.channels.iter_mut().find(|c| c.id == channel) {
            c.overwrites.retain(|o| o.id != user.get());
            c.overwrites.push(Overwrite {
                id: user.get(),
                kind: 1,
                allow,
                deny,
            });
        } else {
            panic!("fake Discord builder: add channel {channel} before its overwrites");
        }
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

    /// Binds 127.0.0.1:0 and serves REST and the gateway on the current tokio runtime.
    pub async fn start(self) -> FakeDiscord {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Discord to loopback");
        let port = listener
            .local_addr()
            .expect("a bound socket has an address")
            .port();
        let mut state = State::default();
        let joined_at = chrono::Utc::now();
        let everyone = FakeRole {
            id: RoleId::new(self.guild_id.get()),
            name: "@everyone".into(),
            permissions: self.everyone,
            position: 0,
        };
        state.roles.insert(everyone.id.get(), everyone);
        for role in self.roles {
            state.roles.insert(role.id.get(), role);
        }
        state.members.insert(
            self.bot.id.get(),
            FakeMember {
                user: self.bot.clone(),
                roles: vec![],
                joined_at,
            },
        );
        for (id, name, roles) in self.members {
            let user = FakeUser {
                id,
                username: name,
                bot: false,
            };
            state.members.insert(
                id.get(),
                FakeMember {
                    user,
                    roles,
                    joined_at,
                },
            );
        }
        for channel in self.channels {
            state.channels.insert(channel.id.get(), channel);
        }
        let config = Config {
            token: self.token,
            owner_id: self.owner.unwrap_or(self.bot.id),
            bot: self.bot,
            application_id: self.application_id,
            guild_id: self.guild_id,
            guild_name: self.guild_name,
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
            // Discord's edge does not hold back small writes; neither does the fake, so that
            // Nagle's algorithm does not add delayed-ACK waits to measured latencies.
            let listener = listener.tap_io(|tcp| {
                if let Err(why) = tcp.set_nodelay(true) {
                    tracing::warn!(%why, "fake Discord cannot set TCP_NODELAY");
                }
            });
            if let Err(why) = axum::serve(listener, app).await {
                tracing::error!(%why, "fake Discord server stopped");
            }
        });
        FakeDiscord { shared, server }
    }
}
