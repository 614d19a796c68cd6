//! Cloudflare notifications to a generic webhook.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{clip, missing, ShapeError};
use crate::domain::{AlertBatch, AlertEvent, AlertSource, AlertStatus};

#[derive(Deserialize)]
struct CloudflareBody {
    name: Option<String>,
    text: Option<String>,
    #[serde(default)]
    data: serde_json::Value,
    ts: Option<i64>,
    alert_type: Option<String>,
    alert_correlation_id: Option<String>,
    alert_event: Option<String>,
    account_id: Option<String>,
}

/// Parses a Cloudflare notification to a generic webhook. The test message Cloudflare sends
/// when the webhook is saved (only `text`) is acknowledged and ignored (`None`).
pub fn parse_cloudflare(body: &[u8], now: DateTime<Utc>) -> Result<Option<AlertBatch>, ShapeError> {
    let source = AlertSource::Cloudflare;
    let b: CloudflareBody = serde_json::from_slice(body)
        .map_err(|e| ShapeError(format!("not a Cloudflare notification: {e}")))?;
    let Some(alert_type) = b.alert_type.filter(|t| !t.is_empty()) else {
        if b.text.is_some() && b.name.is_none() {
            return Ok(None);
        }
        return Err(missing(source, "alert_type"));
    };
    let status = match b.alert_event.as_deref() {
        None | Some("ALERT_STATE_EVENT_START") => AlertStatus::Firing,
        Some("ALERT_STATE_EVENT_END") => AlertStatus::Resolved,
        Some(other) => {
            return Err(ShapeError(format!(
                "alert_event `{}`: Cloudflare sends ALERT_STATE_EVENT_START or _END",
                clip(other)
            )))
        }
    };
    let name = clip(b.name.as_deref().unwrap_or(&alert_type));
    let text = b.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let title = match text {
        Some(text) => clip(&format!("{name}: {}", text.lines().next().unwrap_or(text))),
        None => name.clone(),
    };
    let key = b
        .alert_correlation_id
        .filter(|c| !c.is_empty())
        .map_or_else(|| format!("{alert_type}:{name}"), |c| clip(&c));
    let started_at =
        b.ts.and_then(|ts| DateTime::from_timestamp(ts, 0))
            .unwrap_or(now);
    let mut labels = BTreeMap::new();
    labels.insert("alert_type".to_owned(), clip(&alert_type));
    if let Some(obj) = b.data.as_object() {
        for (k, v) in obj {
            if let Some(v) = v.as_str() {
                labels.insert(clip(k), clip(v));
            }
        }
    }
    let link = Some(match b.account_id {
        Some(account) if account.chars().all(|c| c.is_ascii_alphanumeric()) => {
            format!("https://dash.cloudflare.com/{account}/notifications")
        }
        _ => "https://dash.cloudflare.com/".to_owned(),
    });
    Ok(Some(AlertBatch {
        source,
        group_key: key.clone(),
        title: title.clone(),
        link: link.clone(),
        labels: labels.clone(),
        alerts: vec![AlertEvent {
            dedup_key: key,
            occurrence: started_at.to_rfc3339(),
            status,
            title,
            started_at,
            labels,
            link,
        }],
    }))
}
