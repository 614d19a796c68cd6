//! Tests of checklist steps: ids, severities, and which steps an incident shows.

use chrono::{TimeZone, Utc};

use super::*;

fn item(id: &str, severities: Option<Vec<Severity>>) -> ChecklistItem {
    ChecklistItem {
        id: StepId::parse(id).expect("an id"),
        label: StepLabel::parse(id).expect("a label"),
        text: StepText::parse(&format!("Do {id}")).expect("a text"),
        group: None,
        severities,
        action: None,
    }
}

fn lists(resolution: Vec<ChecklistItem>) -> Checklists {
    Checklists {
        triage: vec![item("alert", None)],
        containment_security: vec![item("rotate", None)],
        containment_availability: vec![item("maintenance", None)],
        investigation: vec![],
        resolution,
        recovery: vec![],
    }
}

fn tick(phase: Phase, step: &str) -> Tick {
    Tick {
        phase,
        step: StepId::parse(step).expect("an id"),
        text: format!("Did {step}"),
        by: UserId::new(7).expect("a user"),
        at: Utc
            .with_ymd_and_hms(2026, 11, 30, 9, 0, 0)
            .single()
            .expect("a time"),
    }
}

fn ids(steps: &[Step<'_>]) -> Vec<String> {
    steps.iter().map(|s| s.id.to_string()).collect()
}

#[test]
fn step_ids_are_short_lowercase_keys() {
    assert!(StepId::parse("rotate-credentials").is_ok());
    assert!(StepId::parse("p0").is_ok());
    for bad in ["", "Rotate", "a b", "a:b", "a_b", &"x".repeat(33)] {
        let err = StepId::parse(bad).expect_err(bad);
        assert!(err.to_string().contains("lowercase letters"), "{err}");
    }
}

#[test]
fn a_label_leaves_room_for_the_tick_mark_in_discords_80() {
    assert!(StepLabel::parse(&"x".repeat(78)).is_ok());
    let err = StepLabel::parse(&"x".repeat(79)).expect_err("too long");
    assert_eq!(
        err.to_string(),
        "A step's label is 79 characters long; the limit is 78: shorten it"
    );
}

#[test]
fn containment_has_a_list_per_kind() {
    let l = lists(vec![]);
    assert_eq!(
        l.list(Phase::Containment, IncidentKind::Security)[0]
            .id
            .as_str(),
        "rotate"
    );
    assert_eq!(
        l.list(Phase::Containment, IncidentKind::Availability)[0]
            .id
            .as_str(),
        "maintenance"
    );
}

#[test]
fn a_step_limited_to_p0_shows_only_on_a_p0_unless_it_was_ticked() {
    let l = lists(vec![
        item("hotfix-p0", Some(vec![Severity::P0])),
        item("rollback", None),
    ]);
    let shown = |severity, ticks: &[Tick]| {
        ids(&steps(
            &l,
            Phase::Resolution,
            IncidentKind::Availability,
            severity,
            ticks,
        ))
    };
    assert_eq!(shown(Severity::P0, &[]), ["hotfix-p0", "rollback"]);
    assert_eq!(shown(Severity::P1, &[]), ["rollback"]);
    // Ticked on a P0 that was then lowered: the tick still shows.
    let ticked = [tick(Phase::Resolution, "hotfix-p0")];
    assert_eq!(shown(Severity::P1, &ticked), ["hotfix-p0", "rollback"]);
    assert_eq!(
        l.first(Phase::Resolution, IncidentKind::Availability, Severity::P2)
            .map(|i| i.id.as_str()),
        Some("rollback")
    );
}

#[test]
fn a_tick_of_a_step_removed_from_the_list_shows_last_with_its_old_wording() {
    let l = lists(vec![item("rollback", None)]);
    let ticks = [
        tick(Phase::Resolution, "gone"),
        tick(Phase::Triage, "rollback"),
    ];
    let shown = steps(
        &l,
        Phase::Resolution,
        IncidentKind::Availability,
        Severity::P2,
        &ticks,
    );
    assert_eq!(ids(&shown), ["rollback", "gone"]);
    assert!(
        shown[0].tick.is_none(),
        "a tick of another phase is not this one's"
    );
    assert_eq!(shown[1].text(), "Did gone");
    assert_eq!(
        shown[1].label(),
        None,
        "no button for a step no longer listed"
    );
}
