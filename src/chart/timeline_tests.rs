//! The timeline chart of a known story: what it shows, and that it draws.

use chrono::TimeDelta;

use super::*;
use crate::test_time::T0;

fn min(n: i64) -> DateTime<Utc> {
    T0 + TimeDelta::minutes(n)
}

/// The sample story: declared at T0 (see `chart::samples::incident`).
fn story() -> (Incident, Vec<TimelineEntry>) {
    super::super::samples::incident(T0).expect("the story")
}

fn words() -> TimelineWords {
    TimelineWords {
        title: "Incident #4: phases against their budgets".into(),
        axis: "minutes from detection".into(),
        budget: "budget".into(),
        within: "within budget".into(),
        over: "over budget".into(),
        markers: Marker::ALL.map(|m| m.key().replace('_', " ")),
        phases: [
            "Phase 1: Detection & Triage",
            "Phase 2: Containment",
            "Phase 3: Investigation",
            "Phase 4: Resolution",
            "Phase 5: Recovery & Communication",
        ]
        .map(String::from),
    }
}

fn chart<'a>(
    i: &'a Incident,
    timeline: &'a [TimelineEntry],
    updates: &'a [DateTime<Utc>],
    alerts: &'a [DateTime<Utc>],
) -> TimelineStory<'a> {
    TimelineStory {
        incident: i,
        timeline,
        public_updates: updates,
        alerts,
        budgets: PhaseBudgets::default(),
        now: min(500),
    }
}

#[test]
fn each_phase_is_a_bar_against_its_budget_from_detection() {
    let (i, timeline) = story();
    let plot = chart(&i, &timeline, &[], &[]).plot();
    let bars: Vec<(Phase, f64, f64, Option<f64>, bool)> = plot
        .bars
        .iter()
        .map(|b| (b.phase, b.start, b.end, b.deadline, b.over))
        .collect();
    assert_eq!(
        bars,
        [
            (Phase::Triage, 10.0, 13.0, Some(5.0), true),
            (Phase::Containment, 13.0, 50.0, Some(30.0), true),
            (Phase::Investigation, 50.0, 70.0, Some(240.0), false),
            (Phase::Resolution, 70.0, 170.0, Some(480.0), false),
            (Phase::Recovery, 170.0, 190.0, None, false),
        ]
    );
}

#[test]
fn markers_show_every_moment_in_time_order_and_the_range_fits_the_story() {
    let (i, timeline) = story();
    let (updates, alerts) = ([min(5), min(165)], [min(-8)]);
    let plot = chart(&i, &timeline, &updates, &alerts).plot();
    assert_eq!(
        plot.marks,
        [
            (Marker::Detected, 0.0),
            (Marker::AlertAttached, 2.0),
            (Marker::Declared, 10.0),
            (Marker::PublicUpdate, 15.0),
            (Marker::FixApplied, 70.0),
            (Marker::Reopened, 80.0),
            (Marker::FixApplied, 110.0),
            (Marker::Verified, 170.0),
            (Marker::PublicUpdate, 175.0),
        ]
    );
    let (low, high) = plot.x;
    assert!(
        (low + 7.6).abs() < 1e-9 && (high - 197.6).abs() < 1e-9,
        "{:?}",
        plot.x
    );
}

#[test]
fn the_chart_is_a_png_of_its_size_with_its_colours() {
    let (i, timeline) = story();
    let (updates, alerts) = ([min(5), min(165)], [min(-8)]);
    let png = timeline_png(&chart(&i, &timeline, &updates, &alerts), &words()).expect("png");
    let image = image::load_from_memory(&png).expect("a PNG").to_rgb8();
    assert_eq!(image.dimensions(), (WIDTH, HEIGHT));
    let colours: std::collections::HashSet<[u8; 3]> = image.pixels().map(|p| p.0).collect();
    let wanted = [BUDGET, WITHIN, OVER]
        .into_iter()
        .chain(Marker::ALL.map(Marker::colour));
    for c in wanted {
        assert!(colours.contains(&[c.0, c.1, c.2]), "{c:?} is drawn");
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/charts");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("timeline.png"), &png).expect("snapshot");
}
