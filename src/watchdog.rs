//! Liveness from the inside: a heartbeat task on the bot's runtime ticks every second, `/livez`
//! fails when the ticks stop (a blocked worker, a runtime wedged by a busy loop), and under
//! systemd the same task feeds the service manager's watchdog (`Type=notify`, `WatchdogSec=`),
//! so that a hung process is restarted, not only a dead one. The notify protocol is a datagram
//! to `$NOTIFY_SOCKET`; without it (not under systemd) nothing is sent.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the heartbeat ticks.
pub const TICK: Duration = Duration::from_secs(1);

/// How long without a tick before `/livez` says the runtime is stuck.
pub const STUCK_AFTER: Duration = Duration::from_secs(10);

/// The time of the last tick, shared between the heartbeat task and `/livez`.
#[derive(Debug, Clone)]
pub struct Heartbeat {
    start: Instant,
    /// Milliseconds from `start` to the last tick.
    last: Arc<AtomicU64>,
}

impl Default for Heartbeat {
    fn default() -> Self {
        Self {
            start: Instant::now(),
            last: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl Heartbeat {
    fn since_start(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.start).as_millis()).unwrap_or(u64::MAX)
    }

    /// Records a tick at `at`.
    pub fn tick_at(&self, at: Instant) {
        self.last.store(self.since_start(at), Ordering::Relaxed);
    }

    /// How long before `now` the last tick was.
    pub fn silent_for(&self, now: Instant) -> Duration {
        let last = self.last.load(Ordering::Relaxed);
        Duration::from_millis(self.since_start(now).saturating_sub(last))
    }

    /// Whether the runtime ticked within [`STUCK_AFTER`] of `now`.
    pub fn is_live(&self, now: Instant) -> bool {
        self.silent_for(now) <= STUCK_AFTER
    }
}

/// Ticks `heartbeat` every [`TICK`] until dropped, and pets systemd's watchdog as often as it
/// asks (half its `WATCHDOG_USEC`), from this same task: if the runtime stops running tasks,
/// both stop.
pub async fn beat(heartbeat: Heartbeat) {
    let watchdog = watchdog_interval();
    let mut last_pet: Option<Instant> = None;
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let now = Instant::now();
        heartbeat.tick_at(now);
        if let Some(every) = watchdog {
            if last_pet.is_none_or(|at| now.duration_since(at) >= every) {
                notify("WATCHDOG=1");
                last_pet = Some(now);
            }
        }
    }
}

/// Half of `$WATCHDOG_USEC`, as systemd's documentation advises, when the watchdog is on for
/// this process (`$WATCHDOG_PID`, when set, names it).
fn watchdog_interval() -> Option<Duration> {
    if let Ok(pid) = std::env::var("WATCHDOG_PID") {
        if pid.trim() != std::process::id().to_string() {
            return None;
        }
    }
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.trim().parse().ok()?;
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}

/// Tells the service manager `state` (`READY=1`, `STOPPING=1`, `WATCHDOG=1`) when it listens
/// (`$NOTIFY_SOCKET`); a failure is logged and otherwise ignored: the bot runs the same without.
pub fn notify(state: &str) {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    if let Err(e) = send(&path, state) {
        tracing::warn!(error = %e, state, "could not notify the service manager");
    }
}

#[cfg(target_os = "linux")]
fn send(path: &std::ffi::OsStr, state: &str) -> std::io::Result<()> {
    use std::os::linux::net::SocketAddrExt as _;
    use std::os::unix::ffi::OsStrExt as _;
    use std::os::unix::net::{SocketAddr, UnixDatagram};
    let socket = UnixDatagram::unbound()?;
    let bytes = path.as_bytes();
    // A leading `@` names a socket in the abstract namespace.
    let addr = match bytes.strip_prefix(b"@") {
        Some(name) => SocketAddr::from_abstract_name(name)?,
        None => SocketAddr::from_pathname(std::path::Path::new(path))?,
    };
    socket.send_to_addr(state.as_bytes(), &addr)?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn send(_path: &std::ffi::OsStr, _state: &str) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_is_live_while_it_ticks_and_stuck_once_it_stops() {
        let heart = Heartbeat::default();
        let t0 = Instant::now();
        heart.tick_at(t0);
        assert!(heart.is_live(t0 + Duration::from_secs(3)));
        assert!(heart.is_live(t0 + STUCK_AFTER));
        assert!(!heart.is_live(t0 + STUCK_AFTER + Duration::from_secs(1)));
        heart.tick_at(t0 + Duration::from_secs(30));
        assert!(heart.is_live(t0 + Duration::from_secs(31)));
        assert_eq!(
            heart.silent_for(t0 + Duration::from_secs(35)),
            Duration::from_secs(5)
        );
    }
}
