//! The adapter over the `prometheus` crate: label values land under the right names, and the
//! text exposition is what `promtool` and the bot's readers expect.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::*;

const fn family(name: &'static str, help: &'static str, labels: &'static [&'static str]) -> Family {
    Family { name, help, labels }
}

#[test]
fn a_counter_renders_with_help_type_and_escaped_labels() {
    let r = Registry::default();
    let c = r.counter(&family("x_total", "Things.\nCounted \\ here.", &["what"]));
    c.inc(&["a \"quoted\"\nline \\ here"]);
    c.add(&["b"], 2.0);
    c.add(&["b"], -5.0);
    assert_eq!(c.get(&["b"]), 2.0, "a counter never goes down");
    assert_eq!(
        r.render(),
        "# HELP x_total Things.\\nCounted \\\\ here.\n# TYPE x_total counter\n\
         x_total{what=\"a \\\"quoted\\\"\\nline \\\\ here\"} 1\nx_total{what=\"b\"} 2\n"
    );
}

#[test]
fn label_values_are_given_in_declared_order_and_written_sorted_by_name() {
    let r = Registry::default();
    let c = r.counter(&family("hooks_total", "Hooks.", &["source", "outcome"]));
    c.inc(&["sentry", "stored"]);
    c.inc(&["alertmanager", "stale"]);
    assert_eq!(c.get(&["sentry", "stored"]), 1.0);
    assert_eq!(
        r.render(),
        "# HELP hooks_total Hooks.\n# TYPE hooks_total counter\n\
         hooks_total{outcome=\"stale\",source=\"alertmanager\"} 1\n\
         hooks_total{outcome=\"stored\",source=\"sentry\"} 1\n"
    );
}

#[test]
fn a_histogram_renders_cumulative_buckets_sum_and_count() {
    let r = Registry::default();
    let h = r.histogram(&family("d_seconds", "Durations.", &["k"]), &[0.5, 1.0, 2.5]);
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
fn families_are_written_by_name_and_only_once_they_have_a_series() {
    let r = Registry::default();
    let up = r.gauge(&family("up", "Up.", &[]));
    let pending = r.gauge(&family("pending", "Pending.", &["kind"]));
    r.counter(&family("never_total", "Never counted.", &["what"]));
    up.set(&[], 1.0);
    pending.set(&["old"], 3.0);
    pending.set(&["kept"], 1.0);
    pending.replace(&[
        (vec!["kept".to_owned()], 2.0),
        (vec!["new".to_owned()], 4.0),
    ]);
    assert_eq!(
        r.render(),
        "# HELP pending Pending.\n# TYPE pending gauge\n\
         pending{kind=\"kept\"} 2\npending{kind=\"new\"} 4\n\
         # HELP up Up.\n# TYPE up gauge\nup 1\n"
    );
}

#[test]
fn a_wrong_number_of_label_values_drops_the_event_without_panicking() {
    let r = Registry::default();
    let c = r.counter(&family("x_total", "X.", &["a", "b"]));
    c.inc(&["only one"]);
    assert_eq!(r.render(), "");
}

#[test]
fn a_bad_table_entry_is_refused_when_registered() {
    let r = Registry::default();
    r.counter(&family("dup_total", "x", &[]));
    for bad in [
        family("dup_total", "x", &[]),
        family("1x_total", "x", &[]),
        family("a-b_total", "x", &[]),
        family("ok_total", "x", &["a:b"]),
    ] {
        let registered = catch_unwind(AssertUnwindSafe(|| r.counter(&bad)));
        assert!(registered.is_err(), "{} is a bug in the table", bad.name);
    }
    let descending = catch_unwind(AssertUnwindSafe(|| {
        r.histogram(&family("h", "x", &[]), &[2.0, 1.0])
    }));
    assert!(descending.is_err(), "bounds must ascend");
}
