use super::*;

#[test]
fn a_sentry_body_is_dated_by_the_times_its_signature_covers() {
    let event = include_bytes!("../../../../tests/fixtures/sentry_event_alert.json");
    assert_eq!(
        sentry_signed_at("event_alert", event).map(|t| t.to_rfc3339()),
        Some("2026-11-30T14:05:12.391+00:00".to_owned())
    );
    // A firing metric alert carries only its Sentry incident's opening dates, which a late
    // turn to critical keeps: its digest alone guards it.
    let metric = include_bytes!("../../../../tests/fixtures/sentry_metric_alert.json");
    assert_eq!(sentry_signed_at("metric_alert", metric), None);
    let closed = br#"{"action":"resolved","data":{"metric_alert":{"date_detected":"2026-11-30T14:00:00Z","date_closed":"2026-11-30T16:00:00Z"}}}"#;
    assert_eq!(
        sentry_signed_at("metric_alert", closed).map(|t| t.to_rfc3339()),
        Some("2026-11-30T16:00:00+00:00".to_owned())
    );
    let install = include_bytes!("../../../../tests/fixtures/sentry_installation.json");
    assert_eq!(sentry_signed_at("installation", install), None);
}

#[test]
fn each_sentry_resource_reads_as_one_group_of_one_alert_or_is_ignored() {
    let now = DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
        .expect("a time")
        .with_timezone(&Utc);
    let read = |resource: &str, body: &[u8]| {
        parse_sentry(resource, body, now)
            .expect("the documented shape parses")
            .expect("an alert")
    };

    let event = read(
        "event_alert",
        include_bytes!("../../../../tests/fixtures/sentry_event_alert.json"),
    );
    assert_eq!(event.group_key, "issue:1170820242");
    assert_eq!(
        event.title,
        "ConnectionError: login database timed out (Login errors)"
    );
    let a = &event.alerts[..];
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].dedup_key, "issue:1170820242");
    assert_eq!(a[0].occurrence, "2a1f9e3c7b5d4e8f9a0b1c2d3e4f5a6b");
    assert_eq!(a[0].status, AlertStatus::Firing);
    assert_eq!(a[0].title, "ConnectionError: login database timed out");
    assert_eq!(
        a[0].started_at.to_rfc3339(),
        "2026-11-30T14:05:12.391+00:00"
    );
    assert_eq!(event.labels, a[0].labels);
    assert_eq!(a[0].labels.get("service").map(String::as_str), Some("auth"));
    assert_eq!(event.link, a[0].link);
    assert!(event
        .link
        .as_deref()
        .is_some_and(|l| l.ends_with("/events/2a1f9e3c7b5d4e8f9a0b1c2d3e4f5a6b/")));

    let metric = read(
        "metric_alert",
        include_bytes!("../../../../tests/fixtures/sentry_metric_alert.json"),
    );
    assert_eq!(metric.group_key, "metric:2");
    assert_eq!(metric.title, "Too many errors");
    let a = &metric.alerts[..];
    assert_eq!(
        (a[0].dedup_key.as_str(), a[0].occurrence.as_str()),
        ("metric:2", "7")
    );
    assert_eq!(a[0].status, AlertStatus::Firing);
    assert_eq!(a[0].started_at.to_rfc3339(), "2026-11-30T14:00:00+00:00");
    assert!(metric.labels.is_empty() && a[0].labels.is_empty());
    assert_eq!(
        metric.link.as_deref(),
        Some("https://sentry.io/organizations/studio/alerts/rules/details/2/?alert=7")
    );

    let resolved = read(
        "issue",
        include_bytes!("../../../../tests/fixtures/sentry_issue_resolved.json"),
    );
    assert_eq!(resolved.group_key, "issue:1170820242");
    let a = &resolved.alerts[..];
    assert_eq!(
        (a[0].dedup_key.as_str(), a[0].occurrence.as_str()),
        ("issue:1170820242", "")
    );
    assert_eq!(a[0].status, AlertStatus::Resolved);
    assert_eq!(
        resolved.link.as_deref(),
        Some("https://sentry.io/organizations/studio/issues/1170820242/")
    );

    let install = include_bytes!("../../../../tests/fixtures/sentry_installation.json");
    assert_eq!(parse_sentry("installation", install, now), Ok(None));
    let assigned = br#"{"action":"assigned","data":{"issue":{"id":"1"}}}"#;
    assert_eq!(parse_sentry("issue", assigned, now), Ok(None));
    let warning = br#"{"action":"paused","data":{"metric_alert":{"id":"7"}}}"#;
    assert!(parse_sentry("metric_alert", warning, now).is_err());
    assert!(parse_sentry("event_alert", br#"{"data":{}}"#, now).is_err());
    assert!(parse_sentry("comment", br#"{"data":{}}"#, now).is_err());
}
