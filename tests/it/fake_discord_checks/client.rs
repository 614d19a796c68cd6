//! A real serenity client runs against the fake over real sockets.

use std::time::Duration;

use serde_json::json;
use serenity::all::{
    Context, CreateChannel, CreateCommand, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateMessage, EditChannel, EventHandler, GatewayIntents,
    Interaction, ReactionType,
};
use serenity::model::event::Event;

use super::models::parse_dispatch;
use super::{start_client, stop, studio, Idle, ALICE, GENERAL};

/// Answers every slash command with "pong".
struct Pong;

#[serenity::async_trait]
impl EventHandler for Pong {
    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        if let Interaction::Command(cmd) = interaction {
            let reply = CreateInteractionResponseMessage::new().content("pong");
            if let Err(why) = cmd
                .create_response(&ctx.http, CreateInteractionResponse::Message(reply))
                .await
            {
                tracing::warn!(%why, "test handler could not answer");
            }
        }
    }
}

#[tokio::test]
async fn a_serenity_client_identifies_receives_a_slash_command_and_answers_it() {
    // Arrange
    let fake = studio().start().await;
    let ping = CreateCommand::new("ping").description("Answers pong");
    fake.guild_id()
        .set_commands(&fake.http(), vec![ping])
        .await
        .expect("register /ping");
    let client = start_client(
        &fake,
        GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES,
        Pong,
    )
    .await;

    // Act
    let interaction = fake
        .slash(ALICE)
        .in_channel(GENERAL)
        .command("ping")
        .send()
        .await;
    let ack = interaction.ack().await;
    let reply = interaction.reply().await;

    // Assert
    assert_eq!(ack.kind, 4);
    assert!(
        ack.latency < Duration::from_secs(3),
        "answered after {:?}",
        ack.latency
    );
    assert_eq!(reply.content, "pong");
    assert_eq!(
        fake.messages(GENERAL).last().map(|m| m.content.as_str()),
        Some("pong")
    );
    let identifies = fake.identifies();
    assert_eq!(identifies.len(), 1);
    assert_eq!(identifies[0]["d"]["token"], format!("Bot {}", fake.token()));
    let events: Vec<_> = fake
        .events()
        .into_iter()
        .filter(|(name, _)| name != "READY")
        .collect();
    let names: Vec<&str> = events.iter().map(|(name, _)| name.as_str()).collect();
    assert!(
        names.contains(&"INTERACTION_CREATE") && names.contains(&"MESSAGE_CREATE"),
        "{names:?}"
    );
    for (name, payload) in events {
        assert!(!matches!(parse_dispatch(&name, payload), Event::Unknown(_)));
    }
    stop(client);
}

#[tokio::test]
async fn a_dropped_websocket_is_followed_by_a_new_identify() {
    // Arrange
    let fake = studio().start().await;
    let client = start_client(&fake, GatewayIntents::GUILDS, Idle).await;

    // Act
    fake.drop_gateway();
    fake.wait_for_identifies(2, Duration::from_secs(20)).await;

    // Assert
    assert_eq!(fake.identifies().len(), 2);
    assert!(
        fake.resume_count() >= 1,
        "serenity tries RESUME first; the fake refuses it"
    );
    fake.wait_for_ready(Duration::from_secs(5)).await;
    stop(client);
}

#[tokio::test]
async fn a_client_whose_heartbeats_go_unanswered_reconnects() {
    // Arrange
    let fake = studio()
        .heartbeat_interval(Duration::from_millis(300))
        .start()
        .await;
    let client = start_client(&fake, GatewayIntents::GUILDS, Idle).await;
    fake.wait_for("a first heartbeat", Duration::from_secs(5), |f| {
        f.heartbeat_count() >= 1
    })
    .await;

    // Act
    fake.mute_heartbeats(true);
    fake.wait_for_identifies(2, Duration::from_secs(20)).await;

    // Assert
    assert_eq!(fake.identifies().len(), 2);
    fake.mute_heartbeats(false);
    stop(client);
}

#[tokio::test]
async fn every_event_the_fake_sends_for_rest_changes_parses_in_serenity() {
    // Arrange
    let fake = studio().message_content_intent(true).start().await;
    let intents = GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::GUILD_MESSAGE_REACTIONS
        | GatewayIntents::MESSAGE_CONTENT;
    let client = start_client(&fake, intents, Idle).await;
    let http = fake.http();

    // Act
    let channel = fake
        .guild_id()
        .create_channel(&http, CreateChannel::new("incident-1"))
        .await
        .expect("create");
    channel
        .id
        .edit(&http, EditChannel::new().topic("Login down"))
        .await
        .expect("edit");
    let alert = super::STATUS
        .send_message(&http, CreateMessage::new().content("🚨"))
        .await
        .expect("send");
    http.crosspost_message(super::STATUS, alert.id)
        .await
        .expect("publish");
    alert
        .react(&http, ReactionType::Unicode("📌".into()))
        .await
        .expect("react");
    http.pin_message(super::STATUS, alert.id, None)
        .await
        .expect("pin");
    http.edit_message(super::STATUS, alert.id, &json!({ "content": "✅" }), vec![])
        .await
        .expect("edit message");
    fake.user_says(ALICE, GENERAL, "is it down for everyone?");
    http.delete_message(super::STATUS, alert.id, None)
        .await
        .expect("delete message");
    channel.id.delete(&http).await.expect("delete channel");
    fake.wait_for("CHANNEL_DELETE to be sent", Duration::from_secs(5), |f| {
        f.events().iter().any(|(name, _)| name == "CHANNEL_DELETE")
    })
    .await;

    // Assert
    let names: Vec<String> = fake.events().into_iter().map(|(name, _)| name).collect();
    for expected in [
        "CHANNEL_CREATE",
        "CHANNEL_UPDATE",
        "MESSAGE_CREATE",
        "MESSAGE_UPDATE",
        "MESSAGE_REACTION_ADD",
        "CHANNEL_PINS_UPDATE",
        "MESSAGE_DELETE",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "no {expected} in {names:?}"
        );
    }
    for (name, payload) in fake
        .events()
        .into_iter()
        .filter(|(name, _)| name != "READY")
    {
        assert!(!matches!(parse_dispatch(&name, payload), Event::Unknown(_)));
    }
    stop(client);
}
