//! A small typed builder of Atlassian Document Format, the rich text of Jira Cloud's v3 API
//! (descriptions, comments): a document of paragraphs of text, some of it linked. Serde writes
//! the JSON; no string is ever pasted into JSON by hand.

use serde::Serialize;

use crate::app::{Paragraph, Piece};

/// An ADF document, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Doc {
    version: u8,
    #[serde(rename = "type")]
    kind: DocType,
    content: Vec<Block>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
enum DocType {
    #[serde(rename = "doc")]
    Doc,
}

/// A block node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Block {
    /// A paragraph of inline nodes.
    Paragraph {
        /// Its text.
        content: Vec<Inline>,
    },
}

/// An inline node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Inline {
    /// Text (never empty: ADF refuses an empty text node), with its marks.
    Text {
        /// The characters, shown as they are.
        text: String,
        /// Its marks (a link).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        marks: Vec<Mark>,
    },
}

/// A mark on text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Mark {
    /// A link.
    Link {
        /// Where it goes.
        attrs: LinkAttrs,
    },
}

/// A link's attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkAttrs {
    /// The address.
    pub href: String,
}

impl Doc {
    /// A document of `paragraphs`.
    pub fn of(paragraphs: &[Paragraph]) -> Self {
        Self {
            version: 1,
            kind: DocType::Doc,
            content: paragraphs.iter().map(|p| paragraph(p)).collect(),
        }
    }
}

fn paragraph(pieces: &[Piece]) -> Block {
    let content = pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Text(text) if text.is_empty() => None,
            Piece::Text(text) => Some(Inline::Text {
                text: text.clone(),
                marks: vec![],
            }),
            Piece::Link { text, url } => Some(Inline::Text {
                text: if text.is_empty() {
                    url.clone()
                } else {
                    text.clone()
                },
                marks: vec![Mark::Link {
                    attrs: LinkAttrs { href: url.clone() },
                }],
            }),
        })
        .collect();
    Block::Paragraph { content }
}
