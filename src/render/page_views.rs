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
    /// The text of the page's link to the incident channel: the incident's number.
    pub channel_link: Option<u32>,
    /// The text of the page's link to the status page.
    pub status_link: bool,
}

/// The timeline's entry of an acknowledgement.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageAckEntry {
    /// Who: their Discord mention when mapped, else their PagerDuty name as given (the
    /// timeline keeps plain text); none when PagerDuty named nobody.
    pub who: Option<Markup>,
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
    /// Who: their Discord mention when mapped, else their PagerDuty name, escaped; none when
    /// PagerDuty named nobody.
    pub who: Option<Markup>,
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
                who: Some(Markup::raw("<@1>")),
                nobody_commands: true,
            }),
            took_command: Some(TookCommand {
                who: Markup::raw("<@1>"),
                number: 4,
            }),
            ack_entry: Some(PageAckEntry {
                who: Some(Markup::raw("<@1>")),
            }),
            raised: Some(PageRaised {
                to: "P0".into(),
                anew: Some(2),
                also: Some("ntfy".into()),
            }),
            channel_link: Some(4),
            status_link: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{TemplateName, Templates};

    fn page(view: &PageView) -> String {
        Templates::load(None)
            .expect("built-in templates load")
            .render(TemplateName::Page, view)
            .expect("page.hbs renders")
    }

    #[test]
    fn an_acknowledgement_by_nobody_named_says_someone() {
        let entry = |who| PageView {
            ack_entry: Some(PageAckEntry { who }),
            ..PageView::default()
        };
        assert_eq!(page(&entry(None)), "Acknowledged in PagerDuty by someone");
        assert_eq!(
            page(&entry(Some(Markup::raw("Dana **On-call**")))),
            "Acknowledged in PagerDuty by Dana **On-call**"
        );
        let notice = page(&PageView {
            acknowledged: Some(PageAcknowledged {
                who: None,
                nobody_commands: true,
            }),
            ..PageView::default()
        });
        assert!(notice.contains("by someone.**"), "{notice}");
        assert!(notice.contains("yet: press **Take command**"), "{notice}");
    }

    #[test]
    fn a_raise_says_whether_it_paged_anew_or_what_it_added() {
        let raised = |anew, also: Option<&str>| {
            page(&PageView {
                raised: Some(PageRaised {
                    to: "P0".into(),
                    anew,
                    also: also.map(str::to_owned),
                }),
                ..PageView::default()
            })
        };
        assert!(raised(Some(2), None).ends_with("paged anew under a new key (page 2)"));
        assert!(raised(None, None).ends_with("the open page stays as it is"));
        assert!(raised(None, Some("ntfy")).ends_with("and ntfy is paged too"));
    }
}
