//! Discord's escaping: user text shows as typed, never as markdown or a mention.

/// Discord's limit on a message's content, in characters.
pub const MESSAGE_LIMIT: usize = 2000;

/// Escapes `text` for a Discord message: markdown characters get a backslash, `@everyone` and
/// `@here` get a zero-width space, and `<` is escaped so `<@…>`, `<@&…>` and `<#…>` stay text.
/// Headings, lists and quotes (`#`, `-`, `>`) are markdown only at the start of a line, so they
/// are escaped only there.
pub fn discord_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    let mut line_start = true;
    while let Some(c) = rest.chars().next() {
        if c == '@' && (rest.starts_with("@everyone") || rest.starts_with("@here")) {
            out.push_str("@\u{200B}");
        } else if matches!(
            c,
            '\\' | '*' | '_' | '~' | '`' | '|' | '<' | '[' | ']' | '(' | ')'
        ) || (line_start && matches!(c, '#' | '-' | '>'))
        {
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
