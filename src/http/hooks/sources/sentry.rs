//! Sentry's integration platform webhooks: issue alerts, metric alerts, issues.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{clip, link, missing, ShapeError};
use crate::domain::{AlertBatch, AlertEvent, AlertSource, AlertStatus};

#[derive(Deserialize)]
struct SentryBody {
    #[serde(default)]
    action: String,
    data: serde_json::Value,
}

fn text_at<'a>(v: &'a serde_json::Value, path: &[&str]) -> Option<&'a str> {
    let mut v = v;
    for p in path {
        v = v.get(p)?;
    }
    v.as_str()
}

/// An id Sentry sends as a string or a number.
fn id_at(v: &serde_json::Value, path: &[&str]) -> Option<String> {
    let mut v = v;
    for p in path {
        v = v.get(p)?;
    }
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(clip(s)),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn tags(v: Option<&serde_json::Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for tag in v.and_then(|t| t.as_array()).into_iter().flatten() {
        let pair = tag
            .as_array()
            .and_then(|p| Some((p.first()?.as_str()?, p.get(1)?.as_str()?)))
            .or_else(|| Some((tag.get("key")?.as_str()?, tag.get("value")?.as_str()?)));
        if let Some((k, v)) = pair {
            out.insert(clip(k), clip(v));
        }
    }
    out
}

/// Parses a Sentry webhook by its `Sentry-Hook-Resource`: `event_alert` and `metric_alert`
/// (critical, warning, resolved) and `issue` (resolved) are alerts; `installation` and the
/// other issue actions are acknowledged and ignored (`None`). Each Sentry issue is one group.
pub fn parse_sentry(
    resource: &str,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<AlertBatch>, ShapeError> {
    let b: SentryBody = serde_json::from_slice(body)
        .map_err(|e| ShapeError(format!("not a Sentry webhook body: {e}")))?;
    match resource {
        "installation" => Ok(None),
        "event_alert" => event_alert(&b, now).map(Some),
        "metric_alert" => metric_alert(&b, now).map(Some),
        "issue" => issue(&b, now),
        other => Err(ShapeError(format!(
            "Sentry-Hook-Resource `{}`: this bot reads event_alert, metric_alert, issue and installation",
            clip(other)
        ))),
    }
}

const SOURCE: AlertSource = AlertSource::Sentry;

/// The time `v` names, or `now` when it names none.
fn when(v: Option<&str>, now: DateTime<Utc>) -> DateTime<Utc> {
    v.and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map_or(now, |t| t.with_timezone(&Utc))
}

/// A group of one alert, keyed by the alert's own key: a Sentry issue or metric rule.
fn one_alert(title: String, alert: AlertEvent) -> AlertBatch {
    AlertBatch {
        source: SOURCE,
        group_key: alert.dedup_key.clone(),
        title,
        link: alert.link.clone(),
        labels: alert.labels.clone(),
        alerts: vec![alert],
    }
}

/// An issue alert: an event of an issue matched an alert rule (firing).
fn event_alert(b: &SentryBody, now: DateTime<Utc>) -> Result<AlertBatch, ShapeError> {
    let event = b
        .data
        .get("event")
        .ok_or_else(|| missing(SOURCE, "data.event"))?;
    let issue =
        id_at(event, &["issue_id"]).ok_or_else(|| missing(SOURCE, "data.event.issue_id"))?;
    let title = clip(text_at(event, &["title"]).unwrap_or("Sentry issue"));
    let group_title = match text_at(&b.data, &["triggered_rule"]) {
        Some(rule) => clip(&format!("{title} ({rule})")),
        None => title.clone(),
    };
    let alert = AlertEvent {
        dedup_key: format!("issue:{issue}"),
        occurrence: id_at(event, &["event_id"]).unwrap_or_else(|| now.to_rfc3339()),
        status: AlertStatus::Firing,
        title,
        started_at: when(text_at(event, &["datetime"]), now),
        labels: tags(event.get("tags")),
        link: text_at(event, &["web_url"]).and_then(link),
    };
    Ok(one_alert(group_title, alert))
}

/// A metric alert turned critical or warning (firing) or resolved.
fn metric_alert(b: &SentryBody, now: DateTime<Utc>) -> Result<AlertBatch, ShapeError> {
    let status = match b.action.as_str() {
        "critical" | "warning" => AlertStatus::Firing,
        "resolved" => AlertStatus::Resolved,
        other => {
            return Err(ShapeError(format!(
                "metric_alert action `{}`: Sentry sends critical, warning or resolved",
                clip(other)
            )))
        }
    };
    let alert = b
        .data
        .get("metric_alert")
        .ok_or_else(|| missing(SOURCE, "data.metric_alert"))?;
    let rule = id_at(alert, &["alert_rule", "id"])
        .or_else(|| id_at(alert, &["id"]))
        .ok_or_else(|| missing(SOURCE, "data.metric_alert.id"))?;
    let title = clip(
        text_at(alert, &["alert_rule", "name"])
            .or_else(|| text_at(alert, &["title"]))
            .or_else(|| text_at(&b.data, &["description_title"]))
            .unwrap_or("Sentry metric alert"),
    );
    let started = text_at(alert, &["date_started"]).or_else(|| text_at(alert, &["date_detected"]));
    let event = AlertEvent {
        dedup_key: format!("metric:{rule}"),
        occurrence: id_at(alert, &["id"]).unwrap_or_else(|| rule.clone()),
        status,
        title: title.clone(),
        started_at: when(started, now),
        labels: BTreeMap::new(),
        link: text_at(&b.data, &["web_url"]).and_then(link),
    };
    Ok(one_alert(title, event))
}

/// An issue resolved (an alert); its other actions are ignored (`None`).
fn issue(b: &SentryBody, now: DateTime<Utc>) -> Result<Option<AlertBatch>, ShapeError> {
    if b.action != "resolved" {
        return Ok(None);
    }
    let issue = b
        .data
        .get("issue")
        .ok_or_else(|| missing(SOURCE, "data.issue"))?;
    let id = id_at(issue, &["id"]).ok_or_else(|| missing(SOURCE, "data.issue.id"))?;
    let title = clip(text_at(issue, &["title"]).unwrap_or("Sentry issue"));
    let alert = AlertEvent {
        dedup_key: format!("issue:{id}"),
        occurrence: String::new(),
        status: AlertStatus::Resolved,
        title: title.clone(),
        started_at: when(text_at(issue, &["firstSeen"]), now),
        labels: BTreeMap::new(),
        link: text_at(issue, &["web_url"])
            .or_else(|| text_at(issue, &["permalink"]))
            .and_then(link),
    };
    Ok(Some(one_alert(title, alert)))
}

/// The time a Sentry body says it was sent about, which its signature covers (Sentry signs the
/// body alone; its `Sentry-Hook-Timestamp` header is not signed): an issue alert's event
/// `datetime`, the latest of a metric alert's dates. `None` for a body that carries none
/// (installation, issue).
pub fn sentry_signed_at(resource: &str, body: &[u8]) -> Option<DateTime<Utc>> {
    let b: SentryBody = serde_json::from_slice(body).ok()?;
    let at = |v: &serde_json::Value, path: &[&str]| {
        text_at(v, path)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    match resource {
        "event_alert" => at(&b.data, &["event", "datetime"]),
        // A metric alert's dates are its Sentry incident's, set when it opened: one that turns
        // critical or resolves hours later carries only old ones. Only a closed one is dated
        // by its close; the rest are guarded by their digest alone.
        "metric_alert" => at(&b.data, &["metric_alert", "date_closed"]),
        _ => None,
    }
}

#[cfg(test)]
#[path = "sentry_tests.rs"]
mod tests;
