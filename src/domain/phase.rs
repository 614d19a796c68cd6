//! The plan's five response phases, their time budgets and their checklists.

use std::fmt;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use super::IncidentKind;

/// A response phase, in the plan's order. The derived order is the order of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// 1. Detection & Triage (0-5 min).
    Triage,
    /// 2. Containment (5-30 min).
    Containment,
    /// 3. Investigation (30 min - 4 h).
    Investigation,
    /// 4. Resolution (1-8 h).
    Resolution,
    /// 5. Recovery & Communication.
    Recovery,
}

/// Why a text is not a phase.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a phase: use triage, containment, investigation, resolution or recovery (or 1-5)"
)]
pub struct PhaseParseError(pub String);

impl Phase {
    /// Every phase in order.
    pub const ALL: [Phase; 5] = [
        Phase::Triage,
        Phase::Containment,
        Phase::Investigation,
        Phase::Resolution,
        Phase::Recovery,
    ];

    /// The phase's number, 1 to 5.
    pub fn number(self) -> u8 {
        match self {
            Self::Triage => 1,
            Self::Containment => 2,
            Self::Investigation => 3,
            Self::Resolution => 4,
            Self::Recovery => 5,
        }
    }

    /// The phase with that number, 1 to 5.
    pub fn from_number(n: u8) -> Option<Self> {
        Self::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    /// Parses the short name (`containment`) or the number (`2`).
    pub fn parse(text: &str) -> Result<Self, PhaseParseError> {
        let t = text.trim().to_ascii_lowercase();
        if let Ok(n) = t.parse::<u8>() {
            return Self::from_number(n).ok_or_else(|| PhaseParseError(text.to_owned()));
        }
        Self::ALL
            .into_iter()
            .find(|p| p.key() == t)
            .ok_or_else(|| PhaseParseError(text.to_owned()))
    }

    /// The short name used in commands and config: `containment`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Triage => "triage",
            Self::Containment => "containment",
            Self::Investigation => "investigation",
            Self::Resolution => "resolution",
            Self::Recovery => "recovery",
        }
    }

    /// The plan's title: `Detection & Triage`.
    pub fn title(self) -> &'static str {
        match self {
            Self::Triage => "Detection & Triage",
            Self::Containment => "Containment",
            Self::Investigation => "Investigation",
            Self::Resolution => "Resolution",
            Self::Recovery => "Recovery & Communication",
        }
    }

    /// The phase after this one, if any.
    pub fn next(self) -> Option<Self> {
        Self::from_number(self.number() + 1)
    }

    /// The plan's checklist for this phase. Containment differs for security incidents.
    pub fn checklist(self, kind: IncidentKind) -> &'static [&'static str] {
        match (self, kind) {
            (Self::Triage, _) => &[
                "Alert received: via Sentry, Cloudflare monitoring or user reports",
                "Verify the issue is real",
                "Determine severity (P0-P3)",
                "Identify affected systems",
                "Declare the incident: incident channel opened",
            ],
            (Self::Containment, IncidentKind::Security) => &[
                "Isolate affected systems (take offline if necessary)",
                "Rotate credentials if compromised",
                "Block malicious IPs via WAF",
                "Take database snapshots before changes",
            ],
            (Self::Containment, IncidentKind::Availability) => &[
                "Enable maintenance mode if needed",
                "Redirect traffic to backup servers",
                "Scale up resources if capacity issue",
            ],
            (Self::Investigation, _) => &[
                "Gather evidence: server logs (/var/log/loh-backend/), database query logs, Sentry error reports, Cloudflare analytics",
                "Root cause analysis: timeline of events, identify the trigger, assess the impact scope",
            ],
            (Self::Resolution, _) => &[
                "Apply the fix: deploy a hotfix (bypass CI for P0), roll back if a recent deployment caused it, restore from backup if data is corrupted",
                "Verify the fix: run smoke tests, monitor error rates for 1 hour, confirm user reports are resolved",
            ],
            (Self::Recovery, _) => &[
                "Restore normal operations: disable maintenance mode, resume normal traffic routing",
                "User communication: post a status update (Discord/Twitter/in-game), compensation if needed",
                "Internal debrief: schedule the post-mortem within 48 hours, document lessons learned",
            ],
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phase {}: {}", self.number(), self.title())
    }
}

/// When each phase should be over, measured from detection (the plan's budgets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseBudgets {
    /// Triage should be over this long after detection (plan: 5 min).
    pub triage: TimeDelta,
    /// Containment should be over by then (plan: 30 min).
    pub containment: TimeDelta,
    /// Investigation should be over by then (plan: 4 h).
    pub investigation: TimeDelta,
    /// Resolution should be over by then (plan: 8 h).
    pub resolution: TimeDelta,
}

impl Default for PhaseBudgets {
    fn default() -> Self {
        Self {
            triage: TimeDelta::minutes(5),
            containment: TimeDelta::minutes(30),
            investigation: TimeDelta::hours(4),
            resolution: TimeDelta::hours(8),
        }
    }
}

impl PhaseBudgets {
    /// How long after detection `phase` should be over; recovery has no deadline.
    pub fn deadline_offset(&self, phase: Phase) -> Option<TimeDelta> {
        match phase {
            Phase::Triage => Some(self.triage),
            Phase::Containment => Some(self.containment),
            Phase::Investigation => Some(self.investigation),
            Phase::Resolution => Some(self.resolution),
            Phase::Recovery => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_parse_by_name_or_number_and_refuse_others() {
        assert_eq!(Phase::parse("Containment"), Ok(Phase::Containment));
        assert_eq!(Phase::parse("4"), Ok(Phase::Resolution));
        assert!(Phase::parse("0").is_err());
        assert!(Phase::parse("6").is_err());
        assert!(Phase::parse("panic").is_err());
    }

    #[test]
    fn containment_checklist_differs_for_security_incidents() {
        let sec = Phase::Containment.checklist(IncidentKind::Security);
        let avail = Phase::Containment.checklist(IncidentKind::Availability);
        assert!(sec.iter().any(|s| s.contains("Rotate credentials")));
        assert!(avail.iter().any(|s| s.contains("maintenance mode")));
    }

    #[test]
    fn budgets_follow_the_plan_and_recovery_is_open_ended() {
        let b = PhaseBudgets::default();
        assert_eq!(
            b.deadline_offset(Phase::Triage),
            Some(TimeDelta::minutes(5))
        );
        assert_eq!(
            b.deadline_offset(Phase::Resolution),
            Some(TimeDelta::hours(8))
        );
        assert_eq!(b.deadline_offset(Phase::Recovery), None);
        assert_eq!(Phase::Recovery.next(), None);
        assert_eq!(Phase::Triage.next(), Some(Phase::Containment));
    }
}
