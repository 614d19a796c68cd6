//! A refusal for lack of a permission, as data: what the bot tried, where, and what it needs
//! granted. No retry fixes one; a server admin (or whoever holds the token) does. It travels
//! from the adapter that met it (Discord, Cloudflare) through the job that gave up to the
//! people told, and is worded in `templates/refusal.hbs` (the `forbidden` case) only there.

use serde::{Deserialize, Serialize};

use super::{ChannelId, Typed};

/// Why a service refused the bot for lack of a permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Forbidden {
    /// Discord refused for lack of a permission (403, Missing Access or Missing Permissions).
    #[error("Discord denied {0}")]
    Discord(Denied),
    /// A service refused the bot's API token (a 401 or a 403).
    #[error("{0}")]
    Token(TokenRefused),
}

/// What Discord denied: the attempt, its channel and the permissions it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Denied {
    /// What the bot tried.
    pub attempt: Attempt,
    /// Where: the channel, or the category a channel was to open under.
    pub channel: Option<ChannelId>,
    /// The permissions to grant the bot there.
    pub needs: Vec<Permission>,
}

/// For logs and `check`: people read the `forbidden` case of `refusal.hbs`.
impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.attempt)?;
        if let Some(channel) = self.channel {
            write!(f, " in channel {channel}")?;
        }
        write!(f, ", which needs {:?}", self.needs)
    }
}

/// What the bot tried when Discord denied it. Each case is tagged by `kind`, which the
/// template compares, and carries what it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Attempt {
    /// Rename the channel.
    Rename,
    /// Open a channel under a category.
    Open {
        /// The channel's name: `inc-4-login-down`.
        name: String,
    },
    /// Hide the channel from everyone but its people.
    Hide,
    /// Post in the channel.
    Post,
    /// Edit a message in the channel.
    Edit,
    /// Attach files to a message in the channel.
    Attach,
    /// Pin messages in the channel.
    Pin,
    /// Publish in the channel.
    Publish,
    /// Archive the channel.
    Archive,
    /// Look at the channel.
    Look,
    /// Read the channel (its slow-mode).
    Read,
    /// Set slow-mode in the channel.
    SlowMode,
    /// Pause invites and DMs.
    PauseInvites,
    /// Create the review meeting's event.
    CreateMeetingEvent,
    /// Move the review meeting's event.
    MoveMeetingEvent,
    /// End the review meeting's event.
    EndMeetingEvent,
    /// Create the maintenance window's event.
    CreateMaintenanceEvent,
    /// Change the maintenance window's event.
    ChangeMaintenanceEvent,
}

/// A Discord permission the bot needs, tagged by `kind`; `refusal.hbs` names each as Discord's
/// settings do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Permission {
    /// View Channel.
    ViewChannel,
    /// Manage Channels.
    ManageChannels,
    /// Manage Roles.
    ManageRoles,
    /// Send Messages.
    SendMessages,
    /// Attach Files.
    AttachFiles,
    /// Pin Messages.
    PinMessages,
    /// Manage Server.
    ManageServer,
    /// Create Events.
    CreateEvents,
    /// Connect.
    Connect,
    /// Mute Members.
    MuteMembers,
    /// Move Members.
    MoveMembers,
}

/// A service refused the bot's API token: which service, where the token comes from, what the
/// service said, and the permission to give the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{service} refused the API token in {var} ({status}: {}): give it {needs}", .said.0)]
pub struct TokenRefused {
    /// The service, by its config section: `cloudflare`.
    pub service: String,
    /// The environment variable holding the token.
    pub var: String,
    /// The HTTP status.
    pub status: u16,
    /// What the service said, as it said it (escaped where shown).
    pub said: Typed,
    /// The permission to give the token, as the service's settings name it.
    pub needs: String,
}
