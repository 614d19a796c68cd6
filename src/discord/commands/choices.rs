//! The closed sets shown to Discord as choices, each converted to its domain type once.

use super::super::Context;
use crate::domain::{IncidentKind, IncidentRole, Phase, Severity};

/// Severity, as a choice.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum SeverityChoice {
    /// Critical.
    P0,
    /// Major.
    P1,
    /// Moderate.
    P2,
    /// Minor.
    P3,
}

impl From<SeverityChoice> for Severity {
    fn from(c: SeverityChoice) -> Self {
        match c {
            SeverityChoice::P0 => Self::P0,
            SeverityChoice::P1 => Self::P1,
            SeverityChoice::P2 => Self::P2,
            SeverityChoice::P3 => Self::P3,
        }
    }
}

/// When players get the ✅ all-clear after `/incident resolve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
pub enum AllClearChoice {
    /// After the verification window, once the commander confirms the fix held.
    #[name = "after the fix is verified"]
    Verified,
    /// At once, for an incident that is obviously over.
    #[name = "now"]
    Now,
}

/// Incident kind, as a choice.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum KindChoice {
    /// Something is down or slow.
    #[name = "availability"]
    Availability,
    /// A breach or an attack.
    #[name = "security"]
    Security,
}

impl From<KindChoice> for IncidentKind {
    fn from(c: KindChoice) -> Self {
        match c {
            KindChoice::Availability => Self::Availability,
            KindChoice::Security => Self::Security,
        }
    }
}

/// Phase, as a choice.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum PhaseChoice {
    /// 1.
    #[name = "triage"]
    Triage,
    /// 2.
    #[name = "containment"]
    Containment,
    /// 3.
    #[name = "investigation"]
    Investigation,
    /// 4.
    #[name = "resolution"]
    Resolution,
    /// 5.
    #[name = "recovery"]
    Recovery,
}

impl From<PhaseChoice> for Phase {
    fn from(c: PhaseChoice) -> Self {
        match c {
            PhaseChoice::Triage => Self::Triage,
            PhaseChoice::Containment => Self::Containment,
            PhaseChoice::Investigation => Self::Investigation,
            PhaseChoice::Resolution => Self::Resolution,
            PhaseChoice::Recovery => Self::Recovery,
        }
    }
}

/// Incident role, as a choice.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum RoleChoice {
    /// Incident commander.
    #[name = "commander"]
    Commander,
    /// Communications lead.
    #[name = "comms"]
    Comms,
    /// Scribe.
    #[name = "scribe"]
    Scribe,
}

impl From<RoleChoice> for IncidentRole {
    fn from(c: RoleChoice) -> Self {
        match c {
            RoleChoice::Commander => Self::Commander,
            RoleChoice::Comms => Self::Comms,
            RoleChoice::Scribe => Self::Scribe,
        }
    }
}

/// Completes the last system of a comma-separated list from the configured catalogue.
pub async fn autocomplete_systems(
    ctx: Context<'_>,
    partial: &str,
) -> poise::serenity_prelude::CreateAutocompleteResponse {
    let (done, last) = match partial.rsplit_once(',') {
        Some((done, last)) => (format!("{}, ", done.trim()), last.trim()),
        None => (String::new(), partial.trim()),
    };
    let last = last.to_lowercase();
    let choices = ctx
        .data()
        .app
        .settings
        .systems
        .catalogue
        .iter()
        .filter(|s| s.to_lowercase().starts_with(&last))
        .filter(|s| !done.to_lowercase().contains(&s.to_lowercase()))
        .take(25)
        .map(|s| format!("{done}{s}"))
        .filter(|s| s.chars().count() <= 100)
        .map(poise::serenity_prelude::AutocompleteChoice::from)
        .collect();
    poise::serenity_prelude::CreateAutocompleteResponse::new().set_choices(choices)
}
