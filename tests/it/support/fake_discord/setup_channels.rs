//! Building a fake's channels and who may do what in them: categories, text and announcement
//! channels, and permission overwrites (including ones that take rights from the bot).

use serenity::all::{ChannelId, RoleId, UserId};

use super::setup::FakeDiscordBuilder;
use super::state::{FakeChannel, Overwrite};

impl FakeDiscordBuilder {
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

    /// Drops every permission overwrite of a channel already added (one made by hand, not
    /// synced with its category).
    pub fn no_overwrites(mut self, channel: ChannelId) -> Self {
        if let Some(c) = self.channels.iter_mut().find(|c| c.id == channel) {
            c.overwrites.clear();
        }
        self
    }

    /// A category (type 4).
    pub fn category(self, id: ChannelId, name: &str) -> Self {
        self.channel(id, 4, name, None)
    }

    /// An announcement channel (type 5), whose messages can be crossposted.
    pub fn announcement_channel(self, id: ChannelId, name: &str) -> Self {
        self.channel(id, 5, name, None)
    }

    /// A voice channel (type 2) outside any category.
    pub fn voice_channel(self, id: ChannelId, name: &str) -> Self {
        self.channel(id, 2, name, None)
    }

    /// A stage channel (type 13) outside any category.
    pub fn stage_channel(self, id: ChannelId, name: &str) -> Self {
        self.channel(id, 13, name, None)
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

    /// Takes `bits` from the bot in `channel` (a member overwrite denying them), for tests of
    /// what the bot does when a right is missing. The bot must not own the guild (owners hold
    /// every right whatever the overwrites): give it an invite with [`Self::bot_permissions`].
    pub fn bot_denied(mut self, channel: ChannelId, bits: u64) -> Self {
        self.bot_denied.push((channel, bits));
        self
    }
}

/// Adds `deny` to the member overwrite of `user` on `channel` (creating it), taking the same
/// bits out of what it allows.
pub(super) fn deny_member(channel: &mut FakeChannel, user: UserId, deny: u64) {
    match channel
        .overwrites
        .iter_mut()
        .find(|o| o.kind == 1 && o.id == user.get())
    {
        Some(o) => {
            o.deny |= deny;
            o.allow &= !deny;
        }
        None => channel.overwrites.push(Overwrite {
            id: user.get(),
            kind: 1,
            allow: 0,
            deny,
        }),
    }
}
