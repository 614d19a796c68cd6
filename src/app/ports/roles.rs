//! Giving and taking one role of a member through the [`Chat`](super::chat::Chat) port, and
//! why that may fail, in our words: Discord refuses both for the same two reasons a server
//! admin fixes (a permission, the role list's order), and the use case says which to fix.

use super::chat::ChatError;

/// Why a role could not be given or taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    /// Discord's 50013 Missing Permissions: the bot lacks Manage Roles, or the role sits at or
    /// above the bot's highest role (Discord answers both alike).
    #[error("Discord refused to change the role: Missing Permissions")]
    Forbidden,
    /// Discord's 10011 Unknown Role: the role was deleted.
    #[error("Discord does not know the role (Unknown Role)")]
    UnknownRole,
    /// Discord's 10007 Unknown Member: the person left the server.
    #[error("Discord does not know the member (Unknown Member)")]
    UnknownMember,
    /// Anything else: Discord unavailable, an invalid request.
    #[error(transparent)]
    Chat(#[from] ChatError),
}

/// Which way a role changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleChange {
    /// Given.
    Add,
    /// Taken.
    Remove,
}
