use std::collections::BTreeMap;

use super::*;

const FIRING: &str = include_str!("../../tests/fixtures/alertmanager_firing.json");

#[test]
fn an_alertmanager_message_reads_as_one_group_with_one_entry_per_fingerprint() {
    let batch = parse_alertmanager(FIRING.as_bytes()).expect("the documented shape parses");
    assert_eq!(batch.source, AlertSource::Alertmanager);
    assert_eq!(batch.group_key, "{}:{alertname=\"LoginErrors\"}");
    assert_eq!(batch.title, "LoginErrors: Login error rate above 5%");
    assert_eq!(batch.alerts.len(), 1);
    let a = &batch.alerts[0];
    assert_eq!(a.dedup_key, "c2a6e4f0b1d93e57");
    assert_eq!(a.status, AlertStatus::Firing);
    assert_eq!(a.started_at.to_rfc3339(), "2026-11-30T14:02:00+00:00");
    assert_eq!(
        a.link.as_deref(),
        Some("http://prometheus.example:9090/graph?g0.expr=login_errors")
    );
}

#[test]
fn a_resolved_alert_reads_as_resolved() {
    let body = FIRING
        .replace(
            "\"status\": \"firing\",\n      \"labels\"",
            "\"status\": \"resolved\",\n      \"labels\"",
        )
        .replace("0001-01-01T00:00:00Z", "2026-11-30T14:30:00Z");
    let batch = parse_alertmanager(body.as_bytes()).expect("parses");
    assert_eq!(batch.alerts[0].status, AlertStatus::Resolved);
}

#[test]
fn other_shapes_are_refused_with_what_is_wrong() {
    let v3 = FIRING.replace("\"version\": \"4\"", "\"version\": \"3\"");
    let e = parse_alertmanager(v3.as_bytes()).expect_err("version 3 is refused");
    assert!(e.0.contains("version 4"), "{e}");
    assert!(parse_alertmanager(b"{\"hello\": 1}").is_err());
    assert!(parse_alertmanager(b"not json").is_err());
    let no_alerts = r#"{"version":"4","groupKey":"g","alerts":[]}"#;
    assert!(parse_alertmanager(no_alerts.as_bytes()).is_err());
    let bad_time = FIRING.replace("2026-11-30T14:02:00Z", "yesterday");
    assert!(parse_alertmanager(bad_time.as_bytes()).is_err());
}

#[test]
fn system_rules_name_the_first_system_whose_label_matches() {
    let mut config = BTreeMap::new();
    config.insert("Login".to_owned(), vec!["service=auth".to_owned()]);
    config.insert(
        "Store".to_owned(),
        vec!["job=shop".to_owned(), "team=payments".to_owned()],
    );
    let rules = SystemRules::parse(&config).expect("parses");
    let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert_eq!(
        rules.system_of(&labels(&[("service", "AUTH")])),
        Some("Login")
    );
    assert_eq!(
        rules.system_of(&labels(&[("team", "payments")])),
        Some("Store")
    );
    assert_eq!(rules.system_of(&labels(&[("service", "chat")])), None);
    config.insert("Bad".to_owned(), vec!["nothing".to_owned()]);
    assert!(SystemRules::parse(&config).is_err());
}

#[test]
fn a_sentry_body_is_dated_by_the_times_its_signature_covers() {
    let event = include_bytes!("../../tests/fixtures/sentry_event_alert.json");
    assert_eq!(
        sentry_signed_at("event_alert", event).map(|t| t.to_rfc3339()),
        Some("2026-11-30T14:05:12.391+00:00".to_owned())
    );
    // A firing metric alert carries only its Sentry incident's opening dates, which a late
    // turn to critical keeps: its digest alone guards it.
    let metric = include_bytes!("../../tests/fixtures/sentry_metric_alert.json");
    assert_eq!(sentry_signed_at("metric_alert", metric), None);
    let closed = br#"{"action":"resolved","data":{"metric_alert":{"date_detected":"2026-11-30T14:00:00Z","date_closed":"2026-11-30T16:00:00Z"}}}"#;
    assert_eq!(
        sentry_signed_at("metric_alert", closed).map(|t| t.to_rfc3339()),
        Some("2026-11-30T16:00:00+00:00".to_owned())
    );
    let install = include_bytes!("../../tests/fixtures/sentry_installation.json");
    assert_eq!(sentry_signed_at("installation", install), None);
}
