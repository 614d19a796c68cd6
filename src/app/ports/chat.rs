//! The `Chat` port: what the use cases need from Discord, with no serenity type in sight.
//! `discord::chat` implements it over serenity's Http; tests of the rules use an in-memory one.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::BoxFuture;
use crate::domain::{
    ChannelId, EventId, EventStatus, MeetingPlace, MessageId, PlaceKind, RoleId, UserId,
};
use crate::render::Templates;
use crate::store::JobFailure;

use super::roles::{RoleChange, RoleError};

/// Why a call to Discord failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    /// Passing: rate limited, a 5xx, a timeout. Try again (after `after`, if Discord said).
    #[error("Discord is unavailable or rate limiting us: {message}")]
    Unavailable {
        /// What Discord or the connection said.
        message: String,
        /// How long Discord asked us to wait.
        after: Option<Duration>,
    },
    /// Refused for good: an unknown channel, an invalid request.
    #[error("Discord refused the request: {0}")]
    Refused(String),
    /// Refused for lack of a permission: what was tried, where, and what to grant.
    #[error("{0}")]
    Forbidden(crate::domain::Forbidden),
}

/// Why a job was given up, as people should read it: a missing permission worded by
/// `refusal.hbs` (its channel links work), anything else, which may quote Discord, as text.
pub fn readable_error(templates: &Templates, failure: &JobFailure) -> String {
    match failure {
        JobFailure::Forbidden(refused) => said_forbidden(templates, refused),
        JobFailure::Error(text) => crate::render::discord_escape(text),
    }
}

/// [`readable_error`] without its closing period, for a sentence that goes on after it.
pub fn readable_reason(templates: &Templates, failure: &JobFailure) -> String {
    readable_error(templates, failure)
        .trim_end_matches('.')
        .to_owned()
}

/// A missing permission as people read it, from `refusal.hbs` (as the log channel says it: no
/// ⛔). Should the template fail, the operators' line stands in, escaped, and the error is logged.
pub fn said_forbidden(templates: &Templates, refused: &crate::domain::Forbidden) -> String {
    let refusal: crate::domain::Refusal = refused.clone().into();
    templates.refusal_in_log(&refusal).unwrap_or_else(|e| {
        tracing::error!(error = %e, "a missing permission did not render");
        crate::render::discord_escape(&refused.to_string())
    })
}

/// A channel to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChannel {
    /// Its name, `inc-4-login-down`.
    pub name: String,
    /// The category it goes under.
    pub category: ChannelId,
    /// Its topic.
    pub topic: String,
    /// Who may read it besides the bot. Never `@everyone`, whatever its category says.
    pub access: ChannelAccess,
}

/// Who may read a channel the bot opens, besides the bot: `@everyone` is always denied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelAccess {
    /// The roles allowed to read and write in it.
    pub roles: Vec<RoleId>,
    /// The members allowed to read and write in it, whatever their roles.
    pub members: Vec<UserId>,
}

/// A channel that exists already, with who its permission overwrites let view it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingChannel {
    /// The channel.
    pub id: ChannelId,
    /// Whether an `@everyone` overwrite denies View Channel.
    pub hidden_from_everyone: bool,
    /// The roles an overwrite allows to view it.
    pub roles_allowed: Vec<RoleId>,
    /// The members, other than the bot, an overwrite allows to view it.
    pub members_allowed: Vec<UserId>,
    /// Whether an overwrite lets the bot itself view it (it cannot post where it cannot see).
    pub bot_allowed: bool,
}

impl ExistingChannel {
    /// Whether nobody but `access` and the bot may view it, as a channel the bot opened.
    pub fn admits_only(&self, access: &ChannelAccess) -> bool {
        self.hidden_from_everyone
            && self.bot_allowed
            && self.roles_allowed.iter().all(|r| access.roles.contains(r))
            && self
                .members_allowed
                .iter()
                .all(|m| access.members.contains(m))
    }
}

/// What a channel is called and what its topic says: what the bot keeps in line with an
/// incident's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelLabel {
    /// Its name, `inc-4-login-down`.
    pub name: String,
    /// Its topic; Discord has none for a channel whose topic was never set.
    pub topic: Option<String>,
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name, `postmortem-4.md`.
    pub filename: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A message to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Where.
    pub channel: ChannelId,
    /// The text, already rendered and escaped.
    pub content: String,
    /// The only roles it may ping. Nobody else is pinged, whatever the text says.
    pub ping_roles: Vec<RoleId>,
    /// The only users it may ping: the person a reminder is for.
    pub ping_users: Vec<UserId>,
    /// A nonce Discord uses to drop a repeated post (the job id): a retry never posts twice.
    pub nonce: String,
    /// A file, if any.
    pub attachment: Option<Attachment>,
    /// Buttons under the message, in order; Discord lays them out five to a row, 25 at most.
    pub buttons: Vec<Button>,
    /// A menu of choices under the buttons, on a row of its own.
    pub menu: Option<Menu>,
}

/// A button people click to answer the bot.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Button {
    /// What the bot recognises the click by: `<prefix>:<what it is about>`, at most 100
    /// characters.
    pub custom_id: String,
    /// What it says, at most 80 characters.
    pub label: String,
    /// How it looks.
    pub style: ButtonStyle,
}

/// Discord's button colours, by what they mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ButtonStyle {
    /// The answer the bot expects (blurple).
    Primary,
    /// A neutral choice (grey).
    Secondary,
    /// A good outcome (green).
    Success,
    /// A bad outcome or an undo (red).
    Danger,
    /// A link (Discord's style 5): it opens the URL in the button's `custom_id` and sends the
    /// bot nothing, so it has no custom id on the wire.
    Link,
}

/// A menu people pick one choice from (Discord's string select), under a message's buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    /// What the bot recognises the choice by: `<prefix>:<what it is about>`, at most 100
    /// characters.
    pub custom_id: String,
    /// What the closed menu says, at most 150 characters.
    pub placeholder: String,
    /// The choices, in order: 1 to [`MAX_CHOICES`].
    pub choices: Vec<Choice>,
}

/// One choice of a [`Menu`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// What the bot receives when it is picked, at most 100 characters.
    pub value: String,
    /// What it says, at most 100 characters.
    pub label: String,
}

/// Discord's limit on a select menu's options.
pub const MAX_CHOICES: usize = 25;

/// What a clicked message becomes: its new text and the buttons left under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clicked {
    /// The message's new text, rendered and escaped.
    pub content: String,
    /// The buttons it keeps (none when the question is answered).
    pub buttons: Vec<Button>,
    /// The menu it keeps, if any.
    pub menu: Option<Menu>,
}

/// Discord's limits on message buttons: five to a row, five rows.
pub const MAX_BUTTONS: usize = 25;
/// A review meeting to hold as a Discord Scheduled Event in a voice or stage channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    /// The event's name (at most 100 characters).
    pub name: String,
    /// Its description (at most 1000 characters), ending with the marker that finds it again.
    pub description: String,
    /// The voice or stage channel.
    pub channel: ChannelId,
    /// Which of the two it is.
    pub place: PlaceKind,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it is planned to end.
    pub end: DateTime<Utc>,
}

/// A maintenance window as a Discord Scheduled Event of entity type EXTERNAL: Discord starts
/// and completes it itself at its times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExternalEvent {
    /// The event's name (1–100 characters).
    pub name: String,
    /// Its description (at most 1000 characters), ending with the marker that finds it again.
    pub description: String,
    /// Its location: the status page's address (1–100 characters).
    pub location: String,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
}

/// A member of the guild, as the guild knows them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuildMember {
    /// Their roles.
    pub roles: Vec<RoleId>,
    /// The name people see: their server nickname, else their display name, else their
    /// username. Typed by them: text, never markup.
    pub name: String,
}

/// A Scheduled Event the bot created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    /// Its id.
    pub id: EventId,
    /// Where it stands.
    pub status: EventStatus,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// Its name, as everyone who can view its channel reads it.
    pub name: String,
    /// The channel it is held in.
    pub channel: Option<ChannelId>,
}

/// What the bot does on Discord.
pub trait Chat: Send + Sync + 'static {
    /// The channel named `name` under `category`, if it exists (so a retried create adopts it).
    fn find_channel<'a>(
        &'a self,
        category: ChannelId,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Option<ExistingChannel>, ChatError>>;

    /// Lets only `access` and the bot read a channel, replacing its permission overwrites with
    /// those the bot opens a channel with.
    fn restrict<'a>(
        &'a self,
        channel: ChannelId,
        access: &'a ChannelAccess,
    ) -> BoxFuture<'a, Result<(), ChatError>>;

    /// The name and topic a channel has now.
    fn channel_label(&self, channel: ChannelId) -> BoxFuture<'_, Result<ChannelLabel, ChatError>>;

    /// Renames a channel and sets its topic. Discord allows two such changes per channel in
    /// 10 minutes; the caller keeps count.
    fn relabel_channel<'a>(
        &'a self,
        channel: ChannelId,
        label: &'a ChannelLabel,
    ) -> BoxFuture<'a, Result<(), ChatError>>;

    /// Opens a channel.
    fn create_channel<'a>(
        &'a self,
        channel: &'a NewChannel,
    ) -> BoxFuture<'a, Result<ChannelId, ChatError>>;

    /// The bot's own user: who declared an incident an `[[intake.auto_declare]]` rule declared.
    fn bot_user(&self) -> BoxFuture<'_, Result<UserId, ChatError>>;

    /// The guild's channels, and how many of them are in `category`.
    fn channel_counts(
        &self,
        category: ChannelId,
    ) -> BoxFuture<'_, Result<super::ChannelCounts, ChatError>>;

    /// Posts a message.
    fn post<'a>(&'a self, message: &'a Outgoing) -> BoxFuture<'a, Result<MessageId, ChatError>>;

    /// Replaces the text, buttons and menu of one of the bot's messages (an alert's triage
    /// card).
    fn edit<'a>(
        &'a self,
        channel: ChannelId,
        message: MessageId,
        view: &'a Clicked,
    ) -> BoxFuture<'a, Result<(), ChatError>>;

    /// Sets the files of one of the bot's messages to `files`, leaving its text and buttons as
    /// they are (a fix check's charts, drawn after its verdict was posted). Files it had
    /// before are replaced, so doing it twice leaves the same message.
    fn attach<'a>(
        &'a self,
        channel: ChannelId,
        message: MessageId,
        files: &'a [Attachment],
    ) -> BoxFuture<'a, Result<(), ChatError>>;

    /// Pins a message.
    fn pin(&self, channel: ChannelId, message: MessageId) -> BoxFuture<'_, Result<(), ChatError>>;

    /// The messages pinned in a channel.
    fn pinned(&self, channel: ChannelId) -> BoxFuture<'_, Result<Vec<MessageId>, ChatError>>;

    /// Whether the channel is an announcement channel, whose messages can be published.
    fn is_announcement_channel(&self, channel: ChannelId)
        -> BoxFuture<'_, Result<bool, ChatError>>;

    /// The guild's preferred locale (Discord's code, `en-US` by default), when known: the
    /// language of the announcement channel.
    fn preferred_locale(&self) -> BoxFuture<'_, Result<Option<String>, ChatError>> {
        Box::pin(async { Ok(None) })
    }

    /// Publishes (crossposts) a message of an announcement channel.
    fn publish(
        &self,
        channel: ChannelId,
        message: MessageId,
    ) -> BoxFuture<'_, Result<(), ChatError>>;

    /// Moves a channel under `category` and locks it: nobody but the bot can post any more.
    fn archive(
        &self,
        channel: ChannelId,
        category: ChannelId,
    ) -> BoxFuture<'_, Result<(), ChatError>>;

    /// What sort of channel `channel` is, and who may view it.
    fn meeting_place(&self, channel: ChannelId) -> BoxFuture<'_, Result<MeetingPlace, ChatError>>;

    /// The event the bot created whose description contains `marker` and that is not over, if
    /// any (so that a retried creation adopts it instead of creating a second).
    fn find_meeting<'a>(
        &'a self,
        marker: &'a str,
    ) -> BoxFuture<'a, Result<Option<Meeting>, ChatError>>;

    /// The event `id`, if it still exists.
    fn meeting(&self, id: EventId) -> BoxFuture<'_, Result<Option<Meeting>, ChatError>>;

    /// Creates a Scheduled Event.
    fn create_meeting<'a>(
        &'a self,
        meeting: &'a NewMeeting,
    ) -> BoxFuture<'a, Result<EventId, ChatError>>;

    /// Moves the event `id` to the time, name, description and channel of `meeting`.
    fn move_meeting<'a>(
        &'a self,
        id: EventId,
        meeting: &'a NewMeeting,
    ) -> BoxFuture<'a, Result<(), ChatError>>;

    /// Sets the status of the event `id`.
    fn set_meeting_status(
        &self,
        id: EventId,
        status: EventStatus,
    ) -> BoxFuture<'_, Result<(), ChatError>>;

    /// `user` as a member of the guild now (their roles and the name people see), or `None`
    /// when they are not a member.
    fn member(&self, user: UserId) -> BoxFuture<'_, Result<Option<GuildMember>, ChatError>>;

    /// Creates an EXTERNAL Scheduled Event.
    fn create_external_event<'a>(
        &'a self,
        event: &'a NewExternalEvent,
    ) -> BoxFuture<'a, Result<EventId, ChatError>>;

    /// Edits the EXTERNAL event `id` to `event`: its name, description, location and end, and
    /// its start when `with_start` (Discord refuses to move the start of a running event).
    fn edit_external_event<'a>(
        &'a self,
        id: EventId,
        event: &'a NewExternalEvent,
        with_start: bool,
    ) -> BoxFuture<'a, Result<(), ChatError>>;

    /// How many members marked each of the guild's events as interesting.
    fn event_interest(&self) -> BoxFuture<'_, Result<Vec<(EventId, u64)>, ChatError>>;

    /// Gives `user` the role `role` ([`RoleChange::Add`]) or takes it ([`RoleChange::Remove`]),
    /// with `reason` in the server's audit log. Giving a role the member has, or taking one
    /// they lack, changes nothing and succeeds, as on Discord.
    fn change_member_role<'a>(
        &'a self,
        user: UserId,
        role: RoleId,
        change: RoleChange,
        reason: &'a str,
    ) -> BoxFuture<'a, Result<(), RoleError>>;
}

/// The [`Chat`] jobs use: every call is bounded by a timeout, so a request Discord never
/// answers becomes a retry of its job instead of holding the job's lease until it runs out
/// (and the job then runs a second time beside the first).
pub struct TimedChat {
    inner: Arc<dyn Chat>,
    timeout: Duration,
}

impl TimedChat {
    /// `inner`, with each call abandoned after `timeout`.
    pub fn new(inner: Arc<dyn Chat>, timeout: Duration) -> Self {
        Self { inner, timeout }
    }

    async fn bounded<T>(
        &self,
        what: &str,
        call: impl Future<Output = Result<T, ChatError>>,
    ) -> Result<T, ChatError> {
        tokio::time::timeout(self.timeout, call)
            .await
            .unwrap_or_else(|_| {
                Err(ChatError::Unavailable {
                    message: format!(
                        "Discord did not answer {what} within {}",
                        humantime::format_duration(self.timeout)
                    ),
                    after: None,
                })
            })
    }
}

impl Chat for TimedChat {
    fn find_channel<'a>(
        &'a self,
        category: ChannelId,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Option<ExistingChannel>, ChatError>> {
        Box::pin(self.bounded("a channel lookup", self.inner.find_channel(category, name)))
    }

    fn restrict<'a>(
        &'a self,
        channel: ChannelId,
        access: &'a ChannelAccess,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(self.bounded("a permission change", self.inner.restrict(channel, access)))
    }

    fn channel_label(&self, channel: ChannelId) -> BoxFuture<'_, Result<ChannelLabel, ChatError>> {
        Box::pin(self.bounded("a channel lookup", self.inner.channel_label(channel)))
    }

    fn relabel_channel<'a>(
        &'a self,
        channel: ChannelId,
        label: &'a ChannelLabel,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(self.bounded(
            "a channel rename",
            self.inner.relabel_channel(channel, label),
        ))
    }

    fn create_channel<'a>(
        &'a self,
        channel: &'a NewChannel,
    ) -> BoxFuture<'a, Result<ChannelId, ChatError>> {
        Box::pin(self.bounded("a channel creation", self.inner.create_channel(channel)))
    }

    fn bot_user(&self) -> BoxFuture<'_, Result<UserId, ChatError>> {
        Box::pin(self.bounded("reading the bot's user", self.inner.bot_user()))
    }

    fn channel_counts(
        &self,
        category: ChannelId,
    ) -> BoxFuture<'_, Result<super::ChannelCounts, ChatError>> {
        Box::pin(self.bounded("counting channels", self.inner.channel_counts(category)))
    }

    fn post<'a>(&'a self, message: &'a Outgoing) -> BoxFuture<'a, Result<MessageId, ChatError>> {
        Box::pin(self.bounded("a post", self.inner.post(message)))
    }

    fn edit<'a>(
        &'a self,
        channel: ChannelId,
        message: MessageId,
        view: &'a Clicked,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(self.bounded("an edit", self.inner.edit(channel, message, view)))
    }

    fn attach<'a>(
        &'a self,
        channel: ChannelId,
        message: MessageId,
        files: &'a [Attachment],
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(self.bounded("an upload", self.inner.attach(channel, message, files)))
    }

    fn pin(&self, channel: ChannelId, message: MessageId) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(self.bounded("a pin", self.inner.pin(channel, message)))
    }

    fn pinned(&self, channel: ChannelId) -> BoxFuture<'_, Result<Vec<MessageId>, ChatError>> {
        Box::pin(self.bounded("a look at the pins", self.inner.pinned(channel)))
    }

    fn is_announcement_channel(
        &self,
        channel: ChannelId,
    ) -> BoxFuture<'_, Result<bool, ChatError>> {
        Box::pin(self.bounded(
            "a channel lookup",
            self.inner.is_announcement_channel(channel),
        ))
    }

    fn preferred_locale(&self) -> BoxFuture<'_, Result<Option<String>, ChatError>> {
        Box::pin(self.bounded("a guild lookup", self.inner.preferred_locale()))
    }

    fn publish(
        &self,
        channel: ChannelId,
        message: MessageId,
    ) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(self.bounded("a publish", self.inner.publish(channel, message)))
    }

    fn archive(
        &self,
        channel: ChannelId,
        category: ChannelId,
    ) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(self.bounded("an archive", self.inner.archive(channel, category)))
    }

    fn meeting_place(&self, channel: ChannelId) -> BoxFuture<'_, Result<MeetingPlace, ChatError>> {
        Box::pin(self.bounded("a channel lookup", self.inner.meeting_place(channel)))
    }

    fn find_meeting<'a>(
        &'a self,
        marker: &'a str,
    ) -> BoxFuture<'a, Result<Option<Meeting>, ChatError>> {
        Box::pin(self.bounded("an event lookup", self.inner.find_meeting(marker)))
    }

    fn meeting(&self, id: EventId) -> BoxFuture<'_, Result<Option<Meeting>, ChatError>> {
        Box::pin(self.bounded("an event lookup", self.inner.meeting(id)))
    }

    fn create_meeting<'a>(
        &'a self,
        meeting: &'a NewMeeting,
    ) -> BoxFuture<'a, Result<EventId, ChatError>> {
        Box::pin(self.bounded("an event creation", self.inner.create_meeting(meeting)))
    }

    fn move_meeting<'a>(
        &'a self,
        id: EventId,
        meeting: &'a NewMeeting,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(self.bounded("an event change", self.inner.move_meeting(id, meeting)))
    }

    fn set_meeting_status(
        &self,
        id: EventId,
        status: EventStatus,
    ) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(self.bounded("an event change", self.inner.set_meeting_status(id, status)))
    }

    fn member(&self, user: UserId) -> BoxFuture<'_, Result<Option<GuildMember>, ChatError>> {
        Box::pin(self.bounded("reading a member", self.inner.member(user)))
    }

    fn create_external_event<'a>(
        &'a self,
        event: &'a NewExternalEvent,
    ) -> BoxFuture<'a, Result<EventId, ChatError>> {
        Box::pin(self.bounded("an event creation", self.inner.create_external_event(event)))
    }

    fn edit_external_event<'a>(
        &'a self,
        id: EventId,
        event: &'a NewExternalEvent,
        with_start: bool,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(self.bounded(
            "an event change",
            self.inner.edit_external_event(id, event, with_start),
        ))
    }

    fn event_interest(&self) -> BoxFuture<'_, Result<Vec<(EventId, u64)>, ChatError>> {
        Box::pin(self.bounded("an event lookup", self.inner.event_interest()))
    }

    fn change_member_role<'a>(
        &'a self,
        user: UserId,
        role: RoleId,
        change: RoleChange,
        reason: &'a str,
    ) -> BoxFuture<'a, Result<(), RoleError>> {
        Box::pin(async move {
            let call = self.inner.change_member_role(user, role, change, reason);
            match tokio::time::timeout(self.timeout, call).await {
                Ok(done) => done,
                Err(_) => Err(RoleError::Chat(ChatError::Unavailable {
                    message: format!(
                        "Discord did not answer a role change within {}",
                        humantime::format_duration(self.timeout)
                    ),
                    after: None,
                })),
            }
        })
    }
}
