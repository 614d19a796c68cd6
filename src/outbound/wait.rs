//! How long a service asks us to wait before trying again, from the headers each one uses:
//! `Retry-After` (seconds or an HTTP date: Cloudflare, Jira, most), and the reset of a rate
//! limit window, `X-RateLimit-Reset` / `x-rate-limit-reset` / `RateLimit-Reset`, which services
//! write as epoch seconds (GitHub, X, Bluesky), epoch milliseconds (Linear), seconds from now
//! (the IETF draft) or an ISO 8601 time (Mastodon).

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;

/// The longest wait honoured: a reset further out is a clock gone wrong, and the job retries
/// with its own backoff instead.
pub const LONGEST_WAIT: Duration = Duration::from_secs(3600);

/// The reset headers, in the order they are read after `Retry-After`.
const RESET_HEADERS: [&str; 4] = [
    "x-ratelimit-reset",
    "x-rate-limit-reset",
    "ratelimit-reset",
    "x-ratelimit-requests-reset",
];

/// How long to wait, from `headers`, as of `now`; `None` when no header says, or says
/// something unreadable or further than [`LONGEST_WAIT`].
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let wait = match text("retry-after") {
        Some(value) => retry_after_value(value, now),
        None => RESET_HEADERS
            .iter()
            .find_map(|name| text(name).and_then(|v| reset_value(v, now))),
    }?;
    (wait <= LONGEST_WAIT).then_some(wait)
}

/// `Retry-After`: delta seconds, or an HTTP date.
fn retry_after_value(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    until(at.with_timezone(&Utc), now)
}

/// A reset: epoch seconds or milliseconds, seconds from now, or an RFC 3339 time.
fn reset_value(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    if let Ok(n) = value.parse::<f64>() {
        if !n.is_finite() || n < 0.0 {
            return None;
        }
        let at = if n >= 1e12 {
            DateTime::from_timestamp_millis(n as i64)?
        } else if n >= 1e9 {
            DateTime::from_timestamp(n as i64, 0)?
        } else {
            return Some(Duration::from_secs_f64(n));
        };
        return until(at, now);
    }
    let at = DateTime::parse_from_rfc3339(value).ok()?;
    until(at.with_timezone(&Utc), now)
}

/// The time from `now` to `at`, zero when it has passed.
fn until(at: DateTime<Utc>, now: DateTime<Utc>) -> Option<Duration> {
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}
