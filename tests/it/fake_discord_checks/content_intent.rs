//! The Message Content intent: what an app reads of other people's messages with and without it.

use std::time::Duration;

use serenity::all::{
    CommandType, CreateCommand, CreateMessage, GatewayError, GatewayIntents, GetMessages,
};

use super::{start_client, stop, studio, Idle, ALICE, BOB, GENERAL};

#[tokio::test]
async fn another_users_message_read_over_rest_is_empty_without_the_intent() {
    // Arrange
    let fake = studio().start().await;
    let said = fake.user_says(BOB, GENERAL, "Error rate is 40%");

    // Act
    let one = GENERAL.message(&fake.http(), said).await.expect("get");
    let listed = GENERAL
        .messages(&fake.http(), GetMessages::new())
        .await
        .expect("list");

    // Assert
    assert_eq!(one.content, "");
    assert_eq!(one.author.id, BOB, "who wrote it is still known");
    assert_eq!(listed[0].content, "");
}

#[tokio::test]
async fn another_users_message_read_over_rest_is_whole_with_the_intent_switched_on() {
    // Arrange
    let fake = studio().message_content_intent(true).start().await;
    let said = fake.user_says(BOB, GENERAL, "Error rate is 40%");

    // Act
    let one = GENERAL.message(&fake.http(), said).await.expect("get");

    // Assert
    assert_eq!(one.content, "Error rate is 40%");
}

#[tokio::test]
async fn the_bots_own_messages_and_messages_mentioning_it_keep_their_content() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();
    let own = GENERAL
        .send_message(&http, CreateMessage::new().content("Incident declared"))
        .await
        .expect("send");
    let mentioning = format!("<@{}> is login down?", fake.bot_id());
    let asked = fake.user_says(BOB, GENERAL, &mentioning);
    let escaped = fake.user_says(BOB, GENERAL, &format!(r"\<@{}> hi", fake.bot_id()));

    // Act
    let own = GENERAL.message(&http, own.id).await.expect("get own");
    let asked = GENERAL.message(&http, asked).await.expect("get mention");
    let escaped = GENERAL.message(&http, escaped).await.expect("get escaped");

    // Assert
    assert_eq!(own.content, "Incident declared");
    assert_eq!(asked.content, mentioning);
    assert_eq!(escaped.content, "", "an escaped mention mentions nobody");
}

#[tokio::test]
async fn the_message_a_context_menu_command_is_used_on_arrives_with_its_content() {
    // Arrange
    let fake = studio().start().await;
    let command = CreateCommand::new("Add to timeline").kind(CommandType::Message);
    fake.guild_id()
        .set_commands(&fake.http(), vec![command])
        .await
        .expect("register");
    let client = start_client(&fake, GatewayIntents::GUILDS, Idle).await;
    let said = fake.user_says(BOB, GENERAL, "Rolled back");

    // Act
    fake.message_command(ALICE, "Add to timeline", said)
        .send()
        .await;

    // Assert
    let events = fake.events();
    let (_, interaction) = events
        .iter()
        .find(|(name, _)| name == "INTERACTION_CREATE")
        .expect("dispatched");
    let resolved = &interaction["data"]["resolved"]["messages"][said.to_string()];
    assert_eq!(resolved["content"], "Rolled back");
    stop(client);
}

#[tokio::test]
async fn identifying_with_the_intent_while_the_switch_is_off_is_closed_with_4014() {
    // Arrange
    let fake = studio().start().await;
    let mut client = fake
        .client_builder(GatewayIntents::GUILDS | GatewayIntents::MESSAGE_CONTENT)
        .event_handler(Idle)
        .await
        .expect("build the client");

    // Act
    let ended = tokio::time::timeout(Duration::from_secs(10), client.start())
        .await
        .expect("the client stops");

    // Assert
    assert!(
        matches!(
            ended,
            Err(serenity::Error::Gateway(
                GatewayError::DisallowedGatewayIntents
            ))
        ),
        "{ended:?}"
    );
    assert_eq!(fake.identifies().len(), 1);
    assert_eq!(fake.expect_violations(1)[0].kind, "disallowed-intent");
}

#[tokio::test]
async fn over_the_gateway_a_message_arrives_whole_only_to_a_session_with_the_intent() {
    // Arrange
    let without = studio().start().await;
    let with = studio().message_content_intent(true).start().await;
    let messages = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES;
    let first = start_client(&without, messages, Idle).await;
    let second = start_client(&with, messages | GatewayIntents::MESSAGE_CONTENT, Idle).await;

    // Act
    without.user_says(BOB, GENERAL, "Rolled back");
    with.user_says(BOB, GENERAL, "Rolled back");

    // Assert
    let content = |fake: &crate::support::fake_discord::FakeDiscord| {
        fake.events()
            .into_iter()
            .find(|(name, _)| name == "MESSAGE_CREATE")
            .map(|(_, d)| d["content"].clone())
    };
    assert_eq!(content(&without), Some("".into()));
    assert_eq!(content(&with), Some("Rolled back".into()));
    stop(first);
    stop(second);
}
