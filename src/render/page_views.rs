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
    /// The timeline's entry of an acknowledgement in PagerDuty.
    pub ack_entry: Option<PageAckEntry>,
    /// The timeline's entry of a raise while on-call was paged.
    pub raised: Option<PageRaised>,
    /// The label of the button that offers command.
    pub take_command_button: bool,
    /// The text of the page's link to the incident channel: the incident's number.
    pub channel_link: Option<u32>,
    /// The text of the page's link to the status page.
    pub status_link: bool,
}

/// The timeline's entry of an acknowledgement.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageAckEntry {
    /// Who: their Discord mention when mapped, else their PagerDuty name, escaped.
    pub who: Markup,
}

/// A raise of the severity while on-call was paged outside Discord.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageRaised {
    /// The new severity.
    pub to: String,
    /// The round of the page made anew under a new key (a rise to P0); none when the open
    /// page stays as it is.
    pub anew: Option<u32>,
    /// The services the new severity pages that the open page did not, paged now.
    pub also: Option<String>,
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
            ack_entry: Some(PageAckEntry {
                who: Markup::raw("<@1>"),
            }),
            raised: Some(PageRaised {
                to: "P0".into(),
                anew: Some(2),
                also: Some("ntfy".into()),
            }),
            take_command_button: true,
            channel_link: Some(4),
            status_link: true,
        }
    }
}
