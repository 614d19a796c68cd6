//! The samples of `timeline.hbs`: one view per kind of entry, with made-up facts, for
//! `render timeline` and the check at start.

use chrono::{TimeZone, Utc};

use super::timeline_views::{ActionDid, HookOutcome, PostmortemDid, TimelineView};
use crate::domain::{
    ActionId, BotReason, ChannelId, Eta, FreeText, GuildId, IncidentKind, IncidentRole,
    IncidentTitle, MessageId, Phase, Severity, ShortText, Systems, TimelineEvent, UserId,
};

impl TimelineView {
    /// One view per kind of event, for `render timeline` and the check at start.
    pub(crate) fn samples() -> Vec<Self> {
        let mut all: Vec<Self> = sample_events()
            .unwrap_or_default()
            .iter()
            .map(Self::from)
            .collect();
        all.extend(Self::app_samples());
        all
    }

    /// The entries the app words without a domain event.
    fn app_samples() -> Vec<Self> {
        vec![
            Self::Ticked {
                step: "DB snapshot".into(),
                phase: 2,
                ticked: true,
            },
            Self::Action {
                did: ActionDid::Ran,
                label: "Restart login".into(),
                run: "7".into(),
            },
            Self::ActionFinished {
                ok: false,
                label: "Restart login".into(),
                status: Some(500),
                duration: "1.2s".into(),
                what: Some("upstream down".into()),
                why: None,
            },
            Self::ActionFinished {
                ok: false,
                label: "restart-login".into(),
                status: None,
                duration: "0.0s".into(),
                what: None,
                why: Some(BotReason::NotConfigured {
                    action: ActionId::from_stored("restart-login".into()),
                }),
            },
            Self::ActionUnknown {
                label: "Restart login".into(),
                what: "timed out".into(),
                why: None,
            },
            Self::ActionUnknown {
                label: "Restart login".into(),
                what: String::new(),
                why: Some(BotReason::Interrupted),
            },
            Self::Alert {
                source: "Sentry".into(),
                title: "Login 5xx".into(),
                count: 3,
                first_at: "2026-03-14 09:05:00 UTC".into(),
                link: Some("https://sentry.example/1".into()),
                by_hand: true,
            },
            Self::AlertResolved {
                title: "Login 5xx".into(),
                source: "Sentry".into(),
            },
            Self::AutoDeclared {
                rule: "login".into(),
            },
        ]
        .into_iter()
        .chain(Self::containment_samples())
        .chain(postmortem_samples())
        .collect()
    }

    /// The WAF, lockdown and maintenance entries.
    fn containment_samples() -> Vec<Self> {
        let date = || "2026-03-14 12:05 UTC".to_owned();
        vec![
            Self::WafBlocked {
                service: "Cloudflare".into(),
                targets: vec!["203.0.113.7".into(), "198.51.100.0/24".into()],
                note: Some("credential stuffing".into()),
            },
            Self::WafUnblocked {
                service: "Cloudflare".into(),
                targets: vec!["203.0.113.7".into()],
                expired: true,
            },
            Self::LockedDown {
                invites_until: Some(date()),
                dms_until: Some(date()),
                slowmode: 30,
                channels: 2,
            },
            Self::LockdownLifted,
            Self::Maintenance {
                stage: "started".into(),
                title: "Login database upgrade".into(),
                until: Some(date()),
            },
            Self::MaintenanceHook {
                on: true,
                label: "Maintenance mode".into(),
                outcome: HookOutcome::Failed,
                status: Some(503),
                what: "upstream down".into(),
                why: None,
            },
            Self::MaintenanceHook {
                on: false,
                label: "Maintenance mode".into(),
                outcome: HookOutcome::Failed,
                status: None,
                what: String::new(),
                why: Some(BotReason::NotSetUp),
            },
        ]
    }
}

/// Each step of the post-mortem.
fn postmortem_samples() -> Vec<TimelineView> {
    let did = |did| TimelineView::Postmortem { did };
    vec![
        did(PostmortemDid::Started {
            reason: "optional for a P2 incident, started with /postmortem start".into(),
        }),
        did(PostmortemDid::ActionAdded {
            heading: "Preventive measures".into(),
        }),
        did(PostmortemDid::LessonAdded { went_well: false }),
        did(PostmortemDid::Noted {
            said: "Impact recorded".into(),
        }),
        did(PostmortemDid::Meeting {
            moved: true,
            at: "2026-03-16 15:00 UTC".into(),
            late: true,
        }),
        did(PostmortemDid::Done),
    ]
}

/// Every kind of event, with made-up facts (`None` only if a sample stopped parsing, which
/// the render tests catch).
fn sample_events() -> Option<Vec<TimelineEvent>> {
    use TimelineEvent as E;
    let text = |s: &str| FreeText::parse(s).ok();
    let title = |s: &str| IncidentTitle::parse(s).ok();
    let at = |h| Utc.with_ymd_and_hms(2026, 3, 14, h, 5, 0).single();
    let eta = at(12).map(Eta::At);
    Some(vec![
        E::Declared {
            severity: Severity::P1,
            kind: IncidentKind::Availability,
            title: title("Login down")?,
        },
        E::SeverityChanged {
            from: Severity::P1,
            to: Severity::P0,
            reason: ShortText::parse("all regions").ok(),
        },
        E::PhaseMoved {
            from: Phase::Triage,
            to: Phase::Containment,
        },
        E::RoleAssigned {
            role: IncidentRole::Commander,
            user: UserId::new(5)?,
            before: UserId::new(6),
        },
        E::Update {
            message: text("Rolled back the login deploy")?,
            public: true,
            published: false,
            eta: eta.clone(),
        },
        E::Announced { eta },
        E::KindChanged {
            to: IncidentKind::Security,
        },
        E::Resolved {
            root_cause: text("bad deploy")?,
            compensation: text("500 gems"),
        },
        E::AllClearAtOnce,
        E::FixHeld,
        E::Reopened {
            after_all_clear: false,
            reason: text("errors again")?,
            back_to: Phase::Resolution,
        },
        E::Closed,
        E::TitleChanged {
            from: title("Login down")?,
            to: title("Login slow")?,
        },
        E::SystemsChanged {
            from: Systems::default(),
            to: Systems::parse("login, store").ok()?,
        },
        E::SummaryChanged {
            to: text("Logins time out")?,
        },
        E::StartChanged {
            from: at(9)?,
            to: at(8)?,
        },
        E::Note {
            text: text("Paged the database team")?,
        },
        E::MessageLinked {
            guild: GuildId::new(1)?,
            channel: ChannelId::new(2)?,
            message: MessageId::new(3)?,
        },
    ])
}
