//! The database going away under a burst of commands: two replicas on a PostgreSQL server of
//! the test's own, stopped with `pg_ctl stop -m fast` and started again, as `pg_ctl restart -m
//! fast` does, with a few seconds between so that commands and `/readyz` meet the outage. People
//! hear "try again in a moment" within Discord's 3 s, the owner keeps its gateway session (acting
//! on nothing until it has its lease back) and answers again without a restart, and every
//! declare answered as done exists exactly once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use incident_bot::domain::GuildId;

use crate::replicas::{assert_no_message_twice, replica_config, with_lease};
use crate::support::bot::world;
use crate::support::chance::free_port;
use crate::support::child::ChildBot;
use crate::support::http;
use crate::support::own_postgres::OwnPostgres;
use crate::support::story::incident;

/// The burst: [`BEFORE`] commands, one every [`GAP`], then the server stopped for [`DOWN`]
/// while commands go on, then [`AFTER`] commands once it is back.
const BEFORE: usize = 6;
const DOWN: Duration = Duration::from_secs(4);
const AFTER: usize = 8;
const GAP: Duration = Duration::from_millis(250);

/// A replica's config as [`replica_config`] writes it, with a gateway lease of 30 s: the lease
/// an outage has to fit in for the owner to keep the gateway. The outage here is stretched on
/// purpose (readiness is read while it lasts), and on a loaded machine pg_ctl alone takes
/// seconds; with the default 15 s the owner's fence could close for a moment before the server
/// is back, and a command then hears "moving to another server".
fn outage_config(
    fake: &crate::support::fake_discord::FakeDiscord,
    dir: &std::path::Path,
    url: &str,
    port: u16,
) -> String {
    let path = replica_config(fake, dir, url, port);
    with_lease(&path, "30s");
    path
}

/// `/readyz` of the replica listening on `port`, parsed.
async fn readiness(port: u16) -> (u16, serde_json::Value) {
    let answer = http::get(
        format!("127.0.0.1:{port}").parse().expect("addr"),
        "/readyz",
    )
    .await;
    (answer.status, answer.json())
}

/// What became of one command of the burst: what its user read, and the type of the
/// interaction's callback, or `None` when no answer came.
struct Answered {
    title: String,
    /// Sent after the server was stopped and before it was started again.
    while_down: bool,
    reply: Option<(String, u8)>,
}

/// Runs `what` (`pg_ctl <name>`) off the runtime, so that the fake Discord keeps serving.
async fn pg_ctl(server: &Arc<OwnPostgres>, name: &str, what: fn(&OwnPostgres)) {
    let server = Arc::clone(server);
    let took = Instant::now();
    tokio::task::spawn_blocking(move || what(&server))
        .await
        .expect("pg_ctl");
    eprintln!("pg_ctl {name} took {:?}", took.elapsed());
}

/// Sends declare number `n` (and counts it), then waits [`GAP`]; the task that awaits its
/// answer.
async fn declare(
    fake: &crate::support::fake_discord::FakeDiscord,
    n: &mut usize,
    while_down: bool,
) -> tokio::task::JoinHandle<Answered> {
    let title = format!("Burst {n}");
    *n += 1;
    let handle = incident(
        fake,
        world::RESPONDER,
        world::GENERAL,
        "declare",
        &[("title", &title), ("severity", "P3")],
    )
    .await;
    let task = tokio::spawn(async move {
        let reply = tokio::time::timeout(Duration::from_secs(20), handle.reply())
            .await
            .ok()
            .map(|m| (m.content, handle.record().ack.map_or(0, |a| a.kind)));
        Answered {
            title,
            while_down,
            reply,
        }
    });
    tokio::time::sleep(GAP).await;
    task
}

#[tokio::test]
async fn a_database_restart_mid_burst_says_try_again_within_3s_and_loses_nothing() {
    let server = Arc::new(OwnPostgres::start());
    let url = incident_bot::store::fresh_postgres_database(&server.url(), "it_outage")
        .await
        .expect("a database on the test's own server");
    let fake = world::fake().start().await;
    let (one, two) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let ports = [free_port(), free_port()];
    let config_a = outage_config(&fake, one.path(), &url, ports[0]);
    let config_b = outage_config(&fake, two.path(), &url, ports[1]);
    let info = [("RUST_LOG", "info")];
    let mut owner =
        ChildBot::start_with(&fake, one.path(), &["run", "--config", &config_a], &info).await;
    let mut standby = ChildBot::spawn(&fake, two.path(), &["run", "--config", &config_b], &info);
    standby
        .wait_for_log("standing by: another replica owns the gateway")
        .await;

    // The burst: a declare every 250 ms, before, during and after a 4 s outage. Each answer is
    // awaited on its own task.
    let mut waiting = Vec::new();
    let mut n = 0;
    for _ in 0..BEFORE {
        waiting.push(declare(&fake, &mut n, false).await);
    }
    pg_ctl(&server, "stop -m fast", OwnPostgres::pg_ctl_stop_fast).await;
    let down = Instant::now();
    let readiness_while_down =
        tokio::spawn(async move { tokio::join!(readiness(ports[0]), readiness(ports[1])) });
    while down.elapsed() < DOWN {
        waiting.push(declare(&fake, &mut n, true).await);
    }
    pg_ctl(&server, "start", OwnPostgres::pg_ctl_start).await;
    for _ in 0..AFTER {
        waiting.push(declare(&fake, &mut n, false).await);
    }
    let (a, b) = readiness_while_down.await.expect("readiness");
    let down_readiness = [a, b];
    let mut answers = Vec::new();
    for task in waiting {
        answers.push(task.await.expect("an answer's task"));
    }

    // While the server was down, both replicas' /readyz named the database.
    for (status, body) in &down_readiness {
        assert_eq!(*status, 503, "not ready while the database is down: {body}");
        let failing: Vec<&str> = body["failing"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .collect();
        assert!(failing.contains(&"database"), "{body}");
    }

    // Every command was answered: done, or, while the server was down and until the owner
    // has its lease back, the clear word within Discord's 3 s (a command still waiting for a
    // connection when the server came back is done); never an error id, never silence.
    let unavailable = crate::support::UNAVAILABLE;
    for a in &answers {
        eprintln!(
            "{} (sent while down: {}): {:?}",
            a.title, a.while_down, a.reply
        );
        let Some((text, callback)) = &a.reply else {
            panic!("{}: no answer at all", a.title);
        };
        if text == unavailable {
            // The callback itself (type 4), not an edit after a deferral: the fake refuses a
            // callback past Discord's 3 s, so this one came in time.
            assert_eq!(
                *callback, 4,
                "{}: told to try again later than the first answer",
                a.title
            );
        } else {
            // Acknowledged within 3 s (the fake refuses a later callback); a declare in
            // flight when the server stopped may wait for its channel before its answer.
            assert!(text.contains("declared"), "{}: {text}", a.title);
        }
    }
    let told_to_retry = answers
        .iter()
        .filter(|a| a.reply.as_ref().is_some_and(|(t, _)| t == unavailable))
        .count();
    assert!(
        told_to_retry >= 3,
        "the commands sent while the server was down were told to try again: {told_to_retry}"
    );

    // The bot recovered by itself: the last commands of the burst were done, by the same
    // processes, on the one gateway session it had.
    for a in &answers[answers.len() - 2..] {
        assert!(
            a.reply
                .as_ref()
                .is_some_and(|(t, _)| t.contains("declared")),
            "{}, seconds after the restart: {:?}",
            a.title,
            a.reply
        );
    }
    assert!(
        owner.running() && standby.running(),
        "both replicas still run; owner's log:\n{}",
        owner.log()
    );
    assert_eq!(fake.identifies().len(), 1, "the owner kept its session");
    for port in ports {
        let deadline = Instant::now() + Duration::from_secs(20);
        while readiness(port).await.0 != 200 {
            assert!(Instant::now() < deadline, "{:?}", readiness(port).await);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    // Nothing lost, nothing twice: every declare answered as done is there once, with one
    // channel; one told to try again is there at most once.
    let db = incident_bot::store::Db::connect_postgres(&url)
        .await
        .expect("the test database");
    let guild = GuildId::new(fake.guild_id().get()).expect("guild");
    let incidents = db.unclosed_incidents(guild).await.expect("incidents");
    let mut stored: HashMap<String, usize> = HashMap::new();
    for record in &incidents {
        *stored
            .entry(record.incident.title.as_str().to_owned())
            .or_default() += 1;
    }
    for a in &answers {
        let count = stored.get(&a.title).copied().unwrap_or(0);
        if a.reply
            .as_ref()
            .is_some_and(|(t, _)| t.contains("declared"))
        {
            assert_eq!(count, 1, "{} was answered as declared", a.title);
        } else {
            assert!(count <= 1, "{} stored {count} times", a.title);
        }
    }
    fake.wait_for("a channel per incident", Duration::from_secs(30), |f| {
        f.channels_under(world::INCIDENTS).len() >= incidents.len()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let channels = fake.channels_under(world::INCIDENTS);
    assert_eq!(channels.len(), incidents.len(), "one channel per incident");
    for channel in &channels {
        assert_no_message_twice(&fake, channel);
    }
    drop((owner, standby));
}
