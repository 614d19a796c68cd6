//! Durations as the operator writes them (`"30s"`, `"4h"`, `"off"`), parsed with their bounds.
//!
//! Every duration is at most [`MAX_DURATION`], so that adding one to a date can never overflow,
//! and every one that times a reminder, a retry or a deadline is longer than zero, so that
//! nothing fires at once or repeats without pause.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// The longest duration a setting may have: a year is longer than anything an incident waits for.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// Parses `"48h"`; refuses `off`, and anything longer than [`MAX_DURATION`].
fn parse(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text.trim()).map_err(|e| {
        format!("`{text}` is not a duration ({e}): write it like \"30s\", \"5m\", \"4h\" or \"2d\"")
    })?;
    if d > MAX_DURATION {
        return Err(format!(
            "`{text}` is longer than the limit of 365 days: write a shorter duration"
        ));
    }
    Ok(d)
}

/// Parses a duration that times something, which must therefore be longer than zero.
fn parse_positive(text: &str, off_hint: &str) -> Result<Duration, String> {
    let d = parse(text)?;
    if d.is_zero() {
        return Err(format!(
            "`{text}` is zero: what it times would fire at once, or repeat without pause; \
             write a duration longer than zero{off_hint}"
        ));
    }
    Ok(d)
}

/// A duration that may be zero (a window that may be empty).
pub(super) fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text).map_err(serde::de::Error::custom)
}

/// A duration longer than zero.
pub(super) fn positive<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    parse_positive(&text, "").map_err(serde::de::Error::custom)
}

/// A duration longer than zero, or `off` / `never` for none.
pub(super) fn optional_positive<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(d)?;
    match text.trim() {
        "off" | "never" => Ok(None),
        t => parse_positive(t, ", or \"off\"")
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// A list of durations, each longer than zero.
pub(super) fn positive_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Duration>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|t| parse_positive(t, "").map_err(serde::de::Error::custom))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_is_at_most_a_year_and_a_timer_more_than_zero() {
        assert_eq!(parse("365d"), Ok(MAX_DURATION));
        assert!(parse("366d").is_err_and(|e| e.contains("limit of 365 days")));
        assert!(parse("300000y").is_err_and(|e| e.contains("limit of 365 days")));
        assert!(parse("99999999999999999999y").is_err());
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
        assert!(parse_positive("0s", "").is_err_and(|e| e.contains("is zero")));
        assert_eq!(parse_positive("100ms", ""), Ok(Duration::from_millis(100)));
    }
}
