//! The view of `/incident help`: what each severity means, the phases with their budgets, and
//! the commands, on one page a tired responder can read in a minute.

use serde::Serialize;

/// One severity's meaning.
#[derive(Debug, Clone, Serialize)]
pub struct HelpSeverity {
    /// `P0`.
    pub key: String,
    /// What makes an incident this severe.
    pub definition: String,
    /// Examples, joined.
    pub examples: String,
    /// Whether declaring one pages the on-call.
    pub pages: bool,
    /// Whether declaring one alerts players at once.
    pub announces: bool,
    /// How long it waits for a commander before escalating: `10m`.
    pub escalates_after: Option<String>,
}

/// One phase and its budget.
#[derive(Debug, Clone, Serialize)]
pub struct HelpPhase {
    /// 1 to 5.
    pub number: u8,
    /// `within 5m of detection`, or nothing for recovery.
    pub budget: Option<String>,
}

/// `help.hbs`.
#[derive(Debug, Clone, Serialize)]
pub struct Help {
    /// P0 to P3.
    pub severities: Vec<HelpSeverity>,
    /// The five phases.
    pub phases: Vec<HelpPhase>,
    /// How long a fix is verified before players get the all-clear: `1h`.
    pub verify_after: String,
}

impl Help {
    pub(crate) fn sample() -> Self {
        Self {
            severities: vec![HelpSeverity {
                key: "P0".into(),
                definition: "The game is down for everyone".into(),
                examples: "nobody can log in".into(),
                pages: true,
                announces: true,
                escalates_after: Some("10m".into()),
            }],
            phases: vec![HelpPhase {
                number: 1,
                budget: Some("5m".into()),
            }],
            verify_after: "1h".into(),
        }
    }
}
