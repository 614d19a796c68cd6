//! Timeline entries: everything that happened in an incident, with who and when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{MessageId, UserId};

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
