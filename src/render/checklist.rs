//! View models of checklists: the message people tick, its counts in `/incident status`, and
//! what was done and skipped in the close summary and the post-mortem draft.

use serde::Serialize;

use super::{mention, relative, timestamp, Markup};
use crate::domain::{Incident, Phase, PhaseBudgets, Step};

/// One step of `checklist.hbs`.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistStep {
    /// The heading to show above it: set on the first step of a group.
    pub group: Option<String>,
    /// What it asks for.
    pub text: String,
    /// Who ticked it and when (a mention and a timestamp), once ticked.
    pub done: Option<Markup>,
}

/// `checklist.hbs`: a phase, its deadline and its steps, ticked or not.
#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    /// 1 to 5 (`labels.hbs` words the phase).
    pub phase_number: u8,
    /// When it should be over, as Discord timestamps.
    pub phase_deadline: Option<Markup>,
    /// Its steps, in order.
    pub steps: Vec<ChecklistStep>,
}

impl Checklist {
    /// The checklist of `phase` of `incident`, showing `steps` (see [`crate::domain::steps`]).
    pub fn new(incident: &Incident, phase: Phase, budgets: &PhaseBudgets, steps: &[Step]) -> Self {
        let deadline = budgets
            .deadline_offset(phase)
            .map(|d| incident.detected_at + d)
            .map(|at| Markup::raw(format!("{} ({})", timestamp(at), relative(at))));
        let mut group = None;
        Self {
            phase_number: phase.number(),
            phase_deadline: deadline,
            steps: steps
                .iter()
                .map(|s| {
                    let heading = s.group().filter(|g| group != Some(*g));
                    group = s.group();
                    ChecklistStep {
                        group: heading.map(str::to_owned),
                        text: s.text().to_owned(),
                        done: s.tick.map(|t| {
                            Markup::raw(format!("{}, {}", mention(t.by), timestamp(t.at)))
                        }),
                    }
                })
                .collect(),
        }
    }

    pub(crate) fn sample() -> Self {
        Self {
            phase_number: 4,
            phase_deadline: Some(Markup::raw("<t:0:f>")),
            steps: vec![
                ChecklistStep {
                    group: Some("Apply the fix".into()),
                    text: "Deploy a hotfix (bypass CI for P0)".into(),
                    done: Some(Markup::raw("<@1>, <t:0:f>")),
                },
                ChecklistStep {
                    group: None,
                    text: "Roll back if a recent deployment caused the issue".into(),
                    done: None,
                },
            ],
        }
    }
}

/// How far one phase's checklist is, for `/incident status`.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistCount {
    /// The phase, by number (`labels.hbs` words it).
    pub phase: u8,
    /// Steps ticked.
    pub done: usize,
    /// Steps shown.
    pub total: usize,
}

/// One phase's checklist in the close summary: who did which steps, and which were skipped.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistSummary {
    /// The phase, by number (`labels.hbs` words it).
    pub phase: u8,
    /// Whether the incident went through the phase (a jump to a later one skips it whole).
    pub entered: bool,
    /// Steps ticked.
    pub done: usize,
    /// Steps shown.
    pub total: usize,
    /// Who ticked which steps, by their labels: `@rhea (Rolled back), @cole (Smoke tests run)`.
    pub done_by: Option<Markup>,
    /// The labels of the steps nobody ticked.
    pub skipped: Option<String>,
}

/// One step in the post-mortem draft.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistReportStep {
    /// What it asked for.
    pub text: String,
    /// Who ticked it (a mention), if anyone did.
    pub done_by: Option<Markup>,
    /// When, as a full date.
    pub done_at: Option<String>,
    /// For a step nobody ticked: `skipped`, or `not done yet` while its phase goes on.
    pub state: String,
}

/// One phase's checklist in the post-mortem draft.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistReport {
    /// The phase, by number (`labels.hbs` words it).
    pub phase: u8,
    /// Whether the incident went through the phase (a jump to a later one skips it whole).
    pub entered: bool,
    /// Steps ticked.
    pub done: usize,
    /// Steps shown.
    pub total: usize,
    /// Every step, in order.
    pub steps: Vec<ChecklistReportStep>,
}

impl ChecklistCount {
    pub(crate) fn sample() -> Self {
        Self {
            phase: 2,
            done: 1,
            total: 3,
        }
    }
}

impl ChecklistSummary {
    pub(crate) fn sample() -> Self {
        Self {
            phase: 2,
            entered: true,
            done: 1,
            total: 3,
            done_by: Some(
                Markup::raw("<@1> (")
                    .text_then("Traffic redirected")
                    .raw_then(")"),
            ),
            skipped: Some("Maintenance mode on, Resources scaled up".into()),
        }
    }
}

impl ChecklistReport {
    pub(crate) fn sample() -> Self {
        Self {
            phase: 2,
            entered: true,
            done: 1,
            total: 2,
            steps: vec![
                ChecklistReportStep {
                    text: "Redirect traffic to backup servers".into(),
                    done_by: Some(Markup::raw("<@1>")),
                    done_at: Some("2026-11-26 12:10 UTC".into()),
                    state: "done".into(),
                },
                ChecklistReportStep {
                    text: "Enable maintenance mode if needed".into(),
                    done_by: None,
                    done_at: None,
                    state: "skipped".into(),
                },
            ],
        }
    }
}
