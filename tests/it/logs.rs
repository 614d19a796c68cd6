//! Logs a machine can read: one JSON object a line with the fields of its spans, when asked.

use std::time::Duration;

use crate::support::bot::world;
use crate::support::child::ChildBot;
use crate::support::fake_discord::Fault;
use crate::support::story::declare;

#[tokio::test]
async fn json_logs_are_one_object_a_line_with_the_span_fields() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let env = [
        ("INCIDENT_BOT__LOG__FORMAT", "json"),
        ("RUST_LOG", "info,serenity=warn"),
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

#[tokio::test]
async fn a_command_check_that_fails_to_answer_is_logged_without_the_interaction_token() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = ChildBot::start(&fake, dir.path(), &[]).await;
    // The check refuses an option the command does not have; its answer meets a dropped
    // connection, whose reqwest error prints the URL with the interaction's token in it.
    fake.fail_next(
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        1,
        Fault::Disconnect,
    );
    let stale = fake
        .slash(world::RESPONDER)
        .in_channel(world::GENERAL)
        .command("incident")
        .sub("declare")
        .opt_str("title", "Login down")
        .opt_int("severity", 2)
        .opt_str("colour", "red")
        .send_from_stale_client()
        .await;

    // Whoever logs the failure names the callback's path.
    let log = bot
        .wait_for_log(&format!("/interactions/{}/", stale.id))
        .await;
    crate::support::child::assert_no_tokens(&log, &fake, &stale.token);
    let error_id = format!("E{:x}", stale.id.get());
    assert!(
        log.lines().any(|l| l.contains("command failed")
            && l.contains(&error_id)
            && l.contains(&format!("/interactions/{}/[redacted]/callback", stale.id))),
        "logged once, redacted, with the error id:\n{log}"
    );
    // The person is told, on the second try of the callback, that nothing was done.
    let reply = stale.reply().await;
    assert_eq!(reply.flags & 64, 64, "ephemeral: {}", reply.content);
    assert!(
        reply.content.contains("nothing was changed") && reply.content.contains(&error_id),
        "{}",
        reply.content
    );
}
