//! Command latency of the release bot against the fake Discord on 127.0.0.1, all in one run:
//! ack latency of every `/incident` command against the `/ping` floor, full-effect latency of
//! `declare` and `update public:true`, `declare` split into the bot's time and the fake's,
//! 50 concurrent responders, a database of 10,000 closed incidents, and peak memory. Prints a
//! table and writes it to the "Command latency" section of `bench/RESULTS.md`.
//!
//! `cargo bench --bench latency` (about 14 minutes); `BENCH_QUICK=1` for a short run while
//! iterating (about 200 commands per phase; printed only, its numbers are not the benchmark's).
//! On PostgreSQL, as the integration tests' PostgreSQL pass runs: `INCIDENT_BOT_TEST_BACKEND=
//! postgres INCIDENT_BOT_TEST_POSTGRES=postgres://user@host/db` (a server whose user may create
//! databases; `tests/run`'s throwaway one will do); every bot gets a fresh database there, and
//! the run writes its own section, "Command latency on PostgreSQL".

#[path = "../tests/it/support/mod.rs"]
#[allow(
    dead_code,
    reason = "the integration tests' harness: the bench uses only part of it"
)]
mod support;

#[path = "latency/breakdown.rs"]
mod breakdown;
#[path = "latency/crowd.rs"]
mod crowd;
#[path = "latency/drive.rs"]
mod drive;
#[path = "latency/footprint.rs"]
mod footprint;
#[path = "latency/load.rs"]
mod load;
#[path = "latency/logs.rs"]
mod logs;
#[path = "latency/mix.rs"]
mod mix;
#[path = "latency/proxy.rs"]
mod proxy;
#[path = "support/rank.rs"]
mod rank;
#[path = "support/report.rs"]
mod report;
#[path = "latency/scale.rs"]
mod scale;
#[path = "latency/seed.rs"]
mod seed;
#[path = "latency/spans.rs"]
mod spans;
#[path = "latency/stats.rs"]
mod stats;
#[path = "latency/table.rs"]
mod table;
#[path = "latency/verdict.rs"]
mod verdict;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use incident_bot::domain::GuildId;
use support::bot::{spawn_bot_in, world};

use crate::footprint::{memory, Child};
use crate::load::Phases;
use crate::logs::Logs;
use crate::proxy::TimingProxy;
use crate::scale::Bench;
use crate::spans::Spans;
use crate::table::{Backend, Results};

/// How much each phase does.
struct Size {
    mode: &'static str,
    /// A short run for iterating: printed, not written to `bench/RESULTS.md`.
    quick: bool,
    /// Incident lives in the sequential mix (12 `/incident` commands and 12 pings each).
    cycles: usize,
    /// Commands per responder in the concurrency run.
    each: usize,
    /// Declares in the proxied split run.
    split: usize,
    /// Rounds per bot in the scale comparison.
    scale: usize,
    /// Closed incidents in the seeded databases.
    seeded: usize,
    /// Incident lives the child process serves before its memory is read.
    child_cycles: usize,
    /// Commands per responder in the child's concurrent burst.
    child_each: usize,
}

impl Size {
    fn from_env() -> Self {
        if std::env::var("BENCH_QUICK").is_ok_and(|v| v == "1") {
            Self {
                mode: "quick (BENCH_QUICK=1)",
                quick: true,
                cycles: 8,
                each: 4,
                split: 10,
                scale: 6,
                seeded: 1_000,
                child_cycles: 2,
                child_each: 2,
            }
        } else {
            Self {
                mode: "full",
                quick: false,
                cycles: 200,
                each: 20,
                split: 200,
                scale: 400,
                seeded: 10_000,
                child_cycles: 20,
                child_each: 8,
            }
        }
    }
}

/// Incident lives run before each measured phase, so that lazily built parts (the fake's
/// schema validators, SQLite's page cache, connection pools) are warm.
const WARMUP: usize = 2;
/// Responders and open incidents of the concurrency run.
const RESPONDERS: usize = 50;
const INCIDENTS: usize = 10;

fn main() {
    let size = Size::from_env();
    let spans = Spans::default();
    let logs = Logs::install(&spans);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(size, logs, spans));
}

async fn run(size: Size, logs: Logs, spans: Spans) {
    let started = Instant::now();
    let backend = Backend::from_env();
    eprintln!("[latency] the bots keep their state in {}", backend.name());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));

    let mut phases = Phases::start();
    phases.next(Some(format!(
        "sequential mix: {} incident lives",
        size.cycles
    )));
    let fake = Arc::new(crowd::guild(RESPONDERS).start().await);
    let dir = database_dir();
    let bot = spawn_bot_in(&fake, dir.path(), |_| {}).await;
    let bench_start = memory("self").unwrap_or_default();
    let admin = fake.http();
    mix::run(&fake, &admin, WARMUP).await;
    let mix = mix::run(&fake, &admin, size.cycles).await;

    phases.next(Some(format!(
        "concurrency: {RESPONDERS} responders × {} commands",
        size.each
    )));
    let mark = logs.mark();
    let crowd = crowd::run(&fake, Some(&bot.app.db), INCIDENTS, RESPONDERS, size.each).await;
    let crowd_busy = busy(&logs, mark);
    let crowd_warnings: Vec<String> = logs
        .since(mark)
        .into_iter()
        .filter(logs::Line::by_bot)
        .map(|l| format!("{} {}: {}", l.level, l.target, l.text))
        .collect();
    let crowd_late = late(&fake);
    bot.stop().await;

    phases.next(Some(format!(
        "declare split through the timing proxy: {} declares",
        size.split
    )));
    let split_fake = world::fake().start().await;
    let proxy = TimingProxy::start(&split_fake.rest_base()).await;
    let split_dir = database_dir();
    let split_bot = spawn_bot_in(&split_fake, split_dir.path(), |s| {
        s.discord.api_base = Some(proxy.base().to_owned());
    })
    .await;
    let split_admin = split_fake.http();
    breakdown::run(&split_fake, &split_admin, &proxy, &spans, WARMUP).await;
    let split = breakdown::run(&split_fake, &split_admin, &proxy, &spans, size.split).await;
    split_bot.stop().await;

    phases.next(Some(format!(
        "scale: seeding {} closed incidents",
        size.seeded
    )));
    let (empty_fake, full_fake) = (world::fake().start().await, world::fake().start().await);
    let (empty_dir, full_dir) = (database_dir(), database_dir());
    let empty_bot = spawn_bot_in(&empty_fake, empty_dir.path(), |_| {}).await;
    let full_bot = spawn_bot_in(&full_fake, full_dir.path(), |_| {}).await;
    // The bot records its command registration after the fake has seen it; a `/ping` answers
    // only once setup is over, and seeding must not hold the write lock before then.
    for fake in [&empty_fake, &full_fake] {
        let up = drive::ping(fake, world::RESPONDER, world::GENERAL).await;
        assert_eq!(up.text(), "ok", "the scale bots are up");
    }
    let guild = GuildId::new(full_fake.guild_id().get()).expect("a real guild id");
    let seeding = Instant::now();
    seed::closed_incidents(&full_bot.app.db, guild, size.seeded)
        .await
        .expect("seed 10,000 closed incidents");
    let seeding = seed::describe(size.seeded, seeding.elapsed(), chrono::Utc::now());
    let (empty_admin, full_admin) = (empty_fake.http(), full_fake.http());
    let empty = Bench {
        fake: &empty_fake,
        admin: &empty_admin,
    };
    let full = Bench {
        fake: &full_fake,
        admin: &full_admin,
    };
    phases.next(Some(format!("scale: {} rounds per bot", size.scale)));
    scale::run(&empty, &full, WARMUP).await;
    let scale = scale::run(&empty, &full, size.scale).await;
    empty_bot.stop().await;
    full_bot.stop().await;

    phases.next(Some("memory: the release binary as its own process".into()));
    let child_fake = Arc::new(crowd::guild(RESPONDERS).start().await);
    let child_dir = database_dir();
    let child = Child::start(&child_fake, child_dir.path(), size.seeded).await;
    let child_start = child.memory();
    let child_admin = child_fake.http();
    let served = mix::run(&child_fake, &child_admin, size.child_cycles).await;
    let burst = crowd::run(&child_fake, None, INCIDENTS, RESPONDERS, size.child_each).await;
    let child_end = child.memory();
    let child_served = served.shots.len() + burst.shots.len();
    let child_log = child.log();
    drop(child);
    let bench_end = memory("self").unwrap_or_default();
    phases.next(None);

    let fakes = [&*fake, &split_fake, &empty_fake, &full_fake, &*child_fake];
    let violations: Vec<String> = fakes
        .iter()
        .flat_map(|f| f.violations())
        .map(|v| format!("[{}] {}: {}", v.kind, v.request, v.detail))
        .collect();
    let results = Results {
        mode: size.mode,
        backend,
        machine: report::Machine::detect(repo).to_string(),
        runtime: started.elapsed(),
        mix,
        crowd,
        crowd_shape: (RESPONDERS, INCIDENTS),
        crowd_late,
        busy: (crowd_busy, busy(&logs, 0)),
        crowd_warnings,
        split,
        scale,
        seeded: size.seeded,
        seeding,
        bench_memory: (bench_start, bench_end),
        child_memory: (child_start, child_end, child_served),
        violations,
        phases: phases.done().to_vec(),
    };
    let section = results.render();
    println!("{section}");
    if !child_log.trim().is_empty() {
        eprintln!("[latency] the child bot logged:\n{child_log}");
    }
    let path = repo.join("bench/RESULTS.md");
    if size.quick {
        // A quick run's numbers are not the benchmark's: keep the last full run's section.
        eprintln!("[latency] quick run: {} left as it was", path.display());
    } else {
        let heading = table::heading(backend);
        report::write_section(&path, heading, &section).expect("write bench/RESULTS.md");
        eprintln!(
            "[latency] wrote the \"{heading}\" section of {}",
            path.display()
        );
    }
    // The fakes are dropped last: one that recorded a violation fails the run here, after the
    // numbers were written.
}

/// A temporary directory for a bot's database; the bot creates the file.
fn database_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// SQLite busy/locked lines the bot logged since `mark`.
fn busy(logs: &Logs, mark: usize) -> usize {
    logs.since(mark)
        .iter()
        .filter(|l| l.by_bot() && l.is_busy())
        .count()
}

/// Callbacks the fake refused for arriving after Discord's 3 s.
fn late(fake: &support::fake_discord::FakeDiscord) -> usize {
    fake.violations()
        .iter()
        .filter(|v| v.kind == "interaction" && v.detail.contains("after dispatch"))
        .count()
}
