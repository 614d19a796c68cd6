//! `[intake] reports_channel`: enough players naming one system in a few minutes make a triage
//! card; reading their words takes the privileged Message Content intent.

use std::time::Duration;

use chrono::Utc;
use incident_bot::clock::ManualClock;
use incident_bot::config::{DiscordToken, Settings};
use incident_bot::domain::ChannelId;
use incident_bot::startup::Application;
use serenity::all::UserId;

use crate::intake::{card_lines, with_intake};
use crate::support::bot::{config_toml, spawn_bot_with, world};

const ANNA: UserId = UserId::new(1_100_000_000_000_000_310);
const BORIS: UserId = UserId::new(1_100_000_000_000_000_311);

fn watching_general(s: &mut Settings) {
    with_intake(s);
    s.intake.reports_channel = ChannelId::new(world::GENERAL.get());
    s.intake.reports_players = 3;
}

#[tokio::test]
async fn three_players_naming_login_within_minutes_make_one_card_that_later_reports_join() {
    let fake = world::fake()
        .member(ANNA, "anna", &[])
        .member(BORIS, "boris", &[])
        .message_content_intent(true)
        .start()
        .await;
    let bot = spawn_bot_with(&fake, watching_general).await;

    fake.user_says(world::PLAYER, world::GENERAL, "login is broken for me");
    // A responder's words are not a player's report, and a word that only contains the name
    // is not the name.
    fake.user_says(
        world::RESPONDER,
        world::GENERAL,
        "login looks fine from here",
    );
    fake.user_says(ANNA, world::GENERAL, "my loginserver mod crashed");
    fake.user_says(ANNA, world::GENERAL, "LOGIN down??");
    // Kept a sleep: the bot counts reports in memory as gateway events arrive, each handled
    // on its own task, and a message that makes no card leaves no trace to wait on.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        bot.app.db.alert_cards().await.expect("cards").is_empty(),
        "two players are not yet three"
    );

    fake.user_says(BORIS, world::GENERAL, "can't login, stuck on the spinner");
    let card = card_lines(&fake, "the players' card", |l| {
        l.contains("3 players mention Login in 5 min")
    })
    .await;
    assert!(
        card.contains("Alert: 3 players mention Login in 5 min (player reports)"),
        "{card}"
    );
    assert!(card.contains("System: Login"), "{card}");
    assert!(card.contains("Seen: 3 times, 3 firing now"), "{card}");
    assert!(card.contains("[button: Declare P0]"), "{card}");

    // A fourth report joins the card instead of posting another.
    fake.user_says(world::PLAYER, world::GENERAL, "still no login");
    card_lines(&fake, "the card counting 4", |l| {
        l.contains("players mention Login") && l.contains("Seen: 4 times")
    })
    .await;
    let cards = bot.app.db.alert_cards().await.expect("cards");
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].source.as_str(), "players");
}

#[tokio::test]
async fn without_the_message_content_intent_the_bot_says_what_to_turn_on() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bot.toml");
    std::fs::write(&path, config_toml(&fake, &dir.path().join("bot.db"))).expect("config");
    let mut settings = Settings::load(Some(&path)).expect("config loads");
    watching_general(&mut settings);
    let token = DiscordToken::new(fake.token().to_owned());
    let clock = ManualClock::running(Utc::now());
    let bot = Application::build(settings, std::sync::Arc::new(clock), &token, |b| b)
        .await
        .expect("the bot builds");
    let stopped = tokio::time::timeout(Duration::from_secs(30), bot.run_until_stopped())
        .await
        .expect("the bot stops instead of retrying a refused intent");
    let error = format!("{:#}", stopped.expect_err("it cannot run"));
    assert!(
        error.starts_with(
            "Discord refused the Message Content intent that [intake] reports_channel needs"
        ),
        "{error}"
    );
    assert!(error.contains("Privileged Gateway Intents"), "{error}");
    assert_eq!(fake.identifies().len(), 1, "asked once, not in a loop");
    let refused = fake.expect_violations(1);
    assert!(
        format!("{refused:?}").contains("disallowed-intent"),
        "{refused:?}"
    );
}
