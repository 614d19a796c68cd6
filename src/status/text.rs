//! The text of an announcement as a web reader should see it: what a player read on Discord.

use chrono::{DateTime, Utc};

/// Turns a posted announcement into plain text: drops role-ping lines, shows Discord
/// timestamps as UTC times (dropping the relative ones), and undoes the markdown escaping, so
/// the text reads as it did in Discord. The result is text, escaped by whatever shows it.
pub fn plain(content: &str) -> String {
    let lines: Vec<String> = content
        .lines()
        .filter(|line| !is_ping_line(line))
        .map(|line| unescape(&timestamps(line)))
        .collect();
    lines.join("\n").trim().to_owned()
}

/// A line of nothing but role mentions (`<@&1> <@&2>`), the ping above an alert.
fn is_ping_line(line: &str) -> bool {
    let mut words = line.split_whitespace().peekable();
    words.peek().is_some()
        && words.all(|w| {
            w.strip_prefix("<@&")
                .and_then(|w| w.strip_suffix('>'))
                .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// `<t:1700000000:f>` → `2023-11-14 22:13 UTC`; ` (<t:…:R>)` and `<t:…:R>` are dropped.
fn timestamps(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("<t:") {
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start + 3..start + end];
        let (secs, style) = tag.split_once(':').unwrap_or((tag, "f"));
        let escaped = start > 0 && rest.as_bytes()[start - 1] == b'\\';
        let at = secs
            .parse::<i64>()
            .ok()
            .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0));
        match at {
            Some(at) if !escaped => {
                let mut before = &rest[..start];
                let mut after = &rest[start + end + 1..];
                if style == "R" {
                    if before.ends_with(" (") && after.starts_with(')') {
                        before = &before[..before.len() - 2];
                        after = &after[1..];
                    }
                } else {
                    out.push_str(before);
                    out.push_str(&at.format("%Y-%m-%d %H:%M UTC").to_string());
                    rest = after;
                    continue;
                }
                out.push_str(before);
                rest = after;
            }
            _ => {
                out.push_str(&rest[..start + end + 1]);
                rest = &rest[start + end + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Undoes `render::discord_escape`: a backslash before a markdown character goes, the
/// zero-width space that defuses `@everyone` goes, and a web address loses the brackets that
/// kept Discord from previewing it.
fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let next = rest[c.len_utf8()..].chars().next();
        if c == '\\' && next.is_some_and(|n| "\\*_~`|<[]()#->:@".contains(n)) {
            out.extend(next);
            rest = &rest[1 + next.map_or(0, char::len_utf8)..];
            continue;
        }
        if let Some(url) = crate::domain::bracketed_web_address(rest) {
            out.push_str(url);
            rest = &rest[url.len() + 2..];
            continue;
        }
        if c != '\u{200B}' {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::plain;
    use crate::render::discord_escape;

    #[test]
    fn pings_go_and_escapes_are_undone() {
        let typed = "**all** <script>alert(1)</script> @everyone [x](y) # h";
        let posted = format!("<@&1> <@&22>\n📣 Status update\n{}", discord_escape(typed));
        assert_eq!(plain(&posted), format!("📣 Status update\n{typed}"));
    }

    #[test]
    fn timestamps_read_as_utc_and_relative_ones_go() {
        assert_eq!(
            plain("ETA: <t:1700000000:t> (<t:1700000000:R>)"),
            "ETA: 2023-11-14 22:13 UTC"
        );
        assert_eq!(plain("at \\<t:1:f>"), "at <t:1:f>");
    }

    #[test]
    fn web_addresses_read_as_typed_linked_or_not() {
        let posted = crate::render::unlink_for_players(
            &discord_escape("at https://evil.example/a_b or https://status.example/x"),
            &["status.example".to_owned()],
        );
        assert_eq!(
            plain(&posted),
            "at https://evil.example/a_b or https://status.example/x"
        );
    }
}
