//! A bot paging fake PagerDuty and ntfy servers, and PagerDuty's signed acknowledgements.

use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use incident_bot::clock::{Clock as _, ManualClock};
use incident_bot::config::{NtfySettings, PagerDutySecrets, PagerDutySettings, Settings};
use incident_bot::domain::IncidentId;
use secrecy::SecretString;
use serde_json::Value;
use sha2::Sha256;

use super::bot::{spawn_bot_on, world, TestBot, STEP};
use super::fake_discord::FakeDiscord;
use super::fake_paging::{FakeNtfy, FakePagerDuty};
use super::http;

/// The on-call service's routing key.
pub const ROUTING_KEY: &str = "R0UT1NGKEY0123456789abcdef012345";
/// The security on-call's routing key.
pub const SECURITY_ROUTING_KEY: &str = "SECUR1TYKEY0123456789abcdef01234";
/// The webhook subscription's signing secret.
pub const WEBHOOK_SECRET: &str = "pagerduty-webhook-secret-0123456789abcdef";
/// The ntfy access token.
pub const NTFY_TOKEN: &str = "tk_ntfytoken0123456789abcdefghij";
/// The PagerDuty user of the fixture, mapped to the commander.
pub const PD_USER: &str = "PLH1HKV";

/// A bot paging the fakes, with its own clock, and the fakes.
pub struct Paging {
    /// The bot.
    pub bot: TestBot,
    /// Its PagerDuty.
    pub pd: FakePagerDuty,
    /// Its ntfy.
    pub ntfy: FakeNtfy,
    _dir: tempfile::TempDir,
}

/// Starts the fakes and a bot paging them, on a clock of its own; `tweak` adjusts the settings.
pub async fn spawn(fake: &FakeDiscord, tweak: impl FnOnce(&mut Settings)) -> Paging {
    let pd = FakePagerDuty::start().await;
    let ntfy = FakeNtfy::start(NTFY_TOKEN).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (pd_url, ntfy_url) = (pd.service.url(), ntfy.service.url());
    let bot = spawn_bot_on(fake, dir.path(), ManualClock::running(Utc::now()), |s| {
        configure(s, &pd_url, &ntfy_url);
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

/// Sets `[page_out]` to page the fake PagerDuty at `pd_url` and the fake ntfy at `ntfy_url`,
/// with the secrets of the fixtures and [`PD_USER`] mapped to the commander.
pub fn configure(s: &mut Settings, pd_url: &str, ntfy_url: &str) {
    let secret = |v: &str| Some(SecretString::from(v));
    let mut users = std::collections::BTreeMap::new();
    users.insert(
        PD_USER.to_owned(),
        incident_bot::domain::UserId::new(world::COMMANDER.get()).expect("an id"),
    );
    s.page_out.pagerduty = Some(PagerDutySettings {
        api_base: url::Url::parse(pd_url).expect("a URL"),
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
        url: url::Url::parse(ntfy_url).expect("a URL"),
        topic: "oncall".into(),
        security_topic: Some("security-oncall".into()),
        timeout: std::time::Duration::from_millis(500),
        token_in_file: None,
        token: secret(NTFY_TOKEN),
    });
}

/// Waits until `cond` holds, failing the test after [`STEP`].
pub async fn until(what: &str, cond: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + STEP;
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "never saw {what}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// `X-PagerDuty-Signature` of `body` under `secret`.
pub fn sign(body: &[u8], secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The fixture's acknowledgement of the page under `key`, as event `id`, at the bot's now.
pub fn acknowledgement(p: &Paging, key: &str, id: &str) -> Vec<u8> {
    acknowledgement_at(p.bot.clock.now(), key, id)
}

/// The fixture's acknowledgement of the page under `key`, as event `id`, occurred `at`.
pub fn acknowledgement_at(at: chrono::DateTime<Utc>, key: &str, id: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/pagerduty/webhook-v3-incident-acknowledged.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the fixture")).expect("JSON");
    v["event"]["id"] = id.into();
    v["event"]["occurred_at"] = at.to_rfc3339().into();
    v["event"]["data"]["incident_key"] = key.into();
    serde_json::to_vec(&v).expect("JSON")
}

/// Posts `body` to `/hooks/pagerduty` with `signature`.
pub async fn deliver(p: &Paging, body: &[u8], signature: &str) -> http::Response {
    deliver_to(p.bot.public, body, signature).await
}

/// Posts `body` to `/hooks/pagerduty` of the public listener at `public` with `signature`.
pub async fn deliver_to(
    public: std::net::SocketAddr,
    body: &[u8],
    signature: &str,
) -> http::Response {
    http::post(
        public,
        "/hooks/pagerduty",
        &[("x-pagerduty-signature", signature)],
        body,
    )
    .await
}

/// The dedup key of the one alert PagerDuty holds.
pub fn the_key(p: &Paging) -> String {
    p.pd.alerts().keys().next().cloned().expect("one alert")
}

/// The texts of incident 1's timeline.
pub async fn timeline(p: &Paging) -> Vec<String> {
    let entries = p
        .bot
        .app
        .db
        .timeline(IncidentId(1))
        .await
        .expect("timeline");
    entries.into_iter().map(|e| e.text).collect()
}
