//! Discord's own safety signals through the intake: a raid Discord detected (GUILD_UPDATE's
//! `incidents_data`) and a burst of AutoMod actions each make one triage card, with the
//! `discord` source; the same detection said again by a later guild update adds nothing.

use chrono::Utc;
use incident_bot::clock::Clock;
use incident_bot::domain::AlertSource;

use crate::support::bot::{spawn_bot_with, world, TestBot};
use crate::support::fake_discord::FakeDiscord;
use crate::support::story::shows;

/// The messages of the log channel saying `title`.
fn cards(fake: &FakeDiscord, title: &str) -> usize {
    fake.messages(world::LOG)
        .iter()
        .filter(|m| m.content.contains(title))
        .count()
}

async fn source_of_cards(bot: &TestBot) -> Vec<AlertSource> {
    let cards = bot.app.db.alert_cards().await.expect("cards");
    cards.iter().map(|c| c.source).collect()
}

#[tokio::test]
async fn a_raid_discord_detected_makes_one_triage_card_however_often_the_guild_update_says_it() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    let at = bot.clock.now();

    fake.discord_detects(|i| i.raid_detected_at = Some(at));
    let card = shows(&fake, world::LOG, "the raid's card", |m| {
        m.content.contains("Discord detected a raid on the server")
    })
    .await;
    assert!(
        card.content.contains("Declare"),
        "a triage card: {}",
        card.content
    );
    // Every later guild update carries the same detection (a moderator pausing invites here).
    fake.discord_detects(|i| i.invites_disabled_until = Some(Utc::now()));
    fake.discord_detects(|i| i.dm_spam_detected_at = Some(at));
    shows(&fake, world::LOG, "the DM spam's card", |m| {
        m.content.contains("Discord detected unusual DM activity")
    })
    .await;
    bot.settle().await;
    assert_eq!(cards(&fake, "Discord detected a raid"), 1);
    assert_eq!(
        source_of_cards(&bot).await,
        [AlertSource::Discord, AlertSource::Discord]
    );
    fake.assert_no_violations();
}

#[tokio::test]
async fn a_burst_of_automod_actions_on_one_rule_makes_one_card() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;

    for _ in 0..5 {
        fake.automod_blocks(900, world::PLAYER, world::GENERAL, "free nitro");
    }
    shows(&fake, world::LOG, "AutoMod's card", |m| {
        m.content.contains("AutoMod acted on members")
    })
    .await;
    bot.settle().await;
    assert_eq!(
        cards(&fake, "AutoMod acted on members"),
        1,
        "one card for the burst"
    );
    assert_eq!(source_of_cards(&bot).await, [AlertSource::Discord]);
    fake.assert_no_violations();
}
