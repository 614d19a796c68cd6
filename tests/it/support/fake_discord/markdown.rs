//! Discord's message markdown parsed into nodes, shared by the renderer (`view`) and the ping
//! rules (`mentions`), so that what a person sees and who is woken cannot disagree.
//!
//! The rules follow simple-markdown as Discord's client uses it; each rule's source is cited in
//! `view.rs`. Line rules (quote, heading, subtext, list) apply at the start of a line; inline
//! rules are tried at every position in this order: escape, `<...>` forms (mentions, timestamps,
//! emoji, command mentions, `<https://…>`), code block, code span, `@everyone`/`@here`, masked
//! link, then the delimited styles; a bare `https://…` is tried first (simple-markdown's `url`).

use super::markdown_tags::{code_block, code_span, masked_link, tag};

/// One piece of a parsed message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Literal text (escapes already consumed).
    Text(String),
    /// A code span or code block: shown verbatim, nothing inside is markdown or a mention.
    Code(String),
    /// What starts a line: a quote bar, a heading, subtext or a list item.
    Line(LineStart),
    /// Bold, italic, underline, strikethrough or spoiler around more nodes.
    Styled(Style, Vec<Node>),
    /// A masked link `[text](https://…)`: only its text shows.
    Link(Vec<Node>),
    /// A web address the client links: bare `https://…` (with a preview of the page below the
    /// message) or in `<https://…>` (without one). Shows as the address.
    Url {
        /// The address.
        url: String,
        /// Whether the client shows a preview (an embed) of it.
        preview: bool,
    },
    /// `<@id>` or `<@!id>`.
    User(u64),
    /// `<@&id>`.
    Role(u64),
    /// `<#id>`.
    Channel(u64),
    /// `@everyone`.
    Everyone,
    /// `@here`.
    Here,
    /// `<t:unix>` or `<t:unix:style>`.
    Time(i64, char),
    /// A custom emoji `<:name:id>`, shown as `:name:`.
    Emoji(String),
    /// A command mention `</name:id>`, shown as `/name`.
    Command(String),
}

/// The emphasis kinds; all render as their text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `**text**`
    Bold,
    /// `*text*` or `_text_`
    Italic,
    /// `__text__`
    Underline,
    /// `~~text~~`
    Strike,
    /// `||text||`
    Spoiler,
}

/// Line-start markup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineStart {
    /// `> ` (or every line after `>>> `).
    Quote,
    /// `# `, `## `, `### `.
    Heading(u8),
    /// `-# `.
    Subtext,
    /// `- ` or `* `, with the spaces of indentation before it.
    Bullet(usize),
    /// `1. ` and so on, with its number.
    Numbered(String),
}

/// Parses a whole message.
pub fn parse(content: &str) -> Vec<Node> {
    parse_inline(content, true)
}

/// Parses `s`; `top` enables the line rules (nested content has none).
pub(super) fn parse_inline(s: &str, top: bool) -> Vec<Node> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut quote_rest = false;
    let mut i = 0;
    while i < s.len() {
        if top && (i == 0 || s.as_bytes()[i - 1] == b'\n') {
            let (starts, used, rest) = line_start(&s[i..], quote_rest);
            quote_rest |= rest;
            if !starts.is_empty() {
                flush(&mut text, &mut out);
                out.extend(starts.into_iter().map(Node::Line));
            }
            i += used;
            if i >= s.len() {
                break;
            }
        }
        let prev = s[..i].chars().next_back();
        if let Some((nodes, used)) = inline_rule(&s[i..], prev) {
            flush(&mut text, &mut out);
            out.extend(nodes);
            i += used;
            continue;
        }
        let c = s[i..].chars().next().unwrap_or_default();
        text.push(c);
        i += c.len_utf8();
    }
    flush(&mut text, &mut out);
    out
}

fn flush(text: &mut String, out: &mut Vec<Node>) {
    if !text.is_empty() {
        out.push(Node::Text(std::mem::take(text)));
    }
}

/// Whether the rest of the line holds something besides spaces.
fn has_text(s: &str) -> bool {
    s.split('\n').next().is_some_and(|l| !l.trim().is_empty())
}

/// The line-start markup at the start of `line`: what it is, the bytes it takes, and whether
/// it was `>>> ` (which quotes every later line too).
fn line_start(line: &str, quoted: bool) -> (Vec<LineStart>, usize, bool) {
    let mut starts = Vec::new();
    let (mut used, mut rest) = (0, false);
    if quoted {
        starts.push(LineStart::Quote);
    } else if line.starts_with(">>> ") {
        starts.push(LineStart::Quote);
        (used, rest) = (4, true);
    } else if line.starts_with("> ") {
        starts.push(LineStart::Quote);
        used = 2;
    }
    let after = &line[used..];
    let hashes = after.bytes().take_while(|b| *b == b'#').count();
    let spaces = after.bytes().take_while(|b| *b == b' ').count();
    let marker = after[spaces..].bytes().next();
    if after.starts_with("-# ") && has_text(&after[3..]) {
        starts.push(LineStart::Subtext);
        used += 3;
    } else if (1..=3).contains(&hashes)
        && after[hashes..].starts_with(' ')
        && has_text(&after[hashes..])
    {
        starts.push(LineStart::Heading(u8::try_from(hashes).unwrap_or(3)));
        used += hashes
            + 1
            + after[hashes + 1..]
                .bytes()
                .take_while(|b| *b == b' ')
                .count();
    } else if matches!(marker, Some(b'-' | b'*'))
        && after[spaces + 1..].starts_with(' ')
        && has_text(&after[spaces + 2..])
    {
        starts.push(LineStart::Bullet(spaces));
        used += spaces + 2;
    } else if let Some(number) = numbered(&after[spaces..]) {
        used += spaces + number.len() + 2;
        starts.push(LineStart::Numbered(number));
    }
    (starts, used, rest)
}

/// `12. text` gives "12".
fn numbered(s: &str) -> Option<String> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && s[digits..].starts_with(". ") && has_text(&s[digits + 2..]))
        .then(|| s[..digits].to_owned())
}

/// The first inline rule that matches at the start of `s`: its nodes and the bytes it takes.
fn inline_rule(s: &str, prev: Option<char>) -> Option<(Vec<Node>, usize)> {
    let one = |node: Node, used: usize| Some((vec![node], used));
    let first = s.chars().next()?;
    if let Some(url) = bare_url(s) {
        let used = url.len();
        return one(
            Node::Url {
                url: url.to_owned(),
                preview: true,
            },
            used,
        );
    }
    if first == '\\' {
        let escaped = s[1..].chars().next()?;
        if !escaped.is_ascii_alphanumeric() && !escaped.is_whitespace() {
            return one(Node::Text(escaped.to_string()), 1 + escaped.len_utf8());
        }
        return None;
    }
    if first == '<' {
        if let Some((node, used)) = tag(s) {
            return one(node, used);
        }
    }
    if first == '`' {
        if let Some((body, used)) = code_block(s) {
            return one(Node::Code(body), used);
        }
        return match code_span(s) {
            Ok((body, used)) => one(Node::Code(body), used),
            // An unclosed run of backticks is text, all of it.
            Err(run) => one(Node::Text("`".repeat(run)), run),
        };
    }
    if s.starts_with("@everyone") {
        return one(Node::Everyone, "@everyone".len());
    }
    if s.starts_with("@here") {
        return one(Node::Here, "@here".len());
    }
    if first == '[' {
        if let Some((text, used)) = masked_link(s) {
            return one(Node::Link(parse_inline(text, false)), used);
        }
    }
    styled(s, prev)
}

/// simple-markdown's `url` rule, `^(https?:\/\/[^\s<]+[^<.,:;"')\]\s])`: a bare web address
/// anywhere in text (its `text` rule stops before `word:` so that this rule is tried mid-word),
/// lower-case scheme only, ending before a space or `<` and not on sentence punctuation.
fn bare_url(s: &str) -> Option<&str> {
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|p| s.starts_with(p))?;
    let end = s
        .find(|c: char| c.is_whitespace() || c == '<')
        .unwrap_or(s.len());
    let url = s[..end].trim_end_matches(['<', '.', ',', ':', ';', '"', '\'', ')', ']']);
    (url.len() > scheme.len() + 1).then_some(url)
}

/// The delimited styles, in simple-markdown's order: `**`, `__`, `*`, `_`, `~~`, `||`.
fn styled(s: &str, prev: Option<char>) -> Option<(Vec<Node>, usize)> {
    let wrap = |style: Style, open: usize, close: usize| {
        let inner = parse_inline(&s[open..close], false);
        Some((vec![Node::Styled(style, inner)], close + open))
    };
    if s.starts_with("**") {
        if let Some(end) = closer(s, 2, "**", |after| !after.starts_with('*')) {
            return wrap(Style::Bold, 2, end);
        }
    }
    if s.starts_with("__") {
        if let Some(end) = closer(s, 2, "__", |after| !after.starts_with('_')) {
            return wrap(Style::Underline, 2, end);
        }
    }
    if s.starts_with('*') && s[1..].chars().next().is_some_and(|c| !c.is_whitespace()) {
        if let Some(end) = em_closer(s, '*') {
            return wrap(Style::Italic, 1, end);
        }
    }
    if s.starts_with('_') && !prev.is_some_and(is_word) {
        if let Some(end) = em_closer(s, '_') {
            return wrap(Style::Italic, 1, end);
        }
    }
    if s.starts_with("~~") {
        if let Some(end) = closer(s, 2, "~~", |_| true) {
            return wrap(Style::Strike, 2, end);
        }
    }
    if s.starts_with("||") {
        if let Some(end) = closer(s, 2, "||", |_| true) {
            return wrap(Style::Spoiler, 2, end);
        }
    }
    None
}

/// A word character as in a JavaScript regex `\b`.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first `delim` after at least one character from `from`, skipping escapes, where `ok`
/// accepts what follows it (the shortest match, as simple-markdown's lazy `+?`).
fn closer(s: &str, from: usize, delim: &str, ok: impl Fn(&str) -> bool) -> Option<usize> {
    let mut i = from;
    while i < s.len() {
        if s[i..].starts_with('\\') && s.len() > i + 1 {
            i += 1 + s[i + 1..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        if i > from && s[i..].starts_with(delim) && ok(&s[i + delim.len()..]) {
            return Some(i);
        }
        i += s[i..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// The closing mark of `*italic*` or `_italic_`: doubled marks inside are content, a lone mark
/// closes only after a non-space character (for `*`) or before a non-word one (for `_`).
fn em_closer(s: &str, mark: char) -> Option<usize> {
    let double: String = [mark, mark].iter().collect();
    let mut i = 1;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with('\\') && rest.len() > 1 {
            i += 1 + rest[1..].chars().next().map_or(1, char::len_utf8);
        } else if rest.starts_with(&double) {
            i += 2;
        } else if rest.starts_with(mark) {
            let before = s[..i].chars().next_back().unwrap_or(' ');
            let after = rest[1..].chars().next();
            let closes = match mark {
                '*' => !before.is_whitespace(),
                _ => !after.is_some_and(is_word),
            };
            return (i > 1 && closes).then_some(i);
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    None
}
