//! The fake refuses, like Discord, what its spec refuses, and records it.

use serde_json::json;
use serenity::all::{CreateMessage, GuildId};

use super::{discord_error, raw_request, studio, GENERAL};
use crate::support::fake_discord::Fault;

#[tokio::test]
async fn a_message_whose_content_is_not_a_string_is_refused_and_recorded() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();

    // Act
    let result = http
        .send_message(GENERAL, vec![], &json!({ "content": 5 }))
        .await;

    // Assert
    assert_eq!(discord_error(result), (400, 50035));
    let violations = fake.expect_violations(1);
    assert_eq!(violations[0].kind, "invalid-body");
    assert!(fake.messages(GENERAL).is_empty());
}

#[tokio::test]
async fn a_message_over_2000_characters_is_refused_with_a_field_error() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();

    // Act (serenity's builder refuses 2001 characters itself, so the raw call is used)
    let result = http
        .send_message(GENERAL, vec![], &json!({ "content": "x".repeat(2001) }))
        .await;

    // Assert
    let Err(serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(e))) = result
    else {
        panic!("expected a refusal, got {result:?}");
    };
    assert_eq!((e.status_code.as_u16(), e.error.code), (400, 50035));
    assert_eq!(e.error.errors[0].path, "content");
    assert_eq!(e.error.errors[0].code, "BASE_TYPE_MAX_LENGTH");
    assert_eq!(fake.expect_violations(1)[0].kind, "limit");
}

#[tokio::test]
async fn a_message_of_exactly_2000_characters_is_accepted() {
    // Arrange
    let fake = studio().start().await;

    // Act
    let sent = GENERAL
        .send_message(&fake.http(), CreateMessage::new().content("x".repeat(2000)))
        .await;

    // Assert
    let sent = sent.expect("2000 characters are accepted");
    assert_eq!(sent.content.chars().count(), 2000);
    let stored = fake.messages(GENERAL);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].content, "x".repeat(2000));
}

#[tokio::test]
async fn a_channel_of_unknown_type_is_refused_and_recorded() {
    // Arrange
    let fake = studio().start().await;

    // Act
    let result = fake
        .http()
        .create_channel(fake.guild_id(), &json!({ "name": "x", "type": 99 }), None)
        .await;

    // Assert
    assert_eq!(discord_error(result), (400, 50035));
    assert_eq!(fake.expect_violations(1)[0].kind, "invalid-body");
    assert!(fake.channel_named("x").is_none());
}

#[tokio::test]
async fn a_path_discord_does_not_have_answers_404_and_is_recorded() {
    // Arrange
    let fake = studio().start().await;

    // Act
    let (status, _, body) = raw_request(&fake, "GET", "/api/v10/channels/1/nonsense", None).await;

    // Assert
    assert_eq!(status, 404);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).ok(),
        Some(json!({ "message": "404: Not Found", "code": 0 }))
    );
    assert_eq!(fake.expect_violations(1)[0].kind, "unknown-route");
}

#[tokio::test]
async fn a_non_numeric_id_in_the_path_is_refused_as_discord_does() {
    // Arrange
    let fake = studio().start().await;

    // Act
    let (status, _, body) = raw_request(&fake, "GET", "/api/v10/channels/general", None).await;

    // Assert
    assert_eq!(status, 400);
    assert!(body.contains("channel_id"), "{body}");
    assert_eq!(fake.expect_violations(1)[0].kind, "invalid-params");
}

#[tokio::test]
async fn a_spec_valid_route_the_fake_does_not_serve_is_recorded_as_unimplemented() {
    // Arrange
    let fake = studio().start().await;

    // Act
    let result = fake.http().get_guild_webhooks(fake.guild_id()).await;

    // Assert
    assert_eq!(discord_error(result), (501, 0));
    assert_eq!(fake.expect_violations(1)[0].kind, "unimplemented");
}

#[tokio::test]
async fn a_request_for_another_guild_is_refused() {
    // Arrange
    let fake = studio().start().await;

    // Act
    let result = fake.http().get_guild(GuildId::new(42)).await;

    // Assert
    assert_eq!(discord_error(result), (404, 10004));
    fake.expect_violations(1);
}

#[tokio::test]
async fn permission_bits_are_accepted_as_decimal_strings_as_discord_sends_them() {
    // Arrange
    let fake = studio().start().await;
    let body = json!({ "type": 0, "allow": "1024", "deny": "2048" });

    // Act
    let result = fake
        .http()
        .create_permission(
            GENERAL,
            serenity::all::TargetId::new(super::RESPONDERS.get()),
            &body,
            None,
        )
        .await;

    // Assert
    assert!(result.is_ok(), "{result:?}");
    let overwrites = fake.channel(GENERAL).expect("channel").overwrites;
    assert_eq!((overwrites[0].allow, overwrites[0].deny), (1024, 2048));
}

#[tokio::test]
async fn an_injected_429_is_not_retried_by_serenity_when_its_ratelimiter_is_disabled() {
    // serenity 0.12 retries 429s only inside its Ratelimiter; `HttpBuilder::proxy` needs
    // `ratelimiter_disabled(true)`, so a bot pointed at a proxy sees every 429 as an error and
    // must retry (or queue) by itself.
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();
    fake.fail_next(
        "POST",
        "/channels/{channel_id}/messages",
        1,
        Fault::RateLimited(std::time::Duration::from_millis(250)),
    );

    // Act
    let first = GENERAL
        .send_message(&http, CreateMessage::new().content("hello"))
        .await;
    let second = GENERAL
        .send_message(&http, CreateMessage::new().content("hello"))
        .await;

    // Assert
    let Err(serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(e))) = first
    else {
        panic!("expected the 429 to reach the caller, got {first:?}");
    };
    assert_eq!(e.status_code.as_u16(), 429);
    assert_eq!(
        e.error.code, -1,
        "serenity cannot decode a body without `code`, so retry_after is lost"
    );
    assert_eq!(second.expect("the next call is served").content, "hello");
    assert_eq!(fake.count("POST", "/channels/{channel_id}/messages"), 2);
    assert_eq!(fake.messages(GENERAL).len(), 1);
    fake.assert_no_violations();
}

#[tokio::test]
async fn a_timed_fault_answers_500_until_its_window_ends() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();
    fake.fail_for(
        "GET",
        "/channels/{channel_id}",
        std::time::Duration::from_secs(30),
        Fault::ServerError,
    );

    // Act
    let during = http.get_channel(GENERAL).await;
    fake.advance(std::time::Duration::from_secs(31));
    let after = http.get_channel(GENERAL).await;

    // Assert
    assert_eq!(discord_error(during).0, 500);
    assert_eq!(after.expect("served after the window").id(), GENERAL);
}

#[tokio::test]
async fn an_injected_disconnect_reaches_serenity_as_a_transport_error_naming_the_url() {
    // Arrange
    let fake = studio().start().await;
    let http = fake.http();
    fake.fail_next("GET", "/channels/{channel_id}", 1, Fault::Disconnect);

    // Act
    let cut = http.get_channel(GENERAL).await;
    let after = http.get_channel(GENERAL).await;

    // Assert
    let Err(serenity::Error::Http(serenity::http::HttpError::Request(e))) = cut else {
        panic!("expected a transport error, got {cut:?}");
    };
    assert!(
        e.to_string()
            .contains(&format!("/api/v10/channels/{GENERAL})")),
        "{e}"
    );
    assert_eq!(after.expect("the next call is served").id(), GENERAL);
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [0, 200],
        "a cut request is recorded without a status"
    );
    fake.assert_no_violations();
}
