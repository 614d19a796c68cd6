//! The fault suite: Discord rate limiting and failing, the gateway dropping, the bot killed with
//! SIGKILL mid-burst. Nothing acknowledged is lost, nothing is posted twice.

use std::collections::HashSet;
use std::time::Duration;

use incident_bot::domain::{ChannelId, Status};
use incident_bot::store::{Db, IncidentRecord};

use crate::support::bot::{open_test_database, world, STEP};
use crate::support::chance::{seed, Lcg};
use crate::support::child::ChildBot;
use crate::support::fake_discord::{FakeDiscord, Fault};
use crate::support::story::incident;

/// The reminders a fault story (declares and resolves, nobody assigned, no phase moved, no
/// update) leaves waiting for an incident once every side effect is done, by kind: none of
/// them falls due within a test under the test config.
fn reminders_expected(r: &IncidentRecord) -> Vec<&'static str> {
    match r.incident.status {
        // P0–P2: nobody took command, no update came, triage has a budget.
        Status::Open => vec!["escalate_commander", "phase_nudge", "update_due"],
        // The fix check an hour on.
        Status::Verifying => vec!["verify_fix"],
        // The post-mortem's next overdue round (a P0's).
        Status::Resolved => vec!["postmortem_overdue"],
        Status::Closed => vec![],
    }
}

/// Every incident in the database has exactly one channel, one intro, and its announcements
/// posted once; every acknowledged declare is among them; the queue has nothing left to do but
/// the reminders the story calls for, and gave nothing up. Waits for the queue to drain.
async fn assert_nothing_lost_or_doubled(
    fake: &FakeDiscord,
    db: &Db,
    acked: &HashSet<u64>,
    log: &str,
) {
    assert!(
        !acked.is_empty(),
        "a story without an acknowledged declare proves nothing"
    );
    let guild = incident_bot::domain::GuildId::new(fake.guild_id().get()).expect("id");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let open_channels = db
            .unclosed_incidents(guild)
            .await
            .expect("db")
            .iter()
            .all(|r| r.channel_id.is_some());
        // Reminders far in the future stay pending; nothing due may.
        let due_now = db.due_jobs(chrono::Utc::now()).await.expect("db");
        if open_channels
            && due_now == 0
            && fake.messages(world::ANNOUNCEMENTS).len() >= alerts_expected(db, guild).await
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "side effects never completed ({due_now} jobs still due); bot log:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(db.failed_jobs().await.expect("db"), 0, "a job was given up");
    let mut to_publish = 0;
    for r in db.unclosed_incidents(guild).await.expect("db") {
        let mut waiting: Vec<String> = db
            .jobs_of(Some(r.id))
            .await
            .expect("db")
            .into_iter()
            .filter(|j| j.finished_at.is_none())
            .map(|j| j.kind)
            .collect();
        // A post-mortem reminder set seconds before its deadline may not be due yet.
        waiting.retain(|k| k != "postmortem_reminder");
        waiting.sort();
        let announced = db.announcements(r.id).await.expect("db");
        to_publish += announced.iter().filter(|a| a.publish).count();
        // Publishes beyond the hourly budget wait for the hour to free a slot.
        let unpublished = announced
            .iter()
            .filter(|a| a.publish && a.published_at.is_none())
            .count();
        let mut want = reminders_expected(&r);
        want.extend(std::iter::repeat_n("publish", unpublished));
        want.sort_unstable();
        assert_eq!(
            waiting, want,
            "incident #{} ({:?}) waits for other jobs than its reminders",
            r.number, r.incident.status
        );
    }
    // Nothing waits for nobody: every pending job belongs to an incident (those of unclosed
    // incidents were checked one by one above). Counting all pending jobs against the sum would
    // race with reminders that keep firing and queueing their next round.
    let orphans: Vec<_> = db
        .jobs_of(None)
        .await
        .expect("db")
        .into_iter()
        .filter(|j| j.finished_at.is_none())
        .collect();
    assert!(
        orphans.is_empty(),
        "jobs pending that belong to no incident: {orphans:?}"
    );
    assert_eq!(
        fake.crossposted(world::ANNOUNCEMENTS).len(),
        to_publish.min(8),
        "every publish the hourly budget allows is done, and no more"
    );
    let incidents = db.unclosed_incidents(guild).await.expect("db");
    let numbers: Vec<u32> = incidents.iter().map(|r| r.number.0).collect();
    for interaction in acked {
        let id = incident_bot::domain::InteractionId::new(*interaction).expect("id");
        assert!(
            db.incident_by_interaction(id).await.expect("db").is_some(),
            "acknowledged declare {interaction} was lost; have {numbers:?}"
        );
    }
    for r in &incidents {
        let channel = r.channel_id.expect("channel");
        let prefix = format!("inc-{}-", r.number);
        let named: Vec<_> = fake
            .channels_under(world::INCIDENTS)
            .into_iter()
            .filter(|c| c.name.starts_with(&prefix))
            .collect();
        assert_eq!(
            named.len(),
            1,
            "incident #{} has {} channels",
            r.number,
            named.len()
        );
        assert_eq!(named[0].id.get(), channel.get());
        let intro = format!("**Incident #{}: ", r.number);
        let intros = fake
            .messages(serenity::all::ChannelId::new(channel.get()))
            .iter()
            .filter(|m| m.content.contains(&intro))
            .count();
        assert_eq!(intros, 1, "incident #{} has {intros} intros", r.number);
    }
    let alerts = fake
        .messages(world::ANNOUNCEMENTS)
        .iter()
        .filter(|m| m.content.contains("🚨 Service Alert"))
        .count();
    assert_eq!(
        alerts,
        alerts_expected(db, guild).await,
        "one alert per P0, never two"
    );
    let resolved: Vec<_> = incidents
        .iter()
        .filter(|r| r.incident.status == Status::Resolved)
        .collect();
    let all_clears = fake
        .messages(world::ANNOUNCEMENTS)
        .iter()
        .filter(|m| m.content.starts_with("✅ All Clear"))
        .count();
    assert_eq!(
        all_clears,
        resolved.len(),
        "one all-clear per resolved incident"
    );
    // Every post-mortem reminder fires, once, even if it fell due while the bot was dead.
    for r in resolved {
        let channel = serenity::all::ChannelId::new(r.channel_id.map_or(1, ChannelId::get));
        let needle = format!("post-mortem of incident #{} is due", r.number);
        fake.wait_for(&needle, STEP, |f| {
            f.messages(channel)
                .iter()
                .any(|m| m.content.contains(&needle))
        })
        .await;
        let n = fake
            .messages(channel)
            .iter()
            .filter(|m| m.content.contains(&needle))
            .count();
        assert_eq!(n, 1, "incident #{}: the reminder fired {n} times", r.number);
    }
}

/// How many service alerts the database says were asked for.
async fn alerts_expected(db: &Db, guild: incident_bot::domain::GuildId) -> usize {
    let mut n = 0;
    for r in db.unclosed_incidents(guild).await.expect("db") {
        let announced = db.announcements(r.id).await.expect("db");
        n += announced
            .iter()
            .filter(|a| a.kind == incident_bot::store::AnnouncementKind::Alert)
            .count();
    }
    n
}

#[tokio::test]
async fn sigkill_mid_burst_twenty_times_loses_no_acknowledged_declare_and_posts_nothing_twice() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Lcg(seed());
    println!("fault seed: {}", rng.0);
    let env = [
        ("INCIDENT_BOT__POSTMORTEM__DUE_AFTER", "3s"),
        ("INCIDENT_BOT__POSTMORTEM__REMIND_BEFORE", "[\"2s\"]"),
    ];
    let mut acked = HashSet::new();
    let mut bot = ChildBot::start(&fake, dir.path(), &env).await;
    let mut resolved = HashSet::new();
    for round in 0..20u64 {
        let mut handles = Vec::new();
        for k in 0..2 {
            let title = format!("Round {round} outage {k}");
            handles.push(
                incident(
                    &fake,
                    world::RESPONDER,
                    world::GENERAL,
                    "declare",
                    &[("title", title.as_str()), ("severity", "P0")],
                )
                .await,
            );
        }
        // Resolve an incident of an earlier round in the same burst: all-clear and reminders.
        let resolve = match fake
            .channels_under(world::INCIDENTS)
            .into_iter()
            .find(|c| !resolved.contains(&c.id))
        {
            Some(target) => {
                resolved.insert(target.id);
                let resolve = incident(
                    &fake,
                    world::COMMANDER,
                    target.id,
                    "resolve",
                    &[("root_cause", "bad deploy"), ("all_clear", "now")],
                )
                .await;
                Some(resolve)
            }
            None => None,
        };
        // The kill lands at a random point of the burst's jobs, once the first declare was
        // acknowledged (a declare commits first) and the resolve answered (it defers first):
        // waiting on those, not on a long enough sleep, keeps a loaded machine from killing
        // every round before anything was committed.
        handles[0].ack().await;
        if let Some(resolve) = &resolve {
            resolve.reply().await;
        }
        tokio::time::sleep(Duration::from_millis(rng.next(400))).await;
        bot.kill9();
        for h in &handles {
            // A deferred declare was committed first; a refusal is acknowledged too (type 4).
            if h.record().ack.is_some_and(|a| a.kind == 5) {
                acked.insert(h.id.get());
            }
        }
        bot = ChildBot::start(&fake, dir.path(), &env).await;
    }
    let db = open_test_database(dir.path()).await;
    assert_nothing_lost_or_doubled(&fake, &db, &acked, &bot.log()).await;
    assert!(
        acked.len() >= 20,
        "most declares were acknowledged before the kill ({})",
        acked.len()
    );
    let guild = incident_bot::domain::GuildId::new(fake.guild_id().get()).expect("id");
    let resolved = db
        .unclosed_incidents(guild)
        .await
        .expect("db")
        .iter()
        .filter(|r| r.incident.status == Status::Resolved)
        .count();
    assert!(
        resolved >= 5,
        "resolves landed between the kills, so all-clears and reminders were checked ({resolved})"
    );
    // A callback the dying bot never sent is Discord's 3 s rule, not a bot error; anything
    // else the fake saw would be.
    let violations: Vec<_> = fake
        .take_violations()
        .into_iter()
        .filter(|v| !v.detail.contains("Unknown interaction"))
        .collect();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test]
async fn rate_limited_channel_creation_and_posts_still_end_with_one_channel_and_one_intro_each() {
    let fake = world::fake().start().await;
    let bot = crate::support::bot::spawn_bot(&fake).await;
    let window = Duration::from_secs(2);
    fake.fail_for(
        "POST",
        "/guilds/{guild_id}/channels",
        window,
        Fault::RateLimited(Duration::from_millis(300)),
    );
    fake.fail_for(
        "POST",
        "/channels/{channel_id}/messages",
        window,
        Fault::RateLimited(Duration::from_millis(300)),
    );
    let mut handles = Vec::new();
    for n in 0..5 {
        let title = format!("Outage {n}");
        handles.push(
            incident(
                &fake,
                world::RESPONDER,
                world::GENERAL,
                "declare",
                &[("title", title.as_str()), ("severity", "P1")],
            )
            .await,
        );
    }
    // The fake refuses a callback past Discord's 3 s, so an acknowledgement recorded at all
    // came in time: each declare was deferred (committed) while the channel posts were limited.
    for h in &handles {
        assert_eq!(h.ack().await.kind, 5, "the declare was acknowledged");
    }
    fake.wait_for("five channels with intros", Duration::from_secs(30), |f| {
        f.channels_under(world::INCIDENTS).iter().all(|c| {
            f.messages(c.id)
                .iter()
                .any(|m| m.content.contains("**Incident #"))
        }) && f.channels_under(world::INCIDENTS).len() == 5
    })
    .await;
    let acked: HashSet<u64> = handles.iter().map(|h| h.id.get()).collect();
    assert_nothing_lost_or_doubled(&fake, &bot.app.db, &acked, "").await;
}

#[tokio::test]
async fn after_thirty_seconds_of_500s_every_side_effect_completes_once_and_the_queue_shows_the_retries(
) {
    let fake = world::fake().start().await;
    let bot = crate::support::bot::spawn_bot_with(&fake, |s| {
        s.jobs.retry_base = Duration::from_secs(1);
        s.jobs.retry_max = Duration::from_secs(4);
    })
    .await;
    fake.fail_for(
        "POST",
        "/guilds/{guild_id}/channels",
        Duration::from_secs(30),
        Fault::ServerError,
    );
    fake.fail_for(
        "POST",
        "/channels/{channel_id}/messages",
        Duration::from_secs(30),
        Fault::ServerError,
    );
    let mut handles = Vec::new();
    for n in 0..3 {
        let title = format!("Storm {n}");
        handles.push(
            incident(
                &fake,
                world::RESPONDER,
                world::GENERAL,
                "declare",
                &[("title", title.as_str()), ("severity", "P0")],
            )
            .await,
        );
    }
    for h in &handles {
        h.ack().await;
    }
    fake.wait_for(
        "three channels with intros after the storm",
        Duration::from_secs(60),
        |f| {
            f.channels_under(world::INCIDENTS).len() == 3
                && f.channels_under(world::INCIDENTS).iter().all(|c| {
                    f.messages(c.id)
                        .iter()
                        .any(|m| m.content.contains("**Incident #"))
                })
        },
    )
    .await;
    let acked: HashSet<u64> = handles.iter().map(|h| h.id.get()).collect();
    assert_nothing_lost_or_doubled(&fake, &bot.app.db, &acked, "").await;
    let guild = incident_bot::domain::GuildId::new(fake.guild_id().get()).expect("id");
    let mut retried = 0;
    for r in bot.app.db.unclosed_incidents(guild).await.expect("db") {
        retried += bot
            .app
            .db
            .jobs_of(Some(r.id))
            .await
            .expect("jobs")
            .iter()
            .filter(|j| j.attempts > 1 && j.last_error.is_some())
            .count();
    }
    assert!(retried >= 3, "the queue records the retries ({retried})");
}

#[tokio::test]
async fn a_dropped_gateway_is_reconnected_and_acknowledged_work_still_completes() {
    let fake = world::fake().start().await;
    let bot = crate::support::bot::spawn_bot(&fake).await;
    let mut handles = Vec::new();
    for n in 0..3 {
        let title = format!("Before the drop {n}");
        handles.push(
            incident(
                &fake,
                world::RESPONDER,
                world::GENERAL,
                "declare",
                &[("title", title.as_str()), ("severity", "P2")],
            )
            .await,
        );
    }
    // One declare is acknowledged before the drop; the others may be cut off in flight.
    handles[0].ack().await;
    fake.drop_gateway();
    fake.wait_for("a new IDENTIFY", Duration::from_secs(20), |f| {
        f.identifies().len() == 2
    })
    .await;
    // Reconnecting takes longer than Discord's 3 s: what will be acknowledged already is.
    let acked: HashSet<u64> = handles
        .iter()
        .filter(|h| h.record().ack.is_some_and(|a| a.kind == 5))
        .map(|h| h.id.get())
        .collect();
    let listed =
        crate::support::story::run(&fake, world::RESPONDER, world::GENERAL, "status", &[]).await;
    // The reconnected bot answers from the database: every incident it holds, nothing else.
    let guild = incident_bot::domain::GuildId::new(fake.guild_id().get()).expect("id");
    let open = bot.app.db.unclosed_incidents(guild).await.expect("db");
    assert!(listed.starts_with("**Open incidents**\n"), "{listed}");
    assert_eq!(
        listed.lines().filter(|l| l.starts_with("- ")).count(),
        open.len(),
        "{listed}"
    );
    for r in &open {
        let line = format!("#{} **P2** {}: phase 1, open", r.number, r.incident.title);
        assert!(listed.contains(&line), "no {line:?} in {listed}");
    }
    assert_nothing_lost_or_doubled(&fake, &bot.app.db, &acked, "").await;
}

#[tokio::test]
async fn twelve_p0s_in_an_hour_post_every_alert_at_once_and_publish_at_most_eight() {
    let fake = world::fake().start().await;
    let bot = crate::support::bot::spawn_bot(&fake).await;
    for n in 0..12 {
        let title = format!("Outage {n}");
        crate::support::story::declare(
            &fake,
            world::RESPONDER,
            &[("title", title.as_str()), ("severity", "P0")],
        )
        .await;
    }
    fake.wait_for("twelve alerts", STEP, |f| {
        f.messages(world::ANNOUNCEMENTS).len() == 12
    })
    .await;
    bot.settle().await;
    assert_eq!(fake.crossposted(world::ANNOUNCEMENTS).len(), 8);
    let guild = incident_bot::domain::GuildId::new(fake.guild_id().get()).expect("id");
    let mut queued = Vec::new();
    for r in bot.app.db.unclosed_incidents(guild).await.expect("db") {
        queued.extend(
            bot.app
                .db
                .jobs_of(Some(r.id))
                .await
                .expect("jobs")
                .into_iter()
                .filter(|j| j.kind == "publish" && j.finished_at.is_none()),
        );
    }
    assert_eq!(queued.len(), 4, "the rest wait for the budget");
    let soonest = queued.iter().map(|j| j.due_at).min().expect("queued");
    assert!(
        soonest > chrono::Utc::now() + chrono::TimeDelta::minutes(55),
        "queued for when the hour frees a slot: {soonest}"
    );
}

#[test]
fn the_bot_refuses_to_start_on_a_database_it_cannot_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    // /proc accepts no new files, even from root: the closest thing to a read-only disk here.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_incident-bot"))
        .args([
            "run",
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config/example.toml"),
        ])
        .env("DISCORD_TOKEN", "unused")
        .env("INCIDENT_BOT__DATABASE__PATH", "/proc/incident-bot-test.db")
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write to the database /proc/incident-bot-test.db"),
        "{err}"
    );
    assert!(
        err.contains("read-only") && err.contains("disk is full"),
        "{err}"
    );
}

#[tokio::test]
async fn when_the_database_goes_away_commands_say_try_again_and_the_bot_stays_up() {
    let fake = world::fake().start().await;
    let bot = crate::support::bot::spawn_bot(&fake).await;
    let channel = crate::support::story::declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    bot.app.db.close().await;
    let answer = crate::support::story::run(
        &fake,
        world::RESPONDER,
        channel.id,
        "update",
        &[("message", "still here?")],
    )
    .await;
    assert_eq!(answer, crate::support::UNAVAILABLE);
    let status =
        crate::support::story::run(&fake, world::RESPONDER, world::GENERAL, "status", &[]).await;
    assert_eq!(status, crate::support::UNAVAILABLE);
    let ping = fake
        .slash(world::PLAYER)
        .in_channel(world::GENERAL)
        .command("ping")
        .send()
        .await;
    assert_eq!(
        ping.ack().await.data["content"],
        "ok",
        "the bot is still up"
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_ephemeral_error_and_writes_nothing_pings_nobody() {
    let fake = world::fake().start().await;
    let bot = crate::support::bot::spawn_bot(&fake).await;
    let long = "x".repeat(5000);
    let corpus: [(&str, &str); 7] = [
        ("", "empty"),
        ("   ", "empty"),
        (&long, "5000 characters long; the limit is 100"),
        ("Login\u{0007}down", "hidden character (U+0007)"),
        ("Login\u{200B}down", "hidden character (U+200B)"),
        ("Login\u{202E}nwod", "hidden character (U+202E)"),
        ("Log\u{00AD}in down", "hidden character (U+00AD)"),
    ];
    for (title, says) in corpus {
        let answer = crate::support::story::run(
            &fake,
            world::RESPONDER,
            world::GENERAL,
            "declare",
            &[("title", title), ("severity", "P0")],
        )
        .await;
        assert!(
            answer.starts_with('⛔') && answer.contains(says),
            "{title:?}: {answer}"
        );
    }
    // A client still showing an older definition sends an option the command no longer has.
    let stale = fake
        .slash(world::RESPONDER)
        .in_channel(world::GENERAL)
        .command("incident")
        .sub("declare")
        .opt_str("title", "Login down")
        .opt_int("severity", 0)
        .opt_str("colour", "red")
        .send_from_stale_client()
        .await;
    let reply = stale.reply().await;
    assert_eq!(reply.flags & 64, 64, "ephemeral: {}", reply.content);
    assert!(
        reply.content.starts_with('⛔')
            && reply.content.contains("no option `colour`")
            && reply.content.contains("reload Discord"),
        "{}",
        reply.content
    );
    let guild = incident_bot::domain::GuildId::new(fake.guild_id().get()).expect("id");
    assert!(
        bot.app
            .db
            .unclosed_incidents(guild)
            .await
            .expect("db")
            .is_empty(),
        "nothing written"
    );
    assert!(fake.channels_under(world::INCIDENTS).is_empty());
    for ch in [world::ANNOUNCEMENTS, world::LOG, world::GENERAL] {
        assert!(fake.messages(ch).is_empty(), "nothing posted in {ch}");
    }

    // A closed incident accepts nothing more.
    let channel = crate::support::story::declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P3")],
    )
    .await;
    crate::support::story::run(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[("root_cause", "typo"), ("all_clear", "now")],
    )
    .await;
    crate::support::story::run(&fake, world::COMMANDER, channel.id, "close", &[]).await;
    for (sub, opts) in [
        ("update", vec![("message", "late")]),
        ("phase", vec![("to", "resolution")]),
        ("note", vec![("text", "late")]),
    ] {
        let answer =
            crate::support::story::run(&fake, world::RESPONDER, channel.id, sub, &opts).await;
        assert!(
            answer.contains("this incident is closed")
                || answer.contains("This incident is closed"),
            "{sub}: {answer}"
        );
    }
}

#[tokio::test]
async fn a_failed_interaction_callback_is_logged_without_the_interaction_token() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = ChildBot::start(&fake, dir.path(), &[]).await;
    let callback = "/interactions/{interaction_id}/{interaction_token}/callback";
    // The defer meets a dropped connection (reqwest's error prints the URL, token and all),
    // the apology a 500 (serenity's error keeps the URL in a field that Debug prints).
    fake.fail_next("POST", callback, 1, Fault::Disconnect);
    fake.fail_next("POST", callback, 1, Fault::ServerError);

    let status = incident(&fake, world::RESPONDER, world::GENERAL, "status", &[]).await;
    let log = bot
        .wait_for_log("could not tell the user their command failed")
        .await;

    crate::support::child::assert_no_tokens(&log, &fake, &status.token);
    // What the log says instead: the command, its error id, and the redacted cause.
    let error_id = format!("E{:x}", status.id.get());
    assert!(
        log.lines()
            .any(|l| l.contains("command failed") && l.contains(&error_id)),
        "{log}"
    );
    assert!(
        log.contains(&format!("/interactions/{}/[redacted]/callback", status.id)),
        "{log}"
    );
    assert!(
        status.record().ack.is_none(),
        "both callbacks failed, so nothing was acknowledged"
    );
}

#[tokio::test]
async fn every_discord_call_of_the_bot_gives_up_when_discord_does_not_answer() {
    let fake = world::fake().start().await;
    let bot = crate::support::bot::spawn_bot_with(&fake, |s| {
        s.jobs.discord_timeout = Duration::from_secs(1);
    })
    .await;
    // The client the bot answers commands, registers them and counts channels with (the one
    // `startup` hands serenity), not only its jobs' calls.
    let http = incident_bot::discord::http(
        &bot.app,
        &incident_bot::config::DiscordToken::new(fake.token().to_owned()),
    )
    .expect("an HTTP client");
    // Every such call for a while (the bot's own start-up reads the channels too).
    fake.fail_for(
        "GET",
        "/guilds/{guild_id}/channels",
        Duration::from_secs(600),
        Fault::Delayed(Duration::from_secs(120)),
    );
    let call = http.get_channels(serenity::all::GuildId::new(fake.guild_id().get()));
    let outcome = tokio::time::timeout(STEP, call).await;
    let Ok(result) = outcome else {
        panic!("the call still waited for Discord after {STEP:?}");
    };
    let error = result.expect_err("Discord never answered");
    assert!(
        matches!(&error, serenity::Error::Http(serenity::all::HttpError::Request(e)) if e.is_timeout()),
        "a timeout: {error}"
    );
}

#[tokio::test]
async fn a_second_run_on_the_same_sqlite_file_refuses_to_start_and_names_the_first() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    // SQLite on both passes: this is about the file.
    let config = dir.path().join("bot.toml");
    std::fs::write(
        &config,
        crate::support::bot::config_toml(&fake, &dir.path().join("bot.db")),
    )
    .expect("config");
    let mut first = ChildBot::start(&fake, dir.path(), &[]).await;
    let identifies = fake.identifies().len();
    let config = config.to_str().expect("UTF-8").to_owned();
    let mut second = ChildBot::spawn(&fake, dir.path(), &["run", "--config", &config], &[]);
    let status = second.wait_exit(STEP).await;
    assert!(!status.success(), "{status:?}");
    let log = second.log();
    assert!(
        log.contains(&format!(
            "another incident-bot (pid {}) is running on the database {}",
            first.pid(),
            dir.path().join("bot.db").display()
        )),
        "{log}"
    );
    assert_eq!(fake.identifies().len(), identifies, "one gateway session");
    // The first goes on as before.
    let channel = crate::support::story::declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    assert!(channel.name.starts_with("inc-1"));
    first.signal("TERM");
    assert!(first.wait_exit(STEP * 2).await.success());
}
