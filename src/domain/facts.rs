//! Facts people give about an incident, as they type them: an ETA (`45m`, `2h`, or words) and
//! when the problem began (`25m ago`, `08:40`, an RFC 3339 time). Parsed without a clock; the
//! incident resolves them against the time of the change that brings them.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{ShortText, TextError};

/// The furthest ahead an ETA given as a duration may be.
pub const MAX_ETA: TimeDelta = TimeDelta::days(7);
/// How long before its declaration an incident may have begun.
pub const MAX_DETECTED_BEFORE: TimeDelta = TimeDelta::days(30);

/// An ETA as typed: a duration from now, or words shown to players as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EtaInput {
    /// `45m`, `2h`, `1h 30m`, `90 minutes`: shown to players as a time in their own zone.
    In(TimeDelta),
    /// Anything else (`after the next patch`), shown as typed.
    Text(ShortText),
}

/// The last ETA given for an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eta {
    /// A time, from a duration given at some point.
    At(DateTime<Utc>),
    /// Words, shown as typed.
    Text(ShortText),
}

/// Why an ETA was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum EtaError {
    /// A duration of nothing.
    #[error("An ETA of no time at all is now: give a duration such as `45m` or `2h`, or words such as `shortly`")]
    Zero,
    /// A duration too far ahead to be an ETA.
    #[error("An ETA more than 7 days away is not an ETA: give words instead, such as `after the weekend maintenance`")]
    TooFar,
    /// The text is not acceptable.
    #[error("{0}")]
    #[serde(untagged)]
    Text(TextError),
}

impl From<TextError> for EtaError {
    /// The same refusal, naming the field people filled in.
    fn from(e: TextError) -> Self {
        const FIELD: &str = "The ETA";
        Self::Text(match e {
            TextError::Empty { .. } => TextError::Empty { field: FIELD },
            TextError::TooLong { len, max, .. } => TextError::TooLong {
                field: FIELD,
                len,
                max,
            },
            TextError::Hidden { code, .. } => TextError::Hidden { field: FIELD, code },
        })
    }
}

impl EtaInput {
    /// Parses an ETA: a duration (`45m`, `2h`, `1h 30m`, `90 minutes`) or any other short text.
    pub fn parse(input: &str) -> Result<Self, EtaError> {
        let text = ShortText::parse(input)?;
        match parse_duration(text.as_str()) {
            Some(d) if d <= TimeDelta::zero() => Err(EtaError::Zero),
            Some(d) if d > MAX_ETA => Err(EtaError::TooFar),
            Some(d) => Ok(Self::In(d)),
            None => Ok(Self::Text(text)),
        }
    }

    /// The ETA as it stands when given at `now`.
    pub fn at(self, now: DateTime<Utc>) -> Eta {
        match self {
            Self::In(d) => Eta::At(now + d),
            Self::Text(t) => Eta::Text(t),
        }
    }
}

impl Eta {
    /// The ETA in words for the timeline and the audit log: a full UTC date, or the text.
    pub fn written(&self) -> String {
        match self {
            Self::At(at) => at.format("%Y-%m-%d %H:%M UTC").to_string(),
            Self::Text(t) => t.to_string(),
        }
    }

    /// Whether it is a time that has passed at `now`.
    pub fn passed(&self, now: DateTime<Utc>) -> bool {
        matches!(self, Self::At(at) if *at <= now)
    }
}

/// When the problem began, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinceInput {
    /// `25m ago`.
    Ago(TimeDelta),
    /// An RFC 3339 time, or `2026-11-30 08:40` (UTC).
    At(DateTime<Utc>),
    /// `08:40`: today, UTC.
    TodayAt(NaiveTime),
}

/// Why a start time was not understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SinceError {
    /// Not a time we understand.
    // The text is not echoed: it was typed by a person and would be read as markup.
    #[error("That is not a time I understand: write when the problem began like `25m ago`, `08:40` (today, UTC), `2026-11-30 08:40` (UTC) or `2026-11-30T08:40:00Z`")]
    Unreadable,
}

impl SinceInput {
    /// Parses `25m ago`, `1h 5m ago`, `HH:MM` (today, UTC), `YYYY-MM-DD HH:MM` (UTC) or an
    /// RFC 3339 time.
    pub fn parse(input: &str) -> Result<Self, SinceError> {
        let t = input.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(t) {
            return Ok(Self::At(at.with_timezone(&Utc)));
        }
        let lower = t.to_ascii_lowercase();
        if let Some(ago) = lower.strip_suffix("ago") {
            return parse_duration(ago)
                .map(Self::Ago)
                .ok_or(SinceError::Unreadable);
        }
        let lower = lower
            .strip_suffix("utc")
            .map_or(lower.as_str(), str::trim_end);
        if let Ok(time) = NaiveTime::parse_from_str(lower, "%H:%M") {
            return Ok(Self::TodayAt(time));
        }
        if let Some((day, time)) = lower.split_once(' ') {
            if let (Ok(date), Ok(time)) = (
                NaiveDate::parse_from_str(day, "%Y-%m-%d"),
                NaiveTime::parse_from_str(time.trim(), "%H:%M"),
            ) {
                return Ok(Self::At(NaiveDateTime::new(date, time).and_utc()));
            }
        }
        Err(SinceError::Unreadable)
    }

    /// The time it names, read at `now`.
    pub fn at(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Self::Ago(d) => now - d,
            Self::At(at) => at,
            Self::TodayAt(time) => NaiveDateTime::new(now.date_naive(), time).and_utc(),
        }
    }
}

/// Reads a duration as people write one: `45m`, `2h`, `1h30m`, `1h 30m`, `90 min`,
/// `2 hours`, `1 day`. `None` when the text is anything else.
pub fn parse_duration(text: &str) -> Option<TimeDelta> {
    let mut rest = text.trim();
    let mut total = TimeDelta::zero();
    let mut parts = 0;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        // Six digits of minutes is two years: anything longer is not a duration we mean.
        if digits == 0 || digits > 6 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let letters = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .len();
        let unit = match rest[..letters].to_ascii_lowercase().as_str() {
            "m" | "min" | "mins" | "minute" | "minutes" => TimeDelta::minutes(1),
            "h" | "hr" | "hrs" | "hour" | "hours" => TimeDelta::hours(1),
            "d" | "day" | "days" => TimeDelta::days(1),
            _ => return None,
        };
        total += unit * i32::try_from(n).ok()?;
        rest = rest[letters..].trim_start();
        parts += 1;
    }
    (parts > 0).then_some(total)
}

#[cfg(test)]
#[path = "facts_tests.rs"]
mod tests;
