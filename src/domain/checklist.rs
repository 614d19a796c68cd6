//! The plan's checklists as data: each phase's steps (read from `[checklists]` in the config,
//! so a studio changes them without a rebuild), which of them an incident shows, and the ticks
//! people put on them.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::text::{bounded_text, parse_field, TextError};
use super::{IncidentKind, Phase, Severity, UserId};

/// Why a text is not a step id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a step id: use 1 to 32 lowercase letters, digits and dashes, such as `rotate-credentials`"
)]
pub struct StepIdError(pub String);

/// A step's short key. Ticks are stored under it and buttons carry it
/// (`check:<incident>:<phase>:<step>`), so a tick survives an edit of the step's wording or
/// order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StepId(String);

impl StepId {
    /// The longest id, in characters.
    pub const MAX: usize = 32;

    /// Parses an id: 1 to 32 of `a-z`, `0-9` and `-`.
    pub fn parse(text: &str) -> Result<Self, StepIdError> {
        let fits = !text.is_empty()
            && text.len() <= Self::MAX
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if fits {
            Ok(Self(text.to_owned()))
        } else {
            Err(StepIdError(text.to_owned()))
        }
    }

    /// An id read back from the store, as it was written.
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StepId {
    type Error = StepIdError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<StepId> for String {
    fn from(id: StepId) -> String {
        id.0
    }
}

impl fmt::Display for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

bounded_text!(
    /// What a step's button says: at most 78 characters, Discord's 80 less the `✓ ` a tick adds.
    StepLabel, "A step's label", 78, false
);
bounded_text!(
    /// What a step asks for, as its checklist message shows it.
    StepText, "A step's text", 200, false
);
bounded_text!(
    /// A heading over the steps that share it, such as the plan's "Apply the fix".
    StepGroup, "A step's group", 100, false
);

/// One step of a phase's checklist, as the config lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    /// Its stable key.
    pub id: StepId,
    /// Its button's label.
    pub label: StepLabel,
    /// What it asks for.
    pub text: StepText,
    /// The heading it is shown under, if any.
    #[serde(default)]
    pub group: Option<StepGroup>,
    /// The severities it is shown for; every severity when left out.
    #[serde(default)]
    pub severities: Option<Vec<Severity>>,
    /// The runbook action (`[[actions]]`) its button runs, if any: a success ticks it.
    #[serde(default)]
    pub action: Option<super::ActionId>,
}

impl ChecklistItem {
    /// Whether an incident of `severity` shows this step.
    pub fn applies_to(&self, severity: Severity) -> bool {
        self.severities
            .as_ref()
            .is_none_or(|only| only.contains(&severity))
    }
}

/// Every phase's checklist: `[checklists]` in the config. Containment has one list for
/// security incidents and one for availability incidents.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklists {
    /// Phase 1: Detection & Triage.
    pub triage: Vec<ChecklistItem>,
    /// Phase 2: Containment, for security incidents.
    pub containment_security: Vec<ChecklistItem>,
    /// Phase 2: Containment, for availability incidents.
    pub containment_availability: Vec<ChecklistItem>,
    /// Phase 3: Investigation.
    pub investigation: Vec<ChecklistItem>,
    /// Phase 4: Resolution: applying the fix and verifying it.
    pub resolution: Vec<ChecklistItem>,
    /// Phase 5: Recovery & Communication.
    pub recovery: Vec<ChecklistItem>,
}

impl Checklists {
    /// The most steps one list may have: one button each, and a message holds 25.
    pub const MAX_STEPS: usize = 25;

    /// The list of `phase` for an incident of `kind`.
    pub fn list(&self, phase: Phase, kind: IncidentKind) -> &[ChecklistItem] {
        match (phase, kind) {
            (Phase::Triage, _) => &self.triage,
            (Phase::Containment, IncidentKind::Security) => &self.containment_security,
            (Phase::Containment, IncidentKind::Availability) => &self.containment_availability,
            (Phase::Investigation, _) => &self.investigation,
            (Phase::Resolution, _) => &self.resolution,
            (Phase::Recovery, _) => &self.recovery,
        }
    }

    /// Every list with its key in `[checklists]`.
    pub fn lists(&self) -> [(&'static str, &[ChecklistItem]); 6] {
        [
            ("triage", &self.triage),
            ("containment_security", &self.containment_security),
            ("containment_availability", &self.containment_availability),
            ("investigation", &self.investigation),
            ("resolution", &self.resolution),
            ("recovery", &self.recovery),
        ]
    }

    /// The first step of `phase` an incident of `kind` and `severity` shows: what a nudge
    /// names as the next thing to do.
    pub fn first(
        &self,
        phase: Phase,
        kind: IncidentKind,
        severity: Severity,
    ) -> Option<&ChecklistItem> {
        self.list(phase, kind)
            .iter()
            .find(|i| i.applies_to(severity))
    }
}

/// A step someone ticked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    /// The phase whose checklist it is on.
    pub phase: Phase,
    /// The step.
    pub step: StepId,
    /// The step's text when it was ticked, for summaries after the list was edited.
    pub text: String,
    /// Who ticked it.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
}

/// One step as an incident's checklist shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step<'a> {
    /// Its key.
    pub id: &'a StepId,
    /// The listed step; `None` for a tick whose step was removed from the list since.
    pub item: Option<&'a ChecklistItem>,
    /// Its tick, if someone ticked it.
    pub tick: Option<&'a Tick>,
}

impl Step<'_> {
    /// What it asks for: the list's wording, or the wording it had when it was ticked.
    pub fn text(&self) -> &str {
        match (self.item, self.tick) {
            (Some(item), _) => item.text.as_str(),
            (None, Some(tick)) => &tick.text,
            (None, None) => self.id.as_str(),
        }
    }

    /// Its button's label; a step no longer listed has none.
    pub fn label(&self) -> Option<&str> {
        self.item.map(|i| i.label.as_str())
    }

    /// The heading it is shown under.
    pub fn group(&self) -> Option<&str> {
        self.item
            .and_then(|i| i.group.as_ref())
            .map(StepGroup::as_str)
    }
}

/// The steps an incident of `kind` and `severity` shows for `phase`: the listed steps that
/// apply to its severity or were ticked anyway (a severity may have changed since), in the
/// list's order, then the ticks of steps no longer listed, so that no tick is ever hidden.
pub fn steps<'a>(
    lists: &'a Checklists,
    phase: Phase,
    kind: IncidentKind,
    severity: Severity,
    ticks: &'a [Tick],
) -> Vec<Step<'a>> {
    let list = lists.list(phase, kind);
    let tick_of = |id: &StepId| ticks.iter().find(|t| t.phase == phase && &t.step == id);
    let mut out: Vec<Step<'a>> = list
        .iter()
        .filter_map(|item| {
            let tick = tick_of(&item.id);
            (item.applies_to(severity) || tick.is_some()).then_some(Step {
                id: &item.id,
                item: Some(item),
                tick,
            })
        })
        .collect();
    out.extend(
        ticks
            .iter()
            .filter(|t| t.phase == phase && list.iter().all(|i| i.id != t.step))
            .map(|t| Step {
                id: &t.step,
                item: None,
                tick: Some(t),
            }),
    );
    out
}

#[cfg(test)]
#[path = "checklist_tests.rs"]
mod tests;
