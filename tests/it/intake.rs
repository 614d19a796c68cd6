//! Alert webhooks on the public listener: what Alertmanager's POSTs become in Discord, and what
//! a bad sender gets.

use chrono::Utc;
use incident_bot::config::Settings;
use serde_json::{json, Value};

use incident_bot::clock::ManualClock;

use crate::support::bot::{spawn_bot_on, spawn_bot_with, world, TestBot, STEP};
use crate::support::fake_discord::FakeDiscord;
use crate::support::http;
use crate::support::story::button_labels;

const TOKEN: &str = "am-secret-token-for-tests";
const FIRING: &str = include_str!("../fixtures/alertmanager_firing.json");

fn with_intake(s: &mut Settings) {
    s.intake.secrets.alertmanager = Some(secrecy::SecretString::from(TOKEN));
    let mut rules = std::collections::BTreeMap::new();
    rules.insert("Login".to_owned(), vec!["service=auth".to_owned()]);
    s.intake.systems = incident_bot::domain::SystemRules::parse(&rules).expect("rules");
}

fn auth() -> String {
    format!("Bearer {TOKEN}")
}

async fn deliver(bot: &TestBot, body: &[u8]) -> http::Response {
    http::post(
        bot.public,
        "/hooks/alertmanager",
        &[("authorization", &auth())],
        body,
    )
    .await
}

/// An Alertmanager message of `alerts` firing alerts of one group, with fingerprints `fp<n>`.
fn group_of(alerts: usize, status: &str) -> Vec<u8> {
    let mut body: Value = serde_json::from_str(FIRING).expect("fixture");
    let one = body["alerts"][0].clone();
    body["alerts"] = (0..alerts)
        .map(|n| {
            let mut a = one.clone();
            a["fingerprint"] = json!(format!("fp{n}"));
            a["status"] = json!(status);
            a
        })
        .collect();
    body["status"] = json!(status);
    serde_json::to_vec(&body).expect("json")
}

async fn card_lines(fake: &FakeDiscord, what: &str, accept: impl Fn(&str) -> bool) -> String {
    fake.wait_for(what, STEP, |f| {
        f.seen_in(world::LOG, Utc::now()).iter().any(|l| accept(l))
    })
    .await;
    let lines = fake.seen_in(world::LOG, Utc::now());
    lines
        .into_iter()
        .rev()
        .find(|l| accept(l))
        .expect("the card")
}

#[tokio::test]
async fn an_alertmanager_alert_posts_one_triage_card_and_repeats_do_not_post_again() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;

    let res = deliver(&bot, FIRING.as_bytes()).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let card = card_lines(&fake, "the triage card", |l| l.contains("LoginErrors")).await;
    assert!(
        card.contains("Alert: LoginErrors: Login error rate above 5% (Alertmanager)"),
        "{card}"
    );
    assert!(card.contains("System: Login"), "{card}");
    assert!(card.contains("Seen: 1 time, 1 firing now"), "{card}");
    assert!(
        card.contains("Source: http://prometheus.example:9090/graph?g0.expr=login_errors"),
        "{card}"
    );
    let message = fake
        .messages(world::LOG)
        .into_iter()
        .find(|m| m.content.contains("LoginErrors"))
        .expect("the card message");
    assert_eq!(
        button_labels(&message),
        [
            "Declare P0",
            "Declare P1",
            "Declare P2",
            "Declare P3",
            "Not real"
        ]
    );
    assert!(fake.pings(message.id).nobody(), "a card pings nobody");

    // Alertmanager sends the same firing again at each repeat: the card stays one card.
    let again = deliver(&bot, FIRING.as_bytes()).await;
    assert_eq!(again.status, 200);
    let cards = bot.app.db.alert_cards().await.expect("cards");
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].count, 1, "the same firing is no new occurrence");
    let posted = fake
        .messages(world::LOG)
        .into_iter()
        .filter(|m| m.content.contains("LoginErrors"))
        .count();
    assert_eq!(posted, 1, "a repeat edits the card, never posts another");
}

#[tokio::test]
async fn a_resolved_alert_edits_its_card() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;
    assert_eq!(deliver(&bot, &group_of(2, "firing")).await.status, 200);
    card_lines(&fake, "the card", |l| {
        l.contains("Seen: 2 times, 2 firing now")
    })
    .await;
    assert_eq!(deliver(&bot, &group_of(2, "resolved")).await.status, 200);
    let card = card_lines(&fake, "the resolved card", |l| l.contains("Alert resolved")).await;
    assert!(card.contains("0 firing now"), "{card}");
    assert!(card.contains("Resolved:"), "{card}");
    let cards = fake
        .messages(world::LOG)
        .into_iter()
        .filter(|m| m.content.contains("LoginErrors"))
        .count();
    assert_eq!(cards, 1, "resolving edits the card");
}

#[tokio::test]
async fn one_post_of_1000_alerts_of_one_group_is_one_card_counting_1000() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;
    let body = group_of(1000, "firing");
    assert!(body.len() < incident_bot::http::MAX_BODY);
    let started = std::time::Instant::now();
    let res = deliver(&bot, &body).await;
    let took = started.elapsed();
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        took.as_secs_f64() < 1.0,
        "answered in {took:?}: webhooks must answer within 1 s"
    );
    card_lines(&fake, "the card", |l| {
        l.contains("Seen: 1000 times, 1000 firing now")
    })
    .await;
    assert_eq!(bot.app.db.alert_count().await.expect("count"), 1000);
    assert_eq!(bot.app.db.alert_cards().await.expect("cards").len(), 1);
}

#[tokio::test]
async fn bad_senders_are_refused_and_nothing_is_stored() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    // A stopped clock at the start of a minute: the limit's minute never turns by itself.
    let minute = Utc::now().timestamp().div_euclid(60) * 60;
    let start = chrono::DateTime::from_timestamp(minute, 0).expect("a time");
    let bot = spawn_bot_on(&fake, dir.path(), ManualClock::new(start), |s| {
        with_intake(s);
        s.intake.rate_per_minute = 3;
    })
    .await;
    let hook = "/hooks/alertmanager";
    let body = FIRING.as_bytes();
    // No token, a wrong one, another scheme.
    assert_eq!(http::post(bot.public, hook, &[], body).await.status, 401);
    let wrong = http::post(bot.public, hook, &[("authorization", "Bearer nope")], body).await;
    assert_eq!(wrong.status, 401);
    assert!(
        !wrong.body.contains(TOKEN),
        "the answer never shows the secret"
    );
    let basic = format!("Basic {TOKEN}");
    assert_eq!(
        http::post(bot.public, hook, &[("authorization", &basic)], body)
            .await
            .status,
        401
    );
    // 2 MiB.
    let huge = vec![b' '; 2 * 1024 * 1024];
    assert_eq!(deliver(&bot, &huge).await.status, 413);
    // Shapes Alertmanager never sends.
    let v3 = FIRING.replace("\"version\": \"4\"", "\"version\": \"3\"");
    let refused = deliver(&bot, v3.as_bytes()).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("version 4"), "{}", refused.body);
    assert_eq!(deliver(&bot, b"{\"text\": \"hi\"}").await.status, 422);
    assert_eq!(bot.app.db.alert_count().await.expect("count"), 0);

    // The limit counts the requests that got past the token: the two 422s took two of this
    // minute's three; a minute later there are three again, then 429.
    assert_eq!(deliver(&bot, &group_of(1, "firing")).await.status, 200);
    assert_eq!(deliver(&bot, &group_of(1, "firing")).await.status, 429);
    bot.clock.advance(chrono::TimeDelta::seconds(70));
    for n in 1..4 {
        let res = deliver(&bot, &group_of(n, "firing")).await;
        assert_eq!(res.status, 200, "request {n}: {}", res.body);
    }
    let limited = deliver(&bot, &group_of(10, "firing")).await;
    assert_eq!(limited.status, 429);
    let wait: u64 = limited
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert_eq!(wait, 50, "the seconds left in the minute");
    assert_eq!(
        bot.app.db.alert_count().await.expect("count"),
        3,
        "the refused request stored none of its 10 alerts"
    );
    let metrics = http::get(bot.http, "/metrics").await.body;
    assert!(
        metrics.contains(
            "incident_bot_webhooks_total{source=\"alertmanager\",outcome=\"rate_limited\"} 2"
        ),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_source_without_its_secret_is_off() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    let res = deliver(&bot, FIRING.as_bytes()).await;
    assert_eq!(res.status, 404);
    assert_eq!(http::get(bot.public, "/metrics").await.status, 404);
}
