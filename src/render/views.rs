//! View models: one `Serialize` struct per template, built from domain types.
//!
//! Fields of type [`Markup`] (pings, mentions, timestamps) are built here by the bot and shown
//! as built; every `String` field is text and is escaped when rendered.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::{ActionGroups, Lessons, Markup};
use crate::domain::{ChannelId, Eta, Incident, IncidentNumber, PhaseBudgets, RoleId, UserId};

/// A Discord timestamp tag, shown in each reader's own time zone: `<t:1700000000:f>`.
pub fn timestamp(at: DateTime<Utc>) -> Markup {
    Markup::raw(format!("<t:{}:f>", at.timestamp()))
}

/// A Discord relative timestamp tag: `<t:1700000000:R>` ("in 5 minutes").
pub fn relative(at: DateTime<Utc>) -> Markup {
    Markup::raw(format!("<t:{}:R>", at.timestamp()))
}

/// An ETA as players read it: a time in their own zone and how far off it is
/// (`<t:…:t> (<t:…:R>)`), or the words given, as typed.
pub fn eta(eta: &Eta) -> Markup {
    match eta {
        Eta::At(at) => Markup::raw(format!("<t:{ts}:t> (<t:{ts}:R>)", ts = at.timestamp())),
        Eta::Text(text) => Markup::text(text.as_str()),
    }
}

/// What the 🚨 alert says when no ETA was given.
pub const ETA_UNKNOWN: &str = "to be confirmed; we will post updates as we learn more";

/// A user mention (shown as the name; pings only if `allowed_mentions` lets it).
pub fn mention(user: UserId) -> Markup {
    Markup::raw(format!("<@{user}>"))
}

/// A channel link: `<#123>`.
pub fn channel_link(channel: ChannelId) -> Markup {
    Markup::raw(format!("<#{channel}>"))
}

/// A role mention, shown as the role's name: `<@&123>`.
pub fn role_mention(role: RoleId) -> Markup {
    Markup::raw(format!("<@&{role}>"))
}

/// Role mentions for a ping, space-separated; `None` when there are none.
pub fn role_pings(roles: &[RoleId]) -> Option<Markup> {
    (!roles.is_empty()).then(|| {
        Markup::raw(
            roles
                .iter()
                .map(|r| format!("<@&{r}>"))
                .collect::<Vec<_>>()
                .join(" "),
        )
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
    pub ping: Option<Markup>,
    /// The affected system(s), `[SYSTEM]` in the plan.
    pub system: String,
    /// The ETA, `[TIME]` in the plan: a time tag, or text.
    pub eta: Markup,
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
    /// The ETA, if one stands: a time tag, or text.
    pub eta: Option<Markup>,
    /// The status page.
    pub status_url: String,
}

/// `intro.hbs`: the pinned first message of an incident channel.
#[derive(Debug, Clone, Serialize)]
pub struct Intro {
    /// The roles paged, built by the bot.
    pub ping: Option<Markup>,
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
    pub declared_by: Markup,
    /// When (a timestamp tag).
    pub declared_at: Markup,
    /// The summary, if given.
    pub summary: Option<String>,
    /// The commander (a mention), if any.
    pub commander: Option<Markup>,
    /// The comms lead (a mention), if any.
    pub comms: Option<Markup>,
    /// The scribe (a mention), if any.
    pub scribe: Option<Markup>,
}

impl Intro {
    /// The intro of an incident.
    pub fn new(number: IncidentNumber, i: &Incident, ping: Option<Markup>) -> Self {
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
        }
    }
}

/// A phase and how long it lasted.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseLine {
    /// The phase, by number (`labels.hbs` words it).
    pub phase: u8,
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
    pub declared_at: Markup,
    /// When resolved (a timestamp tag).
    pub resolved_at: Markup,
    /// Declaration to resolve.
    pub time_to_resolve: String,
    /// Each phase's duration.
    pub phases: Vec<PhaseLine>,
    /// Each phase's checklist: who did which steps, which were skipped.
    pub checklists: Vec<super::ChecklistSummary>,
    /// Who did which step was left out to fit one message (the draft has it).
    pub steps_left_out: bool,
    /// How many timeline entries there are.
    pub timeline_len: usize,
}

/// One timeline line of the post-mortem draft.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineLine {
    /// Full date and time, UTC.
    pub at: String,
    /// Who: a mention built by the bot.
    pub actor: Markup,
    /// What: typed text, escaped, except for the entries the bot writes whole (a role given,
    /// with its mentions).
    pub text: Markup,
}

/// One evidence link of the post-mortem draft.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceLine {
    /// Its label, as configured.
    pub label: String,
    /// The URL in angle brackets: built and encoded by the URL library, so it holds no space
    /// and no `>`.
    pub url: Markup,
}

/// One action item of the post-mortem draft.
#[derive(Debug, Clone, Serialize)]
pub struct ActionLine {
    /// What.
    pub text: String,
    /// Who owns it: a mention built by the bot.
    pub owner: Option<Markup>,
    /// Its ticket in the issue tracker: an address the bot checked.
    pub ticket: Option<Markup>,
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
    /// Full date the problem began, UTC.
    pub detected_at: String,
    /// Whether it began before it was declared (then the draft names both).
    pub detected_earlier: bool,
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
    /// The evidence links of the incident's systems, over its time.
    pub evidence: Vec<EvidenceLine>,
    /// Each phase's duration.
    pub phases: Vec<PhaseLine>,
    /// Each phase's checklist, step by step.
    pub checklists: Vec<super::ChecklistReport>,
    /// The root cause given at resolve.
    pub root_cause: Option<String>,
    /// Action items, under the plan's three headings.
    pub actions: ActionGroups,
    /// Lessons learned.
    pub lessons: Lessons,
    /// What was blocked at the WAF (and, once the lockdown is stored, locked down), in order.
    pub containment: Vec<super::ContainmentLine>,
}

/// A full UTC date for documents: `2026-11-26 12:00 UTC`.
pub fn full_date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `alert_card.hbs`: an alert's triage card, in the alerts channel.
#[derive(Debug, Clone, Serialize)]
pub struct AlertCardView {
    /// Whether every alert of the card has resolved.
    pub resolved: bool,
    /// What fired, as the source names it.
    pub title: String,
    /// The source ("Alertmanager").
    pub source: String,
    /// The system it maps to, if a rule names one.
    pub system: Option<String>,
    /// When the first alert began: a time and how long ago.
    pub since: Markup,
    /// Occurrences received.
    pub count: u64,
    /// Whether that is exactly one.
    pub once: bool,
    /// Alerts firing now.
    pub firing: u64,
    /// When the bot last heard of it.
    pub last_seen: Markup,
    /// When every alert resolved.
    pub resolved_at: Option<Markup>,
    /// A link to the source, unfurled by nobody.
    pub link: Option<Markup>,
    /// The incident it became or joined: `#12`.
    pub incident: Option<Markup>,
    /// Who said it is not real.
    pub dismissed_by: Option<Markup>,
    /// Why.
    pub dismissed_why: Option<String>,
    /// Whether incidents being worked are offered to attach it to.
    pub attachable: bool,
}

// Samples: every field filled, used at start to prove each template renders in strict mode.
impl ServiceAlert {
    pub(crate) fn sample() -> Self {
        Self {
            ping: Some(Markup::raw("<@&1>")),
            system: "Login".into(),
            eta: Markup::text("30 minutes"),
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
            eta: Some(Markup::raw("<t:600:t> (<t:600:R>)")),
            status_url: "https://status.example".into(),
        }
    }
}

impl Intro {
    pub(crate) fn sample() -> Self {
        Self {
            ping: Some(Markup::raw("<@&1>")),
            number: 1,
            title: "Login down".into(),
            severity: "P0".into(),
            severity_meaning: "critical, all hands".into(),
            kind: "availability".into(),
            systems: "Login".into(),
            declared_by: Markup::raw("<@1>"),
            declared_at: Markup::raw("<t:0:f>"),
            summary: Some("Players cannot log in".into()),
            commander: Some(Markup::raw("<@2>")),
            comms: None,
            scribe: None,
        }
    }
}

impl CloseSummary {
    pub(crate) fn sample() -> Self {
        Self {
            number: 1,
            title: "Login down".into(),
            severity: "P0".into(),
            declared_at: Markup::raw("<t:0:f>"),
            resolved_at: Markup::raw("<t:3600:f>"),
            time_to_resolve: "1h".into(),
            phases: vec![PhaseLine {
                phase: 1,
                duration: "5m".into(),
            }],
            checklists: vec![super::ChecklistSummary::sample()],
            steps_left_out: true,
            timeline_len: 3,
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
            detected_at: "2026-11-26 11:50 UTC".into(),
            detected_earlier: true,
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
                actor: Markup::raw("<@1>"),
                text: Markup::text("Declared"),
            }],
            evidence: vec![EvidenceLine {
                label: "Sentry".into(),
                url: Markup::raw("<https://sentry.io/organizations/loh/issues/?project=4>"),
            }],
            phases: vec![PhaseLine {
                phase: 1,
                duration: "5m".into(),
            }],
            checklists: vec![super::ChecklistReport::sample()],
            root_cause: Some("a bad deploy".into()),
            actions: ActionGroups::sample(),
            lessons: Lessons::sample(),
            containment: vec![super::ContainmentLine::sample()],
        }
    }
}

/// `status.hbs`: one incident's status.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    /// The number.
    pub number: u32,
    /// The title.
    pub title: String,
    /// open, verifying, resolved or closed.
    pub status: String,
    /// While a fix is being verified: when the fix check comes (a timestamp tag).
    pub verifying_until: Option<Markup>,
    /// `P0`.
    pub severity: String,
    /// The kind.
    pub kind: String,
    /// The systems.
    pub systems: String,
    /// When the problem began (a timestamp tag).
    pub detected_at: Markup,
    /// The last ETA given (a time tag, or text).
    pub eta: Option<Markup>,
    /// 1 to 5.
    pub phase_number: u8,
    /// Time in the phase so far.
    pub in_phase: String,
    /// The phase's budget, from detection.
    pub budget: Option<String>,
    /// Whether the phase is past its deadline.
    pub over_budget: bool,
    /// By how much.
    pub over_by: String,
    /// The commander (a mention).
    pub commander: Option<Markup>,
    /// The comms lead (a mention).
    pub comms: Option<Markup>,
    /// The scribe (a mention).
    pub scribe: Option<Markup>,
    /// The last update.
    pub last_update: Option<String>,
    /// When (a timestamp tag).
    pub last_update_at: Option<Markup>,
    /// How far each phase's checklist is.
    pub checklists: Vec<super::ChecklistCount>,
    /// X's monthly cap of posts, when it is reached: players' posts are skipped there.
    pub x_cap: Option<u32>,
}

impl StatusView {
    /// The status of `i` at `now`.
    pub fn new(
        number: IncidentNumber,
        i: &Incident,
        budgets: &PhaseBudgets,
        now: DateTime<Utc>,
    ) -> Self {
        let deadline = budgets.deadline_offset(i.phase).map(|d| i.detected_at + d);
        let over_by = deadline.map(|d| now - d).filter(|d| *d > TimeDelta::zero());
        Self {
            number: number.0,
            title: i.title.to_string(),
            status: i.status.as_str().to_owned(),
            verifying_until: None,
            severity: i.severity.to_string(),
            kind: i.kind.to_string(),
            systems: i.systems.display(),
            detected_at: timestamp(i.detected_at),
            eta: i.eta.as_ref().map(eta),
            phase_number: i.phase.number(),
            in_phase: human(now - i.phase_started_at()),
            budget: budgets
                .deadline_offset(i.phase)
                .map(|d| format!("{} from detection", human(d))),
            over_budget: over_by.is_some(),
            over_by: over_by.map(human).unwrap_or_default(),
            commander: i.roles.commander.map(mention),
            comms: i.roles.comms.map(mention),
            scribe: i.roles.scribe.map(mention),
            last_update: i.last_update.as_ref().map(ToString::to_string),
            last_update_at: i.last_update_at.map(relative),
            checklists: Vec::new(),
            x_cap: None,
        }
    }
}

/// One line of `incident_list.hbs`.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentLine {
    /// A channel mention, or none while the channel is being opened.
    pub channel: Option<Markup>,
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

impl StatusView {
    pub(crate) fn sample() -> Self {
        Self {
            number: 1,
            title: "Login down".into(),
            status: "open".into(),
            verifying_until: None,
            severity: "P0".into(),
            kind: "availability".into(),
            systems: "Login".into(),
            detected_at: Markup::raw("<t:0:f>"),
            eta: Some(Markup::raw("<t:600:t> (<t:600:R>)")),
            phase_number: 2,
            in_phase: "12m".into(),
            budget: Some("30m from detection".into()),
            over_budget: true,
            over_by: "2m".into(),
            commander: Some(Markup::raw("<@1>")),
            comms: None,
            scribe: None,
            last_update: Some("Rolling back".into()),
            last_update_at: Some(Markup::raw("<t:0:R>")),
            checklists: vec![super::ChecklistCount::sample()],
            x_cap: None,
        }
    }
}

impl IncidentList {
    pub(crate) fn sample() -> Self {
        Self {
            incidents: vec![IncidentLine {
                channel: Some(Markup::raw("<#1>")),
                number: 1,
                severity: "P0".into(),
                title: "Login down".into(),
                phase_number: 2,
                status: "open".into(),
            }],
        }
    }
}

/// One fact corrected, in `facts_changed.hbs`.
#[derive(Debug, Clone, Serialize)]
pub struct FactChange {
    /// Which fact: `Title`, `Systems`, `Summary`, `Detected`.
    pub what: String,
    /// What it was: text escaped by [`Markup::text`], or a timestamp tag; none when empty.
    pub before: Option<Markup>,
    /// What it is now.
    pub after: Option<Markup>,
}

/// `facts_changed.hbs`: the facts of an incident corrected by `/incident edit`.
#[derive(Debug, Clone, Serialize)]
pub struct FactsChanged {
    /// Who corrected them (a mention).
    pub by: Markup,
    /// Each fact that changed.
    pub changes: Vec<FactChange>,
    /// The channel's new name (`#inc-12-login`), when it follows the title.
    pub renamed_to: Option<String>,
    /// When the phase deadlines count from now (a timestamp tag), when detection moved.
    pub deadlines_from: Option<Markup>,
}

impl FactsChanged {
    pub(crate) fn sample() -> Self {
        Self {
            by: Markup::raw("<@1>"),
            changes: vec![
                FactChange {
                    what: "Title".into(),
                    before: Some(Markup::text("Login down")),
                    after: None,
                },
                FactChange {
                    what: "Detected".into(),
                    before: Some(Markup::raw("<t:0:f>")),
                    after: Some(Markup::raw("<t:60:f>")),
                },
            ],
            renamed_to: Some("#inc-1-login-and-shop-down".into()),
            deadlines_from: Some(Markup::raw("<t:60:f>")),
        }
    }
}

impl AlertCardView {
    pub(crate) fn sample() -> Self {
        Self {
            resolved: false,
            title: "HighErrorRate: 5xx above 5% on login".into(),
            source: "Alertmanager".into(),
            system: Some("Login".into()),
            since: Markup::raw("<t:0:f> (<t:0:R>)"),
            count: 3,
            once: false,
            firing: 2,
            last_seen: Markup::raw("<t:60:R>"),
            resolved_at: Some(Markup::raw("<t:120:f>")),
            link: Some(Markup::raw("<https://grafana.example/alerting>")),
            incident: Some(Markup::raw("#12")),
            dismissed_by: Some(Markup::raw("<@1>")),
            dismissed_why: Some("a load test".into()),
            attachable: true,
        }
    }
}
