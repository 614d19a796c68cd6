//! SIGTERM as systemd sends it: the bot stops taking work, lets what is in flight finish for up
//! to 10 s, releases the rest, exits 0; the next start does what was left, once.

use std::path::Path;
use std::time::Duration;

use crate::support::RESTARTING;

use crate::support::bot::{open_test_database, world, STEP};
use crate::support::child::ChildBot;
use crate::support::fake_discord::{FakeDiscord, Fault};
use crate::support::story::incident;

const PIN: &str = "/channels/{channel_id}/pins/{message_id}";
const BURST: usize = 6;

/// Claims the queue still holds: pending jobs with a lease.
async fn leased(dir: &Path) -> u64 {
    open_test_database(dir)
        .await
        .claimed_job_count()
        .await
        .expect("count the claimed jobs")
}

/// Every incident channel of the burst, with its one pinned intro.
fn burst_done(fake: &FakeDiscord) -> bool {
    (1..=BURST).all(|n| {
        fake.channel_named(&format!("inc-{n}-burst-{n}"))
            .is_some_and(|c| fake.pinned(c.id).len() == 1)
    })
}

#[tokio::test]
async fn sigterm_mid_burst_exits_0_and_the_restart_finishes_everything_once() {
    let fake = world::fake().start().await;
    // Discord takes 20 s to answer the pins of the burst's intros: those jobs are still in
    // flight when the signal comes, and outlive the 10 s the bot gives them.
    fake.fail_next("PUT", PIN, BURST, Fault::Delayed(Duration::from_secs(20)));
    let dir = tempfile::tempdir().expect("tempdir");
    let env = [
        ("INCIDENT_BOT__JOBS__DISCORD_TIMEOUT", "60s"),
        // The lease must outlast a call; a running job renews it anyway.
        ("INCIDENT_BOT__JOBS__LEASE", "5m"),
        ("RUST_LOG", "warn,incident_bot=info"),
    ];
    let mut bot = ChildBot::start(&fake, dir.path(), &env).await;

    let mut declared = Vec::new();
    for n in 1..=BURST {
        let title = format!("burst {n}");
        let h = incident(
            &fake,
            world::RESPONDER,
            world::GENERAL,
            "declare",
            &[("title", &title), ("severity", "P2")],
        )
        .await;
        // An acknowledged declare is committed.
        h.ack().await;
        declared.push(h);
    }
    fake.wait_for("pins in flight", STEP, |f| {
        f.requests_to("PUT", PIN).len() >= 2
    })
    .await;

    bot.signal("TERM");
    // The signal is handled on the bot's own time: once it says so, it takes no new work.
    bot.wait_for_log("shutting down").await;
    // While it drains, a new command is turned away, visibly to its user only.
    let late = incident(
        &fake,
        world::RESPONDER,
        world::GENERAL,
        "declare",
        &[("title", "too late"), ("severity", "P2")],
    )
    .await;
    let answer = late.reply().await;
    assert_eq!(answer.content, RESTARTING);
    assert_eq!(answer.flags & 64, 64, "ephemeral");

    let status = bot.wait_exit(Duration::from_secs(40)).await;
    let log = bot.log();
    assert!(status.success(), "exit {status:?}; log:\n{log}");
    assert!(!log.contains('\u{1b}'), "no colour codes in a file: {log}");
    assert_eq!(
        leased(dir.path()).await,
        0,
        "every claim was released on the way out"
    );
    for h in &declared {
        assert!(
            h.reply().await.content.contains("declared"),
            "{:?}",
            h.messages()
        );
    }

    let bot = ChildBot::start(&fake, dir.path(), &env).await;
    fake.wait_for("every channel with its pinned intro", STEP * 3, burst_done)
        .await;
    let store = open_test_database(dir.path()).await;
    let incidents = store
        .unclosed_incidents(incident_bot::domain::GuildId::new(fake.guild_id().get()).expect("id"))
        .await
        .expect("read");
    assert_eq!(incidents.len(), BURST, "the late declare wrote nothing");
    for n in 1..=BURST {
        let channel = fake
            .channel_named(&format!("inc-{n}-burst-{n}"))
            .expect("the channel");
        let intros: Vec<_> = fake
            .messages(channel.id)
            .into_iter()
            .filter(|m| m.content.contains(&format!("Incident #{n}: burst {n}")))
            .collect();
        assert_eq!(intros.len(), 1, "one intro in #{}", channel.name);
        // The log line is a job of its own, which may still be on its way after the intros.
        let logged = |f: &FakeDiscord| {
            f.messages(world::LOG)
                .into_iter()
                .filter(|m| m.content.starts_with(&format!("🚨 #{n} ")))
                .count()
        };
        fake.wait_for("the log line", STEP, |f| logged(f) > 0).await;
        assert_eq!(logged(&fake), 1, "#{n} logged once");
    }
    let names: Vec<String> = fake
        .channels_under(world::INCIDENTS)
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names.len(), BURST, "{names:?}");
    assert!(!names.iter().any(|n| n.contains("too-late")), "{names:?}");
    assert_eq!(store.failed_jobs().await.expect("count"), 0);
    store.close().await;
    drop(bot);
}

#[tokio::test]
async fn under_systemd_the_bot_says_ready_pets_the_watchdog_and_says_stopping() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let socket_path = dir.path().join("notify.sock");
    let socket = tokio::net::UnixDatagram::bind(&socket_path).expect("bind the notify socket");
    let socket_env = socket_path.to_str().expect("UTF-8").to_owned();
    let mut bot = ChildBot::start(
        &fake,
        dir.path(),
        &[("NOTIFY_SOCKET", &socket_env), ("WATCHDOG_USEC", "2000000")],
    )
    .await;
    let mut said = Vec::new();
    let mut buf = [0u8; 256];
    let heard = |said: &[String], what: &str| said.iter().filter(|s| *s == what).count();
    tokio::time::timeout(STEP * 2, async {
        while heard(&said, "WATCHDOG=1") < 2 {
            let n = socket.recv(&mut buf).await.expect("a datagram");
            said.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the watchdog was not fed twice: {said:?}"));
    assert_eq!(
        said.first().map(String::as_str),
        Some("READY=1"),
        "{said:?}"
    );
    bot.signal("TERM");
    tokio::time::timeout(STEP * 2, async {
        while heard(&said, "STOPPING=1") == 0 {
            let n = socket.recv(&mut buf).await.expect("a datagram");
            said.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    })
    .await
    .unwrap_or_else(|_| panic!("STOPPING=1 never came: {said:?}\n{}", bot.log()));
    assert!(bot.wait_exit(STEP * 2).await.success());
}
