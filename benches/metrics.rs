//! How long `/metrics` takes to render, and how big one scrape is, with every series a busy
//! month of incidents leaves behind. Prints a table and keeps it in `bench/RESULTS.md`.
//!
//! `cargo bench --bench metrics` (a few seconds).

#[path = "support/report.rs"]
mod report;

use std::path::Path;
use std::time::{Duration, Instant};

use incident_bot::metrics::{Metrics, Outcome};

const COMMANDS: &[&str] = &[
    "incident declare",
    "incident severity",
    "incident phase",
    "incident assign",
    "incident update",
    "incident note",
    "incident status",
    "incident resolve",
    "incident close",
    "postmortem done",
    "postmortem draft",
    "ping",
    "Add to timeline",
    "fix held (button)",
];
const OUTCOMES: &[Outcome] = &[
    Outcome::Ok,
    Outcome::Refused,
    Outcome::Error,
    Outcome::Invalid,
    Outcome::Restarting,
];
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/channels/{channel_id}"),
    ("PATCH", "/channels/{channel_id}"),
    ("POST", "/channels/{channel_id}/messages"),
    ("GET", "/channels/{channel_id}/messages/{message_id}"),
    (
        "POST",
        "/channels/{channel_id}/messages/{message_id}/crosspost",
    ),
    ("GET", "/channels/{channel_id}/pins"),
    ("PUT", "/channels/{channel_id}/pins/{message_id}"),
    ("GET", "/guilds/{guild_id}/channels"),
    ("POST", "/guilds/{guild_id}/channels"),
    ("GET", "/users/@me"),
    (
        "PUT",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ),
    (
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
    ),
    ("POST", "/webhooks/{application_id}/{interaction_token}"),
];
const KINDS: &[&str] = &[
    "open_channel",
    "post_intro",
    "post",
    "announce",
    "publish",
    "archive",
    "escalate_commander",
    "update_due",
    "phase_nudge",
    "verify_fix",
    "postmortem_reminder",
    "postmortem_overdue",
];

/// A registry with every series a month of about 40 incidents creates.
fn busy_month() -> Metrics {
    let m = Metrics::new();
    for (i, command) in COMMANDS.iter().enumerate() {
        for outcome in OUTCOMES {
            for _ in 0..(i % 7 + 1) {
                m.command(command, *outcome);
            }
        }
    }
    for (method, route) in ROUTES {
        for status in [Some(200), Some(403), Some(429), Some(500), None] {
            m.discord_request(method, route, status);
        }
    }
    let pending: Vec<(Vec<String>, f64)> = KINDS
        .iter()
        .enumerate()
        .map(|(i, k)| (vec![(*k).to_owned()], i as f64))
        .collect();
    m.jobs_pending.replace(&pending);
    for (i, kind) in KINDS.iter().enumerate() {
        m.jobs_done.add(&[kind], (i * 40) as f64);
        m.jobs_failed.add(&[kind], (i % 3) as f64);
    }
    for i in 0..5000 {
        m.ack.observe(&[], f64::from(i % 300) / 1000.0);
        m.job_lateness.observe(&[], f64::from(i % 900) / 100.0);
    }
    for (i, severity) in ["P0", "P1", "P2", "P3"].iter().enumerate() {
        m.incidents_open.set(&[severity], i as f64);
        for n in 0..10 {
            m.time_to_command
                .observe(&[severity], f64::from(60 * (n + 1)));
            m.time_to_resolve
                .observe(&[severity], f64::from(1800 * (n + 1)));
        }
    }
    m.set_gateway_connected(true);
    m
}

fn main() {
    let m = busy_month();
    let text = m.render();
    let lines = text.lines().count();
    let series = text.lines().filter(|l| !l.starts_with('#')).count();
    // Warm up, then time many renders.
    for _ in 0..100 {
        std::hint::black_box(m.render());
    }
    let rounds = 2000u32;
    let mut times: Vec<Duration> = Vec::with_capacity(rounds as usize);
    for _ in 0..rounds {
        let start = Instant::now();
        std::hint::black_box(m.render());
        times.push(start.elapsed());
    }
    times.sort();
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    let mean = times.iter().sum::<Duration>() / rounds;
    // Recording is on the hot path of every command and job.
    let record_rounds = 200_000u32;
    let start = Instant::now();
    for i in 0..record_rounds {
        m.discord_request("POST", "/channels/{channel_id}/messages", Some(200));
        m.ack.observe(&[], f64::from(i % 100) / 1000.0);
    }
    let per_record = start.elapsed() / (record_rounds * 2);

    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let machine = report::Machine::detect(repo);
    let heading = "## Metrics (/metrics)";
    let section = format!(
        "{heading}\n\n`cargo bench --bench metrics` (`benches/metrics.rs`), release build; {machine}.\n\n\
         The registry holds what a busy month leaves: {} commands × 5 outcomes, {} Discord routes × 4 status \
         classes, {} job kinds, histograms for 4 severities. Rendering only: the scrape also reads two \
         counts from SQLite (pending jobs by kind, open incidents by severity).\n\n\
         | what | value |\n| --- | ---: |\n\
         | scrape size | {} bytes, {lines} lines, {series} samples |\n\
         | render, mean of {rounds} | {:.1} µs |\n\
         | render p50 / p99 | {:.1} µs / {:.1} µs |\n\
         | one recording (counter or histogram) | {:.0} ns |\n",
        COMMANDS.len(),
        ROUTES.len(),
        KINDS.len(),
        text.len(),
        mean.as_secs_f64() * 1e6,
        pct(50).as_secs_f64() * 1e6,
        pct(99).as_secs_f64() * 1e6,
        per_record.as_secs_f64() * 1e9,
    );
    println!("{section}");
    if let Err(e) = report::write_section(&repo.join("bench/RESULTS.md"), heading, &section) {
        eprintln!("could not write bench/RESULTS.md: {e}");
    }
}
