//! The numbers of a post-mortem's impact assessment, bounded where people type them: a number
//! past any real incident is a typo, and it must never reach date arithmetic that panics.

/// More users than there are people.
pub const MAX_USERS_AFFECTED: i64 = 10_000_000_000;
/// A year of downtime, in minutes: anything longer is a typo.
pub const MAX_DOWNTIME_MINUTES: i64 = 525_600;

/// A number outside its range.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("{field} must be a whole number from 0 to {max} ({meaning}); you gave {given}")]
pub struct OutOfRange {
    /// The option's name.
    pub field: &'static str,
    /// The largest value accepted.
    pub max: i64,
    /// What the limit means, in words.
    pub meaning: &'static str,
    /// What was given.
    pub given: i64,
}

fn bounded(
    field: &'static str,
    value: i64,
    max: i64,
    meaning: &'static str,
) -> Result<i64, OutOfRange> {
    if (0..=max).contains(&value) {
        Ok(value)
    } else {
        Err(OutOfRange {
            field,
            max,
            meaning,
            given: value,
        })
    }
}

/// Parses the number of users affected.
pub fn users_affected(value: i64) -> Result<i64, OutOfRange> {
    bounded(
        "users",
        value,
        MAX_USERS_AFFECTED,
        "more than everyone on Earth is a typo",
    )
}

/// Parses the downtime in minutes.
pub fn downtime_minutes(value: i64) -> Result<i64, OutOfRange> {
    bounded("downtime_minutes", value, MAX_DOWNTIME_MINUTES, "a year")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_inside_the_range_pass() {
        assert_eq!(downtime_minutes(0), Ok(0));
        assert_eq!(
            downtime_minutes(MAX_DOWNTIME_MINUTES),
            Ok(MAX_DOWNTIME_MINUTES)
        );
        assert_eq!(users_affected(1200), Ok(1200));
    }

    #[test]
    fn negative_and_huge_numbers_are_refused_with_the_range() {
        let err = downtime_minutes(200_000_000_000_000).expect_err("too long");
        assert_eq!(
            err.to_string(),
            "downtime_minutes must be a whole number from 0 to 525600 (a year); you gave 200000000000000"
        );
        assert!(users_affected(-1).is_err());
        assert!(users_affected(MAX_USERS_AFFECTED + 1).is_err());
    }
}
