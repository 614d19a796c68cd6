//! Runbook actions through the use cases, with a recording target: a run is recorded before it
//! is sent, a run found `sending` after a crash asks instead of sending, a success ticks its
//! step, and who may run what.

use std::collections::VecDeque;
use std::sync::Mutex;

use super::*;
use crate::app::{
    answer_unknown, press_step, run_action, runnable, ActionCall, ActionOutcome, ActionRunner,
    CheckClick, RunAsked, StepPress, AGAIN_BUTTON, RAN_BUTTON,
};
use crate::clock::BoxFuture;
use crate::domain::{ActionId, ChecklistItem, Phase, RunState, RunbookAction, StepId};

/// A target that records each run's key and answers from a queue (204 when it is empty).
#[derive(Debug, Default)]
struct Target {
    keys: Mutex<Vec<String>>,
    answers: Mutex<VecDeque<ActionOutcome>>,
}

impl ActionRunner for Target {
    fn run<'a>(&'a self, call: &'a ActionCall<'a>) -> BoxFuture<'a, ActionOutcome> {
        Box::pin(async move {
            self.keys
                .lock()
                .expect("keys")
                .push(call.facts.run_id.clone());
            self.answers
                .lock()
                .expect("answers")
                .pop_front()
                .unwrap_or(ActionOutcome::Done {
                    status: 204,
                    snippet: String::new(),
                })
        })
    }
}

fn snapshot(confirm: bool, who: &str) -> RunbookAction {
    serde_json::from_value(serde_json::json!({
        "id": "snapshot-db",
        "label": "Snapshot the database",
        "url": "https://ops.example.com/snap",
        "confirm": confirm,
        "who": who,
        "kinds": ["availability"],
    }))
    .expect("an action")
}

async fn world(target: &Arc<Target>, confirm: bool, who: &str) -> World {
    let target = Arc::clone(target);
    World::tweaked(
        super::settings(),
        crate::app::Pagers::default(),
        move |app| {
            let mut settings = (*app.settings).clone();
            settings.actions = vec![snapshot(confirm, who)];
            settings.checklists.triage.push(ChecklistItem {
                id: StepId::parse("snapshot").expect("id"),
                label: crate::domain::StepLabel::parse("DB snapshot").expect("label"),
                text: crate::domain::StepText::parse("Take database snapshots before changes")
                    .expect("text"),
                group: None,
                severities: None,
                action: Some(ActionId::parse("snapshot-db").expect("id")),
            });
            app.settings = Arc::new(settings);
            app.actions = Some(target);
        },
    )
    .await
}

fn snapshot_id() -> ActionId {
    ActionId::parse("snapshot-db").expect("id")
}

#[tokio::test]
async fn a_run_found_sending_after_a_crash_asks_the_channel_and_sends_again_only_when_told() {
    let target = Arc::new(Target::default());
    let w = world(&target, false, "responders").await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = w
        .declare(&rhea, Severity::P1, IncidentKind::Availability)
        .await;
    run_action(&w.app, &rhea, "Rhea", &record, &snapshot_id(), "ix:77")
        .await
        .expect("queued");
    let run = w
        .app
        .db
        .action_runs(record.id)
        .await
        .expect("runs")
        .remove(0);
    assert_eq!(
        run.state,
        RunState::Queued,
        "recorded before anything is sent"
    );
    // An attempt took it for sending, then the process died before any answer was recorded.
    assert!(w
        .app
        .db
        .start_action_run(run.id, w.clock.now())
        .await
        .expect("take"));
    w.run_due().await;

    assert!(
        target.keys.lock().expect("keys").is_empty(),
        "not sent again on its own"
    );
    let run = w
        .app
        .db
        .action_run(run.id)
        .await
        .expect("read")
        .expect("the run");
    assert_eq!(run.state, RunState::Unknown);
    let posts = w.recorded().posts;
    let (_, question) = posts.last().expect("the question");
    assert!(
        question
            .content
            .contains("Did “Snapshot the database” run?"),
        "{}",
        question.content
    );
    let ids: Vec<&str> = question
        .buttons
        .iter()
        .map(|b| b.custom_id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            format!("{RAN_BUTTON}:{}", run.id),
            format!("{AGAIN_BUTTON}:{}", run.id)
        ]
    );

    answer_unknown(&w.app, &rhea, &run.id.to_string(), false, "ix:78")
        .await
        .expect("again");
    let twice = answer_unknown(&w.app, &rhea, &run.id.to_string(), true, "ix:79").await;
    assert!(twice.is_err(), "only the first answer counts");
    w.run_due().await;
    let keys = target.keys.lock().expect("keys").clone();
    assert_eq!(keys, vec![run.key.clone()], "the same run id");
    let run = w
        .app
        .db
        .action_run(run.id)
        .await
        .expect("read")
        .expect("the run");
    assert_eq!(run.state, RunState::Succeeded);
    assert_eq!(run.attempts, 2);
}

#[tokio::test]
async fn a_success_ticks_the_bound_step_and_a_failure_says_what_came_back() {
    let target = Arc::new(Target::default());
    target
        .answers
        .lock()
        .expect("answers")
        .push_back(ActionOutcome::Failed {
            status: Some(500),
            what: "database on fire".into(),
        });
    let w = world(&target, false, "responders").await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = w
        .declare(&rhea, Severity::P1, IncidentKind::Availability)
        .await;

    run_action(&w.app, &rhea, "Rhea", &record, &snapshot_id(), "ix:1")
        .await
        .expect("queued");
    w.run_due().await;
    let said = w.recorded().posts.last().expect("a post").1.content.clone();
    assert!(
        said.contains("failed") && said.contains("HTTP 500"),
        "{said}"
    );
    assert!(said.contains("database on fire"), "{said}");
    assert!(w.app.db.ticks(record.id).await.expect("ticks").is_empty());

    run_action(&w.app, &rhea, "Rhea", &record, &snapshot_id(), "ix:2")
        .await
        .expect("queued");
    w.run_due().await;
    let ticks = w.app.db.ticks(record.id).await.expect("ticks");
    assert_eq!(ticks.len(), 1);
    assert_eq!(
        (ticks[0].phase, ticks[0].step.as_str()),
        (Phase::Triage, "snapshot")
    );
    let runs = w.app.db.action_runs(record.id).await.expect("runs");
    assert_eq!(
        runs.iter().map(|r| r.state).collect::<Vec<_>>(),
        [RunState::Failed, RunState::Succeeded]
    );
    assert_ne!(runs[0].key, runs[1].key, "a new run has a key of its own");
    let timeline = w.app.db.timeline(record.id).await.expect("timeline");
    let actions: Vec<&str> = timeline
        .iter()
        .filter(|e| e.kind == crate::domain::EntryKind::Action)
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(actions.len(), 4, "{actions:?}");
    assert!(
        actions[1].starts_with("“Snapshot the database” failed: HTTP 500"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn pressing_a_bound_step_asks_first_and_only_permitted_people_may_run_it() {
    let target = Arc::new(Target::default());
    let w = world(&target, true, "commanders").await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let cole = actor(6, &[COMMANDER_ROLE]);
    let record = w
        .declare(&rhea, Severity::P1, IncidentKind::Availability)
        .await;
    let click = || CheckClick {
        incident: record.id,
        phase: Phase::Triage,
        step: StepId::parse("snapshot").expect("id"),
    };
    assert!(
        press_step(&w.app, &rhea, "Rhea", click(), false, "ix:1")
            .await
            .is_err(),
        "commanders only"
    );
    assert!(runnable(&w.app, &rhea, Some(IncidentKind::Availability)).is_empty());
    assert_eq!(
        runnable(&w.app, &cole, Some(IncidentKind::Availability)).len(),
        1
    );
    assert!(runnable(&w.app, &cole, Some(IncidentKind::Security)).is_empty());
    match press_step(&w.app, &cole, "Cole", click(), false, "ix:2")
        .await
        .expect("asks")
    {
        StepPress::Asked(RunAsked::Confirm { content, buttons }) => {
            assert!(
                content.contains("Run “Snapshot the database” for incident #1?"),
                "{content}"
            );
            assert_eq!(
                buttons[0].custom_id,
                format!("run:{}:snapshot-db", record.id)
            );
        }
        other => panic!("a confirmation first: {other:?}"),
    }
    assert!(
        w.app
            .db
            .action_runs(record.id)
            .await
            .expect("runs")
            .is_empty(),
        "nothing yet"
    );
}
