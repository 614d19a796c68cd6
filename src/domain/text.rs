//! Text people type, parsed once on the way in: trimmed, non-empty, capped, no hidden characters.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a piece of text was refused. The message names the field and says what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
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
    /// Holds a control, zero-width, direction-changing or other invisible formatting character.
    #[error("{field} contains a hidden character ({code}): retype it without control, zero-width, bidi or other invisible formatting characters")]
    Hidden {
        /// The field's name as people see it.
        field: &'static str,
        /// The character, as `U+XXXX`.
        code: String,
    },
}

/// General Category Cf (format characters), as inclusive ranges sorted by code point, from the
/// Unicode Character Database's `extracted/DerivedGeneralCategory.txt`, Unicode 15.1.0 (170 code
/// points; 16.0.0 lists the same). They are invisible by definition yet change how text reads
/// or sorts: bidi overrides, zero-width joiners, the soft hyphen, tag characters.
const FORMAT: [(char, char); 21] = [
    ('\u{00AD}', '\u{00AD}'),   // soft hyphen
    ('\u{0600}', '\u{0605}'),   // Arabic number signs
    ('\u{061C}', '\u{061C}'),   // Arabic letter mark
    ('\u{06DD}', '\u{06DD}'),   // Arabic end of ayah
    ('\u{070F}', '\u{070F}'),   // Syriac abbreviation mark
    ('\u{0890}', '\u{0891}'),   // Arabic pound and piastre marks above
    ('\u{08E2}', '\u{08E2}'),   // Arabic disputed end of ayah
    ('\u{180E}', '\u{180E}'),   // Mongolian vowel separator
    ('\u{200B}', '\u{200F}'),   // zero-width space, non-joiner, joiner; LRM, RLM
    ('\u{202A}', '\u{202E}'),   // bidi embeddings and overrides
    ('\u{2060}', '\u{2064}'),   // word joiner, invisible operators
    ('\u{2066}', '\u{206F}'),   // bidi isolates, deprecated format characters
    ('\u{FEFF}', '\u{FEFF}'),   // zero-width no-break space (BOM)
    ('\u{FFF9}', '\u{FFFB}'),   // interlinear annotation
    ('\u{110BD}', '\u{110BD}'), // Kaithi number sign
    ('\u{110CD}', '\u{110CD}'), // Kaithi number sign above
    ('\u{13430}', '\u{1343F}'), // Egyptian hieroglyph format controls
    ('\u{1BCA0}', '\u{1BCA3}'), // shorthand format controls
    ('\u{1D173}', '\u{1D17A}'), // musical symbol beam and phrase controls
    ('\u{E0001}', '\u{E0001}'), // language tag
    ('\u{E0020}', '\u{E007F}'), // tag characters
];

/// Not Cf, yet shown as nothing, so a title or a name made of them looks blank or like another:
/// the combining grapheme joiner, the Hangul fillers, the Khmer inherent vowels, the Mongolian
/// free variation selectors, the line and paragraph separators (a line break that is not a
/// newline), the blank Braille pattern, and the unassigned code points that Unicode reserves as
/// ignorable by default (refused before a version assigns them). With [`FORMAT`] and
/// [`VARIATION`] this covers every Default_Ignorable_Code_Point of DerivedCoreProperties.txt
/// (Unicode 15.1/16.0).
const BLANK: [(char, char); 15] = [
    ('\u{034F}', '\u{034F}'),   // combining grapheme joiner
    ('\u{115F}', '\u{1160}'),   // Hangul choseong and jungseong fillers
    ('\u{17B4}', '\u{17B5}'),   // Khmer vowel inherent AQ and AA
    ('\u{180B}', '\u{180D}'),   // Mongolian free variation selectors one to three
    ('\u{180F}', '\u{180F}'),   // Mongolian free variation selector four
    ('\u{2028}', '\u{2029}'),   // line separator, paragraph separator
    ('\u{2065}', '\u{2065}'),   // unassigned, among the invisible operators
    ('\u{2800}', '\u{2800}'),   // Braille pattern blank
    ('\u{3164}', '\u{3164}'),   // Hangul filler
    ('\u{FFA0}', '\u{FFA0}'),   // halfwidth Hangul filler
    ('\u{FFF0}', '\u{FFF8}'),   // unassigned, before the interlinear annotations
    ('\u{E0000}', '\u{E0000}'), // tag block, unassigned
    ('\u{E0002}', '\u{E001F}'), // tag block, unassigned
    ('\u{E0080}', '\u{E00FF}'), // unassigned, after the tag block
    ('\u{E01F0}', '\u{E0FFF}'), // unassigned, after the variation selectors supplement
];

/// The variation selectors: invisible, and a run of them after one character can carry a
/// hidden message. Only the emoji and text presentation selectors (U+FE0F, U+FE0E) have a use
/// in what people type (`❤️` is U+2764 U+FE0F), and only right after the symbol they style;
/// see [`selector_allowed`].
const VARIATION: [(char, char); 2] = [
    ('\u{FE00}', '\u{FE0F}'),   // variation selectors 1 to 16
    ('\u{E0100}', '\u{E01EF}'), // variation selectors supplement, 17 to 256
];

/// Whether `c` lies in one of `ranges` (sorted, inclusive, not overlapping).
fn in_ranges(ranges: &[(char, char)], c: char) -> bool {
    ranges
        .binary_search_by(|&(first, last)| {
            if last < c {
                std::cmp::Ordering::Less
            } else if first > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Characters that change what a reader sees without being visible themselves: controls
/// (newline only where allowed), format characters, and the blank-looking fillers.
fn is_hidden(c: char, allow_newline: bool) -> bool {
    if c == '\n' {
        return !allow_newline;
    }
    c.is_control() || in_ranges(&FORMAT, c) || in_ranges(&BLANK, c)
}

/// Whether `c`, coming after `before`, is not a variation selector, or is the emoji or text
/// presentation selector right after a symbol: not after a letter (no letter has an emoji
/// form), white space, another selector, or at the start.
fn selector_allowed(c: char, before: Option<char>) -> bool {
    if !in_ranges(&VARIATION, c) {
        return true;
    }
    matches!(c, '\u{FE0E}' | '\u{FE0F}')
        && before
            .is_some_and(|b| !b.is_alphabetic() && !b.is_whitespace() && !in_ranges(&VARIATION, b))
}

/// Parses one field: trims, refuses empty, hidden characters (a variation selector other than
/// an emoji's) and text over `max` characters.
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
    let mut before = None;
    for c in text.chars() {
        if is_hidden(c, allow_newline) || !selector_allowed(c, before) {
            return Err(TextError::Hidden {
                field,
                code: format!("U+{:04X}", u32::from(c)),
            });
        }
        before = Some(c);
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

/// Checklist steps are bounded text too (`domain::checklist`).
pub(super) use bounded_text;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SystemsError {
    /// Too many names.
    #[error("{0} systems listed; at most {max} fit: name the main ones", max = Systems::MAX)]
    TooMany(usize),
    /// One of the names is bad.
    #[error(transparent)]
    #[serde(untagged)]
    Name(#[from] TextError),
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
#[path = "text_tests.rs"]
mod tests;
