//! Text people type, parsed once on the way in: trimmed, non-empty, capped, no hidden characters.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a piece of text was refused. The message names the field and says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Nothing but white space.
    #[error("{field} is empty: write a few words")]
    Empty {
        /// The field's name as people see it.
        field: &'static str,
    },
    /// Longer than the field allows.
    #[error("{field} is {len} characters long; the limit is {max}: shorten it")]
    TooLong {
        /// The field's name as people see it.
        field: &'static str,
        /// The length given, in characters.
        len: usize,
        /// The limit, in characters.
        max: usize,
    },
    /// Holds a control, zero-width or direction-changing character.
    #[error("{field} contains a hidden character ({code}): retype it without control, zero-width or bidi characters")]
    Hidden {
        /// The field's name as people see it.
        field: &'static str,
        /// The character, as `U+XXXX`.
        code: String,
    },
}

/// Characters that change what a reader sees without being visible themselves.
fn is_hidden(c: char, allow_newline: bool) -> bool {
    if c == '\n' {
        return !allow_newline;
    }
    c.is_control()
        || matches!(c,
            '\u{061C}'                  // Arabic letter mark
            | '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
            | '\u{202A}'..='\u{202E}'   // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}'   // word joiner and invisible operators
            | '\u{2066}'..='\u{2069}'   // bidi isolates
            | '\u{FEFF}'                // zero-width no-break space
        )
}

/// Parses one field: trims, refuses empty, hidden characters and text over `max` characters.
pub fn parse_field(
    field: &'static str,
    input: &str,
    max: usize,
    allow_newline: bool,
) -> Result<String, TextError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(TextError::Empty { field });
    }
    if let Some(c) = text.chars().find(|&c| is_hidden(c, allow_newline)) {
        return Err(TextError::Hidden {
            field,
            code: format!("U+{:04X}", u32::from(c)),
        });
    }
    let len = text.chars().count();
    if len > max {
        return Err(TextError::TooLong { field, len, max });
    }
    Ok(text.to_owned())
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:expr, $newline:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The longest text accepted, in characters.
            pub const MAX: usize = $max;

            /// Parses text typed by a person; see [`parse_field`].
            pub fn parse(input: &str) -> Result<Self, TextError> {
                parse_field($field, input, Self::MAX, $newline).map(Self)
            }

            /// Text read back from the store, kept as it was written. It passed the parser
            /// of the version that wrote it, and a later version may refuse more (new hidden
            /// characters): checking it again would turn an accepted incident into one that
            /// cannot load. Never for text a person just typed.
            pub fn from_stored(text: String) -> Self {
                Self(text)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(t: $name) -> String {
                t.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text!(
    /// An incident's title, at most 100 characters, on one line.
    IncidentTitle, "The title", 100, false
);
bounded_text!(
    /// Free text from a responder: a summary, an update, a note, a root cause. At most 1500
    /// characters, so that it fits a Discord message with its template around it.
    FreeText, "The text", 1500, true
);
bounded_text!(
    /// A short reason or label, such as the reason for a severity change or an ETA.
    ShortText, "The text", 200, false
);
bounded_text!(
    /// The name of one affected system, such as `Login`.
    SystemName, "A system name", 50, false
);

/// The affected systems of an incident: 1 to 10 names, without duplicates (case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Systems(Vec<SystemName>);

/// Why a list of systems was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SystemsError {
    /// One of the names is bad.
    #[error(transparent)]
    Name(#[from] TextError),
    /// Too many names.
    #[error("{0} systems listed; at most {max} fit: name the main ones", max = Systems::MAX)]
    TooMany(usize),
}

impl Systems {
    /// The most systems one incident lists.
    pub const MAX: usize = 10;

    /// Parses a comma-separated list such as `Login, Matchmaking`. Empty input is no systems.
    pub fn parse(input: &str) -> Result<Self, SystemsError> {
        let mut names: Vec<SystemName> = Vec::new();
        for part in input.split(',').filter(|p| !p.trim().is_empty()) {
            let name = SystemName::parse(part)?;
            if !names
                .iter()
                .any(|n| n.as_str().eq_ignore_ascii_case(name.as_str()))
            {
                names.push(name);
            }
        }
        if names.len() > Self::MAX {
            return Err(SystemsError::TooMany(names.len()));
        }
        Ok(Self(names))
    }

    /// Names read back from the store, in their stored order; see
    /// [`IncidentTitle::from_stored`] for why they are not parsed again.
    pub fn from_stored(names: impl IntoIterator<Item = String>) -> Self {
        Self(names.into_iter().map(SystemName::from_stored).collect())
    }

    /// The names, in the order given.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(SystemName::as_str)
    }

    /// True when no system was named.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names joined for people, `Login, Matchmaking`, or `our services` when none was named.
    pub fn display(&self) -> String {
        if self.0.is_empty() {
            "our services".to_owned()
        } else {
            self.names().collect::<Vec<_>>().join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_capped_at_100_characters() {
        assert_eq!(
            IncidentTitle::parse("  Login down ").map(String::from),
            Ok("Login down".into())
        );
        assert!(IncidentTitle::parse(&"x".repeat(100)).is_ok());
        let err = IncidentTitle::parse(&"x".repeat(101)).expect_err("too long");
        assert_eq!(
            err.to_string(),
            "The title is 101 characters long; the limit is 100: shorten it"
        );
    }

    #[test]
    fn empty_and_whitespace_titles_are_refused() {
        assert!(matches!(
            IncidentTitle::parse(""),
            Err(TextError::Empty { .. })
        ));
        assert!(matches!(
            IncidentTitle::parse(" \t "),
            Err(TextError::Empty { .. })
        ));
    }

    #[test]
    fn control_zero_width_and_bidi_characters_are_refused() {
        for bad in [
            "a\u{0007}b",
            "a\u{200B}b",
            "a\u{202E}b",
            "a\u{2066}b",
            "a\u{FEFF}b",
            "a\nb",
        ] {
            let err = IncidentTitle::parse(bad).expect_err(bad);
            assert!(err.to_string().contains("hidden character"), "{err}");
        }
        assert!(FreeText::parse("line one\nline two").is_ok());
        assert!(FreeText::parse("a\rb").is_err());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(IncidentTitle::parse(&"é".repeat(100)).is_ok());
    }

    #[test]
    fn systems_split_on_commas_and_drop_duplicates() {
        let s = Systems::parse("Login, matchmaking,,login ").expect("valid");
        assert_eq!(s.names().collect::<Vec<_>>(), ["Login", "matchmaking"]);
        assert_eq!(Systems::parse("").map(|s| s.is_empty()), Ok(true));
        assert!(matches!(
            Systems::parse(
                &(0..11)
                    .map(|i| format!("s{i}"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Err(SystemsError::TooMany(11))
        ));
    }
}
