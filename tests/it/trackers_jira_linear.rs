//! The same story on Jira and Linear against their fakes: a ticket at declare, a comment for
//! a severity change, closed at close; two action items exported; a lost
//! answer makes one ticket; a wrong credential is reported with the variable to fix.

use serde_json::json;

use crate::support::bot::{spawn_bot_with, world};
use crate::support::fake_service::{Canned, Fault};
use crate::support::fake_trackers::jira::{self, FakeJira};
use crate::support::fake_trackers::linear::{self, FakeLinear};
use crate::support::fake_trackers::{settings, wait_until, FakeIssue};
use crate::support::graphql::Schema;
use crate::support::story::{declare, run, run_pm, shows};

/// Declares a P1, raises it, resolves it, adds two action items and closes it;
/// `issues` reads the fake's issues.
async fn story(
    fake: &crate::support::fake_discord::FakeDiscord,
    tracker: &str,
    issues: impl Fn() -> Vec<FakeIssue>,
) {
    let channel = declare(
        fake,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P1"),
            ("systems", "Login"),
        ],
    )
    .await;
    shows(fake, channel.id, "the ticket's link", |m| {
        m.content.contains(&format!("Tracked in {tracker}"))
    })
    .await;
    assert_eq!(issues()[0].title, "Incident #1: Login down");
    run(
        fake,
        world::COMMANDER,
        channel.id,
        "severity",
        &[("level", "P0")],
    )
    .await;
    wait_until("the severity comment", || issues()[0].comments.len() == 1).await;
    assert!(
        issues()[0].comments[0].contains("Severity changed from P1 to P0"),
        "{:?}",
        issues()[0].comments
    );
    run(
        fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[
            ("root_cause", "An expired certificate"),
            ("all_clear", "now"),
        ],
    )
    .await;
    let owner = format!("<@{}>", world::RESPONDER);
    for (kind, text) in [
        ("prevent", "Alert on expiry"),
        ("process", "Renew from a runbook"),
    ] {
        run_pm(
            fake,
            world::COMMANDER,
            channel.id,
            "action",
            &[("kind", kind), ("text", text), ("owner", &owner)],
        )
        .await;
    }
    wait_until("two action items", || issues().len() == 3).await;
    // The two exports are jobs of their own: either may land first.
    let all = issues();
    let prevent = all.iter().find(|i| i.title == "Alert on expiry");
    assert_eq!(
        prevent.map(|i| i.assignees.clone()),
        Some(vec!["tracker-user-1".to_owned()])
    );
    run(fake, world::COMMANDER, channel.id, "close", &[]).await;
    wait_until("the ticket closed", || !issues()[0].open).await;
    assert_eq!(
        issues().len(),
        3,
        "one ticket per incident and per action item"
    );
}

fn users() -> serde_json::Value {
    json!({ world::RESPONDER.to_string(): "tracker-user-1" })
}

async fn jira_bot(
    j: &FakeJira,
    token: &str,
) -> (
    crate::support::fake_discord::FakeDiscord,
    crate::support::bot::TestBot,
) {
    let mut tracker = settings(
        "jira",
        &j.service.url(),
        json!({ "project": "OPS", "users": users() }),
    );
    tracker.secrets.token = Some(secrecy::SecretString::from(token.to_owned()));
    tracker.secrets.email = Some(secrecy::SecretString::from(jira::EMAIL.to_owned()));
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, move |s| s.tracker = Some(tracker)).await;
    (fake, bot)
}

async fn linear_bot(
    l: &FakeLinear,
    key: &str,
) -> (
    crate::support::fake_discord::FakeDiscord,
    crate::support::bot::TestBot,
) {
    let mut tracker = settings(
        "linear",
        &l.service.url(),
        json!({ "team": linear::TEAM, "users": users() }),
    );
    tracker.secrets.token = Some(secrecy::SecretString::from(key.to_owned()));
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, move |s| s.tracker = Some(tracker)).await;
    (fake, bot)
}

#[tokio::test]
async fn the_story_on_jira_writes_adf_labels_and_transitions_the_ticket() {
    let j = FakeJira::start(&["OPS"]).await;
    let (fake, _bot) = jira_bot(&j, jira::TOKEN).await;
    story(&fake, "Jira", || j.issues()).await;
    let ticket = &j.issues()[0];
    assert_eq!(
        ticket.labels,
        ["severity-P1", "system-Login", "incident-bot-inc-1-ticket"]
    );
    assert!(ticket.body.contains("\"type\":\"doc\""), "{}", ticket.body);
    assert_eq!(j.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_lost_answer_on_jira_finds_the_issue_by_its_label() {
    let j = FakeJira::start(&["OPS"]).await;
    j.service
        .fault(Fault::Answer(Canned::json(200, &json!({ "key": "OPS" }))));
    j.service.fault(Fault::LoseAnswer);
    let (fake, _bot) = jira_bot(&j, jira::TOKEN).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store down"), ("severity", "P0")],
    )
    .await;
    shows(&fake, channel.id, "the ticket's link", |m| {
        m.content.contains("Tracked in Jira")
    })
    .await;
    assert_eq!(j.issues().len(), 1, "one issue, not two");
    assert_eq!(j.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn wrong_jira_credentials_are_reported_with_both_variables() {
    let j = FakeJira::start(&["OPS"]).await;
    let (fake, _bot) = jira_bot(&j, "wrong").await;
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store down"), ("severity", "P0")],
    )
    .await;
    let report = shows(&fake, world::LOG, "the given-up job", |m| {
        m.content.contains("`ticket` job")
    })
    .await;
    let text = report.content.replace('\\', "");
    assert!(
        text.contains("INCIDENT_BOT_JIRA_EMAIL and INCIDENT_BOT_JIRA_TOKEN"),
        "{text}"
    );
    assert!(j.issues().is_empty());
}

#[tokio::test]
async fn the_story_on_linear_sends_the_key_without_bearer_and_moves_the_ticket_through_states() {
    let l = FakeLinear::start().await;
    let (fake, _bot) = linear_bot(&l, linear::KEY).await;
    story(&fake, "Linear", || l.issues()).await;
    assert!(
        l.issues()[0].body.ends_with("incident-bot:inc-1:ticket"),
        "{}",
        l.issues()[0].body
    );
    assert!(l
        .service
        .received()
        .iter()
        .all(|r| r.header("authorization") == Some(linear::KEY)));
    assert_eq!(l.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_lost_answer_on_linear_finds_the_issue_by_its_marker() {
    let l = FakeLinear::start().await;
    l.service.fault(Fault::Answer(Canned::json(200, &json!({ "data": { "viewer": { "id": "u" }, "team": { "id": linear::TEAM, "key": "ENG" } } }))));
    l.service.fault(Fault::LoseAnswer);
    let (fake, _bot) = linear_bot(&l, linear::KEY).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store down"), ("severity", "P0")],
    )
    .await;
    shows(&fake, channel.id, "the ticket's link", |m| {
        m.content.contains("Tracked in Linear")
    })
    .await;
    assert_eq!(l.issues().len(), 1, "one issue, not two");
    assert_eq!(l.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_bearer_prefixed_linear_key_is_refused_and_reported() {
    let l = FakeLinear::start().await;
    let (fake, _bot) = linear_bot(&l, &format!("Bearer {}", linear::KEY)).await;
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store down"), ("severity", "P0")],
    )
    .await;
    let report = shows(&fake, world::LOG, "the given-up job", |m| {
        m.content.contains("`ticket` job")
    })
    .await;
    assert!(
        report
            .content
            .replace('\\', "")
            .contains("INCIDENT_BOT_LINEAR_KEY"),
        "{}",
        report.content
    );
    assert!(l.issues().is_empty());
}

#[test]
fn every_linear_document_uses_only_what_linears_schema_has() {
    let schema = Schema::fixture("linear/schema.graphql");
    for query in incident_bot::outbound::linear::queries::ALL {
        assert_eq!(
            schema.check(query, &json!({})),
            Vec::<String>::new(),
            "{query}"
        );
    }
    // The checker can fail.
    let bad = "mutation X($input: IssueCreateInput!) { issueCreate(input: $input, nope: 1) { success issue { bogus } } }";
    assert_eq!(
        schema.check(
            bad,
            &json!({ "input": { "teamId": "t", "priorityName": "x" } })
        ),
        [
            "$input: IssueCreateInput has no field priorityName",
            "Mutation.issueCreate has no argument nope",
            "Issue has no field bogus",
        ]
    );
}
