//! Phase 3's evidence: each system's link templates (Sentry, Grafana Explore on the backend
//! logs, any other), filled with detection − 15 min to now and encoded, as link buttons in a
//! message right after the investigation checklist. Ticking a step leaves them alone.

use incident_bot::clock::Clock as _;
use incident_bot::config::{LinkSettings, Settings, SystemSettings};

use crate::support::bot::{spawn_bot_with, world, STEP};
use crate::support::story::{buttons, declare, press, run, run_pm, shows};

const SENTRY: &str = "https://sentry.io/organizations/loh/issues/?project=4&start={from}&end={to}";
const LOKI: &str = r#"https://grafana.loh.game/explore?left={"datasource":"loki","queries":[{"expr":"{filename=~\"/var/log/loh-backend/.*\"}"}],"range":{"from":"{from_ms}","to":"{to_ms}"}}"#;

fn with_links(s: &mut Settings) {
    s.systems.each.insert(
        "Login".to_owned(),
        SystemSettings {
            sentry: Some(SENTRY.to_owned()),
            logs: Some(LOKI.to_owned()),
            links: vec![LinkSettings {
                label: "Login dashboard".into(),
                url: "https://grafana.loh.game/d/login?from={from_ms}&to={to_ms}".into(),
            }],
            ..SystemSettings::default()
        },
    );
}

#[tokio::test]
async fn the_investigation_checklist_is_followed_by_link_buttons_over_the_incidents_time() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_links).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login errors"),
            ("severity", "P1"),
            ("systems", "Login"),
        ],
    )
    .await;
    run(
        &fake,
        world::RESPONDER,
        channel.id,
        "phase",
        &[("to", "investigation")],
    )
    .await;
    let checklist = shows(&fake, channel.id, "the investigation checklist", |m| {
        m.content.starts_with("**Phase 3")
    })
    .await;
    let evidence = shows(&fake, channel.id, "the evidence links", |m| {
        m.content.contains("Evidence for Login")
    })
    .await;
    assert!(evidence.id > checklist.id, "right after the checklist");
    let text = fake.seen(&evidence, bot.clock.now());
    assert!(
        text.starts_with("🔎 Evidence for Login from ")
            && text.ends_with(": each button opens it over that time"),
        "{text}"
    );
    assert!(fake.pings(evidence.id).nobody());

    let links = buttons(&evidence);
    let labels: Vec<&str> = links.iter().filter_map(|b| b["label"].as_str()).collect();
    assert_eq!(labels, ["Sentry", "Logs", "Login dashboard"]);
    for link in &links {
        assert_eq!(link["style"], 5, "{link}");
        assert!(link.get("custom_id").is_none_or(|v| v.is_null()), "{link}");
        let url = link["url"].as_str().expect("a url");
        assert!(url.starts_with("https://"), "{url}");
        assert!(!url.contains(['"', ' ', '{', '}']), "encoded: {url}");
    }
    let sentry = url::Url::parse(links[0]["url"].as_str().unwrap_or_default()).expect("url");
    let start = sentry
        .query_pairs()
        .find(|(k, _)| k == "start")
        .map(|(_, v)| v.into_owned())
        .expect("start");
    let start = chrono::DateTime::parse_from_rfc3339(&start).expect("an RFC 3339 time");
    let record = bot
        .app
        .db
        .incident_by_channel(incident_bot::domain::ChannelId::new(channel.id.get()).expect("id"))
        .await
        .expect("db")
        .expect("incident");
    assert_eq!(
        start.timestamp(),
        (record.incident.detected_at - chrono::TimeDelta::minutes(15)).timestamp(),
        "15 minutes before detection"
    );
    let logs = url::Url::parse(links[1]["url"].as_str().unwrap_or_default()).expect("url");
    let left = logs
        .query_pairs()
        .find(|(k, _)| k == "left")
        .map(|(_, v)| v.into_owned())
        .expect("left");
    let left: serde_json::Value = serde_json::from_str(&left).expect("Grafana's JSON, intact");
    assert_eq!(
        left["queries"][0]["expr"],
        r#"{filename=~"/var/log/loh-backend/.*"}"#
    );

    // Ticking a step edits the checklist alone: the links stay.
    press(&fake, world::RESPONDER, channel.id, "Server logs")
        .await
        .0
        .ack()
        .await;
    fake.wait_for("the links unchanged", STEP, |f| {
        f.message(evidence.id)
            .is_some_and(|m| buttons(&m).len() == 3)
    })
    .await;

    // The post-mortem draft lists them under the timeline.
    run_pm(&fake, world::COMMANDER, channel.id, "draft", &[]).await;
    let post = shows(&fake, channel.id, "the draft", |m| {
        m.attachments.iter().any(|a| a.filename.ends_with(".md"))
    })
    .await;
    let draft = String::from_utf8(post.attachments[0].bytes.clone()).expect("utf-8");
    assert!(
        draft.contains("Evidence, from 15 minutes before detection:\n- Sentry: <https://sentry.io/organizations/loh/issues/?project=4&start="),
        "{draft}"
    );
    assert!(
        draft.contains("\n- Login dashboard: <https://grafana.loh.game/d/login?from="),
        "{draft}"
    );
}
