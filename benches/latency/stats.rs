//! Percentiles of latency samples, and how they print.

use std::time::Duration;

use crate::rank::nearest_rank;

/// The percentiles the bench reports for one set of samples.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    /// How many samples.
    pub n: usize,
    /// Median.
    pub p50: Duration,
    /// 95th percentile.
    pub p95: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// The largest sample.
    pub max: Duration,
}

impl Summary {
    /// Summarizes `samples` (nearest-rank percentiles: no interpolation, so a p99 is a latency
    /// some command really had).
    pub fn of(samples: &[Duration]) -> Self {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let rank = |p| nearest_rank(&sorted, p).unwrap_or_default();
        Self {
            n: sorted.len(),
            p50: rank(50),
            p95: rank(95),
            p99: rank(99),
            max: sorted.last().copied().unwrap_or_default(),
        }
    }

    /// The three percentiles in order, to compare two summaries point by point.
    pub fn points(&self) -> [Duration; 3] {
        [self.p50, self.p95, self.p99]
    }
}

/// Milliseconds with three decimals, as the tables show them.
pub fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// `a / b`, printed like `1.23×`; "n/a" when `b` is zero.
pub fn ratio(a: Duration, b: Duration) -> f64 {
    if b.is_zero() {
        f64::NAN
    } else {
        a.as_secs_f64() / b.as_secs_f64()
    }
}

/// A ratio as the tables print it.
pub fn times(r: f64) -> String {
    if r.is_nan() {
        "n/a".to_owned()
    } else {
        format!("{r:.2}×")
    }
}
