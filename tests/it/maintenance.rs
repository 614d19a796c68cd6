//! Maintenance windows as players and staff see them: a scheduled window told in the
//! announcement channel (🛠️), carried by an EXTERNAL Discord event that the fake starts and
//! completes on its own clock, the staff reminded before it, and the status page's JSON, page
//! and feed following; and maintenance turned on and off from an incident's checklist.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use incident_bot::clock::{Clock, ManualClock};
use serenity::all::UserId;

use crate::status_page::{check_shape, until};
use crate::support::bot::{spawn_bot_on, world, TestBot, STEP};
use crate::support::fake_discord::{FakeDiscord, FakeEvent, FakeMessage};
use crate::support::http;
use crate::support::story::{declare, press, run, shows_seen};

/// Runs `/maintenance <sub>` in #general as `user` and returns the answer they read.
pub(crate) async fn maintenance(
    fake: &FakeDiscord,
    user: UserId,
    sub: &str,
    opts: &[(&str, &str)],
) -> FakeMessage {
    let mut b = fake
        .slash(user)
        .in_channel(world::GENERAL)
        .command("maintenance")
        .sub(sub);
    for (name, value) in opts {
        b = match *name {
            "incident" => b.opt_int(name, value.parse().expect("a number")),
            _ => b.opt_str(name, value),
        };
    }
    let handle = b.send().await;
    assert_eq!(handle.ack().await.kind, 5, "every command defers first");
    let reply = handle.reply().await;
    assert_eq!(reply.flags & 64, 64, "answers are ephemeral");
    reply
}

/// A bot whose clock runs with the fake's, so that Discord and the bot agree on the time.
async fn start(fake: &FakeDiscord) -> (TestBot, tempfile::TempDir) {
    start_with(fake, |_| {}).await
}

/// [`start`], with `configure` applied to the settings.
pub(crate) async fn start_with(
    fake: &FakeDiscord,
    configure: impl FnOnce(&mut incident_bot::config::Settings),
) -> (TestBot, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(
        fake,
        dir.path(),
        ManualClock::running(fake.now()),
        configure,
    )
    .await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    (bot, dir)
}

/// Time passes for both: the bot's queue and Discord's own clock.
async fn later(fake: &FakeDiscord, bot: &TestBot, by: TimeDelta) {
    bot.clock.advance(by);
    fake.advance(Duration::from_secs(
        u64::try_from(by.num_seconds()).expect("forward"),
    ));
    bot.settle().await;
}

/// The one EXTERNAL event on the fake.
fn the_event(fake: &FakeDiscord) -> FakeEvent {
    let external: Vec<FakeEvent> = fake
        .scheduled_events()
        .into_iter()
        .filter(|e| e.entity_type == 3)
        .collect();
    assert_eq!(external.len(), 1, "one event: {external:?}");
    external[0].clone()
}

/// `at` as people type a time: `2026-12-06 08:00`.
pub(crate) fn typed(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// The JSON of `path` once `accept` takes it, checked against Statuspage's schema.
async fn json(
    bot: &TestBot,
    path: &str,
    what: &str,
    accept: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let read = |r: &http::Response| serde_json::from_str::<serde_json::Value>(&r.body).ok();
    let res = until(bot.public, path, what, |r| {
        read(r).is_some_and(|v| accept(&v))
    })
    .await;
    let value = read(&res).expect("JSON");
    check_shape(path, &value);
    value
}

fn login_status(components: &serde_json::Value) -> String {
    components["components"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == "Login"))
        .map(|c| c["status"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_scheduled_window_is_seen_by_players_end_to_end_as_discord_starts_and_completes_it() {
    let fake = world::fake().start().await;
    let nets = crate::social::Networks::start().await;
    let (bot, _dir) = start_with(&fake, nets.configure()).await;
    let now = fake.now();
    // Two hours ahead, on the minute (times are typed to the minute).
    let at = (now + TimeDelta::hours(2)).with_second(0).expect("a time");
    let at = at.with_nanosecond(0).expect("a time") + TimeDelta::minutes(1);

    let refused = maintenance(
        &fake,
        world::RESPONDER,
        "schedule",
        &[
            ("systems", "Login"),
            ("start", &typed(at)),
            ("duration", "1h"),
        ],
    )
    .await;
    assert!(
        refused
            .content
            .starts_with("⛔ To open, move or end a maintenance window you need"),
        "{}",
        refused.content
    );
    let when = typed(at);
    let opts = [
        ("systems", "Login"),
        ("start", when.as_str()),
        ("duration", "1h"),
        ("title", "Database upgrade"),
        ("message", "Faster servers for everyone."),
    ];
    let answer = maintenance(&fake, world::COMMANDER, "schedule", &opts).await;
    assert!(
        answer
            .content
            .starts_with("🛠️ Scheduled: **Database upgrade** (Login)"),
        "{}",
        answer.content
    );
    bot.settle().await;

    // The event: external, at the status page, seen by players in the server's event list.
    let event = the_event(&fake);
    assert_eq!(event.name, "Database upgrade");
    assert_eq!(event.location.as_deref(), Some("https://status.loh.game"));
    assert_eq!(
        (event.start, event.end),
        (at, Some(at + TimeDelta::hours(1)))
    );
    assert!(fake
        .events_seen_by(world::PLAYER)
        .iter()
        .any(|e| e.id == event.id));
    // Players are told, with the event to mark Interested.
    let (_, told) = shows_seen(
        &fake,
        world::ANNOUNCEMENTS,
        "the 🛠️ post",
        bot.clock.now(),
        |t| t.starts_with("🛠️"),
    )
    .await;
    assert!(
        told.starts_with(
            "🛠️ Scheduled maintenance: Database upgrade\nLogin will be unavailable from "
        ),
        "{told}"
    );
    assert!(told.contains("Faster servers for everyone."), "{told}");
    assert!(
        told.contains(&format!(
            "https://discord.com/events/{}/{}",
            fake.guild_id(),
            event.id
        )),
        "{told}"
    );
    let upcoming = json(
        &bot,
        "/api/v2/scheduled-maintenances/upcoming.json",
        "the window",
        |v| {
            v["scheduled_maintenances"]
                .as_array()
                .is_some_and(|a| a.len() == 1)
        },
    )
    .await;
    assert_eq!(upcoming["scheduled_maintenances"][0]["status"], "scheduled");
    assert_eq!(
        upcoming["scheduled_maintenances"][0]["name"],
        "Database upgrade"
    );
    let summary = json(&bot, "/api/v2/summary.json", "the window", |v| {
        v["scheduled_maintenances"]
            .as_array()
            .is_some_and(|a| a.len() == 1)
    })
    .await;
    assert_eq!(
        login_status(&summary),
        "operational",
        "not before it starts"
    );

    // Members mark it Interested; the list shows how many.
    fake.mark_interested(event.id, 3);
    let list = maintenance(&fake, world::COMMANDER, "list", &[]).await;
    assert!(
        list.content.contains("**Database upgrade** (Login)"),
        "{}",
        list.content
    );
    assert!(
        list.content.contains("`scheduled`, 3 interested"),
        "{}",
        list.content
    );

    // An hour before: the staff are reminded in the log channel.
    later(&fake, &bot, TimeDelta::minutes(61)).await;
    let (_, reminder) = shows_seen(&fake, world::LOG, "the reminder", bot.clock.now(), |t| {
        t.contains("⏰ Maintenance starts")
    })
    .await;
    assert!(reminder.contains("Database upgrade (Login)"), "{reminder}");

    // Its time comes: Discord starts the event itself, and the bot follows.
    later(&fake, &bot, TimeDelta::minutes(61)).await;
    let (_, started) = shows_seen(
        &fake,
        world::ANNOUNCEMENTS,
        "the start",
        bot.clock.now(),
        |t| t.starts_with("🛠️ Maintenance under way"),
    )
    .await;
    assert!(
        started.contains("Login: under maintenance until "),
        "{started}"
    );
    let active = json(
        &bot,
        "/api/v2/scheduled-maintenances/active.json",
        "the window under way",
        |v| {
            v["scheduled_maintenances"]
                .as_array()
                .is_some_and(|a| a.len() == 1)
        },
    )
    .await;
    assert_eq!(active["scheduled_maintenances"][0]["status"], "in_progress");
    let components = json(
        &bot,
        "/api/v2/components.json",
        "Login under maintenance",
        |v| login_status(v) == "under_maintenance",
    )
    .await;
    assert_eq!(login_status(&components), "under_maintenance");
    let page = until(bot.public, "/", "the page", |r| {
        r.body.contains("Under maintenance")
    })
    .await;
    assert!(page.body.contains("Database upgrade"), "{}", page.body);
    let feed = until(bot.public, "/history.atom", "the feed", |r| {
        r.body.contains("Maintenance in progress: Database upgrade")
    })
    .await;
    assert!(feed
        .body
        .contains("Scheduled maintenance: Database upgrade"));

    // Its end: Discord completes it, and everything follows.
    later(&fake, &bot, TimeDelta::hours(1)).await;
    let (_, ended) = shows_seen(
        &fake,
        world::ANNOUNCEMENTS,
        "the end",
        bot.clock.now(),
        |t| t.starts_with("🛠️ Maintenance complete"),
    )
    .await;
    assert!(ended.contains("Login: back to normal."), "{ended}");
    assert_eq!(the_event(&fake).status, 3, "completed by Discord");
    let all = json(
        &bot,
        "/api/v2/scheduled-maintenances.json",
        "the window completed",
        |v| v["scheduled_maintenances"][0]["status"] == "completed",
    )
    .await;
    let updates = all["scheduled_maintenances"][0]["incident_updates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let statuses: Vec<&str> = updates
        .iter()
        .filter_map(|u| u["status"].as_str())
        .collect();
    assert_eq!(statuses, ["completed", "in_progress", "scheduled"]);
    json(
        &bot,
        "/api/v2/components.json",
        "Login operational again",
        |v| login_status(v) == "operational",
    )
    .await;
    let posts = fake.messages(world::ANNOUNCEMENTS);
    assert_eq!(posts.len(), 3, "each moment told once");
    fake.assert_no_violations();
    // Players who follow the studio elsewhere read the window as one thread there.
    nets.assert_one_thread_each(&[
        "🛠️ Scheduled maintenance: Database upgrade",
        "🛠️ Maintenance under way",
        "🛠️ Maintenance complete",
    ])
    .await;
}

#[tokio::test]
async fn the_checklist_turns_maintenance_on_after_a_confirmation_and_recovery_turns_it_off() {
    let fake = world::fake().start().await;
    let (bot, _dir) = start(&fake).await;
    let channel = declare(
        &fake,
        world::COMMANDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await;
    bot.settle().await;
    run(
        &fake,
        world::COMMANDER,
        channel.id,
        "phase",
        &[("to", "containment")],
    )
    .await;
    bot.settle().await;

    let (handle, _) = press(&fake, world::COMMANDER, channel.id, "🛠️ Start maintenance…").await;
    let asked = handle.ack().await;
    assert_eq!(asked.kind, 7, "the checklist is edited in place");
    assert!(
        fake.scheduled_events().is_empty(),
        "nothing before the confirmation"
    );
    let (handle, _) = press(
        &fake,
        world::COMMANDER,
        channel.id,
        "Confirm: players told, Login down 60m",
    )
    .await;
    handle.ack().await;
    bot.settle().await;

    let (_, told) = shows_seen(
        &fake,
        world::ANNOUNCEMENTS,
        "the 🛠️ post",
        bot.clock.now(),
        |t| t.starts_with("🛠️ Maintenance under way"),
    )
    .await;
    assert!(told.contains("Maintenance: Login"), "{told}");
    let components = json(
        &bot,
        "/api/v2/components.json",
        "Login under maintenance",
        |v| login_status(v) == "under_maintenance",
    )
    .await;
    assert_eq!(login_status(&components), "under_maintenance");
    until(bot.public, "/", "the page", |r| {
        r.body.contains("Under maintenance")
    })
    .await;
    let event = the_event(&fake);
    assert_eq!(event.name, "Maintenance: Login");
    let ticked = fake.messages(channel.id).into_iter().any(|m| {
        crate::support::story::button_labels(&m)
            .iter()
            .any(|l| l == "✓ Maintenance mode on")
    });
    assert!(ticked, "the step is ticked");

    // The fix: recovery's checklist turns maintenance off.
    let resolved = run(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[
            ("root_cause", "A full disk on the login database"),
            ("all_clear", "now"),
        ],
    )
    .await;
    assert!(resolved.starts_with("Resolved after"), "{resolved}");
    bot.settle().await;
    press(&fake, world::COMMANDER, channel.id, "🛠️ End maintenance…")
        .await
        .0
        .ack()
        .await;
    press(
        &fake,
        world::COMMANDER,
        channel.id,
        "Confirm: end maintenance, players told",
    )
    .await
    .0
    .ack()
    .await;
    bot.settle().await;
    shows_seen(
        &fake,
        world::ANNOUNCEMENTS,
        "the end",
        bot.clock.now(),
        |t| t.starts_with("🛠️ Maintenance complete"),
    )
    .await;
    json(
        &bot,
        "/api/v2/components.json",
        "Login no longer under maintenance",
        |v| login_status(v) != "under_maintenance",
    )
    .await;
    let status = fake.scheduled_events()[0].status;
    assert!(status == 3 || status == 4, "the event is over: {status}");
    fake.assert_no_violations();
}

#[tokio::test]
async fn a_security_incident_cannot_open_a_window() {
    let fake = world::fake().start().await;
    let (bot, _dir) = start(&fake).await;
    declare(
        &fake,
        world::SECURITY,
        &[
            ("title", "Key leaked"),
            ("severity", "P1"),
            ("kind", "security"),
            ("systems", "Login"),
        ],
    )
    .await;
    bot.settle().await;
    let refused = maintenance(
        &fake,
        world::SECURITY,
        "start",
        &[("systems", "Login"), ("duration", "1h"), ("incident", "1")],
    )
    .await;
    assert!(
        refused
            .content
            .starts_with("⛔ A security incident never opens a maintenance window"),
        "{}",
        refused.content
    );
    assert!(fake.scheduled_events().is_empty());
    assert!(
        fake.messages(world::ANNOUNCEMENTS).is_empty(),
        "players are told nothing"
    );
}
