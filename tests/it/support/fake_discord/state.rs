//! The fake's world: guild, roles, members, channels, messages, interactions, commands and logs.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::Value;
use serenity::all::{ChannelId, GuildId, InteractionId, MessageId, RoleId, UserId};

pub use super::clock::{snowflake, Clock};
use super::faults::FaultRule;

/// A user known to the fake (a guild member or the bot).
#[derive(Clone, Debug)]
pub struct FakeUser {
    /// The user's id.
    pub id: UserId,
    /// `username` as Discord sends it.
    pub username: String,
    /// Whether this is a bot account.
    pub bot: bool,
}

/// A role of the guild. `@everyone` has the guild's id.
#[derive(Clone, Debug)]
pub struct FakeRole {
    /// The role's id.
    pub id: RoleId,
    /// Its name.
    pub name: String,
    /// Its permission bit set.
    pub permissions: u64,
    /// Its position in the role list.
    pub position: u16,
    /// The bot it was made for when that bot was invited (a managed role), if any.
    pub bot: Option<UserId>,
    /// Whether members may ping it (`false` for a new role, as on Discord).
    pub mentionable: bool,
}

/// A guild member.
#[derive(Clone, Debug)]
pub struct FakeMember {
    /// The member's user.
    pub user: FakeUser,
    /// Roles beyond `@everyone`.
    pub roles: Vec<RoleId>,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
}

/// A permission overwrite on a channel: `kind` 0 for a role, 1 for a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overwrite {
    /// Role or user id the overwrite applies to.
    pub id: u64,
    /// 0 = role, 1 = member.
    pub kind: u8,
    /// Bits granted.
    pub allow: u64,
    /// Bits removed.
    pub deny: u64,
}

/// A guild channel as the fake stores it.
#[derive(Clone, Debug)]
pub struct FakeChannel {
    /// The channel's id.
    pub id: ChannelId,
    /// Discord channel type: 0 text, 2 voice, 4 category, 5 announcement, ...
    pub kind: u8,
    /// Its name.
    pub name: String,
    /// The category it sits in.
    pub parent_id: Option<ChannelId>,
    /// Sort position.
    pub position: i64,
    /// The channel topic.
    pub topic: Option<String>,
    /// Permission overwrites, in Discord's order.
    pub overwrites: Vec<Overwrite>,
    /// Whether it is marked NSFW.
    pub nsfw: bool,
    /// Slow mode in seconds.
    pub rate_limit_per_user: u64,
    /// When the last pin happened.
    pub last_pin_timestamp: Option<DateTime<Utc>>,
}

/// A file that came with a message (multipart upload).
#[derive(Clone, Debug)]
pub struct FakeAttachment {
    /// Attachment id.
    pub id: u64,
    /// File name as uploaded.
    pub filename: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// Tags a message created as an interaction response or follow-up.
#[derive(Clone, Debug)]
pub struct InteractionTag {
    /// The interaction it answers.
    pub interaction_id: InteractionId,
    /// The user who invoked the interaction (the only one who sees it if ephemeral).
    pub user_id: UserId,
    /// Whether it carries the EPHEMERAL flag (64).
    pub ephemeral: bool,
    /// Whether it is the `@original` response (not a follow-up).
    pub original: bool,
}

/// A message in a channel.
#[derive(Clone, Debug)]
pub struct FakeMessage {
    /// Message id.
    pub id: MessageId,
    /// Channel it was posted in.
    pub channel_id: ChannelId,
    /// Who posted it.
    pub author: FakeUser,
    /// Text content.
    pub content: String,
    /// Embeds as sent.
    pub embeds: Vec<Value>,
    /// Components as sent.
    pub components: Vec<Value>,
    /// Whether it is pinned.
    pub pinned: bool,
    /// When it was pinned, while it is.
    pub pinned_at: Option<DateTime<Utc>>,
    /// Whether it was published (crossposted) from an announcement channel.
    pub crossposted: bool,
    /// `allowed_mentions` as sent, if any.
    pub allowed_mentions: Option<Value>,
    /// `nonce` as sent, if any.
    pub nonce: Option<Value>,
    /// Uploaded files.
    pub attachments: Vec<FakeAttachment>,
    /// Creation time.
    pub timestamp: DateTime<Utc>,
    /// Last edit time.
    pub edited_timestamp: Option<DateTime<Utc>>,
    /// Message flags (64 ephemeral, 128 loading, 1 crossposted, 4 suppress embeds).
    pub flags: u64,
    /// Discord message type (0 default, 6 pin notice, 20 slash-command response, 23 context menu).
    pub kind: u8,
    /// Set when the message answers an interaction.
    pub interaction: Option<InteractionTag>,
    /// Emoji the bot itself reacted with.
    pub own_reactions: Vec<String>,
    /// Every version of `content`, oldest first (edits append).
    pub history: Vec<String>,
}

/// A guild scheduled event.
#[derive(Clone, Debug)]
pub struct FakeEvent {
    /// Its id.
    pub id: u64,
    /// Who created it.
    pub creator: UserId,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// The voice or stage channel; `None` for an external event.
    pub channel_id: Option<ChannelId>,
    /// 1 stage instance, 2 voice, 3 external.
    pub entity_type: u8,
    /// Where an external event is.
    pub location: Option<String>,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends, if said.
    pub end: Option<DateTime<Utc>>,
    /// 1 scheduled, 2 active, 3 completed, 4 canceled.
    pub status: u8,
    /// How many members marked it Interested.
    pub interested: u64,
}

/// What kind of interaction was dispatched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InteractionKind {
    /// Slash command or context-menu command (type 2).
    Command,
    /// Component such as a button (type 3).
    Component,
    /// Autocomplete (type 4).
    Autocomplete,
    /// Modal submit (type 5).
    Modal,
}

/// One answer the bot gave to an interaction callback.
#[derive(Clone, Debug)]
pub struct Ack {
    /// Callback type (4 message, 5 defer, 6 deferred update, 7 update, 8 autocomplete, 9 modal).
    pub kind: u8,
    /// The callback's `data`, or null.
    pub data: Value,
    /// Time from dispatch to the callback.
    pub latency: Duration,
    /// When the callback arrived, on the fake's clock.
    pub at: Instant,
}

/// A dispatched interaction and what became of it.
#[derive(Clone, Debug)]
pub struct InteractionRecord {
    /// Interaction id.
    pub id: InteractionId,
    /// Its token (for callbacks and webhooks).
    pub token: String,
    /// What kind it is.
    pub kind: InteractionKind,
    /// Who invoked it.
    pub user_id: UserId,
    /// Where.
    pub channel_id: ChannelId,
    /// The message a component belongs to.
    pub source_message: Option<MessageId>,
    /// When it was dispatched (fake clock).
    pub dispatched_at: Instant,
    /// The callback, once answered.
    pub ack: Option<Ack>,
    /// The `@original` response message, once there is one.
    pub original: Option<MessageId>,
}

/// A registered application command.
#[derive(Clone, Debug)]
pub struct FakeCommand {
    /// Command id.
    pub id: u64,
    /// Guild it is registered in; `None` for a global command.
    pub guild_id: Option<GuildId>,
    /// The command's JSON as Discord returns it.
    pub json: Value,
}

impl FakeCommand {
    /// The command's name.
    pub fn name(&self) -> &str {
        self.json["name"].as_str().unwrap_or_default()
    }
}

/// One REST request the bot made.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path below `/api/v10`.
    pub path: String,
    /// The spec's route template, when the path matched one.
    pub route: Option<String>,
    /// JSON body (or multipart `payload_json`).
    pub body: Option<Value>,
    /// Uploaded files: name and size.
    pub files: Vec<(String, usize)>,
    /// Status the fake answered; 0 when it cut the connection instead (an injected fault).
    pub status: u16,
    /// When, on the fake's clock, since the fake started.
    pub at: Duration,
}

/// Something Discord would have refused, or the fake could not serve.
#[derive(Clone, Debug)]
pub struct Violation {
    /// Short category: `unknown-route`, `invalid-body`, `limit`, `unimplemented`, ...
    pub kind: &'static str,
    /// `METHOD /path` or a gateway description.
    pub request: String,
    /// What was wrong, in words.
    pub detail: String,
}

/// Everything mutable about the fake, behind one lock.
#[derive(Default)]
pub struct State {
    /// Roles by id (includes `@everyone`).
    pub roles: BTreeMap<u64, FakeRole>,
    /// Members by user id (includes the bot).
    pub members: BTreeMap<u64, FakeMember>,
    /// Channels by id.
    pub channels: BTreeMap<u64, FakeChannel>,
    /// Messages by id (ids are time-ordered, so iteration is chronological).
    pub messages: BTreeMap<u64, FakeMessage>,
    /// Interactions by id.
    pub interactions: HashMap<u64, InteractionRecord>,
    /// Registered commands.
    pub commands: Vec<FakeCommand>,
    /// Scheduled events by id.
    pub scheduled_events: BTreeMap<u64, FakeEvent>,
    /// Every REST request, in order.
    pub requests: Vec<RecordedRequest>,
    /// Everything Discord would have refused.
    pub violations: Vec<Violation>,
    /// Injected faults.
    pub faults: Vec<FaultRule>,
    /// Per-channel rename times (for the 2-per-10-minutes limit).
    pub renames: HashMap<u64, VecDeque<Instant>>,
    /// Per-channel crosspost times (for the per-hour limit).
    pub crossposts: HashMap<u64, VecDeque<Instant>>,
    /// Every gateway dispatch sent: event name and payload.
    pub events: Vec<(String, Value)>,
    /// IDENTIFY payloads received (whole frames, `{"op": 2, "d": ...}`), in order.
    pub identifies: Vec<Value>,
    /// RESUME attempts received.
    pub resumes: usize,
    /// Files attached to command options, by the path the fake serves them at.
    pub uploads: HashMap<String, Vec<u8>>,
    /// The guild's incidents data (paused invites and DMs, Discord's raid signals).
    pub incidents: super::rest_incidents::FakeIncidents,
    /// Heartbeats received.
    pub heartbeats: usize,
    /// The guild's `preferred_locale`; `None` is Discord's default, `en-US`.
    pub preferred_locale: Option<String>,
}

impl State {
    /// Records a violation; the handle's `Drop` turns any into a test failure.
    pub fn violate(
        &mut self,
        kind: &'static str,
        request: impl Into<String>,
        detail: impl Into<String>,
    ) {
        let violation = Violation {
            kind,
            request: request.into(),
            detail: detail.into(),
        };
        tracing::warn!(?violation, "fake Discord recorded a violation");
        self.violations.push(violation);
    }

    /// The user behind an id, if the fake knows them.
    pub fn user(&self, id: u64) -> Option<FakeUser> {
        self.members.get(&id).map(|m| m.user.clone())
    }
}
