//! The `Pager` port: paging on-call outside Discord for an incident. Our words only: a page is
//! triggered, acknowledged or resolved under a key of the incident; each adapter
//! (`outbound::pagerduty`, `outbound::ntfy`) maps it to its service.

use std::sync::Arc;

use crate::clock::BoxFuture;
use crate::config::PageService;
use crate::domain::Severity;
use crate::scheduler::JobError;

/// What a page asks of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageAction {
    /// Wake on-call (or add to the open page of the same key).
    Trigger,
    /// Someone is on it.
    Acknowledge,
    /// The fix held: the page is over (an all-clear where the service has no resolve).
    Resolve,
}

/// A link the page carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    /// Where it goes.
    pub href: url::Url,
    /// What it is, as people read it.
    pub text: String,
}

/// One page of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// What to do.
    pub action: PageAction,
    /// The same for every call about one page of one incident, new for a page made anew:
    /// a retry never pages twice.
    pub key: String,
    /// One line: what on-call reads first.
    pub title: String,
    /// A few lines more (the all-clear's text on resolve).
    pub body: String,
    /// The incident's severity.
    pub severity: Severity,
    /// A security incident: goes to the security on-call only, and says nothing of the breach.
    pub security: bool,
    /// The incident channel, then the status page.
    pub links: Vec<PageLink>,
    /// An earlier attempt may have gone through unheard (its answer lost): a service without
    /// an idempotency key looks for it before sending again.
    pub tried_before: bool,
}

/// Paging on-call through one service.
pub trait Pager: Send + Sync {
    /// Sends `page`. `Ok(false)` when the service has nowhere to send it (a security page
    /// with no security target): nothing was sent, and nothing should be.
    fn send<'a>(&'a self, page: &'a Page) -> BoxFuture<'a, Result<bool, JobError>>;
}

/// The pagers the settings configure, by service.
#[derive(Clone, Default)]
pub struct Pagers {
    /// PagerDuty, when `[page_out.pagerduty]` is set.
    pub pagerduty: Option<Arc<dyn Pager>>,
    /// ntfy, when `[page_out.ntfy]` is set.
    pub ntfy: Option<Arc<dyn Pager>>,
}

impl Pagers {
    /// The pager of `service`, when configured.
    pub fn of(&self, service: PageService) -> Option<&Arc<dyn Pager>> {
        match service {
            PageService::PagerDuty => self.pagerduty.as_ref(),
            PageService::Ntfy => self.ntfy.as_ref(),
        }
    }
}

impl std::fmt::Debug for Pagers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pagers")
            .field("pagerduty", &self.pagerduty.is_some())
            .field("ntfy", &self.ntfy.is_some())
            .finish()
    }
}
