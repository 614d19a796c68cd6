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
        },
        user(1),
        t0() + TimeDelta::hours(1),
    )
    .expect("resolve");
    assert_eq!(i.phase, Phase::Recovery);
    assert_eq!(i.time_to_resolve(), Some(TimeDelta::hours(1)));
    i.apply(Command::Close, user(1), t0() + TimeDelta::hours(2))
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
        Just(Command::Resolve {
            root_cause: text("cause"),
            compensation: None
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
            prop_assert!(i.phase >= before.phase, "phase went backwards");
            prop_assert!(i.status != Status::Closed || before.status != Status::Open, "closed without resolve");
            prop_assert_eq!(i.phases.last().map(|s| s.phase), Some(i.phase));
        }
        prop_assert!(timeline.windows(2).all(|w| w[0].at <= w[1].at), "timeline out of order");
        prop_assert!(i.phases.windows(2).all(|w| w[0].phase < w[1].phase));
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
