//! Interaction rules: 3 s to answer, once; deferred replies, follow-ups, components, modals.
//! The test plays the bot over REST while an idle serenity client holds the gateway session.

use std::time::Duration;

use serenity::all::{
    CommandOptionType, CreateActionRow, CreateAutocompleteResponse, CreateButton, CreateCommand,
    CreateCommandOption, CreateInputText, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    CreateModal, EditInteractionResponse, GatewayIntents, InputTextStyle,
};

use super::{discord_error, start_client, stop, studio, Idle, ALICE, GENERAL};
use crate::support::fake_discord::FakeDiscord;

async fn fake_with_incident_command() -> (FakeDiscord, tokio::task::JoinHandle<()>) {
    let fake = studio().start().await;
    let incident = CreateCommand::new("incident")
        .description("Incidents")
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "update", "Post an update")
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::String,
                        "incident",
                        "Which incident",
                    )
                    .required(true)
                    .set_autocomplete(true),
                ),
        );
    fake.guild_id()
        .set_commands(&fake.http(), vec![incident])
        .await
        .expect("register /incident");
    let client = start_client(&fake, GatewayIntents::GUILDS, Idle).await;
    (fake, client)
}

fn defer(ephemeral: bool) -> CreateInteractionResponse {
    CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new().ephemeral(ephemeral))
}

#[tokio::test]
async fn a_callback_later_than_three_seconds_is_refused_as_unknown_interaction() {
    // Arrange
    let (fake, client) = fake_with_incident_command().await;
    let sent = fake
        .slash(ALICE)
        .command("incident")
        .sub("update")
        .opt_str("incident", "42")
        .send()
        .await;

    // Act
    fake.advance(Duration::from_secs(4));
    let result = fake
        .http()
        .create_interaction_response(sent.id, &sent.token, &defer(false), vec![])
        .await;

    // Assert
    assert_eq!(discord_error(result), (404, 10062));
    assert_eq!(fake.expect_violations(1)[0].kind, "interaction");
    stop(client);
}

#[tokio::test]
async fn a_second_callback_is_refused_as_already_acknowledged() {
    // Arrange
    let (fake, client) = fake_with_incident_command().await;
    let sent = fake
        .slash(ALICE)
        .command("incident")
        .sub("update")
        .opt_str("incident", "42")
        .send()
        .await;
    let http = fake.http();
    http.create_interaction_response(sent.id, &sent.token, &defer(false), vec![])
        .await
        .expect("first callback");

    // Act
    let again = http
        .create_interaction_response(sent.id, &sent.token, &defer(false), vec![])
        .await;

    // Assert
    assert_eq!(discord_error(again), (400, 40060));
    fake.expect_violations(1);
    stop(client);
}

#[tokio::test]
async fn an_ephemeral_deferred_reply_edited_later_is_what_the_user_sees() {
    // Arrange
    let (fake, client) = fake_with_incident_command().await;
    let sent = fake
        .slash(ALICE)
        .command("incident")
        .sub("update")
        .opt_str("incident", "42")
        .send()
        .await;
    let http = fake.http();

    // Act
    http.create_interaction_response(sent.id, &sent.token, &defer(true), vec![])
        .await
        .expect("defer");
    let edit = EditInteractionResponse::new().content("Update posted");
    http.edit_original_interaction_response(&sent.token, &edit, vec![])
        .await
        .expect("edit @original");

    // Assert
    let reply = sent.reply().await;
    assert_eq!(reply.content, "Update posted");
    assert!(reply
        .interaction
        .as_ref()
        .is_some_and(|t| t.ephemeral && t.user_id == ALICE));
    assert!(
        fake.messages(GENERAL).is_empty(),
        "an ephemeral reply is not in the channel for others"
    );
    assert_eq!(fake.messages_seen_by(GENERAL, ALICE).len(), 1);
    assert_eq!(sent.ack().await.kind, 5);
    stop(client);
}

#[tokio::test]
async fn the_first_follow_up_after_a_defer_replaces_the_thinking_message() {
    // Arrange
    let (fake, client) = fake_with_incident_command().await;
    let sent = fake
        .slash(ALICE)
        .command("incident")
        .sub("update")
        .opt_str("incident", "42")
        .send()
        .await;
    let http = fake.http();
    http.create_interaction_response(sent.id, &sent.token, &defer(false), vec![])
        .await
        .expect("defer");

    // Act
    let first = CreateInteractionResponseFollowup::new().content("Done");
    http.create_followup_message(&sent.token, &first, vec![])
        .await
        .expect("follow-up");
    let second = CreateInteractionResponseFollowup::new().content("And one more thing");
    http.create_followup_message(&sent.token, &second, vec![])
        .await
        .expect("follow-up");

    // Assert
    assert_eq!(sent.reply().await.content, "Done");
    let contents: Vec<String> = sent.messages().into_iter().map(|m| m.content).collect();
    assert_eq!(contents, vec!["Done", "And one more thing"]);
    stop(client);
}

#[tokio::test]
async fn a_webhook_call_after_fifteen_minutes_is_refused() {
    // Arrange
    let (fake, client) = fake_with_incident_command().await;
    let sent = fake
        .slash(ALICE)
        .command("incident")
        .sub("update")
        .opt_str("incident", "42")
        .send()
        .await;
    let http = fake.http();
    http.create_interaction_response(sent.id, &sent.token, &defer(false), vec![])
        .await
        .expect("defer");

    // Act
    fake.advance(Duration::from_secs(16 * 60));
    let late = http
        .edit_original_interaction_response(
            &sent.token,
            &EditInteractionResponse::new().content("x"),
            vec![],
        )
        .await;

    // Assert
    assert_eq!(discord_error(late), (401, 50027));
    fake.expect_violations(1);
    stop(client);
}

#[tokio::test]
async fn autocomplete_choices_and_a_modal_round_trip_are_recorded() {
    // Arrange
    let (fake, client) = fake_with_incident_command().await;
    let http = fake.http();

    // Act
    let typing = fake
        .autocomplete(ALICE)
        .command("incident")
        .sub("update")
        .focused("incident", "Log")
        .send()
        .await;
    let choices = CreateAutocompleteResponse::new().add_string_choice("Login down", "42");
    http.create_interaction_response(
        typing.id,
        &typing.token,
        &CreateInteractionResponse::Autocomplete(choices),
        vec![],
    )
    .await
    .expect("autocomplete");
    let command = fake
        .slash(ALICE)
        .command("incident")
        .sub("update")
        .opt_str("incident", "42")
        .send()
        .await;
    let input = CreateInputText::new(InputTextStyle::Paragraph, "What changed?", "summary");
    let modal =
        CreateModal::new("update-42", "Update").components(vec![CreateActionRow::InputText(input)]);
    http.create_interaction_response(
        command.id,
        &command.token,
        &CreateInteractionResponse::Modal(modal),
        vec![],
    )
    .await
    .expect("show modal");
    let submit = fake
        .modal_submit(ALICE, "update-42")
        .field("summary", "Rolled back")
        .send()
        .await;
    let thanks = CreateInteractionResponseMessage::new()
        .content("Thanks")
        .ephemeral(true);
    http.create_interaction_response(
        submit.id,
        &submit.token,
        &CreateInteractionResponse::Message(thanks),
        vec![],
    )
    .await
    .expect("answer the modal");

    // Assert
    assert_eq!(typing.choices().await[0]["name"], "Login down");
    assert_eq!(command.modal().await["custom_id"], "update-42");
    assert_eq!(submit.reply().await.content, "Thanks");
    stop(client);
}

#[tokio::test]
async fn a_button_click_answered_with_an_update_edits_the_message() {
    // Arrange
    let (fake, client) = fake_with_incident_command().await;
    let http = fake.http();
    let row = CreateActionRow::Buttons(vec![CreateButton::new("ack").label("Acknowledge")]);
    let alert = GENERAL
        .send_message(
            &http,
            CreateMessage::new()
                .content("🚨 Login down")
                .components(vec![row]),
        )
        .await
        .expect("send");

    // Act
    let click = fake.button(ALICE, alert.id, "ack").send().await;
    let update = CreateInteractionResponseMessage::new().content("🚨 Login down (acknowledged)");
    http.create_interaction_response(
        click.id,
        &click.token,
        &CreateInteractionResponse::UpdateMessage(update),
        vec![],
    )
    .await
    .expect("update");

    // Assert
    assert_eq!(click.ack().await.kind, 7);
    assert_eq!(
        fake.message(alert.id).expect("alert").content,
        "🚨 Login down (acknowledged)"
    );
    stop(client);
}

#[tokio::test]
#[should_panic(expected = "is not defined")]
async fn an_option_the_command_does_not_define_cannot_be_sent() {
    let (fake, _client) = fake_with_incident_command().await;

    fake.slash(ALICE)
        .command("incident")
        .sub("update")
        .opt_str("severity", "P0")
        .send()
        .await;
}

#[tokio::test]
async fn an_update_with_a_sixth_row_of_buttons_is_refused_and_the_message_stays() {
    // Arrange
    let (fake, client) = fake_with_incident_command().await;
    let http = fake.http();
    let row = CreateActionRow::Buttons(vec![CreateButton::new("ack").label("Acknowledge")]);
    let alert = GENERAL
        .send_message(
            &http,
            CreateMessage::new()
                .content("🚨 Login down")
                .components(vec![row]),
        )
        .await
        .expect("send");
    let rows: Vec<_> = (0..6)
        .map(|r| CreateActionRow::Buttons(vec![CreateButton::new(format!("b{r}")).label("Step")]))
        .collect();

    // Act
    let click = fake.button(ALICE, alert.id, "ack").send().await;
    let update = CreateInteractionResponseMessage::new()
        .content("🚨 Login down (acknowledged)")
        .components(rows);
    let result = http
        .create_interaction_response(
            click.id,
            &click.token,
            &CreateInteractionResponse::UpdateMessage(update),
            vec![],
        )
        .await;

    // Assert
    assert_eq!(discord_error(result), (400, 50035));
    assert_eq!(
        fake.message(alert.id).expect("alert").content,
        "🚨 Login down"
    );
    assert_eq!(fake.expect_violations(1)[0].kind, "limit");
    stop(client);
}
