//! Paging on-call outside Discord: which services a change pages, the jobs that do it, and the
//! acknowledgements that come back from PagerDuty.
//!
//! An incident's page has a round: its key (`incident-bot-<incident>-<round>`) is the same for
//! every call about that page, so a retried job never pages twice; a page made anew (a reopen
//! after the page was resolved, a rise to P0) takes the next round and so a new key.

use crate::app::App;
use crate::config::PageService;
use crate::domain::{IncidentId, Severity};

mod ack;
mod changes;
mod send;

pub use ack::{acknowledged, take_command, AckOutcome, Acknowledged};
pub(in crate::app) use changes::{on_change, on_declare};
pub(super) use send::perform;

/// The button that offers command to whoever acknowledged in PagerDuty.
pub const TAKE_COMMAND_BUTTON: &str = "take_command";

/// The key of `incident`'s page of `round`: nothing of the incident but its row id.
pub fn page_key(incident: IncidentId, round: u32) -> String {
    format!("incident-bot-{}-{round}", incident.0)
}

/// The incident and round a key of [`page_key`] names.
pub fn parse_page_key(key: &str) -> Option<(IncidentId, u32)> {
    let rest = key.strip_prefix("incident-bot-")?;
    let (id, round) = rest.split_once('-')?;
    Some((IncidentId(id.parse().ok()?), round.parse().ok()?))
}

/// The services an incident at `severity` pages, among those configured with a pager.
fn services_for(app: &App, severity: Severity) -> Vec<PageService> {
    let listed = app.settings.severity.get(severity).page_out.as_deref();
    app.settings
        .page_out
        .services(severity, listed)
        .into_iter()
        .filter(|s| app.pagers.of(*s).is_some())
        .collect()
}

fn names(services: &[PageService]) -> Vec<String> {
    services.iter().map(|s| s.as_str().to_owned()).collect()
}

fn services_named(names: &[String]) -> Vec<PageService> {
    PageService::ALL
        .into_iter()
        .filter(|s| names.iter().any(|n| n == s.as_str()))
        .collect()
}
