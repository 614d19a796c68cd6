//! How fast the webhook answers under the 1,000-alert burst: the release bot against the fake
//! Discord on 127.0.0.1, Alertmanager's POSTs of 1,000 alerts each (one group per POST, the
//! same group again, and four senders at once), timed at the sender from connect to the end of
//! the answer. Prints a table and keeps it in `bench/RESULTS.md`.
//!
//! `cargo bench --bench webhook` (under a minute once built).

#[path = "../tests/it/support/mod.rs"]
#[allow(
    dead_code,
    reason = "the integration tests' harness: the bench uses only part of it"
)]
mod support;

#[path = "support/report.rs"]
mod report;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use support::bot::{spawn_bot_with, world};
use support::http;

const TOKEN: &str = "bench-token-0123456789abcdef0123456789";
const ALERTS: usize = 1000;
const ROUNDS: usize = 100;
const SENDERS: usize = 4;
const FIRING: &str = include_str!("../tests/fixtures/alertmanager_firing.json");

/// A POST body of `ALERTS` firing alerts of group `group`.
fn burst(group: &str) -> Vec<u8> {
    let mut body: Value = serde_json::from_str(FIRING).expect("fixture");
    let one = body["alerts"][0].clone();
    body["groupKey"] = json!(group);
    body["alerts"] = (0..ALERTS)
        .map(|n| {
            let mut a = one.clone();
            a["fingerprint"] = json!(format!("{group}-{n}"));
            a
        })
        .collect();
    serde_json::to_vec(&body).expect("json")
}

async fn timed(addr: std::net::SocketAddr, body: &[u8]) -> Duration {
    let auth = format!("Bearer {TOKEN}");
    let started = Instant::now();
    let res = http::post(
        addr,
        "/hooks/alertmanager",
        &[("authorization", &auth)],
        body,
    )
    .await;
    let took = started.elapsed();
    assert_eq!(res.status, 200, "{}", res.body);
    took
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// p50, p95, p99 and max by nearest rank.
fn row(name: &str, mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |p: f64| {
        let rank = ((p * times.len() as f64).ceil() as usize).clamp(1, times.len());
        times[rank - 1]
    };
    format!(
        "| {name} | {} | {} | {} | {} | {} |",
        times.len(),
        ms(at(0.50)),
        ms(at(0.95)),
        ms(at(0.99)),
        ms(*times.last().expect("times"))
    )
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let started = Instant::now();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s| {
        s.intake.secrets.alertmanager = Some(secrecy::SecretString::from(TOKEN));
        s.intake.rate_per_minute = u32::MAX;
    })
    .await;
    let size = burst("g-warmup").len();
    timed(bot.public, &burst("g-warmup")).await;

    let mut new_groups = Vec::new();
    for n in 0..ROUNDS {
        let body = burst(&format!("g-new-{n}"));
        new_groups.push(timed(bot.public, &body).await);
    }
    let same = burst("g-same");
    let mut repeats = Vec::new();
    for _ in 0..ROUNDS {
        repeats.push(timed(bot.public, &same).await);
    }
    let addr = bot.public;
    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        let bodies: Vec<Vec<u8>> = (0..ROUNDS / SENDERS)
            .map(|n| burst(&format!("g-par-{s}-{n}")))
            .collect();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for body in bodies {
                times.push(timed(addr, &body).await);
            }
            times
        }));
    }
    let mut parallel = Vec::new();
    for t in tasks {
        parallel.extend(t.await.expect("a sender"));
    }
    let stored = bot.app.db.alert_count().await.expect("count");
    let cards = bot.app.db.alert_cards().await.expect("cards").len();
    let all: Vec<Duration> = new_groups
        .iter()
        .chain(&repeats)
        .chain(&parallel)
        .copied()
        .collect();
    let p99_all = {
        let mut a = all.clone();
        a.sort();
        a[((0.99 * a.len() as f64).ceil() as usize).clamp(1, a.len()) - 1]
    };
    let machine = report::Machine::detect(repo);
    let heading = "## Webhook answer time (intake)";
    let section = format!(
        "{heading}\n\n\
         `cargo bench --bench webhook` (`benches/webhook.rs`), release build; {machine}.\n\n\
         The release bot (real database file, job queue and Discord adapter) against the fake \
         Discord on 127.0.0.1. Each request is one Alertmanager webhook POST of {ALERTS} firing \
         alerts of one group ({size} bytes), with the bearer token, to `/hooks/alertmanager` on \
         the public listener; timed at the sender from connect to the end of the answer (the \
         answer comes after the delivery is committed; the card is a job).\n\n\
         | 1,000-alert POSTs | count | p50 | p95 | p99 | max |\n\
         | --- | ---: | ---: | ---: | ---: | ---: |\n\
         {}\n{}\n{}\n\n\
         Stored: {stored} alerts on {cards} cards. Target: answered within 1 s (Sentry drops \
         hooks slower than that): {} (p99 of all {} POSTs: {}).\n\n\
         Bench run time: {:.0} s.\n",
        row("a new group each (insert 1,000 alerts + card)", new_groups),
        row(
            "the same group again (1,000 repeats, no new occurrence)",
            repeats
        ),
        row(
            &format!("{SENDERS} senders at once, a new group each"),
            parallel
        ),
        if p99_all < Duration::from_secs(1) {
            "met"
        } else {
            "NOT met"
        },
        all.len(),
        ms(p99_all),
        started.elapsed().as_secs_f64(),
    );
    println!("{section}");
    report::write_section(&repo.join("bench/RESULTS.md"), heading, &section)
        .expect("write bench/RESULTS.md");
}
