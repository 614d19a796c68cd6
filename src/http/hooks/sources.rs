//! The vendors' webhook bodies, read the way each vendor documents them and turned into our
//! `AlertBatch`es here, at the edge: no vendor field name goes further in.

mod alertmanager;
mod cloudflare;
mod grafana;
mod sentry;

pub use alertmanager::parse_alertmanager;
pub use cloudflare::parse_cloudflare;
pub use grafana::parse_grafana;
pub use sentry::{parse_sentry, sentry_signed_at};

use crate::domain::AlertSource;

/// Why a delivery was refused: it is not the shape the source documents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShapeError(pub String);

/// The longest text kept from an alert (titles, keys, label values).
const MAX_TEXT: usize = 500;

fn clip(text: &str) -> String {
    text.chars().take(MAX_TEXT).collect()
}

fn link(url: &str) -> Option<String> {
    let plain = !url
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"'));
    ((url.starts_with("https://") || url.starts_with("http://")) && plain && url.len() <= MAX_TEXT)
        .then(|| url.to_owned())
}

fn missing(source: AlertSource, what: &str) -> ShapeError {
    ShapeError(format!("a {} webhook without {what}", source.display()))
}
