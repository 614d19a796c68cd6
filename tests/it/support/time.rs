//! The moment every test on a stopped clock starts at. One `T0` for the lib's tests (which
//! include this file) and the `it` suite.

use chrono::{DateTime, NaiveDate, Utc};

/// Monday 30 November 2026, 09:00 UTC: the start of a working week.
pub const T0: DateTime<Utc> = match NaiveDate::from_ymd_opt(2026, 11, 30) {
    Some(day) => match day.and_hms_opt(9, 0, 0) {
        Some(time) => time.and_utc(),
        None => panic!("09:00 is a time"),
    },
    None => panic!("30 November 2026 is a day"),
};
