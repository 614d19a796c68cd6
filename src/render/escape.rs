//! Discord's escaping: user text shows as typed, never as markdown or a mention.

use crate::domain::{bracketed_web_address, host_of, web_address};

/// Discord's limit on a message's content, in characters.
pub const MESSAGE_LIMIT: usize = 2000;

/// Escapes `text` for a Discord message: markdown characters get a backslash, `@everyone` and
/// `@here` get a zero-width space, and `<` is escaped so `<@…>`, `<@&…>` and `<#…>` stay text.
/// Headings, lists and quotes (`#`, `-`, `>`) are markdown only at the start of a line, so they
/// are escaped only there. A web address stays a link, in `<…>` so that Discord shows no preview
/// of it (a player-facing message takes links away again: [`unlink_for_players`]).
pub fn discord_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    let mut line_start = true;
    while let Some(c) = rest.chars().next() {
        if let Some(url) = web_address(rest) {
            out.push('<');
            out.push_str(url);
            out.push('>');
            line_start = false;
            rest = &rest[url.len()..];
            continue;
        }
        if c == '@' && (rest.starts_with("@everyone") || rest.starts_with("@here")) {
            out.push_str("@\u{200B}");
        } else if is_markdown(c) || (line_start && matches!(c, '#' | '-' | '>')) {
            out.push('\\');
            out.push(c);
        } else {
            out.push(c);
        }
        line_start = c == '\n' || (line_start && c.is_whitespace());
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A message for players, as rendered: every web address whose host is not in `allowed`
/// becomes text, so that a phishing link typed into an update, a title or a player's report
/// never reaches players as something to click. An address in `<…>` (how [`discord_escape`]
/// keeps one) is taken out of its brackets and escaped; a bare one gets `\:` after its scheme,
/// which Discord shows as `:` but does not link. Addresses on `allowed` hosts stay links,
/// without a preview; an entry of `allowed` may also be one whole address the bot built (a
/// Discord event's link), which stays a link while the rest of its host does not.
pub fn unlink_for_players(text: &str, allowed: &[String]) -> String {
    let allowed = |url: &str| {
        let host = host_of(url);
        allowed
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&host) || h == url)
    };
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(url) = bracketed_web_address(rest) {
            if allowed(url) {
                out.push_str(&rest[..url.len() + 2]);
            } else {
                out.push_str(&defang(url));
            }
            rest = &rest[url.len() + 2..];
        } else if let Some(url) = web_address(rest) {
            if allowed(url) {
                out.push('<');
                out.push_str(url);
                out.push('>');
            } else {
                // Bare in the rendered text: already escaped where it needed to be.
                out.push_str(&url.replacen("://", "\\://", 1));
            }
            rest = &rest[url.len()..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// A web address as text: escaped like anything typed, with `\:` after its scheme.
fn defang(url: &str) -> String {
    let (scheme, after) = url.split_once("://").unwrap_or(("", url));
    let mut out = discord_escape_text(scheme);
    out.push_str("\\://");
    out.push_str(&discord_escape_text(after));
    out
}

/// [`discord_escape`] without keeping web addresses as links.
fn discord_escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_markdown(c) || c == '@' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Characters that are markdown (or start a mention) wherever they stand.
fn is_markdown(c: char) -> bool {
    matches!(
        c,
        '\\' | '*' | '_' | '~' | '`' | '|' | '<' | '[' | ']' | '(' | ')'
    )
}

/// Cuts `text` to at most `max` characters, ending with `…` when it was cut, never leaving a
/// dangling escape backslash.
pub fn cap(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let trailing = cut.chars().rev().take_while(|&c| c == '\\').count();
    if trailing % 2 == 1 {
        cut.pop();
    }
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_the_bot_built_stays_a_link_and_others_on_its_host_do_not() {
        let event = "https://discord.com/events/1/2".to_owned();
        let text = "Event: https://discord.com/events/1/2 and https://discord.com/invite/evil";
        assert_eq!(
            unlink_for_players(text, &[event]),
            "Event: <https://discord.com/events/1/2> and https\\://discord.com/invite/evil"
        );
    }

    #[test]
    fn mentions_and_markdown_are_defanged() {
        let out = discord_escape("@everyone **bold** <@&1> <@2> <#3> @here");
        assert_eq!(
            out,
            "@\u{200B}everyone \\*\\*bold\\*\\* \\<@&1> \\<@2> \\<#3> @\u{200B}here"
        );
    }

    #[test]
    fn line_start_markdown_is_escaped_only_at_line_start() {
        assert_eq!(
            discord_escape("# big\n- item\n> quote"),
            "\\# big\n\\- item\n\\> quote"
        );
        assert_eq!(discord_escape("P0-P3 #1 a>b"), "P0-P3 #1 a>b");
    }

    #[test]
    fn a_web_address_stays_a_link_without_a_preview_and_its_markdown_is_not_escaped() {
        assert_eq!(
            discord_escape("see https://x.example/a_b_c. Then *go*"),
            "see <https://x.example/a_b_c>. Then \\*go\\*"
        );
        assert_eq!(discord_escape("HTTP://x.example"), "<HTTP://x.example>");
        assert_eq!(
            discord_escape("https://"),
            "https://",
            "no address, no link"
        );
        assert_eq!(
            discord_escape("<https://x.example>"),
            "\\<<https://x.example>>",
            "a typed bracket stays text"
        );
    }

    #[test]
    fn players_see_web_addresses_as_text_unless_the_host_is_allowed() {
        let allowed = ["status.example.com".to_owned()];
        let staff = discord_escape("phish at https://evil.example/a_b now");
        assert_eq!(
            unlink_for_players(&staff, &allowed),
            "phish at https\\://evil.example/a\\_b now"
        );
        let status = discord_escape("see https://STATUS.example.com/incidents/1.");
        assert_eq!(
            unlink_for_players(&status, &allowed),
            "see <https://STATUS.example.com/incidents/1>."
        );
        assert_eq!(
            unlink_for_players(
                "Status: https://status.example.com and https://evil.example",
                &allowed
            ),
            "Status: <https://status.example.com> and https\\://evil.example"
        );
        assert_eq!(
            unlink_for_players(
                &discord_escape("https://status.example.com@evil.example/"),
                &allowed
            ),
            "https\\://status.example.com\\@evil.example/",
            "the host is what follows the user name"
        );
    }

    #[test]
    fn plain_text_is_untouched() {
        assert_eq!(discord_escape("Login is down, é ok"), "Login is down, é ok");
    }

    #[test]
    fn capping_counts_characters_and_marks_the_cut() {
        assert_eq!(cap("abcdef", 10), "abcdef");
        assert_eq!(cap("abcdef", 4), "abc…");
        assert_eq!(cap("ab\\*cd", 4), "ab…");
        assert_eq!(
            cap(&"é".repeat(3000), MESSAGE_LIMIT).chars().count(),
            MESSAGE_LIMIT
        );
    }
}
