//! What players may know of an incident and of each announcement: the public parts only.

use chrono::{DateTime, Utc};

use crate::domain::{Phase, Severity, Status};
use crate::status::statuspage::{Impact, IncidentState};
use crate::store::{AnnouncementKind, IncidentRecord};

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
pub(in crate::status) fn public_name(systems: &[String]) -> String {
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

    pub(in crate::status) fn started(&self) -> DateTime<Utc> {
        self.updates.first().map_or(DateTime::UNIX_EPOCH, |u| u.at)
    }

    pub(in crate::status) fn updated(&self) -> DateTime<Utc> {
        self.updates.last().map_or(DateTime::UNIX_EPOCH, |u| u.at)
    }

    /// When players were told it was over: the all-clear, else the verification or close.
    pub(in crate::status) fn over_at(&self) -> Option<DateTime<Utc>> {
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

    pub(super) fn affects(&self, system: &str) -> bool {
        self.systems.iter().any(|s| s.eq_ignore_ascii_case(system))
    }

    pub(super) fn update_state(&self, kind: AnnouncementKind) -> IncidentState {
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
