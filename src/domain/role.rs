//! The three incident roles: commander, communications lead and scribe.

use serde::{Deserialize, Serialize};

use super::UserId;

/// A role a responder holds in one incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentRole {
    /// Incident commander: owns decisions, severity, resolve and close.
    Commander,
    /// Communications lead: owns updates to players.
    Comms,
    /// Scribe: keeps the timeline.
    Scribe,
}

/// Why a text is not an incident role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an incident role: use commander, comms or scribe")]
pub struct RoleParseError(pub String);

impl IncidentRole {
    /// Every role, in display order.
    pub const ALL: [IncidentRole; 3] = [Self::Commander, Self::Comms, Self::Scribe];

    /// Parses `commander`, `comms` or `scribe`.
    pub fn parse(text: &str) -> Result<Self, RoleParseError> {
        let t = text.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|r| r.key() == t)
            .ok_or_else(|| RoleParseError(text.to_owned()))
    }

    /// The short name used in commands and storage.
    pub fn key(self) -> &'static str {
        match self {
            Self::Commander => "commander",
            Self::Comms => "comms",
            Self::Scribe => "scribe",
        }
    }
}

/// Who holds each role in one incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Roles {
    /// The incident commander, once someone takes command.
    pub commander: Option<UserId>,
    /// The communications lead.
    pub comms: Option<UserId>,
    /// The scribe.
    pub scribe: Option<UserId>,
}

impl Roles {
    /// Who holds `role`.
    pub fn get(&self, role: IncidentRole) -> Option<UserId> {
        match role {
            IncidentRole::Commander => self.commander,
            IncidentRole::Comms => self.comms,
            IncidentRole::Scribe => self.scribe,
        }
    }

    /// Gives `role` to `user`.
    pub fn set(&mut self, role: IncidentRole, user: UserId) {
        match role {
            IncidentRole::Commander => self.commander = Some(user),
            IncidentRole::Comms => self.comms = Some(user),
            IncidentRole::Scribe => self.scribe = Some(user),
        }
    }

    /// Everyone who holds a role.
    pub fn holders(&self) -> impl Iterator<Item = UserId> {
        [self.commander, self.comms, self.scribe]
            .into_iter()
            .flatten()
    }
}
