//! Markup knows where it came from: what the bot builds (mentions, `<t:…>` timestamps, code
//! spans, pings) is a [`Markup`]; what people typed is a plain string. Templates print both with
//! `{{ }}`, and the escape function decides by the type, once: plain strings are escaped for
//! Discord, markup passes as built. So a template can neither double-escape bot markup nor
//! under-escape user text, and `{{{ }}}` is never needed (the template check refuses it).
//!
//! A [`Markup`] value serializes wrapped in two private-use characters around a tag drawn at
//! random when the process starts; the escape function unwraps what carries the tag. People
//! cannot forge it: they do not know the tag, and the wrapping characters are dropped from
//! plain text.

use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use serde::{Serialize, Serializer};

use super::discord_escape;

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// The per-process tag that marks serialized markup.
fn tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        format!("{:016x}", h.finish())
    })
}

/// Text the bot built itself, shown as it is: mentions, timestamps, code spans, bold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Markup(String);

impl Markup {
    /// Bot-built markup, as is. Never pass text a person typed.
    pub fn raw(markup: impl Into<String>) -> Self {
        Self(markup.into())
    }

    /// Text a person typed, escaped so that it shows as typed.
    pub fn text(text: &str) -> Self {
        Self(escape_plain(text))
    }

    /// Appends more markup.
    pub fn push(mut self, more: Markup) -> Self {
        self.0.push_str(&more.0);
        self
    }

    /// Appends bot-built markup.
    pub fn raw_then(self, markup: &str) -> Self {
        self.push(Self::raw(markup))
    }

    /// Appends text a person typed, escaped.
    pub fn text_then(self, text: &str) -> Self {
        self.push(Self::text(text))
    }

    /// The markup, as Discord receives it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Markup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Markup {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{OPEN}{}{}{CLOSE}", tag(), self.0))
    }
}

/// Plain text escaped for Discord, with any stray wrapping characters dropped.
fn escape_plain(text: &str) -> String {
    if text.contains([OPEN, CLOSE]) {
        discord_escape(&text.replace([OPEN, CLOSE], ""))
    } else {
        discord_escape(text)
    }
}

/// The handlebars escape function: markup passes as built, everything else is escaped.
pub fn escape_by_type(value: &str) -> String {
    let start = format!("{OPEN}{}", tag());
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find(&start) {
        let inner = &rest[at + start.len()..];
        let Some(end) = inner.find(CLOSE) else {
            break;
        };
        out.push_str(&escape_plain(&rest[..at]));
        out.push_str(&inner[..end]);
        rest = &inner[end + CLOSE.len_utf8()..];
    }
    out.push_str(&escape_plain(rest));
    out
}

/// Whether rendered output still holds wrapped markup: a template printed it with `{{{ }}}`.
pub fn leaked(rendered: &str) -> bool {
    rendered.contains(OPEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(m: &Markup) -> String {
        match serde_json::to_value(m) {
            Ok(serde_json::Value::String(s)) => escape_by_type(&s),
            other => panic!("markup serializes as a string: {other:?}"),
        }
    }

    #[test]
    fn markup_passes_as_built_and_plain_text_is_escaped() {
        let m = Markup::raw("<@1> at <t:0:R>");
        assert_eq!(printed(&m), "<@1> at <t:0:R>");
        assert_eq!(escape_by_type("<@1> **hi**"), "\\<@1> \\*\\*hi\\*\\*");
    }

    #[test]
    fn user_text_inside_markup_is_escaped_once() {
        let m = Markup::raw("Post-mortem for ").text_then("[status](https://x.example) <@&1>");
        assert_eq!(
            printed(&m),
            "Post-mortem for \\[status\\]\\(<https://x.example>\\) \\<@&1>"
        );
    }

    #[test]
    fn forged_wrapping_in_user_text_is_dropped_and_escaped() {
        let forged = format!("{OPEN}0000000000000000<@&1>{CLOSE}");
        assert_eq!(escape_by_type(&forged), "0000000000000000\\<@&1>");
        assert_eq!(Markup::text(&forged).as_str(), "0000000000000000\\<@&1>");
    }

    #[test]
    fn triple_braces_leave_a_trace_that_is_caught() {
        let Ok(serde_json::Value::String(s)) = serde_json::to_value(Markup::raw("<@1>")) else {
            panic!("a string");
        };
        assert!(leaked(&s));
        assert!(!leaked(&escape_by_type(&s)));
    }
}
