//! View models of maintenance windows: what players are told (🛠️), and what the staff read
//! (the answers of `/maintenance …`, its list and the reminder before a window starts).

use serde::Serialize;

use super::Markup;

/// Which moment of a window's life a message tells; one is set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// Announced.
    pub scheduled: bool,
    /// Moved to another time before it started.
    pub moved: bool,
    /// Under way.
    pub started: bool,
    /// Its end pushed back.
    pub extended: bool,
    /// Over.
    pub ended: bool,
    /// Called off before it started.
    pub cancelled: bool,
}

impl Stage {
    /// The stage of this name (`scheduled`, `moved`, `started`, `extended`, `ended`,
    /// `cancelled`); anything else sets none.
    pub fn named(name: &str) -> Self {
        Self {
            scheduled: name == "scheduled",
            moved: name == "moved",
            started: name == "started",
            extended: name == "extended",
            ended: name == "ended",
            cancelled: name == "cancelled",
        }
    }
}

/// `maintenance.hbs`: a maintenance window told to players, in the announcement channel.
#[derive(Debug, Clone, Serialize)]
pub struct MaintenanceNotice {
    /// Which moment it tells.
    pub stage: Stage,
    /// The window's title, as typed.
    pub title: String,
    /// The systems under maintenance, as typed.
    pub systems: String,
    /// What the staff asked players to be told, as typed.
    pub message: Option<String>,
    /// When it starts: a Discord timestamp.
    pub start: Markup,
    /// When it is planned to end: a Discord timestamp.
    pub end: Markup,
    /// The Discord event's link, to mark interest.
    pub event: Option<Markup>,
    /// The status page.
    pub status_url: String,
}

/// One window in `/maintenance list`.
#[derive(Debug, Clone, Serialize)]
pub struct MaintenanceLine {
    /// Its status, in Statuspage's words (`scheduled`, `in_progress`).
    pub status: String,
    /// Its title, as typed.
    pub title: String,
    /// Its systems, as typed.
    pub systems: String,
    /// When it starts: a Discord timestamp.
    pub start: Markup,
    /// When it ends: a Discord timestamp.
    pub end: Markup,
    /// How many members marked its event as interesting, when Discord said.
    pub interested: Option<u64>,
    /// The incident it is for (`#12`), if any.
    pub incident: Option<String>,
}

/// What a `/maintenance …` command did.
#[derive(Debug, Clone, Serialize)]
pub struct MaintenanceDone {
    /// Which command's doing it tells.
    pub stage: Stage,
    /// The window.
    pub window: MaintenanceLine,
}

/// The reminder to the staff before a window starts.
#[derive(Debug, Clone, Serialize)]
pub struct MaintenanceReminder {
    /// The roles pinged, built by the bot.
    pub ping: Option<Markup>,
    /// The window.
    pub window: MaintenanceLine,
    /// How soon it starts: a relative timestamp.
    pub starts: Markup,
}

/// `maintenance_staff.hbs`: what the staff read; one of the three is set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MaintenanceStaff {
    /// The answer to a command.
    pub done: Option<MaintenanceDone>,
    /// `/maintenance list`: the windows not over (empty: none).
    pub list: Option<Vec<MaintenanceLine>>,
    /// The reminder before a window starts.
    pub reminder: Option<MaintenanceReminder>,
}

impl MaintenanceLine {
    pub(crate) fn sample() -> Self {
        Self {
            status: "scheduled".into(),
            title: "Database upgrade".into(),
            systems: "Login, Store".into(),
            start: Markup::raw("<t:1764255600:f>"),
            end: Markup::raw("<t:1764262800:f>"),
            interested: Some(3),
            incident: Some("#4".into()),
        }
    }
}

impl MaintenanceNotice {
    /// Window `w` told at `stage` (see [`Stage::named`]), with its Discord event's link.
    pub fn of(
        w: &crate::domain::Window,
        stage: &str,
        event: Option<String>,
        status_url: &str,
    ) -> Self {
        Self {
            stage: Stage::named(stage),
            title: w.title.to_string(),
            systems: w.systems.display(),
            message: w.message.as_ref().map(ToString::to_string),
            start: Markup::raw(format!("<t:{}:F>", w.start.timestamp())),
            end: Markup::raw(format!("<t:{}:F>", w.end.timestamp())),
            event: event.map(Markup::raw),
            status_url: status_url.to_owned(),
        }
    }

    pub(crate) fn sample() -> Self {
        Self {
            stage: Stage::named("scheduled"),
            title: "Database upgrade".into(),
            systems: "Login, Store".into(),
            message: Some("We are moving to faster servers.".into()),
            start: Markup::raw("<t:1764255600:F>"),
            end: Markup::raw("<t:1764262800:F>"),
            event: Some(Markup::raw("https://discord.com/events/4/5")),
            status_url: "https://status.example.com".into(),
        }
    }
}

impl MaintenanceStaff {
    pub(crate) fn sample() -> Self {
        Self {
            done: Some(MaintenanceDone {
                stage: Stage::named("scheduled"),
                window: MaintenanceLine::sample(),
            }),
            list: Some(vec![MaintenanceLine::sample()]),
            reminder: Some(MaintenanceReminder {
                ping: Some(Markup::raw("<@&2>")),
                window: MaintenanceLine::sample(),
                starts: Markup::raw("<t:1764255600:R>"),
            }),
        }
    }
}
