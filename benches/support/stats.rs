//! Percentiles of lateness samples.

use std::fmt;

use chrono::TimeDelta;

use super::rank::nearest_rank;

/// The distribution of one set of lateness samples, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lateness {
    /// How many samples.
    pub count: usize,
    /// The median.
    pub p50: i64,
    /// The 95th percentile.
    pub p95: i64,
    /// The 99th percentile.
    pub p99: i64,
    /// The worst.
    pub max: i64,
}

impl Lateness {
    /// Summarizes `samples` (nearest-rank percentiles); `None` when there are none.
    pub fn of(samples: &[TimeDelta]) -> Option<Self> {
        let mut us: Vec<i64> = samples
            .iter()
            .map(|d| d.num_microseconds().unwrap_or(i64::MAX))
            .collect();
        us.sort_unstable();
        Some(Self {
            count: us.len(),
            p50: nearest_rank(&us, 50)?,
            p95: nearest_rank(&us, 95)?,
            p99: nearest_rank(&us, 99)?,
            max: *us.last()?,
        })
    }
}

/// Microseconds shown as milliseconds, e.g. `1.25 ms`.
pub struct Ms(pub i64);

impl fmt::Display for Ms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Lateness is far below 2^52 µs, so the conversion is exact.
        let ms = self.0 as f64 / 1000.0;
        write!(f, "{ms:.2} ms")
    }
}
