//! Players' languages: Discord's locale codes, and the typed translations of what players read.
//!
//! The codes are Discord's own (developers/reference.mdx "Locales" in discord/discord-api-docs):
//! a guild's `preferred_locale`, a command's `name_localizations` keys and the feeds all use
//! them, so one list serves them all.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::text::{FreeText, IncidentTitle};

/// Every locale Discord knows, with its language's English name, in Discord's order.
pub const DISCORD_LOCALES: [(&str, &str); 32] = [
    ("id", "Indonesian"),
    ("da", "Danish"),
    ("de", "German"),
    ("en-GB", "English, UK"),
    ("en-US", "English, US"),
    ("es-ES", "Spanish"),
    ("es-419", "Spanish, LATAM"),
    ("fr", "French"),
    ("hr", "Croatian"),
    ("it", "Italian"),
    ("lt", "Lithuanian"),
    ("hu", "Hungarian"),
    ("nl", "Dutch"),
    ("no", "Norwegian"),
    ("pl", "Polish"),
    ("pt-BR", "Portuguese, Brazilian"),
    ("ro", "Romanian"),
    ("fi", "Finnish"),
    ("sv-SE", "Swedish"),
    ("vi", "Vietnamese"),
    ("tr", "Turkish"),
    ("cs", "Czech"),
    ("el", "Greek"),
    ("bg", "Bulgarian"),
    ("ru", "Russian"),
    ("uk", "Ukrainian"),
    ("hi", "Hindi"),
    ("th", "Thai"),
    ("zh-CN", "Chinese, China"),
    ("ja", "Japanese"),
    ("zh-TW", "Chinese, Taiwan"),
    ("ko", "Korean"),
];

/// One of Discord's locales. Built only by [`Locale::parse`], so it is always one Discord knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Locale(&'static str);

/// A code that is not one of Discord's locales.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not one of Discord's locales; they are {list}", list = Locale::codes().join(", "))]
pub struct UnknownLocale(pub String);

impl Locale {
    /// The locale of the seed's English text: every announcement has it.
    pub const SEED: Locale = Locale("en-US");

    /// The locale written `code` (exactly as Discord writes it: `pt-BR`, not `pt-br`).
    pub fn parse(code: &str) -> Result<Self, UnknownLocale> {
        DISCORD_LOCALES
            .iter()
            .find(|(c, _)| *c == code.trim())
            .map(|(c, _)| Self(c))
            .ok_or_else(|| UnknownLocale(code.to_owned()))
    }

    /// Every code Discord knows.
    pub fn codes() -> Vec<&'static str> {
        DISCORD_LOCALES.iter().map(|(c, _)| *c).collect()
    }

    /// The code, as Discord writes it.
    pub fn code(self) -> &'static str {
        self.0
    }

    /// The language's English name ("German"), for the labels of the translations form.
    pub fn language(self) -> &'static str {
        DISCORD_LOCALES
            .iter()
            .find(|(c, _)| *c == self.0)
            .map_or(self.0, |(_, name)| name)
    }

    /// Whether players in this locale read the seed's English text as it is.
    pub fn is_english(self) -> bool {
        self.0.starts_with("en-")
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Locale {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Locale::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// The locales players read besides the seed's English, in the order the config lists them,
/// without English ones and without repeats: the languages a translation is asked for.
pub fn to_translate(configured: &[Locale]) -> Vec<Locale> {
    let mut out: Vec<Locale> = Vec::new();
    for l in configured {
        if !l.is_english() && !out.contains(l) {
            out.push(*l);
        }
    }
    out
}

/// What a person typed for players in other languages: one text per locale, each parsed like
/// the English one (plain text, escaped when shown), and the incident's public title per locale
/// where one was given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Translations(BTreeMap<Locale, FreeText>, BTreeMap<Locale, IncidentTitle>);

impl Translations {
    /// Adds the text typed for `locale`; blank text means none was given.
    pub fn add(&mut self, locale: Locale, typed: &str) -> Result<(), super::TextError> {
        if !typed.trim().is_empty() {
            self.0.insert(locale, FreeText::parse(typed)?);
        }
        Ok(())
    }

    /// The text given for `locale`, if any.
    pub fn get(&self, locale: Locale) -> Option<&FreeText> {
        self.0.get(&locale)
    }

    /// Whether no text was given at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many locales have a text.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Adds the incident's title typed for `locale`; blank means none was given (the title
    /// given before stays).
    pub fn add_title(&mut self, locale: Locale, typed: &str) -> Result<(), super::TextError> {
        if !typed.trim().is_empty() {
            self.1.insert(locale, IncidentTitle::parse(typed)?);
        }
        Ok(())
    }

    /// The titles given, by locale.
    pub fn titles(&self) -> Vec<(Locale, String)> {
        self.1.iter().map(|(l, t)| (*l, t.to_string())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discord_codes_parse_and_others_are_refused_with_the_list() {
        assert_eq!(Locale::parse("pt-BR").map(Locale::code), Ok("pt-BR"));
        assert_eq!(Locale::parse("es-419").map(Locale::code), Ok("es-419"));
        let e = Locale::parse("pt-br").unwrap_err().to_string();
        assert!(e.contains("`pt-br` is not one of Discord's locales"), "{e}");
        assert!(e.contains("pt-BR") && e.contains("zh-TW"), "{e}");
        assert!(Locale::parse("en").is_err());
    }

    #[test]
    fn english_and_repeated_locales_are_not_asked_for_a_translation() {
        let parse = |c| Locale::parse(c).unwrap();
        let asked = to_translate(&[parse("en-US"), parse("de"), parse("en-GB"), parse("de")]);
        assert_eq!(asked, vec![parse("de")]);
    }

    #[test]
    fn blank_translations_count_as_not_given() {
        let mut t = Translations::default();
        t.add(Locale::parse("de").unwrap(), "  ").unwrap();
        assert!(t.is_empty());
        t.add(Locale::parse("fr").unwrap(), "Connexion rétablie")
            .unwrap();
        assert_eq!(t.len(), 1);
    }
}
