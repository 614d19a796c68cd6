//! Who gets woken: a reminder pings the person it is for and only them; with nobody in that
//! role it pages the severity's roles and says so; a second overrun of a phase escalates.

use std::time::Duration;

use chrono::TimeDelta;
use serenity::all::ChannelId;

use crate::support::bot::{spawn_bot_with, world, STEP};
use crate::support::fake_discord::FakeDiscord;
use crate::support::story::{declare, run, shows};

async fn assign(fake: &FakeDiscord, channel: ChannelId, role: &str, who: serenity::all::UserId) {
    let user = format!("<@{who}>");
    let answer = run(
        fake,
        world::COMMANDER,
        channel,
        "assign",
        &[("role", role), ("user", &user)],
    )
    .await;
    assert!(
        answer.ends_with('.') && !answer.starts_with('⛔'),
        "{answer}"
    );
}

#[tokio::test]
async fn the_update_reminder_pings_the_comms_lead_and_nobody_else() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P1")],
    )
    .await
    .id;
    assign(&fake, channel, "commander", world::COMMANDER).await;
    assign(&fake, channel, "comms", world::SECURITY).await;
    // A P1 expects an update every 30 minutes.
    bot.clock.advance(TimeDelta::minutes(31));
    let reminder = shows(&fake, channel, "the update reminder", |m| {
        m.content.contains("No update for")
    })
    .await;
    let pings = fake.pings(reminder.id);
    assert_eq!(pings.users, [world::SECURITY], "{}", reminder.content);
    assert!(pings.roles.is_empty(), "{pings:?}");
    assert!(!pings.everyone);
    assert!(
        reminder
            .content
            .starts_with(&format!("<@{}> ⏰", world::SECURITY)),
        "the ping comes first: {}",
        reminder.content
    );
    assert!(
        !reminder.content.contains("Nobody is"),
        "{}",
        reminder.content
    );
}

#[tokio::test]
async fn a_phase_overrun_pings_the_commander_and_its_second_overrun_escalates() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P1")],
    )
    .await
    .id;
    assign(&fake, channel, "commander", world::RESPONDER).await;
    let nudges = |f: &FakeDiscord| {
        f.messages(channel)
            .into_iter()
            .filter(|m| m.content.contains("is over its budget"))
            .collect::<Vec<_>>()
    };
    // Triage has 5 minutes; the second overrun comes at twice that.
    bot.clock.advance(TimeDelta::minutes(6));
    fake.wait_for("the first nudge", STEP, |f| nudges(f).len() == 1)
        .await;
    bot.clock.advance(TimeDelta::minutes(5));
    fake.wait_for("the second nudge", STEP, |f| nudges(f).len() == 2)
        .await;
    let both = nudges(&fake);
    let first = fake.pings(both[0].id);
    assert_eq!(first.users, [world::RESPONDER]);
    assert!(first.roles.is_empty(), "{first:?}");
    let second = fake.pings(both[1].id);
    assert_eq!(second.users, [world::RESPONDER]);
    assert_eq!(second.roles, [world::COMMANDER_ROLE], "escalate_to of P1");
    bot.clock.advance(TimeDelta::hours(1));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(nudges(&fake).len(), 2, "two rounds, no more");
}
