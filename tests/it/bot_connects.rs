//! The real bot's client against the fake Discord: it connects, registers its commands, and a
//! request that breaks Discord's spec is caught.

use serde_json::json;

use crate::support::bot::{spawn_bot, world, STEP};

#[tokio::test]
async fn the_bot_connects_identifies_and_registers_its_commands_in_the_guild() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    fake.wait_for("the bot to identify", STEP, |f| !f.identifies().is_empty())
        .await;
    fake.wait_for("the guild commands to be registered", STEP, |f| {
        f.count(
            "PUT",
            "/applications/{application_id}/guilds/{guild_id}/commands",
        ) == 1
    })
    .await;
    let identify = &fake.identifies()[0];
    assert_eq!(
        identify["d"]["token"],
        json!(format!("Bot {}", fake.token()))
    );
}

#[tokio::test]
async fn a_request_that_breaks_the_spec_is_refused_and_recorded() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let http = incident_bot::discord::http(
        &bot.app,
        &incident_bot::config::DiscordToken::new(fake.token().to_owned()),
    )
    .expect("an HTTP client");
    // serenity's builders refuse some mistakes themselves; its raw calls send what they are given.
    let sent = http
        .send_message(world::GENERAL, vec![], &json!({"content": 5}))
        .await;
    assert_eq!(
        crate::fake_discord_checks::discord_error(sent),
        (400, 50035),
        "Discord refuses a number as content"
    );
    let violations = fake.expect_violations(1);
    assert!(violations[0].detail.contains("content"), "{violations:?}");
}

#[tokio::test]
async fn ping_answers_ok_at_once_to_anyone() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let handle = fake
        .slash(world::PLAYER)
        .in_channel(world::GENERAL)
        .command("ping")
        .send()
        .await;
    let ack = handle.ack().await;
    assert_eq!(ack.kind, 4, "answered directly, no defer");
    assert_eq!(ack.data["content"], "ok");
    assert_eq!(ack.data["flags"], 64, "ephemeral");
}
