use super::wire::{severity, Event};
use crate::app::{Page, PageAction, PageLink};
use crate::domain::Severity;

fn page(action: PageAction) -> Page {
    Page {
        action,
        key: "incident-bot-7-1".into(),
        title: "Incident #4 (P0): Login down".into(),
        body: "details".into(),
        severity: Severity::P0,
        security: false,
        links: vec![PageLink {
            href: url::Url::parse("https://discord.com/channels/1/2").expect("a URL"),
            text: "Incident #4 in Discord".into(),
        }],
        tried_before: false,
    }
}

#[test]
fn severities_map_as_the_issue_says() {
    assert_eq!(severity(Severity::P0), "critical");
    assert_eq!(severity(Severity::P1), "error");
    assert_eq!(severity(Severity::P2), "warning");
    assert_eq!(severity(Severity::P3), "info");
}

#[test]
fn a_trigger_carries_its_summary_and_links_and_a_resolve_only_its_key() {
    let trigger = serde_json::to_value(Event::of(&page(PageAction::Trigger), "rk")).expect("JSON");
    assert_eq!(trigger["event_action"], "trigger");
    assert_eq!(trigger["dedup_key"], "incident-bot-7-1");
    assert_eq!(trigger["payload"]["severity"], "critical");
    assert_eq!(
        trigger["links"][0]["href"],
        "https://discord.com/channels/1/2"
    );
    let resolve = serde_json::to_value(Event::of(&page(PageAction::Resolve), "rk")).expect("JSON");
    assert_eq!(resolve["event_action"], "resolve");
    assert!(resolve.get("payload").is_none());
    assert!(resolve.get("links").is_none());
}

#[test]
fn at_most_120_events_a_minute_go_out_per_routing_key() {
    let outbound = super::Outbound::new(crate::metrics::Metrics::new()).expect("a client");
    let settings = crate::config::PagerDutySettings {
        api_base: url::Url::parse("http://127.0.0.1:9/").expect("a URL"),
        timeout: std::time::Duration::from_secs(1),
        users: Default::default(),
        routing_key: None,
        security_routing_key: None,
        webhook_secret: None,
        secrets: Default::default(),
    };
    let pd = super::PagerDuty::new(outbound, settings);
    for n in 0..super::EVENTS_PER_MINUTE {
        assert_eq!(pd.take("key-a"), Ok(()), "event {n}");
    }
    let wait = pd.take("key-a").expect_err("the 121st waits");
    assert!(
        wait > std::time::Duration::ZERO && wait <= std::time::Duration::from_secs(60),
        "{wait:?}"
    );
    assert_eq!(pd.take("key-b"), Ok(()), "another key has its own minute");
}
