//! Players' announcements on Bluesky, against a fake PDS checked with Bluesky's own lexicons:
//! one thread (root and parent by URI and CID), the status link as a link facet, 300 graphemes
//! at most, one login kept across posts and restarts, a lost answer found by its record key.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use incident_bot::clock::ManualClock;
use incident_bot::config::{BlueskySettings, Settings};
use incident_bot::domain::Severity;
use serde_json::json;
use unicode_segmentation::UnicodeSegmentation;

use crate::social_mastodon::{p0, until, update};
use crate::support::bot::{spawn_bot_on, spawn_bot_with, world, STEP};
use crate::support::fake_bluesky::{FakeBluesky, APP_PASSWORD, HANDLE};
use crate::support::fake_service::{Canned, Fault};
use crate::support::story::run;

/// `[social.bluesky]` on `fake` with `password`, answering within `timeout`.
pub fn on_bluesky(
    fake: &FakeBluesky,
    password: &str,
    timeout: Duration,
) -> impl FnOnce(&mut Settings) {
    let api_base = fake.url();
    let password = password.to_owned();
    move |s| {
        s.social.bluesky = Some(BlueskySettings {
            handle: HANDLE.to_owned(),
            api_base,
            timeout,
            severities: Severity::ALL.to_vec(),
            locale: None,
            app_password: Some(password.into()),
        });
    }
}

fn strong(record: &crate::support::fake_bluesky::Record) -> serde_json::Value {
    json!({ "uri": record.uri, "cid": record.cid })
}

#[tokio::test]
async fn an_incident_is_one_thread_with_its_link_as_a_facet_and_no_mention() {
    let discord = world::fake().start().await;
    let pds = FakeBluesky::start().await;
    let bot = spawn_bot_with(&discord, on_bluesky(&pds, APP_PASSWORD, STEP)).await;

    let channel = p0(&discord, &bot).await;
    update(
        &discord,
        channel,
        "Rolling back; ask @cole.bsky.social or see #ops",
    )
    .await;
    run(
        &discord,
        world::COMMANDER,
        channel,
        "resolve",
        &[("root_cause", "A bad deploy"), ("all_clear", "now")],
    )
    .await;
    until("three posts", || pds.records().len() == 3).await;
    bot.settle().await;

    assert_eq!(pds.violations(), Vec::<String>::new());
    let r = pds.records();
    assert!(
        r[0].text().starts_with("🚨 Service Alert 🚨\n"),
        "{}",
        r[0].text()
    );
    assert!(r[0].value.get("reply").is_none());
    assert_eq!(r[1].value["reply"]["root"], strong(&r[0]));
    assert_eq!(r[1].value["reply"]["parent"], strong(&r[0]));
    assert_eq!(r[2].value["reply"]["root"], strong(&r[0]));
    assert_eq!(r[2].value["reply"]["parent"], strong(&r[1]));
    let link = format!(
        "{}/incidents/1",
        bot.app.settings.status.url.trim_end_matches('/')
    );
    for record in &r {
        let facets = record.value["facets"].as_array().expect("a link facet");
        assert_eq!(facets.len(), 1, "only the link: {facets:?}");
        assert_eq!(facets[0]["features"][0]["uri"], link.as_str());
        let end = facets[0]["index"]["byteEnd"].as_u64().expect("an end");
        assert_eq!(end as usize, record.text().len(), "the link ends the post");
    }
    assert!(
        r[1].text().contains("@\u{200B}cole.bsky.social"),
        "{}",
        r[1].text()
    );
    assert_eq!(pds.logins(), 1, "one login for three posts");
}

#[tokio::test]
async fn a_post_of_emoji_and_combining_marks_is_cut_to_300_graphemes() {
    let discord = world::fake().start().await;
    let pds = FakeBluesky::start().await;
    let bot = spawn_bot_with(&discord, on_bluesky(&pds, APP_PASSWORD, STEP)).await;
    let channel = p0(&discord, &bot).await;

    // 400 graphemes of 2 to 4 code points each: far more than 300, fewer than 1500 chars.
    let long = "🇫🇷👍🏽e\u{301}a\u{308}\u{301}".repeat(100);
    update(&discord, channel, &long).await;
    until("the update", || pds.records().len() == 2).await;

    assert_eq!(pds.violations(), Vec::<String>::new());
    let text = pds.records()[1].text().to_owned();
    assert_eq!(
        text.graphemes(true).count(),
        300,
        "cut to the limit exactly: {text}"
    );
    let (body, link) = text.rsplit_once('\n').expect("the link line");
    assert!(link.ends_with("/incidents/1"));
    let before = body.trim_end_matches('…');
    let last = before.graphemes(true).next_back().expect("text");
    assert!(
        ["🇫🇷", "👍🏽", "e\u{301}", "a\u{308}\u{301}"].contains(&last),
        "cut inside a cluster: {last:?}"
    );
}

#[tokio::test]
async fn an_expired_session_is_refreshed_and_a_restart_keeps_the_login() {
    let discord = world::fake().start().await;
    let pds = FakeBluesky::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::running(Utc::now());
    let bot = spawn_bot_on(
        &discord,
        dir.path(),
        clock,
        on_bluesky(&pds, APP_PASSWORD, STEP),
    )
    .await;
    let channel = p0(&discord, &bot).await;
    until("the alert", || pds.records().len() == 1).await;

    pds.expire_access_tokens();
    update(&discord, channel, "Rolling back").await;
    until("the update", || pds.records().len() == 2).await;
    bot.stop().await;

    let later = ManualClock::running(Utc::now() + TimeDelta::hours(1));
    let bot = spawn_bot_on(
        &discord,
        dir.path(),
        later,
        on_bluesky(&pds, APP_PASSWORD, STEP),
    )
    .await;
    update(&discord, channel, "Rollback done").await;
    until("the update after the restart", || pds.records().len() == 3).await;
    bot.settle().await;

    assert_eq!(
        pds.logins(),
        1,
        "the stored session is used, refreshed, not a new login"
    );
    let refreshed = pds
        .service
        .received()
        .iter()
        .filter(|r| r.path.ends_with("refreshSession"))
        .count();
    assert_eq!(refreshed, 1);
    let r = pds.records();
    assert_eq!(
        r[2].value["reply"]["root"],
        strong(&r[0]),
        "the thread goes on"
    );
    assert_eq!(r[2].value["reply"]["parent"], strong(&r[1]));
    assert_eq!(pds.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_lost_answer_is_found_under_its_record_key_and_never_posted_twice() {
    let discord = world::fake().start().await;
    let pds = FakeBluesky::start().await;
    let bot = spawn_bot_with(
        &discord,
        on_bluesky(&pds, APP_PASSWORD, Duration::from_millis(500)),
    )
    .await;
    let channel = p0(&discord, &bot).await;
    until("the alert", || pds.records().len() == 1).await;

    pds.service.fault(Fault::LoseAnswer);
    update(&discord, channel, "Rolling back").await;
    until("the look-up", || {
        pds.service
            .received()
            .iter()
            .any(|r| r.path.ends_with("getRecord"))
    })
    .await;
    bot.settle().await;

    assert_eq!(pds.records().len(), 2);
    assert_eq!(
        pds.violations(),
        Vec::<String>::new(),
        "no second createRecord"
    );
}

#[tokio::test]
async fn a_wrong_app_password_is_reported_and_never_retried() {
    let discord = world::fake().start().await;
    let pds = FakeBluesky::start().await;
    let bot = spawn_bot_with(&discord, on_bluesky(&pds, "wrong-pass-word-here", STEP)).await;
    p0(&discord, &bot).await;
    let read = |m: &crate::support::fake_discord::FakeMessage| m.content.replace('\\', "");
    until("the refused login in the log channel", || {
        discord.messages(world::LOG).iter().map(read).any(|m| {
            m.contains("`social_post`") && m.contains("bluesky refused the credentials (401)")
        })
    })
    .await;
    bot.settle().await;
    assert!(pds.records().is_empty());
    let logins = pds
        .service
        .received()
        .iter()
        .filter(|r| r.path.ends_with("createSession"))
        .count();
    assert_eq!(logins, 1, "a refused password is not tried again");
}

#[tokio::test]
async fn a_rate_limit_and_an_outage_are_waited_out_and_post_once() {
    let discord = world::fake().start().await;
    let pds = FakeBluesky::start().await;
    let bot = spawn_bot_with(&discord, on_bluesky(&pds, APP_PASSWORD, STEP)).await;
    let reset = (Utc::now() + TimeDelta::seconds(1)).timestamp().to_string();
    pds.service.fault(Fault::Answer(
        Canned::json(
            429,
            &json!({ "error": "RateLimitExceeded", "message": "Rate Limit Exceeded" }),
        )
        .with_header("ratelimit-reset", &reset),
    ));
    pds.service.fault(Fault::Answer(Canned::json(
        502,
        &json!({ "error": "UpstreamFailure" }),
    )));
    p0(&discord, &bot).await;
    until("the alert", || pds.records().len() == 1).await;
    bot.settle().await;
    let metrics = &bot.app.metrics.outbound_requests;
    assert_eq!(metrics.get(&["bluesky", "rate_limited"]), 1.0);
    assert_eq!(metrics.get(&["bluesky", "unavailable"]), 1.0);
    assert_eq!(pds.records().len(), 1);
}
