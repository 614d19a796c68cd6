//! Discord's own safety signals, played by tests as Discord sends them: a raid or DM spam it
//! detected, carried by GUILD_UPDATE in the guild's `incidents_data` (intent GUILDS); and an
//! AutoMod action, AUTO_MODERATION_ACTION_EXECUTION (intent AUTO_MODERATION_EXECUTION, not
//! privileged), shaped as discord/discord-api-docs `developers/resources/auto-moderation.mdx`
//! and `developers/events/gateway-events.mdx` ("Auto Moderation Action Execution") say.
//!
//! `raid_detected_at` and `dm_spam_detected_at` are in the docs' Incidents Data Object
//! (`developers/resources/guild.mdx`) but missing from Discord's OpenAPI spec, which is why
//! [`super::FakeIncidents`] adds them from the docs.

use serde_json::{json, Value};
use serenity::all::{ChannelId, UserId};

use super::gateway::{notify_bot, GUILDS};
use super::shapes;
use super::shared::Shared;
use super::state::State;
use super::{FakeDiscord, FakeIncidents};

/// Intent AUTO_MODERATION_EXECUTION: AutoMod's actions.
pub const AUTO_MODERATION_EXECUTION: u64 = 1 << 21;

/// Tells the bot the guild changed (GUILD_UPDATE), as Discord does after any change to it.
pub(super) fn guild_updated(shared: &Shared, s: &mut State) {
    let guild = shapes::guild(shared, s);
    notify_bot(shared, s, "GUILD_UPDATE", guild, GUILDS);
}

impl FakeDiscord {
    /// Discord detects something in the guild (`raid_detected_at`, `dm_spam_detected_at`):
    /// the incidents data changes and the bot hears GUILD_UPDATE.
    pub fn discord_detects(&self, change: impl FnOnce(&mut FakeIncidents)) {
        self.shared.write(|s| {
            change(&mut s.incidents);
            guild_updated(&self.shared, s);
        });
        self.shared.notify();
    }

    /// AutoMod blocks `user`'s message in `channel` under rule `rule`, matching `keyword`.
    pub fn automod_blocks(&self, rule: u64, user: UserId, channel: ChannelId, keyword: &str) {
        let payload: Value = json!({
            "guild_id": self.shared.config.guild_id.to_string(),
            "action": { "type": 1, "metadata": {} },
            "rule_id": rule.to_string(),
            "rule_trigger_type": 1,
            "user_id": user.to_string(),
            "channel_id": channel.to_string(),
            "message_id": null,
            "alert_system_message_id": null,
            // Empty without the privileged Message Content intent, as Discord sends it.
            "content": "",
            "matched_keyword": keyword,
            "matched_content": null,
        });
        self.shared.write(|s| {
            notify_bot(
                &self.shared,
                s,
                "AUTO_MODERATION_ACTION_EXECUTION",
                payload,
                AUTO_MODERATION_EXECUTION,
            );
        });
    }
}
