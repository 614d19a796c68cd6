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
