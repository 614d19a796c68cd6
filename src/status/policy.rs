//! The status page's `Content-Security-Policy`: its inline `<style>` elements admitted by hash,
//! computed once per snapshot (the listener adds the headers every answer gets).

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

/// The policy of an HTML page: its `<style>` elements admitted by the SHA-256 of their exact
/// text (so a template overridden from `[templates] dir` is hashed as rendered), no script,
/// images from the page's own origin only (the favicon), and no framing.
pub fn page_policy(html: &[u8]) -> String {
    let styles: Vec<String> = inline_styles(html)
        .map(|css| {
            let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(css));
            format!(" 'sha256-{hash}'")
        })
        .collect();
    let style = if styles.is_empty() {
        " 'none'".to_owned()
    } else {
        styles.concat()
    };
    format!(
        "default-src 'none'; style-src{style}; script-src 'none'; img-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// The text of each `<style …>…</style>` element of `html`.
fn inline_styles(html: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = html;
    std::iter::from_fn(move || {
        let open = find(rest, b"<style")?;
        let after = &rest[open..];
        let start = find(after, b">")? + 1;
        let len = find(&after[start..], b"</style")?;
        let css = &after[start..start + len];
        rest = &after[start + len..];
        Some(css)
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_admits_exactly_its_inline_styles_by_hash() {
        // echo -n 'a{}' | openssl dgst -sha256 -binary | base64
        let html =
            b"<html><head><STYLE media=\"all\">a{}</style><style>\nb{}\n</style></head></html>";
        let policy = page_policy(html);
        assert!(
            policy.contains(
                "style-src 'sha256-X1RutGBrXCt9KkSaXMK7tHftWiRscFHOhxsS8tv8hBk=' 'sha256-"
            ),
            "{policy}"
        );
        assert!(policy.contains("script-src 'none'"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(page_policy(b"<p>no style</p>").contains("style-src 'none'"));
    }
}
