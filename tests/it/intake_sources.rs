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

// Secrets of the length `check` asks for (`openssl rand -hex 32` makes such ones).
const SENTRY: &str = "sentry-client-secret-0123456789abcdef";
const CLOUDFLARE: &str = "cloudflare-webhook-secret-0123456789ab";
const GRAFANA: &str = "grafana-hmac-secret-0123456789abcdefgh";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A Sentry fixture dated `at` instead of the day it was written: Sentry signs the body, and
/// the time in it is how old the delivery is.
fn sentry_fixture(name: &str, at: chrono::DateTime<Utc>) -> Vec<u8> {
    let at = at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    String::from_utf8(fixture(name))
        .expect("utf-8")
        .replace("2026-11-30T14:05:12.391000Z", &at)
        .replace("2026-11-30T14:00:00.000000Z", &at)
        .into_bytes()
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
    let event = sentry_fixture("sentry_event_alert.json", bot.clock.now());

    // A wrong secret, a body changed after signing, no signature: 401, nothing stored.
    let wrong = hmac_hex("another-secret-0123456789abcdefghijkl", &event);
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

    // The same event delivered again (a replay, or Sentry's retry) changes nothing.
    let again = sentry(&bot, "event_alert", &event, &good).await;
    assert_eq!((again.status, again.body.as_str()), (200, "duplicate\n"));
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
    let critical = sentry_fixture("sentry_metric_alert.json", bot.clock.now());
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

    let headers = [
        ("x-grafana-alerting-signature", signature.as_str()),
        ("x-grafana-alerting-timestamp", now.as_str()),
    ];
    let deliver = || http::post(bot.public, hook, &headers, &body);
    let res = deliver().await;
    assert_eq!(res.status, 200, "{}", res.body);
    let card = card_with(&fake, "MatchmakingQueue").await;
    assert!(card.contains("(Grafana)"), "{card}");
    assert!(card.contains("System: Matchmaking"), "{card}");
    // The same signed request again, within its 5 minutes: a duplicate, nothing changed.
    let res = deliver().await;
    assert_eq!((res.status, res.body.as_str()), (200, "duplicate\n"));

    // An Alertmanager body (version 4) is not Grafana's.
    let am = fixture("alertmanager_firing.json");
    let mut signed_am = now.clone().into_bytes();
    signed_am.push(b':');
    signed_am.extend_from_slice(&am);
    let res = http::post(
        bot.public,
        hook,
        &[
            (
                "x-grafana-alerting-signature",
                &hmac_hex(GRAFANA, &signed_am),
            ),
            ("x-grafana-alerting-timestamp", &now),
        ],
        &am,
    )
    .await;
    assert_eq!(res.status, 422, "{}", res.body);
}

/// Grafana's headers for `body` signed over `timestamp:body`.
fn grafana_signed(at: i64, body: &[u8]) -> (String, String) {
    let ts = at.to_string();
    let mut signed = ts.clone().into_bytes();
    signed.push(b':');
    signed.extend_from_slice(body);
    (hmac_hex(GRAFANA, &signed), ts)
}

#[tokio::test]
async fn grafana_without_a_signed_timestamp_is_refused_and_never_spends_the_senders_budget() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(&fake, dir.path(), start_of_minute(), |s| {
        with_sources(s);
        s.intake.rate_per_minute = 5;
    })
    .await;
    assert!(
        !bot.app.settings.intake.grafana.allow_untimestamped,
        "the default"
    );
    let hook = "/hooks/grafana";
    let body = fixture("grafana_firing.json");
    // Captured requests sent again without their timestamp: the body alone signed, or the
    // secret as bearer credentials. Far more than the sender's budget of the minute.
    let body_only = hmac_hex(GRAFANA, &body);
    for n in 0..30 {
        let res = if n % 2 == 0 {
            http::post(
                bot.public,
                hook,
                &[("x-grafana-alerting-signature", &body_only)],
                &body,
            )
            .await
        } else {
            let credentials = format!("Bearer {GRAFANA}");
            http::post(bot.public, hook, &[("authorization", &credentials)], &body).await
        };
        assert!(
            matches!(res.status, 401 | 429),
            "{n}: {} {}",
            res.status,
            res.body
        );
    }
    assert_eq!(bot.app.db.alert_count().await.expect("count"), 0);
    // Grafana's own alert still gets through.
    let (signature, ts) = grafana_signed(bot.clock.now().timestamp(), &body);
    let res = http::post(
        bot.public,
        hook,
        &[
            ("x-grafana-alerting-signature", &signature),
            ("x-grafana-alerting-timestamp", &ts),
        ],
        &body,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

#[tokio::test]
async fn grafana_without_a_timestamp_is_taken_when_the_operator_allows_it() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s| {
        with_sources(s);
        s.intake.grafana.allow_untimestamped = true;
    })
    .await;
    let body = fixture("grafana_firing.json");
    let res = http::post(
        bot.public,
        "/hooks/grafana",
        &[("x-grafana-alerting-signature", &hmac_hex(GRAFANA, &body))],
        &body,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

async fn incidents(bot: &TestBot) -> usize {
    let guild = bot.app.settings.discord.guild_id;
    let open = bot.app.db.unclosed_incidents(guild).await;
    open.expect("incidents").len()
}

/// A stopped clock at the start of a minute: all requests fall in one minute of the limits.
pub(crate) fn start_of_minute() -> ManualClock {
    let minute = Utc::now().timestamp().div_euclid(60) * 60;
    ManualClock::new(chrono::DateTime::from_timestamp(minute, 0).expect("a time"))
}

#[tokio::test]
async fn a_sentry_delivery_sent_again_after_the_dedup_window_is_a_duplicate_and_declares_nothing() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(&fake, dir.path(), start_of_minute(), |s| {
        with_sources(s);
        s.intake.rate_per_minute = 3;
        s.intake.dedup_window = std::time::Duration::from_secs(10 * 60);
        let rule =
            incident_bot::domain::AutoDeclare::parse("sentry", &["service=auth".to_owned()], "P1")
                .expect("rule");
        s.intake.auto_declare = incident_bot::domain::AutoDeclareRules::new(vec![rule]);
    })
    .await;
    let event = sentry_fixture("sentry_event_alert.json", bot.clock.now());
    let signature = hmac_hex(SENTRY, &event);
    let res = sentry(&bot, "event_alert", &event, &signature).await;
    assert_eq!((res.status, res.body.as_str()), (200, "stored\n"));
    fake.wait_for("the incident channel", STEP, |f| {
        f.channels_under(world::INCIDENTS).len() == 1
    })
    .await;

    // Past the dedup window, within the replay window: the captured bytes, with another
    // (unsigned) timestamp header, change nothing.
    bot.clock.advance(chrono::TimeDelta::minutes(11));
    let res = http::post(
        bot.public,
        "/hooks/sentry",
        &[
            ("sentry-hook-resource", "event_alert"),
            ("sentry-hook-signature", &signature),
            (
                "sentry-hook-timestamp",
                &bot.clock.now().timestamp().to_string(),
            ),
        ],
        &event,
    )
    .await;
    assert_eq!((res.status, res.body.as_str()), (200, "duplicate\n"));
    assert_eq!(bot.app.db.alert_cards().await.expect("cards").len(), 1);
    assert_eq!(incidents(&bot).await, 1);
    // Replays never spend Sentry's budget of the minute (3 here): its next alert is taken.
    for _ in 0..5 {
        let res = sentry(&bot, "event_alert", &event, &signature).await;
        assert_eq!((res.status, res.body.as_str()), (200, "duplicate\n"));
    }
    let next = String::from_utf8(event.clone())
        .expect("utf-8")
        .replace("1170820242", "1170820243")
        .into_bytes();
    let res = sentry(&bot, "event_alert", &next, &hmac_hex(SENTRY, &next)).await;
    assert_eq!((res.status, res.body.as_str()), (200, "stored\n"));
    assert_eq!(bot.app.db.alert_cards().await.expect("cards").len(), 2);

    // Past the replay window the body's own time refuses it.
    bot.clock.advance(chrono::TimeDelta::minutes(50));
    let res = sentry(&bot, "event_alert", &event, &signature).await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(res.body.contains("replay_window"), "{}", res.body);
    assert_eq!(bot.app.db.alert_cards().await.expect("cards").len(), 2);
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
    let template =
        String::from_utf8(sentry_fixture("sentry_event_alert.json", start)).expect("utf-8");
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
