//! The words of the incident's timeline chart (`chart.hbs`): its title, axis and legend, its
//! caption in the channel, its button under `/incident status`; and the error-rate chart's
//! title, axis and legend.

use serde::Serialize;

/// One word of `chart.hbs`: `word` picks the block.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    /// Which word: `title`, `axis`, `budget`, `within`, `over`, a marker's key (`fix_applied`),
    /// `caption`, `button`, `posting`, `file`; the status picture's legend, `uptime_minor`.
    pub word: &'static str,
    /// The incident's number.
    pub number: u32,
    /// Where the chart goes (`posting`): a channel mention.
    pub channel: Option<super::Markup>,
    /// The system of an error-rate chart (`rate_title`), drawn as configured.
    pub system: Option<super::Markup>,
    /// The threshold of an error-rate chart (`rate_threshold`), in percent: `1.00`.
    pub threshold: Option<super::Markup>,
}

impl ChartView {
    /// The view of `word` for incident `number`, with no channel, system or threshold.
    pub fn word(word: &'static str, number: u32) -> Self {
        Self {
            word,
            number,
            channel: None,
            system: None,
            threshold: None,
        }
    }
}

/// The status page picture's (`/uptime.png`) legend: a word per level, from a quiet day to
/// a major outage.
pub const UPTIME_WORDS: [&str; 4] = [
    "uptime_none",
    "uptime_minor",
    "uptime_major",
    "uptime_critical",
];

/// Every word `chart.hbs` has.
pub const CHART_WORDS: [&str; 24] = [
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
    "rate_title",
    "rate_axis",
    "rate_threshold",
    "rate",
    "uptime_none",
    "uptime_minor",
    "uptime_major",
    "uptime_critical",
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
                system: Some(super::Markup::raw("login")),
                threshold: Some(super::Markup::raw("1.00")),
            })
            .collect()
    }
}
