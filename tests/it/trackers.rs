//! A ticket per incident on GitHub: opened at declare (its link in the channel), commented on
//! for a severity change and the resolution, closed at close with the summary; two action
//! items exported with their owners; a lost answer, a secondary rate limit and a 429.

use serde_json::json;

use crate::support::bot::{spawn_bot_with, world};
use crate::support::fake_service::{Canned, Fault};
use crate::support::fake_trackers::github::{
    bot_settings as github, FakeGitHub, OPEN, REPO, TOKEN,
};
use crate::support::fake_trackers::wait_until;
use crate::support::story::{answer, declare, run, run_pm, shows};

#[tokio::test]
async fn a_p0_gets_a_github_issue_that_follows_it_to_close_and_its_action_items_are_exported() {
    let gh = FakeGitHub::start(&[(REPO, OPEN)]).await;
    let fake = world::fake().start().await;
    let users = json!({ "repository": REPO, "users": { world::RESPONDER.to_string(): "octocat" } });
    let bot = spawn_bot_with(&fake, github(&gh, TOKEN, users)).await;

    let channel = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P1"),
            ("systems", "Login"),
        ],
    )
    .await;
    wait_until("the issue", || gh.issues().len() == 1).await;
    let issue = &gh.issues()[0];
    assert_eq!(issue.title, "Incident #1: Login down");
    assert_eq!(issue.labels, ["severity:P1", "system:Login"]);
    assert!(
        issue.body.contains(&format!(
            "(<https://discord.com/channels/{}/{}>)",
            fake.guild_id(),
            channel.id
        )),
        "the body links the channel: {}",
        issue.body
    );
    assert!(
        issue.body.contains("/incidents/1>)"),
        "and the status page: {}",
        issue.body
    );
    assert!(
        issue.body.ends_with("<!-- incident-bot:inc-1:ticket -->"),
        "{}",
        issue.body
    );
    let line = shows(&fake, channel.id, "the ticket's link", |m| {
        m.content.contains("Tracked in GitHub")
    })
    .await;
    assert!(
        line.content
            .contains("<https://github.com/studio/incidents/issues/1>"),
        "{}",
        line.content
    );

    run(
        &fake,
        world::COMMANDER,
        channel.id,
        "severity",
        &[("level", "P0"), ("reason", "All regions")],
    )
    .await;
    wait_until("the severity comment", || {
        gh.issues()[0].comments.len() == 1
    })
    .await;
    let comment = &gh.issues()[0].comments[0];
    assert!(
        comment.starts_with("Severity changed from P1 to P0\\.\n\nWhy\\: All regions\n\n<!-- incident-bot:inc-1:ticket:job-"),
        "{comment}"
    );

    run(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[
            ("root_cause", "An expired certificate"),
            ("all_clear", "now"),
        ],
    )
    .await;
    wait_until("the resolution comment", || {
        gh.issues()[0].comments.len() == 2
    })
    .await;
    assert!(gh.issues()[0].comments[1].contains("Root cause\\: An expired certificate"));

    let owner = format!("<@{}>", world::RESPONDER);
    for text in [
        "Alert on certificate expiry",
        "Renew certificates from a runbook",
    ] {
        let kind = if text.starts_with("Alert") {
            "prevent"
        } else {
            "process"
        };
        run_pm(
            &fake,
            world::COMMANDER,
            channel.id,
            "action",
            &[("kind", kind), ("text", text), ("owner", &owner)],
        )
        .await;
    }
    run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "action",
        &[("kind", "fix"), ("text", "Renewed it")],
    )
    .await;
    wait_until("two action items", || gh.issues().len() == 3).await;
    let items: Vec<_> = gh.issues()[1..].to_vec();
    // The two exports are jobs of their own: either may land first.
    let item = |title: &str| {
        items
            .iter()
            .find(|i| i.title == title)
            .cloned()
            .unwrap_or_else(|| panic!("no issue {title}: {items:?}"))
    };
    let prevent = item("Alert on certificate expiry");
    assert_eq!(prevent.assignees, ["octocat"]);
    assert_eq!(prevent.labels, ["postmortem", "action:prevent"]);
    let process = item("Renew certificates from a runbook");
    assert!(
        process.body.contains("incident \\#1\\: Login down"),
        "{}",
        process.body
    );

    // The bot records each ticket once GitHub answered: the draft then lists the links.
    let incident = incident_bot::domain::IncidentId(1);
    for _ in 0..500 {
        if bot.app.db.tickets(incident).await.expect("tickets").len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    run_pm(&fake, world::COMMANDER, channel.id, "draft", &[]).await;
    let draft = shows(&fake, channel.id, "the draft", |m| {
        !m.attachments.is_empty()
    })
    .await;
    let text = String::from_utf8(draft.attachments[0].bytes.clone()).expect("utf-8");
    for link in ["issues/2", "issues/3"] {
        let line = format!(") → https://github.com/studio/incidents/{link}\n");
        assert!(text.contains(&line), "the draft links {link}: {text}");
    }
    let done = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "done",
        &[("link", "https://wiki.example.com/pm/1")],
    )
    .await;
    assert!(!done.contains("no ticket"), "{done}");

    let closed = answer(&fake, world::COMMANDER, channel.id, "close", &[]).await;
    assert!(closed.content.contains("Closed"), "{}", closed.content);
    wait_until("the issue closed", || !gh.issues()[0].open).await;
    let summary = gh.issues()[0].comments.last().cloned().unwrap_or_default();
    assert!(summary.starts_with("Closed\\. Severity P0"), "{summary}");
    assert_eq!(
        gh.issues().len(),
        3,
        "one issue per incident and per action item"
    );
    assert_eq!(gh.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_lost_answer_to_the_create_finds_the_issue_it_made_instead_of_making_a_second() {
    let gh = FakeGitHub::start(&[(REPO, OPEN)]).await;
    // The check at start goes first; then the create acts and its answer is lost.
    gh.service.fault(Fault::Answer(Canned::json(
        200,
        &json!({ "has_issues": true, "private": false }),
    )));
    gh.service.fault(Fault::LoseAnswer);
    let fake = world::fake().start().await;
    let _bot = spawn_bot_with(&fake, github(&gh, TOKEN, json!({ "repository": REPO }))).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store down"), ("severity", "P0")],
    )
    .await;
    shows(&fake, channel.id, "the ticket's link", |m| {
        m.content.contains("Tracked in GitHub")
    })
    .await;
    assert_eq!(gh.issues().len(), 1, "one issue, not two");
    let listed = gh
        .service
        .received()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/issues"))
        .count();
    assert_eq!(listed, 1, "the retry looked for the marker once");
    assert_eq!(gh.violations(), Vec::<String>::new());
}

/// Declares a P0 while GitHub refuses the first create with `refusal`; returns the fake once
/// the ticket's link is in the channel, and how many creates it received.
async fn opened_after(refusal: Canned) -> (FakeGitHub, usize) {
    let gh = FakeGitHub::start(&[(REPO, OPEN)]).await;
    // The set-up check at start goes first.
    let repo = json!({ "has_issues": true, "private": false });
    gh.service.fault(Fault::Answer(Canned::json(200, &repo)));
    gh.service.fault(Fault::Answer(refusal));
    let fake = world::fake().start().await;
    let _bot = spawn_bot_with(&fake, github(&gh, TOKEN, json!({ "repository": REPO }))).await;
    let opts = [("title", "Store down"), ("severity", "P0")];
    let channel = declare(&fake, world::RESPONDER, &opts).await;
    shows(&fake, channel.id, "the ticket's link", |m| {
        m.content.contains("Tracked in GitHub")
    })
    .await;
    let received = gh.service.received();
    let posts = received.iter().filter(|r| r.method == "POST").count();
    (gh, posts)
}

#[tokio::test]
async fn a_secondary_rate_limit_is_waited_out_and_then_the_issue_is_opened() {
    let limit = json!({ "message": "You have exceeded a secondary rate limit" });
    let (gh, posts) = opened_after(Canned::json(403, &limit).with_header("retry-after", "1")).await;
    assert_eq!(gh.issues().len(), 1);
    assert_eq!(posts, 2, "the refused create, then the one after the reset");
}

#[tokio::test]
async fn a_429_is_retried_until_github_takes_the_issue() {
    let reset = (chrono::Utc::now().timestamp() + 1).to_string();
    let slow = Canned::json(429, &json!({ "message": "slow down" }));
    let (gh, posts) = opened_after(slow.with_header("x-ratelimit-reset", &reset)).await;
    assert_eq!(gh.issues().len(), 1);
    assert_eq!(posts, 2, "the refused create, then the one after the reset");
}

#[tokio::test]
async fn a_lost_answer_to_a_comment_finds_the_comment_instead_of_writing_it_twice() {
    let gh = FakeGitHub::start(&[(REPO, OPEN)]).await;
    let fake = world::fake().start().await;
    let _bot = spawn_bot_with(&fake, github(&gh, TOKEN, json!({ "repository": REPO }))).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store down"), ("severity", "P1")],
    )
    .await;
    shows(&fake, channel.id, "the ticket's link", |m| {
        m.content.contains("Tracked in GitHub")
    })
    .await;
    gh.service.fault(Fault::LoseAnswer);
    run(
        &fake,
        world::COMMANDER,
        channel.id,
        "severity",
        &[("level", "P0")],
    )
    .await;
    wait_until("the retry's look at the comments", || {
        gh.service
            .received()
            .iter()
            .any(|r| r.method == "GET" && r.path.ends_with("/comments"))
    })
    .await;
    // Time for a second comment to arrive, were one sent: the next step's comment follows it.
    run(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[("root_cause", "A full disk"), ("all_clear", "now")],
    )
    .await;
    wait_until("the resolution comment", || {
        gh.issues()[0]
            .comments
            .iter()
            .any(|c| c.contains("A full disk"))
    })
    .await;
    let comments = gh.issues()[0].comments.clone();
    assert_eq!(
        comments.len(),
        2,
        "one severity comment, one resolution: {comments:?}"
    );
    assert_eq!(gh.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_reopen_after_the_fix_keeps_the_issue_open_and_says_why_on_it() {
    let gh = FakeGitHub::start(&[(REPO, OPEN)]).await;
    let fake = world::fake().start().await;
    let _bot = spawn_bot_with(&fake, github(&gh, TOKEN, json!({ "repository": REPO }))).await;
    let opts = [("title", "Store slow"), ("severity", "P1")];
    let channel = declare(&fake, world::RESPONDER, &opts).await;
    wait_until("the issue", || gh.issues().len() == 1).await;
    let fixed = [("root_cause", "A cold cache"), ("all_clear", "now")];
    run(&fake, world::COMMANDER, channel.id, "resolve", &fixed).await;
    wait_until("the resolution comment", || {
        gh.issues()[0].comments.len() == 1
    })
    .await;
    let why = [("reason", "Slow again at peak")];
    run(&fake, world::COMMANDER, channel.id, "reopen", &why).await;
    wait_until("the reopen comment", || gh.issues()[0].comments.len() == 2).await;
    let issue = &gh.issues()[0];
    assert!(
        issue.comments[1]
            .starts_with("Reopened\\: Slow again at peak\n\n<!-- incident-bot:inc-1:ticket:job-"),
        "{:?}",
        issue.comments
    );
    assert!(issue.open, "the issue stays open while the work goes on");
    assert_eq!(gh.issues().len(), 1, "no second issue for the reopen");
    assert_eq!(gh.violations(), Vec::<String>::new());
}
