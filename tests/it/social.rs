//! Players' announcements on every configured network at once: the P0 story as one thread on
//! each, a security incident on none, and a turn to security cancelling what still waits.

use chrono::{TimeDelta, Utc};
use serde_json::json;

use crate::social_mastodon::{on_mastodon, until};
use crate::support::bot::{spawn_bot_with, world, STEP};
use crate::support::fake_mastodon::FakeMastodon;
use crate::support::fake_service::{Canned, Fault};
use crate::support::story::{declare, run};

#[tokio::test]
async fn a_security_incident_never_reaches_any_network() {
    let discord = world::fake().start().await;
    let mastodon = FakeMastodon::start(500).await;
    let bot = spawn_bot_with(&discord, on_mastodon(&mastodon, STEP)).await;

    let channel = declare(
        &discord,
        world::SECURITY,
        &[
            ("title", "Admin key leaked"),
            ("severity", "P0"),
            ("kind", "security"),
        ],
    )
    .await
    .id;
    run(&discord, world::SECURITY, channel, "announce", &[]).await;
    run(
        &discord,
        world::SECURITY,
        channel,
        "resolve",
        &[
            ("root_cause", "A key committed by mistake"),
            ("all_clear", "now"),
        ],
    )
    .await;
    bot.settle().await;

    assert!(
        mastodon.service.received().is_empty(),
        "Mastodon was called"
    );
}

#[tokio::test]
async fn a_turn_to_security_cancels_the_waiting_posts_and_says_which_went_out() {
    let discord = world::fake().start().await;
    let mastodon = FakeMastodon::start(500).await;
    let bot = spawn_bot_with(&discord, on_mastodon(&mastodon, STEP)).await;
    let channel = declare(
        &discord,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await
    .id;
    until("the alert", || mastodon.statuses().len() == 1).await;

    // The instance asks the bot to come back in a minute: the update waits.
    let reset = (Utc::now() + TimeDelta::minutes(1)).to_rfc3339();
    mastodon.service.fault(Fault::Answer(
        Canned::json(429, &json!({ "error": "Too many requests" }))
            .with_header("x-ratelimit-reset", &reset),
    ));
    run(
        &discord,
        world::COMMANDER,
        channel,
        "update",
        &[
            ("message", "The attacker used a stolen key"),
            ("public", "true"),
        ],
    )
    .await;
    until("the update's refused call", || {
        mastodon
            .service
            .received()
            .iter()
            .filter(|r| r.method == "POST")
            .count()
            == 2
    })
    .await;
    run(
        &discord,
        world::RESPONDER,
        channel,
        "kind",
        &[("to", "security")],
    )
    .await;
    bot.settle().await;

    let said: Vec<String> = discord
        .messages(channel)
        .iter()
        .map(|m| m.content.replace('\\', ""))
        .collect();
    let notice = said
        .iter()
        .find(|m| m.contains("📵 Social posts"))
        .unwrap_or_else(|| panic!("no word on the social posts in {said:#?}"));
    assert!(
        notice.contains("1 still waiting was cancelled."),
        "{notice}"
    );
    assert!(notice.contains("still public on Mastodon (1)"), "{notice}");
    // Past the instance's reset, nothing more goes out.
    bot.clock.advance(TimeDelta::minutes(5));
    bot.settle().await;
    assert_eq!(mastodon.statuses().len(), 1);
}
