//! The markdown rules with a fixed shape: `<...>` forms, code blocks and spans, masked links.

use super::markdown::Node;

/// The timestamp styles Discord documents (`f` when none is given).
const TIME_STYLES: &str = "tTdDfFsSR";

/// A `<...>` form at the start of `s`: user, role and channel mentions, timestamps, custom
/// emoji, command mentions and `<https://…>` (a link without preview, shown without brackets).
pub fn tag(s: &str) -> Option<(Node, usize)> {
    let end = s.find('>')?;
    let inner = &s[1..end];
    let used = end + 1;
    let id = |digits: &str| {
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse::<u64>().ok())
            .flatten()
            .filter(|id| *id != 0)
    };
    let node = if let Some(rest) = inner.strip_prefix("@&") {
        Node::Role(id(rest)?)
    } else if let Some(rest) = inner.strip_prefix('@') {
        Node::User(id(rest.strip_prefix('!').unwrap_or(rest))?)
    } else if let Some(rest) = inner.strip_prefix('#') {
        Node::Channel(id(rest)?)
    } else if let Some(rest) = inner.strip_prefix("t:") {
        let (unix, style) = match rest.split_once(':') {
            Some((unix, style)) if style.len() == 1 && TIME_STYLES.contains(style) => {
                (unix, style.chars().next()?)
            }
            Some(_) => return None,
            None => (rest, 'f'),
        };
        let digits = unix.strip_prefix('-').unwrap_or(unix);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Node::Time(unix.parse().ok()?, style)
    } else if let Some(rest) = inner.strip_prefix('/') {
        let (name, command) = rest.rsplit_once(':')?;
        id(command)?;
        Node::Command(name.to_owned())
    } else if inner.starts_with(':') || inner.starts_with("a:") {
        let rest = inner.strip_prefix('a').unwrap_or(inner);
        let (name, emoji) = rest[1..].split_once(':')?;
        id(emoji)?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        Node::Emoji(name.to_owned())
    } else if (inner.starts_with("https://") || inner.starts_with("http://"))
        && !inner.contains(char::is_whitespace)
    {
        Node::Url {
            url: inner.to_owned(),
            preview: false,
        }
    } else {
        return None;
    };
    Some((node, used))
}

/// A fenced block ```` ```lang\nbody``` ````: its body without the fences, the language line
/// and surrounding newlines, and the bytes it takes. `None` unless closed and non-empty.
pub fn code_block(s: &str) -> Option<(String, usize)> {
    let inner = s.strip_prefix("```")?;
    let close = inner.find("```")?;
    let mut body = &inner[..close];
    if let Some((first, rest)) = body.split_once('\n') {
        let is_lang = !first.is_empty()
            && first
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+-.#".contains(c));
        if is_lang {
            body = rest;
        }
    }
    let body = body.trim_matches('\n');
    (!body.is_empty()).then(|| (body.to_owned(), 3 + close + 3))
}

/// A code span of n backticks closed by a run of exactly n: its body and the bytes it takes,
/// or the length of the opening run when it is never closed.
pub fn code_span(s: &str) -> Result<(String, usize), usize> {
    let run = s.bytes().take_while(|b| *b == b'`').count();
    let mut i = run;
    while i < s.len() {
        let here = s[i..].bytes().take_while(|b| *b == b'`').count();
        if here == 0 {
            i += s[i..].chars().next().map_or(1, char::len_utf8);
        } else if here == run && i > run {
            return Ok((s[run..i].to_owned(), i + run));
        } else {
            i += here;
        }
    }
    Err(run)
}

/// A masked link `[text](https://…)` (or `(<https://…>)`): its text and the bytes it takes.
/// Discord leaves it as typed when the URL is not http(s) or the text itself holds a URL.
pub fn masked_link(s: &str) -> Option<(&str, usize)> {
    let mut i = 1;
    loop {
        let rest = s.get(i..)?;
        match rest.chars().next()? {
            ']' => break,
            '\n' | '[' => return None,
            '\\' => i += 1 + rest[1..].chars().next().map_or(0, char::len_utf8),
            c => i += c.len_utf8(),
        }
    }
    let text = s.get(1..i)?;
    let after = s.get(i + 1..)?.strip_prefix('(')?;
    let close = after.find(')')?;
    let url = after[..close].trim_start_matches('<').trim_end_matches('>');
    let web = url.starts_with("https://") || url.starts_with("http://");
    if text.trim().is_empty() || !web || url.contains(char::is_whitespace) || text.contains("://") {
        return None;
    }
    Some((text, i + 2 + close + 1))
}
