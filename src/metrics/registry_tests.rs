//! The registry's text exposition, case by case.

use super::*;

#[test]
fn a_counter_renders_with_help_type_and_escaped_labels() {
    let r = Registry::default();
    let c = r.counter("x_total", "Things.\nCounted \\ here.", &["what"]);
    c.inc(&["a \"quoted\"\nline \\ here"]);
    c.add(&["b"], 2.0);
    c.add(&["b"], -5.0);
    assert_eq!(
        r.render(),
        "# HELP x_total Things.\\nCounted \\\\ here.\n# TYPE x_total counter\n\
         x_total{what=\"a \\\"quoted\\\"\\nline \\\\ here\"} 1\nx_total{what=\"b\"} 2\n"
    );
}

#[test]
fn a_histogram_renders_cumulative_buckets_sum_and_count() {
    let r = Registry::default();
    let h = r.histogram("d_seconds", "Durations.", &["k"], &[0.5, 1.0, 2.5]);
    for v in [0.1, 0.5, 0.7, 3.0] {
        h.observe(&["x"], v);
    }
    assert_eq!(
        r.render(),
        "# HELP d_seconds Durations.\n# TYPE d_seconds histogram\n\
         d_seconds_bucket{k=\"x\",le=\"0.5\"} 2\n\
         d_seconds_bucket{k=\"x\",le=\"1\"} 3\n\
         d_seconds_bucket{k=\"x\",le=\"2.5\"} 3\n\
         d_seconds_bucket{k=\"x\",le=\"+Inf\"} 4\n\
         d_seconds_sum{k=\"x\"} 4.3\n\
         d_seconds_count{k=\"x\"} 4\n"
    );
    assert_eq!(h.count(&["x"]), 4);
}

#[test]
fn a_gauge_without_labels_and_a_replaced_family_render_what_is_current() {
    let r = Registry::default();
    let g = r.gauge("up", "Up.", &[]);
    g.set(&[], 1.0);
    let p = r.gauge("pending", "Pending.", &["kind"]);
    p.set(&["old"], 3.0);
    p.replace(&[(vec!["new".to_owned()], 2.0)]);
    assert_eq!(
        r.render(),
        "# HELP up Up.\n# TYPE up gauge\nup 1\n\
         # HELP pending Pending.\n# TYPE pending gauge\npending{kind=\"new\"} 2\n"
    );
}

#[test]
fn names_are_checked_when_registered() {
    assert!(valid_name("incident_bot_x_total", false));
    assert!(valid_name("a:b", false));
    assert!(!valid_name("a:b", true));
    assert!(!valid_name("1x", false));
    assert!(!valid_name("a-b", false));
    assert!(!valid_name("", false));
    let r = Registry::default();
    r.counter("dup_total", "x", &[]);
    let again = std::panic::catch_unwind(|| r.counter("dup_total", "x", &[]));
    assert!(again.is_err(), "a name registered twice is a bug");
}
