//! Paging on-call outside Discord: PagerDuty's Events API v2 and ntfy, against fakes that
//! answer as their documents say, and PagerDuty's acknowledgements coming back by webhook.

use chrono::TimeDelta;
use incident_bot::clock::Clock as _;
use incident_bot::domain::IncidentId;

use crate::support::bot::{world, STEP};
use crate::support::fake_discord::FakeDiscord;
use crate::support::fake_paging::Published;
use crate::support::paging::{
    acknowledgement, deliver, sign, spawn, the_key, timeline, until, ROUTING_KEY,
    SECURITY_ROUTING_KEY, WEBHOOK_SECRET,
};
use crate::support::story::{answer, answer_fix_check, declare, press, FixCheck};

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
async fn a_security_incident_pages_the_security_on_call_and_says_nothing_of_the_breach() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    let channel = declare(
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
    // Exactly what went out: the number, the severity and the private channel's link.
    let link = format!(
        "https://discord.com/channels/{}/{}",
        fake.guild_id(),
        channel.id
    );
    let key = the_key(&p);
    assert_eq!(
        p.pd.events(),
        vec![serde_json::json!({
            "routing_key": SECURITY_ROUTING_KEY,
            "event_action": "trigger",
            "dedup_key": key,
            "payload": {
                "summary": "Security incident #1 (P0)",
                "severity": "critical",
                "source": "incident-bot",
            },
            "client": "incident-bot",
            "links": [{ "href": link, "text": "Incident #1 in Discord" }],
        })]
    );
    assert_eq!(
        p.ntfy.published(),
        vec![Published {
            topic: "security-oncall".into(),
            title: "Security incident #1 (P0)".into(),
            priority: "5".into(),
            tags: format!("rotating_light,p0,{key}-trigger"),
            click: Some(link),
            message: "A P0 security incident was declared. Its details are only in its private \
                      Discord channel."
                .into(),
        }]
    );
    assert_eq!(p.pd.alerts()[&key].routing_key, SECURITY_ROUTING_KEY);
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

#[tokio::test]
async fn a_rise_to_p0_and_a_reopen_after_the_fix_page_anew_under_new_keys() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |_| {}).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P1")],
    )
    .await;
    until("the P1 page", || {
        p.pd.events().len() == 1 && p.ntfy.published().len() == 1
    })
    .await;
    assert_eq!(p.pd.events()[0]["payload"]["severity"], "error");
    assert_eq!(p.ntfy.published()[0].priority, "4");
    let first = the_key(&p);

    answer(
        &fake,
        world::COMMANDER,
        channel.id,
        "severity",
        &[("level", "P0"), ("reason", "all regions")],
    )
    .await;
    until("the P0 page and the first one resolved", || {
        p.pd.alerts().len() == 2 && p.ntfy.published().len() == 2
    })
    .await;
    let alerts = p.pd.alerts();
    let second = alerts
        .keys()
        .find(|k| **k != first)
        .cloned()
        .expect("a new key");
    assert_eq!(alerts[&second].status, "triggered");
    until("the first page resolved", || {
        p.pd.alerts()[&first].status == "resolved"
    })
    .await;
    assert_eq!(p.ntfy.published()[1].priority, "5");
    assert!(
        timeline(&p).await.iter().any(|t| t.contains("Raised to P0 while on-call was paged outside Discord: paged anew")),
        "{:?}",
        timeline(&p).await
    );

    answer(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[("root_cause", "cache"), ("all_clear", "now")],
    )
    .await;
    until("the P0 page resolved", || {
        p.pd.alerts()[&second].status == "resolved"
    })
    .await;
    answer(
        &fake,
        world::COMMANDER,
        channel.id,
        "reopen",
        &[("reason", "slow again")],
    )
    .await;
    until("a third page", || p.pd.alerts().len() == 3).await;
    let third =
        p.pd.alerts()
            .into_iter()
            .find(|(k, _)| *k != first && *k != second)
            .expect("a third key");
    assert_eq!(third.1.status, "triggered");
    assert!(
        p.pd.alerts().values().all(|a| a.triggers == 1),
        "each key triggered once"
    );
}

#[tokio::test]
async fn a_security_incident_pages_nobody_outside_discord_when_no_security_target_is_set() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |s| {
        if let Some(pd) = s.page_out.pagerduty.as_mut() {
            pd.secrets.security_routing_key = None;
        }
        if let Some(ntfy) = s.page_out.ntfy.as_mut() {
            ntfy.security_topic = None;
        }
    })
    .await;
    declare(
        &fake,
        world::SECURITY,
        &[
            ("title", "Leaked admin key"),
            ("severity", "P0"),
            ("kind", "security"),
        ],
    )
    .await;
    p.bot.settle().await;
    p.bot.clock.advance(TimeDelta::minutes(1));
    p.bot.settle().await;
    assert!(
        p.pd.service.received().is_empty(),
        "not the general on-call"
    );
    assert!(
        p.ntfy.service.received().is_empty(),
        "not the general topic"
    );
    // An availability incident still pages the on-call.
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    until("the on-call's page", || {
        p.pd.events().len() == 1 && p.ntfy.published().len() == 1
    })
    .await;
    assert_eq!(p.pd.events()[0]["routing_key"], ROUTING_KEY);
    assert_eq!(p.ntfy.published()[0].topic, "oncall");
}

#[tokio::test]
async fn a_raise_short_of_p0_is_said_on_the_timeline_keeps_the_open_page_and_pages_what_it_adds() {
    let fake = world::fake().start().await;
    let p = spawn(&fake, |s| {
        s.severity.p2.page_out = Some(vec![incident_bot::config::PageService::PagerDuty]);
    })
    .await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P2")],
    )
    .await;
    until("the P2 page", || p.pd.events().len() == 1).await;
    answer(
        &fake,
        world::COMMANDER,
        channel.id,
        "severity",
        &[("level", "P1"), ("reason", "more regions")],
    )
    .await;
    // P1 pages ntfy too (the default): it is paged now, in the same round.
    until("the ntfy page", || p.ntfy.published().len() == 1).await;
    p.bot.settle().await;
    let said = "Raised to P1 while on-call was paged outside Discord: the open page stays as it \
                is, and ntfy is paged too";
    assert!(
        timeline(&p).await.iter().any(|t| t == said),
        "{:?}",
        timeline(&p).await
    );
    assert_eq!(p.pd.events().len(), 1, "no second PagerDuty event");
    assert_eq!(p.ntfy.published()[0].priority, "4");
    assert!(p.ntfy.published()[0]
        .tags
        .ends_with("incident-bot-1-1-trigger"));
}
