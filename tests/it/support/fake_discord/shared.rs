//! What the REST server, the gateway and the test's handle share: config, clock, state, wake-ups.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serenity::all::{GuildId, UserId};
use tokio::sync::watch;

use super::gateway::GatewayHub;
use super::state::{Clock, FakeUser, State};

/// Fixed facts about one fake, decided before it starts.
pub struct Config {
    /// The bot token the client must present (without the `Bot ` prefix).
    pub token: String,
    /// The bot's own user.
    pub bot: FakeUser,
    /// The application id (Discord makes it equal to the bot user id for new apps).
    pub application_id: u64,
    /// The one guild the bot is in.
    pub guild_id: GuildId,
    /// Its name.
    pub guild_name: String,
    /// Whether it is a Community server (which may have announcement channels).
    pub community: bool,
    /// Other servers the bot is in, listed only: `(id, name)`.
    pub other_guilds: Vec<(GuildId, String)>,
    /// The guild owner.
    pub owner_id: UserId,
    /// The loopback port REST and gateway listen on.
    pub port: u16,
    /// The heartbeat interval announced in HELLO.
    pub heartbeat_interval: Duration,
    /// The developer portal's Message Content switch: without it the app reads other people's
    /// messages empty, and an IDENTIFY asking for the intent is closed with 4014.
    pub message_content_intent: bool,
}

/// Shared by every task of one fake; tests reach it through `FakeDiscord`.
pub struct Shared {
    /// Fixed facts.
    pub config: Config,
    /// The fake's clock.
    pub clock: Clock,
    /// Gateway sessions and switches.
    pub gateway: GatewayHub,
    /// The developer portal's Interactions Endpoint URL and the application's key pair.
    pub portal: super::portal::Portal,
    state: Mutex<State>,
    changed: watch::Sender<u64>,
}

impl Shared {
    /// Wraps a prepared state.
    pub fn new(config: Config, state: State) -> Self {
        Shared {
            config,
            clock: Clock::new(),
            gateway: GatewayHub::default(),
            portal: super::portal::Portal::new(),
            state: Mutex::new(state),
            changed: watch::Sender::new(0),
        }
    }

    /// Reads the state without waking waiters.
    pub fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Changes the state and wakes everyone waiting on a change.
    pub fn write<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let result = f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
        self.notify();
        result
    }

    /// Wakes waiters without a state change (e.g. the clock moved or a session came up).
    pub fn notify(&self) {
        self.changed.send_modify(|version| *version += 1);
    }

    /// A receiver that resolves on the next change; subscribe before checking a condition so
    /// no change between the check and the wait is lost.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// `http://127.0.0.1:PORT`, what serenity's `HttpBuilder::proxy` takes.
    pub fn rest_base(&self) -> String {
        format!("http://127.0.0.1:{}", self.config.port)
    }

    /// `ws://127.0.0.1:PORT/gateway`, the URL `GET /gateway` hands out.
    pub fn gateway_url(&self) -> String {
        format!("ws://127.0.0.1:{}/gateway", self.config.port)
    }
}
