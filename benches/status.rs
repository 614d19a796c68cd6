//! The status page under load: `wrk -t2 -c64 -d10s` on `/` and `/api/v2/summary.json` of the
//! bot's public router (release build, on its own multi-threaded runtime in this process),
//! side by side with Debian's nginx serving the very same bytes as static files, alternating
//! bot, nginx, bot, nginx; then the bot again while a burst of declarations runs (each one a
//! public change: its alert is marked posted, so every commit rebuilds the snapshot). Prints a
//! table and writes it to the "Status page (wrk vs nginx)" section of `bench/RESULTS.md`.
//!
//! `cargo bench --bench status` (about 2 minutes); needs `wrk` and `nginx` (Debian packages).
//! `BENCH_QUICK=1` runs each for 3 s instead of 10.

#[path = "support/report.rs"]
mod report;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, ensure, Context as _};
use incident_bot::app::{declare, ChannelCounts, DeclareArgs};
use incident_bot::clock::SystemClock;
use incident_bot::config::Settings;
use incident_bot::domain::{
    Actor, IncidentKind, InteractionId, MessageId, RoleId, Severity, UserId,
};
use incident_bot::status::{keep_fresh, PageTemplates};
use incident_bot::store::AnnouncementKind;

use report::Machine;

const HEADING: &str = "## Status page (wrk vs nginx)";
const RESPONDER_ROLE: u64 = 1_100_000_000_000_000_200;

fn config(db: &Path) -> String {
    format!(
        r#"
[discord]
guild_id = "1100000000000000001"
[channels]
announcements = "1100000000000000010"
incident_category = "1100000000000000011"
archive_category = "1100000000000000012"
log = "1100000000000000013"
[roles]
responder = "{RESPONDER_ROLE}"
commander = "1100000000000000201"
security = "1100000000000000202"
player_alerts = "1100000000000000203"
[database]
path = "{}"
[http]
listen = "off"
public_listen = "127.0.0.1:0"
[players]
locales = ["en-US", "de"]
"#,
        db.display()
    )
}

/// One wrk run.
#[derive(Debug, Clone, Copy)]
struct Run {
    rps: f64,
    p99_ms: f64,
}

fn duration_ms(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

fn wrk(url: &str, secs: u64) -> anyhow::Result<Run> {
    let out = Command::new("wrk")
        .args(["-t2", "-c64", &format!("-d{secs}s"), "--latency", url])
        .output()
        .context("wrk did not run: install Debian's wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(out.status.success(), "wrk failed: {text}");
    ensure!(
        !text.contains("Non-2xx"),
        "{url} answered errors under load: {text}"
    );
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("no Requests/sec in {text}"))?;
    let p99_ms = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .and_then(duration_ms)
        .with_context(|| format!("no 99% latency in {text}"))?;
    Ok(Run { rps, p99_ms })
}

/// nginx serving `www` on `port`, in the foreground, until killed.
fn nginx(dir: &Path, port: u16) -> anyhow::Result<Child> {
    let conf = dir.join("nginx.conf");
    let d = dir.display();
    std::fs::write(
        &conf,
        format!(
            "daemon off;\nworker_processes 2;\nuser root;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/t1; proxy_temp_path {d}/t2;\n  \
             fastcgi_temp_path {d}/t3; uwsgi_temp_path {d}/t4; scgi_temp_path {d}/t5;\n  \
             types {{ text/html html; application/json json; }}\n  \
             server {{ listen 127.0.0.1:{port}; root {d}/www; index index.html; etag on;\n    \
             add_header Cache-Control \"public, max-age=15\"; }}\n}}\n"
        ),
    )?;
    let child = Command::new("nginx")
        .args(["-c", &conf.display().to_string(), "-p", &d.to_string()])
        .spawn()
        .context("nginx did not start: install Debian's nginx")?;
    Ok(child)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_http(url: &str) -> anyhow::Result<()> {
    for _ in 0..200 {
        let ok = Command::new("wrk")
            .args(["-t1", "-c1", "-d1s", url])
            .output()
            .is_ok_and(|o| {
                o.status.success() && !String::from_utf8_lossy(&o.stdout).contains("errors")
            });
        if ok {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("{url} never answered")
}

/// Declares an announced P0 and marks its alert posted: a public change.
async fn public_declare(app: &incident_bot::app::App, n: u64, system: &str) -> anyhow::Result<()> {
    let actor = Actor {
        user: UserId::new(1_100_000_000_000_000_300).context("id")?,
        roles: vec![RoleId::new(RESPONDER_ROLE).context("id")?],
    };
    let declared = declare(
        app,
        &actor,
        DeclareArgs {
            detected_at: None,
            title: format!("Bench incident {n}"),
            severity: Severity::P0,
            kind: IncidentKind::Availability,
            systems: Some(system.to_owned()),
            summary: None,
            eta: None,
        },
        InteractionId::new(1_000_000 + n).context("id")?,
        ChannelCounts {
            guild: 10,
            category: 0,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("declare: {e}"))?;
    let mut tx = app.db.begin().await?;
    for a in tx
        .announcements_of(declared.record.id, AnnouncementKind::Alert)
        .await?
    {
        tx.announcement_posted(
            a.id,
            MessageId::new(5_000_000 + n).context("id")?,
            chrono::Utc::now(),
        )
        .await?;
    }
    tx.commit().await?;
    app.public.changed();
    Ok(())
}

/// The routes measured: the page, the widgets' JSON and the game client's feed.
const ROUTES: [&str; 3] = ["/", "/api/v2/summary.json", "/game-status.json"];

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let quick = std::env::var_os("BENCH_QUICK").is_some();
    let secs = if quick { 3 } else { 10 };
    let load_before = load_average();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bot.toml");
    std::fs::write(&path, config(&dir.path().join("bot.db")))?;
    let settings = Settings::load(Some(&path)).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let app = incident_bot::app::App::build(settings, Arc::new(SystemClock)).await?;
    let templates = Arc::new(PageTemplates::load(None).map_err(|e| anyhow::anyhow!("{e:?}"))?);
    let board = incident_bot::status::StatusBoard::default();
    tokio::spawn(keep_fresh(app.clone(), templates, board.clone()));
    // The page as it reads during a typical outage: three public incidents.
    for (n, system) in [(1, "Login"), (2, "Matchmaking"), (3, "Store")] {
        public_declare(&app, n, system).await?;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let bot = listener.local_addr()?;
    // Served as the bot serves it: its connection limits, timeouts and headers included.
    let router = incident_bot::http::public_router(app.clone(), board.clone(), None);
    let limits = incident_bot::http::Limits::of(&app.settings.http);
    tokio::spawn(incident_bot::http::serve(
        listener, router, limits, "public",
    ));
    let bot_url = |p: &str| format!("http://{bot}{p}");
    eprintln!("bot on {bot}");
    wait_http(&bot_url("/")).await?;
    eprintln!("bot answers");
    for _ in 0..200 {
        if board
            .current()
            .get("/")
            .is_some_and(|r| String::from_utf8_lossy(&r.body).contains("Store"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The same bytes, as static files for nginx.
    let www = dir.path().join("www");
    std::fs::create_dir_all(www.join("api/v2"))?;
    let snapshot = board.current();
    let page = snapshot.get("/").context("/")?;
    let summary = snapshot.get("/api/v2/summary.json").context("summary")?;
    let game = snapshot.get("/game-status.json").context("game status")?;
    std::fs::write(www.join("index.html"), &page.body)?;
    std::fs::write(www.join("api/v2/summary.json"), &summary.body)?;
    std::fs::write(www.join("game-status.json"), &game.body)?;
    let sizes = (page.body.len(), summary.body.len(), game.body.len());
    let port = free_port()?;
    let mut nginx_child = nginx(dir.path(), port)?;
    let nginx_url = |p: &str| format!("http://127.0.0.1:{port}{p}");
    eprintln!("nginx on {port}");
    wait_http(&nginx_url("/")).await?;
    eprintln!("nginx answers");

    let mut rows = Vec::new();
    for route in ROUTES {
        let mut bot_runs = Vec::new();
        let mut nginx_runs = Vec::new();
        for _ in 0..2 {
            let (b, n) = (bot_url(route), nginx_url(route));
            bot_runs.push(tokio::task::spawn_blocking(move || wrk(&b, secs)).await??);
            eprintln!("{route}: bot {:?}", bot_runs.last());
            nginx_runs.push(tokio::task::spawn_blocking(move || wrk(&n, secs)).await??);
        }
        rows.push((route, bot_runs, nginx_runs));
    }

    // The bot again while declarations stream in: every commit swaps in a new snapshot.
    let mut burst_rows = Vec::new();
    let mut n = 100;
    for route in ROUTES {
        let stop = Arc::new(AtomicBool::new(false));
        let declared = Arc::new(AtomicU64::new(0));
        let burst = {
            let (app, stop, declared) = (app.clone(), stop.clone(), declared.clone());
            let start = n;
            tokio::spawn(async move {
                let mut k = start;
                while !stop.load(Ordering::Relaxed) {
                    k += 1;
                    if let Err(e) = public_declare(&app, k, &format!("System {}", k % 7)).await {
                        eprintln!("declare failed: {e:#}");
                        break;
                    }
                    declared.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
        };
        let b = bot_url(route);
        let run = tokio::task::spawn_blocking(move || wrk(&b, secs)).await??;
        stop.store(true, Ordering::Relaxed);
        burst.await?;
        n += 1000;
        burst_rows.push((route, run, declared.load(Ordering::Relaxed)));
    }
    // SIGTERM, not SIGKILL: the master then stops its workers.
    let _ = Command::new("kill")
        .args(["-TERM", &nginx_child.id().to_string()])
        .status();
    let _ = nginx_child.wait();

    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut s = String::new();
    writeln!(s, "{HEADING}\n")?;
    writeln!(
        s,
        "`cargo bench --bench status{}` (`benches/status.rs`), {}; {}.\n",
        if cfg!(debug_assertions) {
            " --profile dev"
        } else {
            ""
        },
        if cfg!(debug_assertions) {
            "dev profile build (unoptimised: not comparable with a release build's figures)"
        } else {
            "release build"
        },
        Machine::detect(repo)
    )?;
    writeln!(
        s,
        "Load average (1, 5, 15 min, `/proc/loadavg`): {load_before} before the runs, {} after. \
         The machine is shared with other builds and test runs, so the figures move with its \
         load.\n",
        load_average()
    )?;
    writeln!(
        s,
        "`wrk -t2 -c64 -d{secs}s --latency` on 127.0.0.1, on the same 2 CPUs as the server it loads. \
         The bot's public router (axum, from the in-memory snapshot) runs on a multi-threaded \
         tokio runtime in the bench process; nginx (Debian's, 2 workers, `access_log off`, \
         `etag on`) serves the same bytes from files ({} B page, {} B summary, {} B game status). \
         Runs alternate bot, nginx, bot, nginx. Three announced P0 incidents are on the page; \
         players read English and German (`[players] locales`), so the game status carries both.\n",
        sizes.0, sizes.1, sizes.2
    )?;
    writeln!(
        s,
        "| Route | bot req/s (runs) | nginx req/s (runs) | ratio bot/nginx | bot p99 | nginx p99 |"
    )?;
    writeln!(s, "| --- | ---: | ---: | ---: | ---: | ---: |")?;
    let mut verdicts = Vec::new();
    for (route, bot_runs, nginx_runs) in &rows {
        let mean = |r: &[Run]| r.iter().map(|x| x.rps).sum::<f64>() / r.len() as f64;
        let worst = |r: &[Run]| r.iter().map(|x| x.p99_ms).fold(0.0, f64::max);
        let runs = |r: &[Run]| {
            r.iter()
                .map(|x| format!("{:.0}", x.rps))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ratio = mean(bot_runs) / mean(nginx_runs);
        writeln!(
            s,
            "| `{route}` | {:.0} ({}) | {:.0} ({}) | {ratio:.2}× | {:.2} ms | {:.2} ms |",
            mean(bot_runs),
            runs(bot_runs),
            mean(nginx_runs),
            runs(nginx_runs),
            worst(bot_runs),
            worst(nginx_runs),
        )?;
        verdicts.push(format!(
            "`{route}`: ratio {ratio:.2}× ({}), p99 {:.2} ms ({})",
            if ratio >= 0.5 { "met" } else { "NOT met" },
            worst(bot_runs),
            if worst(bot_runs) < 5.0 {
                "met"
            } else {
                "NOT met"
            }
        ));
    }
    writeln!(s, "\n| During a declare burst (one every 50 ms) | bot req/s | bot p99 | public changes (rebuilds asked) |")?;
    writeln!(s, "| --- | ---: | ---: | ---: |")?;
    for (route, run, declared) in &burst_rows {
        writeln!(
            s,
            "| `{route}` | {:.0} | {:.2} ms | {declared} |",
            run.rps, run.p99_ms
        )?;
        verdicts.push(format!(
            "`{route}` in the burst: p99 {:.2} ms ({})",
            run.p99_ms,
            if run.p99_ms < 20.0 { "met" } else { "NOT met" }
        ));
    }
    writeln!(
        s,
        "\nTargets: at least 0.5× nginx's throughput and p99 under 5 ms at 64 connections when idle; \
         p99 under 20 ms during the burst. {}.",
        verdicts.join("; ")
    )?;
    writeln!(
        s,
        "\nThe burst's declarations run on the bot's runtime (the same process), each one a \
         transaction that asks for a snapshot rebuild; rebuilds (each reads every public \
         incident, and the page grows by one incident each time) are at most one per \
         `MIN_REBUILD_GAP` (250 ms), changes in between folded into the next; wrk and the \
         server share the machine's 2 CPUs, so the numbers are a floor for a dedicated host."
    )?;
    println!("{s}");
    if quick {
        println!("(BENCH_QUICK: not written to bench/RESULTS.md)");
    } else {
        report::write_section(&repo.join("bench/RESULTS.md"), HEADING, &s)?;
    }
    Ok(())
}

/// The first three fields of `/proc/loadavg` (`unknown` where it cannot be read).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(", "))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "unknown".into())
}
