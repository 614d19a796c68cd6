//! Tests of the incident lifecycle, including property tests over random command sequences.

use proptest::prelude::*;

use super::*;
use crate::domain::EntryKind;
use crate::test_time::T0;

/// What the timeline stores for an event: worded by the built-in `timeline.hbs`, so these
/// tests also hold the words the timeline had when they were built here.
trait Stored {
    fn text(&self) -> String;
    fn kind(&self) -> EntryKind;
}

impl Stored for Happened {
    fn text(&self) -> String {
        static TEMPLATES: std::sync::OnceLock<crate::render::Templates> =
            std::sync::OnceLock::new();
        let templates =
            TEMPLATES.get_or_init(|| crate::render::Templates::load(None).expect("built-ins load"));
        templates.timeline_entry(self.clone()).expect("worded").text
    }

    fn kind(&self) -> EntryKind {
        self.event.kind()
    }
}

fn user(n: u64) -> UserId {
    UserId::new(n).expect("non-zero")
}

fn declared() -> Incident {
    let d = Declaration {
        title: IncidentTitle::parse("Login down").expect("title"),
        severity: Severity::P1,
        kind: IncidentKind::Availability,
        systems: Systems::parse("Login").expect("systems"),
        summary: None,
        declared_by: user(1),
        eta: None,
        detected_at: None,
    };
    Incident::declare(d, T0).0
}

fn text(s: &str) -> FreeText {
    FreeText::parse(s).expect("text")
}

#[test]
fn a_declared_incident_starts_open_in_triage() {
    let i = declared();
    assert_eq!(i.phase, Phase::Triage);
    assert_eq!(i.status, Status::Open);
    assert_eq!(i.phase_started_at(), T0);
}

#[test]
fn going_back_a_phase_is_refused_with_the_reason() {
    let mut i = declared();
    let later = T0 + TimeDelta::minutes(3);
    i.apply(
        Command::AdvancePhase {
            to: Phase::Investigation,
        },
        user(1),
        later,
    )
    .expect("forward");
    let err = i
        .apply(
            Command::AdvancePhase {
                to: Phase::Containment,
            },
            user(1),
            later,
        )
        .expect_err("backwards");
    assert!(
        err.to_string().contains("phases only move forward"),
        "{err}"
    );
    assert_eq!(i.phase, Phase::Investigation);
}

#[test]
fn close_is_refused_before_resolve_and_nothing_is_accepted_after_close() {
    let mut i = declared();
    assert_eq!(
        i.apply(Command::Close, user(1), T0),
        Err(TransitionError::NotResolved)
    );
    i.apply(
        Command::Resolve {
            root_cause: text("bad deploy"),
            compensation: None,
            all_clear_now: false,
        },
        user(1),
        T0 + TimeDelta::hours(1),
    )
    .expect("resolve");
    assert_eq!(
        i.apply(Command::Close, user(1), T0 + TimeDelta::hours(1)),
        Err(TransitionError::NotVerified)
    );
    i.apply(Command::FixHeld, user(1), T0 + TimeDelta::hours(2))
        .expect("held");
    assert_eq!(i.phase, Phase::Recovery);
    assert_eq!(i.time_to_resolve(), Some(TimeDelta::hours(2)));
    i.apply(Command::Close, user(1), T0 + TimeDelta::hours(3))
        .expect("close");
    assert_eq!(
        i.apply(Command::Note { text: text("late") }, user(1), T0),
        Err(TransitionError::Closed)
    );
}

#[test]
fn raising_severity_says_raised_and_keeps_the_reason() {
    let mut i = declared();
    let entries = i
        .apply(
            Command::ChangeSeverity {
                to: Severity::P0,
                reason: Some(ShortText::parse("all regions").expect("reason")),
            },
            user(2),
            T0,
        )
        .expect("raise");
    assert_eq!(
        entries[0].text(),
        "Raised severity from P1 to P0: all regions"
    );
    assert_eq!(entries[0].actor, user(2));
}

#[test]
fn a_clock_that_steps_back_does_not_reorder_the_timeline() {
    let mut i = declared();
    let e = i
        .apply(
            Command::Note { text: text("n") },
            user(1),
            T0 - TimeDelta::minutes(5),
        )
        .expect("note");
    assert_eq!(e[0].at, T0);
}

fn arb_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        prop::sample::select(Severity::ALL.to_vec())
            .prop_map(|to| Command::ChangeSeverity { to, reason: None }),
        prop::sample::select(Phase::ALL.to_vec()).prop_map(|to| Command::AdvancePhase { to }),
        (prop::sample::select(IncidentRole::ALL.to_vec()), 1u64..4).prop_map(|(role, u)| {
            Command::Assign {
                role,
                user: user(u),
            }
        }),
        any::<bool>().prop_map(|public| Command::Update {
            message: text("update"),
            public,
            publish: false,
            eta: None,
        }),
        Just(Command::Note { text: text("note") }),
        (0i64..120).prop_map(|m| Command::Edit {
            title: None,
            systems: None,
            summary: None,
            detected_at: Some(SinceInput::Ago(TimeDelta::minutes(m))),
        }),
        prop::sample::select(vec![IncidentKind::Availability, IncidentKind::Security])
            .prop_map(|to| Command::ChangeKind { to }),
        Just(Command::Announce { eta: None }),
        any::<bool>().prop_map(|all_clear_now| Command::Resolve {
            root_cause: text("cause"),
            compensation: None,
            all_clear_now,
        }),
        Just(Command::FixHeld),
        Just(Command::Reopen {
            reason: text("again")
        }),
        Just(Command::Close),
    ]
}

proptest! {
    #[test]
    fn any_command_sequence_keeps_the_invariants(
        steps in prop::collection::vec((arb_command(), -600i64..3600), 0..40)
    ) {
        let mut i = declared();
        let mut timeline = vec![];
        let mut now = T0;
        for (command, step) in steps {
            now += TimeDelta::seconds(step);
            let before = i.clone();
            match i.apply(command, user(1), now) {
                Ok(entries) => {
                    prop_assert!(before.status != Status::Closed, "a closed incident accepted a command");
                    prop_assert!(!entries.is_empty(), "a transition yielded no timeline entry");
                    timeline.extend(entries);
                }
                Err(_) => prop_assert_eq!(&i, &before, "a refused command changed the incident"),
            }
            let reopened = before.status != Status::Open && i.status == Status::Open;
            prop_assert!(i.phase >= before.phase || reopened, "phase went backwards");
            prop_assert!(
                i.status != Status::Closed || matches!(before.status, Status::Resolved | Status::Closed),
                "closed before the fix held"
            );
            prop_assert_eq!(i.phases.last().map(|s| s.phase), Some(i.phase));
            prop_assert!(i.detected_at <= i.declared_at, "began after it was declared");
            match i.status {
                Status::Open => prop_assert!(i.resolved_at.is_none() && i.verified_at.is_none()),
                Status::Verifying => {
                    prop_assert_eq!(i.phase, Phase::Resolution);
                    prop_assert!(i.resolved_at.is_some() && i.verified_at.is_none());
                }
                Status::Resolved | Status::Closed => {
                    prop_assert_eq!(i.phase, Phase::Recovery);
                    prop_assert!(i.verified_at.is_some(), "recovery without a fix that held");
                }
            }
        }
        prop_assert!(timeline.windows(2).all(|w| w[0].at <= w[1].at), "timeline out of order");
        // Phases move forward, but for a reopen, which goes from recovery back to resolution.
        prop_assert!(i.phases.windows(2).all(|w| w[0].phase < w[1].phase
            || (w[0].phase == Phase::Recovery && w[1].phase == Phase::Resolution)));
    }
}

#[test]
fn a_security_incident_refuses_a_public_update_and_changes_nothing() {
    let mut i = declared();
    i.kind = IncidentKind::Security;
    let before = i.clone();
    let err = i
        .apply(
            Command::Update {
                message: text("Rotating keys"),
                public: true,
                publish: false,
                eta: None,
            },
            user(1),
            T0,
        )
        .expect_err("never announced");
    assert_eq!(err, TransitionError::SecurityNeverAnnounced);
    assert_eq!(i, before);
    assert!(i
        .apply(
            Command::Update {
                message: text("Rotating keys"),
                public: false,
                publish: false,
                eta: None,
            },
            user(1),
            T0,
        )
        .is_ok_and(|e| e.len() == 1));
}

fn resolve(all_clear_now: bool) -> Command {
    Command::Resolve {
        root_cause: text("bad deploy"),
        compensation: None,
        all_clear_now,
    }
}

#[test]
fn resolve_starts_verifying_in_phase_four_and_players_wait_for_the_fix_to_hold() {
    let mut i = declared();
    let entries = i
        .apply(resolve(false), user(1), T0 + TimeDelta::minutes(40))
        .expect("resolve");
    assert_eq!(i.status, Status::Verifying);
    assert_eq!(i.phase, Phase::Resolution);
    assert_eq!(i.time_to_resolve(), None, "not resolved until it held");
    assert_eq!(entries[0].text(), "Fix applied. Root cause: bad deploy");
    assert_eq!(
        i.apply(resolve(false), user(1), T0),
        Err(TransitionError::AlreadyVerifying)
    );
    let held = i
        .apply(Command::FixHeld, user(2), T0 + TimeDelta::minutes(100))
        .expect("held");
    assert_eq!(held[0].kind(), EntryKind::Verified);
    assert_eq!(i.status, Status::Resolved);
    assert_eq!(i.phase, Phase::Recovery);
    assert_eq!(i.verified_at, Some(T0 + TimeDelta::minutes(100)));
    assert_eq!(
        i.apply(Command::FixHeld, user(2), T0),
        Err(TransitionError::AlreadyResolved)
    );
}

#[test]
fn all_clear_now_skips_the_verification_and_says_so_on_the_timeline() {
    let mut i = declared();
    let entries = i
        .apply(resolve(true), user(1), T0 + TimeDelta::minutes(10))
        .expect("resolve");
    assert_eq!(i.status, Status::Resolved);
    assert_eq!(i.phase, Phase::Recovery);
    assert_eq!(i.time_to_resolve(), Some(TimeDelta::minutes(10)));
    assert_eq!(entries.len(), 2);
    assert!(entries[1].text().starts_with("All-clear given at once"));
}

#[test]
fn a_fix_that_did_not_hold_goes_back_to_phase_four_and_a_later_reopen_too() {
    let mut i = declared();
    assert_eq!(
        i.apply(Command::FixHeld, user(1), T0),
        Err(TransitionError::NotVerifying)
    );
    assert_eq!(
        i.apply(Command::Reopen { reason: text("x") }, user(1), T0),
        Err(TransitionError::NotReopenable)
    );
    i.apply(resolve(false), user(1), T0).expect("resolve");
    let e = i
        .apply(
            Command::Reopen {
                reason: text("errors are back"),
            },
            user(1),
            T0 + TimeDelta::minutes(30),
        )
        .expect("reopen");
    assert_eq!(
        e[0].text(),
        "The fix did not hold: errors are back. Back to Phase 4: Resolution"
    );
    assert_eq!((i.status, i.phase), (Status::Open, Phase::Resolution));
    assert_eq!(i.resolved_at, None);
    // Fixed for real, all-clear, then it comes back: recovery gives way to resolution again.
    i.apply(resolve(false), user(1), T0 + TimeDelta::hours(1))
        .expect("resolve");
    i.apply(Command::FixHeld, user(1), T0 + TimeDelta::hours(2))
        .expect("held");
    i.apply(
        Command::Reopen {
            reason: text("login fails again"),
        },
        user(1),
        T0 + TimeDelta::hours(3),
    )
    .expect("reopen");
    assert_eq!((i.status, i.phase), (Status::Open, Phase::Resolution));
    assert_eq!(i.verified_at, None);
    let phases: Vec<Phase> = i.phases.iter().map(|s| s.phase).collect();
    assert_eq!(
        phases,
        [
            Phase::Triage,
            Phase::Resolution,
            Phase::Recovery,
            Phase::Resolution
        ]
    );
    assert_eq!(
        i.apply(
            Command::AdvancePhase {
                to: Phase::Resolution
            },
            user(1),
            T0
        ),
        Err(TransitionError::PhaseNotForward {
            current: Phase::Resolution,
            requested: Phase::Resolution
        })
    );
}

fn edit() -> Command {
    Command::Edit {
        title: None,
        systems: None,
        summary: None,
        detected_at: None,
    }
}

#[test]
fn an_edit_writes_one_entry_per_fact_that_changed() {
    let mut i = declared();
    let later = T0 + TimeDelta::minutes(10);
    let entries = i
        .apply(
            Command::Edit {
                title: Some(IncidentTitle::parse("Login and shop down").expect("title")),
                systems: Some(Systems::parse("Login, Shop").expect("systems")),
                summary: Some(text("Players get 503")),
                detected_at: Some(SinceInput::Ago(TimeDelta::minutes(25))),
            },
            user(2),
            later,
        )
        .expect("edited");
    let texts: Vec<String> = entries.iter().map(Stored::text).collect();
    assert_eq!(
        texts,
        [
            "Title changed from \"Login down\" to \"Login and shop down\"",
            "Systems changed from Login to Login, Shop",
            "Summary changed to: Players get 503",
            "Start of the problem changed from 2026-11-30 09:00 UTC to 2026-11-30 08:45 UTC",
        ]
    );
    assert!(entries
        .iter()
        .all(|e| e.kind() == EntryKind::Edited && e.actor == user(2)));
    assert_eq!(i.title.as_str(), "Login and shop down");
    assert_eq!(i.detected_at, T0 - TimeDelta::minutes(15));
    // The declaration stays what it was; the time to resolve counts from the start.
    assert_eq!(i.declared_at, T0);
    i.apply(
        Command::Resolve {
            root_cause: text("cert"),
            compensation: None,
            all_clear_now: true,
        },
        user(2),
        T0 + TimeDelta::minutes(45),
    )
    .expect("resolved");
    assert_eq!(i.time_to_resolve(), Some(TimeDelta::minutes(60)));
}

#[test]
fn an_edit_of_nothing_or_to_the_same_facts_is_refused() {
    let mut i = declared();
    assert_eq!(
        i.apply(edit(), user(1), T0),
        Err(TransitionError::NothingToEdit)
    );
    let same = Command::Edit {
        title: Some(IncidentTitle::parse("Login down").expect("title")),
        systems: None,
        summary: None,
        detected_at: None,
    };
    let before = i.clone();
    assert_eq!(
        i.apply(same, user(1), T0),
        Err(TransitionError::NothingChanged)
    );
    assert_eq!(i, before);
}

#[test]
fn a_start_after_the_declaration_in_the_future_or_a_month_before_is_refused() {
    let mut i = declared();
    let now = T0 + TimeDelta::minutes(30);
    let at = |since| Command::Edit {
        title: None,
        systems: None,
        summary: None,
        detected_at: Some(since),
    };
    let before = i.clone();
    let future = i
        .apply(
            at(SinceInput::At(now + TimeDelta::minutes(1))),
            user(1),
            now,
        )
        .expect_err("future");
    assert_eq!(
        future,
        TransitionError::DetectedInFuture("2026-11-30 09:31 UTC".into())
    );
    let after = i
        .apply(at(SinceInput::Ago(TimeDelta::minutes(10))), user(1), now)
        .expect_err("after the declaration");
    assert!(
        after
            .to_string()
            .contains("(2026-11-30 09:00 UTC), and 2026-11-30 09:20 UTC is after that"),
        "{after}"
    );
    assert!(after.to_string().contains("`2026-11-29 23:50`"), "{after}");
    let early = i
        .apply(at(SinceInput::At(T0 - TimeDelta::days(31))), user(1), now)
        .expect_err("a month before");
    assert!(matches!(early, TransitionError::DetectedTooEarly(_)));
    assert_eq!(i, before, "a refused start changed the incident");
    assert!(i
        .apply(at(SinceInput::At(T0)), user(1), now)
        .is_err_and(|e| e == TransitionError::NothingChanged));
    assert!(i
        .apply(at(SinceInput::Ago(TimeDelta::minutes(31))), user(1), now)
        .is_ok());
}

#[test]
fn an_eta_given_at_declare_or_in_an_update_is_the_last_one_kept() {
    let d = Declaration {
        title: IncidentTitle::parse("Login down").expect("title"),
        severity: Severity::P1,
        kind: IncidentKind::Availability,
        systems: Systems::default(),
        summary: None,
        declared_by: user(1),
        eta: Some(EtaInput::In(TimeDelta::minutes(45))),
        detected_at: Some(T0 - TimeDelta::minutes(5)),
    };
    let (mut i, _) = Incident::declare(d, T0);
    assert_eq!(i.eta, Some(Eta::At(T0 + TimeDelta::minutes(45))));
    assert_eq!(i.detected_at, T0 - TimeDelta::minutes(5));
    let words = ShortText::parse("after the patch").expect("text");
    let entries = i
        .apply(
            Command::Update {
                message: text("Rolling back"),
                public: false,
                publish: false,
                eta: Some(EtaInput::Text(words.clone())),
            },
            user(1),
            T0,
        )
        .expect("update");
    assert_eq!(
        entries[0].text(),
        "Update: Rolling back (ETA: after the patch)"
    );
    assert_eq!(i.eta, Some(Eta::Text(words.clone())));
    i.apply(
        Command::Update {
            message: text("Still rolling back"),
            public: false,
            publish: false,
            eta: None,
        },
        user(1),
        T0,
    )
    .expect("update");
    assert_eq!(
        i.eta,
        Some(Eta::Text(words)),
        "an update without one keeps it"
    );
}

#[test]
fn publishing_an_update_tells_players_and_is_refused_for_a_security_incident() {
    let mut i = declared();
    let published = Command::Update {
        message: text("Back up"),
        public: false,
        publish: true,
        eta: None,
    };
    let entries = i.apply(published.clone(), user(1), T0).expect("update");
    assert_eq!(entries[0].text(), "Published update: Back up");
    i.kind = IncidentKind::Security;
    assert_eq!(
        i.apply(published, user(1), T0),
        Err(TransitionError::SecurityNeverAnnounced)
    );
}

#[test]
fn the_alert_on_request_is_refused_for_security_and_once_fixed() {
    let mut i = declared();
    let entries = i
        .apply(
            Command::Announce {
                eta: Some(EtaInput::In(TimeDelta::hours(2))),
            },
            user(1),
            T0,
        )
        .expect("announced");
    assert_eq!(
        entries[0].text(),
        "Service alert posted for players (ETA: 2026-11-30 11:00 UTC)"
    );
    assert_eq!(entries[0].kind(), EntryKind::Announced);
    assert_eq!(i.eta, Some(Eta::At(T0 + TimeDelta::hours(2))));

    let mut sec = declared();
    sec.kind = IncidentKind::Security;
    let err = sec
        .apply(Command::Announce { eta: None }, user(1), T0)
        .expect_err("security");
    assert_eq!(err, TransitionError::SecurityNotAlerted);
    assert!(
        err.to_string().contains("security lead's decision"),
        "{err}"
    );

    // Verifying the fix is not open any more either.
    i.apply(
        Command::Resolve {
            root_cause: text("cert"),
            compensation: None,
            all_clear_now: false,
        },
        user(1),
        T0,
    )
    .expect("resolved");
    assert_eq!(
        i.apply(Command::Announce { eta: None }, user(1), T0),
        Err(TransitionError::AlertAfterFix)
    );
}

#[test]
fn the_kind_changes_both_ways_and_not_to_itself() {
    let mut i = declared();
    assert_eq!(
        i.apply(
            Command::ChangeKind {
                to: IncidentKind::Availability
            },
            user(1),
            T0
        ),
        Err(TransitionError::SameKind(IncidentKind::Availability))
    );
    assert_eq!(
        TransitionError::SameKind(IncidentKind::Availability).to_string(),
        "this is already an availability incident"
    );
    let entries = i
        .apply(
            Command::ChangeKind {
                to: IncidentKind::Security,
            },
            user(1),
            T0,
        )
        .expect("to security");
    assert_eq!(entries[0].kind(), EntryKind::KindChanged);
    assert_eq!(i.kind, IncidentKind::Security);
    i.apply(
        Command::ChangeKind {
            to: IncidentKind::Availability,
        },
        user(1),
        T0,
    )
    .expect("back");
    assert_eq!(i.kind, IncidentKind::Availability);
}
