//! Tests of the incident lifecycle, including property tests over random command sequences.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use super::*;

fn user(n: u64) -> UserId {
    UserId::new(n).expect("non-zero")
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn declared() -> Incident {
    let d = Declaration {
        title: IncidentTitle::parse("Login down").expect("title"),
        severity: Severity::P1,
        kind: IncidentKind::Availability,
        systems: Systems::parse("Login").expect("systems"),
        summary: None,
        declared_by: user(1),
    };
    Incident::declare(d, t0()).0
}

fn text(s: &str) -> FreeText {
    FreeText::parse(s).expect("text")
}

#[test]
fn a_declared_incident_starts_open_in_triage() {
    let i = declared();
    assert_eq!(i.phase, Phase::Triage);
    assert_eq!(i.status, Status::Open);
    assert_eq!(i.phase_started_at(), t0());
}

#[test]
fn going_back_a_phase_is_refused_with_the_reason() {
    let mut i = declared();
    let later = t0() + TimeDelta::minutes(3);
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
        i.apply(Command::Close, user(1), t0()),
        Err(TransitionError::NotResolved)
    );
    i.apply(
        Command::Resolve {
            root_cause: text("bad deploy"),
            compensation: None,
            all_clear_now: false,
        },
        user(1),
        t0() + TimeDelta::hours(1),
    )
    .expect("resolve");
    assert_eq!(
        i.apply(Command::Close, user(1), t0() + TimeDelta::hours(1)),
        Err(TransitionError::NotVerified)
    );
    i.apply(Command::FixHeld, user(1), t0() + TimeDelta::hours(2))
        .expect("held");
    assert_eq!(i.phase, Phase::Recovery);
    assert_eq!(i.time_to_resolve(), Some(TimeDelta::hours(2)));
    i.apply(Command::Close, user(1), t0() + TimeDelta::hours(3))
        .expect("close");
    assert_eq!(
        i.apply(Command::Note { text: text("late") }, user(1), t0()),
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
            t0(),
        )
        .expect("raise");
    assert_eq!(
        entries[0].text,
        "Raised severity from P1 to P0: all regions"
    );
    assert_eq!(entries[0].actor, Some(user(2)));
}

#[test]
fn a_clock_that_steps_back_does_not_reorder_the_timeline() {
    let mut i = declared();
    let e = i
        .apply(
            Command::Note { text: text("n") },
            user(1),
            t0() - TimeDelta::minutes(5),
        )
        .expect("note");
    assert_eq!(e[0].at, t0());
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
            public
        }),
        Just(Command::Note { text: text("note") }),
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
        let mut now = t0();
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
            },
            user(1),
            t0(),
        )
        .expect_err("never announced");
    assert_eq!(err, TransitionError::SecurityNeverAnnounced);
    assert_eq!(i, before);
    assert!(i
        .apply(
            Command::Update {
                message: text("Rotating keys"),
                public: false,
            },
            user(1),
            t0(),
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
        .apply(resolve(false), user(1), t0() + TimeDelta::minutes(40))
        .expect("resolve");
    assert_eq!(i.status, Status::Verifying);
    assert_eq!(i.phase, Phase::Resolution);
    assert_eq!(i.time_to_resolve(), None, "not resolved until it held");
    assert_eq!(entries[0].text, "Fix applied. Root cause: bad deploy");
    assert_eq!(
        i.apply(resolve(false), user(1), t0()),
        Err(TransitionError::AlreadyVerifying)
    );
    let held = i
        .apply(Command::FixHeld, user(2), t0() + TimeDelta::minutes(100))
        .expect("held");
    assert_eq!(held[0].kind, EntryKind::Verified);
    assert_eq!(i.status, Status::Resolved);
    assert_eq!(i.phase, Phase::Recovery);
    assert_eq!(i.verified_at, Some(t0() + TimeDelta::minutes(100)));
    assert_eq!(
        i.apply(Command::FixHeld, user(2), t0()),
        Err(TransitionError::AlreadyResolved)
    );
}

#[test]
fn all_clear_now_skips_the_verification_and_says_so_on_the_timeline() {
    let mut i = declared();
    let entries = i
        .apply(resolve(true), user(1), t0() + TimeDelta::minutes(10))
        .expect("resolve");
    assert_eq!(i.status, Status::Resolved);
    assert_eq!(i.phase, Phase::Recovery);
    assert_eq!(i.time_to_resolve(), Some(TimeDelta::minutes(10)));
    assert_eq!(entries.len(), 2);
    assert!(entries[1].text.starts_with("All-clear given at once"));
}

#[test]
fn a_fix_that_did_not_hold_goes_back_to_phase_four_and_a_later_reopen_too() {
    let mut i = declared();
    assert_eq!(
        i.apply(Command::FixHeld, user(1), t0()),
        Err(TransitionError::NotVerifying)
    );
    assert_eq!(
        i.apply(Command::Reopen { reason: text("x") }, user(1), t0()),
        Err(TransitionError::NotReopenable)
    );
    i.apply(resolve(false), user(1), t0()).expect("resolve");
    let e = i
        .apply(
            Command::Reopen {
                reason: text("errors are back"),
            },
            user(1),
            t0() + TimeDelta::minutes(30),
        )
        .expect("reopen");
    assert_eq!(
        e[0].text,
        "The fix did not hold: errors are back. Back to Phase 4: Resolution"
    );
    assert_eq!((i.status, i.phase), (Status::Open, Phase::Resolution));
    assert_eq!(i.resolved_at, None);
    // Fixed for real, all-clear, then it comes back: recovery gives way to resolution again.
    i.apply(resolve(false), user(1), t0() + TimeDelta::hours(1))
        .expect("resolve");
    i.apply(Command::FixHeld, user(1), t0() + TimeDelta::hours(2))
        .expect("held");
    i.apply(
        Command::Reopen {
            reason: text("login fails again"),
        },
        user(1),
        t0() + TimeDelta::hours(3),
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
            t0()
        ),
        Err(TransitionError::PhaseNotForward {
            current: Phase::Resolution,
            requested: Phase::Resolution
        })
    );
}
