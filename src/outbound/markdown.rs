//! A ticket's paragraphs as Markdown (GitHub, Linear): what people typed is escaped, so that
//! it never renders as markup, a link or a mention (`@team`, `#12`).

use crate::app::{Paragraph, Piece};

/// `paragraphs` as Markdown, one blank line between each.
pub fn render(paragraphs: &[Paragraph]) -> String {
    paragraphs
        .iter()
        .map(|p| p.iter().map(piece).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn piece(piece: &Piece) -> String {
    match piece {
        Piece::Text(text) => escape(text),
        Piece::Link { text, url } => {
            format!("[{}](<{}>)", escape(text), url.replace(['<', '>', ' '], ""))
        }
    }
}

/// `text` with every ASCII punctuation character backslash-escaped (CommonMark allows it for
/// all of them) and line breaks kept as spaces: plain text whatever it holds.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_never_renders_as_markup_mentions_or_links() {
        let text = render(&[vec![
            Piece::Text("@team see #12 *now* [x](http://evil)".into()),
            Piece::Link {
                text: "#ops".into(),
                url: "https://discord.com/channels/1/2".into(),
            },
        ]]);
        assert_eq!(
            text,
            "\\@team see \\#12 \\*now\\* \\[x\\]\\(http\\:\\/\\/evil\\)\
             [\\#ops](<https://discord.com/channels/1/2>)"
        );
    }
}
