//! Maintenance windows: planned (`/maintenance schedule`) and unplanned (`/maintenance start`),
//! their life (scheduled → in progress → completed, or scheduled → cancelled, as Statuspage and
//! Discord's Scheduled Events both have it) and the rules of moving, extending and ending one.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};

use serde::{Deserialize, Serialize};

use super::text::{bounded_text, parse_field};

use super::{parse_duration, EventId, EventStatus, IncidentId, Systems, TextError, UserId};

bounded_text!(
    /// A window's title: the Scheduled Event's name, at most 100 characters (Discord's limit).
    WindowTitle, "The title", 100, false
);
bounded_text!(
    /// What players are told about a window, at most 600 characters, so that the event's
    /// description (message, systems and the marker) stays within Discord's 1,000.
    WindowMessage, "The message", 600, true
);

/// The shortest window.
pub const MIN_WINDOW: TimeDelta = TimeDelta::minutes(5);
/// The longest window (or extension): a week; longer is not maintenance but an outage.
pub const MAX_WINDOW: TimeDelta = TimeDelta::days(7);

/// Where a window stands, in Statuspage's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WindowStatus {
    /// Announced, not started.
    Scheduled,
    /// Running: its systems are under maintenance.
    InProgress,
    /// Over.
    Completed,
    /// Called off before it started.
    Cancelled,
}

impl WindowStatus {
    /// Its stored and Statuspage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "scheduled" => Self::Scheduled,
            "in_progress" => Self::InProgress,
            "completed" => Self::Completed,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }

    /// Whether it is over (completed or cancelled).
    pub fn is_over(self) -> bool {
        matches!(self, Self::Completed | Self::Cancelled)
    }

    /// The status its Discord event should have: the event follows the window.
    pub fn event_status(self) -> EventStatus {
        match self {
            Self::Scheduled => EventStatus::Scheduled,
            Self::InProgress => EventStatus::Active,
            Self::Completed => EventStatus::Completed,
            Self::Cancelled => EventStatus::Canceled,
        }
    }
}

impl fmt::Display for WindowStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A window that is refused or cannot change so.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum MaintenanceError {
    /// A duration that is not one.
    #[error("That is not a duration I understand: write it like `45m`, `2h` or `1h30m`")]
    Duration,
    /// Too short or too long.
    #[error("A maintenance window lasts from 5 minutes to 7 days: give a length in between")]
    Length,
    /// No system named.
    #[error("Name the systems under maintenance, e.g. `Login, Matchmaking`: players read them")]
    NoSystems,
    /// Nothing scheduled to move or cancel.
    #[error("No maintenance window is scheduled: `/maintenance list` shows them; a running one is extended or ended, not moved or cancelled")]
    NoneScheduled,
    /// Nothing running to extend or end.
    #[error("No maintenance window is running: `/maintenance list` shows them; a scheduled one is moved or cancelled")]
    NoneRunning,
    /// The incident is a security one.
    #[error("A security incident never opens a maintenance window: its message is a public statement. Start one without the incident if the game must go down")]
    Security,
    /// Its text would not fit Discord's event.
    #[error(transparent)]
    Text(#[from] TextError),
}

/// Reads a window's length (or an extension) as people write durations: `2h`, `1h30m`.
pub fn window_length(text: &str) -> Result<TimeDelta, MaintenanceError> {
    let length = parse_duration(text).ok_or(MaintenanceError::Duration)?;
    if !(MIN_WINDOW..=MAX_WINDOW).contains(&length) {
        return Err(MaintenanceError::Length);
    }
    Ok(length)
}

/// Parses an optional message, refusing what would not fit.
pub fn window_message(text: Option<&str>) -> Result<Option<WindowMessage>, MaintenanceError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Ok(Some(WindowMessage::parse(t)?)),
        None => Ok(None),
    }
}

/// Parses a title, or the default one from the systems.
pub fn window_title(
    text: Option<&str>,
    systems: &Systems,
) -> Result<WindowTitle, MaintenanceError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Ok(WindowTitle::parse(t)?),
        None => {
            let default = format!("Maintenance: {}", systems.display());
            let cut: String = default.chars().take(WindowTitle::MAX).collect();
            Ok(WindowTitle::parse(&cut)?)
        }
    }
}

/// A maintenance window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Its row id (0 before it is stored).
    pub id: i64,
    /// Its title.
    pub title: WindowTitle,
    /// The systems under maintenance (at least one).
    pub systems: Systems,
    /// What players are told, if anything beyond the systems and the times.
    pub message: Option<WindowMessage>,
    /// When it starts (for an unplanned one: when it was started).
    pub start: DateTime<Utc>,
    /// When it is planned to end.
    pub end: DateTime<Utc>,
    /// Where it stands.
    pub status: WindowStatus,
    /// The incident it was started for, if any.
    pub incident: Option<IncidentId>,
    /// Its Discord Scheduled Event, once created.
    pub event: Option<EventId>,
    /// Who created it.
    pub created_by: UserId,
    /// When it was created (players were told of it from then).
    pub created_at: DateTime<Utc>,
    /// When it actually started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it actually ended (or was cancelled).
    pub ended_at: Option<DateTime<Utc>>,
}

impl Window {
    /// Moves a scheduled window to `start`, keeping its length unless `length` is given.
    pub fn move_to(
        &mut self,
        start: DateTime<Utc>,
        length: Option<TimeDelta>,
    ) -> Result<(), MaintenanceError> {
        if self.status != WindowStatus::Scheduled {
            return Err(MaintenanceError::NoneScheduled);
        }
        let length = length.unwrap_or(self.end - self.start);
        self.start = start;
        self.end = start + length;
        Ok(())
    }

    /// Calls off a scheduled window.
    pub fn cancel(&mut self, now: DateTime<Utc>) -> Result<(), MaintenanceError> {
        if self.status != WindowStatus::Scheduled {
            return Err(MaintenanceError::NoneScheduled);
        }
        self.status = WindowStatus::Cancelled;
        self.ended_at = Some(now);
        Ok(())
    }

    /// Pushes the planned end of a running window back by `by`.
    pub fn extend(&mut self, by: TimeDelta) -> Result<(), MaintenanceError> {
        if self.status != WindowStatus::InProgress {
            return Err(MaintenanceError::NoneRunning);
        }
        if self.end + by - self.start > MAX_WINDOW {
            return Err(MaintenanceError::Length);
        }
        self.end += by;
        Ok(())
    }

    /// Starts it (its time came, or Discord started its event); false when it was already
    /// under way or over.
    pub fn begin(&mut self, now: DateTime<Utc>) -> bool {
        if self.status != WindowStatus::Scheduled {
            return false;
        }
        self.status = WindowStatus::InProgress;
        self.started_at = Some(now);
        true
    }

    /// Ends a running window; false when it was not running.
    pub fn finish(&mut self, now: DateTime<Utc>) -> bool {
        if self.status != WindowStatus::InProgress {
            return false;
        }
        self.status = WindowStatus::Completed;
        self.ended_at = Some(now);
        true
    }

    /// What the window becomes when its event is found in `event`: started, completed or
    /// cancelled on Discord; `None` when nothing changes.
    pub fn follow(&self, event: EventStatus) -> Option<WindowStatus> {
        match (self.status, event) {
            (WindowStatus::Scheduled, EventStatus::Active) => Some(WindowStatus::InProgress),
            (WindowStatus::Scheduled | WindowStatus::InProgress, EventStatus::Completed) => {
                Some(WindowStatus::Completed)
            }
            (WindowStatus::Scheduled, EventStatus::Canceled) => Some(WindowStatus::Cancelled),
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "maintenance_tests.rs"]
mod tests;
