//! Parsing a meeting time as people type it: `2026-12-01 15:00 UTC` or `tomorrow 15:00`. UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

/// Why a text is not a meeting time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum WhenError {
    /// Not a time we understand.
    // The text is not echoed: it was typed by a person and would be read as markup.
    #[error("That is not a time I understand: write it like `2026-12-01 15:00 UTC`, `tomorrow 15:00` or `today 09:30` (times are UTC)")]
    Unreadable(String),
    /// A time that has passed.
    #[error("{0} is in the past: give a time from now on (times are UTC)")]
    Past(String),
}

/// Parses `text` relative to `now`. Accepts `YYYY-MM-DD HH:MM[ UTC]`, `today HH:MM` and
/// `tomorrow HH:MM`; refuses times already past.
pub fn parse_when(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, WhenError> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let lower = lower
        .strip_suffix(" utc")
        .or_else(|| lower.strip_suffix("utc"))
        .unwrap_or(&lower)
        .trim();
    let unreadable = || WhenError::Unreadable(t.to_owned());
    let at = if let Some((day, time)) = lower.split_once(' ') {
        let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| unreadable())?;
        let date = match day {
            "today" => now.date_naive(),
            "tomorrow" => now.date_naive() + TimeDelta::days(1),
            d => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| unreadable())?,
        };
        NaiveDateTime::new(date, time).and_utc()
    } else {
        return Err(unreadable());
    };
    if at < now {
        return Err(WhenError::Past(at.format("%Y-%m-%d %H:%M UTC").to_string()));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn full_dates_with_or_without_utc_are_read() {
        let want = Utc
            .with_ymd_and_hms(2026, 12, 1, 15, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(parse_when("2026-12-01 15:00 UTC", now()), Ok(want));
        assert_eq!(parse_when("2026-12-01 15:00", now()), Ok(want));
    }

    #[test]
    fn today_and_tomorrow_are_read_in_utc() {
        assert_eq!(
            parse_when("tomorrow 15:00", now()),
            Ok(Utc
                .with_ymd_and_hms(2026, 11, 27, 15, 0, 0)
                .single()
                .expect("valid"))
        );
        assert_eq!(
            parse_when("Today 13:30", now()),
            Ok(Utc
                .with_ymd_and_hms(2026, 11, 26, 13, 30, 0)
                .single()
                .expect("valid"))
        );
    }

    #[test]
    fn garbage_and_the_past_are_refused_with_an_example() {
        for bad in [
            "next blursday",
            "tomorrow",
            "2026-13-01 10:00",
            "tomorrow 25:00",
            "",
        ] {
            let err = parse_when(bad, now()).expect_err(bad);
            assert!(err.to_string().contains("tomorrow 15:00"), "{err}");
        }
        assert!(matches!(
            parse_when("today 09:00", now()),
            Err(WhenError::Past(_))
        ));
    }
}
