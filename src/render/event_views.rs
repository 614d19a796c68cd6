//! `event.hbs`: the name and description of a Discord scheduled event the bot makes (the
//! post-mortem's review meeting, a maintenance window). Discord shows them as plain text, so
//! the template is rendered without escaping, like a timeline entry. The marker that finds an
//! event again is the bot's, appended after the words and never a template's.

use serde::Serialize;

/// One text of an event: `text` names the case.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "text", rename_all = "snake_case")]
pub enum EventText {
    /// The review meeting's name.
    MeetingName {
        /// The incident's number.
        number: u32,
        /// Its title; `None` for a security incident, whose event names nothing but its number.
        title: Option<String>,
    },
    /// The review meeting's description.
    MeetingDescription {
        /// The incident's number.
        number: u32,
        /// `P1`; `None` for a security incident.
        severity: Option<String>,
        /// The systems, listed.
        systems: String,
    },
    /// A maintenance window's description.
    MaintenanceDescription {
        /// What the window's message says, if it has one.
        message: Option<String>,
        /// The systems, listed.
        systems: String,
    },
}

impl EventText {
    /// One view per case, for `render event` and the check at start.
    pub(crate) fn samples() -> Vec<Self> {
        vec![
            Self::MeetingName {
                number: 4,
                title: Some("Login down".into()),
            },
            Self::MeetingName {
                number: 4,
                title: None,
            },
            Self::MeetingDescription {
                number: 4,
                severity: Some("P0".into()),
                systems: "login, store".into(),
            },
            Self::MeetingDescription {
                number: 4,
                severity: None,
                systems: String::new(),
            },
            Self::MaintenanceDescription {
                message: Some("Matches pause for 20 minutes.".into()),
                systems: "login".into(),
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use crate::render::{TemplateName, Templates};

    #[test]
    fn every_event_text_reads_as_the_bot_always_wrote_it() {
        let said = Templates::load(None)
            .expect("the built-in templates load")
            .render_samples(TemplateName::Event)
            .expect("renders");
        assert_eq!(
            said,
            [
                "Post-mortem: #4 Login down",
                "Post-mortem: incident #4",
                "Post-mortem review meeting of incident #4 (P0, login, store). The draft: \
                 /postmortem draft in the incident's channel.",
                "Post-mortem review meeting of incident #4.",
                "Matches pause for 20 minutes.\n\nSystems: login",
            ]
        );
    }
}
