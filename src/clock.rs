//! Time, behind a trait, so tests control it instead of sleeping.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::watch;

/// A boxed future, for the object-safe async method below.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the bot gets the time from.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;

    /// Completes once `now() >= at`.
    fn sleep_until(&self, at: DateTime<Utc>) -> BoxFuture<'_, ()>;
}

/// The shared handle every component holds.
pub type SharedClock = Arc<dyn Clock>;

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            // Re-check after waking: the wall clock may have been stepped while we slept.
            loop {
                let left = at - Utc::now();
                let Ok(left) = left.to_std() else { return };
                if left.is_zero() {
                    return;
                }
                tokio::time::sleep(left).await;
            }
        })
    }
}

/// A clock that tests move forward at will. Stopped (`new`), it moves only when told; running
/// (`running`), it also follows real time from its start, so retries and timeouts still pass
/// while a test jumps over the hours a reminder waits.
#[derive(Debug, Clone)]
pub struct ManualClock {
    state: Arc<Mutex<ManualState>>,
    ticks: watch::Sender<DateTime<Utc>>,
}

#[derive(Debug)]
struct ManualState {
    /// The time at `since` (or always, when stopped), jumps included.
    base: DateTime<Utc>,
    /// When running: the real instant `base` was read at.
    since: Option<std::time::Instant>,
}

impl ManualState {
    fn now(&self) -> DateTime<Utc> {
        match self.since {
            Some(since) => {
                self.base + TimeDelta::from_std(since.elapsed()).unwrap_or(TimeDelta::zero())
            }
            None => self.base,
        }
    }
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self::with(start, None)
    }

    /// A clock that starts at `start` and runs with real time, and can be advanced too.
    pub fn running(start: DateTime<Utc>) -> Self {
        Self::with(start, Some(std::time::Instant::now()))
    }

    fn with(start: DateTime<Utc>, since: Option<std::time::Instant>) -> Self {
        Self {
            state: Arc::new(Mutex::new(ManualState { base: start, since })),
            ticks: watch::Sender::new(start),
        }
    }

    /// Moves the clock forward by `by`, waking everything that sleeps until then.
    pub fn advance(&self, by: TimeDelta) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.base += by;
        let now = state.now();
        self.ticks.send_replace(now);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .now()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> BoxFuture<'_, ()> {
        let mut rx = self.ticks.subscribe();
        Box::pin(async move {
            loop {
                let left = at - self.now();
                let Ok(left) = left.to_std() else { return };
                if left.is_zero() {
                    return;
                }
                let running = self
                    .state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .since
                    .is_some();
                let real = async {
                    if running {
                        tokio::time::sleep(left).await;
                    } else {
                        std::future::pending::<()>().await;
                    }
                };
                tokio::select! {
                    () = real => {}
                    // The sender lives in `self`, so this cannot fail while we are borrowed.
                    _ = rx.changed() => {}
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_manual_clock_wakes_sleepers_when_advanced_past_their_time() {
        let clock = ManualClock::new(Utc::now());
        let at = clock.now() + TimeDelta::minutes(5);
        let c = clock.clone();
        let sleeper = tokio::spawn(async move { c.sleep_until(at).await });
        clock.advance(TimeDelta::minutes(4));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!sleeper.is_finished(), "woke too early");
        clock.advance(TimeDelta::minutes(1));
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .expect("woke in time")
            .expect("no panic");
    }

    #[tokio::test]
    async fn a_running_manual_clock_follows_real_time_and_jumps_when_advanced() {
        let start = Utc::now() - TimeDelta::days(3);
        let clock = ManualClock::running(start);
        let soon = clock.now() + TimeDelta::milliseconds(50);
        tokio::time::timeout(Duration::from_secs(5), clock.sleep_until(soon))
            .await
            .expect("real time passes");
        let later = clock.now() + TimeDelta::hours(2);
        let c = clock.clone();
        let sleeper = tokio::spawn(async move { c.sleep_until(later).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!sleeper.is_finished(), "woke too early");
        clock.advance(TimeDelta::hours(2));
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .expect("woke on the jump")
            .expect("no panic");
        assert!(clock.now() >= start + TimeDelta::hours(2));
    }
}
