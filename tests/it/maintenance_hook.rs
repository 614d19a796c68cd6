//! The game's own maintenance mode (`[maintenance] hook`): the runbook action the bot runs
//! with `maintenance = "on"` when a window starts and `"off"` when it ends, against a fake
//! target that records what it was sent; a failure said in the log channel; a call whose
//! answer never came asked about, never sent again.

use std::time::Duration;

use chrono::TimeDelta;
use incident_bot::clock::ManualClock;
use incident_bot::domain::{ActionId, RunState, RunbookAction};
use serde_json::{json, Value};
use serenity::all::UserId;

use crate::support::bot::{spawn_bot_on, world, TestBot, STEP};
use crate::support::fake_discord::{FakeDiscord, FakeMessage};
use crate::support::fake_service::{Canned, FakeService, Fault, Recorded};
use crate::support::story::shows;

pub(crate) const SECRET_VAR: &str = "INCIDENT_BOT_TEST_HOOK_SECRET";

/// The studio's action that turns the game's maintenance mode on and off.
pub(crate) fn hook(url: &str) -> RunbookAction {
    serde_json::from_value(json!({
        "id": "game-maintenance",
        "label": "Game maintenance mode",
        "url": format!("{url}admin/maintenance"),
        "confirm": false,
        "timeout": "1s",
        "secret": format!("env:{SECRET_VAR}"),
        "body": r#"{"maintenance": "{{maintenance}}", "reason": "{{incident.title}}", "run": "{{run_id}}"}"#,
    }))
    .expect("an action")
}

/// A bot with the hook pointing at `target`, its clock running with the fake's.
async fn start(fake: &FakeDiscord, target: &FakeService) -> (TestBot, tempfile::TempDir) {
    std::env::set_var(SECRET_VAR, "game-admin-secret");
    let dir = tempfile::tempdir().expect("tempdir");
    let action = hook(&target.url());
    let bot = spawn_bot_on(fake, dir.path(), ManualClock::running(fake.now()), |s| {
        s.actions = vec![action];
        s.maintenance.hook = Some(ActionId::parse("game-maintenance").expect("an id"));
    })
    .await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    (bot, dir)
}

/// Runs `/maintenance <sub>` in #general as `user`; returns the answer.
async fn maintenance(fake: &FakeDiscord, user: UserId, sub: &str, opts: &[(&str, &str)]) -> String {
    let mut b = fake
        .slash(user)
        .in_channel(world::GENERAL)
        .command("maintenance")
        .sub(sub);
    for (name, value) in opts {
        b = b.opt_str(name, value);
    }
    let handle = b.send().await;
    handle.ack().await;
    handle.reply().await.content
}

/// Starts an hour's window on Login as the commander and lets what it queued run; returns
/// the answer.
async fn start_window(fake: &FakeDiscord, bot: &TestBot) -> String {
    let started = maintenance(
        fake,
        world::COMMANDER,
        "start",
        &[("systems", "Login"), ("duration", "1h")],
    )
    .await;
    bot.settle().await;
    started
}

/// What the target was sent as `maintenance`, in order.
pub(crate) fn modes(target: &FakeService) -> Vec<String> {
    target
        .received()
        .iter()
        .filter_map(|r: &Recorded| serde_json::from_slice::<Value>(&r.body).ok())
        .map(|v| v["maintenance"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn log_says(fake: &FakeDiscord, what: &str) -> FakeMessage {
    shows(fake, world::LOG, what, |m| m.content.contains(what)).await
}

#[tokio::test]
async fn the_games_maintenance_mode_is_turned_on_when_a_window_starts_and_off_when_it_ends() {
    let fake = world::fake().start().await;
    let target = FakeService::start(|_| Canned::json(200, &json!({ "ok": true }))).await;
    let (bot, _dir) = start(&fake, &target).await;

    let started = start_window(&fake, &bot).await;
    assert!(started.contains("Maintenance"), "{started}");
    fake.wait_for("the hook turned on", STEP, |_| modes(&target) == ["on"])
        .await;
    let on = &target.received()[0];
    assert_eq!(
        on.header("idempotency-key"),
        Some("ib-maintenance-1-on"),
        "the run's key goes with it"
    );

    maintenance(&fake, world::COMMANDER, "end", &[]).await;
    bot.settle().await;
    fake.wait_for("the hook turned off", STEP, |_| {
        modes(&target) == ["on", "off"]
    })
    .await;
    let runs = bot.app.db.hook_runs(1).await.expect("runs");
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(
        runs.iter().all(|r| r.state == RunState::Succeeded),
        "{runs:?}"
    );
    // Discord completing the event afterwards does not call the game a second time.
    fake.advance(Duration::from_secs(3600));
    bot.clock.advance(TimeDelta::hours(1));
    bot.settle().await;
    assert_eq!(modes(&target), ["on", "off"], "once each");
    assert!(
        !fake
            .messages(world::LOG)
            .iter()
            .any(|m| m.content.contains("maintenance mode was not")),
        "nothing to say when it worked"
    );
    fake.assert_no_violations();
}

#[tokio::test]
async fn a_hook_that_fails_is_said_in_the_log_channel_and_one_without_an_answer_is_not_sent_again()
{
    let fake = world::fake().start().await;
    let target = FakeService::start(|_| Canned::json(200, &json!({ "ok": true }))).await;
    target.fault(Fault::Answer(Canned::json(
        500,
        &json!({ "error": "admin API down" }),
    )));
    let (bot, _dir) = start(&fake, &target).await;

    start_window(&fake, &bot).await;
    let failed = log_says(&fake, "The game's maintenance mode was not turned on").await;
    assert!(failed.content.contains("HTTP 500"), "{}", failed.content);
    assert!(
        failed.content.contains("admin API down"),
        "{}",
        failed.content
    );
    assert_eq!(modes(&target), ["on"], "a 500 is not retried on its own");

    // The end's call reaches the game, which acts, and its answer is lost.
    target.fault(Fault::LoseAnswer);
    maintenance(&fake, world::COMMANDER, "end", &[]).await;
    bot.settle().await;
    let asked = log_says(&fake, "Did the game's maintenance mode turn off?").await;
    assert!(
        asked
            .content
            .contains("turn its maintenance mode off by hand"),
        "{}",
        asked.content
    );
    bot.settle().await;
    assert_eq!(
        modes(&target),
        ["on", "off"],
        "sent once each: never again on its own"
    );
    assert_eq!(
        target.acted().len(),
        1,
        "the game acted on the end's call only"
    );
    let runs = bot.app.db.hook_runs(1).await.expect("runs");
    assert_eq!(
        runs.iter().map(|r| r.state).collect::<Vec<_>>(),
        [RunState::Failed, RunState::Unknown]
    );
    fake.assert_no_violations();
}

#[tokio::test]
async fn a_hook_whose_action_left_the_config_while_it_waited_says_so_and_calls_nothing() {
    let fake = world::fake().start().await;
    // The game asks to come back in a minute: the call waits for its retry.
    let target = FakeService::start(|_| {
        Canned::json(429, &json!({ "error": "busy" })).with_header("retry-after", "60")
    })
    .await;
    let (first, dir) = start(&fake, &target).await;
    start_window(&fake, &first).await;
    assert_eq!(modes(&target), ["on"], "sent once, and told to come back");
    let clock = first.clock.clone();
    first.stop().await;

    // Restarted with the hook's action taken out of the config; the retry comes due.
    let second = spawn_bot_on(&fake, dir.path(), clock.clone(), |_| {}).await;
    clock.advance(TimeDelta::seconds(61));
    let failed = log_says(&fake, "The game's maintenance mode was not turned on").await;
    let text = fake.seen(&failed, chrono::Utc::now());
    assert!(
        text.contains(
            "(not sent: no action game-maintenance is configured any more). Turn it on by hand"
        ),
        "{text}"
    );
    assert!(fake.pings(failed.id).nobody(), "a log line pings nobody");
    assert!(!text.contains("What came back"), "{text}");
    second.settle().await;
    assert_eq!(modes(&target), ["on"], "nothing more was called");
    let runs = second.app.db.hook_runs(1).await.expect("runs");
    assert_eq!(
        runs.iter().map(|r| r.state).collect::<Vec<_>>(),
        [RunState::Failed]
    );
    fake.assert_no_violations();
}
