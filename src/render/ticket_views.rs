//! The views of the issue tracker's texts: `notice.hbs`'s line saying the incident's ticket
//! was opened.

use serde::Serialize;

use super::Markup;

/// The incident's ticket, opened in the issue tracker.
#[derive(Debug, Clone, Serialize)]
pub struct TicketOpened {
    /// The tracker: GitHub, Jira, Linear.
    pub tracker: String,
    /// The ticket's key as the tracker shows it (a code span).
    pub key: Markup,
    /// Its address, built by the bot (`<https://…>`: no preview).
    pub url: Markup,
}

impl TicketOpened {
    /// A ticket in GitHub, for the samples of `notice.hbs`.
    pub(super) fn sample() -> Self {
        Self {
            tracker: "GitHub".into(),
            key: Markup::raw("`studio/incidents#42`"),
            url: Markup::raw("<https://github.com/studio/incidents/issues/42>"),
        }
    }
}
