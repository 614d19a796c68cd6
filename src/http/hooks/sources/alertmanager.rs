//! Prometheus Alertmanager's webhook receiver (`version: "4"`); Grafana's contact point sends
//! the same envelope at `version: "1"`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{clip, link, ShapeError};
use crate::domain::{AlertBatch, AlertEvent, AlertSource, AlertStatus};

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
    parse_am_envelope(body, AlertSource::Alertmanager, "4")
}

pub(super) fn parse_am_envelope(
    body: &[u8],
    source: AlertSource,
    version: &str,
) -> Result<AlertBatch, ShapeError> {
    let name = source.display();
    let m: AmMessage = serde_json::from_slice(body).map_err(|e| {
        ShapeError(format!(
            "not a {name} webhook message (version {version}): {e}"
        ))
    })?;
    if m.version != version {
        return Err(ShapeError(format!(
            "{name} webhook version `{}`; this bot reads version {version}",
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
        source,
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

#[cfg(test)]
#[path = "alertmanager_tests.rs"]
mod tests;
