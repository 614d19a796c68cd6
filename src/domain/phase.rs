//! The plan's five response phases and their time budgets (their checklists are data:
//! `domain::checklist`).

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

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

    /// The phase after this one, if any.
    pub fn next(self) -> Option<Self> {
        Self::from_number(self.number() + 1)
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
