//! `/incident lockdown` and `/incident unlock` against the fake Discord's incident actions
//! (Discord's spec, its 24-hour limit, Manage Server): both pauses always sent, a pause set
//! before kept and put back, slow-mode restored, a missing permission said once, the all-clear
//! reminded (with a button that lifts it) and close refused while the server is locked down.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use serenity::all::ChannelId;

use crate::support::bot::{spawn_bot_on, spawn_bot_with, world, TestBot, STEP};
use crate::support::fake_discord::{FakeDiscord, MANAGE_GUILD};
use crate::support::story::{button_labels, declare, press, run, shows};

async fn raid(fake: &FakeDiscord) -> (TestBot, ChannelId) {
    let bot = spawn_bot_with(fake, |_| {}).await;
    let channel = declare(
        fake,
        world::SECURITY,
        &[
            ("title", "Raid of spam accounts"),
            ("severity", "P1"),
            ("kind", "security"),
        ],
    )
    .await;
    (bot, channel.id)
}

fn general() -> String {
    format!("<#{}>", world::GENERAL)
}

#[tokio::test]
async fn a_lockdown_pauses_invites_keeps_the_dms_pause_set_before_and_unlock_puts_all_back() {
    let fake = world::fake().start().await;
    let (bot, channel) = raid(&fake).await;
    // A moderator paused DMs for two hours in the client before the incident.
    // Discord keeps whole seconds.
    let before =
        chrono::DateTime::from_timestamp((Utc::now() + TimeDelta::hours(2)).timestamp(), 0)
            .expect("a time");
    fake.set_incidents(|i| i.dms_disabled_until = Some(before));

    let answer = run(
        &fake,
        world::SECURITY,
        channel,
        "lockdown",
        &[
            ("invites", "true"),
            ("slowmode", "30s"),
            ("channels", &general()),
        ],
    )
    .await;
    assert!(answer.contains("Locking the server down"), "{answer}");
    let said = shows(&fake, channel, "the lockdown", |m| {
        m.content.contains("Server lockdown")
    })
    .await;
    let text = fake.seen(&said, chrono::Utc::now());
    let pings = fake.pings(said.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(text.contains("Invites paused until"), "{text}");
    let data = fake.incidents();
    let until = data.invites_disabled_until.expect("invites paused");
    assert!(until > Utc::now() + TimeDelta::hours(23), "{until}");
    assert_eq!(
        data.dms_disabled_until,
        Some(before),
        "the other pause is sent as it was"
    );
    assert_eq!(
        fake.channel(world::GENERAL)
            .expect("general")
            .rate_limit_per_user,
        30
    );

    run(&fake, world::SECURITY, channel, "unlock", &[]).await;
    shows(&fake, channel, "the unlock", |m| {
        m.content.contains("Lockdown lifted")
    })
    .await;
    bot.settle().await;
    let data = fake.incidents();
    assert_eq!(data.invites_disabled_until, None);
    assert_eq!(
        data.dms_disabled_until,
        Some(before),
        "the moderator's pause is still there"
    );
    assert_eq!(
        fake.channel(world::GENERAL)
            .expect("general")
            .rate_limit_per_user,
        0
    );
    fake.assert_no_violations();
}

#[tokio::test]
async fn without_manage_server_a_lockdown_says_once_what_to_grant() {
    let fake = world::fake()
        .bot_permissions(world::BOT_INVITE & !MANAGE_GUILD)
        .start()
        .await;
    let (bot, channel) = raid(&fake).await;

    run(
        &fake,
        world::SECURITY,
        channel,
        "lockdown",
        &[("dms", "true")],
    )
    .await;
    let told = shows(&fake, world::LOG, "the refusal", |m| {
        m.content.contains("Manage Server")
    })
    .await;
    let text = fake.seen(&told, chrono::Utc::now());
    let pings = fake.pings(told.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(text.contains("pause invites and DMs"), "{text}");
    bot.settle().await;
    assert_eq!(fake.incidents().dms_disabled_until, None);
    let puts = fake
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("/incident-actions"))
        .count();
    assert_eq!(puts, 1, "a missing permission is not retried");
    fake.take_violations();
}

#[tokio::test]
async fn the_resolve_points_at_the_lockdown_and_close_refuses_while_it_holds() {
    let fake = world::fake().start().await;
    let (bot, channel) = raid(&fake).await;
    run(
        &fake,
        world::SECURITY,
        channel,
        "lockdown",
        &[("invites", "true")],
    )
    .await;
    shows(&fake, channel, "the lockdown", |m| {
        m.content.contains("Server lockdown")
    })
    .await;
    let me = format!("<@{}>", world::SECURITY);
    run(
        &fake,
        world::SECURITY,
        channel,
        "assign",
        &[("role", "commander"), ("user", &me)],
    )
    .await;

    run(
        &fake,
        world::SECURITY,
        channel,
        "resolve",
        &[
            ("root_cause", "Spam bots joined through a leaked invite"),
            ("all_clear", "now"),
        ],
    )
    .await;
    shows(&fake, channel, "the reminder", |m| {
        m.content.contains("still locked down")
    })
    .await;
    let refused = run(&fake, world::SECURITY, channel, "close", &[]).await;
    assert!(refused.contains("/incident unlock"), "{refused}");
    assert!(
        fake.incidents().invites_disabled_until.is_some(),
        "a refused close changes nothing"
    );

    // The reminder's button lifts it, as /incident unlock would.
    let (handle, _) = press(&fake, world::SECURITY, channel, "🔓 Lift the lockdown").await;
    assert_eq!(
        handle.ack().await.kind,
        7,
        "the reminder is edited in place"
    );
    bot.settle().await;
    let reminder = shows(&fake, channel, "the reminder answered", |m| {
        m.content.contains("is lifting the lockdown")
    })
    .await;
    assert!(button_labels(&reminder).is_empty(), "its button is gone");
    shows(&fake, channel, "the lockdown lifted", |m| {
        m.content.contains("Lockdown lifted by")
    })
    .await;
    let closed = run(&fake, world::SECURITY, channel, "close", &[]).await;
    assert!(!closed.contains("locked down"), "{closed}");
}

#[tokio::test]
async fn a_pause_longer_than_a_day_is_rearmed_before_it_lapses() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = incident_bot::clock::ManualClock::running(Utc::now());
    let bot = spawn_bot_on(&fake, dir.path(), clock, |_| {}).await;
    let channel = declare(
        &fake,
        world::SECURITY,
        &[("title", "Raid"), ("severity", "P1"), ("kind", "security")],
    )
    .await
    .id;
    run(
        &fake,
        world::SECURITY,
        channel,
        "lockdown",
        &[("invites", "true"), ("until", "48h")],
    )
    .await;
    shows(&fake, channel, "the lockdown", |m| {
        m.content.contains("Server lockdown")
    })
    .await;
    let first = fake.incidents().invites_disabled_until.expect("paused");
    assert!(
        first < Utc::now() + TimeDelta::hours(25),
        "at most Discord's 24 h: {first}"
    );

    // 23 hours on, on both clocks: the pause is set again, a day ahead of then.
    fake.advance(Duration::from_secs(23 * 3600));
    bot.clock.advance(TimeDelta::hours(23));
    fake.wait_for("the re-armed pause", STEP, |f| {
        f.incidents()
            .invites_disabled_until
            .is_some_and(|t| t > first + TimeDelta::hours(20))
    })
    .await;
    fake.assert_no_violations();
}
