//! Sentry, Cloudflare and Grafana webhooks: each signed or authenticated as its sender does it,
//! from the fixtures in tests/fixtures (see their README for where each shape comes from).

use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use incident_bot::clock::Clock as _;
use incident_bot::config::Settings;
use sha2::Sha256;

use incident_bot::clock::ManualClock;

use crate::support::bot::{spawn_bot_on, spawn_bot_with, world, TestBot, STEP};
use crate::support::http;

const SENTRY: &str = "sentry-client-secret";
const CLOUDFLARE: &str = "cloudflare-webhook-secret";
const GRAFANA: &str = "grafana-hmac-secret";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn with_sources(s: &mut Settings) {
    let secret = |v: &str| Some(secrecy::SecretString::from(v));
    s.intake.secrets.sentry = secret(SENTRY);
    s.intake.secrets.cloudflare = secret(CLOUDFLARE);
    s.intake.secrets.grafana = secret(GRAFANA);
    let mut rules = std::collections::BTreeMap::new();
    rules.insert("Login".to_owned(), vec!["service=auth".to_owned()]);
    rules.insert("Matchmaking".to_owned(), vec!["service=mm".to_owned()]);
    s.intake.systems = incident_bot::domain::SystemRules::parse(&rules).expect("rules");
}

fn hmac_hex(secret: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

async fn sentry(bot: &TestBot, resource: &str, body: &[u8], signature: &str) -> http::Response {
    http::post(
        bot.public,
        "/hooks/sentry",
        &[
            ("sentry-hook-resource", resource),
            ("sentry-hook-signature", signature),
            ("sentry-hook-timestamp", "1796047200"),
        ],
        body,
    )
    .await
}

async fn card_with(fake: &crate::support::fake_discord::FakeDiscord, needle: &str) -> String {
    fake.wait_for(needle, STEP, |f| {
        f.seen_in(world::LOG, Utc::now())
            .iter()
            .any(|l| l.contains(needle))
    })
    .await;
    fake.seen_in(world::LOG, Utc::now())
        .into_iter()
        .rev()
        .find(|l| l.contains(needle))
        .expect("the card")
}

#[tokio::test]
async fn sentry_alerts_are_verified_by_their_signature_and_an_issue_resolved_edits_the_card() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_sources).await;
    let event = fixture("sentry_event_alert.json");

    // A wrong secret, a body changed after signing, no signature: 401, nothing stored.
    let wrong = hmac_hex("another-secret", &event);
    assert_eq!(
        sentry(&bot, "event_alert", &event, &wrong).await.status,
        401
    );
    let good = hmac_hex(SENTRY, &event);
    let mut changed = event.clone();
    changed[10] ^= 1;
    assert_eq!(
        sentry(&bot, "event_alert", &changed, &good).await.status,
        401
    );
    let unsigned = http::post(
        bot.public,
        "/hooks/sentry",
        &[("sentry-hook-resource", "event_alert")],
        &event,
    )
    .await;
    assert_eq!(unsigned.status, 401);
    assert_eq!(bot.app.db.alert_count().await.expect("count"), 0);

    let res = sentry(&bot, "event_alert", &event, &good).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let card = card_with(&fake, "ConnectionError").await;
    assert!(card.contains("(Sentry)"), "{card}");
    assert!(card.contains("System: Login"), "{card}");
    assert!(card.contains("Login errors"), "the rule that fired: {card}");

    // The same event delivered again (a replay) is no new occurrence.
    assert_eq!(sentry(&bot, "event_alert", &event, &good).await.status, 200);
    assert_eq!(bot.app.db.alert_cards().await.expect("cards")[0].count, 1);

    // The issue resolved in Sentry: the card says so.
    let resolved = fixture("sentry_issue_resolved.json");
    let res = sentry(&bot, "issue", &resolved, &hmac_hex(SENTRY, &resolved)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    card_with(&fake, "Alert resolved: ConnectionError").await;

    // Installing the integration is acknowledged and ignored.
    let install = fixture("sentry_installation.json");
    let res = sentry(&bot, "installation", &install, &hmac_hex(SENTRY, &install)).await;
    assert_eq!((res.status, res.body.as_str()), (200, "ignored\n"));
    assert_eq!(bot.app.db.alert_cards().await.expect("cards").len(), 1);
}

#[tokio::test]
async fn a_sentry_metric_alert_posts_a_card_and_its_resolve_edits_it() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_sources).await;
    let critical = fixture("sentry_metric_alert.json");
    let res = sentry(
        &bot,
        "metric_alert",
        &critical,
        &hmac_hex(SENTRY, &critical),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    card_with(&fake, "Alert: Too many errors (Sentry)").await;
    let resolved = String::from_utf8(critical)
        .expect("utf-8")
        .replace("\"action\": \"critical\"", "\"action\": \"resolved\"")
        .into_bytes();
    let res = sentry(
        &bot,
        "metric_alert",
        &resolved,
        &hmac_hex(SENTRY, &resolved),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    card_with(&fake, "Alert resolved: Too many errors").await;
    let unknown = br#"{"action":"critical","data":{}}"#;
    let res = sentry(&bot, "metric_alert", unknown, &hmac_hex(SENTRY, unknown)).await;
    assert_eq!(res.status, 422, "{}", res.body);
}

#[tokio::test]
async fn cloudflare_notifications_carry_the_secret_and_its_test_message_is_answered() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_sources).await;
    let hook = "/hooks/cloudflare";
    let test = fixture("cloudflare_test.json");
    let res = http::post(bot.public, hook, &[("cf-webhook-auth", CLOUDFLARE)], &test).await;
    assert_eq!(
        res.status, 200,
        "Cloudflare's test POST must get a 2xx: {}",
        res.body
    );
    assert_eq!(bot.app.db.alert_count().await.expect("count"), 0);

    let alert = fixture("cloudflare_alert.json");
    let wrong = http::post(bot.public, hook, &[("cf-webhook-auth", "nope")], &alert).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(http::post(bot.public, hook, &[], &alert).await.status, 401);

    let res = http::post(bot.public, hook, &[("cf-webhook-auth", CLOUDFLARE)], &alert).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let card = card_with(&fake, "Origin health").await;
    assert!(card.contains("(Cloudflare)"), "{card}");
    assert!(card.contains("System: Login"), "{card}");
    assert!(
        card.contains("https://dash.cloudflare.com/0123456789abcdef0123456789abcdef/notifications"),
        "{card}"
    );
    let end = String::from_utf8(alert)
        .expect("utf-8")
        .replace("ALERT_STATE_EVENT_START", "ALERT_STATE_EVENT_END")
        .into_bytes();
    let res = http::post(bot.public, hook, &[("cf-webhook-auth", CLOUDFLARE)], &end).await;
    assert_eq!(res.status, 200, "{}", res.body);
    card_with(&fake, "Alert resolved: Origin health").await;
}

#[tokio::test]
async fn grafana_alerts_are_signed_over_timestamp_and_body_and_old_signatures_are_refused() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_sources).await;
    let hook = "/hooks/grafana";
    let body = fixture("grafana_firing.json");
    let now = bot.clock.now().timestamp().to_string();
    let mut signed = now.clone().into_bytes();
    signed.push(b':');
    signed.extend_from_slice(&body);
    let signature = hmac_hex(GRAFANA, &signed);

    // Signed over the body alone while a timestamp is sent: refused.
    let body_only = hmac_hex(GRAFANA, &body);
    let res = http::post(
        bot.public,
        hook,
        &[
            ("x-grafana-alerting-signature", &body_only),
            ("x-grafana-alerting-timestamp", &now),
        ],
        &body,
    )
    .await;
    assert_eq!(res.status, 401);
    // A signature an hour old: a replay.
    let old = (bot.clock.now().timestamp() - 3600).to_string();
    let mut replayed = old.clone().into_bytes();
    replayed.push(b':');
    replayed.extend_from_slice(&body);
    let res = http::post(
        bot.public,
        hook,
        &[
            (
                "x-grafana-alerting-signature",
                &hmac_hex(GRAFANA, &replayed),
            ),
            ("x-grafana-alerting-timestamp", &old),
        ],
        &body,
    )
    .await;
    assert_eq!(res.status, 401);
    assert_eq!(bot.app.db.alert_count().await.expect("count"), 0);

    let res = http::post(
        bot.public,
        hook,
        &[
            ("x-grafana-alerting-signature", &signature),
            ("x-grafana-alerting-timestamp", &now),
        ],
        &body,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let card = card_with(&fake, "MatchmakingQueue").await;
    assert!(card.contains("(Grafana)"), "{card}");
    assert!(card.contains("System: Matchmaking"), "{card}");

    // Without a timestamp header the signature covers the body alone.
    let res = http::post(
        bot.public,
        hook,
        &[("x-grafana-alerting-signature", &body_only)],
        &body,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    // An Alertmanager body (version 4) is not Grafana's.
    let am = fixture("alertmanager_firing.json");
    let res = http::post(
        bot.public,
        hook,
        &[("authorization", &format!("Bearer {GRAFANA}"))],
        &am,
    )
    .await;
    assert_eq!(res.status, 422, "{}", res.body);
}

#[tokio::test]
async fn three_hundred_sentry_posts_in_a_minute_store_the_first_120_and_refuse_the_rest_whole() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    // A stopped clock at the start of a minute: all 300 fall in one minute of the limit.
    let minute = Utc::now().timestamp().div_euclid(60) * 60;
    let start = chrono::DateTime::from_timestamp(minute, 0).expect("a time");
    let bot = spawn_bot_on(&fake, dir.path(), ManualClock::new(start), with_sources).await;
    assert_eq!(bot.app.settings.intake.rate_per_minute, 120, "the default");
    let template = String::from_utf8(fixture("sentry_event_alert.json")).expect("utf-8");
    let mut answers = Vec::new();
    for n in 0..300 {
        let body = template
            .replace("1170820242", &format!("9{n:04}"))
            .into_bytes();
        let res = sentry(&bot, "event_alert", &body, &hmac_hex(SENTRY, &body)).await;
        answers.push(res.status);
    }
    assert!(answers[..120].iter().all(|s| *s == 200), "{answers:?}");
    assert!(answers[120..].iter().all(|s| *s == 429), "{answers:?}");
    assert_eq!(bot.app.db.alert_count().await.expect("count"), 120);
    assert_eq!(bot.app.db.alert_cards().await.expect("cards").len(), 120);
}
