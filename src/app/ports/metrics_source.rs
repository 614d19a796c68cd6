//! The `MetricsSource` port: where the fix check reads a system's error rate, as a series of
//! (time, value), in our words. Prometheus implements it (`outbound/prometheus`).

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::BoxFuture;
use crate::domain::Sample;
use crate::scheduler::JobError;

/// A series read over a range.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The samples, oldest first; a time without data has none.
    pub samples: Vec<Sample>,
    /// The step it was read at (coarser than asked when the range holds too many points).
    pub step: Duration,
}

/// Why a rate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetricsError {
    /// The source is down, slow or overloaded: the same read may work later.
    #[error("{0}")]
    Unavailable(String),
    /// The source refused the query (it does not parse, it failed to run, the credentials are
    /// wrong): asking again will not help.
    #[error("{0}")]
    Refused(String),
}

impl From<MetricsError> for JobError {
    fn from(e: MetricsError) -> Self {
        match e {
            MetricsError::Unavailable(m) => JobError::retry_because(m),
            MetricsError::Refused(m) => JobError::fatal(m),
        }
    }
}

/// Reads rates.
pub trait MetricsSource: Send + Sync + std::fmt::Debug + 'static {
    /// The value of `query` at `at`; `None` when it has none (no data, or not a number).
    fn at<'a>(
        &'a self,
        query: &'a str,
        at: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<f64>, MetricsError>>;

    /// The values of `query` from `from` to `to` every `step` (or coarser: see [`Series`]).
    fn range<'a>(
        &'a self,
        query: &'a str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        step: Duration,
    ) -> BoxFuture<'a, Result<Series, MetricsError>>;
}
