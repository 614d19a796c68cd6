//! The one mapping between Discord's u64 snowflakes and SQLite's i64, and between times and
//! Unix milliseconds.

use chrono::{DateTime, Utc};

use super::Error;

/// Stores a snowflake in an i64 column, bit for bit, so that every u64 round-trips.
pub fn to_db_id(raw: u64) -> i64 {
    i64::from_ne_bytes(raw.to_ne_bytes())
}

/// Reads a snowflake back from its i64 column.
pub fn from_db_id(stored: i64) -> u64 {
    u64::from_ne_bytes(stored.to_ne_bytes())
}

/// Stores a time as Unix milliseconds.
pub fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// Reads a time stored as Unix milliseconds.
pub fn from_millis(ms: i64) -> Result<DateTime<Utc>, Error> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| super::corrupt(format!("time {ms} is out of range")))
}

/// Reads an optional time.
pub fn from_millis_opt(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, Error> {
    ms.map(from_millis).transpose()
}

macro_rules! id_codec {
    ($($fn_name:ident => $ty:ident),* $(,)?) => {
        $(
            /// Reads a stored id of this type; zero means the row is corrupt.
            pub fn $fn_name(stored: i64) -> Result<crate::domain::$ty, Error> {
                crate::domain::$ty::new(from_db_id(stored))
                    .ok_or_else(|| super::corrupt(concat!("a zero ", stringify!($ty))))
            }
        )*
    };
}

id_codec!(
    guild_id => GuildId,
    channel_id => ChannelId,
    user_id => UserId,
    message_id => MessageId,
    event_id => EventId,
);

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn every_snowflake_round_trips_through_i64(raw in any::<u64>()) {
            prop_assert_eq!(from_db_id(to_db_id(raw)), raw);
        }
    }

    #[test]
    fn the_largest_snowflakes_survive() {
        assert_eq!(from_db_id(to_db_id(u64::MAX)), u64::MAX);
        assert_eq!(to_db_id(1), 1);
    }
}
