//! What GitHub answers when something is wrong (401, 404, 410) and security incidents: each
//! refusal is given up at once with what to fix, and nothing of a security incident is sent
//! without a private repository. `/postmortem done` waits for the action items' tickets.

use serde_json::json;

use crate::support::bot::{spawn_bot_with, world};
use crate::support::fake_trackers::github::{
    bot_settings as github, FakeGitHub, Repo, OPEN, REPO, TOKEN,
};
use crate::support::fake_trackers::wait_until;
use crate::support::story::{declare, run, run_pm, shows};

/// Declares a P0 with the tracker set to `repo` and token `token`; returns the log channel's
/// report of the given-up ticket job.
async fn given_up(gh: &FakeGitHub, token: &str, repo: &str) -> String {
    let fake = world::fake().start().await;
    let _bot = spawn_bot_with(&fake, github(gh, token, json!({ "repository": repo }))).await;
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store down"), ("severity", "P0")],
    )
    .await;
    let report = shows(&fake, world::LOG, "the given-up ticket job", |m| {
        m.content.contains("`ticket` job")
    })
    .await;
    assert!(gh.issues().is_empty(), "nothing was made");
    // As a person reads it: Discord's escapes gone.
    report.content.replace('\\', "")
}

#[tokio::test]
async fn a_refused_token_is_reported_once_with_the_variable_to_fix() {
    let gh = FakeGitHub::start(&[(REPO, OPEN)]).await;
    let report = given_up(&gh, "ghp_wrong", REPO).await;
    assert!(report.contains("after 1 attempt"), "not retried: {report}");
    assert!(report.contains("INCIDENT_BOT_GITHUB_TOKEN"), "{report}");
}

#[tokio::test]
async fn an_unknown_repository_is_reported_with_the_key_to_fix() {
    let gh = FakeGitHub::start(&[(REPO, OPEN)]).await;
    let report = given_up(&gh, TOKEN, "studio/nope").await;
    assert!(report.contains("no repository studio/nope"), "{report}");
    assert!(report.contains("[tracker] repository"), "{report}");
}

#[tokio::test]
async fn issues_turned_off_in_the_repository_are_reported_with_how_to_turn_them_on() {
    let off = Repo {
        has_issues: false,
        private: false,
    };
    let gh = FakeGitHub::start(&[(REPO, off)]).await;
    let report = given_up(&gh, TOKEN, REPO).await;
    assert!(
        report.contains("issues are turned off in studio/incidents"),
        "{report}"
    );
}

#[tokio::test]
async fn a_security_incident_sends_nothing_without_a_private_repository() {
    let gh = FakeGitHub::start(&[(REPO, OPEN)]).await;
    let fake = world::fake().start().await;
    let _bot = spawn_bot_with(&fake, github(&gh, TOKEN, json!({ "repository": REPO }))).await;
    let sec = declare(
        &fake,
        world::SECURITY,
        &[
            ("title", "Leaked admin key"),
            ("severity", "P0"),
            ("kind", "security"),
        ],
    )
    .await;
    let fixed = [("root_cause", "A leaked key"), ("all_clear", "now")];
    run(&fake, world::SECURITY, sec.id, "resolve", &fixed).await;
    run_pm(
        &fake,
        world::SECURITY,
        sec.id,
        "action",
        &[("kind", "prevent"), ("text", "Rotate keys")],
    )
    .await;
    // A later availability incident's issue shows the queue has run past the security one.
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store down"), ("severity", "P0")],
    )
    .await;
    wait_until("the availability issue", || gh.issues().len() == 1).await;
    assert_eq!(gh.issues()[0].title, "Incident #2: Store down");
    let touched: Vec<String> = gh
        .service
        .received()
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| r.text())
        .collect();
    assert!(
        touched
            .iter()
            .all(|b| !b.contains("Leaked") && !b.contains("Rotate") && !b.contains("inc-1")),
        "nothing of the security incident reached GitHub: {touched:?}"
    );
}

#[tokio::test]
async fn a_security_incident_goes_to_the_private_repository_when_one_is_named() {
    let private = Repo {
        has_issues: true,
        private: true,
    };
    let gh = FakeGitHub::start(&[(REPO, OPEN), ("studio/security", private)]).await;
    let fake = world::fake().start().await;
    let extra = json!({ "repository": REPO, "security_project": "studio/security" });
    let _bot = spawn_bot_with(&fake, github(&gh, TOKEN, extra)).await;
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
    wait_until("the private issue", || gh.issues().len() == 1).await;
    assert_eq!(gh.issues()[0].project, "studio/security");
    assert!(
        !gh.issues()[0].body.contains("/incidents/1"),
        "no status page link"
    );
}

#[tokio::test]
async fn done_refuses_while_an_action_item_has_no_ticket_unless_told() {
    let gh = FakeGitHub::start(&[(REPO, OPEN)]).await;
    let fake = world::fake().start().await;
    let _bot = spawn_bot_with(
        &fake,
        github(&gh, "ghp_wrong", json!({ "repository": REPO })),
    )
    .await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P3")],
    )
    .await;
    let fixed = [("root_cause", "A cold cache"), ("all_clear", "now")];
    run(&fake, world::COMMANDER, channel.id, "resolve", &fixed).await;
    run_pm(&fake, world::RESPONDER, channel.id, "start", &[]).await;
    run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "action",
        &[("kind", "prevent"), ("text", "Cache the store")],
    )
    .await;
    shows(&fake, world::LOG, "the given-up export", |m| {
        m.content.contains("`action_ticket` job")
    })
    .await;
    let link = ("link", "https://wiki.example.com/pm/1");
    let refused = run_pm(&fake, world::RESPONDER, channel.id, "done", &[link]).await;
    assert!(
        refused.contains("1 action item has no ticket in the tracker yet")
            && refused.contains("`without_tickets:True`"),
        "{refused}"
    );
    let done = run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "done",
        &[link, ("without_tickets", "true")],
    )
    .await;
    assert!(!done.contains("no ticket"), "{done}");
}
