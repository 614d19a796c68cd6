//! Discord's limits that the spec does not carry are enforced and answered as Discord does.

use std::time::Duration;

use serde_json::{json, Value};
use serenity::all::{ChannelId, CreateEmbed, CreateMessage, EditChannel, Nonce};

use crate::support::fake_discord::{command_size, MAX_COMMAND_SIZE};

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

fn option(n: usize, description: &str, choices: Value) -> Value {
    json!({ "type": 3, "name": format!("opt{n}"), "description": description, "choices": choices })
}

#[tokio::test]
async fn a_command_over_8000_characters_of_names_descriptions_and_choices_is_refused() {
    // Arrange: seventeen options of 100-character descriptions with two 100+100 choices each,
    // every part within its own limit, 8,000 and more together.
    let fake = studio().start().await;
    let choice =
        |c: char| json!({ "name": c.to_string().repeat(100), "value": c.to_string().repeat(100) });
    let options: Vec<Value> = (0..17)
        .map(|n| option(n, &"d".repeat(100), json!([choice('a'), choice('b')])))
        .collect();
    let big = json!({ "name": "big", "description": "Too big", "options": options });
    assert!(command_size(&big) > MAX_COMMAND_SIZE);

    // Act
    let result = fake
        .http()
        .create_guild_command(fake.guild_id(), &big)
        .await;

    // Assert
    assert_eq!(discord_error(result), (400, 50035));
    assert_eq!(fake.expect_violations(1)[0].kind, "limit");
    assert!(fake.commands().is_empty());
}

#[tokio::test]
async fn command_names_must_be_lowercase_and_short_and_a_level_holds_25_options() {
    // Arrange
    let fake = studio().start().await;
    let many: Vec<Value> = (0..26).map(|n| option(n, "x", json!([]))).collect();
    let bodies = [
        json!({ "name": "Incident", "description": "x" }),
        json!({ "name": "a".repeat(33), "description": "x" }),
        json!({ "name": "ok", "description": "" }),
        json!({ "name": "ok", "description": "x".repeat(101) }),
        json!({ "name": "ok", "description": "x", "options": many }),
        json!({ "name": "ok", "description": "x", "options": [option(0, "x",
            Value::Array((0..26).map(|n| json!({ "name": n.to_string(), "value": n.to_string() })).collect()))] }),
    ];

    for body in bodies {
        // Act
        let result = fake
            .http()
            .create_guild_commands(fake.guild_id(), &vec![body.clone()])
            .await;

        // Assert
        assert_eq!(discord_error(result), (400, 50035), "{body}");
    }
    fake.expect_violations(6);
    assert!(fake.commands().is_empty());
}

#[tokio::test]
async fn the_bots_commands_fit_discords_registration_limits() {
    // Arrange, Act: the bot registers its commands at start; a refusal fails the start.
    let fake = crate::support::bot::world::fake().start().await;
    let _bot = crate::support::bot::spawn_bot(&fake).await;
    fake.wait_for("the commands", crate::support::bot::STEP, |f| {
        !f.commands().is_empty()
    })
    .await;

    // Assert
    let commands = fake.commands();
    assert!(commands.iter().any(|c| c.name() == "incident"));
    for c in &commands {
        let size = command_size(&c.json);
        eprintln!("/{}: {size} of {MAX_COMMAND_SIZE} characters", c.name());
        assert!(size <= MAX_COMMAND_SIZE, "/{} is {size}", c.name());
    }
}

/// `rows` action rows of `per_row` buttons each, ids `b<row>-<n>`.
fn button_rows(rows: usize, per_row: usize) -> serde_json::Value {
    let rows: Vec<_> = (0..rows)
        .map(|r| {
            let buttons: Vec<_> = (0..per_row)
                .map(|n| json!({ "type": 2, "style": 2, "custom_id": format!("b{r}-{n}"), "label": "Step" }))
                .collect();
            json!({ "type": 1, "components": buttons })
        })
        .collect();
    json!(rows)
}

/// Posts `body` to #general as the bot; returns the status and the JSON answer.
async fn post(
    fake: &crate::support::fake_discord::FakeDiscord,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let path = format!("/api/v10/channels/{GENERAL}/messages");
    let (status, _, answer) = raw_request(fake, "POST", &path, Some(&body.to_string())).await;
    (status, serde_json::from_str(&answer).expect("JSON answer"))
}

#[tokio::test]
async fn a_message_holds_five_rows_of_five_buttons_and_a_sixth_row_is_refused_with_its_field() {
    // Arrange
    let fake = studio().start().await;
    let full = json!({ "content": "Checklist", "components": button_rows(5, 5) });
    let over = json!({ "content": "Checklist", "components": button_rows(6, 1) });

    // Act
    let (ok, _) = post(&fake, &full).await;
    let (status, answer) = post(&fake, &over).await;

    // Assert: the spec allows 40 top-level components, which only IS_COMPONENTS_V2 messages get.
    assert_eq!(ok, 200);
    assert_eq!(status, 400);
    assert_eq!(answer["code"], 50035);
    assert_eq!(
        answer["errors"]["components"]["_errors"][0],
        json!({ "code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 5 or fewer in length." })
    );
    assert_eq!(fake.messages(GENERAL).len(), 1);
    assert_eq!(fake.expect_violations(1)[0].kind, "limit");
}

#[tokio::test]
async fn two_buttons_with_one_custom_id_are_refused_at_the_second() {
    // Arrange
    let fake = studio().start().await;
    let mut components = button_rows(2, 2);
    components[1]["components"][0]["custom_id"] = json!("b0-1");

    // Act
    let (status, answer) = post(&fake, &json!({ "content": "x", "components": components })).await;

    // Assert
    assert_eq!((status, answer["code"].clone()), (400, json!(50035)));
    assert_eq!(
        answer["errors"]["components"]["1"]["components"]["0"]["custom_id"]["_errors"][0]["code"],
        "COMPONENT_CUSTOM_ID_DUPLICATED"
    );
    assert!(fake.messages(GENERAL).is_empty());
    fake.expect_violations(1);
}

#[tokio::test]
async fn a_sixth_button_in_a_row_a_label_over_80_and_a_custom_id_over_100_are_refused() {
    // Arrange
    let fake = studio().start().await;
    let mut long_label = button_rows(1, 1);
    long_label[0]["components"][0]["label"] = json!("l".repeat(81));
    let mut long_id = button_rows(1, 1);
    long_id[0]["components"][0]["custom_id"] = json!("c".repeat(101));

    // Act
    let mut answers = Vec::new();
    for components in [button_rows(1, 6), long_label, long_id] {
        answers.push(post(&fake, &json!({ "content": "x", "components": components })).await);
    }

    // Assert: each one is Discord's 50035 naming the row (the spec's check refuses these
    // first; the fake's own limits would name the field within it).
    for (status, answer) in &answers {
        assert_eq!(
            (*status, answer["code"].clone()),
            (400, json!(50035)),
            "{answer}"
        );
        assert!(answer["errors"]["components"]["0"].is_object(), "{answer}");
    }
    assert!(fake.messages(GENERAL).is_empty());
    fake.expect_violations(3);
}
