//! The `ServerGuard` port: what a lockdown changes on the Discord server itself, beyond the
//! incident channel: the guild's incident actions (invites and DMs paused, at most 24 hours
//! ahead) and channels' slow-mode. `discord::lockdown` implements it over serenity's Http.

use chrono::{DateTime, Utc};

use super::chat::ChatError;
use crate::clock::BoxFuture;
use crate::domain::ChannelId;

/// How far ahead Discord lets a pause be set.
pub const MAX_PAUSE: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// The guild's pauses as they stand: until when invites and DMs are paused, if they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pauses {
    /// Invites paused until then.
    pub invites_until: Option<DateTime<Utc>>,
    /// DMs between members who are not friends paused until then.
    pub dms_until: Option<DateTime<Utc>>,
}

/// What the bot changes on the server in a lockdown. A missing permission is a
/// `ChatError::Forbidden` saying what to grant.
pub trait ServerGuard: Send + Sync + std::fmt::Debug + 'static {
    /// The guild's pauses now (its `incidents_data`).
    fn pauses(&self) -> BoxFuture<'_, Result<Pauses, ChatError>>;

    /// Sets both pauses at once (a `None` lifts one): Discord clears a field left out, so
    /// both are always sent. Needs Manage Server.
    fn set_pauses<'a>(&'a self, pauses: &'a Pauses) -> BoxFuture<'a, Result<(), ChatError>>;

    /// A channel's slow-mode, in seconds (0: none).
    fn slowmode(&self, channel: ChannelId) -> BoxFuture<'_, Result<u16, ChatError>>;

    /// Sets a channel's slow-mode, in seconds (0 lifts it). Needs Manage Channels.
    fn set_slowmode(
        &self,
        channel: ChannelId,
        seconds: u16,
    ) -> BoxFuture<'_, Result<(), ChatError>>;
}
