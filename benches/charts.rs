//! The charts' costs: drawing one error-rate chart, one incident timeline chart and the status
//! page's uptime picture, and reading a 1 h range at 15 s steps
//! for three systems from a local Prometheus server (Debian's `prometheus`, started here on a
//! temporary data directory that `promtool tsdb create-blocks-from openmetrics` fills with two
//! hours of counters). Prints a table and keeps it in `bench/RESULTS.md`.
//!
//! `cargo bench --bench charts` (a few seconds once built), or `--profile dev` to reuse the
//! debug build.

#[path = "support/report.rs"]
mod report;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use incident_bot::app::MetricsSource;
use incident_bot::chart::{
    error_rate_png, timeline_png, uptime_png, Marker, RateChart, RateWords, TimelineStory,
    TimelineWords, UptimeChart,
};
use incident_bot::config::PrometheusSettings;
use incident_bot::domain::{PhaseBudgets, Sample};

const SYSTEMS: [&str; 3] = ["login", "store", "matchmaking"];

fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort();
    times[(times.len() * p / 100).min(times.len() - 1)]
}

/// Two hours of an error rate at 15 s: calm, then 14 % for 20 minutes, then calm.
fn story(now: DateTime<Utc>) -> (Vec<Sample>, DateTime<Utc>) {
    let detected = now - TimeDelta::minutes(60);
    let samples = (0..480)
        .map(|i| {
            let at = now - TimeDelta::hours(2) + TimeDelta::seconds(15 * i);
            let minute = (at - detected).num_minutes();
            let value = if (0..20).contains(&minute) {
                0.14
            } else {
                0.002
            };
            Sample { at, value }
        })
        .collect();
    (samples, detected)
}

fn bench_chart() -> (Duration, Duration, Duration) {
    let now = Utc::now();
    let (samples, detected) = story(now);
    let words = RateWords {
        title: "login error rate".into(),
        axis: "minutes from detection".into(),
        y_axis: "errors, %".into(),
        threshold: "threshold 1.00 %".into(),
        detected: "detected".into(),
        fix_applied: "fix applied".into(),
        rate: "error rate".into(),
    };
    let chart = RateChart {
        words: &words,
        samples: &samples,
        good_below: 0.01,
        detected_at: detected,
        fixed_at: Some(detected + TimeDelta::minutes(20)),
        to: now,
    };
    let first = Instant::now();
    error_rate_png(&chart).expect("a chart");
    let first = first.elapsed();
    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(error_rate_png(&chart).expect("a chart"));
            start.elapsed()
        })
        .collect();
    (
        first,
        percentile(&mut times, 50),
        percentile(&mut times, 100),
    )
}

/// First, p50 and max of 30 runs of `draw`.
fn timed(draw: impl Fn() -> Vec<u8>) -> (Duration, Duration, Duration) {
    let first = Instant::now();
    std::hint::black_box(draw());
    let first = first.elapsed();
    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(draw());
            start.elapsed()
        })
        .collect();
    (
        first,
        percentile(&mut times, 50),
        percentile(&mut times, 100),
    )
}

fn bench_timeline() -> (Duration, Duration, Duration) {
    let now = Utc::now();
    let (incident, timeline) =
        incident_bot::chart::samples::incident(now - TimeDelta::hours(4)).expect("the story");
    let updates: Vec<DateTime<Utc>> = (0..6)
        .map(|n| now - TimeDelta::minutes(230 - 30 * n))
        .collect();
    let alerts = [now - TimeDelta::minutes(248)];
    let story = TimelineStory {
        incident: &incident,
        timeline: &timeline,
        public_updates: &updates,
        alerts: &alerts,
        budgets: PhaseBudgets::default(),
        now,
    };
    let words = TimelineWords {
        title: "Incident #4: phases against their budgets".into(),
        axis: "minutes from detection".into(),
        budget: "budget (from detection)".into(),
        within: "within budget".into(),
        over: "over budget".into(),
        markers: Marker::ALL.map(|m| m.key().replace('_', " ")),
        phases: [
            "Phase 1: Detection & Triage",
            "Phase 2: Containment",
            "Phase 3: Investigation",
            "Phase 4: Resolution",
            "Phase 5: Recovery & Communication",
        ]
        .map(String::from),
    };
    timed(|| timeline_png(&story, &words).expect("a chart"))
}

fn bench_uptime() -> (Duration, Duration, Duration) {
    // Twice the sample's three systems: six strips, as the default catalogue has.
    let mut rows = incident_bot::chart::samples::uptime_rows();
    rows.extend(incident_bot::chart::samples::uptime_rows());
    let chart = UptimeChart {
        title: "Example Games status",
        rows: &rows,
        span: ("2026-09-08", "2026-12-06"),
        legend: [
            "Operational",
            "Degraded performance",
            "Partial outage",
            "Major outage",
        ],
    };
    timed(|| uptime_png(&chart).expect("a picture"))
}

/// OpenMetrics text of `http_requests_total` for the three systems over the last two hours.
fn history(now: DateTime<Utc>) -> String {
    let mut out = String::from("# TYPE http_requests_total counter\n");
    let start = now.timestamp() - 2 * 3600;
    for system in SYSTEMS {
        for code in ["200", "500"] {
            let mut total = 0u64;
            for i in 0..(2 * 3600 / 15) {
                total += if code == "500" { 3 } else { 297 };
                out.push_str(&format!(
                    "http_requests_total{{service=\"{system}\",code=\"{code}\"}} {total} {}\n",
                    start + i * 15
                ));
            }
        }
    }
    out.push_str("# EOF\n");
    out
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

async fn bench_reads(now: DateTime<Utc>) -> (Duration, Duration, usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let metrics = dir.path().join("history.om");
    std::fs::write(&metrics, history(now)).expect("write the history");
    let made = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&metrics)
        .arg(&data)
        .stdout(Stdio::null())
        .status()
        .expect("promtool (Debian's prometheus package) runs");
    assert!(made.success(), "promtool could not build the blocks");
    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, "global:\n  scrape_interval: 1m\n").expect("config");
    let addr = format!("127.0.0.1:{}", free_port());
    let mut server = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg(format!("--web.listen-address={addr}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the prometheus server (Debian's prometheus package) runs");
    let outbound = incident_bot::outbound::Outbound::new(incident_bot::metrics::Metrics::new())
        .expect("client");
    let settings = PrometheusSettings {
        url: Some(format!("http://{addr}")),
        timeout: Duration::from_secs(10),
        max_points: 2000,
        token: None,
    };
    let source = incident_bot::outbound::prometheus::Prometheus::from_settings(outbound, &settings)
        .expect("settings")
        .expect("a source");
    let queries: Vec<String> = SYSTEMS
        .iter()
        .map(|s| {
            format!(
                "sum(rate(http_requests_total{{service=\"{s}\",code=~\"5..\"}}[1m])) / \
                 sum(rate(http_requests_total{{service=\"{s}\"}}[1m]))"
            )
        })
        .collect();
    let (from, to) = (now - TimeDelta::hours(1), now);
    let step = Duration::from_secs(15);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = source.range(&queries[0], from, to, step).await;
        if ready.is_ok_and(|s| s.samples.len() > 200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never served the history"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut points = 0;
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..30 {
        let start = Instant::now();
        points = 0;
        for q in &queries {
            points += source
                .range(q, from, to, step)
                .await
                .expect("a range")
                .samples
                .len();
        }
        times.push(start.elapsed());
    }
    let _ = server.kill();
    let _ = server.wait();
    assert!(points >= 3 * 230, "{points} points");
    let p50 = percentile(&mut times, 50);
    let max = percentile(&mut times, 100);
    (p50, max, points)
}

fn main() {
    let (first, p50, max) = bench_chart();
    let timeline = bench_timeline();
    let uptime = bench_uptime();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (read_p50, read_max, points) = rt.block_on(bench_reads(Utc::now()));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let machine = report::Machine::detect(repo);
    let heading = "## Charts and error rates (the fix check)";
    let profile = if cfg!(debug_assertions) {
        "debug build (`--profile dev`: the drawing crates are optimised in it, see Cargo.toml)"
    } else {
        "release build"
    };
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned());
    let section = format!(
        "{heading}\n\n`cargo bench --bench charts` (`benches/charts.rs`), {profile}; {machine}.\n\n\
         One error-rate chart of 480 samples (800 × 400 PNG, DejaVu Sans embedded), one incident \
         timeline chart and the status page's uptime picture (the first of each pays for the font \
         only if no chart came before it); three systems' \
         1 h ranges at 15 s steps read one after the other through the bot's own Prometheus \
         adapter from a local `prometheus` server holding two hours of counters. Targets: a chart \
         under 50 ms, the three reads under 100 ms. Load average when it ran (1 min, from \
         `/proc/loadavg`; other builds share the machine): {load}.\n\n\
         | what | value |\n| --- | ---: |\n\
         | first chart (registers the font) | {:.1} ms |\n\
         | one chart, p50 / max of 30 | {:.1} ms / {:.1} ms |\n\
         | timeline chart (5 phases, 13 markers; 800 × 400), first / p50 / max of 30 | {:.1} ms / {:.1} ms / {:.1} ms |\n\
         | uptime picture (6 systems × 90 days; 800 × 428), first / p50 / max of 30 | {:.1} ms / {:.1} ms / {:.1} ms |\n\
         | three 1 h reads at 15 s ({} points), p50 / max of 30 | {:.1} ms / {:.1} ms |\n",
        ms(first),
        ms(p50),
        ms(max),
        ms(timeline.0),
        ms(timeline.1),
        ms(timeline.2),
        ms(uptime.0),
        ms(uptime.1),
        ms(uptime.2),
        points,
        ms(read_p50),
        ms(read_max),
    );
    print!("{section}");
    if let Err(e) = report::write_section(&repo.join("bench/RESULTS.md"), heading, &section) {
        eprintln!("could not write bench/RESULTS.md: {e}");
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
