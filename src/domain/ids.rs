//! Typed ids, so a channel id can never be passed where a user id belongs.
//!
//! Discord ids are snowflakes: non-zero u64s. The mapping to SQLite's i64 lives in `store::ids`.

use std::fmt;
use std::num::NonZeroU64;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a text is not a Discord id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Discord id: copy it with Developer Mode on (a number such as 123456789012345678)")]
pub struct IdParseError(pub String);

macro_rules! snowflake {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(NonZeroU64);

        impl $name {
            /// Wraps a raw snowflake; `None` for zero, which Discord never issues.
            pub fn new(raw: u64) -> Option<Self> {
                NonZeroU64::new(raw).map(Self)
            }

            /// The raw snowflake.
            pub fn get(self) -> u64 {
                self.0.get()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim()
                    .parse::<u64>()
                    .ok()
                    .and_then(Self::new)
                    .ok_or_else(|| IdParseError(s.to_owned()))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                // Discord's JSON carries ids as strings; so do we, so no consumer loses precision.
                s.collect_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                deserialize_snowflake(d).map(Self)
            }
        }
    };
}

snowflake!(
    /// A Discord guild (server).
    GuildId
);
snowflake!(
    /// A Discord channel, category or thread.
    ChannelId
);
snowflake!(
    /// A Discord user.
    UserId
);
snowflake!(
    /// A Discord role.
    RoleId
);
snowflake!(
    /// A Discord message.
    MessageId
);
snowflake!(
    /// A Discord interaction (one slash-command invocation).
    InteractionId
);
snowflake!(
    /// A Discord guild scheduled event (the post-mortem meeting).
    EventId
);

/// Accepts a snowflake written as a TOML/JSON integer or as a decimal string.
fn deserialize_snowflake<'de, D: Deserializer<'de>>(d: D) -> Result<NonZeroU64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Int(i64),
        Text(String),
    }
    let text = match Raw::deserialize(d)? {
        Raw::Int(n) => n.to_string(),
        Raw::Text(s) => s,
    };
    text.trim()
        .parse::<u64>()
        .ok()
        .and_then(NonZeroU64::new)
        .ok_or_else(|| serde::de::Error::custom(IdParseError(text)))
}

/// An incident's row id in our database (not shown to people; they see [`IncidentNumber`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IncidentId(pub i64);

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The number people use for an incident: 1, 2, 3 … per guild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IncidentNumber(pub u32);

impl fmt::Display for IncidentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_from_text_and_refuse_zero_and_garbage() {
        assert_eq!("42".parse::<UserId>().map(UserId::get), Ok(42));
        assert!("0".parse::<UserId>().is_err());
        assert!("abc".parse::<RoleId>().is_err());
        assert!("-5".parse::<RoleId>().is_err());
    }

    #[test]
    fn ids_deserialize_from_integers_and_strings() {
        let a: ChannelId = serde_json::from_str("123").expect("int");
        let b: ChannelId = serde_json::from_str("\"123\"").expect("string");
        assert_eq!(a, b);
        assert!(serde_json::from_str::<ChannelId>("\"12x\"").is_err());
    }
}
