//! The shared client of outside services against a fake service on loopback: how each answer
//! a real service gives becomes a result the job queue acts on, and what `/metrics` counts.

use std::time::Duration;

use incident_bot::metrics::Metrics;
use incident_bot::outbound::{endpoint, CallError, Outbound, Reached};
use serde_json::json;

use crate::support::fake_service::{Canned, FakeService, Fault};
use crate::support::openapi::OpenApi;

const SHORT: Duration = Duration::from_millis(500);

async fn service() -> FakeService {
    FakeService::start(|r| Canned::json(202, &json!({ "status": "success", "echo": r.json() })))
        .await
}

async fn post(
    client: &Outbound,
    fake: &FakeService,
) -> Result<incident_bot::outbound::Answer, CallError> {
    let base = url::Url::parse(&fake.url()).expect("a URL");
    let url = endpoint(&base, &["v2", "enqueue"]).expect("an endpoint");
    let request = client
        .request(reqwest::Method::POST, url)
        .json(&json!({ "event_action": "trigger" }));
    client.send("pagerduty", SHORT, request).await
}

#[tokio::test]
async fn a_2xx_is_an_answer_and_is_counted_ok() {
    let fake = service().await;
    let metrics = Metrics::new();
    let client = Outbound::new(metrics.clone()).expect("a client");
    let answer = post(&client, &fake).await.expect("accepted");
    assert_eq!(answer.status, 202);
    assert_eq!(
        answer.json::<serde_json::Value>().expect("JSON")["echo"]["event_action"],
        "trigger"
    );
    assert_eq!(fake.acted()[0].path, "/v2/enqueue");
    assert_eq!(metrics.outbound_requests.get(&["pagerduty", "ok"]), 1.0);
}

#[tokio::test]
async fn each_failure_says_whether_trying_again_can_help() {
    let fake = service().await;
    let metrics = Metrics::new();
    let client = Outbound::new(metrics.clone()).expect("a client");
    let reset = (chrono::Utc::now().timestamp() + 30).to_string();
    fake.fault(Fault::Answer(
        Canned::json(429, &json!({ "message": "slow down" }))
            .with_header("x-ratelimit-reset", &reset),
    ));
    fake.fault(Fault::Answer(Canned::json(
        401,
        &json!({ "message": "Bad credentials" }),
    )));
    fake.fault(Fault::Answer(Canned::json(
        422,
        &json!({ "message": "Validation Failed" }),
    )));
    fake.fault(Fault::Answer(Canned::text(503, "upstream down")));

    match post(&client, &fake).await {
        Err(CallError::Unavailable {
            after: Some(after), ..
        }) => {
            assert!((25..=31).contains(&after.as_secs()), "{after:?}");
        }
        other => panic!("a 429 waits for its reset: {other:?}"),
    }
    let unauthorized = post(&client, &fake).await.expect_err("a 401");
    assert!(
        matches!(unauthorized, CallError::Unauthorized { status: 401, .. }),
        "{unauthorized}"
    );
    assert!(
        unauthorized.to_string().contains("Bad credentials"),
        "{unauthorized}"
    );
    let refused = post(&client, &fake).await.expect_err("a 422");
    assert!(
        matches!(refused, CallError::Refused { status: 422, .. }),
        "{refused}"
    );
    let down = post(&client, &fake).await.expect_err("a 503");
    assert!(
        matches!(
            down,
            CallError::Unavailable {
                after: None,
                reached: Reached::Answered(503),
                ..
            }
        ),
        "{down}"
    );
    assert_eq!(down.status(), Some(503));
    assert!(
        down.to_string()
            .ends_with("unavailable: 503: upstream down"),
        "the status still leads what it said: {down}"
    );

    assert!(fake.acted().is_empty(), "a refused call did nothing");
    let received = fake.received();
    assert_eq!(received.len(), 4);
    assert!(received
        .iter()
        .all(|r| r.method == "POST" && r.query.is_empty()));
    assert_eq!(received[0].header("content-type"), Some("application/json"));
    assert!(received[0].text().contains("trigger"));
    for outcome in ["rate_limited", "unauthorized", "refused", "unavailable"] {
        assert_eq!(
            metrics.outbound_requests.get(&["pagerduty", outcome]),
            1.0,
            "{outcome}"
        );
    }
}

#[tokio::test]
async fn an_answer_lost_after_the_service_acted_is_a_timeout_to_retry() {
    let fake = service().await;
    let client = Outbound::new(Metrics::new()).expect("a client");
    fake.fault(Fault::LoseAnswer);
    let lost = post(&client, &fake).await.expect_err("no answer");
    assert!(matches!(lost, CallError::Unavailable { .. }), "{lost}");
    assert_eq!(
        fake.acted().len(),
        1,
        "the service did act: the retry must find it, not redo it"
    );
}

#[tokio::test]
async fn a_service_too_slow_to_answer_times_out_and_acts_anyway() {
    let fake = service().await;
    let client = Outbound::new(Metrics::new()).expect("a client");
    fake.fault(Fault::Stall(Duration::from_secs(2)));
    let slow = post(&client, &fake).await.expect_err("too slow");
    assert!(
        slow.to_string().contains("no answer within 500ms"),
        "{slow}"
    );
    assert!(
        matches!(
            slow,
            CallError::Unavailable {
                reached: Reached::NoAnswer,
                ..
            }
        ),
        "sent without an answer: it may have acted"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(fake.acted().len(), 1);
}

#[tokio::test]
async fn nobody_listening_is_unavailable_not_a_fault() {
    let fake = service().await;
    let url = fake.url();
    drop(fake);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let client = Outbound::new(Metrics::new()).expect("a client");
    let request = client.request(reqwest::Method::GET, url::Url::parse(&url).expect("a URL"));
    let e = client
        .send("ntfy", SHORT, request)
        .await
        .expect_err("nobody there");
    assert!(
        matches!(
            e,
            CallError::Unavailable {
                service: "ntfy",
                reached: Reached::Nobody,
                ..
            }
        ),
        "nothing was sent, so nothing can have been done: {e}"
    );
}

#[test]
fn a_description_refuses_a_body_its_schema_does_not_allow() {
    let api = OpenApi::new(json!({
        "openapi": "3.0.1",
        "paths": { "/v2/enqueue": { "post": { "requestBody": { "content": { "application/json": {
            "schema": { "$ref": "#/components/schemas/Event" } } } } } } },
        "components": { "schemas": { "Event": {
            "type": "object",
            "required": ["routing_key", "event_action"],
            "properties": {
                "routing_key": { "type": "string" },
                "event_action": { "type": "string", "enum": ["trigger", "acknowledge", "resolve"] },
                "dedup_key": { "type": "string", "nullable": true }
            } } } }
    }));
    let good = json!({ "routing_key": "R", "event_action": "trigger", "dedup_key": null });
    assert!(api.check_json("POST", "/v2/enqueue", &good).is_ok());
    let bad = json!({ "event_action": "page" });
    let problems = api
        .check_json("POST", "/v2/enqueue", &bad)
        .expect_err("refused");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        api.check_json("GET", "/v2/enqueue", &good).is_err(),
        "no such operation"
    );
}

#[test]
fn a_published_description_loads_from_its_fixture() {
    let discord = OpenApi::fixture("discord/openapi.json");
    assert!(discord.has_operation("POST", "/channels/{channel_id}/messages"));
}
