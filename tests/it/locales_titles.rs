//! Players' languages beyond the text: the incident's title typed per language in the
//! translations form, the 🛠️ maintenance notices from each language's template, the social
//! networks posting in the studio's primary language, and a translations draft that waited
//! too long between its forms.

use chrono::{TimeDelta, Timelike, Utc};
use incident_bot::clock::Clock as _;
use serde_json::Value;

use crate::support::bot::{spawn_bot_with, world, STEP};
use crate::support::story::{button_labelled, declare, open_translations, shows_seen};

fn locales(codes: &[&str]) -> Vec<incident_bot::domain::Locale> {
    codes
        .iter()
        .map(|c| incident_bot::domain::Locale::parse(c).expect("a Discord locale"))
        .collect()
}

pub(crate) fn schema_errors(doc: &Value) -> Vec<String> {
    let text = include_str!("../fixtures/game-status.schema.json");
    let schema: Value = serde_json::from_str(text).expect("the schema parses");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// `translations` as `locale → content`.
fn by_locale(translations: &Value) -> Vec<(String, String)> {
    translations
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let text = |k: &str| t[k].as_str().unwrap_or_default().to_owned();
            (text("locale"), text("content"))
        })
        .collect()
}

/// The P1 "Login slow" and its update's first translations form (see [`open_translations`]).
pub(crate) async fn german_update(fake: &crate::support::fake_discord::FakeDiscord) -> Value {
    open_translations(
        fake,
        ("Login slow", "P1"),
        "Logins take a minute; we are on it",
    )
    .await
}

/// Sends translations form `id` as the responder, with a German title and update; returns the
/// command's reply.
pub(crate) async fn send_german(
    fake: &crate::support::fake_discord::FakeDiscord,
    id: &str,
) -> crate::support::fake_discord::FakeMessage {
    fake.modal_submit(world::RESPONDER, id)
        .field("titles", "de: Anmeldung langsam")
        .field("de", "Die Anmeldung dauert eine Minute; wir sind dran")
        .send()
        .await
        .reply()
        .await
}

#[tokio::test]
async fn a_p1_with_a_german_title_and_update_is_in_the_game_status_in_both_languages() {
    // Arrange: players read English and German.
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s| s.players.locales = locales(&["en-US", "de"])).await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    let form = german_update(&fake).await;
    let titles = &form["components"][0]["components"][0];
    assert_eq!(titles["custom_id"], "titles", "{form}");
    assert_eq!(titles["value"], "de: ", "{form}");
    assert_eq!(form["components"][1]["components"][0]["custom_id"], "de");
    let id = form["custom_id"].as_str().expect("a form id").to_owned();
    let done = send_german(&fake, &id).await;
    let said = fake.seen(&done, Utc::now());
    assert!(said.contains("Update posted"), "{said}");

    // Assert: titles and the update in both languages, as the schema says.
    let doc = crate::locales::feed_until(bot.public, |d| {
        d["incidents"][0]["updates"]
            .as_array()
            .is_some_and(|u| !u.is_empty())
    })
    .await;
    assert_eq!(schema_errors(&doc), Vec::<String>::new(), "{doc}");
    let p1 = &doc["incidents"][0];
    assert_eq!(
        by_locale(&p1["titles"]),
        [
            ("en-US".to_owned(), "Problems with Login".to_owned()),
            ("de".to_owned(), "Anmeldung langsam".to_owned())
        ],
        "{doc}"
    );
    let update = by_locale(&p1["updates"][0]["translations"]);
    assert_eq!(update.len(), 2, "{doc}");
    assert!(update[0].1.contains("Logins take a minute"), "{update:?}");
    assert_eq!(update[1].0, "de");
    assert!(
        update[1].1.starts_with("📣 Statusmeldung zu Login")
            && update[1].1.contains("Die Anmeldung dauert eine Minute"),
        "{update:?}"
    );
}

#[tokio::test]
async fn a_translations_draft_that_waited_over_half_an_hour_tells_the_person_to_start_again() {
    // Arrange: seven more languages take two forms; the first is sent.
    let fake = world::fake().start().await;
    let codes = ["en-US", "de", "fr", "es-ES", "pt-BR", "it", "pl", "ja"];
    let bot = spawn_bot_with(&fake, |s| s.players.locales = locales(&codes)).await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    let first = open_translations(&fake, ("Login down", "P0"), "Rolling back the deploy").await;
    let id = first["custom_id"].as_str().expect("a form id").to_owned();
    let more = fake
        .modal_submit(world::RESPONDER, &id)
        .field("de", "Wir setzen das Update zurück")
        .send()
        .await
        .reply()
        .await;
    assert!(
        fake.seen(&more, Utc::now()).contains("4 of 7 languages"),
        "{}",
        more.content
    );

    // Act: the person comes back 31 minutes later and asks for the next form.
    bot.clock.advance(TimeDelta::minutes(31));
    let click = fake
        .button(
            world::RESPONDER,
            more.id,
            &button_labelled(&more, "More languages"),
        )
        .send()
        .await;

    // Assert: no form, but what happened and what to do; nothing reached players.
    let ack = click.ack().await;
    assert_eq!(ack.kind, 4, "a message, not a form: {:?}", ack.data);
    let said = fake.seen_text(ack.data["content"].as_str().unwrap_or_default(), Utc::now());
    assert!(
        said.contains("waited more than 30 minutes")
            && said.contains("Run the command again with translations:True"),
        "{said}"
    );
    assert_eq!(ack.data["flags"], 64, "ephemeral");
    bot.settle().await;
    let players_saw = fake.seen_in(world::ANNOUNCEMENTS, Utc::now());
    assert!(
        players_saw
            .iter()
            .all(|m| !m.contains("Rolling back") && !m.contains("zurück")),
        "{players_saw:?}"
    );
}

#[tokio::test]
async fn a_maintenance_window_is_told_in_german_in_a_german_guild_its_channel_and_the_game_status()
{
    // Arrange: a German-speaking guild whose players read English and German, with a German
    // players' channel too.
    let german = serenity::all::ChannelId::new(1_100_000_000_000_000_777);
    let fake = world::fake()
        .announcement_channel(german, "status-de")
        .start()
        .await;
    fake.set_preferred_locale("de");
    // French players too, but no French maintenance template: no French text is made up.
    let (bot, _dir) = crate::maintenance::start_with(&fake, |s| {
        s.players.locales = locales(&["en-US", "de", "fr"]);
        let de = incident_bot::domain::Locale::parse("de").expect("de");
        let id = incident_bot::domain::ChannelId::new(german.get()).expect("an id");
        s.channels.announcements_by_locale.insert(de, id);
    })
    .await;
    // Two hours ahead, on the minute (times are typed to the minute).
    let at = (fake.now() + TimeDelta::hours(2))
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("a time");

    // Act
    let when = crate::maintenance::typed(at);
    let opts = [
        ("systems", "Login"),
        ("start", when.as_str()),
        ("duration", "1h"),
        ("title", "Database upgrade"),
        ("message", "Faster servers for everyone."),
    ];
    crate::maintenance::maintenance(&fake, world::COMMANDER, "schedule", &opts).await;
    bot.settle().await;

    // Assert: the guild reads the German template, typed text as typed.
    let (_, told) = shows_seen(
        &fake,
        world::ANNOUNCEMENTS,
        "the 🛠️ post",
        bot.clock.now(),
        |t| t.starts_with("🛠️"),
    )
    .await;
    assert!(
        told.starts_with("🛠️ Geplante Wartung: Database upgrade\nLogin: nicht verfügbar von "),
        "{told}"
    );
    assert!(told.contains("Faster servers for everyone."), "{told}");
    assert!(told.contains("Statusmeldungen: "), "{told}");
    let (_, in_german) = shows_seen(
        &fake,
        german,
        "the German 🛠️ post",
        bot.clock.now(),
        |t| t.starts_with("🛠️"),
    )
    .await;
    assert_eq!(in_german, told, "the same German notice");
    assert_eq!(fake.messages(german).len(), 1, "posted once");
    let doc = crate::locales::feed_until(bot.public, |d| {
        d["maintenances"].as_array().is_some_and(|m| !m.is_empty())
    })
    .await;
    assert_eq!(schema_errors(&doc), Vec::<String>::new(), "{doc}");
    let m = &doc["maintenances"][0];
    assert_eq!(
        by_locale(&m["titles"]),
        [
            ("en-US".to_owned(), "Database upgrade".to_owned()),
            (
                "de".to_owned(),
                "Geplante Wartung: Database upgrade".to_owned()
            )
        ],
        "{doc}"
    );
    let update = by_locale(&m["updates"][0]["translations"]);
    assert_eq!(update[0].1, "Faster servers for everyone.");
    assert!(
        update[1].1.starts_with("Login: nicht verfügbar von ")
            && update[1].1.contains(" UTC bis ")
            && !update[1].1.contains("**")
            && !update[1].1.contains("<t:"),
        "plain text, times in UTC: {update:?}"
    );
    let atom = crate::support::http::get(bot.public, "/history.atom")
        .await
        .body;
    assert!(
        atom.contains("[de]\nGeplante Wartung: Database upgrade"),
        "{atom}"
    );
    assert!(
        !atom.contains("[fr]"),
        "English is not labelled French: {atom}"
    );
}

#[tokio::test]
async fn a_studio_whose_first_language_is_german_posts_in_german_on_mastodon() {
    // Arrange: German first; Mastodon has no `locale` of its own.
    let fake = world::fake().start().await;
    let mastodon = crate::support::fake_mastodon::FakeMastodon::start(500).await;
    let on = crate::social_mastodon::on_mastodon(&mastodon, STEP);
    let _bot = spawn_bot_with(&fake, |s| {
        on(s);
        s.players.locales = locales(&["de", "en-US"]);
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

    // Assert: the post is the German alert; Discord's guild (no preferred locale) is English.
    crate::social_mastodon::until("the post", || !mastodon.statuses().is_empty()).await;
    let post = &mastodon.statuses()[0].text;
    assert!(post.starts_with("🚨 Störungsmeldung 🚨"), "{post}");
    assert!(
        post.contains("Wir haben derzeit technische Probleme mit Login"),
        "{post}"
    );
    assert!(
        mastodon.violations().is_empty(),
        "{:?}",
        mastodon.violations()
    );
}
