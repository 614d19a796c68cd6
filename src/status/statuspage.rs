//! The Atlassian Statuspage v2 shapes (`/api/v2/*.json`) and how the bot's state maps onto
//! them. Field names and values follow Statuspage's public API documentation.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::domain::{Phase, Severity, Status};

/// An incident's impact, also the page's indicator. Ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    /// P3.
    None,
    /// P2.
    Minor,
    /// P1.
    Major,
    /// P0.
    Critical,
}

impl Impact {
    /// P0 critical, P1 major, P2 minor, P3 none.
    pub fn of(severity: Severity) -> Self {
        match severity {
            Severity::P0 => Self::Critical,
            Severity::P1 => Self::Major,
            Severity::P2 => Self::Minor,
            Severity::P3 => Self::None,
        }
    }

    /// The value in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Minor => "minor",
            Self::Major => "major",
            Self::Critical => "critical",
        }
    }

    /// A component's status while an incident of this impact affects it (a maintenance
    /// window under way says `under_maintenance` instead).
    pub fn component_status(self) -> &'static str {
        match self {
            Self::None => "operational",
            Self::Minor => "degraded_performance",
            Self::Major => "partial_outage",
            Self::Critical => "major_outage",
        }
    }

    /// The page's status description in JSON, as Statuspage words it.
    pub fn description(self) -> &'static str {
        match self {
            Self::None => "All Systems Operational",
            Self::Minor => "Minor Service Outage",
            Self::Major => "Partial System Outage",
            Self::Critical => "Major Service Outage",
        }
    }
}

/// An incident's status in Statuspage's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentState {
    /// Phases 1–3.
    Investigating,
    /// Phases 4–5 while the incident is open.
    Identified,
    /// A fix is in and being verified.
    Monitoring,
    /// The fix held (verified), or the incident is closed.
    Resolved,
}

impl IncidentState {
    /// Maps the bot's status and phase.
    pub fn of(status: Status, phase: Phase) -> Self {
        match status {
            Status::Open if phase.number() <= 3 => Self::Investigating,
            Status::Open => Self::Identified,
            Status::Verifying => Self::Monitoring,
            Status::Resolved | Status::Closed => Self::Resolved,
        }
    }

    /// The value in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Investigating => "investigating",
            Self::Identified => "identified",
            Self::Monitoring => "monitoring",
            Self::Resolved => "resolved",
        }
    }
}

/// ISO 8601 with milliseconds and `Z`.
pub fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `page`.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub id: String,
    pub name: String,
    pub url: String,
    pub time_zone: &'static str,
    pub updated_at: String,
}

/// `status`.
#[derive(Debug, Clone, Serialize)]
pub struct PageStatus {
    pub indicator: &'static str,
    pub description: &'static str,
}

/// One component.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub created_at: String,
    pub updated_at: String,
    pub position: usize,
    pub description: Option<String>,
    pub showcase: bool,
    pub start_date: Option<String>,
    pub group_id: Option<String>,
    pub page_id: String,
    pub group: bool,
    pub only_show_if_degraded: bool,
}

/// One incident update.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentUpdate {
    pub id: String,
    pub status: &'static str,
    pub body: String,
    pub incident_id: String,
    pub created_at: String,
    pub updated_at: String,
    pub display_at: String,
    pub affected_components: Option<Vec<serde_json::Value>>,
    pub deliver_notifications: bool,
    pub custom_tweet: Option<String>,
    pub tweet_id: Option<String>,
}

/// One incident.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub created_at: String,
    pub updated_at: String,
    pub monitoring_at: Option<String>,
    pub resolved_at: Option<String>,
    pub impact: &'static str,
    pub shortlink: String,
    pub started_at: String,
    pub page_id: String,
    pub incident_updates: Vec<IncidentUpdate>,
    pub components: Vec<Component>,
}

/// One scheduled maintenance: an incident's fields, with its window and impact
/// `maintenance`; its status `scheduled`, `in_progress` or `completed`.
#[derive(Debug, Clone, Serialize)]
pub struct Maintenance {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub created_at: String,
    pub updated_at: String,
    pub monitoring_at: Option<String>,
    pub resolved_at: Option<String>,
    pub impact: &'static str,
    pub shortlink: String,
    pub started_at: String,
    pub page_id: String,
    pub incident_updates: Vec<IncidentUpdate>,
    pub components: Vec<Component>,
    pub scheduled_for: String,
    pub scheduled_until: String,
}

/// `/api/v2/scheduled-maintenances.json`, `…/upcoming.json` and `…/active.json`.
#[derive(Debug, Serialize)]
pub struct MaintenancesDoc<'a> {
    pub page: &'a Page,
    pub scheduled_maintenances: &'a [Maintenance],
}

/// `/api/v2/status.json`.
#[derive(Debug, Serialize)]
pub struct StatusDoc<'a> {
    pub page: &'a Page,
    pub status: &'a PageStatus,
}

/// `/api/v2/summary.json`.
#[derive(Debug, Serialize)]
pub struct SummaryDoc<'a> {
    pub page: &'a Page,
    pub components: &'a [Component],
    pub incidents: &'a [Incident],
    pub scheduled_maintenances: &'a [Maintenance],
    pub status: &'a PageStatus,
}

/// `/api/v2/components.json`.
#[derive(Debug, Serialize)]
pub struct ComponentsDoc<'a> {
    pub page: &'a Page,
    pub components: &'a [Component],
}

/// `/api/v2/incidents.json` and `/api/v2/incidents/unresolved.json`.
#[derive(Debug, Serialize)]
pub struct IncidentsDoc<'a> {
    pub page: &'a Page,
    pub incidents: &'a [Incident],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bot_state_maps_onto_statuspage_values_as_the_readme_says() {
        let state = |status, n| IncidentState::of(status, Phase::from_number(n).expect("a phase"));
        for n in 1..=3 {
            assert_eq!(state(Status::Open, n), IncidentState::Investigating);
        }
        assert_eq!(state(Status::Open, 4), IncidentState::Identified);
        assert_eq!(state(Status::Open, 5), IncidentState::Identified);
        assert_eq!(state(Status::Verifying, 4), IncidentState::Monitoring);
        assert_eq!(state(Status::Resolved, 5), IncidentState::Resolved);
        assert_eq!(state(Status::Closed, 5), IncidentState::Resolved);
        let impacts: Vec<_> = [Severity::P0, Severity::P1, Severity::P2, Severity::P3]
            .into_iter()
            .map(|s| (Impact::of(s).as_str(), Impact::of(s).component_status()))
            .collect();
        assert_eq!(
            impacts,
            [
                ("critical", "major_outage"),
                ("major", "partial_outage"),
                ("minor", "degraded_performance"),
                ("none", "operational"),
            ]
        );
    }
}
