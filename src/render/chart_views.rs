//! The words of the incident's timeline chart (`chart.hbs`): its title, axis and legend, its
//! caption in the channel, its button under `/incident status`.

use serde::Serialize;

/// One word of `chart.hbs`: `word` picks the block.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    /// Which word: `title`, `axis`, `budget`, `within`, `over`, a marker's key (`fix_applied`),
    /// `caption`, `button`, `posting`, `file`.
    pub word: &'static str,
    /// The incident's number.
    pub number: u32,
    /// Where the chart goes (`posting`): a channel mention.
    pub channel: Option<super::Markup>,
}

/// Every word `chart.hbs` has.
pub const CHART_WORDS: [&str; 16] = [
    "title",
    "axis",
    "budget",
    "within",
    "over",
    "declared",
    "detected",
    "public_update",
    "alert_attached",
    "fix_applied",
    "verified",
    "reopened",
    "caption",
    "button",
    "posting",
    "file",
];

impl ChartView {
    /// One view per word, each filled.
    pub fn samples() -> Vec<Self> {
        CHART_WORDS
            .into_iter()
            .map(|word| Self {
                word,
                number: 4,
                channel: Some(super::Markup::raw("<#222>")),
            })
            .collect()
    }
}
