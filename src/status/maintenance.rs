//! Maintenance windows on the status page: Statuspage's `scheduled_maintenances` (scheduled →
//! in progress → completed), the components `under_maintenance` while one runs, the page's
//! section and the feed's entries. Only what players were told: the title, the systems, the
//! times and the message; never who scheduled it or the incident it is for.

use chrono::{DateTime, Utc};

use super::build::Docs;
use super::statuspage::{self as sp, iso};
use crate::domain::{Window, WindowStatus};

/// What players may know of a maintenance window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicWindow {
    /// Its row id: the stable id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The systems under maintenance.
    pub systems: Vec<String>,
    /// What players were told, if anything beyond the title.
    pub message: Option<String>,
    /// When it was announced.
    pub created_at: DateTime<Utc>,
    /// When it is planned to start.
    pub start: DateTime<Utc>,
    /// When it is planned to end.
    pub end: DateTime<Utc>,
    /// Where it stands.
    pub status: WindowStatus,
    /// When it started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Its title and notice in the players' other languages.
    pub translations: Vec<(crate::domain::Locale, super::WindowText)>,
}

impl PublicWindow {
    /// The public parts of `w`.
    pub fn from_window(w: &Window) -> Self {
        Self {
            id: w.id,
            title: w.title.to_string(),
            systems: w.systems.names().map(str::to_owned).collect(),
            message: w.message.as_ref().map(ToString::to_string),
            created_at: w.created_at,
            start: w.start,
            end: w.end,
            status: w.status,
            started_at: w.started_at,
            ended_at: w.ended_at,
            translations: Vec::new(),
        }
    }

    /// Whether it is under way.
    pub fn running(&self) -> bool {
        self.status == WindowStatus::InProgress
    }

    /// Whether it is announced and not started.
    pub fn upcoming(&self) -> bool {
        self.status == WindowStatus::Scheduled
    }

    /// Whether it puts `system` under maintenance now.
    pub(super) fn holds(&self, system: &str) -> bool {
        self.running() && self.systems.iter().any(|s| s.eq_ignore_ascii_case(system))
    }

    /// When it last changed.
    pub(super) fn updated(&self) -> DateTime<Utc> {
        self.ended_at.or(self.started_at).unwrap_or(self.created_at)
    }

    /// Its moments players saw, oldest first: announced, started, ended.
    pub(super) fn moments(&self) -> Vec<(&'static str, DateTime<Utc>)> {
        let mut out = vec![("scheduled", self.created_at)];
        out.extend(self.started_at.map(|at| ("in_progress", at)));
        if self.status == WindowStatus::Completed {
            out.extend(self.ended_at.map(|at| ("completed", at)));
        }
        out
    }

    /// What each moment says: the message, else the title.
    pub(super) fn body(&self) -> String {
        self.message.clone().unwrap_or_else(|| self.title.clone())
    }
}

/// `w` as a Statuspage scheduled maintenance, its updates newest first.
pub(super) fn statuspage(docs: &Docs<'_>, w: &PublicWindow) -> sp::Maintenance {
    let id = crate::app::FeedItem::window_id(w.id);
    let mut updates: Vec<sp::IncidentUpdate> = w
        .moments()
        .into_iter()
        .map(|(status, at)| sp::IncidentUpdate {
            id: format!("{id}-{status}"),
            status,
            body: w.body(),
            incident_id: id.clone(),
            created_at: iso(at),
            updated_at: iso(at),
            display_at: iso(at),
            affected_components: None,
            deliver_notifications: true,
            custom_tweet: None,
            tweet_id: None,
        })
        .collect();
    updates.reverse();
    sp::Maintenance {
        name: w.title.clone(),
        status: match w.status {
            WindowStatus::Cancelled => "completed",
            s => s.as_str(),
        },
        created_at: iso(w.created_at),
        updated_at: iso(w.updated()),
        monitoring_at: None,
        resolved_at: w.ended_at.map(iso),
        impact: "maintenance",
        shortlink: format!("{}/#maintenance-{}", docs.url, w.id),
        started_at: iso(w.started_at.unwrap_or(w.start)),
        page_id: docs.page_id.clone(),
        incident_updates: updates,
        components: docs.components_of(&w.systems),
        scheduled_for: iso(w.start),
        scheduled_until: iso(w.end),
        id,
    }
}
