//! The view of `notice.hbs`: which change an incident channel is told of, and its facts. The
//! sentences are in the template, one block per kind; here are only the values they print.

use serde::Serialize;

use super::Markup;

/// `notice.hbs`: a line in an incident channel saying what changed. Exactly one kind is set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Notice {
    /// The roles pinged, built by the bot.
    pub ping: Option<Markup>,
    /// `/incident severity`.
    pub severity_changed: Option<SeverityChanged>,
    /// `/incident phase`.
    pub phase_moved: Option<PhaseMoved>,
    /// `/incident assign`.
    pub role_assigned: Option<RoleAssigned>,
    /// `/incident update`.
    pub update: Option<UpdatePosted>,
    /// `/incident announce`, or a raise that sent the 🚨 alert.
    pub alert_sent: Option<AlertSent>,
    /// `/incident resolve`: the fix is in and being verified.
    pub fix_applied: Option<FixApplied>,
    /// The fix held, or `/incident resolve all_clear:now`.
    pub resolved: Option<Resolved>,
    /// `/incident reopen`, or the fix did not hold.
    pub reopened: Option<Reopened>,
    /// `/incident kind to:security`.
    pub now_security: Option<NowSecurity>,
    /// `/incident kind to:availability`.
    pub now_availability: Option<NowAvailability>,
    /// The post-mortem policy's decision at resolve.
    pub postmortem_decided: Option<PostmortemDecided>,
    /// `/postmortem start` for an incident the plan does not require one for.
    pub postmortem_started: Option<PostmortemStarted>,
    /// An alert joined the incident on arrival.
    pub alert_joined: Option<AlertNews>,
    /// An alert of the incident resolved at its source.
    pub alert_resolved: Option<AlertNews>,
    /// An alert was attached by hand.
    pub alert_attached: Option<AlertNews>,
    /// An alert about a system of this security incident fired; its card does not say so.
    pub alert_seen: Option<AlertSeen>,
    /// In the log channel: an incident became a security one.
    pub logged_security: Option<LoggedSecurity>,
    /// The fix check, once someone answered it: the question with its answer under it.
    pub fix_answered: Option<FixAnswered>,
    /// `/incident block`: the WAF blocks these now.
    pub waf_blocked: Option<super::WafBlocked>,
    /// `/incident unblock`, or a block's `until`: the WAF no longer blocks these.
    pub waf_unblocked: Option<super::WafUnblocked>,
    /// `/incident lockdown`.
    pub lockdown_set: Option<super::LockdownSet>,
    /// `/incident unlock`.
    pub lockdown_lifted: Option<super::LockdownLifted>,
    /// At the resolve or the fix held, while the server is still locked down.
    pub lockdown_still: Option<super::LockdownStill>,
    /// A triage card's title from Discord's own safety signals.
    pub discord_signal: Option<super::DiscordSignal>,
    /// `/incident flag`: a flag for the game client set or cleared.
    pub flag_changed: Option<super::FlagChanged>,
    /// After resolve: the error rates now and before the incident.
    pub rates_at_resolve: Option<super::RatesAtResolve>,
    /// Phase 3's evidence links.
    pub evidence: Option<super::EvidenceView>,
    /// The incident's ticket was opened in the issue tracker.
    pub ticket_opened: Option<TicketOpened>,
    /// The post-mortem draft of this incident (its number) is attached.
    pub draft_posted: Option<u32>,
    /// A 📌 put a message on the timeline as a link: its words were not readable.
    pub message_linked: Option<MessageLinked>,
}

/// A message went on the timeline as a link, its words not readable by the bot.
#[derive(Debug, Clone, Serialize)]
pub struct MessageLinked {
    /// Who put it there (a mention; the notice pings nobody).
    pub by: Markup,
}

/// Someone answered "did the fix hold?".
#[derive(Debug, Clone, Serialize)]
pub struct FixAnswered {
    /// Who answered (a mention).
    pub by: Markup,
    /// When (a timestamp tag).
    pub at: Markup,
    /// It did not hold: the incident is back in a phase, when so.
    pub back: Option<BackIn>,
}

/// An incident back at work after a fix that did not hold.
#[derive(Debug, Clone, Serialize)]
pub struct BackIn {
    /// The incident number.
    pub number: u32,
    /// The phase it is back in, by number (`labels.hbs` words it).
    pub phase: u8,
}

/// The log channel's line about an incident that became a security one.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedSecurity {
    /// The incident number.
    pub number: u32,
    /// Who (a mention).
    pub by: Markup,
    /// Its channel (a channel mention), if it has one.
    pub channel: Option<Markup>,
}

/// The severity changed.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityChanged {
    /// Raised (more severe) rather than lowered.
    pub raised: bool,
    /// `P2`.
    pub from: String,
    /// `P0`.
    pub to: String,
    /// Who (a mention).
    pub by: Markup,
    /// Why, as typed.
    pub reason: Option<String>,
}

/// The incident moved to another phase.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseMoved {
    /// 1 to 5.
    pub number: u8,
    /// Who (a mention).
    pub by: Markup,
}

/// A role was given, or handed over.
#[derive(Debug, Clone, Serialize)]
pub struct RoleAssigned {
    /// The role's key, `commander` (`labels.hbs` words it).
    pub role: &'static str,
    /// Who held it before (a mention), when it was handed over.
    pub previous: Option<Markup>,
    /// Who holds it now (a mention).
    pub user: Markup,
    /// Who gave it (a mention).
    pub by: Markup,
}

/// An update to the channel.
#[derive(Debug, Clone, Serialize)]
pub struct UpdatePosted {
    /// Who (a mention).
    pub by: Markup,
    /// The ETA, when this update gave one.
    pub eta: Option<Markup>,
    /// The update, as typed.
    pub message: String,
}

/// The 🚨 alert went to players.
#[derive(Debug, Clone, Serialize)]
pub struct AlertSent {
    /// Who (a mention).
    pub by: Markup,
    /// The ETA that stands, if any.
    pub eta: Option<Markup>,
}

/// The fix is in, and verified until a time.
#[derive(Debug, Clone, Serialize)]
pub struct FixApplied {
    /// Who (a mention).
    pub by: Markup,
    /// Until when (a timestamp tag).
    pub until: Markup,
    /// The root cause, as typed.
    pub root_cause: String,
}

/// Resolved: the fix held, or there was no verification window.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    /// Who (a mention).
    pub by: Markup,
    /// Time to resolve: `1h 5m`.
    pub after: String,
    /// The fix held after its verification window (rather than `all_clear:now`).
    pub held: bool,
    /// The root cause, as typed, when there was no verification window.
    pub root_cause: Option<String>,
}

/// Reopened: work resumes.
#[derive(Debug, Clone, Serialize)]
pub struct Reopened {
    /// Who (a mention).
    pub by: Markup,
    /// The phase work resumes in, by number (`labels.hbs` words it).
    pub phase: u8,
    /// Why, as typed.
    pub reason: String,
}

/// Now a security incident.
#[derive(Debug, Clone, Serialize)]
pub struct NowSecurity {
    /// Who (a mention).
    pub by: Markup,
    /// The channel's new name.
    pub name: String,
    /// How many announcements still waiting were withdrawn.
    pub withdrawn: u64,
}

/// An availability incident again.
#[derive(Debug, Clone, Serialize)]
pub struct NowAvailability {
    /// Who (a mention).
    pub by: Markup,
    /// The channel's new name.
    pub name: String,
}

/// Whether a post-mortem is required, and why.
#[derive(Debug, Clone, Serialize)]
pub struct PostmortemDecided {
    /// When it is due (a timestamp tag), when one is required.
    pub due_at: Option<Markup>,
    /// Why, in the policy's words; it names systems people typed, so it is text.
    pub reason: String,
}

/// A post-mortem started by hand.
#[derive(Debug, Clone, Serialize)]
pub struct PostmortemStarted {
    /// Who (a mention).
    pub by: Markup,
    /// When it is due (a timestamp tag).
    pub due_at: Markup,
    /// `P2`.
    pub severity: String,
}

/// An alert, as an incident channel is told of it.
#[derive(Debug, Clone, Serialize)]
pub struct AlertNews {
    /// What fired, as the source names it.
    pub title: String,
    /// The source: `Alertmanager`.
    pub source: String,
    /// Since when (a relative timestamp tag).
    pub since: Markup,
    /// Who attached it by hand (a mention), if someone did.
    pub by: Option<Markup>,
}

/// An alert about a system of a security incident, whose card is elsewhere.
#[derive(Debug, Clone, Serialize)]
pub struct AlertSeen {
    /// The system, as configured.
    pub system: String,
    /// What fired, as the source names it.
    pub title: String,
    /// The source: `Alertmanager`.
    pub source: String,
    /// The alerts channel (a channel mention).
    pub channel: Markup,
    /// The card's message link.
    pub card: Markup,
}

impl Notice {
    /// Every kind at once, so that loading proves each block of the template renders.
    pub(crate) fn sample() -> Self {
        let by = || Markup::raw("<@1>");
        let at = || Markup::raw("<t:0:f>");
        Self {
            ping: Some(Markup::raw("<@&1>")),
            draft_posted: Some(4),
            message_linked: Some(MessageLinked { by: by() }),
            severity_changed: Some(SeverityChanged {
                raised: true,
                from: "P2".into(),
                to: "P0".into(),
                by: by(),
                reason: Some("all regions".into()),
            }),
            phase_moved: Some(PhaseMoved {
                number: 2,
                by: by(),
            }),
            role_assigned: Some(RoleAssigned {
                role: "commander",
                previous: Some(Markup::raw("<@2>")),
                user: Markup::raw("<@3>"),
                by: by(),
            }),
            update: Some(UpdatePosted {
                by: by(),
                eta: Some(Markup::raw("<t:600:t> (<t:600:R>)")),
                message: "Rolling back".into(),
            }),
            alert_sent: Some(AlertSent {
                by: by(),
                eta: Some(Markup::raw("<t:600:t> (<t:600:R>)")),
            }),
            fix_applied: Some(FixApplied {
                by: by(),
                until: at(),
                root_cause: "a bad deploy".into(),
            }),
            resolved: Some(Resolved {
                by: by(),
                after: "1h".into(),
                held: false,
                root_cause: Some("a bad deploy".into()),
            }),
            reopened: Some(Reopened {
                by: by(),
                phase: 4,
                reason: "errors are back".into(),
            }),
            now_security: Some(NowSecurity {
                by: by(),
                name: "sec-1".into(),
                withdrawn: 2,
            }),
            now_availability: Some(NowAvailability {
                by: by(),
                name: "inc-1-login".into(),
            }),
            postmortem_decided: Some(PostmortemDecided {
                due_at: Some(at()),
                reason: "every P0 needs one".into(),
            }),
            postmortem_started: Some(PostmortemStarted {
                by: by(),
                due_at: at(),
                severity: "P2".into(),
            }),
            ..Self::alert_samples()
        }
    }

    /// A sample of every kind about alerts, for [`Notice::sample`].
    fn alert_samples() -> Self {
        Self {
            alert_joined: Some(AlertNews::sample()),
            alert_resolved: Some(AlertNews::sample()),
            alert_attached: Some(AlertNews::sample()),
            alert_seen: Some(AlertSeen {
                system: "Login".into(),
                title: "HighErrorRate".into(),
                source: "Alertmanager".into(),
                channel: Markup::raw("<#3>"),
                card: Markup::raw("https://discord.com/channels/1/3/4"),
            }),
            logged_security: Some(LoggedSecurity {
                number: 1,
                by: Markup::raw("<@1>"),
                channel: Some(Markup::raw("<#3>")),
            }),
            fix_answered: Some(FixAnswered {
                by: Markup::raw("<@1>"),
                at: Markup::raw("<t:0:f>"),
                back: Some(BackIn {
                    number: 1,
                    phase: 4,
                }),
            }),
            rates_at_resolve: Some(super::RatesAtResolve::sample()),
            evidence: Some(super::EvidenceView {
                systems: "Login".into(),
                from: Markup::raw("<t:0:f>"),
                to: Markup::raw("<t:900:f>"),
            }),
            ticket_opened: Some(TicketOpened::sample()),
            ..Self::containment_samples()
        }
    }
}

impl AlertNews {
    fn sample() -> Self {
        Self {
            title: "HighErrorRate".into(),
            source: "Alertmanager".into(),
            since: Markup::raw("<t:0:R>"),
            by: Some(Markup::raw("<@1>")),
        }
    }
}

/// `Notice::from(kind)`: a notice of that one kind, pinging nobody.
macro_rules! notice_kinds {
    ($($kind:ident => $field:ident),* $(,)?) => {
        $(impl From<$kind> for Notice {
            fn from(kind: $kind) -> Self {
                Self {
                    $field: Some(kind),
                    ..Self::default()
                }
            }
        })*
    };
}

notice_kinds! {
    SeverityChanged => severity_changed,
    PhaseMoved => phase_moved,
    RoleAssigned => role_assigned,
    UpdatePosted => update,
    AlertSent => alert_sent,
    FixApplied => fix_applied,
    Resolved => resolved,
    Reopened => reopened,
    NowSecurity => now_security,
    NowAvailability => now_availability,
    PostmortemDecided => postmortem_decided,
    PostmortemStarted => postmortem_started,
    AlertSeen => alert_seen,
    LoggedSecurity => logged_security,
    MessageLinked => message_linked,
}

use super::{EvidenceView, RatesAtResolve, TicketOpened};

notice_kinds! {
    EvidenceView => evidence,
    RatesAtResolve => rates_at_resolve,
    TicketOpened => ticket_opened,
}
