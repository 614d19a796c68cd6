//! View models: one `Serialize` struct per template, built from domain types.
//!
//! Fields written with `{{{…}}}` in the templates (pings, mentions, timestamps) are built here
//! by the bot; every other field is user text and is escaped when rendered.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::domain::{Incident, IncidentNumber, PhaseBudgets, RoleId, UserId};

/// A Discord timestamp tag, shown in each reader's own time zone: `<t:1700000000:f>`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    format!("<t:{}:f>", at.timestamp())
}

/// A Discord relative timestamp tag: `<t:1700000000:R>` ("in 5 minutes").
pub fn relative(at: DateTime<Utc>) -> String {
    format!("<t:{}:R>", at.timestamp())
}

/// A user mention (shown as the name; pings only if `allowed_mentions` lets it).
pub fn mention(user: UserId) -> String {
    format!("<@{user}>")
}

/// Role mentions for a ping, space-separated; `None` when there are none.
pub fn role_pings(roles: &[RoleId]) -> Option<String> {
    (!roles.is_empty()).then(|| {
        roles
            .iter()
            .map(|r| format!("<@&{r}>"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// A duration as people say it: `1h 5m`, `45s`.
pub fn human(d: TimeDelta) -> String {
    let secs = d.num_seconds().max(0);
    let (days, hours, mins, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let parts: Vec<String> = [(days, "d"), (hours, "h"), (mins, "m")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if parts.is_empty() {
        format!("{s}s")
    } else {
        parts.join(" ")
    }
}

/// `service_alert.hbs`: the plan's 🚨 alert.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceAlert {
    /// The opt-in player role to ping, built by the bot.
    pub ping: Option<String>,
    /// The affected system(s), `[SYSTEM]` in the plan.
    pub system: String,
    /// The ETA, `[TIME]` in the plan.
    pub eta: String,
    /// The status page.
    pub status_url: String,
}

/// `all_clear.hbs`: the plan's ✅ all-clear.
#[derive(Debug, Clone, Serialize)]
pub struct AllClear {
    /// The affected system(s).
    pub system: String,
    /// The root cause, `[BRIEF EXPLANATION]` in the plan.
    pub root_cause: String,
    /// The compensation offered, if any.
    pub compensation: Option<String>,
}

/// `status_update.hbs`: a status update for players.
#[derive(Debug, Clone, Serialize)]
pub struct StatusUpdate {
    /// The affected system(s).
    pub system: String,
    /// The update.
    pub message: String,
    /// The ETA, if given.
    pub eta: Option<String>,
    /// The status page.
    pub status_url: String,
}

/// `checklist.hbs`: a phase, its deadline and its checklist.
#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    /// 1 to 5.
    pub phase_number: u8,
    /// The plan's title of the phase.
    pub phase_title: String,
    /// When it should be over, as Discord timestamps.
    pub phase_deadline: Option<String>,
    /// The plan's checklist.
    pub checklist: Vec<String>,
}

impl Checklist {
    /// The checklist of the incident's current phase, with its deadline.
    pub fn current(incident: &Incident, budgets: &PhaseBudgets) -> Self {
        let deadline = budgets
            .deadline_offset(incident.phase)
            .map(|d| incident.declared_at + d)
            .map(|at| format!("{} ({})", timestamp(at), relative(at)));
        Self {
            phase_number: incident.phase.number(),
            phase_title: incident.phase.title().to_owned(),
            phase_deadline: deadline,
            checklist: incident
                .phase
                .checklist(incident.kind)
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }
}

/// `intro.hbs`: the pinned first message of an incident channel.
#[derive(Debug, Clone, Serialize)]
pub struct Intro {
    /// The roles paged, built by the bot.
    pub ping: Option<String>,
    /// The incident number.
    pub number: u32,
    /// The title.
    pub title: String,
    /// `P0`.
    pub severity: String,
    /// What the severity means.
    pub severity_meaning: String,
    /// `availability` or `security`.
    pub kind: String,
    /// The affected systems.
    pub systems: String,
    /// Who declared it (a mention).
    pub declared_by: String,
    /// When (a timestamp tag).
    pub declared_at: String,
    /// The summary, if given.
    pub summary: Option<String>,
    /// The commander (a mention), if any.
    pub commander: Option<String>,
    /// The comms lead (a mention), if any.
    pub comms: Option<String>,
    /// The scribe (a mention), if any.
    pub scribe: Option<String>,
    /// The current phase's checklist.
    #[serde(flatten)]
    pub phase: Checklist,
}

impl Intro {
    /// The intro of an incident.
    pub fn new(
        number: IncidentNumber,
        i: &Incident,
        budgets: &PhaseBudgets,
        ping: Option<String>,
    ) -> Self {
        Self {
            ping,
            number: number.0,
            title: i.title.to_string(),
            severity: i.severity.to_string(),
            severity_meaning: i.severity.meaning().to_owned(),
            kind: i.kind.to_string(),
            systems: i.systems.display(),
            declared_by: mention(i.declared_by),
            declared_at: timestamp(i.declared_at),
            summary: i.summary.as_ref().map(ToString::to_string),
            commander: i.roles.commander.map(mention),
            comms: i.roles.comms.map(mention),
            scribe: i.roles.scribe.map(mention),
            phase: Checklist::current(i, budgets),
        }
    }
}

/// A phase and how long it lasted.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseLine {
    /// `Phase 2: Containment`.
    pub title: String,
    /// `25m`.
    pub duration: String,
}

/// `close_summary.hbs`: posted when an incident is closed.
#[derive(Debug, Clone, Serialize)]
pub struct CloseSummary {
    /// The incident number.
    pub number: u32,
    /// The title.
    pub title: String,
    /// The final severity.
    pub severity: String,
    /// When declared (a timestamp tag).
    pub declared_at: String,
    /// When resolved (a timestamp tag).
    pub resolved_at: String,
    /// Declaration to resolve.
    pub time_to_resolve: String,
    /// Each phase's duration.
    pub phases: Vec<PhaseLine>,
    /// How many timeline entries there are.
    pub timeline_len: usize,
}

/// `reminder.hbs`: reminders, nudges and escalations.
#[derive(Debug, Clone, Serialize)]
pub struct Reminder {
    /// The roles or users pinged, built by the bot.
    pub ping: Option<String>,
    /// The first line.
    pub headline: String,
    /// What it is about.
    pub body: String,
    /// The next step, if any.
    pub next_step: Option<String>,
}

/// One timeline line of the post-mortem draft.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineLine {
    /// Full date and time, UTC.
    pub at: String,
    /// Who: a mention built by the bot, written unescaped.
    pub actor: String,
    /// What.
    pub text: String,
}

/// One action item of the post-mortem draft.
#[derive(Debug, Clone, Serialize)]
pub struct ActionLine {
    /// What.
    pub text: String,
    /// Who owns it: a mention built by the bot, written unescaped.
    pub owner: Option<String>,
}

/// `postmortem.hbs`: the draft, a Markdown document.
#[derive(Debug, Clone, Serialize)]
pub struct PostmortemDraft {
    /// The incident number.
    pub number: u32,
    /// The title.
    pub title: String,
    /// The severity.
    pub severity: String,
    /// The kind.
    pub kind: String,
    /// The affected systems.
    pub systems: String,
    /// Full date of declaration, UTC.
    pub declared_at: String,
    /// Full date of resolution, UTC.
    pub resolved_at: String,
    /// Declaration to resolve.
    pub time_to_resolve: String,
    /// When the post-mortem is due.
    pub due_at: String,
    /// When the review meeting is.
    pub meeting_at: Option<String>,
    /// The summary given at declaration.
    pub summary: Option<String>,
    /// Users affected.
    pub users_affected: Option<i64>,
    /// Downtime.
    pub downtime: Option<String>,
    /// Revenue impact.
    pub revenue: Option<String>,
    /// The whole timeline.
    pub timeline: Vec<TimelineLine>,
    /// Each phase's duration.
    pub phases: Vec<PhaseLine>,
    /// The root cause given at resolve.
    pub root_cause: Option<String>,
    /// Action items.
    pub actions: Vec<ActionLine>,
}

/// A full UTC date for documents: `2026-11-26 12:00 UTC`.
pub fn full_date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

// Samples: every field filled, used at start to prove each template renders in strict mode.
impl ServiceAlert {
    pub(crate) fn sample() -> Self {
        Self {
            ping: Some("<@&1>".into()),
            system: "Login".into(),
            eta: "30 minutes".into(),
            status_url: "https://status.example".into(),
        }
    }
}

impl AllClear {
    pub(crate) fn sample() -> Self {
        Self {
            system: "Login".into(),
            root_cause: "a bad deploy".into(),
            compensation: Some("a free day".into()),
        }
    }
}

impl StatusUpdate {
    pub(crate) fn sample() -> Self {
        Self {
            system: "Login".into(),
            message: "Rolling back".into(),
            eta: Some("10 minutes".into()),
            status_url: "https://status.example".into(),
        }
    }
}

impl Checklist {
    pub(crate) fn sample() -> Self {
        Self {
            phase_number: 1,
            phase_title: "Detection & Triage".into(),
            phase_deadline: Some("<t:0:f>".into()),
            checklist: vec!["Verify the issue is real".into()],
        }
    }
}

impl Intro {
    pub(crate) fn sample() -> Self {
        Self {
            ping: Some("<@&1>".into()),
            number: 1,
            title: "Login down".into(),
            severity: "P0".into(),
            severity_meaning: "critical, all hands".into(),
            kind: "availability".into(),
            systems: "Login".into(),
            declared_by: "<@1>".into(),
            declared_at: "<t:0:f>".into(),
            summary: Some("Players cannot log in".into()),
            commander: Some("<@2>".into()),
            comms: None,
            scribe: None,
            phase: Checklist::sample(),
        }
    }
}

impl CloseSummary {
    pub(crate) fn sample() -> Self {
        Self {
            number: 1,
            title: "Login down".into(),
            severity: "P0".into(),
            declared_at: "<t:0:f>".into(),
            resolved_at: "<t:3600:f>".into(),
            time_to_resolve: "1h".into(),
            phases: vec![PhaseLine {
                title: "Phase 1: Detection & Triage".into(),
                duration: "5m".into(),
            }],
            timeline_len: 3,
        }
    }
}

impl Reminder {
    pub(crate) fn sample() -> Self {
        Self {
            ping: Some("<@&1>".into()),
            headline: "Nobody has taken command".into(),
            body: "Incident #1".into(),
            next_step: Some("Assign a commander".into()),
        }
    }
}

impl PostmortemDraft {
    pub(crate) fn sample() -> Self {
        Self {
            number: 1,
            title: "Login down".into(),
            severity: "P0".into(),
            kind: "availability".into(),
            systems: "Login".into(),
            declared_at: "2026-11-26 12:00 UTC".into(),
            resolved_at: "2026-11-26 13:00 UTC".into(),
            time_to_resolve: "1h".into(),
            due_at: "2026-11-28 13:00 UTC".into(),
            meeting_at: Some("2026-11-27 15:00 UTC".into()),
            summary: Some("Players could not log in".into()),
            users_affected: Some(1200),
            downtime: Some("45m".into()),
            revenue: Some("$300".into()),
            timeline: vec![TimelineLine {
                at: "2026-11-26 12:00 UTC".into(),
                actor: "user 1".into(),
                text: "Declared".into(),
            }],
            phases: vec![PhaseLine {
                title: "Phase 1: Detection & Triage".into(),
                duration: "5m".into(),
            }],
            root_cause: Some("a bad deploy".into()),
            actions: vec![ActionLine {
                text: "Add a canary".into(),
                owner: Some("user 2".into()),
            }],
        }
    }
}

/// `notice.hbs`: a line in an incident channel.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    /// The roles pinged, built by the bot.
    pub ping: Option<String>,
    /// An emoji.
    pub icon: String,
    /// The first line, built by the bot (mentions allowed); any user text in it must already be
    /// passed through [`super::discord_escape`].
    pub headline: String,
    /// User text, if any.
    pub body: Option<String>,
}

/// `status.hbs`: one incident's status.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    /// The number.
    pub number: u32,
    /// The title.
    pub title: String,
    /// open, resolved or closed.
    pub status: String,
    /// `P0`.
    pub severity: String,
    /// The kind.
    pub kind: String,
    /// The systems.
    pub systems: String,
    /// 1 to 5.
    pub phase_number: u8,
    /// The phase's title.
    pub phase_title: String,
    /// Time in the phase so far.
    pub in_phase: String,
    /// The phase's budget, from declaration.
    pub budget: Option<String>,
    /// Whether the phase is past its deadline.
    pub over_budget: bool,
    /// By how much.
    pub over_by: String,
    /// The commander (a mention).
    pub commander: Option<String>,
    /// The comms lead (a mention).
    pub comms: Option<String>,
    /// The scribe (a mention).
    pub scribe: Option<String>,
    /// The last update.
    pub last_update: Option<String>,
    /// When (a timestamp tag).
    pub last_update_at: Option<String>,
}

impl StatusView {
    /// The status of `i` at `now`.
    pub fn new(
        number: IncidentNumber,
        i: &Incident,
        budgets: &PhaseBudgets,
        now: DateTime<Utc>,
    ) -> Self {
        let deadline = budgets.deadline_offset(i.phase).map(|d| i.declared_at + d);
        let over_by = deadline.map(|d| now - d).filter(|d| *d > TimeDelta::zero());
        Self {
            number: number.0,
            title: i.title.to_string(),
            status: i.status.as_str().to_owned(),
            severity: i.severity.to_string(),
            kind: i.kind.to_string(),
            systems: i.systems.display(),
            phase_number: i.phase.number(),
            phase_title: i.phase.title().to_owned(),
            in_phase: human(now - i.phase_started_at()),
            budget: budgets
                .deadline_offset(i.phase)
                .map(|d| format!("{} from declaration", human(d))),
            over_budget: over_by.is_some(),
            over_by: over_by.map(human).unwrap_or_default(),
            commander: i.roles.commander.map(mention),
            comms: i.roles.comms.map(mention),
            scribe: i.roles.scribe.map(mention),
            last_update: i.last_update.as_ref().map(ToString::to_string),
            last_update_at: i.last_update_at.map(relative),
        }
    }
}

/// One line of `incident_list.hbs`.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentLine {
    /// A channel mention, or `(opening)`.
    pub channel: String,
    /// The number.
    pub number: u32,
    /// `P0`.
    pub severity: String,
    /// The title.
    pub title: String,
    /// 1 to 5.
    pub phase_number: u8,
    /// open or resolved.
    pub status: String,
}

/// `incident_list.hbs`: the incidents not yet closed.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentList {
    /// The incidents.
    pub incidents: Vec<IncidentLine>,
}

impl Notice {
    pub(crate) fn sample() -> Self {
        Self {
            ping: Some("<@&1>".into()),
            icon: "⬆️".into(),
            headline: "Severity raised to P0 by <@1>".into(),
            body: Some("all regions".into()),
        }
    }
}

impl StatusView {
    pub(crate) fn sample() -> Self {
        Self {
            number: 1,
            title: "Login down".into(),
            status: "open".into(),
            severity: "P0".into(),
            kind: "availability".into(),
            systems: "Login".into(),
            phase_number: 2,
            phase_title: "Containment".into(),
            in_phase: "12m".into(),
            budget: Some("30m from declaration".into()),
            over_budget: true,
            over_by: "2m".into(),
            commander: Some("<@1>".into()),
            comms: None,
            scribe: None,
            last_update: Some("Rolling back".into()),
            last_update_at: Some("<t:0:R>".into()),
        }
    }
}

impl IncidentList {
    pub(crate) fn sample() -> Self {
        Self {
            incidents: vec![IncidentLine {
                channel: "<#1>".into(),
                number: 1,
                severity: "P0".into(),
                title: "Login down".into(),
                phase_number: 2,
                status: "open".into(),
            }],
        }
    }
}
