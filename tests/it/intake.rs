//! Alert webhooks on the public listener: what Alertmanager's POSTs become in Discord, and what
//! a bad sender gets.

use chrono::Utc;
use incident_bot::config::Settings;
use serde_json::{json, Value};

use incident_bot::clock::ManualClock;

use crate::support::bot::{spawn_bot_in, spawn_bot_on, spawn_bot_with, world, TestBot, STEP};
use crate::support::fake_discord::FakeDiscord;
use crate::support::http;
use crate::support::story::{button_labels, press};

const TOKEN: &str = "am-secret-token-for-tests-0123456789abcdef";
pub(crate) const FIRING: &str = include_str!("../fixtures/alertmanager_firing.json");

pub(crate) fn with_intake(s: &mut Settings) {
    s.intake.secrets.alertmanager = Some(secrecy::SecretString::from(TOKEN));
    let mut rules = std::collections::BTreeMap::new();
    rules.insert("Login".to_owned(), vec!["service=auth".to_owned()]);
    s.intake.systems = incident_bot::domain::SystemRules::parse(&rules).expect("rules");
}

fn auth() -> String {
    format!("Bearer {TOKEN}")
}

pub(crate) async fn deliver(bot: &TestBot, body: &[u8]) -> http::Response {
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

pub(crate) async fn card_lines(
    fake: &FakeDiscord,
    what: &str,
    accept: impl Fn(&str) -> bool,
) -> String {
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
    // How fast it is answered is `cargo bench --bench webhook`'s (bench/RESULTS.md).
    let res = deliver(&bot, &body).await;
    assert_eq!(res.status, 200, "{}", res.body);
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
            "incident_bot_webhooks_total{outcome=\"rate_limited\",source=\"alertmanager\"} 2"
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

#[tokio::test]
async fn declare_p1_on_a_card_opens_the_incident_detected_when_the_alert_began() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;
    assert_eq!(deliver(&bot, FIRING.as_bytes()).await.status, 200);
    card_lines(&fake, "the card", |l| l.contains("LoginErrors")).await;

    let (click, card) = press(&fake, world::RESPONDER, world::LOG, "Declare P1").await;
    assert_eq!(click.ack().await.kind, 7, "the card itself changes");
    let after = fake.message(card.id).expect("the card");
    assert!(
        fake.seen(&after, Utc::now()).contains("Incident: #1"),
        "{}",
        after.content
    );
    assert!(
        button_labels(&after).is_empty(),
        "a declared card asks nothing more"
    );

    let stored = bot.app.db.alert_cards().await.expect("cards");
    let incident = stored[0].incident.expect("the card names its incident");
    let record = bot
        .app
        .db
        .incident(incident)
        .await
        .expect("db")
        .expect("the incident");
    let i = &record.incident;
    assert_eq!(i.severity.to_string(), "P1");
    assert_eq!(
        i.detected_at.to_rfc3339(),
        "2026-11-30T14:02:00+00:00",
        "the alert's startsAt"
    );
    assert_eq!(i.systems.display(), "Login");
    assert_eq!(i.title.as_str(), "LoginErrors: Login error rate above 5%");
    let timeline = bot.app.db.timeline(incident).await.expect("timeline");
    assert!(
        timeline[0]
            .text
            .starts_with("Alert from Alertmanager: LoginErrors"),
        "{timeline:#?}"
    );
    // Its channel opens and pages as any P1 does.
    fake.wait_for("the incident channel", STEP, |f| {
        f.channels().iter().any(|c| c.name.starts_with("inc-1"))
    })
    .await;

    // Alertmanager says it is over: the card says so, and the incident's timeline gets a hint
    // for the verify step (the incident itself stays open).
    let resolved = FIRING
        .replace(
            "\"status\": \"firing\",\n      \"labels\"",
            "\"status\": \"resolved\",\n      \"labels\"",
        )
        .replace("0001-01-01T00:00:00Z", "2026-11-30T14:30:00Z");
    assert_eq!(deliver(&bot, resolved.as_bytes()).await.status, 200);
    card_lines(&fake, "the resolved card", |l| {
        l.contains("Alert resolved") && l.contains("Incident: #1")
    })
    .await;
    let timeline = bot.app.db.timeline(incident).await.expect("timeline");
    assert!(
        timeline
            .iter()
            .any(|e| e.text.starts_with("Alert resolved: LoginErrors")),
        "{timeline:#?}"
    );
    let record = bot
        .app
        .db
        .incident(incident)
        .await
        .expect("db")
        .expect("the incident");
    assert_eq!(
        record.incident.status,
        incident_bot::domain::Status::Open,
        "never an automatic all-clear"
    );

    // Another alert of the same system while the incident is worked joins it: a line in its
    // channel and a timeline entry, not a new card.
    let other = FIRING
        .replace("LoginErrors", "LoginLatency")
        .replace("c2a6e4f0b1d93e57", "d00d");
    assert_eq!(deliver(&bot, other.as_bytes()).await.status, 200);
    let channel = record.channel_id.expect("the incident's channel");
    let channel = serenity::all::ChannelId::new(channel.get());
    fake.wait_for("the alert line", STEP, |f| {
        f.seen_in(channel, Utc::now())
            .iter()
            .any(|l| l.contains("Alert joined this incident: LoginLatency"))
    })
    .await;
    let cards = fake
        .messages(world::LOG)
        .into_iter()
        .filter(|m| m.content.contains("LoginLatency"))
        .count();
    assert_eq!(
        cards, 0,
        "no new card for an alert of an incident being worked"
    );
    let timeline = bot.app.db.timeline(incident).await.expect("timeline");
    assert!(
        timeline
            .iter()
            .any(|e| e.text.starts_with("Alert from Alertmanager: LoginLatency")),
        "{timeline:#?}"
    );
}

#[tokio::test]
async fn not_real_asks_why_and_records_who_said_so() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;
    assert_eq!(deliver(&bot, FIRING.as_bytes()).await.status, 200);
    card_lines(&fake, "the card", |l| l.contains("LoginErrors")).await;

    let (click, card) = press(&fake, world::RESPONDER, world::LOG, "Not real").await;
    let modal = click.modal().await;
    let custom_id = modal["custom_id"].as_str().expect("an id").to_owned();
    let answered = fake
        .modal_submit(world::RESPONDER, &custom_id)
        .field("why", "A load test on staging")
        .send()
        .await;
    assert_eq!(answered.ack().await.kind, 7);
    let after = fake.message(card.id).expect("the card");
    let seen = fake.seen(&after, Utc::now());
    assert!(seen.contains("Not real, said"), "{seen}");
    assert!(seen.contains("A load test on staging"), "{seen}");
    assert!(button_labels(&after).is_empty());
    let stored = &bot.app.db.alert_cards().await.expect("cards")[0];
    let (by, why) = stored.dismissed.clone().expect("dismissed");
    assert_eq!(by.get(), world::RESPONDER.get());
    assert_eq!(why, "A load test on staging");
    assert_eq!(stored.incident, None);
}

#[tokio::test]
async fn a_card_still_declares_after_the_bot_restarted_between_the_alert_and_the_press() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let first = spawn_bot_in(&fake, dir.path(), with_intake).await;
    assert_eq!(deliver(&first, FIRING.as_bytes()).await.status, 200);
    card_lines(&fake, "the card", |l| l.contains("LoginErrors")).await;
    first.stop().await;

    let bot = spawn_bot_in(&fake, dir.path(), with_intake).await;
    let (click, card) = press(&fake, world::RESPONDER, world::LOG, "Declare P2").await;
    assert_eq!(click.ack().await.kind, 7);
    let after = fake.message(card.id).expect("the card");
    assert!(
        fake.seen(&after, Utc::now()).contains("Incident: #1"),
        "{}",
        after.content
    );
    let stored = bot.app.db.alert_cards().await.expect("cards");
    let record = bot
        .app
        .db
        .incident(stored[0].incident.expect("declared"))
        .await
        .expect("db")
        .expect("the incident");
    assert_eq!(
        record.incident.detected_at.to_rfc3339(),
        "2026-11-30T14:02:00+00:00"
    );
    // The alert repeated after the restart edits the same card.
    assert_eq!(deliver(&bot, &group_of(1, "firing")).await.status, 200);
    let posted = fake
        .messages(world::LOG)
        .into_iter()
        .filter(|m| m.content.contains("(Alertmanager)"))
        .count();
    assert_eq!(posted, 1);
}

#[tokio::test]
async fn ten_deliveries_of_one_new_group_at_once_make_one_card() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;
    let public = bot.public;
    let deliveries: Vec<_> = (0..10)
        .map(|_| {
            tokio::spawn(async move {
                let auth = auth();
                http::post(
                    public,
                    "/hooks/alertmanager",
                    &[("authorization", &auth)],
                    FIRING.as_bytes(),
                )
                .await
            })
        })
        .collect();
    for delivery in deliveries {
        let res = delivery.await.expect("the delivery ran");
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let cards = bot.app.db.alert_cards().await.expect("cards");
    assert_eq!(cards.len(), 1, "one group, one card: {cards:#?}");
    assert_eq!(
        cards[0].count, 1,
        "the same firing ten times is one occurrence"
    );
}
