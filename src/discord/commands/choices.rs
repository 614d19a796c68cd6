//! The closed sets shown to Discord as choices: each choice is sent as its index into the
//! names, and converted to its domain value once, through the matching array.

use crate::domain::{ActionKind, IncidentKind, IncidentRole, LessonKind, Phase};

/// Incident kinds, as Discord shows them.
pub const KIND_NAMES: &[&str] = &["availability", "security"];
/// Incident kinds, in the order of [`KIND_NAMES`].
pub const KINDS: [IncidentKind; 2] = [IncidentKind::Availability, IncidentKind::Security];

/// Phases, as Discord shows them.
pub const PHASE_NAMES: &[&str] = &[
    "triage",
    "containment",
    "investigation",
    "resolution",
    "recovery",
];
/// Phases, in the order of [`PHASE_NAMES`].
pub const PHASES: [Phase; 5] = [
    Phase::Triage,
    Phase::Containment,
    Phase::Investigation,
    Phase::Resolution,
    Phase::Recovery,
];

/// Incident roles, as Discord shows them.
pub const ROLE_NAMES: &[&str] = &["commander", "comms", "scribe"];
/// Incident roles, in the order of [`ROLE_NAMES`].
pub const ROLES: [IncidentRole; 3] = [
    IncidentRole::Commander,
    IncidentRole::Comms,
    IncidentRole::Scribe,
];

/// When players get the ✅ all-clear after `/incident resolve`: after the verification window,
/// once the commander confirms the fix held, or at once, for an incident obviously over.
pub const ALL_CLEAR_NAMES: &[&str] = &["after the fix is verified", "now"];

/// The plan's three groups of action items, as Discord shows them.
pub const ACTION_NAMES: &[&str] = &["fix", "prevent", "process"];
/// Action item kinds, in the order of [`ACTION_NAMES`].
pub const ACTIONS: [ActionKind; 3] = [ActionKind::Fix, ActionKind::Prevent, ActionKind::Process];

/// The halves of "Lessons learned", as Discord shows them.
pub const LESSON_NAMES: &[&str] = &["went_well", "went_badly"];
/// Lesson kinds, in the order of [`LESSON_NAMES`].
pub const LESSONS: [LessonKind; 2] = [LessonKind::WentWell, LessonKind::WentBadly];

/// Completes the last system of a comma-separated list from the configured catalogue.
pub fn complete_systems(catalogue: &[String], partial: &str) -> Vec<String> {
    let (done, last) = match partial.rsplit_once(',') {
        Some((done, last)) => (format!("{}, ", done.trim()), last.trim()),
        None => (String::new(), partial.trim()),
    };
    let last = last.to_lowercase();
    catalogue
        .iter()
        .filter(|s| s.to_lowercase().starts_with(&last))
        .filter(|s| !done.to_lowercase().contains(&s.to_lowercase()))
        .take(25)
        .map(|s| format!("{done}{s}"))
        .filter(|s| s.chars().count() <= 100)
        .collect()
}
