//! The bot's own permissions on REST: 50001 where it cannot see, 50013 where it lacks a right.

use serenity::all::{
    CreateAttachment, CreateChannel, CreateEmbed, CreateMessage, EditChannel, GetMessages,
    PermissionOverwrite, PermissionOverwriteType, Permissions, ReactionType,
};

use super::{discord_error, studio, BOB, GENERAL, RESPONDERS, STATUS};
use crate::support::bot::world;
use crate::support::fake_discord::{
    FakeDiscordBuilder, ADD_REACTIONS, ADMINISTRATOR, ATTACH_FILES, EMBED_LINKS, MANAGE_CHANNELS,
    MANAGE_MESSAGES, MANAGE_ROLES, PIN_MESSAGES, READ_MESSAGE_HISTORY, SEND_MESSAGES, VIEW_CHANNEL,
};

/// What the bot is invited with in these tests, before a test takes something away.
const INVITE: u64 = VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | MANAGE_MESSAGES
    | PIN_MESSAGES
    | MANAGE_CHANNELS
    | MANAGE_ROLES;

fn invited(bits: u64) -> FakeDiscordBuilder {
    studio().bot_permissions(bits)
}

#[tokio::test]
async fn posting_in_a_channel_the_bot_cannot_see_is_refused_with_missing_access() {
    // Arrange
    let fake = invited(INVITE)
        .bot_denied(GENERAL, VIEW_CHANNEL)
        .start()
        .await;

    // Act
    let sent = GENERAL
        .send_message(&fake.http(), CreateMessage::new().content("hello"))
        .await;

    // Assert
    assert_eq!(discord_error(sent), (403, 50001));
    assert_eq!(fake.expect_violations(1)[0].kind, "missing-access");
    assert!(fake.messages(GENERAL).is_empty());
}

#[tokio::test]
async fn posting_without_send_messages_is_refused_with_missing_permissions() {
    // Arrange
    let fake = invited(INVITE)
        .bot_denied(GENERAL, SEND_MESSAGES)
        .start()
        .await;

    // Act
    let sent = GENERAL
        .send_message(&fake.http(), CreateMessage::new().content("hello"))
        .await;

    // Assert
    assert_eq!(discord_error(sent), (403, 50013));
    assert_eq!(fake.expect_violations(1)[0].kind, "missing-permissions");
}

#[tokio::test]
async fn a_file_needs_attach_files_and_an_embed_needs_embed_links() {
    // Arrange
    // `@everyone` grants both in a new server, so the channel takes them from the bot.
    let fake = invited(INVITE)
        .bot_denied(GENERAL, ATTACH_FILES | EMBED_LINKS)
        .start()
        .await;
    let http = fake.http();
    let file = CreateAttachment::bytes(b"notes".to_vec(), "notes.md");

    // Act
    let with_file = CreateMessage::new().content("draft").add_file(file);
    let with_file = GENERAL.send_message(&http, with_file).await;
    let with_embed = CreateMessage::new().embed(CreateEmbed::new().title("Status"));
    let with_embed = GENERAL.send_message(&http, with_embed).await;
    let mentioning = format!("<@&{RESPONDERS}> text alone is fine");
    let plain = GENERAL
        .send_message(&http, CreateMessage::new().content(mentioning))
        .await;

    // Assert
    assert_eq!(discord_error(with_file), (403, 50013));
    assert_eq!(discord_error(with_embed), (403, 50013));
    assert!(plain.is_ok(), "{plain:?}");
    fake.expect_violations(2);
}

#[tokio::test]
async fn pinning_takes_pin_messages_and_manage_messages_no_longer_suffices() {
    for (bits, allowed) in [
        // Manage Messages alone, as before February 2026: refused.
        (INVITE & !PIN_MESSAGES, false),
        (INVITE & !MANAGE_MESSAGES, true),
        (INVITE, true),
    ] {
        // Arrange
        let fake = invited(bits).start().await;
        let http = fake.http();
        let intro = GENERAL
            .send_message(&http, CreateMessage::new().content("Intro"))
            .await
            .expect("send");

        // Act
        let pinned = http.pin_message(GENERAL, intro.id, None).await;

        // Assert
        if allowed {
            assert!(pinned.is_ok(), "{bits:#x}: {pinned:?}");
        } else {
            assert_eq!(discord_error(pinned), (403, 50013));
            fake.expect_violations(1);
        }
    }
}

#[tokio::test]
async fn publishing_someone_elses_message_needs_manage_messages_but_the_bots_own_does_not() {
    // Arrange
    let fake = invited(INVITE & !MANAGE_MESSAGES).start().await;
    let http = fake.http();
    let theirs = fake.user_says(BOB, STATUS, "Servers are back");
    let ours = STATUS
        .send_message(&http, CreateMessage::new().content("Resolved"))
        .await
        .expect("send");

    // Act
    let refused = http.crosspost_message(STATUS, theirs).await;
    let published = http.crosspost_message(STATUS, ours.id).await;

    // Assert
    assert_eq!(discord_error(refused), (403, 50013));
    assert!(published.is_ok(), "{published:?}");
    fake.expect_violations(1);
}

#[tokio::test]
async fn overwrites_need_manage_roles_when_a_channel_is_created_or_changed() {
    // Arrange
    let fake = invited(VIEW_CHANNEL | MANAGE_CHANNELS).start().await;
    let http = fake.http();
    let hidden = vec![PermissionOverwrite {
        allow: Permissions::empty(),
        deny: Permissions::VIEW_CHANNEL,
        kind: PermissionOverwriteType::Role(fake.everyone_role()),
    }];

    // Act
    let plain = fake
        .guild_id()
        .create_channel(&http, CreateChannel::new("inc-1"))
        .await
        .expect("a channel without overwrites");
    let private = CreateChannel::new("inc-2").permissions(hidden.clone());
    let private = fake.guild_id().create_channel(&http, private).await;
    let topic = plain
        .id
        .edit(&http, EditChannel::new().topic("Login down"))
        .await;
    let hide = plain
        .id
        .edit(&http, EditChannel::new().permissions(hidden))
        .await;

    // Assert
    assert_eq!(discord_error(private), (403, 50013));
    assert!(topic.is_ok(), "{topic:?}");
    assert_eq!(discord_error(hide), (403, 50013));
    fake.expect_violations(2);
}

#[tokio::test]
async fn without_read_message_history_the_list_is_empty_and_one_message_is_refused() {
    // Arrange
    let fake = invited(INVITE)
        .bot_denied(GENERAL, READ_MESSAGE_HISTORY)
        .message_content_intent(true)
        .start()
        .await;
    let said = fake.user_says(BOB, GENERAL, "is it down?");

    // Act
    let listed = GENERAL.messages(&fake.http(), GetMessages::new()).await;
    let one = GENERAL.message(&fake.http(), said).await;

    // Assert
    assert!(listed.expect("a list").is_empty());
    assert_eq!(discord_error(one), (403, 50013));
    fake.expect_violations(1);
}

#[tokio::test]
async fn reacting_needs_add_reactions() {
    // Arrange
    let fake = invited(INVITE)
        .bot_denied(GENERAL, ADD_REACTIONS)
        .start()
        .await;
    let said = fake.user_says(BOB, GENERAL, "is it down?");

    // Act
    let reacted = fake
        .http()
        .create_reaction(GENERAL, said, &ReactionType::Unicode("👀".into()))
        .await;

    // Assert
    assert_eq!(discord_error(reacted), (403, 50013));
    fake.expect_violations(1);
}

#[tokio::test]
async fn the_standard_world_invites_the_bot_with_what_the_readme_asks_for() {
    // Arrange
    let fake = world::fake().start().await;

    // Act
    let granted = fake.permissions_in(fake.bot_id(), world::GENERAL);

    // Assert
    assert_eq!(granted & world::BOT_INVITE, world::BOT_INVITE);
    assert_eq!(
        granted & (ADMINISTRATOR | MANAGE_MESSAGES),
        0,
        "nothing beyond the list"
    );
}
