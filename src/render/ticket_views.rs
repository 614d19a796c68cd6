//! The views of the issue tracker's texts: `notice.hbs`'s line saying the incident's ticket
//! was opened, and `ticket.hbs`, every sentence the bot writes on a ticket (its title, its body,
//! its comments, an action item's issue).

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

/// Where a link starts in a rendered ticket text: then the index of its address in the
/// view's `links`, then [`LINK_TEXT`].
pub const LINK_START: char = '\u{E002}';
/// Where a link's words start, after its index.
pub const LINK_TEXT: char = '\u{E003}';
/// Where a link's words end.
pub const LINK_END: char = '\u{E004}';

/// `ticket.hbs`: every sentence the bot writes on an issue tracker's ticket. Exactly one kind
/// is set. The text is plain, one paragraph a line: the tracker's adapter escapes it for its
/// format (Markdown, Atlassian Document Format), so typed values go in as [`Markup`] of the
/// text as typed, with line breaks made spaces ([`TicketText::typed`]).
#[derive(Debug, Clone, Default, Serialize)]
pub struct TicketText {
    /// The incident's ticket's title.
    pub title: Option<TicketTitle>,
    /// The incident's ticket's body.
    pub body: Option<TicketBody>,
    /// A comment: the severity changed.
    pub severity_changed: Option<TicketSeverityChanged>,
    /// A comment: the fix is in.
    pub resolved: Option<TicketResolved>,
    /// The comment before the ticket is closed: the summary.
    pub closed: Option<TicketClosed>,
    /// The comment after it is reopened: why.
    pub reopened: Option<TicketReopened>,
    /// An action item's issue body.
    pub action: Option<TicketAction>,
}

/// A link in a ticket's text: the template writes `{{x.open}}words{{x.close}}`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TicketLink {
    /// Opens the link (its address is the view's link of this index).
    pub open: Markup,
    /// Closes it.
    pub close: Markup,
}

impl TicketLink {
    /// The link to the `index`th address the caller keeps.
    pub fn to(index: usize) -> Self {
        Self {
            open: Markup::raw(format!("{LINK_START}{index}{LINK_TEXT}")),
            close: Markup::raw(LINK_END.to_string()),
        }
    }
}

/// The title of an incident's ticket.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TicketTitle {
    /// The incident's number.
    pub number: u32,
    /// Its title, as typed.
    pub title: Markup,
}

/// The body of an incident's ticket.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TicketBody {
    /// The incident's number.
    pub number: u32,
    /// Its severity: `P0`.
    pub severity: String,
    /// The incident channel's name.
    pub channel_name: Markup,
    /// The link to the incident channel.
    pub channel: TicketLink,
    /// The link to its page on the status page (never for a security incident).
    pub status: Option<TicketLink>,
    /// Its summary, as typed.
    pub summary: Option<Markup>,
}

/// A severity change, as a comment.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TicketSeverityChanged {
    /// The severity before.
    pub from: String,
    /// The severity now.
    pub to: String,
    /// Why, as typed.
    pub reason: Option<Markup>,
}

/// The fix is in, as a comment.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TicketResolved {
    /// The root cause, as typed.
    pub root_cause: Markup,
}

/// The close summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TicketClosed {
    /// The severity at close.
    pub severity: String,
    /// When it was declared: `2026-12-06 08:00 UTC`.
    pub declared: Markup,
    /// The root cause, as typed.
    pub root_cause: Option<Markup>,
    /// The summary, as typed.
    pub summary: Option<Markup>,
}

/// A reopen, as a comment.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TicketReopened {
    /// Why, as typed.
    pub reason: Markup,
}

/// The body of an action item's issue.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TicketAction {
    /// Its group: `prevent`, `process`, or none.
    pub kind: Option<String>,
    /// The incident's number.
    pub number: u32,
    /// The incident's title, as typed.
    pub title: Markup,
    /// What is to be done, as typed.
    pub text: Markup,
}

impl TicketText {
    /// Text a person typed, for a ticket: as typed, on one line, without the characters that
    /// mark the bot's links and markup.
    pub fn typed(text: &str) -> Markup {
        let plain: String = text
            .chars()
            .filter(|c| !('\u{E000}'..='\u{E004}').contains(c))
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        Markup::raw(plain)
    }

    /// Every kind at once, so that loading proves each block of the template renders.
    pub(crate) fn sample() -> Self {
        let typed = |t: &str| Markup::raw(t);
        Self {
            title: Some(TicketTitle {
                number: 4,
                title: typed("Login down"),
            }),
            body: Some(TicketBody {
                number: 4,
                severity: "P0".into(),
                channel_name: typed("inc-4-login"),
                channel: TicketLink::to(0),
                status: Some(TicketLink::to(1)),
                summary: Some(typed("Nobody can log in.")),
            }),
            severity_changed: Some(TicketSeverityChanged {
                from: "P1".into(),
                to: "P0".into(),
                reason: Some(typed("every region")),
            }),
            resolved: Some(TicketResolved {
                root_cause: typed("a bad deploy"),
            }),
            closed: Some(TicketClosed {
                severity: "P0".into(),
                declared: Markup::raw("2026-12-06 08:00 UTC"),
                root_cause: Some(typed("a bad deploy")),
                summary: Some(typed("Nobody could log in for 40 minutes.")),
            }),
            reopened: Some(TicketReopened {
                reason: typed("errors are back"),
            }),
            action: Some(TicketAction {
                kind: Some("prevent".into()),
                number: 4,
                title: typed("Login down"),
                text: typed("Canary the login service"),
            }),
        }
    }
}
