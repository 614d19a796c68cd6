//! `page.hbs`: what a page outside Discord says (PagerDuty's summary, ntfy's title and
//! message, the all-clear), and the notice of an acknowledgement in PagerDuty.

use serde::Serialize;

use super::Markup;

/// `page.hbs`. Exactly one kind is set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageView {
    /// The page's one line: PagerDuty's summary, ntfy's title.
    pub title: Option<PageTitle>,
    /// The page's few lines more: ntfy's message.
    pub details: Option<PageDetails>,
    /// The all-clear, when the fix held.
    pub all_clear: Option<PageTitle>,
    /// In the incident channel: someone acknowledged the page in PagerDuty.
    pub acknowledged: Option<PageAcknowledged>,
    /// In place of the acknowledgement's button: who pressed **Take command**.
    pub took_command: Option<TookCommand>,
}

/// **Take command**, pressed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TookCommand {
    /// Who.
    pub who: Markup,
    /// The incident's number.
    pub number: u32,
}

/// Which incident a page is about. A security incident's says its number only.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageTitle {
    /// A security incident: nothing of the breach.
    pub security: bool,
    /// The incident's number.
    pub number: u32,
    /// Its severity.
    pub severity: String,
    /// Its title. Plain text for PagerDuty and ntfy, which show no Discord markdown, so it
    /// goes as typed.
    pub title: Markup,
}

/// The page's details.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageDetails {
    /// A security incident: nothing of the breach.
    pub security: bool,
    /// Its severity.
    pub severity: String,
    /// The systems affected, as typed (plain text, as the title).
    pub systems: Option<Markup>,
}

/// An acknowledgement in PagerDuty.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageAcknowledged {
    /// Who: their Discord mention when mapped, else their PagerDuty name, escaped.
    pub who: Markup,
    /// Nobody holds command: they are offered it.
    pub nobody_commands: bool,
}

impl PageView {
    /// Every kind at once, so that loading proves each block of the template renders.
    pub(crate) fn sample() -> Self {
        let title = PageTitle {
            security: false,
            number: 4,
            severity: "P0".into(),
            title: Markup::raw("Login down"),
        };
        Self {
            title: Some(title.clone()),
            details: Some(PageDetails {
                security: false,
                severity: "P0".into(),
                systems: Some(Markup::raw("Login")),
            }),
            all_clear: Some(title),
            acknowledged: Some(PageAcknowledged {
                who: Markup::raw("<@1>"),
                nobody_commands: true,
            }),
            took_command: Some(TookCommand {
                who: Markup::raw("<@1>"),
                number: 4,
            }),
        }
    }
}
