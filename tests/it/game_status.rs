//! `/game-status.json`, read as a game client reads it: over HTTP from a running bot, checked
//! against the schema the game team builds against (tests/fixtures/game-status.schema.json).

use std::time::Duration;

use crate::support::bot::{spawn_bot_with, world, STEP};
use crate::support::http;
use crate::support::story::{answer, declare, run, shows};

/// The answer once `accept` takes it; panics with the last one after [`STEP`].
async fn feed_until(
    addr: std::net::SocketAddr,
    accept: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let res = http::get(addr, "/game-status.json").await;
        if res.status == 200 && accept(&res.json()) {
            return res.json();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the feed never showed it; last: {} {}",
            res.status,
            res.body
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn schema_errors(doc: &serde_json::Value) -> Vec<String> {
    let text = include_str!("../fixtures/game-status.schema.json");
    let schema: serde_json::Value = serde_json::from_str(text).expect("the schema parses");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[tokio::test]
async fn a_game_client_reads_only_the_public_p0_with_its_severity_platforms_and_updates() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s| {
        s.status.game.platforms = vec!["windows".into(), "ps5".into()];
    })
    .await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    let calm = feed_until(bot.public, |_| true).await;
    assert_eq!(schema_errors(&calm), Vec::<String>::new(), "{calm}");
    assert_eq!(calm["incidents"], serde_json::json!([]));
    assert_eq!(calm["maintenances"], serde_json::json!([]));

    declare(
        &fake,
        world::SECURITY,
        &[
            ("title", "SECRET-SEC"),
            ("severity", "P0"),
            ("kind", "security"),
            ("systems", "Vault"),
        ],
    )
    .await;
    let p0 = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "SECRET-TITLE"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await;
    answer(
        &fake,
        world::RESPONDER,
        p0.id,
        "update",
        &[("message", "Rolling back the deploy"), ("public", "true")],
    )
    .await;
    let doc = feed_until(bot.public, |d| {
        d["incidents"][0]["updates"]
            .as_array()
            .is_some_and(|u| u.len() == 2)
    })
    .await;
    assert_eq!(schema_errors(&doc), Vec::<String>::new(), "{doc}");
    let incidents = doc["incidents"].as_array().expect("incidents");
    assert_eq!(incidents.len(), 1, "never the security incident: {doc}");
    let one = &incidents[0];
    assert_eq!(
        one["incident_severity"], "critical",
        "P0 by the default map"
    );
    assert_eq!(one["maintenance_status"], serde_json::Value::Null);
    assert_eq!(one["platforms"], serde_json::json!(["windows", "ps5"]));
    assert_eq!(one["titles"][0]["content"], "Problems with Login");
    let texts: Vec<&str> = one["updates"]
        .as_array()
        .expect("updates")
        .iter()
        .filter_map(|u| u["translations"][0]["content"].as_str())
        .collect();
    assert!(texts[0].contains("Rolling back the deploy"), "{texts:?}");
    assert!(texts[1].starts_with("🚨 Service Alert 🚨"), "{texts:?}");
    for secret in ["SECRET", "Vault"] {
        assert!(!doc.to_string().contains(secret), "leaks {secret}: {doc}");
    }
}

#[tokio::test]
async fn a_flag_set_by_the_commander_shows_in_the_feed_until_cleared_and_never_for_security() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s| {
        s.players.flags = vec!["ranked_disabled".into(), "store_disabled".into()];
    })
    .await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    let p0 = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Ranked broken"),
            ("severity", "P0"),
            ("systems", "Ranked"),
        ],
    )
    .await;
    let refused = run(
        &fake,
        world::COMMANDER,
        p0.id,
        "flag",
        &[("name", "chat_off")],
    )
    .await;
    assert!(
        refused.contains("There is no flag chat\\_off")
            && refused.contains("`ranked_disabled`, `store_disabled`"),
        "{refused}"
    );
    let set = run(
        &fake,
        world::COMMANDER,
        p0.id,
        "flag",
        &[("name", "ranked_disabled")],
    )
    .await;
    assert!(set.contains("`ranked_disabled` set."), "{set}");
    let doc = feed_until(bot.public, |d| {
        d["incidents"][0]["flags"] == serde_json::json!(["ranked_disabled"])
    })
    .await;
    assert_eq!(schema_errors(&doc), Vec::<String>::new(), "{doc}");
    shows(&fake, p0.id, "the flag notice", |m| {
        m.content.contains("🚩 `ranked_disabled` set by")
    })
    .await;
    let again = run(
        &fake,
        world::COMMANDER,
        p0.id,
        "flag",
        &[("name", "ranked_disabled")],
    )
    .await;
    assert!(again.contains("is set already"), "{again}");

    let sec = declare(
        &fake,
        world::SECURITY,
        &[
            ("title", "Leak"),
            ("severity", "P2"),
            ("kind", "security"),
            ("systems", "Store"),
        ],
    )
    .await;
    let refused = run(
        &fake,
        world::SECURITY,
        sec.id,
        "flag",
        &[("name", "store_disabled")],
    )
    .await;
    assert!(
        refused.contains("players never hear of a security incident"),
        "{refused}"
    );

    let cleared = run(
        &fake,
        world::COMMANDER,
        p0.id,
        "flag",
        &[("name", "ranked_disabled"), ("on", "false")],
    )
    .await;
    assert!(cleared.contains("`ranked_disabled` cleared"), "{cleared}");
    feed_until(bot.public, |d| {
        d["incidents"][0]["flags"] == serde_json::json!([])
    })
    .await;
    let timeline = bot
        .app
        .db
        .timeline(incident_bot::domain::IncidentId(1))
        .await
        .expect("timeline");
    let flags: Vec<&str> = timeline
        .iter()
        .map(|e| e.text.as_str())
        .filter(|t| t.contains("ranked_disabled"))
        .collect();
    assert_eq!(
        flags.len(),
        2,
        "set and cleared, on the timeline: {flags:?}"
    );
}
