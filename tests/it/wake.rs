//! Who gets woken: a reminder pings the person it is for and only them; with nobody in that
//! role it pages the severity's roles and says so; a second overrun of a phase escalates.

use chrono::TimeDelta;
use incident_bot::clock::Clock;
use serenity::all::{ChannelId, UserId};

use crate::support::bot::{spawn_bot_with, world, TestBot, STEP};
use crate::support::fake_discord::FakeDiscord;
use crate::support::story::{answer, declare, shows_seen};

/// The commander gives `role` to `who`, and reads `reads` back.
async fn assign(
    fake: &FakeDiscord,
    bot: &TestBot,
    channel: ChannelId,
    role: &str,
    who: UserId,
    reads: &str,
) {
    let user = format!("<@{who}>");
    let answer = answer(
        fake,
        world::COMMANDER,
        channel,
        "assign",
        &[("role", role), ("user", &user)],
    )
    .await;
    assert_eq!(fake.seen(&answer, bot.clock.now()), reads);
    assert!(
        fake.pings(answer.id).nobody(),
        "{:?}",
        fake.pings(answer.id)
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
    let (cole, sana) = (world::COMMANDER, world::SECURITY);
    let to_cole = "@cole is now incident commander.";
    assign(&fake, &bot, channel, "commander", cole, to_cole).await;
    let to_sana = "@sana is now communications lead.";
    assign(&fake, &bot, channel, "comms", sana, to_sana).await;
    // A P1 expects an update every 30 minutes.
    bot.clock.advance(TimeDelta::minutes(31));
    let (reminder, text) = shows_seen(
        &fake,
        channel,
        "the update reminder",
        bot.clock.now(),
        |text| text.contains("No update for"),
    )
    .await;
    // The ping comes first, and nothing says nobody holds the role.
    assert_eq!(
        text,
        [
            "@sana ⏰ No update for 31m",
            "The P1 cadence is an update every 30m.",
            "Next step: post one with /incident update (add public:true to tell players)",
        ]
        .join("\n")
    );
    let pings = fake.pings(reminder.id);
    assert_eq!(pings.users, [world::SECURITY], "{text}");
    assert!(pings.roles.is_empty(), "{pings:?}");
    assert!(!pings.everyone);
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
    let to_rhea = "@rhea is now incident commander.";
    assign(&fake, &bot, channel, "commander", world::RESPONDER, to_rhea).await;
    let nudges = |f: &FakeDiscord| {
        let now = bot.clock.now();
        f.messages(channel)
            .into_iter()
            .map(|m| {
                let text = f.seen(&m, now);
                (m, text)
            })
            .filter(|(_, text)| text.contains("is over its budget"))
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
    let body = [
        "The plan gives it until 5m after detection.",
        "Next step: Enable maintenance mode if needed",
    ]
    .join("\n");
    assert_eq!(
        both[0].1,
        format!("@rhea ⏰ Phase 1: Detection & Triage is over its budget by 1m\n{body}")
    );
    let first = fake.pings(both[0].0.id);
    assert_eq!(first.users, [world::RESPONDER]);
    assert!(first.roles.is_empty() && !first.everyone, "{first:?}");
    assert_eq!(
        both[1].1,
        format!(
            "@rhea @commanders ⏰ Phase 1: Detection & Triage is over its budget by 6m\n{body}"
        )
    );
    let second = fake.pings(both[1].0.id);
    assert_eq!(second.users, [world::RESPONDER]);
    assert_eq!(second.roles, [world::COMMANDER_ROLE], "escalate_to of P1");
    assert!(!second.everyone);
    bot.clock.advance(TimeDelta::hours(1));
    bot.settle().await;
    assert_eq!(nudges(&fake).len(), 2, "two rounds, no more");
}
