use super::*;

const FIRING: &str = include_str!("../../../../tests/fixtures/alertmanager_firing.json");

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
