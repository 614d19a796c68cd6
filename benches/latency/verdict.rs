//! The rest of the tables: concurrency, scale, memory, the targets, the machine's load, and
//! how each number is measured.

use std::fmt::Write as _;
use std::time::Duration;

use crate::stats::{ms, ratio, times, Summary};
use crate::table::{
    header, mib, row, yes, Results, ACK_TARGET, BOT_TARGET, KINDS, RSS_TARGET_KIB, SCALE_TARGET,
};

impl Results {
    /// What the busy count counts, on this run's backend.
    fn busy_words(&self) -> &'static str {
        match self.backend {
            crate::table::Backend::Sqlite => "SQLite busy or locked errors in the bot's log",
            crate::table::Backend::Postgres => {
                "PostgreSQL lock conflicts (deadlock, serialization, lock timeout) in the bot's log"
            }
        }
    }

    pub(crate) fn render_crowd(&self, out: &mut String) {
        let c = &self.crowd;
        let (responders, incidents) = self.crowd_shape;
        let acks: Vec<Duration> = c
            .shots
            .iter()
            .map(|s| s.ack_latency().unwrap_or(Duration::MAX))
            .collect();
        let s = Summary::of(&acks);
        let count =
            |f: &dyn Fn(&crate::drive::Shot) -> bool| c.shots.iter().filter(|s| f(s)).count();
        let _ = writeln!(
            out,
            "### Concurrency: {responders} responders across {incidents} open incidents\n\n\
             {} commands (half notes, a quarter status, a quarter updates, half of those public), \
             each responder sending its next when the last was answered; {:.1} s, {:.0} commands/s. \
             Ack p50 {}, p95 {}, p99 {}, max {}.\n",
            c.shots.len(),
            c.wall.as_secs_f64(),
            c.shots.len() as f64 / c.wall.as_secs_f64().max(1e-9),
            ms(s.p50),
            ms(s.p95),
            ms(s.p99),
            ms(s.max),
        );
        header(out, &["count", "value", "target"]);
        let rows: [(&str, usize, &str); 10] = [
            (self.busy_words(), self.busy.0, "0"),
            ("the same, over the whole run (every bot)", self.busy.1, "0"),
            (
                "lost timeline entries (answered as added, not on the timeline)",
                c.lost,
                "0",
            ),
            ("duplicated timeline entries", c.duplicated, "0"),
            (
                "entries of commands that did not answer success",
                c.orphaned,
                "0",
            ),
            (
                "callbacks later than 3 s (refused by the fake)",
                self.crowd_late,
                "0",
            ),
            ("no callback within 4 s", count(&|s| s.ack.is_none()), "0"),
            (
                "no final answer within 14 s",
                count(&|s| s.ack.is_some() && s.answer.is_none()),
                "0",
            ),
            (
                "\"Something went wrong\" answers",
                count(&|s| s.failed()),
                "0",
            ),
            (
                "other answers than success",
                count(&|s| !crate::mix::expected(s) && !s.failed()),
                "0",
            ),
        ];
        for (name, n, target) in rows {
            row(out, &[name.to_owned(), n.to_string(), target.to_owned()]);
        }
        let _ = writeln!(
            out,
            "\n{} note and update entries checked against the answers. WARN/ERROR lines the bot \
             logged meanwhile: {}{}\n",
            c.checked,
            self.crowd_warnings.len(),
            if self.crowd_warnings.is_empty() {
                String::new()
            } else {
                format!(
                    " (first: `{}`)",
                    self.crowd_warnings[0].chars().take(200).collect::<String>()
                )
            }
        );
    }

    pub(crate) fn render_scale(&self, out: &mut String) {
        let (e, f) = &self.scale;
        let _ = writeln!(
            out,
            "### Scale: {} closed incidents vs an empty database\n\n\
             Two fresh bots, each with its own fake: one on an empty database, one on a database \
             with {}. The bench alternates rounds between them (declare, three `status` in the \
             channel, one `status` elsewhere, then resolve and close), {} rounds each.\n",
            self.seeded,
            self.seeding,
            e.declare_ack.len()
        );
        header(
            out,
            &[
                "",
                "empty p50",
                "p95",
                "p99",
                "seeded p50",
                "p95",
                "p99",
                "ratio p50",
                "p95",
                "p99",
            ],
        );
        let lines: [(&str, &[Duration], &[Duration]); 7] = [
            ("`declare` ack", &e.declare_ack, &f.declare_ack),
            (
                "`declare` full effect",
                &e.declare_effect,
                &f.declare_effect,
            ),
            ("`status` ack", &e.status_ack, &f.status_ack),
            ("`status` final answer", &e.status_answer, &f.status_answer),
            ("`status` elsewhere, ack", &e.list_ack, &f.list_ack),
            (
                "`status` elsewhere, final answer",
                &e.list_answer,
                &f.list_answer,
            ),
            (
                "`resolve` final answer (not a target)",
                &e.resolve_answer,
                &f.resolve_answer,
            ),
        ];
        for (name, a, b) in lines {
            let (a, b) = (Summary::of(a), Summary::of(b));
            let mut cells = vec![name.to_owned()];
            cells.extend(a.points().iter().map(|d| ms(*d)));
            cells.extend(b.points().iter().map(|d| ms(*d)));
            cells.extend(
                b.points()
                    .iter()
                    .zip(a.points())
                    .map(|(x, y)| times(ratio(*x, y))),
            );
            row(out, &cells);
        }
        out.push('\n');
    }

    pub(crate) fn render_memory(&self, out: &mut String) {
        let (bs, be) = self.bench_memory;
        let (cs, ce, served) = self.child_memory;
        let _ = writeln!(out, "### Peak memory (VmHWM)\n");
        header(
            out,
            &["process", "after startup", "at the end", "VmRSS at the end"],
        );
        row(
            out,
            &[
                "bench process (bot + fake + harness, all phases)".to_owned(),
                mib(bs.peak),
                mib(be.peak),
                mib(be.now),
            ],
        );
        row(
            out,
            &[
                format!(
                    "the release binary alone (`incident-bot run`, cache as shipped), {} closed incidents in its database, after {served} commands",
                    self.seeded
                ),
                mib(cs.peak),
                mib(ce.peak),
                mib(ce.now),
            ],
        );
        out.push('\n');
    }

    pub(crate) fn render_targets(&self, out: &mut String, incident_commands: usize) {
        let floor = Summary::of(&self.acks("ping"));
        let worst = KINDS[1..]
            .iter()
            .map(|k| {
                let s = Summary::of(&self.acks(k));
                let r = s
                    .points()
                    .iter()
                    .zip(floor.points())
                    .map(|(a, b)| ratio(*a, b))
                    .fold(0.0_f64, f64::max);
                (*k, r)
            })
            .collect::<Vec<_>>();
        let over: Vec<String> = worst
            .iter()
            .filter(|(_, r)| *r > ACK_TARGET)
            .map(|(k, r)| format!("`{k}` {}", times(*r)))
            .collect();
        let bot = Summary::of(&self.split.bot);
        let c = &self.crowd;
        let lost = c.lost + c.duplicated;
        let (e, f) = &self.scale;
        let scale: Vec<(String, f64)> = [
            ("declare ack", &e.declare_ack, &f.declare_ack),
            ("declare effect", &e.declare_effect, &f.declare_effect),
            ("status ack", &e.status_ack, &f.status_ack),
            ("status answer", &e.status_answer, &f.status_answer),
            ("status elsewhere ack", &e.list_ack, &f.list_ack),
            ("status elsewhere answer", &e.list_answer, &f.list_answer),
        ]
        .iter()
        .map(|(name, a, b)| {
            let (a, b) = (Summary::of(a), Summary::of(b));
            let worst = ratio(b.p50, a.p50).max(ratio(b.p95, a.p95));
            ((*name).to_owned(), worst)
        })
        .collect();
        let scale_worst = scale.iter().map(|(_, r)| *r).fold(0.0_f64, f64::max);
        let (_, child_end, _) = self.child_memory;
        let _ = writeln!(out, "### Targets\n");
        header(out, &["target", "measured", "result"]);
        let targets: Vec<(String, String, bool)> = vec![
            (
                "≥ 2,000 commands in the ack percentiles".into(),
                format!("{incident_commands} `/incident` + {} `/ping`", floor.n),
                incident_commands >= 2000,
            ),
            (
                "ack ≤ 1.5× the floor (each command, at p50, p95 and p99)".into(),
                if over.is_empty() {
                    "every command within".into()
                } else {
                    format!("over: {}", over.join(", "))
                },
                over.is_empty(),
            ),
            (
                "`declare` bot-side work ≤ 20 ms p99".into(),
                format!("p99 {} (p50 {})", ms(bot.p99), ms(bot.p50)),
                bot.p99 <= BOT_TARGET,
            ),
            (
                format!("{} = 0 (concurrency)", self.busy_words()),
                format!("{} (whole run: {})", self.busy.0, self.busy.1),
                self.busy.0 == 0 && self.busy.1 == 0,
            ),
            (
                "lost or duplicated timeline entries = 0".into(),
                format!("{} lost, {} duplicated", c.lost, c.duplicated),
                lost == 0,
            ),
            (
                "callbacks later than 3 s = 0".into(),
                self.crowd_late.to_string(),
                self.crowd_late == 0,
            ),
            (
                format!(
                    "{} closed: `status` and `declare` ≤ 1.2× empty (p50 and p95)",
                    self.seeded
                ),
                scale
                    .iter()
                    .map(|(n, r)| format!("{n} {}", times(*r)))
                    .collect::<Vec<_>>()
                    .join(", "),
                scale_worst <= SCALE_TARGET,
            ),
            (
                "peak RSS ≤ 64 MB, cache as shipped (the bot's own process)".into(),
                mib(child_end.peak),
                child_end.peak <= RSS_TARGET_KIB,
            ),
        ];
        for (name, measured, met) in targets {
            row(out, &[name, measured, yes(met).to_owned()]);
        }
        if !self.violations.is_empty() {
            let _ = writeln!(
                out,
                "\nThe fakes recorded {} violation(s); the run fails on them: {:?}",
                self.violations.len(),
                self.violations.iter().take(5).collect::<Vec<_>>()
            );
        }
        out.push('\n');
    }

    pub(crate) fn render_load(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "### Machine load per phase\n\n\
             Shares of the machine's CPU time (both CPUs) from `/proc/stat`. Other processes \
             (a build or test run on the same machine) and steal (the hypervisor) make every \
             percentile above worse; compare runs only when these are low.\n"
        );
        header(
            out,
            &[
                "phase",
                "wall s",
                "bench process",
                "other processes",
                "steal",
            ],
        );
        let pct = |x: f64| format!("{:.0}%", x * 100.0);
        for (name, load) in &self.phases {
            row(
                out,
                &[
                    name.clone(),
                    format!("{:.0}", load.wall.as_secs_f64()),
                    pct(load.ours),
                    pct(load.others),
                    pct(load.steal),
                ],
            );
        }
        out.push('\n');
    }
}

/// How each number is measured, printed under the tables.
pub(crate) const METHOD: &str = "\
### How it is measured

- **Ack**: `Ack::latency` of the fake: from the moment it records and dispatches \
INTERACTION_CREATE to the moment the callback request reaches its handler. The floor is \
`/ping` (answers \"ok\" with a type-4 callback, no defer); every `/incident` command is sent \
right after a `/ping`, with a 50 ms quiet gap before each, so that the floor and the commands see \
the same conditions. `declare` commits the incident before it acknowledges (by design: an \
acknowledged declare always exists), so its ack includes a SQLite commit.
- **The quiet gap and the fake's gateway socket**: the fake serves REST and the gateway without \
TCP_NODELAY (axum's default), so a gateway frame written while the previous one is not yet \
acknowledged waits for the bot's delayed ACK, up to 40 ms on Linux. That is the fake's time: a \
`/ping` sent 10 ms after an archived channel is deleted (two frames) takes 30 ms, after 25 ms \
16 ms, after 50 ms under 1 ms. The sequential phases therefore leave 50 ms of quiet before each \
command; the concurrency run cannot, and its ack percentiles include such holds.
- **Full effect and final answer**: times from the fake's request log (when it answered the pin \
request, the announcement post, the interaction's last callback, follow-up or edit of \
`@original`), put on the monotonic clock by calibrating the log against the callbacks' arrival \
times (within microseconds).
- **Bot-side `declare`**: a second bot whose REST goes through a timing proxy in the bench; \
see the split table. The fake's time is what the proxy saw between a request's first byte and \
its response's last byte; everything else in the window is counted as the bot's, including the \
proxy's forwarding, the fake's websocket write of the INTERACTION_CREATE and the bench's own \
waiting, so the bot-side figure is an upper bound. The bot's `#[tracing::instrument]` spans are \
timed in that run only (a tracing layer switched on for it), to show where the bot's time goes.
- **SQLite busy/locked**: the bench installs a tracing layer (WARN and above) and counts lines \
of the bot whose text (the error chain the bot logs for a failed command or job) mentions \
`database is locked`, `database table is locked`, `(code: 5)`, `(code: 6)` or `SQLITE_BUSY`, \
and on PostgreSQL `deadlock detected`, `could not serialize access` or `canceling statement due \
to lock timeout`; \"Something went wrong\" answers are counted too.
- **Lost / duplicated**: every note and update text is unique; after the run, each incident's \
timeline (`Db::timeline`) is read and every text counted: a success answer with no entry is \
lost, a text present twice is duplicated.
- **Late callbacks**: the fake refuses a callback later than 3 s and records a violation; \
the bench counts those, and commands with no callback within 4 s.
- **Scale**: 10,000 closed incidents written through the store API (`Tx::insert_incident`, \
`Incident::apply` … `Resolve`, `Close`, `save_incident`, `append_timeline`, audit entries and \
finished jobs); ratios are seeded / empty. The target is judged at p50 and p95 of `declare` (ack \
and full effect) and of `status` in and outside an incident channel (ack and final answer): a \
p99 of a few hundred samples rests on two or three of them, and is shown for information.
- **Memory**: VmHWM of the bench process (it holds the fake, its OpenAPI validators and \
request log, the harness and up to two bots, so it overstates the bot), and VmHWM of the \
release binary run as its own process (`incident-bot run`) against a fake, on a database with \
the seeded incidents, after a mixed sequential and concurrent workload. The target is judged on \
the latter.
";
