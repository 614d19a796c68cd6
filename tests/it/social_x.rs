//! Players' announcements on X, against a fake checked with X's own OpenAPI description: off
//! unless configured, separate posts unless replies are allowed, the status link only when
//! asked for (it costs more), a monthly cap counted in the database and said in
//! `/incident status`, and a lost answer found among the account's posts.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use incident_bot::config::{Settings, XKeys, XSettings};
use incident_bot::domain::Severity;
use serde_json::json;

use crate::social_mastodon::{p0, until, update};
use crate::support::bot::{spawn_bot_with, world, STEP};
use crate::support::fake_service::{Canned, Fault};
use crate::support::fake_x::{FakeX, KEYS};
use crate::support::story::run;

/// `[social.x]` on `fake`: whether it links and replies, its cap, its timeout.
pub fn on_x(
    fake: &FakeX,
    include_link: bool,
    replies: bool,
    monthly_cap: u32,
    timeout: Duration,
) -> impl FnOnce(&mut Settings) {
    let api_base = fake.url();
    move |s| {
        s.social.x = Some(XSettings {
            api_base,
            timeout,
            severities: Severity::ALL.to_vec(),
            locale: None,
            include_link,
            monthly_cap,
            replies,
            keys: Some(XKeys {
                consumer_key: KEYS[0].to_owned().into(),
                consumer_secret: KEYS[1].to_owned().into(),
                access_token: KEYS[2].to_owned().into(),
                access_secret: KEYS[3].to_owned().into(),
            }),
        });
    }
}

#[tokio::test]
async fn by_default_each_announcement_is_a_post_of_its_own_without_the_costly_link() {
    let discord = world::fake().start().await;
    let x = FakeX::start().await;
    let bot = spawn_bot_with(&discord, on_x(&x, false, false, 50, STEP)).await;
    let channel = p0(&discord, &bot).await;
    update(&discord, channel, "Rolling back; ask @cole").await;
    until("two posts", || x.posts().len() == 2).await;
    bot.settle().await;

    assert_eq!(x.violations(), Vec::<String>::new());
    let posts = x.posts();
    assert!(posts.iter().all(|p| p.in_reply_to.is_none()), "{posts:?}");
    assert!(posts.iter().all(|p| !p.text.contains("http")), "{posts:?}");
    assert!(posts[1].text.contains("@\u{200B}cole"), "{}", posts[1].text);
}

#[tokio::test]
async fn with_replies_and_the_link_an_incident_is_one_thread() {
    let discord = world::fake().start().await;
    let x = FakeX::start().await;
    let bot = spawn_bot_with(&discord, on_x(&x, true, true, 50, STEP)).await;
    let channel = p0(&discord, &bot).await;
    update(&discord, channel, &"Rolling back the deploy. ".repeat(20)).await;
    run(
        &discord,
        world::COMMANDER,
        channel,
        "resolve",
        &[("root_cause", "A bad deploy"), ("all_clear", "now")],
    )
    .await;
    until("three posts", || x.posts().len() == 3).await;
    bot.settle().await;

    assert_eq!(x.violations(), Vec::<String>::new());
    let p = x.posts();
    assert_eq!(p[0].in_reply_to, None);
    assert_eq!(p[1].in_reply_to.as_deref(), Some(p[0].id.as_str()));
    assert_eq!(p[2].in_reply_to.as_deref(), Some(p[1].id.as_str()));
    assert!(p.iter().all(|p| p.text.ends_with("/incidents/1")), "{p:?}");
    assert!(p[1].text.contains('…'), "cut to 280: {}", p[1].text);
}

#[tokio::test]
async fn past_the_monthly_cap_posts_are_skipped_and_the_status_says_so() {
    let discord = world::fake().start().await;
    let x = FakeX::start().await;
    let bot = spawn_bot_with(&discord, on_x(&x, false, false, 1, STEP)).await;
    let channel = p0(&discord, &bot).await;
    until("the alert", || x.posts().len() == 1).await;
    update(&discord, channel, "Rolling back").await;
    bot.settle().await;

    assert_eq!(x.posts().len(), 1, "the update is over the cap");
    let status = run(&discord, world::COMMANDER, channel, "status", &[]).await;
    assert!(
        status.contains("X: the monthly cap of 1 posts is reached"),
        "{status}"
    );
}

#[tokio::test]
async fn a_lost_answer_is_found_among_the_accounts_posts_and_errors_are_retried_or_reported() {
    let discord = world::fake().start().await;
    let x = FakeX::start().await;
    let bot = spawn_bot_with(
        &discord,
        on_x(&x, false, false, 50, Duration::from_millis(500)),
    )
    .await;
    let channel = p0(&discord, &bot).await;
    until("the alert", || x.posts().len() == 1).await;

    x.service.fault(Fault::LoseAnswer);
    update(&discord, channel, "Rolling back").await;
    until("the look-up", || {
        x.service
            .received()
            .iter()
            .any(|r| r.path.ends_with("/tweets") && r.method == "GET")
    })
    .await;
    bot.settle().await;
    assert_eq!(x.posts().len(), 2, "no second post");

    let reset = (Utc::now() + TimeDelta::seconds(1)).timestamp().to_string();
    x.service.fault(Fault::Answer(
        Canned::json(429, &json!({ "title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429 }))
            .with_header("x-rate-limit-reset", &reset),
    ));
    x.service.fault(Fault::Answer(Canned::json(
        503,
        &json!({ "title": "Service Unavailable" }),
    )));
    update(&discord, channel, "Rollback half done").await;
    until("the third post", || x.posts().len() == 3).await;

    x.service.fault(Fault::Answer(Canned::json(
        401,
        &json!({ "title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized" }),
    )));
    update(&discord, channel, "Rollback done").await;
    until("the 401 in the log channel", || {
        discord.messages(world::LOG).iter().any(|m| {
            let read = m.content.replace('\\', "");
            read.contains("`social_post`") && read.contains("x refused the credentials (401)")
        })
    })
    .await;
    bot.settle().await;
    assert_eq!(x.posts().len(), 3);
    assert_eq!(x.violations(), Vec::<String>::new());
}
