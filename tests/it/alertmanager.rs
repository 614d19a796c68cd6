//! The real Prometheus Alertmanager (Debian's `prometheus-alertmanager`) on loopback, with the
//! bot's public listener as its webhook receiver: an alert posted to Alertmanager's API becomes
//! a triage card, Declare P1 opens the incident detected when the alert began, and resolving
//! the alert in Alertmanager edits the card. Fails loudly when Alertmanager is not installed.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use incident_bot::config::Settings;
use serde_json::json;

use crate::support::bot::{spawn_bot_with, world, STEP};
use crate::support::chance::free_port;
use crate::support::http;
use crate::support::story::press;

const TOKEN: &str = "the-alertmanager-bearer-token-0123456789";

/// Alertmanager, stopped (and its files removed) when dropped.
struct Alertmanager {
    child: Child,
    addr: std::net::SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary: Debian names it `prometheus-alertmanager`, upstream `alertmanager`.
fn binary() -> &'static str {
    for name in ["prometheus-alertmanager", "alertmanager"] {
        let found = Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        if found {
            return name;
        }
    }
    panic!(
        "Alertmanager is not installed: install Debian's `prometheus-alertmanager` package \
         (tests/run does it); this test never skips"
    );
}

async fn start_alertmanager(webhook: std::net::SocketAddr) -> Alertmanager {
    let dir = tempfile::tempdir().expect("tempdir");
    // A short group_interval: Alertmanager sends a group's resolved notification only at its
    // next group interval (5 min by default).
    let config = format!(
        r#"
route:
  receiver: incident-bot
  group_by: ['alertname']
  group_wait: 100ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: incident-bot
    webhook_configs:
      - url: http://{webhook}/hooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {TOKEN}
"#
    );
    let config_path = dir.path().join("alertmanager.yml");
    std::fs::write(&config_path, config).expect("write the config");
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
    let log = std::fs::File::create(dir.path().join("alertmanager.log")).expect("log");
    let child = Command::new(binary())
        .arg(format!("--config.file={}", config_path.display()))
        .arg(format!(
            "--storage.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address={addr}"))
        // No cluster: nothing but loopback.
        .arg("--cluster.listen-address=")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start Alertmanager");
    let am = Alertmanager {
        child,
        addr,
        _dir: dir,
    };
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        if std::net::TcpStream::connect(addr).is_ok()
            && http::get(addr, "/-/ready").await.status == 200
        {
            return am;
        }
        if tokio::time::Instant::now() > deadline {
            let said = std::fs::read_to_string(am._dir.path().join("alertmanager.log"))
                .unwrap_or_default();
            panic!("Alertmanager never got ready on {addr}:\n{said}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Posts one alert to Alertmanager's API, ending at `ends_at` (none: firing).
async fn post_alert(am: &Alertmanager, starts_at: DateTime<Utc>, ends_at: Option<DateTime<Utc>>) {
    let mut alert = json!({
        "labels": {"alertname": "LoginErrors", "service": "auth", "severity": "page"},
        "annotations": {"summary": "Login error rate above 5%"},
        "startsAt": starts_at.to_rfc3339(),
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=login_errors",
    });
    if let Some(end) = ends_at {
        alert["endsAt"] = json!(end.to_rfc3339());
    }
    let body = serde_json::to_vec(&json!([alert])).expect("json");
    let res = http::post(am.addr, "/api/v2/alerts", &[], &body).await;
    assert_eq!(
        res.status, 200,
        "Alertmanager refused the alert: {}",
        res.body
    );
}

fn with_intake(s: &mut Settings) {
    s.intake.secrets.alertmanager = Some(secrecy::SecretString::from(TOKEN));
    let mut rules = std::collections::BTreeMap::new();
    rules.insert("Login".to_owned(), vec!["service=auth".to_owned()]);
    s.intake.systems = incident_bot::domain::SystemRules::parse(&rules).expect("rules");
}

#[tokio::test]
async fn the_real_alertmanager_posts_a_card_that_declares_and_resolves() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_intake).await;
    let am = start_alertmanager(bot.public).await;

    let starts_at = (Utc::now() - TimeDelta::minutes(7)).trunc_subsecs(0);
    post_alert(&am, starts_at, None).await;
    fake.wait_for("the triage card from Alertmanager", STEP, |f| {
        f.seen_in(world::LOG, Utc::now())
            .iter()
            .any(|l| l.contains("Alert: LoginErrors: Login error rate above 5% (Alertmanager)"))
    })
    .await;
    let line = fake
        .seen_in(world::LOG, Utc::now())
        .into_iter()
        .find(|l| l.contains("LoginErrors"))
        .expect("the card");
    assert!(line.contains("System: Login"), "{line}");
    assert!(line.contains("Seen: 1 time, 1 firing now"), "{line}");

    let (click, card) = press(&fake, world::RESPONDER, world::LOG, "Declare P1").await;
    assert_eq!(click.ack().await.kind, 7, "the card itself changes");
    let cards = bot.app.db.alert_cards().await.expect("cards");
    assert_eq!(cards.len(), 1);
    let incident = cards[0].incident.expect("declared");
    let record = bot
        .app
        .db
        .incident(incident)
        .await
        .expect("db")
        .expect("incident");
    assert_eq!(
        record.incident.detected_at, starts_at,
        "detected when the alert began"
    );
    assert_eq!(record.incident.severity.to_string(), "P1");

    // Resolve it in Alertmanager: at its next group interval it tells the bot, which edits
    // the card.
    post_alert(&am, starts_at, Some(Utc::now().trunc_subsecs(0))).await;
    fake.wait_for("the card edited to resolved", STEP, |f| {
        f.message(card.id)
            .is_some_and(|m| f.seen(&m, Utc::now()).contains("Alert resolved"))
    })
    .await;
    let after = fake.message(card.id).expect("the card");
    let seen = fake.seen(&after, Utc::now());
    assert!(seen.contains("0 firing now"), "{seen}");
    assert!(seen.contains("Incident: #1"), "{seen}");
    let posted = fake
        .messages(world::LOG)
        .into_iter()
        .filter(|m| m.content.contains("(Alertmanager)"))
        .count();
    assert_eq!(posted, 1, "one card for the whole story");
}
