//! The values the error-rate messages print: the reading at resolve, the verdict of the fix
//! check, a rate over its threshold during the window, and the chart's caption. The sentences
//! are in `notice.hbs` and `reminder.hbs`.

use serde::Serialize;

/// One system's rate at resolve: now, and an hour before detection.
#[derive(Debug, Clone, Serialize)]
pub struct RateThen {
    /// The system, as configured.
    pub system: String,
    /// The rate now: `14 %`.
    pub now: String,
    /// The rate an hour before detection: `0.2 %`.
    pub before: String,
    /// The threshold: `1 %`.
    pub threshold: String,
    /// Whether it is still over the threshold now.
    pub over: bool,
}

/// The notice after resolve: each system's rate, or why none could be read.
#[derive(Debug, Clone, Serialize)]
pub struct RatesAtResolve {
    /// The rates read.
    pub rates: Vec<RateThen>,
    /// Why some could not be read.
    pub unread: Option<String>,
    /// How often they are read through the window: `5m`.
    pub every: String,
}

/// One line of the fix check's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct RateVerdict {
    /// The system, as configured.
    pub system: String,
    /// The mean over the window: `0.2 %`.
    pub mean: String,
    /// The window: `1h`.
    pub window: String,
    /// The threshold: `1 %`.
    pub threshold: String,
    /// The highest reading: `14 %`.
    pub peak: String,
    /// Whether it stayed under the threshold.
    pub held: bool,
}

/// A rate crossed its threshold during the window.
#[derive(Debug, Clone, Serialize)]
pub struct RateOverReminder {
    /// The system, as configured.
    pub system: String,
    /// The rate now.
    pub now: String,
    /// The threshold.
    pub threshold: String,
    /// How long ago the fix went in: `12m`.
    pub since: String,
}

/// Something about an incident's system came back while its fix is verified.
#[derive(Debug, Clone, Serialize)]
pub struct CameBackReminder {
    /// The monitoring source that fired again (`Alertmanager`), when it was an alert.
    pub alert: Option<String>,
    /// Whether players reported it again in the reports channel.
    pub players: bool,
    /// The number of the incident a player's report was declared as, when it was one.
    pub report: Option<u32>,
    /// What fired, or the report's title, as its source wrote it (escaped when rendered).
    pub title: String,
    /// The system, when the source names one.
    pub system: Option<String>,
    /// When it began (a relative timestamp tag).
    pub began: super::Markup,
    /// How long ago the fix went in: `12m`.
    pub since: String,
}

/// The evidence message under phase 3's checklist: its link buttons open each source over
/// this time range.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    /// The incident's systems.
    pub systems: String,
    /// From (a timestamp tag): 15 min before detection.
    pub from: super::Markup,
    /// To (a timestamp tag): when the message was posted.
    pub to: super::Markup,
}

impl RatesAtResolve {
    pub(crate) fn sample() -> Self {
        Self {
            rates: vec![RateThen {
                system: "Login".into(),
                now: "0.4 %".into(),
                before: "0.2 %".into(),
                threshold: "1 %".into(),
                over: true,
            }],
            unread: Some("Prometheus is unavailable".into()),
            every: "5m".into(),
        }
    }
}

impl RateVerdict {
    pub(crate) fn sample() -> Self {
        Self {
            system: "Login".into(),
            mean: "0.2 %".into(),
            window: "1h".into(),
            threshold: "1 %".into(),
            peak: "14 %".into(),
            held: false,
        }
    }
}

impl CameBackReminder {
    pub(crate) fn sample() -> Self {
        Self {
            alert: Some("Alertmanager".into()),
            players: true,
            report: Some(2),
            title: "LoginErrors *high*".into(),
            system: Some("Login".into()),
            began: super::Markup::raw("<t:0:R>"),
            since: "12m".into(),
        }
    }
}

impl RateOverReminder {
    pub(crate) fn sample() -> Self {
        Self {
            system: "Login".into(),
            now: "14 %".into(),
            threshold: "1 %".into(),
            since: "12m".into(),
        }
    }
}
