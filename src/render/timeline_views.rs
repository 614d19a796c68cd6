//! `timeline.hbs`: the words of a timeline entry, from the event the domain returned. The
//! output is plain text, stored as the entry's text and escaped wherever it is shown, so the
//! template is rendered without escaping (what people typed is escaped later, once).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::{BotReason, Eta, IncidentKind, Systems, TimelineEvent};

/// One timeline entry's facts, as the template reads them: `event` names the case.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TimelineView {
    /// The incident was declared.
    Declared {
        /// `P1`.
        severity: String,
        /// `availability` or `security`.
        incident_kind: String,
        /// The title.
        title: String,
    },
    /// The severity changed.
    SeverityChanged {
        /// Whether it went up.
        raised: bool,
        /// The severity before.
        from: String,
        /// The severity now.
        to: String,
        /// Why, if said.
        reason: Option<String>,
    },
    /// The phase moved forward.
    PhaseMoved {
        /// The phase before, by number (`labels.hbs` words it).
        from: u8,
        /// The phase now.
        to: u8,
    },
    /// Someone took a role.
    RoleAssigned {
        /// `<@1>`: the post-mortem resolves it to a name.
        user: String,
        /// The role's key, `commander` (`labels.hbs` words it).
        role: &'static str,
        /// Who held it before, as a mention.
        before: Option<String>,
    },
    /// A status update.
    Update {
        /// Whether players saw it.
        public: bool,
        /// Whether it was published to following servers too.
        published: bool,
        /// What it said.
        message: String,
        /// A new ETA, written out.
        eta: Option<String>,
    },
    /// The service alert was posted.
    Announced {
        /// A new ETA, written out.
        eta: Option<String>,
    },
    /// The kind changed.
    KindChanged {
        /// Whether it is a security incident now.
        security: bool,
    },
    /// A fix was applied.
    Resolved {
        /// The root cause.
        root_cause: String,
        /// The compensation, if any.
        compensation: Option<String>,
    },
    /// All-clear given with the fix.
    AllClearAtOnce,
    /// The fix held.
    FixHeld,
    /// The fix did not hold, or the problem came back.
    Reopened {
        /// Whether the all-clear had been given.
        after_all_clear: bool,
        /// Why.
        reason: String,
        /// The phase the work resumes in, by number.
        back_to: u8,
    },
    /// Closed.
    Closed,
    /// The title was corrected.
    TitleChanged {
        /// Before.
        from: String,
        /// Now.
        to: String,
    },
    /// The systems were corrected.
    SystemsChanged {
        /// Before; `None` for no system.
        from: Option<String>,
        /// Now; `None` for no system.
        to: Option<String>,
    },
    /// The summary was corrected.
    SummaryChanged {
        /// Now.
        to: String,
    },
    /// The start of the problem was corrected.
    StartChanged {
        /// Before, a full UTC date.
        from: String,
        /// Now.
        to: String,
    },
    /// A note.
    Note {
        /// The note.
        text: String,
    },
    /// A message on the timeline as a link, its words not read: what the link is made of.
    MessageLinked {
        /// The server's id.
        guild: String,
        /// The channel's id.
        channel: String,
        /// The message's id.
        message: String,
    },
    /// A checklist step was ticked or unticked.
    Ticked {
        /// The step, as listed.
        step: String,
        /// The step's phase, by number (`labels.hbs` words it).
        phase: u8,
        /// Ticked, or unticked.
        ticked: bool,
    },
    /// A runbook action: run, said to have run, or sent again.
    Action {
        /// `ran`, `said_ran` or `sent_again`.
        did: ActionDid,
        /// The action's label.
        label: String,
        /// The run's key.
        run: String,
    },
    /// What came back from a runbook action.
    ActionFinished {
        /// Whether it succeeded.
        ok: bool,
        /// The action's label.
        label: String,
        /// The HTTP status, if it was sent.
        status: Option<u16>,
        /// `1.2s`.
        duration: String,
        /// What came back, on a failure.
        what: Option<String>,
        /// The bot's own reason for not sending it, instead.
        why: Option<BotReason>,
    },
    /// A runbook action was sent and no answer came.
    ActionUnknown {
        /// The action's label.
        label: String,
        /// What went wrong, as the outbound client said it.
        what: String,
        /// The bot's own reason instead.
        why: Option<BotReason>,
    },
    /// The alert an incident came from (or was attached to it by hand).
    Alert {
        /// Who sent it: `Sentry`.
        source: String,
        /// What fired.
        title: String,
        /// How often it was seen.
        count: i64,
        /// When first, a full UTC date with seconds.
        first_at: String,
        /// Its link, if any.
        link: Option<String>,
        /// Whether someone attached it by hand.
        by_hand: bool,
    },
    /// An alert's source says it is over.
    AlertResolved {
        /// What fired.
        title: String,
        /// Who sent it.
        source: String,
    },
    /// An auto-declare rule declared the incident.
    AutoDeclared {
        /// The rule's name.
        rule: String,
    },
    /// The post-mortem's work: started, an item or lesson added, the impact, the meeting, done.
    Postmortem {
        /// Which step.
        did: PostmortemDid,
    },
    /// Blocked at the WAF.
    WafBlocked {
        /// The WAF: `Cloudflare`.
        service: String,
        /// What was blocked.
        targets: Vec<String>,
        /// Why, if said.
        note: Option<String>,
    },
    /// Unblocked at the WAF.
    WafUnblocked {
        /// The WAF.
        service: String,
        /// What was unblocked.
        targets: Vec<String>,
        /// Whether their time was up (nobody asked).
        expired: bool,
    },
    /// The server was locked down.
    LockedDown {
        /// Until when invites are paused, a full UTC date.
        invites_until: Option<String>,
        /// Until when DMs are paused.
        dms_until: Option<String>,
        /// The slow-mode set, in seconds.
        slowmode: u32,
        /// In how many channels (none: no slow-mode).
        channels: usize,
    },
    /// The lockdown was lifted.
    LockdownLifted,
    /// A maintenance window moved on.
    Maintenance {
        /// `started`, `ended`, `scheduled`, `moved`, `extended`, `cancelled`.
        stage: String,
        /// The window's title.
        title: String,
        /// Until when, a full UTC date, when said.
        until: Option<String>,
    },
    /// The game's maintenance hook answered (or did not).
    MaintenanceHook {
        /// Turned on, or off.
        on: bool,
        /// The action's label.
        label: String,
        /// `ran`, `unknown` or `failed`.
        outcome: HookOutcome,
        /// The HTTP status, if it was sent.
        status: Option<u16>,
        /// What came back, on a failure.
        what: String,
        /// The bot's own reason, instead of what came back.
        why: Option<BotReason>,
    },
}

/// A step of the post-mortem, as its timeline entry names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum PostmortemDid {
    /// Started by hand.
    Started {
        /// Why (the post-mortem's reason).
        reason: String,
    },
    /// An action item was added.
    ActionAdded {
        /// Its heading in the draft.
        heading: String,
    },
    /// A lesson was added.
    LessonAdded {
        /// Under what went well, or what didn't.
        went_well: bool,
    },
    /// Something else was recorded, as its answer said it.
    Noted {
        /// The answer, without its closing period.
        said: String,
    },
    /// The review meeting was set or moved.
    Meeting {
        /// Moved, or set.
        moved: bool,
        /// When, a full UTC date.
        at: String,
        /// After the deadline, allowed by a commander.
        late: bool,
    },
    /// Marked done.
    Done,
}

/// How a maintenance hook's call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HookOutcome {
    /// It ran.
    Ran,
    /// It was sent and no answer came.
    Unknown,
    /// It failed.
    Failed,
}

/// What happened to a runbook action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionDid {
    /// Someone ran it.
    Ran,
    /// Someone said it ran.
    SaidRan,
    /// Someone sent it again.
    SentAgain,
}

impl From<&TimelineEvent> for TimelineView {
    fn from(event: &TimelineEvent) -> Self {
        use TimelineEvent as E;
        match event {
            E::Declared {
                severity,
                kind,
                title,
            } => Self::Declared {
                severity: severity.to_string(),
                incident_kind: kind.to_string(),
                title: title.to_string(),
            },
            E::SeverityChanged { from, to, reason } => Self::SeverityChanged {
                raised: to.is_more_severe_than(*from),
                from: from.to_string(),
                to: to.to_string(),
                reason: reason.as_ref().map(ToString::to_string),
            },
            E::PhaseMoved { from, to } => Self::PhaseMoved {
                from: from.number(),
                to: to.number(),
            },
            E::RoleAssigned { role, user, before } => Self::RoleAssigned {
                user: format!("<@{user}>"),
                role: role.key(),
                before: before.map(|b| format!("<@{b}>")),
            },
            E::Update {
                message,
                public,
                published,
                eta,
            } => Self::Update {
                public: *public,
                published: *published,
                message: message.to_string(),
                eta: eta.as_ref().map(Eta::written),
            },
            E::Announced { eta } => Self::Announced {
                eta: eta.as_ref().map(Eta::written),
            },
            E::KindChanged { to } => Self::KindChanged {
                security: *to == IncidentKind::Security,
            },
            other => Self::later(other),
        }
    }
}

impl TimelineView {
    /// The events from the fix on, and the corrections.
    fn later(event: &TimelineEvent) -> Self {
        use TimelineEvent as E;
        let systems = |s: &Systems| Some(s.display()).filter(|_| !s.is_empty());
        match event {
            E::Resolved {
                root_cause,
                compensation,
            } => Self::Resolved {
                root_cause: root_cause.to_string(),
                compensation: compensation.as_ref().map(ToString::to_string),
            },
            E::AllClearAtOnce => Self::AllClearAtOnce,
            E::FixHeld => Self::FixHeld,
            E::Reopened {
                after_all_clear,
                reason,
                back_to,
            } => Self::Reopened {
                after_all_clear: *after_all_clear,
                reason: reason.to_string(),
                back_to: back_to.number(),
            },
            E::Closed => Self::Closed,
            E::TitleChanged { from, to } => Self::TitleChanged {
                from: from.to_string(),
                to: to.to_string(),
            },
            E::SystemsChanged { from, to } => Self::SystemsChanged {
                from: systems(from),
                to: systems(to),
            },
            E::SummaryChanged { to } => Self::SummaryChanged { to: to.to_string() },
            E::StartChanged { from, to } => Self::StartChanged {
                from: written(*from),
                to: written(*to),
            },
            E::Note { text } => Self::Note {
                text: text.to_string(),
            },
            E::MessageLinked {
                guild,
                channel,
                message,
            } => Self::MessageLinked {
                guild: guild.to_string(),
                channel: channel.to_string(),
                message: message.to_string(),
            },
            // The earlier events are worded by `From`.
            E::Declared { .. }
            | E::SeverityChanged { .. }
            | E::PhaseMoved { .. }
            | E::RoleAssigned { .. }
            | E::Update { .. }
            | E::Announced { .. }
            | E::KindChanged { .. } => Self::from(event),
        }
    }
}

/// A full UTC date, as the timeline writes one.
fn written(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
