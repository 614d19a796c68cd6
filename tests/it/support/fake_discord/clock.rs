//! The fake's clock (real time plus what tests skip) and Discord-style snowflake ids.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// Discord's epoch (2015-01-01T00:00:00Z) in Unix milliseconds; snowflakes count from it.
const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

/// The fake's notion of time: real time plus whatever a test skipped with `advance`.
pub struct Clock {
    offset: Mutex<Duration>,
    started: Instant,
}

impl Clock {
    /// A clock that starts at the real present.
    pub fn new() -> Self {
        Clock {
            offset: Mutex::new(Duration::ZERO),
            started: Instant::now(),
        }
    }

    fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Monotonic "now" used for every window (3 s interaction, renames, crossposts, nonces).
    pub fn now(&self) -> Instant {
        Instant::now() + self.offset()
    }

    /// Wall-clock "now" used for timestamps the bot reads.
    pub fn wall(&self) -> DateTime<Utc> {
        let offset = chrono::Duration::from_std(self.offset()).unwrap_or(chrono::Duration::MAX);
        Utc::now() + offset
    }

    /// Time since the fake started, on the fake's clock.
    pub fn elapsed(&self) -> Duration {
        self.now().duration_since(self.started)
    }

    /// Moves the fake's clock forward.
    pub fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner) += by;
    }
}

/// Makes Discord-style snowflakes: time-ordered, unique within the process.
pub fn snowflake(clock: &Clock) -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let ms = clock
        .wall()
        .timestamp_millis()
        .saturating_sub(DISCORD_EPOCH_MS);
    let ms = u64::try_from(ms).unwrap_or(0);
    (ms << 22) | (COUNTER.fetch_add(1, Ordering::Relaxed) & 0x3F_FFFF)
}
