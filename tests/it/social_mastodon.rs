//! Players' announcements on Mastodon, against a fake instance checked with Mastodon's own
//! documentation: one thread per incident, in order, cut to the instance's limit, typed text
//! never mentioning anyone; the instance's errors; a lost answer, within the hour the key is
//! kept and after it, across a restart.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use incident_bot::clock::ManualClock;
use incident_bot::config::{MastodonSettings, Settings};
use incident_bot::domain::Severity;
use serde_json::json;
use unicode_segmentation::UnicodeSegmentation;

use crate::support::bot::{spawn_bot_on, spawn_bot_with, world, TestBot, STEP};
use crate::support::fake_discord::FakeDiscord;
use crate::support::fake_mastodon::{length, FakeMastodon, TOKEN};
use crate::support::fake_service::{Canned, Fault};
use crate::support::story::{declare, run};

/// `[social.mastodon]` on `fake`, with its token, answering within `timeout`.
pub fn on_mastodon(fake: &FakeMastodon, timeout: Duration) -> impl FnOnce(&mut Settings) {
    let instance = fake.url();
    move |s| {
        s.social.mastodon = Some(MastodonSettings {
            instance,
            timeout,
            severities: Severity::ALL.to_vec(),
            locale: None,
            token: Some(TOKEN.to_owned().into()),
        });
    }
}

/// Waits until `check` holds, for at most [`STEP`].
pub async fn until(what: &str, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + STEP;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "still waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Declares a P0 on Login and returns its channel, once the alert's post is out.
pub async fn p0(discord: &FakeDiscord, bot: &TestBot) -> serenity::all::ChannelId {
    let channel = declare(
        discord,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await
    .id;
    bot.settle().await;
    channel
}

/// Posts a public update in `channel` as the commander.
pub async fn update(discord: &FakeDiscord, channel: serenity::all::ChannelId, message: &str) {
    let answer = run(
        discord,
        world::COMMANDER,
        channel,
        "update",
        &[("message", message), ("public", "true")],
    )
    .await;
    assert!(answer.starts_with("Update posted"), "{answer}");
}

#[tokio::test]
async fn an_incident_is_one_thread_in_order_and_typed_text_mentions_nobody() {
    let discord = world::fake().start().await;
    let mastodon = FakeMastodon::start(500).await;
    let bot = spawn_bot_with(&discord, on_mastodon(&mastodon, STEP)).await;

    let channel = p0(&discord, &bot).await;
    update(
        &discord,
        channel,
        "Rolling back; ask @cole or see #ops, **not** <@1>",
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
    until("three statuses", || mastodon.statuses().len() == 3).await;
    bot.settle().await;

    let s = mastodon.statuses();
    assert_eq!(mastodon.violations(), Vec::<String>::new());
    assert!(
        s[0].text.starts_with("🚨 Service Alert 🚨\n"),
        "{}",
        s[0].text
    );
    let link = format!(
        "{}/incidents/1",
        bot.app.settings.status.url.trim_end_matches('/')
    );
    assert!(s[0].text.ends_with(&format!("\n{link}")), "{}", s[0].text);
    assert_eq!(s[0].in_reply_to_id, None);
    assert_eq!(s[1].in_reply_to_id.as_deref(), Some(s[0].id.as_str()));
    assert_eq!(s[2].in_reply_to_id.as_deref(), Some(s[1].id.as_str()));
    assert!(s[2].text.starts_with("✅ All Clear"), "{}", s[2].text);
    assert!(s.iter().all(|s| s.visibility == "public"));
    // Typed as plain text: no Discord escapes, no mention, no hashtag.
    let update = &s[1].text;
    assert!(
        update.contains("ask @\u{200B}cole or see #\u{200B}ops, **not**"),
        "{update}"
    );
    assert!(!update.contains('\\'), "{update}");
    assert_eq!(
        update.matches(&link).count(),
        1,
        "the link once, at the end: {update}"
    );
    let keys: Vec<String> = mastodon
        .service
        .acted()
        .iter()
        .filter(|r| r.method == "POST")
        .filter_map(|r| r.header("idempotency-key").map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), 3);
    assert!(keys[0] != keys[1] && keys[1] != keys[2], "{keys:?}");
}

#[tokio::test]
async fn a_post_is_cut_to_the_instance_limit_at_a_grapheme_with_the_link_whole() {
    let discord = world::fake().start().await;
    let mastodon = FakeMastodon::start(120).await;
    let bot = spawn_bot_with(&discord, on_mastodon(&mastodon, STEP)).await;

    let channel = p0(&discord, &bot).await;
    // Flags (two code points), skin tones (two) and letters with a combining accent.
    let long = format!("{}{}", "🇫🇷👍🏽 ".repeat(40), "e\u{301}".repeat(60));
    update(&discord, channel, &long).await;
    until("two statuses", || mastodon.statuses().len() == 2).await;

    let text = mastodon.statuses()[1].text.clone();
    assert_eq!(mastodon.violations(), Vec::<String>::new());
    assert!(length(&text) <= 120, "{} > 120: {text}", length(&text));
    let (body, link) = text.rsplit_once('\n').expect("a link line");
    assert!(link.ends_with("/incidents/1"), "{link}");
    assert!(body.ends_with('…'), "{body}");
    // Nothing is cut inside a cluster: what comes before the ellipsis is whole.
    let before = body.trim_end_matches('…');
    let last = before.graphemes(true).next_back().expect("some text");
    assert!(
        ["🇫🇷", "👍🏽", "e\u{301}"].contains(&last),
        "{last:?} in {body}"
    );
}

#[tokio::test]
async fn refused_credentials_and_a_refused_status_are_reported_and_not_retried() {
    let discord = world::fake().start().await;
    let mastodon = FakeMastodon::start(500).await;
    let bot = spawn_bot_with(&discord, on_mastodon(&mastodon, STEP)).await;
    let channel = p0(&discord, &bot).await;
    until("the alert", || mastodon.statuses().len() == 1).await;

    mastodon.service.fault(Fault::Answer(Canned::json(
        401,
        &json!({ "error": "The access token is invalid" }),
    )));
    update(&discord, channel, "First").await;
    bot.settle().await;
    // Discord's escapes taken away, as people read it.
    let log = |needle: &str| {
        discord.messages(world::LOG).iter().any(|m| {
            let read = m.content.replace('\\', "");
            read.contains("`social_post`") && read.contains(needle)
        })
    };
    until("the 401 in the log channel", || {
        log("mastodon refused the credentials (401)")
    })
    .await;

    mastodon.service.fault(Fault::Answer(Canned::json(
        422,
        &json!({ "error": "Validation failed: Text can't be blank" }),
    )));
    update(&discord, channel, "Second").await;
    until("the 422 in the log channel", || {
        log("mastodon refused the request (422)")
    })
    .await;
    bot.settle().await;
    assert_eq!(mastodon.statuses().len(), 1, "nothing retried");
}

#[tokio::test]
async fn a_rate_limit_and_an_outage_are_waited_out_and_post_once() {
    let discord = world::fake().start().await;
    let mastodon = FakeMastodon::start(500).await;
    let bot = spawn_bot_with(&discord, on_mastodon(&mastodon, STEP)).await;
    let channel = p0(&discord, &bot).await;
    until("the alert", || mastodon.statuses().len() == 1).await;

    let reset = (Utc::now() + TimeDelta::seconds(1)).to_rfc3339();
    mastodon.service.fault(Fault::Answer(
        Canned::json(429, &json!({ "error": "Too many requests" }))
            .with_header("x-ratelimit-reset", &reset),
    ));
    mastodon.service.fault(Fault::Answer(Canned::json(
        503,
        &json!({ "error": "down" }),
    )));
    update(&discord, channel, "Still rolling back").await;
    until("the update", || mastodon.statuses().len() == 2).await;
    bot.settle().await;

    let s = mastodon.statuses();
    assert_eq!(s.len(), 2);
    assert_eq!(s[1].in_reply_to_id.as_deref(), Some(s[0].id.as_str()));
    let metrics = &bot.app.metrics.outbound_requests;
    assert_eq!(metrics.get(&["mastodon", "rate_limited"]), 1.0);
    assert_eq!(metrics.get(&["mastodon", "unavailable"]), 1.0);
}

#[tokio::test]
async fn an_answer_lost_within_the_hour_is_found_by_its_idempotency_key() {
    let discord = world::fake().start().await;
    let mastodon = FakeMastodon::start(500).await;
    let bot = spawn_bot_with(&discord, on_mastodon(&mastodon, Duration::from_millis(500))).await;
    let channel = p0(&discord, &bot).await;
    until("the alert", || mastodon.statuses().len() == 1).await;

    mastodon.service.fault(Fault::LoseAnswer);
    update(&discord, channel, "Rolling back").await;
    until("the retry", || {
        mastodon
            .service
            .received()
            .iter()
            .filter(|r| r.method == "POST")
            .count()
            == 3
    })
    .await;
    bot.settle().await;
    assert_eq!(mastodon.statuses().len(), 2, "no second status");
    assert_eq!(mastodon.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_thread_goes_on_across_a_restart_and_a_status_lost_hours_ago_is_looked_for() {
    let discord = world::fake().start().await;
    let mastodon = FakeMastodon::start(500).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::running(Utc::now());
    let bot = spawn_bot_on(
        &discord,
        dir.path(),
        clock.clone(),
        on_mastodon(&mastodon, STEP),
    )
    .await;
    let channel = p0(&discord, &bot).await;
    until("the alert", || mastodon.statuses().len() == 1).await;

    // The instance makes the update's status; the bot dies before it hears back.
    mastodon.service.fault(Fault::LoseAnswer);
    update(&discord, channel, "Rolling back").await;
    until("the update's call", || {
        mastodon.service.received().iter().any(|r| {
            r.method == "POST"
                && r.json()["status"]
                    .as_str()
                    .is_some_and(|t| t.contains("Rolling back"))
        })
    })
    .await;
    bot.stop().await;
    mastodon.forget_keys();
    // Hours later, on the same database: the key is forgotten, the status is looked for.
    let later = ManualClock::running(Utc::now() + TimeDelta::hours(3));
    let bot = spawn_bot_on(&discord, dir.path(), later, on_mastodon(&mastodon, STEP)).await;
    until("the stalled status", || mastodon.statuses().len() == 2).await;
    run(
        &discord,
        world::COMMANDER,
        channel,
        "resolve",
        &[("root_cause", "A bad deploy"), ("all_clear", "now")],
    )
    .await;
    until("the all-clear", || mastodon.statuses().len() == 3).await;
    bot.settle().await;

    let s = mastodon.statuses();
    assert_eq!(s.len(), 3, "{s:#?}");
    assert_eq!(s[1].in_reply_to_id.as_deref(), Some(s[0].id.as_str()));
    assert_eq!(
        s[2].in_reply_to_id.as_deref(),
        Some(s[1].id.as_str()),
        "the thread goes on"
    );
    let looked = mastodon
        .service
        .received()
        .iter()
        .any(|r| r.path.ends_with("/statuses") && r.method == "GET");
    assert!(looked, "the account's statuses were looked through");
    assert_eq!(mastodon.violations(), Vec::<String>::new());
}
