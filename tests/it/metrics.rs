//! `/metrics` after a whole incident: valid for the real `promtool`, every expected family
//! present, and the counters moved as the story says.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::support::bot::{spawn_bot, world, STEP};
use crate::support::http;
use crate::support::story::{answer, declare, run};

/// Every sample of a scrape, by series as written (`name{labels}`).
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').expect("a sample line");
            (series.to_owned(), value.parse().expect("a number"))
        })
        .collect()
}

/// Runs `promtool check metrics` on `text`: its exit code and everything it said. Fails loudly
/// when promtool is not installed: a skipped lint is a lint that never runs.
pub fn promtool(text: &str) -> (Option<i32>, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run promtool ({e}): install Debian's `prometheus` package \
                 (`apt-get install prometheus`; tests/run does it)"
            )
        });
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("feed promtool");
    let out = child.wait_with_output().expect("promtool runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), said)
}

async fn scrape(addr: std::net::SocketAddr) -> (String, BTreeMap<String, f64>) {
    let res = http::get(addr, "/metrics").await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let map = samples(&res.body);
    (res.body, map)
}

fn value(map: &BTreeMap<String, f64>, series: &str) -> f64 {
    *map.get(series)
        .unwrap_or_else(|| panic!("no series {series} in:\n{map:#?}"))
}

#[test]
fn promtool_refuses_a_counter_without_total_so_the_lint_can_fail() {
    let (code, said) = promtool(
        "# HELP incident_bot_x Things.\n# TYPE incident_bot_x counter\nincident_bot_x 1\n",
    );
    assert_eq!(code, Some(3), "{said}");
    assert!(said.contains("_total"), "{said}");
}

#[tokio::test]
async fn metrics_after_a_p0_story_pass_promtool_and_count_what_happened() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;

    let channel = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await;
    let (_, during) = scrape(bot.http).await;
    assert_eq!(
        value(&during, "incident_bot_incidents_open{severity=\"P0\"}"),
        1.0
    );
    assert_eq!(value(&during, "incident_bot_gateway_connected"), 1.0);

    // A player may not declare: a refusal, counted as one.
    let refused = run(
        &fake,
        world::PLAYER,
        world::GENERAL,
        "declare",
        &[("title", "lag"), ("severity", "P3")],
    )
    .await;
    assert!(refused.starts_with('⛔'), "{refused}");

    let commander = format!("<@{}>", world::COMMANDER);
    answer(
        &fake,
        world::RESPONDER,
        channel.id,
        "assign",
        &[("role", "commander"), ("user", &commander)],
    )
    .await;
    answer(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[
            ("root_cause", "An expired TLS certificate"),
            ("all_clear", "now"),
        ],
    )
    .await;
    answer(&fake, world::COMMANDER, channel.id, "close", &[]).await;
    fake.wait_for("the alert and the all-clear to be published", STEP, |f| {
        f.crossposted(world::ANNOUNCEMENTS).len() == 2
    })
    .await;
    fake.wait_for("the channel to be archived", STEP, |f| {
        f.channel(channel.id)
            .is_some_and(|c| c.parent_id == Some(world::ARCHIVE))
    })
    .await;

    let (text, after) = scrape(bot.http).await;
    let (code, said) = promtool(&text);
    assert_eq!(code, Some(0), "promtool: {said}\n{text}");
    assert!(said.trim().is_empty(), "promtool warned: {said}");

    for name in [
        "incident_bot_commands_total",
        "incident_bot_interaction_ack_seconds",
        "incident_bot_discord_requests_total",
        "incident_bot_gateway_connected",
        "incident_bot_gateway_reconnects_total",
        "incident_bot_jobs_pending",
        "incident_bot_jobs_due",
        "incident_bot_job_lateness_seconds",
        "incident_bot_jobs_done_total",
        "incident_bot_incidents_open",
        "incident_bot_time_to_command_seconds",
        "incident_bot_time_to_resolve_seconds",
    ] {
        assert!(
            text.contains(&format!("# TYPE {name} ")),
            "{name} is missing:\n{text}"
        );
    }
    // A family whose labels are open is written with its first series: nothing in this story
    // was rate limited or given up.
    for name in [
        "incident_bot_discord_rate_limited_total",
        "incident_bot_jobs_failed_total",
    ] {
        assert!(!text.contains(name), "{name} has no series yet:\n{text}");
    }
    let commands = |command: &str, outcome: &str| {
        value(
            &after,
            &format!("incident_bot_commands_total{{command=\"{command}\",outcome=\"{outcome}\"}}"),
        )
    };
    assert_eq!(commands("incident declare", "ok"), 1.0);
    assert_eq!(commands("incident declare", "refused"), 1.0);
    assert_eq!(commands("incident assign", "ok"), 1.0);
    assert_eq!(commands("incident resolve", "ok"), 1.0);
    assert_eq!(commands("incident close", "ok"), 1.0);
    // The bot's own /ping, which the harness does not send, never ran.
    assert!(!text.contains("command=\"ping\""), "{text}");
    // Every command was acknowledged once.
    assert_eq!(
        value(&after, "incident_bot_interaction_ack_seconds_count"),
        5.0
    );
    for what in ["command", "resolve"] {
        assert_eq!(
            value(
                &after,
                &format!("incident_bot_time_to_{what}_seconds_count{{severity=\"P0\"}}")
            ),
            1.0,
            "one P0 {what}"
        );
        assert_eq!(
            value(
                &after,
                &format!("incident_bot_time_to_{what}_seconds_count{{severity=\"P1\"}}")
            ),
            0.0
        );
    }
    assert_eq!(
        value(&after, "incident_bot_incidents_open{severity=\"P0\"}"),
        0.0
    );
    let posted = value(
        &after,
        "incident_bot_discord_requests_total{method=\"POST\",route=\"/channels/{channel_id}/messages\",status=\"2xx\"}",
    );
    let fake_posts = fake
        .requests_to("POST", "/channels/{channel_id}/messages")
        .iter()
        .filter(|r| (200..300).contains(&r.status))
        .count();
    assert_eq!(
        posted, fake_posts as f64,
        "every post the fake served is counted"
    );
    assert_eq!(
        value(
            &after,
            "incident_bot_discord_requests_total{method=\"POST\",route=\"/channels/{channel_id}/messages/{message_id}/crosspost\",status=\"2xx\"}"
        ),
        2.0,
        "the alert and the all-clear were published"
    );
    assert_eq!(
        value(
            &after,
            "incident_bot_jobs_done_total{kind=\"open_channel\"}"
        ),
        1.0
    );
    assert_eq!(
        value(&after, "incident_bot_jobs_done_total{kind=\"archive\"}"),
        1.0
    );
    assert!(value(&after, "incident_bot_job_lateness_seconds_count") >= 5.0);
}

#[tokio::test]
async fn the_public_listener_serves_neither_metrics_nor_readiness() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    for path in ["/metrics", "/readyz", "/livez"] {
        let res = http::get(bot.public, path).await;
        assert_eq!(res.status, 404, "{path}: {}", res.body);
        assert!(!res.body.contains("incident_bot_"), "{path}: {}", res.body);
    }
    assert_eq!(http::get(bot.http, "/livez").await.status, 200);
}
