//! Players' languages: an update typed in seven more languages through two forms, the
//! announcement channel in the guild's preferred locale, `/game-status.json` with every
//! translation, and the commands registered with their German names and descriptions.

use std::time::Duration;

use chrono::Utc;
use serde_json::Value;

use crate::support::bot::{spawn_bot_with, world, STEP};
use crate::support::fake_discord::{command_size, MAX_COMMAND_SIZE};
use crate::support::http;
use crate::support::story::{declare, open_translations};

const LOCALES: [&str; 8] = ["en-US", "de", "fr", "es-ES", "pt-BR", "it", "pl", "ja"];

fn locales() -> Vec<incident_bot::domain::Locale> {
    LOCALES
        .iter()
        .map(|c| incident_bot::domain::Locale::parse(c).expect("a Discord locale"))
        .collect()
}

/// The text inputs of a form, by custom id.
fn fields(form: &Value) -> Vec<String> {
    form["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_owned))
        .collect()
}

fn schema_errors(doc: &Value) -> Vec<String> {
    let text = include_str!("../fixtures/game-status.schema.json");
    let schema: Value = serde_json::from_str(text).expect("the schema parses");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[tokio::test]
async fn an_update_in_eight_languages_takes_two_forms_and_players_read_it_in_the_guilds_language() {
    // Arrange: a German-speaking guild whose players read eight languages.
    let fake = world::fake().start().await;
    fake.set_preferred_locale("de");
    let bot = spawn_bot_with(&fake, |s| s.players.locales = locales()).await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    // Act: the update asks for its translations; the first form holds the titles and four
    // languages.
    let first = open_translations(&fake, ("Login down", "P0"), "Rolling back the deploy").await;
    assert_eq!(
        fields(&first),
        ["titles", "de", "fr", "es-ES", "pt-BR"],
        "{first}"
    );
    let id = first["custom_id"].as_str().expect("a form id").to_owned();
    let sent = fake
        .modal_submit(world::RESPONDER, &id)
        .field("titles", "de: Anmeldung gestört\nfr: \nja: ログイン障害\n")
        .field("de", "Wir setzen das Update zurück, **sofort**")
        .field("fr", "Nous annulons le déploiement")
        .send()
        .await;
    let more = sent.reply().await;
    assert!(
        fake.seen(&more, Utc::now()).contains("4 of 7 languages"),
        "{}",
        more.content
    );
    assert!(fake
        .messages(world::ANNOUNCEMENTS)
        .iter()
        .all(|m| !m.content.contains("zurück")));
    let button = serde_json::to_string(&more.components).expect("components");
    let button_id = button
        .split("\"custom_id\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the More languages button")
        .to_owned();
    let second = fake
        .button(world::RESPONDER, more.id, &button_id)
        .send()
        .await
        .modal()
        .await;
    assert_eq!(fields(&second), ["it", "pl", "ja"], "{second}");
    let id = second["custom_id"].as_str().expect("a form id").to_owned();
    let done = fake
        .modal_submit(world::RESPONDER, &id)
        .field("pl", "Wycofujemy wdrożenie")
        .send()
        .await
        .reply()
        .await;

    // Assert: the guild reads German, typed text escaped; the feed carries every language.
    assert!(done.content.contains("Update posted"), "{}", done.content);
    fake.wait_for("the German update", STEP, |f| {
        f.messages(world::ANNOUNCEMENTS)
            .iter()
            .any(|m| m.content.contains("Statusmeldung zu"))
    })
    .await;
    let shown: Vec<String> = fake
        .messages(world::ANNOUNCEMENTS)
        .iter()
        .map(|m| fake.seen(m, Utc::now()))
        .collect();
    assert!(shown[0].contains("🚨 Störungsmeldung 🚨"), "{shown:?}");
    assert!(
        shown[1].contains("📣 Statusmeldung zu Login")
            && shown[1].contains("Wir setzen das Update zurück, **sofort**"),
        "typed text shows as typed, no bold: {shown:?}"
    );
    let doc = feed_until(bot.public, |d| {
        d["incidents"][0]["updates"]
            .as_array()
            .is_some_and(|u| u.len() == 2)
    })
    .await;
    assert_eq!(schema_errors(&doc), Vec::<String>::new(), "{doc}");
    assert_eq!(doc["locales"], serde_json::json!(LOCALES));
    assert_eq!(
        doc["incidents"][0]["titles"],
        serde_json::json!([
            {"locale": "en-US", "content": "Problems with Login"},
            {"locale": "de", "content": "Anmeldung gestört"},
            {"locale": "ja", "content": "ログイン障害"},
        ]),
        "the titles typed, none for French (left blank)"
    );
    let newest = &doc["incidents"][0]["updates"][0]["translations"];
    let text = |code: &str| {
        newest
            .as_array()
            .and_then(|t| t.iter().find(|x| x["locale"] == code))
            .and_then(|x| x["content"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        text("en-US").contains("Rolling back the deploy"),
        "{newest}"
    );
    assert!(
        text("fr").contains("Nous annulons le déploiement"),
        "{newest}"
    );
    assert!(
        text("de").starts_with("📣 Statusmeldung zu Login"),
        "{newest}"
    );
    assert!(
        text("ja").contains("Rolling back the deploy"),
        "no Japanese typed: English text"
    );
    let atom = http::get(bot.public, "/history.atom").await.body;
    assert!(
        atom.contains("[fr]\n📣 Status update on Login\nNous annulons le déploiement"),
        "{atom}"
    );
    assert!(atom.contains("[de]\n📣 Statusmeldung zu Login"), "{atom}");
}

pub(crate) async fn feed_until(
    addr: std::net::SocketAddr,
    accept: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let res = http::get(addr, "/game-status.json").await;
        if res.status == 200 && accept(&res.json()) {
            return res.json();
        }
        assert!(tokio::time::Instant::now() < deadline, "last: {}", res.body);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn commands_register_with_their_german_names_within_discords_limits() {
    // Arrange, Act: the bot registers its commands at start; the fake checks each localization.
    let fake = world::fake().start().await;
    let _bot = spawn_bot_with(&fake, |s| s.players.locales = locales()).await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;

    // Assert
    let commands = fake.commands();
    let incident = commands
        .iter()
        .find(|c| c.name() == "incident")
        .expect("/incident");
    assert_eq!(incident.json["name_localizations"]["de"], "vorfall");
    let update = incident.json["options"]
        .as_array()
        .and_then(|o| o.iter().find(|s| s["name"] == "update"))
        .expect("update");
    assert_eq!(update["name_localizations"]["de"], "statusmeldung");
    for c in &commands {
        assert!(command_size(&c.json) <= MAX_COMMAND_SIZE, "/{}", c.name());
    }
}

#[tokio::test]
async fn only_the_longest_localization_counts_and_unknown_locales_are_refused() {
    let fake = crate::support::bot::world::fake().start().await;
    // Thirty-one 90-character descriptions of one option: 2,790 characters if added up, 90 as
    // Discord counts them.
    let many: serde_json::Map<String, Value> = incident_bot::domain::DISCORD_LOCALES
        .iter()
        .filter(|(c, _)| *c != "en-US")
        .map(|(c, _)| ((*c).to_owned(), Value::from("d".repeat(90))))
        .collect();
    let ok = serde_json::json!({ "name": "ok", "description": "x",
        "description_localizations": many });
    assert_eq!(command_size(&ok), 2 + 90);
    fake.http()
        .create_guild_command(fake.guild_id(), &ok)
        .await
        .expect("within the limits");
    let bad = serde_json::json!({ "name": "bad", "description": "x",
        "name_localizations": { "pt-br": "ruim", "de": "Groß" } });
    let refused = fake
        .http()
        .create_guild_command(fake.guild_id(), &bad)
        .await;
    assert!(
        refused.is_err(),
        "an unknown locale and a capital letter are refused"
    );
    assert_eq!(fake.expect_violations(1)[0].kind, "limit");
}

#[tokio::test]
async fn a_locales_own_channel_gets_each_announcement_once_in_its_language() {
    // Arrange: an English guild with a German players' channel.
    let german = serenity::all::ChannelId::new(1_100_000_000_000_000_777);
    let fake = world::fake()
        .announcement_channel(german, "status-de")
        .start()
        .await;
    let _bot = spawn_bot_with(&fake, |s| {
        s.players.locales = locales();
        let de = incident_bot::domain::Locale::parse("de").expect("de");
        let id = incident_bot::domain::ChannelId::new(german.get()).expect("an id");
        s.channels.announcements_by_locale.insert(de, id);
    })
    .await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;

    // Act
    declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await;

    // Assert: English where the guild reads English, German in the German channel, and
    // the German post pings the opt-in role as the English one does.
    fake.wait_for("both alerts", STEP, |f| {
        !f.messages(german).is_empty() && !f.messages(world::ANNOUNCEMENTS).is_empty()
    })
    .await;
    let english = fake.messages(world::ANNOUNCEMENTS);
    assert_eq!(english.len(), 1);
    assert!(fake
        .seen(&english[0], Utc::now())
        .contains("🚨 Service Alert 🚨"));
    let de = fake.messages(german);
    assert_eq!(de.len(), 1, "posted once");
    let shown = fake.seen(&de[0], Utc::now());
    assert!(
        shown.contains("🚨 Störungsmeldung 🚨") && shown.contains("Login"),
        "{shown}"
    );
    assert!(
        fake.pings(de[0].id)
            .roles
            .contains(&world::PLAYER_ALERTS_ROLE),
        "{shown}"
    );
}
