//! The Statuspage v2 documents (`/api/v2/*.json`), scheduled maintenances included.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{json, stable_id, Inputs, PublicIncident, PublicUpdate, SystemState};
use crate::status::board::Resource;
use crate::status::maintenance::{self, PublicWindow};
use crate::status::statuspage::{self as sp, iso, Impact, IncidentState};

/// What the Statuspage documents of one build share.
pub(in crate::status) struct Docs<'a> {
    /// The page's address, without a trailing slash.
    pub url: &'a str,
    pub page_id: String,
    /// When a public incident last changed.
    pub(super) updated: DateTime<Utc>,
    pub(super) systems: &'a [SystemState],
}

impl<'a> Docs<'a> {
    /// What the documents built from `inputs`, with its `systems`, share.
    pub(super) fn new(inputs: &Inputs<'a>, systems: &'a [SystemState]) -> Self {
        let url = inputs.url.trim_end_matches('/');
        let windows = inputs.maintenances.iter().map(PublicWindow::updated);
        let updated = inputs
            .incidents
            .iter()
            .map(PublicIncident::updated)
            .chain(windows)
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH);
        Self {
            url,
            page_id: stable_id("page", url),
            updated,
            systems,
        }
    }

    /// A system as the component at `position` (from 1).
    pub(super) fn component(&self, s: &SystemState, position: usize) -> sp::Component {
        sp::Component {
            id: s.id.clone(),
            name: s.name.clone(),
            status: if s.maintenance {
                "under_maintenance"
            } else {
                s.impact.component_status()
            },
            created_at: iso(DateTime::UNIX_EPOCH),
            updated_at: iso(self.updated),
            position,
            description: None,
            showcase: true,
            start_date: None,
            group_id: None,
            page_id: self.page_id.clone(),
            group: false,
            only_show_if_degraded: false,
        }
    }

    /// The components of `systems`, in the page's order.
    pub fn components_of(&self, systems: &[String]) -> Vec<sp::Component> {
        self.systems
            .iter()
            .enumerate()
            .filter(|(_, s)| systems.iter().any(|n| n.eq_ignore_ascii_case(&s.name)))
            .map(|(n, s)| self.component(s, n + 1))
            .collect()
    }

    /// An incident, its updates newest first, with the components it affects.
    pub(super) fn incident(&self, i: &PublicIncident) -> sp::Incident {
        let id = crate::app::FeedItem::incident_id(i.number);
        let mut updates: Vec<sp::IncidentUpdate> =
            i.updates.iter().map(|u| update(i, u, &id)).collect();
        updates.reverse();
        let monitoring_at = match i.state() {
            IncidentState::Monitoring | IncidentState::Resolved => i.resolved_at.map(iso),
            _ => None,
        };
        sp::Incident {
            name: i.name(),
            status: i.state().as_str(),
            created_at: iso(i.started()),
            updated_at: iso(i.updated()),
            monitoring_at,
            resolved_at: i.over_at().map(iso),
            impact: i.impact().as_str(),
            shortlink: format!("{}/incidents/{id}", self.url),
            started_at: iso(i.started()),
            page_id: self.page_id.clone(),
            incident_updates: updates,
            components: self.components_of(&i.systems),
            id,
        }
    }
}

/// One announcement of `i` as an incident update.
fn update(i: &PublicIncident, u: &PublicUpdate, incident_id: &str) -> sp::IncidentUpdate {
    sp::IncidentUpdate {
        id: u.id.to_string(),
        status: i.update_state(u.kind).as_str(),
        body: u.text.clone(),
        incident_id: incident_id.to_owned(),
        created_at: iso(u.at),
        updated_at: iso(u.at),
        display_at: iso(u.at),
        affected_components: None,
        deliver_notifications: true,
        custom_tweet: None,
        tweet_id: None,
    }
}

/// The Statuspage v2 routes (`/api/v2/*.json`).
pub(super) fn api_routes(
    inputs: &Inputs<'_>,
    docs: &Docs<'_>,
    impact: Impact,
) -> anyhow::Result<HashMap<String, Resource>> {
    let page = sp::Page {
        id: docs.page_id.clone(),
        name: inputs.name.to_owned(),
        url: docs.url.to_owned(),
        time_zone: "Etc/UTC",
        updated_at: iso(docs.updated),
    };
    let status = sp::PageStatus {
        indicator: impact.as_str(),
        description: impact.description(),
    };
    let components: Vec<sp::Component> = docs
        .systems
        .iter()
        .enumerate()
        .map(|(n, s)| docs.component(s, n + 1))
        .collect();
    let incidents: Vec<sp::Incident> = inputs.incidents.iter().map(|i| docs.incident(i)).collect();
    let unresolved: Vec<sp::Incident> = inputs
        .incidents
        .iter()
        .zip(&incidents)
        .filter(|(i, _)| i.unresolved())
        .map(|(_, j)| j.clone())
        .collect();
    let (current, mut routes) = maintenance_routes(inputs, docs, &page)?;
    let summary = sp::SummaryDoc {
        page: &page,
        components: &components,
        incidents: &unresolved,
        scheduled_maintenances: &current,
        status: &status,
    };
    let fixed = [
        (
            "/api/v2/status.json",
            json(&sp::StatusDoc {
                page: &page,
                status: &status,
            })?,
        ),
        ("/api/v2/summary.json", json(&summary)?),
        (
            "/api/v2/components.json",
            json(&sp::ComponentsDoc {
                page: &page,
                components: &components,
            })?,
        ),
        (
            "/api/v2/incidents.json",
            json(&sp::IncidentsDoc {
                page: &page,
                incidents: &incidents,
            })?,
        ),
        (
            "/api/v2/incidents/unresolved.json",
            json(&sp::IncidentsDoc {
                page: &page,
                incidents: &unresolved,
            })?,
        ),
    ];
    routes.extend(
        fixed
            .into_iter()
            .map(|(route, doc)| (route.to_owned(), doc)),
    );
    Ok(routes)
}

/// The windows ahead or under way (the summary's), and the scheduled-maintenances routes:
/// every window players were told of, the upcoming ones and the active ones.
fn maintenance_routes(
    inputs: &Inputs<'_>,
    docs: &Docs<'_>,
    page: &sp::Page,
) -> anyhow::Result<(Vec<sp::Maintenance>, HashMap<String, Resource>)> {
    let windows: Vec<sp::Maintenance> = inputs
        .maintenances
        .iter()
        .map(|w| maintenance::statuspage(docs, w))
        .collect();
    let pick = |keep: fn(&PublicWindow) -> bool| -> Vec<sp::Maintenance> {
        inputs
            .maintenances
            .iter()
            .zip(&windows)
            .filter(|(w, _)| keep(w))
            .map(|(_, m)| m.clone())
            .collect()
    };
    let doc = |list: &[sp::Maintenance]| {
        json(&sp::MaintenancesDoc {
            page,
            scheduled_maintenances: list,
        })
    };
    let mut routes = HashMap::new();
    let base = "/api/v2/scheduled-maintenances";
    routes.insert(format!("{base}.json"), doc(&windows)?);
    let upcoming = pick(PublicWindow::upcoming);
    routes.insert(format!("{base}/upcoming.json"), doc(&upcoming)?);
    let active = pick(PublicWindow::running);
    routes.insert(format!("{base}/active.json"), doc(&active)?);
    // The summary lists what is ahead or under way, as Statuspage's does.
    Ok((pick(|w| w.upcoming() || w.running()), routes))
}
