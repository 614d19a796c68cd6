//! Web addresses as Discord's client finds them in text, and the host each names: what decides
//! whether an address players read stays a link.

/// The web address `text` starts with, as far as Discord's client would link it: `http://` or
/// `https://` (in any case) and what follows up to a space, `<` or `>`, less the punctuation
/// that ends a sentence. `None` when `text` starts with no address.
pub fn web_address(text: &str) -> Option<&str> {
    let scheme = ["https://", "http://"].into_iter().find(|s| {
        text.get(..s.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(s))
    })?;
    let end = text
        .find(|c: char| c.is_whitespace() || c == '<' || c == '>')
        .unwrap_or(text.len());
    let url = text[..end].trim_end_matches(['.', ',', ':', ';', '"', '\'', ')', ']']);
    (url.len() > scheme.len()).then_some(url)
}

/// The web address in `<…>` that `text` starts with, as Discord's client links it without a
/// preview: the address alone, without its brackets.
pub fn bracketed_web_address(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('<')?;
    let url = web_address(inner)?;
    inner[url.len()..].starts_with('>').then_some(url)
}

/// The host a web address names, in lower case: what sits between `//` and the path, less any
/// user name before `@` and port after `:`.
pub fn host_of(url: &str) -> String {
    let after = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after
        .split(['/', '?', '#', '\\'])
        .next()
        .unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_ends_where_discord_ends_it() {
        assert_eq!(
            web_address("https://x.example/a_(b). Next"),
            Some("https://x.example/a_(b")
        );
        assert_eq!(web_address("HTTP://x.example>"), Some("HTTP://x.example"));
        assert_eq!(web_address("https:// x"), None);
        assert_eq!(web_address("ftp://x.example"), None);
    }

    #[test]
    fn the_host_is_found_behind_user_names_and_before_ports() {
        assert_eq!(host_of("https://a@B.example:8443/x"), "b.example");
        assert_eq!(host_of("http://b.example./"), "b.example");
        assert_eq!(host_of("https://[::1]:80/"), "[::1]");
        assert_eq!(host_of("https://status.example.com"), "status.example.com");
    }
}
