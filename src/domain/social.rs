//! Social posts as text: the networks, what a player announcement reads as once the Discord
//! markup is taken out, and how a post is cut to a network's length at a grapheme boundary
//! with the status link kept whole at its end.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// A social network the bot posts players' announcements to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Network {
    /// A Mastodon instance.
    Mastodon,
    /// Bluesky (any AT Protocol PDS).
    Bluesky,
    /// X (Twitter).
    X,
}

impl Network {
    /// Every network, in the order their posts are queued.
    pub const ALL: [Network; 3] = [Self::Mastodon, Self::Bluesky, Self::X];

    /// The stored name, also the template's (`social/mastodon.hbs`) and the config section's.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mastodon => "mastodon",
            Self::Bluesky => "bluesky",
            Self::X => "x",
        }
    }

    /// The network named `name`, as stored.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == name)
    }

    /// Its name as people read it.
    pub fn display(self) -> &'static str {
        match self {
            Self::Mastodon => "Mastodon",
            Self::Bluesky => "Bluesky",
            Self::X => "X",
        }
    }
}

/// Why a post to players was skipped, not sent: stored with it as a stable key and its values
/// (`{"key":"x_monthly_cap","cap":1500}`), never as a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "key", rename_all = "snake_case")]
pub enum Skipped {
    /// X's monthly cap of posts was reached (`[social.x] monthly_cap`).
    XMonthlyCap {
        /// The cap.
        cap: u32,
    },
    /// A row stored before the reason was data: its sentence, as stored.
    Said {
        /// The sentence.
        text: String,
    },
}

/// The number of user-perceived characters (extended grapheme clusters) in `text`: what
/// Bluesky and Mastodon count.
pub fn graphemes(text: &str) -> usize {
    text.graphemes(true).count()
}

/// `text` cut to at most `max` by `count`, at a grapheme boundary, ending in `…` when cut:
/// an emoji made of several code points, or a letter with its combining marks, is kept whole
/// or left out whole.
pub fn shorten(text: &str, max: usize, count: impl Fn(&str) -> usize) -> String {
    if count(text) <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    for g in text.graphemes(true) {
        let next = format!("{out}{g}…");
        if count(&next) > max {
            break;
        }
        out.push_str(g);
    }
    let mut out = out.trim_end().to_owned();
    out.push('…');
    out
}

/// A post of `body` then `link` on its own line, cut so that `count` of the whole is at most
/// `max`: the body is shortened, the link never.
pub fn fit(body: &str, link: Option<&str>, max: usize, count: impl Fn(&str) -> usize) -> String {
    let Some(link) = link else {
        return shorten(body, max, count);
    };
    let tail = format!("\n{link}");
    let room = max.saturating_sub(count(&tail));
    format!("{}{tail}", shorten(body, room, &count))
}

/// Typed text made inert on a social network: a zero-width space after each `@` and `#`, so
/// that `@someone` mentions (pings) nobody and `#tag` is no hashtag link.
pub fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        out.push(c);
        if c == '@' || c == '#' {
            out.push('\u{200B}');
        }
    }
    out
}

/// A player announcement as rendered for Discord, made plain text: role pings and other
/// mentions left out, time tags written as UTC times, the bot's own `**bold**` markers,
/// `<address>` brackets and backslash escapes taken away. An address Discord was told not to link (`https\://…`) stays unlinkable
/// (`https:\u{200B}//…`), and lines that carry `site` (the status site: the post adds the
/// incident's page itself) are left out.
pub fn plain_from_discord(content: &str, site: &str) -> String {
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(c) = rest.chars().next() {
        if let Some((tag, len)) = discord_tag(rest) {
            out.push_str(&tag);
            rest = &rest[len..];
        } else if let Some(after) = rest.strip_prefix("\\://") {
            out.push_str(":\u{200B}//");
            rest = after;
        } else if let Some(after) = rest.strip_prefix("**") {
            // The bot's bold (a 🛠️ notice's heading); typed asterisks are escaped, above.
            rest = after;
        } else if c == '\\' && rest.len() > 1 {
            let next = rest[1..].chars().next().unwrap_or('\\');
            out.push(next);
            rest = &rest[1 + next.len_utf8()..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out.lines()
        .filter(|l| !l.trim().is_empty() && (site.is_empty() || !l.contains(site)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The plain text of a `<…>` tag at the start of `text` and its length in bytes: nothing for a
/// mention, a UTC time for a time tag, the address of a bracketed link.
fn discord_tag(text: &str) -> Option<(String, usize)> {
    let inner_end = text.strip_prefix('<')?.find('>')?;
    let inner = &text[1..=inner_end];
    let len = inner_end + 2;
    if let Some(id) = inner
        .strip_prefix("@&")
        .or_else(|| inner.strip_prefix('@'))
        .or_else(|| inner.strip_prefix('#'))
    {
        return id
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| (String::new(), len));
    }
    if let Some(time) = inner.strip_prefix("t:") {
        let seconds: i64 = time.split(':').next()?.parse().ok()?;
        let at = DateTime::<Utc>::from_timestamp(seconds, 0)?;
        return Some((at.format("%Y-%m-%d %H:%M UTC").to_string(), len));
    }
    (inner.starts_with("https://") || inner.starts_with("http://")).then(|| (inner.to_owned(), len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_reads_as_plain_text_without_pings_escapes_or_the_repeated_link() {
        let content = "<@&42>\n🚨 Service Alert 🚨\nTrouble with Log\\*in \\_now\\_ until <t:1700000000:t>.\n\
                       Do not visit https\\://evil.example/x\\@y\nStatus updates: <https://status.example/incidents/4>";
        let plain = plain_from_discord(content, "https://status.example");
        assert_eq!(
            plain,
            "🚨 Service Alert 🚨\nTrouble with Log*in _now_ until 2023-11-14 22:13 UTC.\n\
             Do not visit https:\u{200B}//evil.example/x@y"
        );
    }

    #[test]
    fn the_bots_bold_goes_and_typed_asterisks_stay() {
        assert_eq!(
            plain_from_discord("🛠️ **Maintenance under way**\nLog\\*\\*in", ""),
            "🛠️ Maintenance under way\nLog**in"
        );
    }

    #[test]
    fn typed_mentions_and_hashtags_are_inert() {
        assert_eq!(inert("@cole #ops"), "@\u{200B}cole #\u{200B}ops");
    }

    #[test]
    fn a_cut_keeps_emoji_and_combining_marks_whole_and_the_link_at_the_end() {
        let family = "👨‍👩‍👧‍👦";
        let accented = "e\u{301}";
        let body = format!("{}{}", family.repeat(5), accented.repeat(5));
        let post = fit(&body, Some("https://s.example/1"), 25, graphemes);
        assert_eq!(graphemes(&post), 25, "{post}");
        assert_eq!(
            post.lines().next(),
            Some(format!("{}…", family.repeat(4)).as_str())
        );
        let post = fit(&body, Some("x"), 8, graphemes);
        assert_eq!(post, format!("{}…\nx", family.repeat(5)));
        assert_eq!(
            shorten(&body, 7, graphemes),
            format!("{}e\u{301}…", family.repeat(5))
        );
    }
}
