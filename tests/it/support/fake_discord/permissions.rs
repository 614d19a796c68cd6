//! Discord's permission algorithm: base permissions from roles, then channel overwrites.

use super::state::{FakeChannel, FakeMember, State};

/// ADMINISTRATOR: every permission, overwrites ignored.
pub const ADMINISTRATOR: u64 = 1 << 3;
/// MANAGE_CHANNELS: create, edit and delete channels.
pub const MANAGE_CHANNELS: u64 = 1 << 4;
/// MANAGE_GUILD (Manage Server): the guild's settings, its incident actions among them.
pub const MANAGE_GUILD: u64 = 1 << 5;
/// ADD_REACTIONS: react with an emoji nobody has used on the message yet.
pub const ADD_REACTIONS: u64 = 1 << 6;
/// CONNECT: join a voice or stage channel (and hold an event in it).
pub const CONNECT: u64 = 1 << 20;
/// MUTE_MEMBERS: mute people in voice (needed to hold a stage event).
pub const MUTE_MEMBERS: u64 = 1 << 22;
/// MOVE_MEMBERS: move people between voice channels (needed to hold a stage event).
pub const MOVE_MEMBERS: u64 = 1 << 24;
/// MANAGE_EVENTS: edit and delete anyone's scheduled events.
pub const MANAGE_EVENTS: u64 = 1 << 33;
/// CREATE_EVENTS: create scheduled events, and edit and delete one's own.
pub const CREATE_EVENTS: u64 = 1 << 44;
/// VIEW_CHANNEL: the channel is listed and readable.
pub const VIEW_CHANNEL: u64 = 1 << 10;
/// SEND_MESSAGES: the member can post (a "locked" channel denies it).
pub const SEND_MESSAGES: u64 = 1 << 11;
/// MANAGE_MESSAGES: delete or publish other people's messages (and, until 2026, pin).
pub const MANAGE_MESSAGES: u64 = 1 << 13;
/// EMBED_LINKS: send embeds.
pub const EMBED_LINKS: u64 = 1 << 14;
/// ATTACH_FILES: upload files.
pub const ATTACH_FILES: u64 = 1 << 15;
/// READ_MESSAGE_HISTORY: read messages sent before one came.
pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
/// MENTION_EVERYONE: make `@everyone`, `@here` and unmentionable roles ping.
pub const MENTION_EVERYONE: u64 = 1 << 17;
/// MANAGE_ROLES: in a channel, set its permission overwrites.
pub const MANAGE_ROLES: u64 = 1 << 28;
/// PIN_MESSAGES: pin and unpin (split from MANAGE_MESSAGES in August 2025).
pub const PIN_MESSAGES: u64 = 1 << 51;
/// Every bit Discord currently defines, up to BYPASS_SLOWMODE (1 << 52) (used for
/// administrators and owners).
pub const ALL: u64 = (1 << 53) - 1;

/// The member's guild-wide permissions: `@everyone` plus every role they have.
pub fn base_permissions(state: &State, guild_id: u64, owner_id: u64, member: &FakeMember) -> u64 {
    if member.user.id.get() == owner_id {
        return ALL;
    }
    let everyone = state.roles.get(&guild_id).map_or(0, |r| r.permissions);
    let perms = member
        .roles
        .iter()
        .filter_map(|r| state.roles.get(&r.get()))
        .fold(everyone, |acc, role| acc | role.permissions);
    if perms & ADMINISTRATOR != 0 {
        ALL
    } else {
        perms
    }
}

/// The member's permissions in one channel, applying overwrites in Discord's order:
/// `@everyone`'s, then all of the member's roles' together (deny first, then allow), then the
/// member's own. Without VIEW_CHANNEL a member has no channel permission at all.
pub fn channel_permissions(
    state: &State,
    guild_id: u64,
    owner_id: u64,
    member: &FakeMember,
    channel: &FakeChannel,
) -> u64 {
    let base = base_permissions(state, guild_id, owner_id, member);
    if base & ADMINISTRATOR != 0 {
        return ALL;
    }
    let mut perms = base;
    if let Some(o) = channel
        .overwrites
        .iter()
        .find(|o| o.kind == 0 && o.id == guild_id)
    {
        perms = (perms & !o.deny) | o.allow;
    }
    let (mut allow, mut deny) = (0, 0);
    for o in channel
        .overwrites
        .iter()
        .filter(|o| o.kind == 0 && o.id != guild_id)
    {
        if member.roles.iter().any(|r| r.get() == o.id) {
            allow |= o.allow;
            deny |= o.deny;
        }
    }
    perms = (perms & !deny) | allow;
    if let Some(o) = channel
        .overwrites
        .iter()
        .find(|o| o.kind == 1 && o.id == member.user.id.get())
    {
        perms = (perms & !o.deny) | o.allow;
    }
    if perms & VIEW_CHANNEL == 0 {
        0
    } else {
        perms
    }
}
