//! Discord's limits that the spec does not carry are enforced and answered as Discord does.

use std::time::Duration;

use serde_json::json;
use serenity::all::{ChannelId, CreateEmbed, CreateMessage, EditChannel, Nonce};

use super::{discord_error, raw_request, studio, GENERAL, INCIDENTS, STATUS};

#[tokio::test]
async fn embeds_over_6000_characters_in_total_are_refused() {
    // Arrange
    let fake = studio().start().await;
    let embeds = (0..4)
        .map(|_| CreateEmbed::new().description("d".repeat(1600)))
        .collect();

    // Act
    let result = GENERAL
        .send_message(&fake.http(), CreateMessage::new().embeds(embeds))
        .await;

    // Assert
    assert_eq!(discord_error(result), (400, 50035));
    assert_eq!(fake.expect_violations(1)[0].kind, "limit");
}

#[tokio::test]
async fn a_category_holds_at_most_50_channels() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();
    for n in 0..50 {
        let body = json!({ "name": format!("incident-{n}"), "parent_id": INCIDENTS.to_string() });
        http.create_channel(fake.guild_id(), &body, None)
            .await
            .expect("room in the category");
    }

    // Act
    let body = json!({ "name": "incident-50", "parent_id": INCIDENTS.to_string() });
    let result = http.create_channel(fake.guild_id(), &body, None).await;

    // Assert
    assert_eq!(discord_error(result), (400, 50035));
    assert_eq!(fake.channels_under(INCIDENTS).len(), 50);
    fake.expect_violations(1);
}

#[tokio::test]
async fn a_guild_holds_at_most_500_channels() {
    // Arrange
    let builder = (0..500u64).fold(studio(), |b, n| {
        b.text_channel(ChannelId::new(1_500_000_000_000_000_000 + n), "filler")
    });
    let fake = builder.start().await;

    // Act
    let result = fake
        .http()
        .create_channel(fake.guild_id(), &json!({ "name": "one-more" }), None)
        .await;

    // Assert
    assert_eq!(discord_error(result), (400, 30013));
    fake.expect_violations(1);
}

#[tokio::test]
async fn a_channel_can_be_renamed_twice_in_ten_minutes_and_the_third_gets_429() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();
    GENERAL
        .edit(&http, EditChannel::new().name("one"))
        .await
        .expect("first rename");
    GENERAL
        .edit(&http, EditChannel::new().name("two"))
        .await
        .expect("second rename");

    // Act
    let third = GENERAL.edit(&http, EditChannel::new().name("three")).await;
    fake.advance(Duration::from_secs(601));
    let later = GENERAL.edit(&http, EditChannel::new().name("four")).await;

    // Assert
    assert_eq!(discord_error(third).0, 429);
    assert!(later.is_ok(), "{later:?}");
    assert_eq!(fake.channel(GENERAL).expect("channel").name, "four");
    assert_eq!(fake.expect_violations(1)[0].kind, "limit");
}

#[tokio::test]
async fn the_eleventh_crosspost_in_an_hour_gets_a_429_with_discords_headers() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();
    for n in 0..10 {
        let msg = STATUS
            .send_message(&http, CreateMessage::new().content(format!("alert {n}")))
            .await
            .expect("send");
        http.crosspost_message(STATUS, msg.id)
            .await
            .expect("within the hourly budget");
    }
    let last = STATUS
        .send_message(&http, CreateMessage::new().content("alert 10"))
        .await
        .expect("send");

    // Act
    let path = format!("/api/v10/channels/{STATUS}/messages/{}/crosspost", last.id);
    let (status, head, body) = raw_request(&fake, "POST", &path, None).await;

    // Assert
    assert_eq!(status, 429);
    let head = head.to_lowercase();
    for header in [
        "retry-after:",
        "x-ratelimit-limit:",
        "x-ratelimit-remaining: 0",
        "x-ratelimit-reset-after:",
        "x-ratelimit-bucket:",
    ] {
        assert!(head.contains(header), "missing {header} in {head}");
    }
    let body: serde_json::Value = serde_json::from_str(&body).expect("JSON body");
    assert!(
        body["retry_after"].as_f64().is_some_and(|s| s > 3000.0),
        "{body}"
    );
    assert_eq!(fake.crossposted(STATUS).len(), 10);
    fake.assert_no_violations();
}

#[tokio::test]
async fn a_repeated_nonce_with_enforce_nonce_returns_the_first_message() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();
    let create = || {
        CreateMessage::new()
            .content("🚨 Login down")
            .nonce(Nonce::String("alert-42".into()))
            .enforce_nonce(true)
    };
    let first = GENERAL
        .send_message(&http, create())
        .await
        .expect("first send");

    // Act
    let retry = GENERAL
        .send_message(&http, create())
        .await
        .expect("retried send");
    fake.advance(Duration::from_secs(3 * 60));
    let much_later = GENERAL
        .send_message(&http, create())
        .await
        .expect("send after the nonce window");

    // Assert
    assert_eq!(retry.id, first.id);
    assert_ne!(much_later.id, first.id);
    assert_eq!(fake.messages(GENERAL).len(), 2);
}

#[tokio::test]
async fn an_empty_message_is_refused() {
    // Arrange
    let fake = studio().start().await;

    // Act
    let result = fake
        .http()
        .send_message(GENERAL, vec![], &json!({ "content": "" }))
        .await;

    // Assert
    assert_eq!(discord_error(result), (400, 50006));
    fake.expect_violations(1);
}
