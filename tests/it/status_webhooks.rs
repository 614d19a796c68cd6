//! `[[status.webhooks]]`: each public change POSTed to a receiver on loopback that checks the
//! signature (the recipe docs/status-page.md gives) and the body against Statuspage's webhook
//! envelope and v2 incident schema; in order, retried with the same delivery id, never a
//! security incident; a receiver that keeps failing is turned off, reported once, turned back on.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::TimeDelta;
use hmac::{Hmac, KeyInit, Mac};
use incident_bot::clock::Clock as _;
use incident_bot::clock::ManualClock;
use incident_bot::config::{Settings, StatusWebhookSettings};
use serde_json::Value;

use crate::social_mastodon::until;
use crate::support::bot::{spawn_bot_on, spawn_bot_with, world, TestBot, STEP};
use crate::support::fake_discord::FakeDiscord;
use crate::support::fake_service::{Canned, FakeService, Fault, Recorded};
use crate::support::story::{declare, run};

const SECRET: &str = "fan-site-shared-secret-0123456789";

/// A webhook receiver: checks each delivery's signature and body, answers `status` (200
/// unless a test changes it), and keeps what was wrong.
struct Receiver {
    service: FakeService,
    status: Arc<AtomicU16>,
    violations: Arc<Mutex<Vec<String>>>,
    taken: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    async fn start() -> Self {
        let status = Arc::new(AtomicU16::new(200));
        let violations = Arc::new(Mutex::new(Vec::new()));
        let taken = Arc::new(Mutex::new(Vec::new()));
        let (answer, wrong) = (Arc::clone(&status), Arc::clone(&violations));
        let took = Arc::clone(&taken);
        let schemas = Schemas::load();
        let service = FakeService::start(move |r: &Recorded| {
            let found = schemas.check(r);
            let bad_signature = found.iter().any(|v| v.starts_with("signature"));
            wrong.lock().expect("lock").extend(found);
            if bad_signature {
                return Canned::text(401, "bad signature");
            }
            let status = answer.load(Ordering::SeqCst);
            if (200..300).contains(&status) {
                took.lock().expect("lock").push(r.json());
            }
            Canned::text(status, "")
        })
        .await;
        Self {
            service,
            status,
            violations,
            taken,
        }
    }

    fn violations(&self) -> Vec<String> {
        self.violations.lock().expect("lock").clone()
    }

    /// The bodies the receiver took (answered 2xx, or would have: a lost answer), in order.
    fn taken(&self) -> Vec<Value> {
        self.taken.lock().expect("lock").clone()
    }
}

/// The webhook envelope's schema and the Statuspage v2 incident's.
struct Schemas {
    envelope: jsonschema::Validator,
    incident: jsonschema::Validator,
    maintenance: jsonschema::Validator,
}

impl Schemas {
    fn load() -> Self {
        let envelope: Value = serde_json::from_str(include_str!(
            "../fixtures/statuspage-webhook/incident-webhook.schema.json"
        ))
        .expect("the envelope schema parses");
        let v2: Value = serde_json::from_str(include_str!("../fixtures/statuspage-v2.schema.json"))
            .expect("the v2 schema parses");
        let pointed = |def: &str| {
            let mut schema = v2.clone();
            schema["$ref"] = Value::String(format!("#/$defs/{def}"));
            jsonschema::validator_for(&schema).expect("the v2 schema compiles")
        };
        Self {
            envelope: jsonschema::validator_for(&envelope).expect("the envelope compiles"),
            incident: pointed("incident"),
            maintenance: pointed("scheduled_maintenance"),
        }
    }

    /// What is wrong with delivery `r`: its method, headers, signature or body.
    fn check(&self, r: &Recorded) -> Vec<String> {
        let mut out = Vec::new();
        if r.method != "POST" || r.header("content-type") != Some("application/json") {
            out.push(format!(
                "not a JSON POST: {} {:?}",
                r.method,
                r.header("content-type")
            ));
        }
        let (Some(timestamp), Some(signature), Some(_)) = (
            r.header("x-incident-bot-timestamp"),
            r.header("x-incident-bot-signature"),
            r.header("x-incident-bot-delivery"),
        ) else {
            out.push("signature: a header is missing".to_owned());
            return out;
        };
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("a key");
        mac.update(format!("{timestamp}.{}", r.text()).as_bytes());
        let expected = format!("v1={}", hex::encode(mac.finalize().into_bytes()));
        if signature != expected {
            out.push(format!("signature: {signature} is not {expected}"));
        }
        let body = r.json();
        out.extend(
            self.envelope
                .iter_errors(&body)
                .map(|e| format!("envelope: {e}")),
        );
        let item = if body["incident"]["scheduled_for"].is_string() {
            &self.maintenance
        } else {
            &self.incident
        };
        out.extend(
            item.iter_errors(&body["incident"])
                .map(|e| format!("incident: {e} at {}", e.instance_path())),
        );
        out
    }
}

/// One webhook `fans` on `receiver`, turned off after `turn_off_after` failures; P1s announced.
fn on_receiver(
    receiver: &Receiver,
    timeout: Duration,
    turn_off_after: u32,
) -> impl FnOnce(&mut Settings) {
    let url = url::Url::parse(&receiver.service.url()).expect("a url");
    move |s| {
        s.severity.p1.announce = true;
        s.status.webhooks = vec![StatusWebhookSettings {
            name: "fans".to_owned(),
            url,
            timeout,
            turn_off_after,
            secret_in_file: None,
            secret: Some(SECRET.to_owned().into()),
        }];
    }
}

/// Declares a P1 on Login, as a responder.
async fn p1(discord: &FakeDiscord) -> serenity::all::ChannelId {
    declare(
        discord,
        world::RESPONDER,
        &[
            ("title", "Login slow"),
            ("severity", "P1"),
            ("systems", "Login"),
        ],
    )
    .await
    .id
}

async fn update(discord: &FakeDiscord, channel: serenity::all::ChannelId, message: &str) {
    let answer = run(
        discord,
        world::COMMANDER,
        channel,
        "update",
        &[("message", message), ("public", "true")],
    )
    .await;
    assert!(answer.starts_with("Update posted"), "{answer}");
}

fn updates(body: &Value) -> usize {
    body["incident"]["incident_updates"]
        .as_array()
        .map_or(0, Vec::len)
}

fn delivery_ids(service: &FakeService) -> Vec<String> {
    service
        .received()
        .iter()
        .filter_map(|r| r.header("x-incident-bot-delivery").map(str::to_owned))
        .collect()
}

async fn spawn(discord: &FakeDiscord, receiver: &Receiver, turn_off_after: u32) -> TestBot {
    spawn_bot_with(discord, on_receiver(receiver, STEP, turn_off_after)).await
}

#[tokio::test]
async fn a_p1_declared_updated_and_resolved_reaches_the_receiver_signed_and_in_order() {
    let discord = world::fake().start().await;
    let receiver = Receiver::start().await;
    let bot = spawn(&discord, &receiver, 8).await;

    let channel = p1(&discord).await;
    until("the alert", || {
        receiver.taken().iter().any(|b| updates(b) == 1)
    })
    .await;
    update(&discord, channel, "Rolling back the login service").await;
    until("the update", || {
        receiver.taken().iter().any(|b| updates(b) == 2)
    })
    .await;
    run(
        &discord,
        world::COMMANDER,
        channel,
        "resolve",
        &[("root_cause", "A bad deploy"), ("all_clear", "now")],
    )
    .await;
    until("the all-clear", || {
        receiver.taken().iter().any(|b| updates(b) == 3)
    })
    .await;
    bot.settle().await;

    assert_eq!(receiver.violations(), Vec::<String>::new());
    let taken = receiver.taken();
    let seen: Vec<(usize, String)> = taken
        .iter()
        .map(|b| {
            (
                updates(b),
                b["incident"]["status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    // Declared, updated, resolved (the resolution may go out on its own before its all-clear).
    assert!(seen.len() >= 3, "{seen:?}");
    assert_eq!(seen[0], (1, "investigating".to_owned()), "{seen:?}");
    assert_eq!(seen.last(), Some(&(3, "resolved".to_owned())), "{seen:?}");
    assert!(seen.iter().any(|(n, _)| *n == 2), "{seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0].0 <= w[1].0),
        "a later change never overtakes an earlier one: {seen:?}"
    );
    let last = &taken[taken.len() - 1];
    assert_eq!(last["incident"]["id"], "1");
    assert_eq!(last["incident"]["impact"], "major");
    assert_eq!(last["page"]["status_indicator"], "none");
    assert!(
        last["incident"]["incident_updates"][1]["body"]
            .as_str()
            .is_some_and(|b| b.contains("Rolling back the login service")),
        "{last}"
    );
    let ids = delivery_ids(&receiver.service);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "one delivery id per change: {ids:?}"
    );
}

#[tokio::test]
async fn a_security_incident_sends_nothing_to_the_receiver() {
    let discord = world::fake().start().await;
    let receiver = Receiver::start().await;
    let bot = spawn(&discord, &receiver, 8).await;

    let sec = declare(
        &discord,
        world::SECURITY,
        &[
            ("title", "SECRET key leaked"),
            ("severity", "P0"),
            ("kind", "security"),
            ("systems", "Vault"),
        ],
    )
    .await;
    let answer = run(
        &discord,
        world::SECURITY,
        sec.id,
        "update",
        &[("message", "SECRET rotating keys"), ("public", "true")],
    )
    .await;
    assert!(
        answer.starts_with("⛔ Security incidents are never announced to players"),
        "{answer}"
    );
    let me = format!("<@{}>", world::SECURITY);
    run(
        &discord,
        world::SECURITY,
        sec.id,
        "assign",
        &[("role", "commander"), ("user", &me)],
    )
    .await;
    let resolved = run(
        &discord,
        world::SECURITY,
        sec.id,
        "resolve",
        &[("root_cause", "SECRET a leaked key"), ("all_clear", "now")],
    )
    .await;
    assert!(resolved.starts_with("Resolved after"), "{resolved}");
    bot.settle().await;
    // Then an availability incident: its delivery shows the queue got this far.
    p1(&discord).await;
    until("the P1's alert", || !receiver.taken().is_empty()).await;
    bot.settle().await;

    let all: Vec<String> = receiver
        .service
        .received()
        .iter()
        .map(Recorded::text)
        .collect();
    assert!(
        all.iter()
            .all(|b| !b.contains("SECRET") && !b.contains("Vault")),
        "{all:#?}"
    );
    assert!(
        receiver.taken().iter().all(|b| b["incident"]["id"] == "2"),
        "only the availability incident (#2): {all:#?}"
    );
    assert_eq!(receiver.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_5xx_is_retried_with_the_same_delivery_id_and_body() {
    let discord = world::fake().start().await;
    let receiver = Receiver::start().await;
    receiver
        .service
        .fault(Fault::Answer(Canned::text(503, "busy")));
    let bot = spawn(&discord, &receiver, 8).await;

    p1(&discord).await;
    until("the alert", || !receiver.taken().is_empty()).await;
    bot.settle().await;

    let received = receiver.service.received();
    assert_eq!(received.len(), 2, "the 503, then the retry");
    assert_eq!(
        received[0].header("x-incident-bot-delivery"),
        received[1].header("x-incident-bot-delivery")
    );
    assert_eq!(
        received[0].json()["incident"],
        received[1].json()["incident"]
    );
    assert_eq!(receiver.service.acted().len(), 1);
    assert_eq!(receiver.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_429_is_retried_no_sooner_than_its_retry_after() {
    let discord = world::fake().start().await;
    let receiver = Receiver::start().await;
    receiver.service.fault(Fault::Answer(
        Canned::text(429, "slow down").with_header("retry-after", "2"),
    ));
    let bot = spawn(&discord, &receiver, 8).await;

    p1(&discord).await;
    until("the first attempt", || {
        !receiver.service.received().is_empty()
    })
    .await;
    let first = tokio::time::Instant::now();
    until("the retry", || !receiver.taken().is_empty()).await;
    bot.settle().await;

    // The queue's own backoff is 100 ms in tests: only Retry-After makes it wait this long.
    assert!(
        first.elapsed() >= Duration::from_millis(1500),
        "retried after {:?}",
        first.elapsed()
    );
    assert_eq!(receiver.service.received().len(), 2);
    let ids = delivery_ids(&receiver.service);
    assert_eq!(ids[0], ids[1]);
}

#[tokio::test]
async fn a_lost_answer_is_retried_under_the_same_delivery_id() {
    let discord = world::fake().start().await;
    let receiver = Receiver::start().await;
    receiver.service.fault(Fault::LoseAnswer);
    let bot = spawn_bot_with(
        &discord,
        on_receiver(&receiver, Duration::from_millis(500), 8),
    )
    .await;

    p1(&discord).await;
    until("the retry", || receiver.service.acted().len() >= 2).await;
    bot.settle().await;

    let acted = receiver.service.acted();
    assert_eq!(acted.len(), 2, "the lost one, then its retry");
    let ids = delivery_ids(&receiver.service);
    assert!(ids.iter().all(|id| *id == ids[0]), "one id: {ids:?}");
    assert_eq!(acted[0].json()["incident"], acted[1].json()["incident"]);
    assert_eq!(
        receiver.violations(),
        Vec::<String>::new(),
        "the retry is signed and shaped as the first"
    );
}

#[tokio::test]
async fn a_receiver_that_keeps_failing_is_turned_off_reported_once_and_turned_back_on() {
    let discord = world::fake().start().await;
    let receiver = Receiver::start().await;
    receiver.status.store(500, Ordering::SeqCst);
    let bot = spawn(&discord, &receiver, 2).await;

    let channel = p1(&discord).await;
    discord
        .wait_for("the report", STEP, |f| {
            f.messages(world::LOG)
                .iter()
                .any(|m| m.content.contains("status webhook"))
        })
        .await;
    bot.settle().await;
    let tried = receiver.service.received().len();
    assert_eq!(tried, 2, "turned off after 2 failures in a row");
    // Changes while it is off: not sent, not kept for later.
    update(&discord, channel, "Rolling back the login service").await;
    run(
        &discord,
        world::COMMANDER,
        channel,
        "resolve",
        &[("root_cause", "A bad deploy"), ("all_clear", "now")],
    )
    .await;
    // The all-clear is its own job, which may wait a moment behind the update's post.
    discord
        .wait_for("the all-clear", STEP, |f| {
            f.messages(world::ANNOUNCEMENTS)
                .iter()
                .any(|m| m.content.starts_with("✅"))
        })
        .await;
    bot.settle().await;
    assert_eq!(receiver.service.received().len(), tried);

    let reports: Vec<String> = discord
        .seen_in(world::LOG, chrono::Utc::now())
        .into_iter()
        .filter(|l| l.contains("status webhook"))
        .collect();
    assert_eq!(reports.len(), 1, "{reports:#?}");
    assert!(
        reports[0].ends_with(
            "⚠️ The status webhook fans failed 2 times in a row (last: status_webhook is \
             unavailable: 500), so I \
             turned it off: it gets no public changes until it is back on. Tell its owner, and \
             once their receiver answers 2xx again, run incident-bot webhooks --on fans (the \
             receiver then gets the current state of each incident, not what it missed)."
        ),
        "{reports:#?}"
    );

    receiver.status.store(200, Ordering::SeqCst);
    let was_off = incident_bot::app::status_hooks::turn_on(&bot.app.db, "fans", bot.clock.now())
        .await
        .expect("turned on");
    assert!(was_off);
    bot.app.waker.wake();
    until("the current state", || !receiver.taken().is_empty()).await;
    bot.settle().await;
    let taken = receiver.taken();
    assert_eq!(taken.len(), 1, "the current state, not the backlog");
    assert_eq!(updates(&taken[0]), 3, "{}", taken[0]);
    assert_eq!(
        taken[0]["incident"]["status"], "resolved",
        "resolved while it was off: {}",
        taken[0]
    );
    assert_eq!(receiver.violations(), Vec::<String>::new());
    let metrics = crate::support::http::get(bot.http, "/metrics").await.body;
    for line in [
        "incident_bot_status_webhook_deliveries_total{outcome=\"failed\",webhook=\"fans\"} 1",
        "incident_bot_status_webhook_deliveries_total{outcome=\"turned_off\",webhook=\"fans\"} 1",
        "incident_bot_status_webhook_deliveries_total{outcome=\"sent\",webhook=\"fans\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} in:\n{metrics}");
    }
}

#[tokio::test]
async fn a_maintenance_window_scheduled_then_called_off_reaches_the_receiver_as_statuspage_sends_it(
) {
    let discord = world::fake().start().await;
    let receiver = Receiver::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(
        &discord,
        dir.path(),
        ManualClock::running(discord.now()),
        on_receiver(&receiver, STEP, 8),
    )
    .await;
    discord
        .wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    let at = (discord.now() + TimeDelta::hours(2))
        .format("%Y-%m-%d %H:%M")
        .to_string();

    let handle = discord
        .slash(world::COMMANDER)
        .in_channel(world::GENERAL)
        .command("maintenance")
        .sub("schedule")
        .opt_str("systems", "Login")
        .opt_str("start", &at)
        .opt_str("duration", "1h")
        .opt_str("title", "Database upgrade")
        .send()
        .await;
    let answer = handle.reply().await;
    assert!(
        answer.content.starts_with("🛠️ Scheduled"),
        "{}",
        answer.content
    );
    until("the window", || !receiver.taken().is_empty()).await;
    bot.settle().await;

    let window = &receiver.taken()[0]["incident"];
    assert_eq!(window["name"], "Database upgrade");
    assert_eq!(window["impact"], "maintenance");
    assert_eq!(window["status"], "scheduled");
    assert!(window["scheduled_for"].is_string(), "{window}");

    // Called off: the page drops it; the receiver hears it is over.
    let handle = discord
        .slash(world::COMMANDER)
        .in_channel(world::GENERAL)
        .command("maintenance")
        .sub("cancel")
        .send()
        .await;
    let answer = handle.reply().await;
    assert!(!answer.content.starts_with('⛔'), "{}", answer.content);
    until("the cancellation", || receiver.taken().len() == 2).await;
    bot.settle().await;
    let taken = receiver.taken();
    assert_eq!(taken.len(), 2, "{taken:#?}");
    assert_eq!(taken[1]["incident"]["id"], taken[0]["incident"]["id"]);
    assert_eq!(taken[1]["incident"]["status"], "completed");
    assert_eq!(receiver.violations(), Vec::<String>::new());
}
