//! The error rate through the verification window, read from the real Prometheus server
//! (Debian's `prometheus`) scraping an exporter the test drives: the rate said at resolve, a
//! rate that crosses its threshold said at once with the commander pinged and **It did not
//! hold** offered (again when it falls and comes back), the fix check's verdict line and its
//! chart (added to the verdict's message by an edit), and the fix check falling back to its question when Prometheus stops or refuses the
//! query. Windows are seconds long; nothing asserts how long anything took.

use std::time::Duration;

use incident_bot::clock::Clock as _;
use incident_bot::config::{Settings, SystemSettings};
use incident_bot::domain::{IncidentId, Status};
use serenity::all::ChannelId;

use crate::support::bot::{spawn_bot_with, world, TestBot};
use crate::support::fake_discord::{FakeDiscord, FakeMessage};
use crate::support::prometheus::{Exporter, Prometheus, LOGIN_ERROR_RATE};
use crate::support::story::{answer_fix_check, button_labelled, declare, run, FixCheck};

/// How long a step that waits on scrapes and windows may take before the test fails.
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);

pub(crate) fn with_rate(
    url: String,
    query: &str,
    verify_after: u64,
    check_every: u64,
) -> impl FnOnce(&mut Settings) {
    let query = query.to_owned();
    move |s: &mut Settings| {
        s.prometheus.url = Some(url);
        s.resolution.verify_after = Duration::from_secs(verify_after);
        s.resolution.check_every = Duration::from_secs(check_every);
        s.systems.each.insert(
            "Login".to_owned(),
            SystemSettings {
                error_rate: Some(query),
                good_below: Some(0.01),
                ..SystemSettings::default()
            },
        );
    }
}

/// Waits until `channel` shows a message whose text satisfies `pred`; returns it and its text.
pub(crate) async fn seen(
    fake: &FakeDiscord,
    bot: &TestBot,
    channel: ChannelId,
    what: &str,
    pred: impl Fn(&str) -> bool,
) -> (FakeMessage, String) {
    let find = |f: &FakeDiscord| {
        f.messages(channel)
            .into_iter()
            .map(|m| {
                let text = f.seen(&m, bot.clock.now());
                (m, text)
            })
            .find(|(_, text)| pred(text))
    };
    fake.wait_for(what, PATIENCE, |f| find(f).is_some()).await;
    find(fake).expect("just seen")
}

/// Declares a Login incident of `severity` and resolves it; returns its channel.
pub(crate) async fn declared_and_resolved(fake: &FakeDiscord, severity: &str) -> ChannelId {
    let channel = declare(
        fake,
        world::RESPONDER,
        &[
            ("title", "Login errors"),
            ("severity", severity),
            ("systems", "Login"),
        ],
    )
    .await;
    let me = format!("<@{}>", world::COMMANDER);
    run(
        fake,
        world::COMMANDER,
        channel.id,
        "assign",
        &[("role", "commander"), ("user", &me)],
    )
    .await;
    run(
        fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[("root_cause", "a bad deploy")],
    )
    .await;
    channel.id
}

pub(crate) async fn incident_of(bot: &TestBot, channel: ChannelId) -> IncidentId {
    let ours = incident_bot::domain::ChannelId::new(channel.get()).expect("id");
    bot.app
        .db
        .incident_by_channel(ours)
        .await
        .expect("db")
        .expect("an incident")
        .id
}

/// Waits until the next reading of the window is queued knowing no rate is over: the bot saw
/// the rate fall.
async fn wait_until_calm(bot: &TestBot, id: IncidentId) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let jobs = bot.app.db.jobs_of(Some(id)).await.expect("jobs");
        let next = jobs
            .iter()
            .rev()
            .find(|j| j.kind == "watch_error_rates" && j.finished_at.is_none());
        if next.is_some_and(|j| j.payload.get("above").is_none()) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the bot never saw the rate fall: {next:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Presses **It did not hold** under `message` as the commander and says what is wrong in the
/// form it opens; returns what the message then reads.
pub(crate) async fn did_not_hold(
    fake: &FakeDiscord,
    bot: &TestBot,
    message: &FakeMessage,
) -> String {
    let custom_id = button_labelled(message, "It did not hold");
    let click = fake
        .button(world::COMMANDER, message.id, &custom_id)
        .send()
        .await;
    let modal = click.modal().await;
    assert_eq!(modal["custom_id"], custom_id.as_str(), "{modal}");
    let answered = fake
        .modal_submit(world::COMMANDER, &custom_id)
        .field("what", "Login errors are back")
        .send()
        .await;
    assert_eq!(answered.ack().await.kind, 7, "the message shows the answer");
    fake.wait_for("the answer", PATIENCE, |f| {
        f.message(message.id)
            .is_some_and(|m| m.components.is_empty())
    })
    .await;
    let after = fake.message(message.id).expect("the message");
    fake.seen(&after, bot.clock.now())
}

#[tokio::test]
async fn the_fix_check_reads_the_rate_from_prometheus_and_gives_its_verdict_then_adds_its_chart() {
    let exporter = Exporter::start(20).await;
    let prometheus = Prometheus::start(&exporter).await;
    prometheus
        .wait_for("errors at 20 %", LOGIN_ERROR_RATE, |v| v > 0.1)
        .await;
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_rate(prometheus.url(), LOGIN_ERROR_RATE, 8, 2)).await;

    // The fix lands: errors fall under the threshold, then the commander resolves.
    exporter.set_errors(0);
    prometheus
        .wait_for("errors under 1 %", LOGIN_ERROR_RATE, |v| v < 0.01)
        .await;
    let channel = declared_and_resolved(&fake, "P2").await;

    let (_, at_fix) = seen(&fake, &bot, channel, "the rate at the fix", |t| {
        t.contains("Error rates at the fix")
    })
    .await;
    assert!(
        at_fix.contains(
            "Error rates at the fix, read every 2s until the fix check\nLogin error rate: "
        ),
        "{at_fix}"
    );
    assert!(
        at_fix.contains("now, no data an hour before detection (threshold 1 %)"),
        "Prometheus started moments ago: {at_fix}"
    );

    let (ask, text) = seen(&fake, &bot, channel, "the fix check", |t| {
        t.contains("did it hold?")
    })
    .await;
    let verdict = text.lines().nth(1).unwrap_or_default();
    assert!(
        verdict.starts_with("✅ Login error rate: ")
            && verdict.contains(" over the last 8s (threshold 1 %), ")
            && verdict.ends_with(" at the peak"),
        "the verdict comes first: {text}"
    );
    assert!(!text.contains("could not be read"), "{text}");
    button_labelled(&ask, "The fix held");
    button_labelled(&ask, "It did not hold");

    // The verdict went out without the chart; the chart follows, added by an edit.
    let messages = format!("/channels/{channel}/messages");
    let posted = fake
        .requests_to("POST", "/channels/{channel_id}/messages")
        .into_iter()
        .filter(|r| r.path == messages && r.status == 200)
        .find(|r| {
            r.body.as_ref().is_some_and(|b| {
                b["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("did it hold?"))
            })
        })
        .expect("the fix check's post");
    assert!(
        posted.files.is_empty(),
        "posted without the chart: {posted:?}"
    );
    let has_chart = |f: &FakeDiscord| {
        f.message(ask.id).is_some_and(|m| {
            m.attachments
                .iter()
                .any(|a| a.filename == "error-rate-login.png")
        })
    };
    fake.wait_for("the chart", PATIENCE, has_chart).await;
    let edits = fake.requests_to("PATCH", "/channels/{channel_id}/messages/{message_id}");
    let edit = edits
        .iter()
        .find(|r| r.path == format!("{messages}/{}", ask.id))
        .expect("the edit that adds the chart");
    assert_eq!(edit.files.len(), 1, "{edit:?}");
    assert_eq!(edit.files[0].0, "error-rate-login.png");
    let chart = fake.message(ask.id).expect("the fix check");
    assert_eq!(
        chart.content, ask.content,
        "the verdict's text is as it was"
    );
    let lines = fake.seen_in(channel, bot.clock.now());
    let after = lines
        .iter()
        .find(|l| l.contains("did it hold?"))
        .expect("the fix check");
    assert!(
        after.contains("at the peak\n")
            && after.contains(" [file: error-rate-login.png] [button: The fix held]"),
        "{after}"
    );
    assert_eq!(
        fake.messages(channel)
            .iter()
            .filter(|m| !m.attachments.is_empty())
            .count(),
        1,
        "no message of its own"
    );
    button_labelled(&chart, "It did not hold");
    let png = &chart.attachments[0].bytes;
    let image = image::load_from_memory(png).expect("a PNG").to_rgb8();
    assert_eq!(image.dimensions(), (800, 400));
    let colours: std::collections::HashSet<[u8; 3]> = image.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 5, "{} colours", colours.len());
    // No rate crossed the threshold in the window: nobody was told it did.
    assert!(!fake
        .messages(channel)
        .iter()
        .any(|m| m.content.contains("is over its threshold")));
}

#[tokio::test]
async fn errors_back_in_the_window_ping_the_commander_again_each_time_they_come_back() {
    let exporter = Exporter::start(0).await;
    let prometheus = Prometheus::start(&exporter).await;
    prometheus
        .wait_for("a rate of 0 %", LOGIN_ERROR_RATE, |v| v < 0.01)
        .await;
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_rate(prometheus.url(), LOGIN_ERROR_RATE, 600, 1)).await;
    let channel = declared_and_resolved(&fake, "P1").await;
    seen(&fake, &bot, channel, "the rate at the fix", |t| {
        t.contains("Error rates at the fix")
    })
    .await;

    exporter.set_errors(30);
    let over = |t: &str| t.contains("Login error rate is over its threshold");
    let (first, text) = seen(&fake, &bot, channel, "errors back", over).await;
    assert!(
        text.contains("(threshold 1 %)\nThe fix went in ")
            && text.contains("ago and is being verified: it may not have held."),
        "{text}"
    );
    assert_eq!(fake.pings(first.id).users, vec![world::COMMANDER], "{text}");
    button_labelled(&first, "It did not hold");

    // It falls, the bot sees it fall, and it comes back: said again.
    exporter.set_errors(0);
    prometheus
        .wait_for("errors under 1 %", LOGIN_ERROR_RATE, |v| v < 0.01)
        .await;
    let id = incident_of(&bot, channel).await;
    wait_until_calm(&bot, id).await;
    exporter.set_errors(30);
    let overs = |f: &FakeDiscord| -> Vec<FakeMessage> {
        f.messages(channel)
            .into_iter()
            .filter(|m| over(&f.seen(m, bot.clock.now())))
            .collect()
    };
    fake.wait_for("errors back a second time", PATIENCE, |f| {
        overs(f).len() == 2
    })
    .await;
    let second = overs(&fake).pop().expect("the second");
    assert_eq!(fake.pings(second.id).users, vec![world::COMMANDER]);

    // The commander decides, not the bot: it did not hold.
    let answered = did_not_hold(&fake, &bot, &second).await;
    assert!(answered.contains("is back in Phase 4"), "{answered}");
    let record = bot
        .app
        .db
        .incident(id)
        .await
        .expect("db")
        .expect("incident");
    assert_eq!(record.incident.status, Status::Open);
}

#[tokio::test]
async fn prometheus_stopped_mid_window_the_fix_check_says_so_and_still_asks() {
    let exporter = Exporter::start(0).await;
    let mut prometheus = Prometheus::start(&exporter).await;
    prometheus
        .wait_for("a rate of 0 %", LOGIN_ERROR_RATE, |v| v < 0.01)
        .await;
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_rate(prometheus.url(), LOGIN_ERROR_RATE, 6, 1)).await;
    let channel = declared_and_resolved(&fake, "P2").await;
    seen(&fake, &bot, channel, "the rate at the fix", |t| {
        t.contains("Error rates at the fix")
    })
    .await;

    prometheus.stop();
    let (_, text) = seen(&fake, &bot, channel, "the fix check", |t| {
        t.contains("did it hold?")
    })
    .await;
    assert!(
        text.contains("\nError rates could not be read (Prometheus is unavailable: "),
        "{text}"
    );
    assert!(
        text.contains("): check them on your dashboards.\nSmoke tests pass"),
        "{text}"
    );
    // Today's question stands, and answers as before.
    let answered = answer_fix_check(
        &fake,
        world::COMMANDER,
        channel,
        FixCheck::Held,
        bot.clock.now(),
    )
    .await;
    assert!(fake.seen(&answered, bot.clock.now()).contains("✅ Yes"));
    // No chart of a rate that could not be read.
    assert!(!fake
        .messages(channel)
        .iter()
        .any(|m| !m.attachments.is_empty()));
}

#[tokio::test]
async fn a_query_prometheus_refuses_is_named_at_resolve_and_in_the_fix_check() {
    let exporter = Exporter::start(0).await;
    let prometheus = Prometheus::start(&exporter).await;
    let fake = world::fake().start().await;
    // Brackets that pair, so the light check of `check` takes it; Prometheus does not.
    let query = r#"sum(rate(http_requests_total{code=~"5.."}[1x]))"#;
    let bot = spawn_bot_with(&fake, with_rate(prometheus.url(), query, 4, 1)).await;
    let channel = declared_and_resolved(&fake, "P2").await;
    let (_, at_fix) = seen(&fake, &bot, channel, "the rate at the fix", |t| {
        t.contains("Error rates at the fix")
    })
    .await;
    assert!(
        at_fix.contains("Error rates could not be read: Prometheus refused the query (400): "),
        "{at_fix}"
    );
    assert!(
        at_fix.contains("parse error"),
        "Prometheus' own words: {at_fix}"
    );
    let (ask, text) = seen(&fake, &bot, channel, "the fix check", |t| {
        t.contains("did it hold?")
    })
    .await;
    assert!(
        text.contains("Error rates could not be read (Prometheus refused the query (400): "),
        "{text}"
    );
    button_labelled(&ask, "The fix held");
}

/// `incident-bot check` (with `extra`) on the shipped example with `toml` appended: its exit
/// code and what it printed on stderr.
fn check_with(toml: &str, extra: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/example.toml"))
            .expect("read");
    let path = dir.path().join("my.toml");
    std::fs::write(&path, format!("{example}\n{toml}")).expect("write");
    let mut args = vec!["check", "--config", path.to_str().expect("utf-8")];
    args.extend(extra);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_incident-bot"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("INCIDENT_BOT_CONFIG")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .output()
        .expect("the binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_refuses_a_query_that_does_not_parse_a_lone_threshold_and_a_link_that_is_not_https() {
    let (code, err) = check_with(
        r#"
[prometheus]
url = "http://127.0.0.1:9090"

[systems.Login]
error_rate = 'sum(rate(http_requests_total{code=~"5.."}[1m])'
good_below = 0.01
logs = "http://grafana.internal/explore?from={from_ms}"

[systems.Store]
good_below = 2.0
"#,
        &[],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("`systems.Login.error_rate` does not parse as PromQL: `(` is never closed"),
        "{err}"
    );
    assert!(
        err.contains("`systems.Login.logs`: `http://grafana.internal/explore?from={from_ms}` is not an https URL"),
        "{err}"
    );
    assert!(
        err.contains("[systems.Store] has a good_below but no error_rate"),
        "{err}"
    );
}

#[tokio::test]
async fn check_online_asks_prometheus_and_names_the_query_it_refuses() {
    let exporter = Exporter::start(0).await;
    let prometheus = Prometheus::start(&exporter).await;
    let config = format!(
        r#"
[prometheus]
url = "{}"

[systems.Login]
error_rate = '{LOGIN_ERROR_RATE}'
good_below = 0.01

[systems.Store]
error_rate = 'sum(rate(http_requests_total{{code=~"5.."}}[1x]))'
good_below = 0.01
"#,
        prometheus.url()
    );
    let (code, err) = check_with(&config, &[]);
    assert_eq!(code, Some(0), "offline, the brackets pair: {err}");
    let (code, err) = check_with(&config, &["--online"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("`systems.Store.error_rate`: Prometheus refused the query (400): ")
            && err.contains("parse error"),
        "{err}"
    );
    assert!(!err.contains("systems.Login"), "{err}");
}
