//! Alerts from monitoring: what a webhook said, parsed once into typed values, and the rules
//! that name the affected system from an alert's labels.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// Where alerts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertSource {
    /// Prometheus Alertmanager's webhook receiver.
    Alertmanager,
}

impl AlertSource {
    /// Every source.
    pub const ALL: [Self; 1] = [Self::Alertmanager];

    /// Its name in the store, the metrics and the URL (`/hooks/<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alertmanager => "alertmanager",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// How people know it.
    pub fn display(self) -> &'static str {
        match self {
            Self::Alertmanager => "Alertmanager",
        }
    }
}

/// Firing or resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    /// Still going on.
    Firing,
    /// Over, as the source says.
    Resolved,
}

impl AlertStatus {
    /// Its name in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Firing => "firing",
            Self::Resolved => "resolved",
        }
    }
}

/// One alert of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertEvent {
    /// What identifies the alert across deliveries (Alertmanager's fingerprint).
    pub dedup_key: String,
    /// What identifies this firing of it: a new value is a new occurrence (its start time).
    pub occurrence: String,
    /// Firing or resolved.
    pub status: AlertStatus,
    /// What fired, in a line.
    pub title: String,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// Its labels (tags), to map it to a system.
    pub labels: BTreeMap<String, String>,
    /// A link to it at the source.
    pub link: Option<String>,
}

/// One webhook delivery: a group of alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertBatch {
    /// The source.
    pub source: AlertSource,
    /// What groups its alerts on one card (Alertmanager's `groupKey`).
    pub group_key: String,
    /// The group's title.
    pub title: String,
    /// A link to the group at the source.
    pub link: Option<String>,
    /// The group's common labels.
    pub labels: BTreeMap<String, String>,
    /// Its alerts, at least one.
    pub alerts: Vec<AlertEvent>,
}

/// Why a delivery was refused: it is not the shape the source documents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShapeError(pub String);

/// The longest text kept from an alert (titles, keys, label values).
const MAX_TEXT: usize = 500;

fn clip(text: &str) -> String {
    text.chars().take(MAX_TEXT).collect()
}

/// The end time Alertmanager sends for an alert that is still firing.
const NEVER: &str = "0001-01-01T00:00:00Z";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AmMessage {
    version: String,
    group_key: String,
    #[serde(default)]
    common_labels: BTreeMap<String, String>,
    #[serde(default)]
    common_annotations: BTreeMap<String, String>,
    #[serde(default, rename = "externalURL")]
    external_url: String,
    alerts: Vec<AmAlert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AmAlert {
    status: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default, rename = "generatorURL")]
    generator_url: String,
    fingerprint: String,
}

fn time(field: &str, text: &str) -> Result<DateTime<Utc>, ShapeError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            ShapeError(format!(
                "`{field}` is not an RFC 3339 time: `{}`",
                clip(text)
            ))
        })
}

fn status(text: &str) -> Result<AlertStatus, ShapeError> {
    match text {
        "firing" => Ok(AlertStatus::Firing),
        "resolved" => Ok(AlertStatus::Resolved),
        other => Err(ShapeError(format!(
            "`status` is `{}`: Alertmanager sends `firing` or `resolved`",
            clip(other)
        ))),
    }
}

fn link(url: &str) -> Option<String> {
    let plain = !url
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"'));
    ((url.starts_with("https://") || url.starts_with("http://")) && plain && url.len() <= MAX_TEXT)
        .then(|| url.to_owned())
}

/// What fired, from the labels and annotations the way Prometheus rules name them.
fn am_title(labels: &BTreeMap<String, String>, annotations: &BTreeMap<String, String>) -> String {
    let name = labels.get("alertname").map_or("Alert", String::as_str);
    match annotations
        .get("summary")
        .or_else(|| annotations.get("description"))
    {
        Some(summary) if !summary.trim().is_empty() => clip(&format!("{name}: {}", summary.trim())),
        _ => clip(name),
    }
}

/// Parses an Alertmanager webhook body (`version: "4"`).
pub fn parse_alertmanager(body: &[u8]) -> Result<AlertBatch, ShapeError> {
    let m: AmMessage = serde_json::from_slice(body).map_err(|e| {
        ShapeError(format!(
            "not an Alertmanager webhook message (version 4): {e}"
        ))
    })?;
    if m.version != "4" {
        return Err(ShapeError(format!(
            "Alertmanager webhook version `{}`; this bot reads version 4",
            clip(&m.version)
        )));
    }
    if m.group_key.trim().is_empty() {
        return Err(ShapeError("`groupKey` is empty".into()));
    }
    if m.alerts.is_empty() {
        return Err(ShapeError("`alerts` is empty".into()));
    }
    let mut alerts = Vec::with_capacity(m.alerts.len());
    for a in m.alerts {
        if a.fingerprint.trim().is_empty() {
            return Err(ShapeError("an alert has an empty `fingerprint`".into()));
        }
        let started_at = time("startsAt", &a.starts_at)?;
        let state = status(&a.status)?;
        // `0001-01-01T00:00:00Z` (or none) means still firing; any other end must be a time.
        // The status field decides: Alertmanager sends a future end on firing alerts too.
        if !a.ends_at.is_empty() && a.ends_at != NEVER {
            time("endsAt", &a.ends_at)?;
        }
        alerts.push(AlertEvent {
            dedup_key: clip(&a.fingerprint),
            occurrence: a.starts_at.clone(),
            status: state,
            title: am_title(&a.labels, &a.annotations),
            started_at,
            labels: a.labels.iter().map(|(k, v)| (clip(k), clip(v))).collect(),
            link: link(&a.generator_url),
        });
    }
    let title = am_title(&m.common_labels, &m.common_annotations);
    let title = if m.common_labels.contains_key("alertname") {
        title
    } else {
        alerts[0].title.clone()
    };
    Ok(AlertBatch {
        source: AlertSource::Alertmanager,
        group_key: clip(&m.group_key),
        title,
        link: alerts
            .iter()
            .find_map(|a| a.link.clone())
            .or_else(|| link(&m.external_url)),
        labels: m.common_labels,
        alerts,
    })
}

/// `[intake.systems]`: a system name and the `label=value` pairs that name it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemRules(Vec<(String, Vec<(String, String)>)>);

impl SystemRules {
    /// Parses `{"Login" = ["service=auth", "job=login"]}`; a rule without `=` is refused.
    pub fn parse(rules: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let mut out = Vec::new();
        for (system, matchers) in rules {
            let mut pairs = Vec::new();
            for m in matchers {
                let Some((k, v)) = m.split_once('=') else {
                    return Err(format!(
                        "[intake.systems] {system}: `{m}` is not `label=value`; write for example \"service=auth\""
                    ));
                };
                pairs.push((k.trim().to_owned(), v.trim().to_owned()));
            }
            out.push((system.clone(), pairs));
        }
        Ok(Self(out))
    }

    /// The first system whose rule matches one of `labels` (values compared without regard
    /// to case).
    pub fn system_of(&self, labels: &BTreeMap<String, String>) -> Option<&str> {
        self.0.iter().find_map(|(system, pairs)| {
            pairs
                .iter()
                .any(|(k, v)| labels.get(k).is_some_and(|l| l.eq_ignore_ascii_case(v)))
                .then_some(system.as_str())
        })
    }
}

#[cfg(test)]
#[path = "alert_tests.rs"]
mod tests;
