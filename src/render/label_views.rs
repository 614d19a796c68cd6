//! `labels.hbs`: the words on buttons, menus and forms. Discord shows them as plain text, so
//! the template is rendered without escaping, like the timeline's.

use serde::Serialize;

/// A button's label, a menu's placeholder, or a form's title, question or hint: `label`
/// names the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "label", rename_all = "snake_case")]
pub enum Label {
    /// An alert card's button declaring at a severity.
    Declare {
        /// `P1`.
        severity: String,
    },
    /// An alert card's button saying the alert is not real.
    NotReal,
    /// An alert card's menu of incidents to attach it to.
    AttachTo,
    /// The form asking why an alert is not real: its title.
    NotRealTitle,
    /// Its question.
    NotRealQuestion,
    /// Its hint.
    NotRealHint,
    /// A page's button to take the commander role.
    TakeCommand,
    /// The fix check's button: the fix held.
    FixHeld,
    /// The fix check's button: it did not hold.
    FixFailed,
    /// The form asking what is still wrong: its title.
    FixFailedTitle,
    /// Its question.
    FixFailedQuestion,
    /// Its hint.
    FixFailedHint,
    /// A runbook action's button that runs it.
    RunIt,
    /// The did-it-run question's button: it ran.
    ItRan,
    /// The did-it-run question's button: send it again.
    RunAgain,
    /// A checklist step's button.
    Step {
        /// The step's label.
        step: String,
        /// Whether it is ticked.
        ticked: bool,
    },
    /// The containment step's button starting maintenance.
    StartMaintenance,
    /// The recovery step's button ending maintenance.
    EndMaintenance,
    /// The all-clear reminder's button lifting a lockdown still in place.
    LiftLockdown,
    /// The translations form's button opening its next step.
    MoreLanguages,
    /// The translations form's field of titles, a `code: title` line per language.
    TranslatedTitles,
    /// The translations form's title: which step of how many.
    TranslationsTitle {
        /// This step, from 1.
        step: usize,
        /// How many steps the languages take.
        steps: usize,
    },
    /// The report form: its title.
    ReportTitle,
    /// Its title field.
    ReportTitleField,
    /// Its summary field.
    ReportSummaryField,
    /// Its severity field.
    ReportSeverityField,
    /// Its systems field.
    ReportSystemsField,
    /// The systems field's hint.
    ReportSystemsHint,
    /// The players' alerts button that gives the alert role.
    AlertsOn,
    /// The players' alerts button that takes it.
    AlertsOff,
    /// A person the post-mortem draft names who is no longer in the server.
    FormerMember,
    /// The maintenance checklist step's confirm button that starts maintenance mode.
    ConfirmMaintenanceOn {
        /// The systems going down, capped.
        systems: String,
        /// The window's length in minutes.
        minutes: i64,
    },
    /// The maintenance checklist step's confirm button that ends it.
    ConfirmMaintenanceOff,
    /// A phase as a heading names it: `Phase 1: Detection & Triage`. Templates include it as
    /// `{{> labels label="phase" number=…}}`.
    Phase {
        /// The phase's number, 1 to 5 ([`crate::domain::Phase::number`]).
        number: u8,
    },
    /// A phase's title alone: `Detection & Triage`.
    PhaseTitle {
        /// The phase's number, 1 to 5.
        number: u8,
    },
    /// An incident role's name: `Incident commander`. Templates include it as
    /// `{{> labels label="role" role=…}}`.
    Role {
        /// The role's key ([`crate::domain::IncidentRole::key`]).
        role: &'static str,
    },
    /// An incident role's name inside a sentence: `incident commander`.
    RoleLower {
        /// The role's key.
        role: &'static str,
    },
    /// The title of a status feed's (Atom) entry for what players were told:
    /// `Service alert: Login`.
    FeedUpdate {
        /// `alert`, `update` or `all_clear`.
        kind: &'static str,
        /// The systems it named, as the page names them.
        systems: String,
    },
    /// The title of a status feed's entry for a maintenance window's moment:
    /// `Scheduled maintenance: Database upgrade`.
    FeedWindow {
        /// `scheduled`, `in_progress` or `completed`.
        moment: &'static str,
        /// The window's title.
        title: String,
    },
}

/// `topic.hbs`: an incident channel's topic (Discord renders markdown in it, so the title is
/// escaped as in a message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicView {
    /// The incident's number.
    pub number: u32,
    /// `P1`.
    pub severity: String,
    /// The title; `None` for a security incident, whose topic says only that it is one.
    pub title: Option<String>,
}

impl TopicView {
    pub(crate) fn sample() -> Self {
        Self {
            number: 7,
            severity: "P1".into(),
            title: Some("Login **down**".into()),
        }
    }
}

impl Label {
    /// Every case, for `render labels` and the check at start.
    pub(crate) fn samples() -> Vec<Self> {
        vec![
            Self::Declare {
                severity: "P1".into(),
            },
            Self::NotReal,
            Self::AttachTo,
            Self::NotRealTitle,
            Self::NotRealQuestion,
            Self::NotRealHint,
            Self::TakeCommand,
            Self::FixHeld,
            Self::FixFailed,
            Self::FixFailedTitle,
            Self::FixFailedQuestion,
            Self::FixFailedHint,
            Self::RunIt,
            Self::ItRan,
            Self::RunAgain,
            Self::Step {
                step: "DB snapshot".into(),
                ticked: true,
            },
            Self::StartMaintenance,
            Self::EndMaintenance,
            Self::LiftLockdown,
            Self::MoreLanguages,
            Self::TranslatedTitles,
            Self::TranslationsTitle { step: 1, steps: 2 },
            Self::ReportTitle,
            Self::ReportTitleField,
            Self::ReportSummaryField,
            Self::ReportSeverityField,
            Self::ReportSystemsField,
            Self::ReportSystemsHint,
            Self::AlertsOn,
            Self::AlertsOff,
            Self::FormerMember,
            Self::ConfirmMaintenanceOn {
                systems: "Login, Matchmaking".into(),
                minutes: 30,
            },
            Self::ConfirmMaintenanceOff,
            Self::Phase { number: 1 },
            Self::PhaseTitle { number: 5 },
            Self::Role { role: "comms" },
            Self::RoleLower { role: "commander" },
            Self::FeedUpdate {
                kind: "all_clear",
                systems: "Login".into(),
            },
            Self::FeedWindow {
                moment: "in_progress",
                title: "Database upgrade".into(),
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{TemplateName, Templates};

    #[test]
    fn every_label_renders_in_one_line_within_discords_limits() {
        let templates = Templates::load(None).expect("the built-in templates load");
        let said = templates
            .render_samples(TemplateName::Labels)
            .expect("renders");
        assert_eq!(said.len(), Label::samples().len());
        for (label, text) in Label::samples().iter().zip(&said) {
            // A form's title and a question are cut by Discord past 45 characters, a button's
            // label past 80 and a hint past 100.
            let limit = match label {
                Label::NotRealTitle
                | Label::NotRealQuestion
                | Label::FixFailedTitle
                | Label::FixFailedQuestion
                | Label::ReportTitle
                | Label::ReportTitleField
                | Label::ReportSummaryField
                | Label::ReportSeverityField
                | Label::ReportSystemsField => 45,
                Label::NotRealHint | Label::FixFailedHint | Label::AttachTo => 100,
                _ => 80,
            };
            assert!(
                !text.is_empty() && !text.contains('\n') && text.chars().count() <= limit,
                "{label:?}: {text:?}"
            );
        }
        assert_eq!(templates.label(&Label::FixHeld), "The fix held");
        let step = Label::Step {
            step: "**DB** snapshot".into(),
            ticked: true,
        };
        assert_eq!(templates.label(&step), "✓ **DB** snapshot");
    }

    #[test]
    fn a_topic_escapes_the_title_and_a_security_one_names_none() {
        let templates = Templates::load(None).expect("the built-in templates load");
        let mut topic = TopicView::sample();
        let said = |t: &TopicView| templates.render(TemplateName::Topic, t).expect("renders");
        assert_eq!(said(&topic), "Incident #7 · P1 · Login \\*\\*down\\*\\*");
        topic.title = None;
        assert_eq!(said(&topic), "Incident #7: security, private");
    }
}
