//! The evidence phase 3 asks to gather (Sentry, Cloudflare analytics, server and database
//! logs): each of the incident's systems' link templates, filled with the incident's time range
//! (detection − 15 min to now), as link buttons under a message right after the checklist.

use chrono::TimeDelta;

use super::lifecycle::notice;
use super::{App, AppError, Button, ButtonStyle, Outbox};
use crate::domain::{fill_link, EvidenceLink};
use crate::render::{timestamp, EvidenceView, Notice};
use crate::store::IncidentRecord;

/// How long before detection the links look.
const BEFORE_DETECTION: TimeDelta = TimeDelta::minutes(15);

/// The incident's evidence links now, at most one message's buttons; a template `check`
/// would refuse is left out.
pub(in crate::app) fn links(app: &App, record: &IncidentRecord) -> Vec<EvidenceLink> {
    let i = &record.incident;
    let (from, to) = (i.detected_at - BEFORE_DETECTION, app.clock.now());
    let mut out: Vec<EvidenceLink> = Vec::new();
    for system in i.systems.names() {
        for template in app.settings.evidence_of(system) {
            match fill_link(&template, system, from, to) {
                Ok(link) if !out.contains(&link) => out.push(link),
                Ok(_) => {}
                Err(why) => tracing::warn!(%why, system, "an evidence link was left out"),
            }
        }
    }
    out.truncate(crate::config::MAX_LINKS);
    out
}

/// Queues the evidence message after phase 3's checklist, when the incident has links.
pub(in crate::app) fn say(
    app: &App,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
) -> Result<(), AppError> {
    let links = links(app, record);
    if links.is_empty() {
        return Ok(());
    }
    let i = &record.incident;
    let view = EvidenceView {
        systems: i.systems.display(),
        from: timestamp(i.detected_at - BEFORE_DETECTION),
        to: timestamp(app.clock.now()),
    };
    let buttons = links
        .into_iter()
        .map(|l| Button {
            custom_id: l.url,
            label: l.label,
            style: ButtonStyle::Link,
        })
        .collect();
    outbox.evidence_here(notice(app, &[], Notice::from(view))?, buttons);
    Ok(())
}
