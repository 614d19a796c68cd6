//! Runbook actions end to end: `/incident run` and a bound checklist step, through the real
//! client, against a signed webhook target, a fake GitHub checked against GitHub's published
//! description, and a fake GitLab; what each answer becomes on the timeline and in the channel;
//! and the run whose answer never came, which is asked about, never sent again on its own.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use incident_bot::clock::ManualClock;
use incident_bot::domain::{
    ChecklistItem, EntryKind, IncidentId, RunState, RunbookAction, StepId, StepLabel, StepText,
};
use serde_json::{json, Value};
use serenity::all::ChannelId as SerenityChannel;
use sha2::Sha256;

use crate::support::bot::{spawn_bot_on, spawn_bot_with, world, TestBot};
use crate::support::fake_discord::{FakeDiscord, FakeMessage};
use crate::support::fake_github_actions::{FakeGithubActions, Workflow};
use crate::support::fake_gitlab::FakeGitlab;
use crate::support::fake_service::{Canned, FakeService, Fault, Recorded};
use crate::support::story::{button_labelled, button_labels, declare, press, run, shows};

fn action(v: Value) -> RunbookAction {
    serde_json::from_value(v).expect("an action")
}

/// A bot with `actions`, the first bound to a triage step "DB snapshot".
async fn bot(fake: &FakeDiscord, actions: Vec<RunbookAction>) -> TestBot {
    spawn_bot_with(fake, move |s| {
        let bound = actions.first().map(|a| a.id.clone());
        s.actions = actions;
        s.checklists.triage.push(ChecklistItem {
            id: StepId::parse("snapshot").expect("id"),
            label: StepLabel::parse("DB snapshot").expect("label"),
            text: StepText::parse("Take database snapshots before changes").expect("text"),
            group: None,
            severities: None,
            action: bound,
        });
    })
    .await
}

async fn incident(bot: &TestBot, channel: SerenityChannel) -> IncidentId {
    let id = incident_bot::domain::ChannelId::new(channel.get()).expect("id");
    bot.app
        .db
        .incident_by_channel(id)
        .await
        .expect("db")
        .expect("an incident")
        .id
}

/// The text of the newest action entry on incident `id`'s timeline.
async fn last_action_entry(bot: &TestBot, id: IncidentId) -> String {
    let timeline = bot.app.db.timeline(id).await.expect("timeline");
    timeline
        .into_iter()
        .rev()
        .find(|e| e.kind == EntryKind::Action)
        .expect("an entry")
        .text
}

/// Declares the P1 "Login down" as the responder; returns its channel.
async fn login_down(fake: &FakeDiscord) -> crate::support::fake_discord::FakeChannel {
    declare(
        fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P1")],
    )
    .await
}

/// Runs `/incident run action:<id>` as the responder; returns the answer.
async fn run_action(fake: &FakeDiscord, channel: SerenityChannel, id: &str) -> String {
    run(fake, world::RESPONDER, channel, "run", &[("action", id)]).await
}

/// The newest message of `channel` about the action, once it says `what`.
async fn said(fake: &FakeDiscord, channel: SerenityChannel, what: &str) -> FakeMessage {
    shows(fake, channel, what, |m| m.content.contains(what)).await
}

/// A webhook target that answers 202 with a small JSON body.
async fn target() -> FakeService {
    FakeService::start(|_| Canned::json(202, &json!({ "snapshot": "db-2026-11-30" }))).await
}

fn webhook(url: &str, secret_var: &str) -> RunbookAction {
    action(json!({
        "id": "snapshot-db",
        "label": "Snapshot the database",
        "url": format!("{url}hooks/snapshot"),
        "confirm": false,
        "timeout": "1s",
        "secret": format!("env:{secret_var}"),
        "body": r#"{"database": "main", "title": "{{incident.title}}", "incident": {{incident.number}}, "systems": {{json incident.systems}}, "by": "{{by}}"}"#,
    }))
}

fn verify(secret: &str, request: &Recorded) -> bool {
    let (Some(ts), Some(sig)) = (
        request.header("x-incident-bot-timestamp"),
        request.header("x-incident-bot-signature"),
    ) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("a key");
    mac.update(format!("{ts}.").as_bytes());
    mac.update(&request.body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    sig == expected
}

#[tokio::test]
async fn a_signed_webhook_carries_its_run_id_a_verifiable_signature_and_a_hostile_title_as_text() {
    std::env::set_var(
        "INCIDENT_BOT_TEST_ACTION_SECRET_A",
        "s3cret-for-the-receiver",
    );
    let fake = world::fake().start().await;
    let ops = target().await;
    let bot = bot(
        &fake,
        vec![webhook(&ops.url(), "INCIDENT_BOT_TEST_ACTION_SECRET_A")],
    )
    .await;
    let title = r#"Login "down", "admin": true } \ <@&1>"#;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", title), ("severity", "P1"), ("systems", "Login")],
    )
    .await;

    let answer = run_action(&fake, channel.id, "snapshot-db").await;
    assert!(answer.contains("is on its way"), "{answer}");
    let result = said(&fake, channel.id, "ran**").await;

    let received = ops.received();
    assert_eq!(received.len(), 1);
    let call = &received[0];
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", "/hooks/snapshot")
    );
    let id = incident(&bot, channel.id).await;
    let runs = bot.app.db.action_runs(id).await.expect("runs");
    assert_eq!(runs[0].state, RunState::Succeeded);
    assert_eq!(call.header("idempotency-key"), Some(runs[0].key.as_str()));
    let body = call.json();
    assert_eq!(body["title"], title, "the title stays one string");
    assert_eq!(body.get("admin"), None);
    assert_eq!(body["run_id"], runs[0].key.as_str());
    assert_eq!(body["systems"], json!(["Login"]));
    assert!(
        verify("s3cret-for-the-receiver", call),
        "the receiver can check the signature"
    );
    assert!(!verify("another secret", call));
    let text = fake.seen(&result, chrono::Utc::now());
    let pings = fake.pings(result.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(text.contains("HTTP 202"), "{text}");
    assert!(
        result.content.contains("db-2026-11-30"),
        "the answer's first characters: {}",
        result.content
    );
    assert!(fake.pings(result.id).nobody());
    let counted = bot.app.metrics.outbound_requests.get(&["webhook", "ok"]);
    assert_eq!(counted, 1.0, "metered per service and outcome");
}

#[tokio::test]
async fn pressing_a_bound_step_asks_first_then_dispatches_the_github_workflow_and_ticks_the_step() {
    std::env::set_var("INCIDENT_BOT_TEST_GITHUB_TOKEN_B", "ghp_right");
    let fake = world::fake().start().await;
    let github = FakeGithubActions::start(
        "ghp_right",
        vec![Workflow {
            repo: "studio/ops",
            file: "snapshot.yml",
            inputs: &["database", "incident", "run_id"],
        }],
    )
    .await;
    let workflow = action(json!({
        "id": "snapshot-db",
        "label": "Snapshot the database",
        "kind": "github_workflow",
        "api_base": github.service.url(),
        "owner": "studio", "repo": "ops", "workflow": "snapshot.yml", "ref": "main",
        "inputs": { "database": "main", "incident": "{{incident.number}}" },
        "token": "env:INCIDENT_BOT_TEST_GITHUB_TOKEN_B",
    }));
    let bot = bot(&fake, vec![workflow]).await;
    let channel = login_down(&fake).await;

    // The checklist is posted right after the intro: wait for its button.
    shows(&fake, channel.id, "the triage checklist", |m| {
        button_labels(m).iter().any(|l| l == "DB snapshot")
    })
    .await;
    let (click, _) = press(&fake, world::RESPONDER, channel.id, "DB snapshot").await;
    assert_eq!(
        click.ack().await.kind,
        4,
        "a question only the presser sees"
    );
    let question = click.reply().await;
    assert_eq!(question.flags & 64, 64);
    assert!(
        question
            .content
            .contains("Run “Snapshot the database” for incident #1?"),
        "{}",
        question.content
    );
    assert!(
        question
            .content
            .contains("the GitHub workflow snapshot.yml of studio/ops"),
        "{}",
        question.content
    );
    assert!(
        github.service.received().is_empty(),
        "nothing runs before the confirmation"
    );

    let run_it = button_labelled(&question, "Run it");
    let confirmed = fake
        .button(world::RESPONDER, question.id, &run_it)
        .send()
        .await;
    assert_eq!(
        confirmed.ack().await.kind,
        7,
        "the question becomes the answer"
    );
    said(&fake, channel.id, "ran**").await;

    assert_eq!(github.violations(), Vec::<String>::new());
    let dispatched = github.dispatched();
    assert_eq!(dispatched.len(), 1);
    let id = incident(&bot, channel.id).await;
    let key = bot.app.db.action_runs(id).await.expect("runs")[0]
        .key
        .clone();
    assert_eq!(
        dispatched[0],
        json!({ "ref": "main", "inputs": { "database": "main", "incident": "1", "run_id": key } })
    );
    let ticks = bot.app.db.ticks(id).await.expect("ticks");
    assert_eq!(
        ticks.iter().map(|t| t.step.as_str()).collect::<Vec<_>>(),
        ["snapshot"]
    );

    // The checklist was drawn before the action ticked its step: a press on it redraws it,
    // and neither runs the action again nor undoes a tick nobody saw.
    let (again, _) = press(&fake, world::RESPONDER, channel.id, "DB snapshot").await;
    assert_eq!(again.ack().await.kind, 7);
    shows(&fake, channel.id, "the redrawn checklist", |m| {
        button_labels(m).iter().any(|l| l == "✓ DB snapshot")
    })
    .await;
    assert_eq!(bot.app.db.ticks(id).await.expect("ticks").len(), 1);
    assert_eq!(github.dispatched().len(), 1);
}

#[tokio::test]
async fn github_refusing_the_token_or_an_undeclared_input_is_a_failure_that_says_what_came_back() {
    std::env::set_var("INCIDENT_BOT_TEST_GITHUB_TOKEN_C", "ghp_wrong");
    let fake = world::fake().start().await;
    let github = FakeGithubActions::start(
        "ghp_right",
        vec![Workflow {
            repo: "studio/ops",
            file: "smoke.yml",
            inputs: &["target"],
        }],
    )
    .await;
    let smoke = action(json!({
        "id": "smoke", "label": "Smoke tests", "kind": "github_workflow", "confirm": false,
        "api_base": github.service.url(), "owner": "studio", "repo": "ops",
        "workflow": "smoke.yml", "ref": "main", "inputs": { "target": "prod" },
        "token": "env:INCIDENT_BOT_TEST_GITHUB_TOKEN_C",
    }));
    let bot = bot(&fake, vec![smoke]).await;
    let channel = login_down(&fake).await;

    run_action(&fake, channel.id, "smoke").await;
    let refused = said(&fake, channel.id, "HTTP 401").await;
    let text = fake.seen(&refused, chrono::Utc::now());
    let pings = fake.pings(refused.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(text.contains("” failed, asked by"), "{text}");
    assert!(text.contains("Bad credentials"), "{text}");

    // The right token, and a workflow that does not declare `run_id`: GitHub refuses it.
    std::env::set_var("INCIDENT_BOT_TEST_GITHUB_TOKEN_C", "ghp_right");
    run_action(&fake, channel.id, "smoke").await;
    let undeclared = said(&fake, channel.id, "HTTP 422").await;
    let text = fake.seen(&undeclared, chrono::Utc::now());
    let pings = fake.pings(undeclared.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(text.contains("Unexpected inputs provided"), "{text}");
    assert!(github.dispatched().is_empty());
    let id = incident(&bot, channel.id).await;
    let runs = bot.app.db.action_runs(id).await.expect("runs");
    assert_eq!(
        runs.iter().map(|r| (r.state, r.status)).collect::<Vec<_>>(),
        [(RunState::Failed, Some(401)), (RunState::Failed, Some(422))]
    );
    assert_eq!(
        github.service.received().len(),
        2,
        "a refusal is never retried on its own"
    );
}

#[tokio::test]
async fn a_gitlab_pipeline_is_triggered_with_its_token_and_the_run_id_as_a_variable() {
    std::env::set_var("INCIDENT_BOT_TEST_GITLAB_TRIGGER_D", "glptt-right");
    let fake = world::fake().start().await;
    let gitlab = FakeGitlab::start("studio/ops", "glptt-right").await;
    let scale = action(json!({
        "id": "scale-up", "label": "Scale up", "kind": "gitlab_pipeline", "confirm": false,
        "api_base": format!("{}api/v4", gitlab.service.url()), "project": "studio/ops",
        "ref": "main", "variables": { "SEVERITY": "{{incident.severity}}", "BY": "{{by}}" },
        "token": "env:INCIDENT_BOT_TEST_GITLAB_TRIGGER_D",
    }));
    let bot = bot(&fake, vec![scale]).await;
    let channel = login_down(&fake).await;

    run_action(&fake, channel.id, "scale-up").await;
    let result = said(&fake, channel.id, "ran**").await;
    let text = fake.seen(&result, chrono::Utc::now());
    let pings = fake.pings(result.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(text.contains("HTTP 201"), "{text}");
    assert_eq!(gitlab.violations(), Vec::<String>::new());
    let pipelines = gitlab.pipelines();
    assert_eq!(pipelines.len(), 1);
    assert_eq!(
        gitlab.service.received()[0].path,
        "/api/v4/projects/studio%2Fops/trigger/pipeline"
    );
    let id = incident(&bot, channel.id).await;
    let key = bot.app.db.action_runs(id).await.expect("runs")[0]
        .key
        .clone();
    assert_eq!(
        pipelines[0]["variables"]["INCIDENT_BOT_RUN_ID"],
        key.as_str()
    );
    assert_eq!(pipelines[0]["variables"]["SEVERITY"], "P1");
    assert_eq!(pipelines[0]["ref"], "main");
}

#[tokio::test]
async fn a_500_is_reported_with_what_came_back_and_not_sent_again() {
    std::env::set_var("INCIDENT_BOT_TEST_ACTION_SECRET_E", "another-secret");
    let fake = world::fake().start().await;
    let ops = target().await;
    ops.fault(Fault::Answer(Canned::text(
        500,
        "snapshot failed: disk full",
    )));
    let bot = bot(
        &fake,
        vec![webhook(&ops.url(), "INCIDENT_BOT_TEST_ACTION_SECRET_E")],
    )
    .await;
    let channel = login_down(&fake).await;

    run_action(&fake, channel.id, "snapshot-db").await;
    let failed = said(&fake, channel.id, "failed**").await;
    let text = fake.seen(&failed, chrono::Utc::now());
    let pings = fake.pings(failed.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(text.contains("HTTP 500"), "{text}");
    assert!(text.contains("snapshot failed: disk full"), "{text}");
    bot.settle().await;
    assert_eq!(
        ops.received().len(),
        1,
        "a failure is said, not retried behind people's backs"
    );
    let counted = bot
        .app
        .metrics
        .outbound_requests
        .get(&["webhook", "unavailable"]);
    assert_eq!(counted, 1.0);
    let id = incident(&bot, channel.id).await;
    assert!(
        bot.app.db.ticks(id).await.expect("ticks").is_empty(),
        "a failure ticks nothing"
    );
    let last = last_action_entry(&bot, id).await;
    assert!(
        last.starts_with("“Snapshot the database” failed: HTTP 500"),
        "{last}"
    );
}

#[tokio::test]
async fn a_timeout_asks_whether_it_ran_and_it_ran_records_it_without_sending_again() {
    std::env::set_var("INCIDENT_BOT_TEST_ACTION_SECRET_F", "another-secret");
    let fake = world::fake().start().await;
    let ops = target().await;
    ops.fault(Fault::Stall(Duration::from_secs(3)));
    let bot = bot(
        &fake,
        vec![webhook(&ops.url(), "INCIDENT_BOT_TEST_ACTION_SECRET_F")],
    )
    .await;
    let channel = login_down(&fake).await;

    run_action(&fake, channel.id, "snapshot-db").await;
    let question = said(&fake, channel.id, "Did “Snapshot the database” run?").await;
    let text = fake.seen(&question, chrono::Utc::now());
    let pings = fake.pings(question.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(text.contains("no answer within 1s"), "{text}");
    let (click, _) = press(&fake, world::COMMANDER, channel.id, "It ran").await;
    assert_eq!(click.ack().await.kind, 7);
    let answered = fake.message(question.id).expect("the question");
    let text = fake.seen(&answered, chrono::Utc::now());
    let pings = fake.pings(answered.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(text.contains("ran, said"), "{text}");
    assert!(answered.components.is_empty());

    bot.settle().await;
    assert_eq!(ops.received().len(), 1, "sent once");
    let id = incident(&bot, channel.id).await;
    let run = &bot.app.db.action_runs(id).await.expect("runs")[0];
    assert_eq!((run.state, run.attempts), (RunState::Succeeded, 1));
    assert_eq!(
        bot.app.db.ticks(id).await.expect("ticks").len(),
        1,
        "its step is ticked"
    );
}

#[tokio::test]
async fn an_answer_lost_after_the_target_acted_is_asked_about_and_run_again_sends_the_same_run_id()
{
    std::env::set_var("INCIDENT_BOT_TEST_ACTION_SECRET_G", "another-secret");
    let fake = world::fake().start().await;
    let ops = target().await;
    ops.fault(Fault::LoseAnswer);
    let bot = bot(
        &fake,
        vec![webhook(&ops.url(), "INCIDENT_BOT_TEST_ACTION_SECRET_G")],
    )
    .await;
    let channel = login_down(&fake).await;

    run_action(&fake, channel.id, "snapshot-db").await;
    said(&fake, channel.id, "Did “Snapshot the database” run?").await;
    bot.settle().await;
    assert_eq!(ops.acted().len(), 1, "the target acted");
    assert_eq!(
        ops.received().len(),
        1,
        "and the bot did not send it again on its own"
    );

    let (click, _) = press(&fake, world::RESPONDER, channel.id, "Run again").await;
    assert_eq!(click.ack().await.kind, 7);
    said(&fake, channel.id, "ran**").await;
    let received = ops.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].header("idempotency-key"),
        received[1].header("idempotency-key"),
        "the same run id, so a target that saw it can say so"
    );
    let id = incident(&bot, channel.id).await;
    let run = &bot.app.db.action_runs(id).await.expect("runs")[0];
    assert_eq!((run.state, run.attempts), (RunState::Succeeded, 2));
    let texts: Vec<String> = bot
        .app
        .db
        .timeline(id)
        .await
        .expect("timeline")
        .into_iter()
        .filter(|e| e.kind == EntryKind::Action)
        .map(|e| e.text)
        .collect();
    assert_eq!(texts.len(), 4, "{texts:?}");
    assert!(texts[1].contains("no answer came"), "{texts:?}");
    assert!(
        texts[2].starts_with("Sent “Snapshot the database” again"),
        "{texts:?}"
    );
}

#[tokio::test]
async fn the_action_option_completes_only_what_the_person_may_run_in_this_incident() {
    let fake = world::fake().start().await;
    let ops = target().await;
    let url = format!("{}hooks/x", ops.url());
    let snapshot =
        action(json!({ "id": "snapshot-db", "label": "Snapshot the database", "url": url }));
    let failover = action(
        json!({ "id": "failover", "label": "Fail over the database", "url": url, "who": "commanders" }),
    );
    let rotate = action(
        json!({ "id": "rotate-keys", "label": "Rotate API keys", "url": url, "kinds": ["security"] }),
    );
    let _bot = bot(&fake, vec![snapshot, failover, rotate]).await;
    let channel = login_down(&fake).await;
    let offered = |user| {
        let fake = &fake;
        async move {
            let handle = fake
                .autocomplete(user)
                .in_channel(channel.id)
                .command("incident")
                .sub("run")
                .focused("action", "")
                .send()
                .await;
            let choices = handle.choices().await;
            choices
                .iter()
                .map(|c| {
                    format!(
                        "{}={}",
                        c["name"].as_str().unwrap_or(""),
                        c["value"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        offered(world::RESPONDER).await,
        ["Snapshot the database=snapshot-db"]
    );
    assert_eq!(
        offered(world::COMMANDER).await,
        ["Snapshot the database=snapshot-db", "Fail over the database=failover"],
        "commanders may run both; a security-only action is not offered in an availability incident"
    );
}

#[tokio::test]
async fn a_run_whose_action_left_the_config_while_it_waited_says_so_and_calls_nothing() {
    std::env::set_var("INCIDENT_BOT_TEST_ACTION_SECRET_H", "another-secret");
    let fake = world::fake().start().await;
    // The target asks to come back in a minute: the run waits for its retry.
    let ops = FakeService::start(|_| {
        Canned::json(429, &json!({ "error": "busy" })).with_header("retry-after", "60")
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::running(chrono::Utc::now());
    let first = spawn_bot_on(&fake, dir.path(), clock.clone(), |s| {
        s.actions = vec![webhook(&ops.url(), "INCIDENT_BOT_TEST_ACTION_SECRET_H")];
    })
    .await;
    let channel = login_down(&fake).await;
    run_action(&fake, channel.id, "snapshot-db").await;
    first.settle().await;
    assert_eq!(ops.received().len(), 1, "sent once, and told to come back");
    first.stop().await;

    // Restarted with the action taken out of the config; the retry comes due.
    let second = spawn_bot_on(&fake, dir.path(), clock.clone(), |_| {}).await;
    clock.advance(chrono::TimeDelta::seconds(61));
    let failed = said(&fake, channel.id, "failed**").await;
    let text = fake.seen(&failed, chrono::Utc::now());
    let pings = fake.pings(failed.id);
    assert!(pings.nobody(), "{pings:?}");
    assert!(
        text.contains("“snapshot-db” failed, asked by"),
        "named by its id, the only name left: {text}"
    );
    assert!(
        text.contains(": not sent after") && !text.contains("What came back"),
        "{text}"
    );
    assert!(
        failed
            .content
            .ends_with("It was not sent: no action `snapshot-db` is configured any more."),
        "the id shows as code: {}",
        failed.content
    );
    assert!(
        text.ends_with("It was not sent: no action snapshot-db is configured any more."),
        "{text}"
    );
    second.settle().await;
    assert_eq!(ops.received().len(), 1, "nothing more was called");
    let id = incident(&second, channel.id).await;
    let run = &second.app.db.action_runs(id).await.expect("runs")[0];
    assert_eq!(run.state, RunState::Failed);
    let last = last_action_entry(&second, id).await;
    assert!(
        last.starts_with("“snapshot-db” failed: not sent after ")
            && last.ends_with(": no action `snapshot-db` is configured any more"),
        "{last}"
    );
}

#[tokio::test]
async fn a_secret_missing_from_the_environment_is_the_bots_reason_and_nothing_is_sent() {
    std::env::remove_var("INCIDENT_BOT_TEST_ACTION_SECRET_UNSET");
    let fake = world::fake().start().await;
    let ops = target().await;
    let bot = bot(
        &fake,
        vec![webhook(&ops.url(), "INCIDENT_BOT_TEST_ACTION_SECRET_UNSET")],
    )
    .await;
    let channel = login_down(&fake).await;

    run_action(&fake, channel.id, "snapshot-db").await;
    let failed = said(&fake, channel.id, "failed**").await;
    let text = fake.seen(&failed, chrono::Utc::now());
    assert!(
        text.contains(
            "It was not sent: the environment variable INCIDENT_BOT_TEST_ACTION_SECRET_UNSET is \
             not set: put the secret in it and run the action again."
        ),
        "our own reason, not what came back from the target: {text}"
    );
    assert!(!text.contains("What came back"), "{text}");
    assert!(fake.pings(failed.id).nobody());
    bot.settle().await;
    assert!(ops.received().is_empty(), "nothing left the bot");
    let id = incident(&bot, channel.id).await;
    let last = last_action_entry(&bot, id).await;
    assert!(
        last.starts_with("“Snapshot the database” failed: not sent after ")
            && last.ends_with(
                "s: the environment variable INCIDENT_BOT_TEST_ACTION_SECRET_UNSET is not set: \
                 put the secret in it and run the action again"
            ),
        "{last}"
    );
}
