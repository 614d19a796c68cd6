use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::*;
use crate::scheduler::JobError;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-06T05:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(value) {
            map.insert(HeaderName::from_static(name), value);
        }
    }
    map
}

#[test]
fn retry_after_is_read_in_seconds_or_as_an_http_date() {
    let wait = |v: &str| retry_after(&headers(&[("retry-after", v)]), now());
    assert_eq!(wait("30"), Some(Duration::from_secs(30)));
    assert_eq!(
        wait("Sun, 06 Dec 2026 05:01:00 GMT"),
        Some(Duration::from_secs(60))
    );
    assert_eq!(wait("soon"), None);
}

#[test]
fn each_services_reset_header_is_understood() {
    let wait = |name: &'static str, v: &str| retry_after(&headers(&[(name, v)]), now());
    let in_90s = (now().timestamp() + 90).to_string();
    assert_eq!(
        wait("x-ratelimit-reset", &in_90s),
        Some(Duration::from_secs(90)),
        "GitHub"
    );
    assert_eq!(
        wait("x-rate-limit-reset", &in_90s),
        Some(Duration::from_secs(90)),
        "X"
    );
    assert_eq!(
        wait("ratelimit-reset", "12"),
        Some(Duration::from_secs(12)),
        "IETF draft"
    );
    let in_2s_ms = (now().timestamp_millis() + 2000).to_string();
    assert_eq!(
        wait("x-ratelimit-requests-reset", &in_2s_ms),
        Some(Duration::from_secs(2)),
        "Linear"
    );
    assert_eq!(
        wait("x-ratelimit-reset", "2026-12-06T05:05:00.000Z"),
        Some(Duration::from_secs(300)),
        "Mastodon"
    );
}

#[test]
fn a_reset_in_the_past_is_no_wait_and_one_far_away_is_ignored() {
    let past = (now().timestamp() - 10).to_string();
    assert_eq!(
        retry_after(&headers(&[("x-ratelimit-reset", &past)]), now()),
        Some(Duration::ZERO)
    );
    let far = (now().timestamp() + 86_400).to_string();
    assert_eq!(
        retry_after(&headers(&[("x-ratelimit-reset", &far)]), now()),
        None
    );
    assert_eq!(retry_after(&HeaderMap::new(), now()), None);
}

#[test]
fn an_endpoint_keeps_the_base_path_and_encodes_each_segment() {
    let base = url::Url::parse("https://proxy.example/github/").unwrap_or_else(|e| panic!("{e}"));
    let url = endpoint(&base, &["repos", "studio", "game ops", "issues"])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        url.as_str(),
        "https://proxy.example/github/repos/studio/game%20ops/issues"
    );
}

#[test]
fn a_failure_maps_to_the_job_queue_by_whether_trying_again_helps() {
    let later = CallError::Unavailable {
        service: "ntfy",
        message: "busy".into(),
        after: Some(Duration::from_secs(4)),
        reached: super::Reached::Answered(503),
    };
    assert!(matches!(
        JobError::from(later),
        JobError::Retry { after: Some(d), .. } if d == Duration::from_secs(4)
    ));
    let creds = CallError::Unauthorized {
        service: "github",
        status: 401,
        message: "Bad credentials".into(),
    };
    assert_eq!(creds.outcome(), "unauthorized");
    assert!(matches!(JobError::from(creds), JobError::Fatal(_)));
}
