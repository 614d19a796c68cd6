//! The players' alerts button as players and the team see it: `/incident alerts-button` posts
//! **Notify me of outages** / **Stop notifying me** in the announcement channel (once), a press
//! gives or takes the alert role on Discord and is answered where only the player sees it,
//! presses are limited per member, a refusal from Discord is told to the player and to the log,
//! and a P0 alert notifies exactly the players who took the role.

use std::time::Duration;

use serenity::all::{RoleId, UserId};

use crate::support::bot::{spawn_bot, spawn_bot_with, world};
use crate::support::fake_discord::{FakeDiscord, FakeDiscordBuilder, FakeMessage, Fault};
use crate::support::story::{declare, press, run, shows, shows_seen};

/// A player who has not taken the alert role yet.
const NIA: UserId = UserId::new(1_100_000_000_000_000_310);

/// The standard guild, with Nia.
fn guild() -> FakeDiscordBuilder {
    world::fake().member(NIA, "nia", &[])
}

/// A commander posts the buttons; returns their answer.
async fn post_buttons(fake: &FakeDiscord) -> String {
    run(fake, world::COMMANDER, world::GENERAL, "alerts-button", &[]).await
}

/// `who` presses `label` under the buttons and returns the answer only they read, as seen.
async fn press_and_read(fake: &FakeDiscord, who: UserId, label: &str) -> String {
    let (handle, _) = press(fake, who, world::ANNOUNCEMENTS, label).await;
    let reply: FakeMessage = handle.reply().await;
    assert_eq!(reply.flags & 64, 64, "only the player sees the answer");
    assert!(fake.pings(reply.id).nobody(), "the answer pings nobody");
    fake.seen(&reply, fake.now())
}

/// A responder declares a P0; returns the 🚨 alert players read.
async fn p0_alert(fake: &FakeDiscord) -> FakeMessage {
    let opts = [("title", "Login down"), ("severity", "P0")];
    declare(fake, world::RESPONDER, &opts).await;
    shows(fake, world::ANNOUNCEMENTS, "the 🚨 alert", |m| {
        m.content.contains("🚨")
    })
    .await
}

fn has(fake: &FakeDiscord, who: UserId, role: RoleId) -> bool {
    fake.member_roles(who).contains(&role)
}

#[tokio::test]
async fn a_player_who_presses_notify_me_gets_the_alert_role_and_stop_takes_it_away() {
    let fake = guild().start().await;
    let _bot = spawn_bot(&fake).await;
    let answer = post_buttons(&fake).await;
    assert!(
        answer.contains("Posted the outage alert buttons"),
        "{answer}"
    );
    let shown = fake.seen_in(world::ANNOUNCEMENTS, fake.now());
    let line = shown.last().expect("the buttons' message");
    assert!(line.contains("[button: Notify me of outages] [button: Stop notifying me]"));
    assert!(line.contains("@player-alerts"), "{line}");

    let on = press_and_read(&fake, NIA, "Notify me of outages").await;
    assert!(on.starts_with("🔔 Done: you will be pinged"), "{on}");
    assert!(has(&fake, NIA, world::PLAYER_ALERTS_ROLE));
    assert_eq!(
        fake.member_roles(NIA),
        [world::PLAYER_ALERTS_ROLE],
        "no other role"
    );

    let off = press_and_read(&fake, NIA, "Stop notifying me").await;
    assert!(
        off.contains("you will not be pinged about outages"),
        "{off}"
    );
    assert!(fake.member_roles(NIA).is_empty());
    fake.assert_no_violations();
}

#[tokio::test]
async fn posting_the_alerts_buttons_again_updates_the_one_message_instead_of_adding_one() {
    let fake = guild().start().await;
    let _bot = spawn_bot(&fake).await;
    post_buttons(&fake).await;
    let again = post_buttons(&fake).await;
    assert!(again.contains("updated them in place"), "{again}");
    let with_buttons = fake
        .seen_in(world::ANNOUNCEMENTS, fake.now())
        .into_iter()
        .filter(|l| l.contains("[button: Notify me of outages]"))
        .count();
    assert_eq!(with_buttons, 1);
    assert_eq!(
        fake.count("PATCH", "/channels/{channel_id}/messages/{message_id}"),
        1
    );
}

#[tokio::test]
async fn a_post_whose_answer_was_lost_is_not_posted_twice_when_the_command_is_run_again() {
    let fake = guild().start().await;
    let _bot = spawn_bot_with(&fake, |s| s.jobs.discord_timeout = Duration::from_secs(1)).await;
    // Discord posts the message, but its answer comes after the bot stopped waiting.
    let route = "/channels/{channel_id}/messages";
    fake.fail_next("POST", route, 1, Fault::Delayed(Duration::from_secs(4)));
    let lost = post_buttons(&fake).await;
    assert!(!lost.contains("Posted"), "{lost}");
    fake.wait_for("the first post", Duration::from_secs(10), |f| {
        !f.messages(world::ANNOUNCEMENTS).is_empty()
    })
    .await;
    let again = post_buttons(&fake).await;
    assert!(again.contains("Posted the outage alert buttons"), "{again}");
    assert_eq!(
        fake.messages(world::ANNOUNCEMENTS).len(),
        1,
        "one message, not two"
    );
    let third = post_buttons(&fake).await;
    assert!(third.contains("updated them in place"), "{third}");
}

#[tokio::test]
async fn a_player_may_not_post_the_alerts_buttons() {
    let fake = guild().start().await;
    let _bot = spawn_bot(&fake).await;
    let answer = run(&fake, NIA, world::GENERAL, "alerts-button", &[]).await;
    assert!(answer.contains("commander"), "{answer}");
    assert!(fake.messages(world::ANNOUNCEMENTS).is_empty());
}

#[tokio::test]
async fn a_player_pressing_too_often_is_told_to_wait_and_discord_is_not_asked() {
    let fake = guild().start().await;
    let _bot = spawn_bot(&fake).await;
    post_buttons(&fake).await;
    let labels = ["Notify me of outages", "Stop notifying me"];
    for n in 0..incident_bot::app::PRESSES {
        press_and_read(&fake, NIA, labels[n % 2]).await;
    }
    let route = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}";
    let calls = fake.count("PUT", route) + fake.count("DELETE", route);
    assert_eq!(calls, incident_bot::app::PRESSES);
    let slow = press_and_read(&fake, NIA, "Notify me of outages").await;
    assert!(
        slow.contains("That is a lot of presses: try again in"),
        "{slow}"
    );
    assert_eq!(
        fake.count("PUT", route) + fake.count("DELETE", route),
        calls
    );
    assert!(
        fake.member_roles(NIA).is_empty(),
        "the last press counted was Stop"
    );
}

/// Nia presses Notify where Discord refuses the role; returns what she reads and the log's line.
async fn refused(fake: &FakeDiscord) -> (String, String) {
    post_buttons(fake).await;
    let told = press_and_read(fake, NIA, "Notify me of outages").await;
    assert!(!has(fake, NIA, world::PLAYER_ALERTS_ROLE));
    let (_, line) = shows_seen(fake, world::LOG, "the log's warning", fake.now(), |t| {
        t.contains("outage alert button")
    })
    .await;
    (told, line)
}

#[tokio::test]
async fn without_manage_roles_the_player_is_told_it_did_not_work_and_the_log_what_to_grant() {
    let no_roles = world::BOT_INVITE & !crate::support::fake_discord::MANAGE_ROLES;
    let fake = guild().bot_permissions(no_roles).start().await;
    let _bot = spawn_bot(&fake).await;
    let (told, line) = refused(&fake).await;
    assert!(told.contains("Sorry, that did not work"), "{told}");
    assert!(line.contains("Missing Permissions"), "{line}");
    assert!(line.contains("Manage Roles"), "{line}");
    assert!(line.contains("drag it above @player-alerts"), "{line}");
    let route = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}";
    let put = fake.requests_to("PUT", route);
    assert_eq!(put.last().map(|r| r.status), Some(403));
    let refused = fake.expect_violations(1);
    assert!(refused[0].detail.contains("50013"), "{refused:?}");
}

#[tokio::test]
async fn an_alert_role_above_the_bots_own_is_refused_by_the_role_hierarchy_and_told_to_the_log() {
    let fake = guild().start().await;
    fake.move_role(world::PLAYER_ALERTS_ROLE, 50);
    let _bot = spawn_bot(&fake).await;
    let (told, line) = refused(&fake).await;
    assert!(told.contains("did not work"), "{told}");
    assert!(line.contains("a bot can only give roles below its own highest role"));
    let refused = fake.expect_violations(1);
    assert!(refused[0].detail.contains("50013"), "{refused:?}");
}

#[tokio::test]
async fn a_deleted_alert_role_is_told_to_the_log_with_how_to_make_it_again() {
    let fake = guild().start().await;
    let _bot = spawn_bot(&fake).await;
    post_buttons(&fake).await;
    fake.delete_role(world::PLAYER_ALERTS_ROLE);
    let told = press_and_read(&fake, NIA, "Notify me of outages").await;
    assert!(told.contains("did not work"), "{told}");
    shows(&fake, world::LOG, "the log's warning", |m| {
        m.content.contains("no longer exists") && m.content.contains("incident-bot setup")
    })
    .await;
    let route = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}";
    assert_eq!(
        fake.requests_to("PUT", route).last().map(|r| r.status),
        Some(404)
    );
    let refused = fake.expect_violations(1);
    assert!(refused[0].detail.contains("10011"), "{refused:?}");
}

#[tokio::test]
async fn a_p0_alert_notifies_exactly_the_players_who_took_the_alert_role() {
    let fake = guild().start().await;
    let _bot = spawn_bot(&fake).await;
    post_buttons(&fake).await;
    press_and_read(&fake, NIA, "Notify me of outages").await;
    let role = fake
        .roles()
        .into_iter()
        .find(|r| r.id == world::PLAYER_ALERTS_ROLE)
        .expect("the alert role");
    assert!(!role.mentionable, "members cannot ping the alert role");

    let alert = p0_alert(&fake).await;
    assert_eq!(fake.pings(alert.id).roles, [world::PLAYER_ALERTS_ROLE]);
    let mut notified = fake.notified(alert.id);
    notified.sort();
    assert_eq!(
        notified,
        [world::PLAYER, NIA],
        "pat had the role, nia took it"
    );
    fake.assert_no_violations();
}

#[tokio::test]
async fn without_mention_everyone_the_bots_ping_of_the_unmentionable_alert_role_notifies_nobody() {
    // As on Discord: a role members may not mention pings only for Mention Everyone, which
    // the invite asks for. The fake holds the bot to it.
    let no_mentions = world::BOT_INVITE & !crate::support::fake_discord::MENTION_EVERYONE;
    let fake = guild().bot_permissions(no_mentions).start().await;
    let _bot = spawn_bot(&fake).await;
    let alert = p0_alert(&fake).await;
    assert!(fake.pings(alert.id).roles.is_empty());
    assert!(fake.notified(alert.id).is_empty());
}
