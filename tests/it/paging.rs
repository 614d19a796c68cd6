//! Paging on-call outside Discord: PagerDuty's Events API v2 and ntfy, against fakes that
//! answer as their documents say, and PagerDuty's acknowledgements coming back by webhook.

use chrono::{TimeDelta, Utc};
use hmac::{Hmac, KeyInit, Mac};
use incident_bot::clock::{Clock as _, ManualClock};
use incident_bot::config::{NtfySettings, PagerDutySecrets, PagerDutySettings, Settings};
use incident_bot::domain::IncidentId;
use secrecy::SecretString;
use serde_json::Value;
use sha2::Sha256;

use crate::support::bot::{spawn_bot_on, world, TestBot, STEP};
use crate::support::fake_discord::FakeDiscord;
use crate::support::fake_paging::{FakeNtfy, FakePagerDuty};
use crate::support::fake_service::{Canned, Fault};
use crate::support::http;
use crate::support::story::{answer, answer_fix_check, declare, press, FixCheck};

const ROUTING_KEY: &str = "R0UT1NGKEY0123456789abcdef012345";
const SECURITY_ROUTING_KEY: &str = "SECUR1TYKEY0123456789abcdef01234";
const WEBHOOK_SECRET: &str = "pagerduty-webhook-secret-0123456789abcdef";
const NTFY_TOKEN: &str = "tk_ntfytoken0123456789abcdefghij";
/// The PagerDuty user of the fixture, mapped to the commander.
const PD_USER: &str = "PLH1HKV";

/// A bot paging the fakes, with its own clock, and the fakes.
struct Paging {
    bot: TestBot,
    pd: FakePagerDuty,
    ntfy: FakeNtfy,
    _dir: tempfile::TempDir,
}

async fn spawn(fake: &FakeDiscord, tweak: impl FnOnce(&mut Settings)) -> Paging {
    let pd = FakePagerDuty::start().await;
    let ntfy = FakeNtfy::start(NTFY_TOKEN).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (pd_url, ntfy_url) = (pd.service.url(), ntfy.service.url());
    let bot = spawn_bot_on(fake, dir.path(), ManualClock::running(Utc::now()), |s| {
        let secret = |v: &str| Some(SecretString::from(v));
        let mut users = std::collections::BTreeMap::new();
        users.insert(
            PD_USER.to_owned(),
            incident_bot::domain::UserId::new(world::COMMANDER.get()).expect("an id"),
        );
        s.page_out.pagerduty = Some(PagerDutySettings {
            api_base: url::Url::parse(&pd_url).expect("a URL"),
            timeout: std::time::Duration::from_millis(500),
            users,
            routing_key: None,
            security_routing_key: None,
            webhook_secret: None,
            secrets: PagerDutySecrets {
                routing_key: secret(ROUTING_KEY),
                security_routing_key: secret(SECURITY_ROUTING_KEY),
                webhook_secret: secret(WEBHOOK_SECRET),
            },
        });
        s.page_out.ntfy = Some(NtfySettings {
            url: url::Url::parse(&ntfy_url).expect("a URL"),
            topic: "oncall".into(),
            security_topic: Some("security-oncall".into()),
            timeout: std::time::Duration::from_millis(500),
            token_in_file: None,
            token: secret(NTFY_TOKEN),
        });
        tweak(s);
    })
    .await;
    Paging {
        bot,
        pd,
        ntfy,
        _dir: dir,
    }
}

/// Waits until `cond` holds, failing the test after [`STEP`].
async fn until(what: &str, cond: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + STEP;
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "never saw {what}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn sign(body: &[u8], secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The fixture's acknowledgement of the page under `key`, as event `id`, at the bot's now.
fn acknowledgement(p: &Paging, key: &str, id: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/pagerduty/webhook-v3-incident-acknowledged.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the fixture")).expect("JSON");
    v["event"]["id"] = id.into();
    v["event"]["occurred_at"] = p.bot.clock.now().to_rfc3339().into();
    v["event"]["data"]["incident_key"] = key.into();
    serde_json::to_vec(&v).expect("JSON")
}

async fn deliver(p: &Paging, body: &[u8], signature: &str) -> http::Response {
    http::post(
        p.bot.public,
        "/hooks/pagerduty",
        &[("x-pagerduty-signature", signature)],
        body,
    )
    .await
}

fn the_key(p: &Paging) -> String {
    p.pd.alerts().keys().next().cloned().expect("one alert")
}

async fn timeline(p: &Paging) -> Vec<String> {
    let entries = p
        .bot
        .app
        .db
        .timeline(IncidentId(1))
        .await
        .expect("timeline");
    entries.into_iter().map(|e| e.text).collect()
}

#[tokio::test]
async fn a_p0_pages_pagerduty_and_ntfy_once_hears_who_acknowledged_and_resolves_when_the_fix_held()
{
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
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
    until("the PagerDuty trigger and the ntfy publish", || {
        p.pd.events().len() == 1 && p.ntfy.published().len() == 1
    })
    .await;
    let link = format!(
        "https://discord.com/channels/{}/{}",
        fake.guild_id(),
        channel.id
    );
    let trigger = &p.pd.events()[0];
    assert_eq!(trigger["event_action"], "trigger");
    assert_eq!(trigger["routing_key"], ROUTING_KEY);
    assert_eq!(trigger["payload"]["severity"], "critical");
    assert_eq!(
        trigger["payload"]["summary"],
        "Incident #1 (P0): Login down"
    );
    assert_eq!(trigger["links"][0]["href"], link.as_str());
    let key = the_key(&p);
    assert_eq!(trigger["dedup_key"], key.as_str());
    let published = &p.ntfy.published()[0];
    assert_eq!(published.topic, "oncall");
    assert_eq!(published.priority, "5");
    assert_eq!(published.click.as_deref(), Some(link.as_str()));
    assert_eq!(published.title, "Incident #1 (P0): Login down");
    assert!(
        published.message.contains("affecting Login"),
        "{}",
        published.message
    );

    // The on-call engineer acknowledges in PagerDuty: the timeline names them.
    let body = acknowledgement(&p, &key, "ack-1");
    let answered = deliver(&p, &body, &sign(&body, WEBHOOK_SECRET)).await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    let named = format!("Acknowledged in PagerDuty by <@{}>", world::COMMANDER);
    assert!(
        timeline(&p).await.contains(&named),
        "{:?}",
        timeline(&p).await
    );
    let offer = crate::support::story::shows(&fake, channel.id, "the offer of command", |m| {
        m.content.contains("Acknowledged in PagerDuty")
    })
    .await;
    assert!(
        fake.seen(&offer, p.bot.clock.now())
            .contains("press Take command"),
        "{}",
        offer.content
    );
    assert!(fake.pings(offer.id).nobody(), "the notice pings nobody");
    let (click, _) = press(&fake, world::COMMANDER, channel.id, "Take command").await;
    assert_eq!(click.ack().await.kind, 7, "the offer shows who took it");
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let record = p
            .bot
            .app
            .db
            .incident(IncidentId(1))
            .await
            .expect("db")
            .expect("the incident");
        if record.incident.roles.commander.map(|u| u.get()) == Some(world::COMMANDER.get()) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "Take command made nobody commander"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // Resolve; an hour on, the fix held: the page is resolved under the same key.
    answer(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[("root_cause", "A bad deploy")],
    )
    .await;
    p.bot.clock.advance(TimeDelta::hours(1));
    answer_fix_check(
        &fake,
        world::COMMANDER,
        channel.id,
        FixCheck::Held,
        p.bot.clock.now(),
    )
    .await;
    until("the resolve and the all-clear", || {
        p.pd.events().len() == 2 && p.ntfy.published().len() == 2
    })
    .await;
    assert_eq!(p.pd.events()[1]["event_action"], "resolve");
    assert_eq!(p.pd.alerts()[&key].status, "resolved");
    assert_eq!(p.pd.alerts()[&key].triggers, 1, "one page");
    assert_eq!(
        p.ntfy.published()[1].priority,
        "2",
        "the all-clear is low priority"
    );
    assert!(p.pd.violations().is_empty(), "{:?}", p.pd.violations());
    assert!(p.ntfy.violations().is_empty(), "{:?}", p.ntfy.violations());
}

#[tokio::test]
async fn a_page_whose_answer_was_lost_is_sent_again_under_the_same_key_and_pages_once() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    p.pd.service.fault(Fault::LoseAnswer);
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    until("the lost trigger", || p.pd.service.acted().len() == 1).await;
    // PagerDuty suggests trying again some 30 s later.
    p.bot.settle().await;
    p.bot.clock.advance(TimeDelta::seconds(31));
    until("the retried trigger", || p.pd.service.received().len() == 2).await;
    p.bot.settle().await;
    let keys: Vec<Value> =
        p.pd.events()
            .iter()
            .map(|e| e["dedup_key"].clone())
            .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "the retry carries the same dedup_key");
    assert_eq!(p.pd.alerts().len(), 1);
    assert_eq!(
        p.pd.alerts()[&the_key(&p)].triggers,
        2,
        "one alert, its trigger logged twice"
    );
}

#[tokio::test]
async fn an_acknowledgement_with_a_bad_signature_is_refused_and_writes_nothing() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    until("the trigger", || p.pd.events().len() == 1).await;
    let before = timeline(&p).await;
    let body = acknowledgement(&p, &the_key(&p), "ack-1");
    for signature in [
        sign(&body, "another-secret-0123456789abcdef0123"),
        String::new(),
    ] {
        let refused = deliver(&p, &body, &signature).await;
        assert_eq!(refused.status, 401, "{}", refused.body);
    }
    assert_eq!(timeline(&p).await, before);
    // A rotation signs with both secrets: one good signature among them is enough.
    let both = format!(
        "{},{}",
        sign(&body, "old-secret-0123456789abcdef012345"),
        sign(&body, WEBHOOK_SECRET)
    );
    assert_eq!(deliver(&p, &body, &both).await.status, 200);
}

#[tokio::test]
async fn a_replayed_acknowledgement_changes_nothing() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    until("the trigger", || p.pd.events().len() == 1).await;
    let body = acknowledgement(&p, &the_key(&p), "ack-1");
    let signature = sign(&body, WEBHOOK_SECRET);
    assert_eq!(deliver(&p, &body, &signature).await.body, "acknowledged\n");
    let again = deliver(&p, &body, &signature).await;
    assert_eq!((again.status, again.body.as_str()), (200, "duplicate\n"));
    p.bot.settle().await;
    let acks = timeline(&p)
        .await
        .into_iter()
        .filter(|t| t.starts_with("Acknowledged in PagerDuty"))
        .count();
    assert_eq!(acks, 1);
    let notices = fake
        .messages(channel.id)
        .into_iter()
        .filter(|m| m.content.contains("Acknowledged in PagerDuty"))
        .count();
    assert_eq!(notices, 1);
    // One captured long ago is refused outright.
    let mut old: Value = serde_json::from_slice(&body).expect("JSON");
    old["event"]["id"] = "ack-old".into();
    old["event"]["occurred_at"] = (p.bot.clock.now() - TimeDelta::days(2)).to_rfc3339().into();
    let old = serde_json::to_vec(&old).expect("JSON");
    assert_eq!(
        deliver(&p, &old, &sign(&old, WEBHOOK_SECRET)).await.status,
        400
    );
}

#[tokio::test]
async fn a_security_incident_pages_the_security_on_call_and_says_nothing_of_the_breach() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    declare(
        &fake,
        world::SECURITY,
        &[
            ("title", "Leaked admin key"),
            ("severity", "P0"),
            ("kind", "security"),
            ("systems", "Login"),
        ],
    )
    .await;
    until("the security page", || {
        p.pd.events().len() == 1 && p.ntfy.published().len() == 1
    })
    .await;
    let trigger = &p.pd.events()[0];
    assert_eq!(trigger["routing_key"], SECURITY_ROUTING_KEY);
    assert_eq!(trigger["payload"]["summary"], "Security incident #1 (P0)");
    assert_eq!(p.ntfy.published()[0].topic, "security-oncall");
    assert_eq!(p.ntfy.published()[0].title, "Security incident #1 (P0)");
    let everything: String =
        p.pd.service
            .received()
            .iter()
            .chain(p.ntfy.service.received().iter())
            .map(|r| format!("{:?} {}", r.headers, r.text()))
            .collect();
    for secret in ["Leaked", "admin key", "Login"] {
        assert!(
            !everything.contains(secret),
            "{secret:?} went out: {everything}"
        );
    }
}

#[tokio::test]
async fn a_page_pagerduty_refuses_is_reported_not_retried() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    p.pd.service.fault(Fault::Answer(Canned::json(
        400,
        &serde_json::json!({ "status": "invalid event", "message": "Event object is invalid", "errors": ["Length of 'routing_key' is incorrect (should be 32 characters)"] }),
    )));
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    crate::support::story::shows(&fake, world::LOG, "the report", |m| {
        m.content
            .contains("Gave up on a `page` job for incident #1 after 1 attempt")
    })
    .await;
    p.bot.clock.advance(TimeDelta::minutes(5));
    p.bot.settle().await;
    assert_eq!(p.pd.service.received().len(), 1, "not retried");
}

#[tokio::test]
async fn a_page_pagerduty_throttles_is_tried_again_thirty_seconds_on() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    p.pd.service.fault(Fault::Answer(Canned::json(
        429,
        &serde_json::json!({ "status": "throttle event", "message": "Requests for this service are arriving too quickly. Please retry later." }),
    )));
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    until("the throttled trigger", || {
        p.pd.service.received().len() == 1
    })
    .await;
    p.bot.settle().await;
    assert!(p.pd.alerts().is_empty());
    p.bot.clock.advance(TimeDelta::seconds(31));
    until("the trigger tried again", || p.pd.alerts().len() == 1).await;
    assert_eq!(p.pd.service.received().len(), 2);
}

#[tokio::test]
async fn escalation_inside_discord_stops_once_someone_acknowledged_in_pagerduty() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |s| {
        s.severity.p0.commander_timeout = Some(std::time::Duration::from_secs(300));
    })
    .await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    until("the trigger", || p.pd.events().len() == 1).await;
    let escalation = "Nobody has taken command";
    let escalations = |fake: &FakeDiscord| {
        fake.messages(channel.id)
            .iter()
            .filter(|m| m.content.contains(escalation))
            .count()
    };
    // Unanswered, the first escalation comes at the timeout.
    p.bot.clock.advance(TimeDelta::minutes(6));
    fake.wait_for("the first escalation", STEP, |f| escalations(f) == 1)
        .await;
    let body = acknowledgement(&p, &the_key(&p), "ack-1");
    assert_eq!(
        deliver(&p, &body, &sign(&body, WEBHOOK_SECRET))
            .await
            .status,
        200
    );
    p.bot.settle().await;
    // Acknowledged: the next rounds never come.
    for _ in 0..3 {
        p.bot.clock.advance(TimeDelta::minutes(6));
        p.bot.settle().await;
    }
    assert_eq!(escalations(&fake), 1, "escalation stopped");
}
