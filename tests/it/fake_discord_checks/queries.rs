//! The questions tests ask: who got pinged, who can see a channel, what a channel shows.

use serenity::all::{
    ChannelId, CreateAllowedMentions, CreateAttachment, CreateChannel, CreateMessage,
    PermissionOverwrite, PermissionOverwriteType, Permissions, RoleId, UserId,
};

use super::{studio, ALICE, BOB, GENERAL, INCIDENTS, RESPONDERS};
use crate::support::fake_discord::{Pings, VIEW_CHANNEL};

const CONTENT: &str = "@everyone <@&1> <@2>";

#[test]
fn a_message_with_parse_empty_pings_nobody() {
    let pings = Pings::compute(CONTENT, Some(&serde_json::json!({ "parse": [] })));

    assert!(pings.nobody(), "{pings:?}");
}

#[test]
fn a_message_allowing_one_role_pings_that_role_only() {
    let pings = Pings::compute(CONTENT, Some(&serde_json::json!({ "roles": ["1"] })));

    assert_eq!(
        pings,
        Pings {
            everyone: false,
            users: vec![],
            roles: vec![RoleId::new(1)]
        }
    );
}

#[test]
fn a_message_without_allowed_mentions_pings_everything_it_mentions() {
    let pings = Pings::compute(CONTENT, None);

    assert_eq!(
        pings,
        Pings {
            everyone: true,
            users: vec![UserId::new(2)],
            roles: vec![RoleId::new(1)]
        }
    );
}

#[tokio::test]
async fn the_ping_rules_apply_to_messages_the_bot_sends() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();

    // Act
    let silent = CreateMessage::new()
        .content(CONTENT)
        .allowed_mentions(CreateAllowedMentions::new());
    let silent = GENERAL.send_message(&http, silent).await.expect("send");
    let one_role = CreateMessage::new()
        .content(CONTENT)
        .allowed_mentions(CreateAllowedMentions::new().roles(vec![RoleId::new(1)]));
    let one_role = GENERAL.send_message(&http, one_role).await.expect("send");
    let loud = GENERAL
        .send_message(&http, CreateMessage::new().content(CONTENT))
        .await
        .expect("send");

    // Assert
    assert!(fake.pings(silent.id).nobody());
    assert_eq!(fake.pings(one_role.id).roles, vec![RoleId::new(1)]);
    assert!(!fake.pings(one_role.id).everyone);
    assert_eq!(
        fake.pings(loud.id),
        Pings {
            everyone: true,
            users: vec![UserId::new(2)],
            roles: vec![RoleId::new(1)]
        }
    );
    assert!(loud.mention_everyone);
}

#[tokio::test]
async fn a_channel_hidden_from_everyone_but_open_to_a_role_is_seen_by_that_role_only() {
    // Arrange
    let secret = ChannelId::new(1_400_000_000_000_000_099);
    let fake = studio()
        .text_channel(secret, "security-incident")
        .everyone_overwrite(secret, 0, VIEW_CHANNEL)
        .role_overwrite(secret, RESPONDERS, VIEW_CHANNEL, 0)
        .start()
        .await;

    // Act
    let seeing = fake.who_can_see(secret);

    // Assert
    assert_eq!(seeing, vec![ALICE]);
    assert!(fake.can_see(BOB, GENERAL));
}

#[tokio::test]
async fn overwrites_set_over_rest_decide_who_can_see_and_post() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();
    let everyone = RoleId::new(fake.guild_id().get());
    let overwrites = vec![
        PermissionOverwrite {
            allow: Permissions::empty(),
            deny: Permissions::VIEW_CHANNEL,
            kind: PermissionOverwriteType::Role(everyone),
        },
        PermissionOverwrite {
            allow: Permissions::VIEW_CHANNEL,
            deny: Permissions::SEND_MESSAGES,
            kind: PermissionOverwriteType::Role(RESPONDERS),
        },
    ];

    // Act
    let created = fake
        .guild_id()
        .create_channel(
            &http,
            CreateChannel::new("Incident 7")
                .category(INCIDENTS)
                .permissions(overwrites),
        )
        .await
        .expect("create channel");

    // Assert
    assert_eq!(created.name, "incident-7");
    assert_eq!(fake.who_can_see(created.id), vec![ALICE]);
    assert!(fake.who_can_send(created.id).is_empty());
    assert!(fake.is_locked(created.id));
    assert_eq!(fake.channels_under(INCIDENTS).len(), 1);
}

#[tokio::test]
async fn files_sent_as_multipart_are_kept_on_the_message() {
    // Arrange
    let fake = studio().start().await;
    let file = CreateAttachment::bytes(b"# Post-mortem".to_vec(), "postmortem.md");

    // Act
    let sent = GENERAL
        .send_message(
            &fake.http(),
            CreateMessage::new().content("draft").add_file(file),
        )
        .await
        .expect("send");

    // Assert
    let stored = fake.message(sent.id).expect("stored");
    assert_eq!(stored.attachments[0].filename, "postmortem.md");
    assert_eq!(stored.attachments[0].bytes, b"# Post-mortem");
    assert_eq!(sent.attachments.len(), 1);
    assert_eq!(
        fake.requests()
            .last()
            .expect("recorded")
            .body
            .as_ref()
            .expect("payload_json")["content"],
        "draft"
    );
}

#[tokio::test]
async fn pins_show_on_both_pin_routes_and_leave_a_notice() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();
    let msg = GENERAL
        .send_message(&http, CreateMessage::new().content("Root cause found"))
        .await
        .expect("send");

    // Act
    http.pin_message(GENERAL, msg.id, None).await.expect("pin");
    let legacy = http.get_pins(GENERAL).await.expect("pins");

    // Assert
    assert_eq!(legacy.len(), 1);
    assert_eq!(fake.pinned(GENERAL)[0].id, msg.id);
    assert_eq!(
        fake.messages(GENERAL)
            .iter()
            .filter(|m| m.kind == 6)
            .count(),
        1
    );
    let (status, _, body) = super::raw_request(
        &fake,
        "GET",
        &format!("/api/v10/channels/{GENERAL}/messages/pins"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("Root cause found"), "{body}");
}
