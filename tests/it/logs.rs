//! Logs a machine can read: one JSON object a line with the fields of its spans, when asked.

use std::time::Duration;

use crate::support::bot::world;
use crate::support::child::ChildBot;
use crate::support::story::declare;

#[tokio::test]
async fn json_logs_are_one_object_a_line_with_the_span_fields() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let env = [
        ("INCIDENT_BOT__LOG__FORMAT", "json"),
        ("RUST_LOG", "info,serenity=warn,poise=warn"),
    ];
    let mut bot = ChildBot::start(&fake, dir.path(), &env).await;
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    bot.wait_for_log("\"declared\"").await;
    bot.signal("INT");
    let status = bot.wait_exit(Duration::from_secs(20)).await;
    let log = bot.log();
    assert!(status.success(), "{status:?}: {log}");
    assert!(!log.contains('\u{1b}'), "{log}");

    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.len() >= 3, "{log}");
    for line in &lines {
        for key in ["timestamp", "level", "fields", "target"] {
            assert!(line.get(key).is_some(), "no {key}: {line}");
        }
    }
    let declared = lines
        .iter()
        .find(|l| l["fields"]["message"] == "declared")
        .unwrap_or_else(|| panic!("no declared line: {log}"));
    assert_eq!(declared["fields"]["severity"], "P2", "{declared}");
    assert_eq!(declared["span"]["name"], "declare", "{declared}");
    assert!(declared["span"]["interaction"].is_string(), "{declared}");
    assert!(
        declared["spans"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["name"] == "declare")),
        "{declared}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "job queue stopped"),
        "the drain is logged: {log}"
    );
    assert!(
        !log.contains(fake.token()),
        "the token never reaches a log line"
    );
}
