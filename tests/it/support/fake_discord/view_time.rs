//! `<t:unix:style>` as the fake's reader sees it: in UTC, in the shapes of Discord's table of
//! timestamp styles, and `R` relative to a given `now`.
//!
//! Source: discord/discord-api-docs `developers/reference.mdx`, "Timestamp Styles" (commit
//! 8e844425, 2025-10-30, which added `s` and `S`): `t` 16:20, `T` 16:20:30, `d` 20/04/2021,
//! `D` April 20, 2021, `f` (the default) April 20, 2021 at 16:20, `F` Tuesday, April 20, 2021
//! at 16:20, `s` 20/04/2021, 16:20, `S` 20/04/2021, 16:20:30, `R` 2 months ago. The docs add
//! that clients show the user's own time zone and locale; the fake's reader is a user whose
//! client shows exactly the documented shapes, in UTC. (Before that commit the table showed
//! `20 April 2021 16:20` for `f`.)

use chrono::{DateTime, Utc};

/// A timestamp in `style`, or `None` when `unix` is beyond what a date can hold.
pub fn format(unix: i64, style: char, now: DateTime<Utc>) -> Option<String> {
    let at = DateTime::<Utc>::from_timestamp(unix, 0)?;
    let pattern = match style {
        't' => "%H:%M",
        'T' => "%H:%M:%S",
        'd' => "%d/%m/%Y",
        'D' => "%B %-d, %Y",
        'F' => "%A, %B %-d, %Y at %H:%M",
        's' => "%d/%m/%Y, %H:%M",
        'S' => "%d/%m/%Y, %H:%M:%S",
        'R' => return Some(relative(at, now)),
        _ => "%B %-d, %Y at %H:%M",
    };
    Some(at.format(pattern).to_string())
}

/// `in 5 minutes`, `2 hours ago`, `a few seconds ago`: the wording and thresholds of
/// moment.js's `fromNow` (rounded units; under 45 s "a few seconds", then "a minute" up to
/// 89 s, minutes below 45, "an hour" up to 89 min, hours below 22, "a day", days below 26,
/// "a month", months below 11, "a year", years), which Discord's client has long used for `R`.
/// A moment that is exactly now reads as past, as in moment.js.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let millis = (at - now).num_milliseconds();
    let secs = millis.unsigned_abs() as f64 / 1000.0;
    let days = secs / 86_400.0;
    let round = |value: f64| value.round() as u64;
    let (seconds, minutes, hours) = (round(secs), round(secs / 60.0), round(secs / 3600.0));
    let (months, years) = (round(days / 30.436_875), round(days / 365.242_5));
    let days = round(days);
    let span = if seconds < 45 {
        "a few seconds".to_owned()
    } else if minutes <= 1 {
        "a minute".to_owned()
    } else if minutes < 45 {
        format!("{minutes} minutes")
    } else if hours <= 1 {
        "an hour".to_owned()
    } else if hours < 22 {
        format!("{hours} hours")
    } else if days <= 1 {
        "a day".to_owned()
    } else if days < 26 {
        format!("{days} days")
    } else if months <= 1 {
        "a month".to_owned()
    } else if months < 11 {
        format!("{months} months")
    } else if years <= 1 {
        "a year".to_owned()
    } else {
        format!("{years} years")
    };
    if millis > 0 {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}
