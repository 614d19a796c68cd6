//! Severity P0 (critical, all hands) to P3 (minor), and the incident kind.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How bad an incident is. `P0` is the worst; the derived order puts it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// Critical: the game or a core service is down for everyone. All hands.
    P0,
    /// Major: a core feature is broken for many players.
    P1,
    /// Moderate: degraded service or a broken secondary feature.
    P2,
    /// Minor: cosmetic or limited impact.
    P3,
}

/// Why a text is not a severity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a severity: use P0, P1, P2 or P3 (P0 is the most severe)")]
pub struct SeverityParseError(pub String);

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 4] = [Severity::P0, Severity::P1, Severity::P2, Severity::P3];

    /// Parses `P0`..`P3`, case-insensitively.
    pub fn parse(text: &str) -> Result<Self, SeverityParseError> {
        match text.trim().to_ascii_uppercase().as_str() {
            "P0" => Ok(Self::P0),
            "P1" => Ok(Self::P1),
            "P2" => Ok(Self::P2),
            "P3" => Ok(Self::P3),
            _ => Err(SeverityParseError(text.to_owned())),
        }
    }

    /// The label people use: `P0`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::P0 => "P0",
            Self::P1 => "P1",
            Self::P2 => "P2",
            Self::P3 => "P3",
        }
    }

    /// A few words on what the level means, for intros and status.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::P0 => "critical, all hands",
            Self::P1 => "major",
            Self::P2 => "moderate",
            Self::P3 => "minor",
        }
    }

    /// True when `self` is more severe than `other` (P0 is more severe than P1).
    pub fn is_more_severe_than(self, other: Severity) -> bool {
        self < other
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = SeverityParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// What kind of incident: it decides the containment checklist and who may see the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentKind {
    /// Something is down or degraded. Public channel, may be announced to players.
    Availability,
    /// A breach or attack. Private channel, never announced automatically.
    Security,
}

/// Why a text is not an incident kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an incident kind: use availability or security")]
pub struct KindParseError(pub String);

impl IncidentKind {
    /// Parses `availability` or `security`.
    pub fn parse(text: &str) -> Result<Self, KindParseError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "availability" => Ok(Self::Availability),
            "security" => Ok(Self::Security),
            _ => Err(KindParseError(text.to_owned())),
        }
    }

    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Availability => "availability",
            Self::Security => "security",
        }
    }
}

impl fmt::Display for IncidentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_parse_in_any_case_and_order_p0_first() {
        assert_eq!(Severity::parse("p0"), Ok(Severity::P0));
        assert_eq!(Severity::parse(" P3 "), Ok(Severity::P3));
        assert!(Severity::P0.is_more_severe_than(Severity::P1));
        assert!(!Severity::P2.is_more_severe_than(Severity::P2));
    }

    #[test]
    fn an_unknown_severity_says_which_ones_exist() {
        let err = Severity::parse("P9").expect_err("P9 is not a level");
        assert!(err.to_string().contains("P0, P1, P2 or P3"));
    }

    #[test]
    fn kinds_round_trip_through_text() {
        for kind in [IncidentKind::Availability, IncidentKind::Security] {
            assert_eq!(IncidentKind::parse(kind.as_str()), Ok(kind));
        }
        assert!(IncidentKind::parse("outage").is_err());
    }
}
