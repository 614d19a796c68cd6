//! What people read: messages rendered as Discord's client shows them, and pings that agree.

use chrono::{Duration, Utc};
use serenity::all::{
    CreateActionRow, CreateAllowedMentions, CreateAttachment, CreateButton, CreateMessage,
};

use super::{studio, ALICE, BOB, GENERAL, RESPONDERS};

#[tokio::test]
async fn a_channel_reads_as_author_and_rendered_text_with_files_and_buttons() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();
    let now = Utc::now();
    let soon = (now + Duration::minutes(30)).timestamp();
    fake.user_says(BOB, GENERAL, "is **login** down?");
    let post = CreateMessage::new()
        .content(format!("<@&{RESPONDERS}> next update <t:{soon}:R>"))
        .add_file(CreateAttachment::bytes(b"notes".to_vec(), "notes.md"))
        .components(vec![CreateActionRow::Buttons(vec![CreateButton::new(
            "ack",
        )
        .label("Acknowledge")])]);

    // Act
    GENERAL.send_message(&http, post).await.expect("send");
    let seen = fake.seen_in(GENERAL, now);

    // Assert
    assert_eq!(
        seen,
        vec![
            "bob: is login down?".to_owned(),
            "incident-bot: @Responders next update in 30 minutes [file: notes.md] [button: Acknowledge]"
                .to_owned(),
        ]
    );
}

#[tokio::test]
async fn an_escaped_mention_the_bot_sends_reads_literally_and_wakes_nobody() {
    // Arrange
    let fake = studio().start().await;
    let typed = format!(r"\<@{ALICE}> wrote `<@{BOB}>`");

    // Act
    let sent = GENERAL
        .send_message(&fake.http(), CreateMessage::new().content(&typed))
        .await
        .expect("send");

    // Assert
    let stored = fake.message(sent.id).expect("stored");
    assert_eq!(
        fake.seen(&stored, Utc::now()),
        format!("<@{ALICE}> wrote <@{BOB}>")
    );
    assert!(fake.pings(sent.id).nobody());
    assert!(sent.mentions.is_empty(), "the message object agrees");
}

#[tokio::test]
async fn a_mention_people_can_see_wakes_them_unless_allowed_mentions_say_otherwise() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();
    let content = format!("**<@{ALICE}>**, see <#{GENERAL}>");

    // Act
    let loud = GENERAL
        .send_message(&http, CreateMessage::new().content(&content))
        .await
        .expect("send");
    let quiet = CreateMessage::new()
        .content(&content)
        .allowed_mentions(CreateAllowedMentions::new());
    let quiet = GENERAL.send_message(&http, quiet).await.expect("send");

    // Assert
    let stored = fake.message(loud.id).expect("stored");
    assert_eq!(fake.seen(&stored, Utc::now()), "@alice, see #general");
    assert_eq!(fake.pings(loud.id).users, vec![ALICE]);
    assert!(fake.pings(quiet.id).nobody());
}
