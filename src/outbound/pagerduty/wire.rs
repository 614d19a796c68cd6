//! PagerDuty's Events API v2 wire types, and the mapping from a [`Page`].

use serde::{Deserialize, Serialize};

use crate::app::{Page, PageAction};
use crate::domain::Severity;

/// `POST /v2/enqueue`'s body.
#[derive(Debug, Serialize)]
pub(super) struct Event<'a> {
    routing_key: &'a str,
    event_action: &'static str,
    dedup_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<Payload<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link<'a>>,
}

/// A trigger's payload.
#[derive(Debug, Serialize)]
struct Payload<'a> {
    summary: &'a str,
    severity: &'static str,
    source: &'static str,
}

/// A link shown on the alert.
#[derive(Debug, Serialize)]
struct Link<'a> {
    href: &'a str,
    text: &'a str,
}

/// PagerDuty's longest summary.
const MAX_SUMMARY: usize = 1024;

/// PagerDuty's severity of ours: P0 critical, P1 error, P2 warning, P3 info.
pub(super) fn severity(s: Severity) -> &'static str {
    match s {
        Severity::P0 => "critical",
        Severity::P1 => "error",
        Severity::P2 => "warning",
        Severity::P3 => "info",
    }
}

impl<'a> Event<'a> {
    /// The event of `page`, sent with `routing_key`.
    pub(super) fn of(page: &'a Page, routing_key: &'a str) -> Self {
        let trigger = page.action == PageAction::Trigger;
        let summary = match page.title.char_indices().nth(MAX_SUMMARY) {
            Some((end, _)) => &page.title[..end],
            None => &page.title,
        };
        Self {
            routing_key,
            event_action: match page.action {
                PageAction::Trigger => "trigger",
                PageAction::Acknowledge => "acknowledge",
                PageAction::Resolve => "resolve",
            },
            dedup_key: &page.key,
            payload: trigger.then(|| Payload {
                summary,
                severity: severity(page.severity),
                source: "incident-bot",
            }),
            client: trigger.then_some("incident-bot"),
            links: if trigger {
                page.links
                    .iter()
                    .map(|l| Link {
                        href: l.href.as_str(),
                        text: &l.text,
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// The 202 answer: `{status, message, dedup_key}`.
#[derive(Debug, Deserialize)]
pub(super) struct Accepted {
    /// The key the event went under.
    pub dedup_key: Option<String>,
}
