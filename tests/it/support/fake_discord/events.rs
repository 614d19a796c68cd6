//! What people do in the guild, as gateway events: react, pin, post a message.

use serde_json::{json, Value};
use serenity::all::{ChannelId, MessageId, UserId};

use super::gateway::{self, notify_bot, notify_message, GUILDS, GUILD_MESSAGE_REACTIONS};
use super::rest_messages::new_message;
use super::shapes;
use super::FakeDiscord;

impl FakeDiscord {
    /// The MESSAGE_REACTION_ADD payload for `user` reacting with `emoji` (unicode, or
    /// `name:id` for a custom emoji).
    pub fn reaction_add_json(&self, user: UserId, message: MessageId, emoji: &str) -> Value {
        let shared = &self.shared;
        shared.read(|s| {
            let msg = s
                .messages
                .get(&message.get())
                .unwrap_or_else(|| panic!("fake Discord: no message {message}"));
            let member = s
                .members
                .get(&user.get())
                .unwrap_or_else(|| panic!("fake Discord: {user} is not a member"));
            json!({
                "user_id": user.to_string(),
                "channel_id": msg.channel_id.to_string(),
                "message_id": message.to_string(),
                "guild_id": shared.config.guild_id.to_string(),
                "member": shapes::member(member),
                "emoji": shapes::emoji(emoji),
                "message_author_id": msg.author.id.to_string(),
                "burst": false,
                "burst_colors": [],
                "type": 0,
            })
        })
    }

    /// `user` reacts to `message` with `emoji`: dispatches MESSAGE_REACTION_ADD (panics if the
    /// bot did not ask for the GUILD_MESSAGE_REACTIONS intent).
    pub async fn react(&self, user: UserId, message: MessageId, emoji: &str) {
        let payload = self.reaction_add_json(user, message, emoji);
        gateway::dispatch(
            &self.shared,
            "MESSAGE_REACTION_ADD",
            payload,
            GUILD_MESSAGE_REACTIONS,
        )
        .await;
    }

    /// The CHANNEL_PINS_UPDATE payload for `channel` as it is now.
    pub fn pins_update_json(&self, channel: ChannelId) -> Value {
        let shared = &self.shared;
        shared.read(|s| {
            let ch = s
                .channels
                .get(&channel.get())
                .unwrap_or_else(|| panic!("fake Discord: no channel {channel}"));
            json!({
                "guild_id": shared.config.guild_id.to_string(),
                "channel_id": channel.to_string(),
                "last_pin_timestamp": ch.last_pin_timestamp.map(shapes::timestamp),
            })
        })
    }

    /// `user` pins `message` in Discord's client: the message is pinned, a pin notice appears,
    /// and CHANNEL_PINS_UPDATE is dispatched (panics without the GUILDS intent).
    pub async fn pin_by(&self, user: UserId, message: MessageId) {
        let shared = &self.shared;
        let channel = shared.write(|s| {
            let now = shared.clock.wall();
            let author = s
                .user(user.get())
                .unwrap_or_else(|| panic!("fake Discord: {user} is not a member"));
            let msg = s
                .messages
                .get_mut(&message.get())
                .unwrap_or_else(|| panic!("fake Discord: no message {message}"));
            msg.pinned = true;
            msg.pinned_at = Some(now);
            let (channel, updated) = (msg.channel_id, msg.clone());
            if let Some(ch) = s.channels.get_mut(&channel.get()) {
                ch.last_pin_timestamp = Some(now);
            }
            notify_message(shared, s, "MESSAGE_UPDATE", &updated);
            let mut notice = new_message(shared, channel.get(), author, &json!({}), &[], 6);
            notice.history.clear();
            s.messages.insert(notice.id.get(), notice.clone());
            notify_message(shared, s, "MESSAGE_CREATE", &notice);
            channel
        });
        let payload = self.pins_update_json(channel);
        gateway::dispatch(shared, "CHANNEL_PINS_UPDATE", payload, GUILDS).await;
    }

    /// `user` posts `content` in `channel`; the bot gets MESSAGE_CREATE if it asked for
    /// GUILD_MESSAGES (content only with MESSAGE_CONTENT or a mention, as on Discord).
    pub fn user_says(&self, user: UserId, channel: ChannelId, content: &str) -> MessageId {
        let shared = &self.shared;
        shared.write(|s| {
            assert!(
                s.channels.contains_key(&channel.get()),
                "fake Discord: no channel {channel}"
            );
            let author = s
                .user(user.get())
                .unwrap_or_else(|| panic!("fake Discord: {user} is not a member"));
            let msg = new_message(
                shared,
                channel.get(),
                author,
                &json!({ "content": content }),
                &[],
                0,
            );
            s.messages.insert(msg.id.get(), msg.clone());
            notify_message(shared, s, "MESSAGE_CREATE", &msg);
            msg.id
        })
    }

    /// The MESSAGE_CREATE payload for a message as the gateway would carry it.
    pub fn message_create_json(&self, message: MessageId) -> Value {
        let shared = &self.shared;
        shared.read(|s| {
            let msg = s
                .messages
                .get(&message.get())
                .unwrap_or_else(|| panic!("fake Discord: no message {message}"));
            shapes::message(shared, s, msg)
        })
    }

    /// The GUILD_CREATE payload sent after READY.
    pub fn guild_create_json(&self) -> Value {
        self.shared.read(|s| shapes::guild_create(&self.shared, s))
    }

    /// Sends any dispatch to the bot as is (for events the builders do not cover).
    pub async fn dispatch_raw(&self, name: &str, payload: Value) {
        gateway::dispatch(&self.shared, name, payload, 0).await;
    }

    /// Sends a dispatch caused by the guild itself, if the bot subscribed to `intent`.
    pub fn notify_raw(&self, name: &str, payload: Value, intent: u64) {
        self.shared
            .write(|s| notify_bot(&self.shared, s, name, payload, intent));
    }
}
