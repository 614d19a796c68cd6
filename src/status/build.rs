//! From what players were told to every route's bytes: pure, no IO.

use std::collections::HashMap;

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::atom;
use super::board::{fnv64, Resource, Snapshot};
use super::game;
use super::maintenance::{self, PublicWindow};
use super::page::{self, PageTemplates};
use super::statuspage::{self as sp, iso, Impact, IncidentState};
use crate::config::GameStatusSettings;
use crate::domain::{Phase, Severity, Status};
use crate::store::{AnnouncementKind, IncidentRecord};

/// How many days the history strip and the feeds go back.
pub const HISTORY_DAYS: i64 = 90;

/// One announcement players read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUpdate {
    /// The announcement's row id: a stable id.
    pub id: i64,
    /// Alert, update or all-clear.
    pub kind: AnnouncementKind,
    /// When it was posted.
    pub at: DateTime<Utc>,
    /// Its text, as players read it.
    pub text: String,
    /// The systems it told players were affected.
    pub systems: Vec<String>,
    /// The severity it was made at.
    pub severity: Severity,
    /// Its text in the players' other languages (plain text), by locale.
    pub translations: Vec<(crate::domain::Locale, String)>,
    /// The incident's public title per locale typed with it, if any.
    pub titles: Vec<(crate::domain::Locale, String)>,
}

/// The public name of an incident said to affect `systems`.
pub(super) fn public_name(systems: &[String]) -> String {
    if systems.is_empty() {
        "Problems with our services".to_owned()
    } else {
        format!("Problems with {}", systems.join(", "))
    }
}

/// What players may know of an incident. Built only from the public parts of the record: no
/// title, summary, note, timeline or person; its systems and severity are those of the last
/// announcement, never the record's current ones (a correction nobody announced is not public).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicIncident {
    /// Its number: the stable id and the page's address.
    pub number: u32,
    /// Its severity.
    pub severity: Severity,
    /// Its status.
    pub status: Status,
    /// Its phase.
    pub phase: Phase,
    /// The affected systems, as the last announcement named them.
    pub systems: Vec<String>,
    /// When the fix was applied, if it was.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When it was verified or closed, if it was.
    pub ended_at: Option<DateTime<Utc>>,
    /// What players were told, oldest first; never empty for a listed incident.
    pub updates: Vec<PublicUpdate>,
    /// The flags set with `/incident flag`, for the game client (`ranked_disabled`).
    pub flags: Vec<String>,
}

impl PublicIncident {
    /// Takes the public parts of `record`, and what its last announcement of `updates` said
    /// (`None` when there is none: nothing to show).
    pub fn from_record(record: &IncidentRecord, updates: Vec<PublicUpdate>) -> Option<Self> {
        let i = &record.incident;
        let told = updates.last()?;
        Some(Self {
            number: record.number.0,
            severity: told.severity,
            status: i.status,
            phase: i.phase,
            systems: told.systems.clone(),
            resolved_at: i.resolved_at,
            ended_at: i.verified_at.or(i.closed_at),
            updates,
            flags: Vec::new(),
        })
    }

    /// Its state in Statuspage's words.
    pub fn state(&self) -> IncidentState {
        IncidentState::of(self.status, self.phase)
    }

    /// Whether players still see it as going on.
    pub fn unresolved(&self) -> bool {
        self.state() != IncidentState::Resolved
    }

    /// Its impact.
    pub fn impact(&self) -> Impact {
        Impact::of(self.severity)
    }

    /// Its public name, from what the last announcement said (the title is internal).
    pub fn name(&self) -> String {
        public_name(&self.systems)
    }

    pub(super) fn started(&self) -> DateTime<Utc> {
        self.updates.first().map_or(DateTime::UNIX_EPOCH, |u| u.at)
    }

    pub(super) fn updated(&self) -> DateTime<Utc> {
        self.updates.last().map_or(DateTime::UNIX_EPOCH, |u| u.at)
    }

    /// When players were told it was over: the all-clear, else the verification or close.
    pub(super) fn over_at(&self) -> Option<DateTime<Utc>> {
        if self.unresolved() {
            return None;
        }
        self.updates
            .iter()
            .rev()
            .find(|u| u.kind == AnnouncementKind::AllClear)
            .map(|u| u.at)
            .or(self.ended_at)
            .or(Some(self.updated()))
    }

    fn affects(&self, system: &str) -> bool {
        self.systems.iter().any(|s| s.eq_ignore_ascii_case(system))
    }

    fn update_state(&self, kind: AnnouncementKind) -> IncidentState {
        match kind {
            AnnouncementKind::Alert => IncidentState::Investigating,
            AnnouncementKind::AllClear => IncidentState::Resolved,
            AnnouncementKind::Update => match self.state() {
                IncidentState::Resolved => IncidentState::Identified,
                s => s,
            },
        }
    }
}

/// What a snapshot is built from.
#[derive(Debug)]
pub struct Inputs<'a> {
    /// The page's name.
    pub name: &'a str,
    /// The page's public address.
    pub url: &'a str,
    /// The systems of `[systems] catalogue`.
    pub catalogue: &'a [String],
    /// When it is built.
    pub now: DateTime<Utc>,
    /// The public incidents, newest first.
    pub incidents: &'a [PublicIncident],
    /// The maintenance windows players were told of, soonest first.
    pub maintenances: &'a [PublicWindow],
    /// `[status.game]`.
    pub game: &'a GameStatusSettings,
    /// `[players] locales`: the languages the feeds carry besides the seed's English.
    pub locales: &'a [crate::domain::Locale],
}

/// One system's current state and its history.
#[derive(Debug, Clone)]
pub(super) struct SystemState {
    pub name: String,
    pub id: String,
    pub impact: Impact,
    /// Whether a maintenance window under way holds it.
    pub maintenance: bool,
    /// Oldest day first: the worst impact of a public incident that day, if any.
    pub days: Vec<(NaiveDate, Option<Impact>)>,
}

fn stable_id(kind: &str, name: &str) -> String {
    format!(
        "{:012x}",
        fnv64(format!("{kind}:{}", name.to_lowercase()).as_bytes()) & 0xffff_ffff_ffff
    )
}

/// The catalogue, then any other system an unresolved incident or a window under way names.
pub(super) fn systems(inputs: &Inputs<'_>) -> Vec<SystemState> {
    let mut names: Vec<String> = inputs.catalogue.to_vec();
    let open = inputs.incidents.iter().filter(|i| i.unresolved());
    let named = open.map(|i| &i.systems);
    let held = inputs.maintenances.iter().filter(|w| w.running());
    for systems in named.chain(held.map(|w| &w.systems)) {
        for s in systems {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(s)) {
                names.push(s.clone());
            }
        }
    }
    let today = inputs.now.date_naive();
    names
        .into_iter()
        .map(|name| {
            let impact = inputs
                .incidents
                .iter()
                .filter(|i| i.unresolved() && i.affects(&name))
                .map(PublicIncident::impact)
                .max()
                .unwrap_or(Impact::None);
            let days = (0..HISTORY_DAYS)
                .rev()
                .map(|back| {
                    let day = today - TimeDelta::days(back);
                    let worst = inputs
                        .incidents
                        .iter()
                        .filter(|i| i.affects(&name))
                        .filter(|i| {
                            let from = i.started().date_naive();
                            let to = i.over_at().unwrap_or(inputs.now).date_naive();
                            from <= day && day <= to
                        })
                        .map(PublicIncident::impact)
                        .max();
                    (day, worst)
                })
                .collect();
            SystemState {
                id: stable_id("component", &name),
                maintenance: inputs.maintenances.iter().any(|w| w.holds(&name)),
                name,
                impact,
                days,
            }
        })
        .collect()
}

/// The worst impact among unresolved incidents.
pub(super) fn overall(incidents: &[PublicIncident]) -> Impact {
    incidents
        .iter()
        .filter(|i| i.unresolved())
        .map(PublicIncident::impact)
        .max()
        .unwrap_or(Impact::None)
}

fn json(value: &impl serde::Serialize) -> anyhow::Result<Resource> {
    let body = serde_json::to_vec(value).context("serialising the status JSON")?;
    Ok(Resource::new(body, "application/json"))
}

/// Renders every route.
pub fn build(inputs: &Inputs<'_>, templates: &PageTemplates) -> anyhow::Result<Snapshot> {
    let systems = systems(inputs);
    let impact = overall(inputs.incidents);
    let docs = Docs::new(inputs, &systems);
    let mut routes = api_routes(inputs, &docs, impact)?;
    routes.insert(
        "/game-status.json".to_owned(),
        json(&game::feed(inputs, &docs.page_id))?,
    );
    let html = "text/html; charset=utf-8";
    let view = page::page_view(inputs, &systems, impact);
    routes.insert(
        "/".to_owned(),
        Resource::new(templates.render_page(&view)?, html),
    );
    for incident in inputs.incidents {
        let view = page::incident_view(inputs, incident);
        routes.insert(
            format!("/incidents/{}", incident.number),
            Resource::new(templates.render_incident(&view)?, html),
        );
    }
    routes.insert(
        "/uptime.png".to_owned(),
        Resource::new(uptime_png(inputs, &systems)?, "image/png"),
    );
    routes.insert(
        "/history.atom".to_owned(),
        Resource::new(
            atom::feed(inputs, docs.updated),
            "application/atom+xml; charset=utf-8",
        ),
    );
    Ok(Snapshot::new(routes))
}

/// A day's level in the picture: the page's colours, `none` and a quiet day alike.
fn level(impact: Option<Impact>) -> usize {
    match impact {
        None | Some(Impact::None) => 0,
        Some(Impact::Minor) => 1,
        Some(Impact::Major) => 2,
        Some(Impact::Critical) => 3,
    }
}

/// The history strips as a picture (`/uptime.png`), for embedding elsewhere: the same days and
/// colours as the page, titled with the page's name.
fn uptime_png(inputs: &Inputs<'_>, systems: &[SystemState]) -> anyhow::Result<Vec<u8>> {
    let rows: Vec<crate::chart::UptimeRow> = systems
        .iter()
        .map(|s| crate::chart::UptimeRow {
            name: s.name.clone(),
            days: s.days.iter().map(|(_, i)| level(*i)).collect(),
        })
        .collect();
    let day = |d: Option<&(NaiveDate, Option<Impact>)>| {
        d.map(|(day, _)| day.to_string()).unwrap_or_default()
    };
    let days = systems
        .first()
        .map(|s| s.days.as_slice())
        .unwrap_or_default();
    let (first, last) = (day(days.first()), day(days.last()));
    crate::chart::uptime_png(&crate::chart::UptimeChart {
        title: inputs.name,
        rows: &rows,
        span: (&first, &last),
        legend: [Impact::None, Impact::Minor, Impact::Major, Impact::Critical]
            .map(Impact::component_words),
    })
}

/// What the Statuspage documents of one build share.
pub(super) struct Docs<'a> {
    /// The page's address, without a trailing slash.
    pub url: &'a str,
    pub page_id: String,
    /// When a public incident last changed.
    updated: DateTime<Utc>,
    systems: &'a [SystemState],
}

impl<'a> Docs<'a> {
    /// What the documents built from `inputs`, with its `systems`, share.
    fn new(inputs: &Inputs<'a>, systems: &'a [SystemState]) -> Self {
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
    fn component(&self, s: &SystemState, position: usize) -> sp::Component {
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
    fn incident(&self, i: &PublicIncident) -> sp::Incident {
        let id = i.number.to_string();
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
fn api_routes(
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

/// What a status webhook carries: the page's id and state, and each incident and window as
/// `/api/v2` serves it.
pub fn feed(inputs: &Inputs<'_>) -> anyhow::Result<crate::app::PublicState> {
    let systems = systems(inputs);
    let docs = Docs::new(inputs, &systems);
    let impact = overall(inputs.incidents);
    let mut items = Vec::new();
    for i in inputs.incidents {
        let incident = docs.incident(i);
        items.push(crate::app::FeedItem {
            id: incident.id.clone(),
            current: i.unresolved(),
            json: serde_json::to_value(incident).context("serialising an incident")?,
        });
    }
    for w in inputs.maintenances {
        let window = maintenance::statuspage(&docs, w);
        items.push(crate::app::FeedItem {
            id: window.id.clone(),
            current: w.upcoming() || w.running(),
            json: serde_json::to_value(window).context("serialising a maintenance")?,
        });
    }
    Ok(crate::app::PublicState {
        page: crate::app::FeedPage {
            id: docs.page_id.clone(),
            status_indicator: impact.as_str().to_owned(),
            status_description: impact.description().to_owned(),
        },
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(number: u32, severity: Severity, status: Status, days_ago: i64) -> PublicIncident {
        let now = Utc::now();
        PublicIncident {
            number,
            severity,
            status,
            phase: Phase::Triage,
            systems: vec!["login".into()],
            resolved_at: None,
            ended_at: None,
            flags: vec![],
            updates: vec![PublicUpdate {
                id: i64::from(number),
                kind: AnnouncementKind::Alert,
                at: now - TimeDelta::days(days_ago),
                text: "🚨".into(),
                systems: vec!["login".into()],
                severity,
                translations: Vec::new(),
                titles: Vec::new(),
            }],
        }
    }

    #[test]
    fn systems_take_the_worst_open_impact_and_the_strip_marks_each_day() {
        let now = Utc::now();
        let incidents = [
            incident(2, Severity::P1, Status::Open, 0),
            incident(1, Severity::P0, Status::Closed, 3),
        ];
        let catalogue = ["Login".to_owned(), "Store".to_owned()];
        let inputs = Inputs {
            name: "S",
            url: "https://s.example/",
            catalogue: &catalogue,
            now,
            incidents: &incidents,
            maintenances: &[],
            locales: &[],
            game: &GameStatusSettings {
                platforms: vec!["windows".into()],
                severity: crate::config::GameSeverities {
                    p0: crate::config::GameSeverity::Critical,
                    p1: crate::config::GameSeverity::Critical,
                    p2: crate::config::GameSeverity::Warning,
                    p3: crate::config::GameSeverity::Info,
                },
            },
        };
        let systems = systems(&inputs);
        assert_eq!(
            systems[0].impact,
            Impact::Major,
            "matched case-insensitively"
        );
        assert_eq!(systems[1].impact, Impact::None);
        let days = &systems[0].days;
        assert_eq!(days.len(), 90);
        assert_eq!(days[89].1, Some(Impact::Major));
        assert_eq!(days[86].1, Some(Impact::Critical));
        assert_eq!(days[85].1, None);
        assert_eq!(overall(&incidents), Impact::Major);
    }
}
