//! Paging when things go wrong: a lost answer, PagerDuty's refusals and throttling, and
//! acknowledgements that are forged or replayed.

use chrono::TimeDelta;
use incident_bot::clock::Clock as _;
use serde_json::Value;

use crate::support::bot::world;
use crate::support::fake_service::{Canned, Fault};
use crate::support::paging::{
    acknowledgement, deliver, sign, spawn, the_key, timeline, until, WEBHOOK_SECRET,
};
use crate::support::story::declare;

#[tokio::test]
async fn a_page_whose_answer_was_lost_is_sent_again_under_the_same_key_and_pages_once() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    p.pd.service.fault(Fault::LoseAnswer);
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    until("the lost trigger", || p.pd.service.acted().len() == 1).await;
    // PagerDuty suggests trying again some 30 s later.
    p.bot.settle().await;
    p.bot.clock.advance(TimeDelta::seconds(31));
    until("the retried trigger", || p.pd.service.received().len() == 2).await;
    p.bot.settle().await;
    let keys: Vec<Value> =
        p.pd.events()
            .iter()
            .map(|e| e["dedup_key"].clone())
            .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "the retry carries the same dedup_key");
    assert_eq!(p.pd.alerts().len(), 1);
    assert_eq!(
        p.pd.alerts()[&the_key(&p)].triggers,
        2,
        "one alert, its trigger logged twice"
    );
}

#[tokio::test]
async fn an_acknowledgement_with_a_bad_signature_is_refused_and_writes_nothing() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    until("the trigger", || p.pd.events().len() == 1).await;
    let before = timeline(&p).await;
    let body = acknowledgement(&p, &the_key(&p), "ack-1");
    for signature in [
        sign(&body, "another-secret-0123456789abcdef0123"),
        String::new(),
    ] {
        let refused = deliver(&p, &body, &signature).await;
        assert_eq!(refused.status, 401, "{}", refused.body);
    }
    assert_eq!(timeline(&p).await, before);
    // A rotation signs with both secrets: one good signature among them is enough.
    let both = format!(
        "{},{}",
        sign(&body, "old-secret-0123456789abcdef012345"),
        sign(&body, WEBHOOK_SECRET)
    );
    assert_eq!(deliver(&p, &body, &both).await.status, 200);
}

#[tokio::test]
async fn a_replayed_acknowledgement_changes_nothing() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    until("the trigger", || p.pd.events().len() == 1).await;
    let body = acknowledgement(&p, &the_key(&p), "ack-1");
    let signature = sign(&body, WEBHOOK_SECRET);
    assert_eq!(deliver(&p, &body, &signature).await.body, "acknowledged\n");
    let again = deliver(&p, &body, &signature).await;
    assert_eq!((again.status, again.body.as_str()), (200, "duplicate\n"));
    p.bot.settle().await;
    let acks = timeline(&p)
        .await
        .into_iter()
        .filter(|t| t.starts_with("Acknowledged in PagerDuty"))
        .count();
    assert_eq!(acks, 1);
    let notices = fake
        .messages(channel.id)
        .into_iter()
        .filter(|m| m.content.contains("Acknowledged in PagerDuty"))
        .count();
    assert_eq!(notices, 1);
    // One captured long ago is refused outright.
    let mut old: Value = serde_json::from_slice(&body).expect("JSON");
    old["event"]["id"] = "ack-old".into();
    old["event"]["occurred_at"] = (p.bot.clock.now() - TimeDelta::days(2)).to_rfc3339().into();
    let old = serde_json::to_vec(&old).expect("JSON");
    assert_eq!(
        deliver(&p, &old, &sign(&old, WEBHOOK_SECRET)).await.status,
        400
    );
    // Nor is one dated days ahead, which would be remembered only until then.
    let mut ahead: Value = serde_json::from_slice(&body).expect("JSON");
    ahead["event"]["id"] = "ack-ahead".into();
    ahead["event"]["occurred_at"] = (p.bot.clock.now() + TimeDelta::days(2)).to_rfc3339().into();
    let ahead = serde_json::to_vec(&ahead).expect("JSON");
    assert_eq!(
        deliver(&p, &ahead, &sign(&ahead, WEBHOOK_SECRET))
            .await
            .status,
        400
    );
    assert_eq!(
        timeline(&p)
            .await
            .iter()
            .filter(|t| t.starts_with("Acknowledged in PagerDuty"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_page_pagerduty_refuses_is_reported_not_retried() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    p.pd.service.fault(Fault::Answer(Canned::json(
        400,
        &serde_json::json!({ "status": "invalid event", "message": "Event object is invalid", "errors": ["Length of 'routing_key' is incorrect (should be 32 characters)"] }),
    )));
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    crate::support::story::shows(&fake, world::LOG, "the report", |m| {
        m.content
            .contains("Gave up on a `page` job for incident #1 after 1 attempt")
    })
    .await;
    p.bot.clock.advance(TimeDelta::minutes(5));
    p.bot.settle().await;
    assert_eq!(p.pd.service.received().len(), 1, "not retried");
}

#[tokio::test]
async fn a_page_pagerduty_throttles_or_fails_is_tried_again_thirty_seconds_on() {
    for (status, body) in [
        (
            429,
            serde_json::json!({ "status": "throttle event", "message": "Requests for this service are arriving too quickly. Please retry later." }),
        ),
        (
            502,
            serde_json::json!({ "status": "error", "message": "Bad Gateway" }),
        ),
    ] {
        let fake = world::fake().start().await;
        let p = spawn(&fake, |_| {}).await;
        p.pd.service
            .fault(Fault::Answer(Canned::json(status, &body)));
        declare(
            &fake,
            world::RESPONDER,
            &[("title", "Login down"), ("severity", "P0")],
        )
        .await;
        until("the refused trigger", || p.pd.service.received().len() == 1).await;
        p.bot.settle().await;
        assert!(p.pd.alerts().is_empty());
        // No Retry-After: PagerDuty suggests some 30 s, not the queue's shorter backoff.
        p.bot.clock.advance(TimeDelta::seconds(20));
        p.bot.settle().await;
        assert_eq!(p.pd.service.received().len(), 1, "{status}: not yet");
        p.bot.clock.advance(TimeDelta::seconds(11));
        until("the trigger tried again", || p.pd.alerts().len() == 1).await;
        assert_eq!(p.pd.service.received().len(), 2, "{status}");
    }
}

#[tokio::test]
async fn an_ntfy_publish_whose_answer_was_lost_is_found_in_the_topic_and_not_published_again() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    p.ntfy.service.fault(Fault::LoseAnswer);
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    until("the lost publish", || p.ntfy.service.acted().len() == 1).await;
    p.bot.settle().await;
    p.bot.clock.advance(TimeDelta::minutes(10));
    until("the retry", || p.ntfy.service.received().len() == 2).await;
    p.bot.settle().await;
    // The retry asked the topic's cache for the page's marker, found it, and stopped there.
    let asked = &p.ntfy.service.received()[1];
    assert_eq!(
        (asked.method.as_str(), asked.path.as_str()),
        ("GET", "/oncall/json")
    );
    assert!(
        asked.query.contains("tags=incident-bot-1-1-trigger"),
        "{}",
        asked.query
    );
    assert_eq!(p.ntfy.published().len(), 1, "one buzz on the phone");
    p.bot.clock.advance(TimeDelta::minutes(10));
    p.bot.settle().await;
    assert_eq!(p.ntfy.service.received().len(), 2, "the job is done");
    assert!(p.ntfy.violations().is_empty(), "{:?}", p.ntfy.violations());
}

#[tokio::test]
async fn an_ntfy_publish_that_never_went_out_is_published_on_retry() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    p.ntfy.service.fault(Fault::Answer(Canned::json(
        503,
        &serde_json::json!({ "code": 50301, "http": 503, "error": "service unavailable" }),
    )));
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    until("the refused publish", || {
        p.ntfy.service.received().len() == 1
    })
    .await;
    p.bot.settle().await;
    assert!(p.ntfy.published().is_empty());
    p.bot.clock.advance(TimeDelta::minutes(10));
    until("the publish on retry", || p.ntfy.published().len() == 1).await;
    let methods: Vec<String> = p
        .ntfy
        .service
        .received()
        .iter()
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(
        methods,
        ["POST", "GET", "POST"],
        "looked, found nothing, published"
    );
    assert!(p.ntfy.violations().is_empty(), "{:?}", p.ntfy.violations());
}
