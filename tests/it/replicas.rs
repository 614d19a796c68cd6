//! Two replicas on one PostgreSQL database and one fake Discord: one owns the gateway, the other
//! stands by (serving HTTP and working the job queue) and takes the gateway over within seconds
//! when the owner is killed, with nothing done twice.

use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::bot::{config_toml, fresh_postgres_url, world};
use crate::support::child::{wait_until_answering, ChildBot};
use crate::support::fake_discord::FakeDiscord;
use crate::support::http;
use crate::support::story::run;

/// A port free on loopback now, for a replica's private listener.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Writes a replica's config in `dir`: the test world, PostgreSQL at `url`, the private
/// listener on `port`, and short leases (the only way back for a killed replica's jobs).
fn replica_config(fake: &FakeDiscord, dir: &Path, url: &str, port: u16) -> String {
    let base = config_toml(fake, &dir.join("unused.db"));
    let mut lines: Vec<String> = base
        .lines()
        .filter(|l| !l.starts_with("path = "))
        .map(|l| {
            if l.starts_with("listen = ") {
                format!("listen = \"127.0.0.1:{port}\"")
            } else {
                l.to_owned()
            }
        })
        .collect();
    let at = lines
        .iter()
        .position(|l| l == "[database]")
        .expect("a [database] table");
    lines.insert(at + 1, format!("url = \"{url}\""));
    let jobs = lines
        .iter()
        .position(|l| l == "[jobs]")
        .expect("a [jobs] table");
    lines.insert(jobs + 1, "lease = \"3s\"".to_owned());
    lines.insert(jobs + 2, "discord_timeout = \"2s\"".to_owned());
    let path = dir.join("bot.toml");
    std::fs::write(&path, lines.join("\n")).expect("write config");
    path.to_str().expect("UTF-8").to_owned()
}

async fn readyz(port: u16) -> String {
    http::get(
        format!("127.0.0.1:{port}").parse().expect("addr"),
        "/readyz",
    )
    .await
    .body
}

#[tokio::test]
async fn the_standby_owns_the_gateway_within_seconds_of_a_kill_and_nothing_is_done_twice() {
    let fake = world::fake().start().await;
    let url = fresh_postgres_url().await;
    let (one, two) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let (port_a, port_b) = (free_port(), free_port());
    let config_a = replica_config(&fake, one.path(), &url, port_a);
    let config_b = replica_config(&fake, two.path(), &url, port_b);
    let info = [("RUST_LOG", "info")];
    let mut a =
        ChildBot::start_with(&fake, one.path(), &["run", "--config", &config_a], &info).await;
    let b = ChildBot::spawn(&fake, two.path(), &["run", "--config", &config_b], &info);
    b.wait_for_log("standing by: another replica owns the gateway")
        .await;
    assert_eq!(
        fake.identifies().len(),
        1,
        "one gateway session, the owner's"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(fake.identifies().len(), 1, "still one session");
    let standby = readyz(port_b).await;
    assert!(
        standby.contains("standing by:") && standby.contains(&format!("pid {}", a.pid())),
        "the standby is ready and names the owner: {standby}"
    );

    // A burst of declares: the owner is killed after the third, mid-way through its jobs.
    let mut answered = Vec::new();
    let mut failover = None;
    for n in 1..=6 {
        if n == 4 {
            a.kill9();
            let killed = Instant::now();
            // Commands go to the new owner's session once it has one.
            fake.wait_for("the standby to identify", Duration::from_secs(15), |f| {
                f.identifies().len() == 2
            })
            .await;
            wait_until_answering(&fake).await;
            failover = Some(killed.elapsed());
        }
        let title = format!("Burst {n}");
        let answer = run(
            &fake,
            world::RESPONDER,
            world::GENERAL,
            "declare",
            &[("title", &title), ("severity", "P2")],
        )
        .await;
        assert!(answer.contains("declared"), "{answer}");
        answered.push(title);
    }
    let failover = failover.expect("killed");
    eprintln!("failover: kill -9 of the owner to the next command answered in {failover:?}");
    assert!(
        failover < Duration::from_secs(10),
        "the standby answered commands {failover:?} after the kill"
    );
    assert_eq!(fake.identifies().len(), 2, "the standby connected once");
    let owner = readyz(port_b).await;
    assert!(owner.contains("this replica owns the gateway"), "{owner}");

    // Every acknowledged declare opened exactly one channel, numbered once, whoever did it.
    fake.wait_for("six incident channels", Duration::from_secs(20), |f| {
        f.channels_under(world::INCIDENTS).len() >= 6
    })
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut names: Vec<String> = fake
        .channels_under(world::INCIDENTS)
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    assert_eq!(names.len(), 6, "{names:?}");
    for n in 1..=6 {
        assert_eq!(
            names
                .iter()
                .filter(|c| c.starts_with(&format!("inc-{n}-")))
                .count(),
            1,
            "incident {n}: {names:?}"
        );
    }
    // Each intro was posted once: no message twice in any incident channel.
    for channel in fake.channels_under(world::INCIDENTS) {
        let mut contents: Vec<String> = fake
            .messages(channel.id)
            .into_iter()
            .map(|m| m.content)
            .collect();
        let all = contents.len();
        contents.sort();
        contents.dedup();
        assert_eq!(
            contents.len(),
            all,
            "a message posted twice in #{}",
            channel.name
        );
    }
    drop(b);
}
