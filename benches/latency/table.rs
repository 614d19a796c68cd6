//! The tables the bench prints and writes: what a run measured, the sequential tables here,
//! the rest in `verdict`.

use std::fmt::Write as _;
use std::time::Duration;

use crate::breakdown::Breakdown;
use crate::crowd::Crowd;
use crate::footprint::Memory;
use crate::load::Load;
use crate::mix::Mix;
use crate::scale::Side;
use crate::stats::{ms, ratio, times, Summary};

/// The heading of the section this bench owns in `bench/RESULTS.md` on `backend`: SQLite's
/// keeps the name it always had.
pub fn heading(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "## Command latency",
        Backend::Postgres => "## Command latency on PostgreSQL",
    }
}

/// The database the bots of a run keep their state in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file per bot (the default).
    Sqlite,
    /// A fresh database per bot on `INCIDENT_BOT_TEST_POSTGRES`'s server
    /// (`INCIDENT_BOT_TEST_BACKEND=postgres`, as the integration tests' PostgreSQL pass).
    Postgres,
}

impl Backend {
    /// `INCIDENT_BOT_TEST_BACKEND`'s choice.
    pub fn from_env() -> Self {
        if std::env::var("INCIDENT_BOT_TEST_BACKEND").is_ok_and(|b| b == "postgres") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }

    /// Its name in the tables.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// Everything one run measured.
pub struct Results {
    /// `full` or `quick (BENCH_QUICK=1)`.
    pub mode: &'static str,
    /// Where the bots kept their state.
    pub backend: Backend,
    /// The machine, date and commit line.
    pub machine: String,
    /// Wall time of the whole run.
    pub runtime: Duration,
    /// The sequential mix.
    pub mix: Mix,
    /// The concurrency run.
    pub crowd: Crowd,
    /// Responders and incidents of the concurrency run.
    pub crowd_shape: (usize, usize),
    /// Callbacks the fake refused as later than 3 s, in the concurrency run.
    pub crowd_late: usize,
    /// Busy/locked (SQLite) or lock-conflict (PostgreSQL) lines the bots logged: in the concurrency run, in the whole run.
    pub busy: (usize, usize),
    /// WARN/ERROR lines the bot logged in the concurrency run.
    pub crowd_warnings: Vec<String>,
    /// The declare split.
    pub split: Breakdown,
    /// Scale: empty database, then the seeded one.
    pub scale: (Side, Side),
    /// Closed incidents in the seeded databases.
    pub seeded: usize,
    /// How the seeded database was made.
    pub seeding: String,
    /// Peak memory of the bench process after startup and at the end.
    pub bench_memory: (Memory, Memory),
    /// Peak memory of the bot as its own process after startup and at the end, and the
    /// commands it served.
    pub child_memory: (Memory, Memory, usize),
    /// Violations every fake recorded (each fails the run when its fake is dropped).
    pub violations: Vec<String>,
    /// Each phase with the machine's load while it ran.
    pub phases: Vec<(String, Load)>,
}

/// The command kinds in table order.
pub(crate) const KINDS: [&str; 10] = [
    "ping",
    "declare",
    "status",
    "status (list)",
    "note",
    "update",
    "update public",
    "phase",
    "resolve",
    "close",
];

/// The ack target: at most this many times the floor.
pub(crate) const ACK_TARGET: f64 = 1.5;
/// The declare bot-side target at p99.
pub(crate) const BOT_TARGET: Duration = Duration::from_millis(20);
/// The scale target: at most this many times the empty database.
pub(crate) const SCALE_TARGET: f64 = 1.2;
/// The memory target, in KiB.
pub(crate) const RSS_TARGET_KIB: u64 = 64 * 1024;

pub(crate) fn row(out: &mut String, cells: &[String]) {
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

pub(crate) fn header(out: &mut String, cells: &[&str]) {
    row(
        out,
        &cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>(),
    );
    row(
        out,
        &cells.iter().map(|_| "---".to_owned()).collect::<Vec<_>>(),
    );
}

pub(crate) fn pct(s: &Summary) -> Vec<String> {
    vec![s.n.to_string(), ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max)]
}

pub(crate) fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

pub(crate) fn yes(met: bool) -> &'static str {
    if met {
        "**met**"
    } else {
        "**missed**"
    }
}

impl Results {
    pub(crate) fn acks(&self, kind: &str) -> Vec<Duration> {
        self.mix
            .shots
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| s.ack_latency().unwrap_or(Duration::MAX))
            .collect()
    }

    pub(crate) fn answers(&self, kind: &str) -> Vec<Duration> {
        self.mix
            .shots
            .iter()
            .zip(&self.mix.answered)
            .filter(|(s, _)| s.kind == kind)
            .map(|(_, a)| a.unwrap_or(Duration::MAX))
            .collect()
    }

    /// The whole section, starting with its heading.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let commands = self.mix.shots.len();
        let incident_commands = self.mix.shots.iter().filter(|s| s.kind != "ping").count();
        let _ = writeln!(out, "{}\n", heading(self.backend));
        let command = match self.backend {
            Backend::Sqlite => "cargo bench --bench latency",
            Backend::Postgres => {
                "INCIDENT_BOT_TEST_BACKEND=postgres INCIDENT_BOT_TEST_POSTGRES=postgres://… \
                 cargo bench --bench latency"
            }
        };
        let database = match self.backend {
            Backend::Sqlite => "SQLite database",
            Backend::Postgres => {
                "a fresh PostgreSQL database per bot on a local server (127.0.0.1, the same 2 \
                 CPUs)"
            }
        };
        let _ = writeln!(
            out,
            "Measured {}. `{command}`, {} run, {:.0} s in all. The release build of the bot \
             (config, {database}, templates, serenity client, job queue) runs in the bench \
             process against the fake Discord on 127.0.0.1, one tokio runtime with a worker per \
             CPU. Milliseconds throughout.\n",
            self.machine,
            self.mode,
            self.runtime.as_secs_f64()
        );
        self.render_acks(&mut out, commands, incident_commands);
        self.render_effects(&mut out);
        self.render_split(&mut out);
        self.render_crowd(&mut out);
        self.render_scale(&mut out);
        self.render_memory(&mut out);
        self.render_targets(&mut out, incident_commands);
        self.render_load(&mut out);
        out.push_str(crate::verdict::METHOD);
        out
    }

    fn render_acks(&self, out: &mut String, commands: usize, incident_commands: usize) {
        let floor = Summary::of(&self.acks("ping"));
        let _ = writeln!(
            out,
            "### Ack latency: INTERACTION_CREATE dispatched → callback received\n\n\
             {commands} commands one at a time: {incident_commands} `/incident` commands, each \
             after a `/ping` (the floor: a bare command that answers \"ok\" at once, on \
             the same client and fake), working {} incidents from declare to close.\n",
            self.acks("declare").len()
        );
        header(
            out,
            &[
                "command",
                "n",
                "p50",
                "p95",
                "p99",
                "max",
                "×floor p50",
                "×floor p95",
                "×floor p99",
            ],
        );
        for kind in KINDS {
            let s = Summary::of(&self.acks(kind));
            let mut cells = vec![format!("`{kind}`")];
            cells.extend(pct(&s));
            for (a, b) in s.points().iter().zip(floor.points()) {
                cells.push(times(ratio(*a, b)));
            }
            row(out, &cells);
        }
        if !self.mix.odd.is_empty() {
            let _ = writeln!(
                out,
                "\n{} answers were not what the command says when it works: {:?}",
                self.mix.odd.len(),
                self.mix.odd.iter().take(5).collect::<Vec<_>>()
            );
        }
        out.push('\n');
    }

    fn render_effects(&self, out: &mut String) {
        let _ = writeln!(out, "### Full effect and final answer (same run)\n");
        header(out, &["from dispatch to", "n", "p50", "p95", "p99", "max"]);
        let mut cells = vec!["`declare`: channel exists and the intro is pinned".to_owned()];
        cells.extend(pct(&Summary::of(&self.mix.declare_effect)));
        row(out, &cells);
        let mut cells = vec!["`update public:true`: announcement posted".to_owned()];
        cells.extend(pct(&Summary::of(&self.mix.announce_effect)));
        row(out, &cells);
        for kind in KINDS {
            let mut cells = vec![format!("`{kind}`: final answer shown")];
            cells.extend(pct(&Summary::of(&self.answers(kind))));
            row(out, &cells);
        }
        out.push('\n');
    }

    fn render_split(&self, out: &mut String) {
        let b = &self.split;
        let _ = writeln!(
            out,
            "### `declare` split: bot-side work vs the fake's own time\n\n\
             A separate bot whose REST goes through a timing proxy; {} declares, one at a time. \
             Window: dispatch → the pin request answered. Fake: the part of the window when the \
             fake was serving at least one of the bot's REST requests (each timed at the proxy \
             from its first request byte to its last response byte). Bot-side: the rest.\n",
            b.window.len()
        );
        header(out, &["", "n", "p50", "p95", "p99", "max"]);
        let lines: [(&str, &[Duration]); 4] = [
            ("window (via proxy)", &b.window),
            ("fake serving REST", &b.fake),
            ("**bot-side**", &b.bot),
            ("full effect, fake's log (via proxy)", &b.effect),
        ];
        for (name, samples) in lines {
            let mut cells = vec![name.to_owned()];
            cells.extend(pct(&Summary::of(samples)));
            row(out, &cells);
        }
        let requests: Vec<Duration> = b
            .requests
            .iter()
            .map(|n| Duration::from_millis(*n as u64))
            .collect();
        let r = Summary::of(&requests);
        let _ = writeln!(
            out,
            "\nREST requests inside a window: p50 {}, max {}. Time at the fake per route, over all windows:\n",
            r.p50.as_millis(),
            r.max.as_millis()
        );
        header(out, &["route", "requests", "mean at the fake"]);
        for (route, (n, total)) in &b.routes {
            let mean = *total / u32::try_from(*n).unwrap_or(u32::MAX).max(1);
            row(out, &[format!("`{route}`"), n.to_string(), ms(mean)]);
        }
        let declares = u32::try_from(b.window.len()).unwrap_or(u32::MAX).max(1);
        let _ = writeln!(
            out,
            "\nThe bot's instrumented calls (`#[tracing::instrument]`: use cases, store methods, \
             jobs) begun inside the windows, wall time from call to return, awaits included; \
             calls nest (`declare` holds the store calls of the declaration and its commit, \
             `perform <job>` the job's store calls and REST requests):\n"
        );
        header(
            out,
            &["call", "calls per declare", "mean per call", "per declare"],
        );
        for (name, (n, total)) in &b.spans {
            let per_call = *total / u32::try_from(*n).unwrap_or(u32::MAX).max(1);
            row(
                out,
                &[
                    format!("`{name}`"),
                    format!("{:.1}", *n as f64 / f64::from(declares)),
                    ms(per_call),
                    ms(*total / declares),
                ],
            );
        }
        out.push('\n');
    }
}
