//! `postmortem_reason.hbs`: why an incident has a post-mortem or none, from the domain's
//! [`PostmortemReason`]. The output is plain text: the notice, the reminder and the refusal
//! that show it escape it there, and the timeline stores it, like its own entries.

use super::{RenderError, TemplateName, Templates};
use crate::domain::{PostmortemReason, Severity};

impl Templates {
    /// The words of `reason`, as plain text.
    pub fn postmortem_reason(&self, reason: &PostmortemReason) -> Result<String, RenderError> {
        self.render(TemplateName::PostmortemReason, reason)
    }
}

/// One reason of each kind, for `render postmortem_reason` and the check at start.
pub(super) fn samples() -> Vec<PostmortemReason> {
    use PostmortemReason as R;
    vec![
        R::EverySeverity {
            severity: Severity::P0,
        },
        R::Recurrence {
            severity: Severity::P1,
            system: "Login".into(),
            earlier_severity: Severity::P0,
            earlier_number: 7,
            days: 30,
        },
        R::OnlyIfAsked {
            severity: Severity::P2,
        },
        R::NoRecurrence {
            severity: Severity::P1,
            systems: "Login, Store".into(),
            days: 30,
        },
        R::Optional {
            severity: Severity::P2,
        },
        R::Said {
            text: "optional for a P3 incident, started with /postmortem start".into(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use crate::render::{TemplateName, Templates};

    #[test]
    fn each_postmortem_reason_reads_as_the_sentence_it_was_stored_as() {
        let said = Templates::load(None)
            .expect("the built-in templates load")
            .render_samples(TemplateName::PostmortemReason)
            .expect("renders");
        assert_eq!(
            said,
            [
                "every P0 incident gets a post-mortem",
                "Login already had P0 incident #7 within the last 30 days, so this P1 is a \
                 recurrence",
                "P2 incidents need one only if a team lead asks",
                "no earlier P0/P1 on Login, Store within the last 30 days, so this P1 is not a \
                 recurrence",
                "optional for a P2 incident, started with /postmortem start",
                "optional for a P3 incident, started with /postmortem start",
            ]
        );
    }
}
