//! A strict fake Discord on 127.0.0.1 for end-to-end tests: REST checked against Discord's
//! OpenAPI spec and limits, a gateway that speaks the real handshake, and state tests can read.
//!
//! Start one with [`FakeDiscord::builder`], point serenity at it with [`FakeDiscord::http`] or
//! [`FakeDiscord::client_builder`], drive it with the event builders, and read what people
//! would see with the query helpers. Anything Discord would have refused is recorded as a
//! violation and fails the test when the handle is dropped.
#![allow(
    dead_code,
    unused_imports,
    reason = "test-support API: each test binary uses a different part of it; `expect` would \
              break whenever usage shifts"
)]

mod builders;
mod clock;
mod command_limits;
mod components;
mod content;
mod context_menu;
mod control;
mod cut;
mod events;
mod events_control;
mod faults;
mod gateway;
mod guard;
mod handle;
mod interaction;
mod limits;
mod markdown;
mod markdown_tags;
mod mentions;
mod permissions;
mod portal;
mod queries;
mod queries_view;
mod reply;
mod rest;
mod rest_channels;
mod rest_events;
mod rest_guild;
mod rest_incidents;
mod rest_interactions;
mod rest_member_roles;
mod rest_messages;
mod rest_meta;
mod rest_pins;
mod routes;
mod safety;
mod schema;
mod setup;
mod setup_channels;
mod shapes;
mod shared;
mod spec;
mod state;
mod view;
#[cfg(test)]
mod view_tests;
mod view_time;
mod wait;

use std::sync::Arc;

use serenity::all::{ApplicationId, GatewayIntents, GuildId, MessageId, RoleId, UserId};
use serenity::client::ClientBuilder;
use serenity::http::{Http, HttpBuilder};
use tokio::task::JoinHandle;

pub use builders::SlashBuilder;
pub use command_limits::{command_size, MAX_COMMAND_SIZE};
pub use components::{ComponentBuilder, ModalBuilder};
pub use context_menu::MessageCommandBuilder;
pub use faults::Fault;
pub use handle::InteractionHandle;
pub use mentions::Pings;
pub use permissions::{
    ADD_REACTIONS, ADMINISTRATOR, ATTACH_FILES, CONNECT, CREATE_EVENTS, EMBED_LINKS,
    MANAGE_CHANNELS, MANAGE_EVENTS, MANAGE_GUILD, MANAGE_MESSAGES, MANAGE_ROLES, MENTION_EVERYONE,
    MOVE_MEMBERS, MUTE_MEMBERS, PIN_MESSAGES, READ_MESSAGE_HISTORY, SEND_MESSAGES, VIEW_CHANNEL,
};
pub use portal::Delivery;
pub use rest_incidents::FakeIncidents;
pub use setup::{
    FakeDiscordBuilder, DEFAULT_BOT, DEFAULT_BOT_ROLE, DEFAULT_EVERYONE, DEFAULT_GUILD,
    DEFAULT_OWNER,
};
pub use state::{
    Ack, FakeAttachment, FakeChannel, FakeCommand, FakeEvent, FakeMessage, FakeRole,
    InteractionKind, InteractionRecord, Overwrite, RecordedRequest, Violation,
};

use shared::Shared;

/// A running fake Discord. Dropping it stops the server and fails the test if any violation
/// was recorded (unless the test is already panicking).
pub struct FakeDiscord {
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl FakeDiscord {
    /// Starts configuring a fake; see [`FakeDiscordBuilder`] for the defaults.
    pub fn builder() -> FakeDiscordBuilder {
        FakeDiscordBuilder::default()
    }

    /// `http://127.0.0.1:PORT`, for `HttpBuilder::proxy`.
    pub fn rest_base(&self) -> String {
        self.shared.rest_base()
    }

    /// `ws://127.0.0.1:PORT/gateway`, what the client must end up connecting to.
    pub fn gateway_url(&self) -> String {
        self.shared.gateway_url()
    }

    /// The bot token the fake accepts (without `Bot `).
    pub fn token(&self) -> &str {
        &self.shared.config.token
    }

    /// The guild's id (also the id of its `@everyone` role).
    pub fn guild_id(&self) -> GuildId {
        self.shared.config.guild_id
    }

    /// The `@everyone` role.
    pub fn everyone_role(&self) -> RoleId {
        RoleId::new(self.shared.config.guild_id.get())
    }

    /// The bot's user id.
    pub fn bot_id(&self) -> UserId {
        self.shared.config.bot.id
    }

    /// The application id.
    pub fn application_id(&self) -> ApplicationId {
        ApplicationId::new(self.shared.config.application_id)
    }

    /// A serenity `Http` that talks only to this fake (proxy set, so the ratelimiter is off).
    pub fn http(&self) -> Http {
        HttpBuilder::new(self.token())
            .proxy(self.rest_base())
            .ratelimiter_disabled(true)
            .application_id(self.application_id())
            .build()
    }

    /// A serenity client builder wired to this fake's REST; the client learns the gateway URL
    /// from `GET /gateway`. Assert `client.ws_url` equals [`Self::gateway_url`] before `start`.
    pub fn client_builder(&self, intents: GatewayIntents) -> ClientBuilder {
        ClientBuilder::new_with_http(self.http(), intents)
    }

    /// A slash command by `user`, e.g. `fake.slash(u).command("incident").sub("declare")`.
    pub fn slash(&self, user: UserId) -> SlashBuilder {
        SlashBuilder::new(Arc::clone(&self.shared), user, false)
    }

    /// An autocomplete request by `user`; mark the typed option with `.focused(name, text)`.
    pub fn autocomplete(&self, user: UserId) -> SlashBuilder {
        SlashBuilder::new(Arc::clone(&self.shared), user, true)
    }

    /// A message context-menu command `name` used by `user` on `message`.
    pub fn message_command(
        &self,
        user: UserId,
        name: &str,
        message: MessageId,
    ) -> MessageCommandBuilder {
        MessageCommandBuilder {
            shared: Arc::clone(&self.shared),
            user,
            name: name.to_owned(),
            target: message,
        }
    }

    /// `user` clicks the button `custom_id` on `message` (or chooses in a select with `.select`).
    pub fn button(&self, user: UserId, message: MessageId, custom_id: &str) -> ComponentBuilder {
        ComponentBuilder {
            shared: Arc::clone(&self.shared),
            user,
            message,
            custom_id: custom_id.to_owned(),
            values: None,
        }
    }

    /// `user` submits the modal `custom_id` the bot showed them; fill it with `.field(id, text)`.
    pub fn modal_submit(&self, user: UserId, custom_id: &str) -> ModalBuilder {
        ModalBuilder {
            shared: Arc::clone(&self.shared),
            user,
            custom_id: custom_id.to_owned(),
            channel: None,
            fields: vec![],
        }
    }
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.server.abort();
        self.shared.gateway.drop_all();
        if std::thread::panicking() {
            return;
        }
        let violations = self.shared.read(|s| s.violations.clone());
        if !violations.is_empty() {
            panic!(
                "fake Discord recorded {} violation(s) that Discord would have refused:\n{}",
                violations.len(),
                violations
                    .iter()
                    .map(|v| format!("  [{}] {}: {}", v.kind, v.request, v.detail))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}
