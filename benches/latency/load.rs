//! How busy the machine was during each phase: the bench's own CPU time, everyone else's, and
//! the time the hypervisor took away (steal). On two shared CPUs another build or test run
//! during the bench moves every percentile, so the report says whether that happened.

use std::time::{Duration, Instant};

/// CPU counters at one moment, in clock ticks.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    at: Instant,
    busy: u64,
    total: u64,
    steal: u64,
    ours: u64,
}

/// Shares of the machine's CPU time over an interval (0.0 to 1.0 each).
#[derive(Debug, Clone, Copy, Default)]
pub struct Load {
    /// Wall time of the interval.
    pub wall: Duration,
    /// The bench process (bot, fake, harness; not the child bot, which is another process).
    pub ours: f64,
    /// Every other process, the child bot included.
    pub others: f64,
    /// Taken by the hypervisor.
    pub steal: f64,
}

/// Reads the counters now; zeros where `/proc` cannot be read.
pub fn sample() -> Sample {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    // cpu  user nice system idle iowait irq softirq steal …
    let cpu: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    let field = |i: usize| cpu.get(i).copied().unwrap_or(0);
    let own = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After `pid (comm)`: state is field 3, utime and stime are fields 14 and 15.
    let rest: Vec<u64> = own
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default()
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    Sample {
        at: Instant::now(),
        busy: field(0) + field(1) + field(2) + field(5) + field(6),
        total: cpu.iter().sum(),
        steal: field(7),
        ours: rest.get(11).copied().unwrap_or(0) + rest.get(12).copied().unwrap_or(0),
    }
}

/// The load between two samples.
pub fn between(a: &Sample, b: &Sample) -> Load {
    let total = b.total.saturating_sub(a.total).max(1) as f64;
    let busy = b.busy.saturating_sub(a.busy) as f64;
    let ours = (b.ours.saturating_sub(a.ours) as f64).min(busy);
    Load {
        wall: b.at.saturating_duration_since(a.at),
        ours: ours / total,
        others: (busy - ours) / total,
        steal: b.steal.saturating_sub(a.steal) as f64 / total,
    }
}

/// The run's phases, each with the load while it ran.
pub struct Phases {
    started: Instant,
    last: Sample,
    current: Option<String>,
    done: Vec<(String, Load)>,
}

impl Phases {
    /// Starts timing.
    pub fn start() -> Self {
        Self {
            started: Instant::now(),
            last: sample(),
            current: None,
            done: Vec::new(),
        }
    }

    /// Ends the current phase and begins `name` (or none), saying so on stderr.
    pub fn next(&mut self, name: Option<String>) {
        let now = sample();
        if let Some(current) = self.current.take() {
            self.done.push((current, between(&self.last, &now)));
        }
        let at = self.started.elapsed().as_secs_f64();
        eprintln!(
            "[latency] {at:>6.1} s  {}",
            name.as_deref().unwrap_or("done")
        );
        self.last = now;
        self.current = name;
    }

    /// Every finished phase with its load.
    pub fn done(&self) -> &[(String, Load)] {
        &self.done
    }
}
