//! Timeline entries: everything that happened in an incident, with who and when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    ChannelId, Eta, FreeText, GuildId, IncidentKind, IncidentRole, IncidentTitle, MessageId, Phase,
    Severity, ShortText, Systems, UserId,
};

/// What sort of thing a timeline entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// The incident was declared.
    Declared,
    /// The severity changed.
    SeverityChanged,
    /// The phase moved forward.
    PhaseChanged,
    /// Someone took a role.
    RoleAssigned,
    /// A status update (internal or public).
    Update,
    /// A note, a pinned or 📌-reacted message, or a message added from the context menu.
    Note,
    /// A fix was applied (`/incident resolve`).
    Resolved,
    /// The fix was confirmed to hold.
    Verified,
    /// The fix did not hold, or the problem came back.
    Reopened,
    /// The incident was closed.
    Closed,
    /// Something the bot did on its own: a page, an announcement, a reminder.
    Bot,
    /// A checklist step was ticked or unticked.
    Checklist,
    /// A fact given at declare was corrected: title, systems, summary, start.
    Edited,
    /// The incident became a security one, or an availability one again.
    KindChanged,
    /// The service alert was posted on request.
    Announced,
    /// A runbook action was run, or what came back from it.
    Action,
    /// A containment action on a system outside the channel: a WAF block or unblock, a
    /// Discord lockdown or unlock.
    Containment,
}

impl EntryKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Declared => "declared",
            Self::SeverityChanged => "severity_changed",
            Self::PhaseChanged => "phase_changed",
            Self::RoleAssigned => "role_assigned",
            Self::Update => "update",
            Self::Note => "note",
            Self::Resolved => "resolved",
            Self::Verified => "verified",
            Self::Reopened => "reopened",
            Self::Closed => "closed",
            Self::Bot => "bot",
            Self::Checklist => "checklist",
            Self::Edited => "edited",
            Self::KindChanged => "kind_changed",
            Self::Announced => "announced",
            Self::Action => "action",
            Self::Containment => "containment",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Declared,
            Self::SeverityChanged,
            Self::PhaseChanged,
            Self::RoleAssigned,
            Self::Update,
            Self::Note,
            Self::Resolved,
            Self::Verified,
            Self::Reopened,
            Self::Closed,
            Self::Bot,
            Self::Checklist,
            Self::Edited,
            Self::KindChanged,
            Self::Announced,
            Self::Action,
            Self::Containment,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// One line of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// When it happened (for a noted message: when the message was written).
    pub at: DateTime<Utc>,
    /// Who did it; `None` for the bot itself.
    pub actor: Option<UserId>,
    /// What sort of entry.
    pub kind: EntryKind,
    /// What happened, in a sentence.
    pub text: String,
    /// The Discord message this entry was taken from, so it is added only once.
    pub source_message: Option<MessageId>,
}

impl TimelineEntry {
    /// The entry for `happened`, in the words `text` the timeline template gave it.
    pub fn worded(happened: Happened, text: String) -> Self {
        Self {
            at: happened.at,
            actor: Some(happened.actor),
            kind: happened.event.kind(),
            text,
            source_message: None,
        }
    }

    /// An entry for something a person did now.
    pub fn by(actor: UserId, at: DateTime<Utc>, kind: EntryKind, text: impl Into<String>) -> Self {
        Self {
            at,
            actor: Some(actor),
            kind,
            text: text.into(),
            source_message: None,
        }
    }
}

/// Something a command did to an incident, as data: `templates/timeline.hbs` words it before
/// it is stored as a [`TimelineEntry`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Happened {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: UserId,
    /// What happened.
    pub event: TimelineEvent,
}

/// What a command did, with the facts the timeline names and no words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimelineEvent {
    /// The incident was declared.
    Declared {
        /// Its severity.
        severity: Severity,
        /// Availability or security.
        kind: IncidentKind,
        /// Its title.
        title: IncidentTitle,
    },
    /// The severity was raised or lowered.
    SeverityChanged {
        /// The severity before.
        from: Severity,
        /// The severity now.
        to: Severity,
        /// Why, if said.
        reason: Option<ShortText>,
    },
    /// The phase moved forward.
    PhaseMoved {
        /// The phase before.
        from: Phase,
        /// The phase now.
        to: Phase,
    },
    /// Someone took a role.
    RoleAssigned {
        /// The role.
        role: IncidentRole,
        /// Who holds it now.
        user: UserId,
        /// Who held it before, if anyone.
        before: Option<UserId>,
    },
    /// A status update.
    Update {
        /// What it said.
        message: FreeText,
        /// Whether players saw it.
        public: bool,
        /// Whether it was also published to following servers.
        published: bool,
        /// A new ETA, if given.
        eta: Option<Eta>,
    },
    /// The service alert was posted for players.
    Announced {
        /// A new ETA, if given.
        eta: Option<Eta>,
    },
    /// The incident became a security one, or an availability one again.
    KindChanged {
        /// The kind now.
        to: IncidentKind,
    },
    /// A fix was applied.
    Resolved {
        /// The root cause.
        root_cause: FreeText,
        /// The compensation for players, if any.
        compensation: Option<FreeText>,
    },
    /// The all-clear was given with the fix, without the verification window.
    AllClearAtOnce,
    /// The fix was verified: it held.
    FixHeld,
    /// The fix did not hold, or the problem came back after the all-clear.
    Reopened {
        /// Whether the all-clear had been given (else the fix was being verified).
        after_all_clear: bool,
        /// Why, as people said it.
        reason: FreeText,
        /// The phase the work resumes in.
        back_to: Phase,
    },
    /// The incident was closed.
    Closed,
    /// The title was corrected.
    TitleChanged {
        /// The title before.
        from: IncidentTitle,
        /// The title now.
        to: IncidentTitle,
    },
    /// The affected systems were corrected.
    SystemsChanged {
        /// The systems before.
        from: Systems,
        /// The systems now.
        to: Systems,
    },
    /// The summary was corrected.
    SummaryChanged {
        /// The summary now.
        to: FreeText,
    },
    /// The start of the problem was corrected.
    StartChanged {
        /// The start before.
        from: DateTime<Utc>,
        /// The start now.
        to: DateTime<Utc>,
    },
    /// A note.
    Note {
        /// The note.
        text: FreeText,
    },
    /// A Discord message whose words the bot could not read (a 📌 reaction without the
    /// Message Content intent): the timeline links to it until Apps → Add to timeline fills
    /// in its words.
    MessageLinked {
        /// Its server.
        guild: GuildId,
        /// Its channel.
        channel: ChannelId,
        /// The message.
        message: MessageId,
    },
}

impl TimelineEvent {
    /// The sort of entry it makes.
    pub fn kind(&self) -> EntryKind {
        match self {
            Self::Declared { .. } => EntryKind::Declared,
            Self::SeverityChanged { .. } => EntryKind::SeverityChanged,
            Self::PhaseMoved { .. } => EntryKind::PhaseChanged,
            Self::RoleAssigned { .. } => EntryKind::RoleAssigned,
            Self::Update { .. } => EntryKind::Update,
            Self::Announced { .. } => EntryKind::Announced,
            Self::KindChanged { .. } => EntryKind::KindChanged,
            Self::Resolved { .. } => EntryKind::Resolved,
            Self::AllClearAtOnce | Self::FixHeld => EntryKind::Verified,
            Self::Reopened { .. } => EntryKind::Reopened,
            Self::Closed => EntryKind::Closed,
            Self::TitleChanged { .. }
            | Self::SystemsChanged { .. }
            | Self::SummaryChanged { .. }
            | Self::StartChanged { .. } => EntryKind::Edited,
            Self::Note { .. } | Self::MessageLinked { .. } => EntryKind::Note,
        }
    }
}
