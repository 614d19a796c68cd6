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
    /// Sentry's integration platform webhooks (issue and metric alerts).
    Sentry,
    /// Cloudflare notifications to a generic webhook.
    Cloudflare,
    /// Grafana alerting's webhook contact point.
    Grafana,
    /// Players naming a system in `[intake] reports_channel`.
    Players,
}

impl AlertSource {
    /// Every source.
    pub const ALL: [Self; 5] = [
        Self::Alertmanager,
        Self::Sentry,
        Self::Cloudflare,
        Self::Grafana,
        Self::Players,
    ];

    /// Its name in the store, the metrics and the URL (`/hooks/<name>`; players have none).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alertmanager => "alertmanager",
            Self::Sentry => "sentry",
            Self::Cloudflare => "cloudflare",
            Self::Grafana => "grafana",
            Self::Players => "players",
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
            Self::Sentry => "Sentry",
            Self::Cloudflare => "Cloudflare",
            Self::Grafana => "Grafana",
            Self::Players => "player reports",
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

impl AlertBatch {
    /// The system the source names itself: players' reports are counted per system.
    pub fn named_system(&self) -> Option<&str> {
        (self.source == AlertSource::Players)
            .then(|| self.labels.get("system").map(String::as_str))
            .flatten()
    }
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
    parse_am_envelope(body, AlertSource::Alertmanager, "4")
}

/// Parses a Grafana alerting webhook body: Alertmanager's envelope at `version: "1"`, with
/// `orgId`, `title`, `state` and `message` besides.
pub fn parse_grafana(body: &[u8]) -> Result<AlertBatch, ShapeError> {
    parse_am_envelope(body, AlertSource::Grafana, "1")
}

fn parse_am_envelope(
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

fn missing(source: AlertSource, what: &str) -> ShapeError {
    ShapeError(format!("a {} webhook without {what}", source.display()))
}

/// Parses a Sentry webhook by its `Sentry-Hook-Resource`: `event_alert` and `metric_alert`
/// (critical, warning, resolved) and `issue` (resolved) are alerts; `installation` and the
/// other issue actions are acknowledged and ignored (`None`). Each Sentry issue is one group.
pub fn parse_sentry(
    resource: &str,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<AlertBatch>, ShapeError> {
    let source = AlertSource::Sentry;
    let b: SentryBody = serde_json::from_slice(body)
        .map_err(|e| ShapeError(format!("not a Sentry webhook body: {e}")))?;
    let when = |v: Option<&str>| {
        v.and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or(now, |t| t.with_timezone(&Utc))
    };
    match resource {
        "installation" => Ok(None),
        "event_alert" => {
            let event = b.data.get("event").ok_or_else(|| missing(source, "data.event"))?;
            let issue = id_at(event, &["issue_id"]).ok_or_else(|| missing(source, "data.event.issue_id"))?;
            let title = clip(text_at(event, &["title"]).unwrap_or("Sentry issue"));
            let rule = text_at(&b.data, &["triggered_rule"]);
            let occurrence = id_at(event, &["event_id"]).unwrap_or_else(|| now.to_rfc3339());
            let started_at = when(text_at(event, &["datetime"]));
            let labels = tags(event.get("tags"));
            let link = text_at(event, &["web_url"]).and_then(link);
            Ok(Some(AlertBatch {
                source,
                group_key: format!("issue:{issue}"),
                title: match rule {
                    Some(rule) => clip(&format!("{title} ({rule})")),
                    None => title.clone(),
                },
                link: link.clone(),
                labels: labels.clone(),
                alerts: vec![AlertEvent {
                    dedup_key: format!("issue:{issue}"),
                    occurrence,
                    status: AlertStatus::Firing,
                    title,
                    started_at,
                    labels,
                    link,
                }],
            }))
        }
        "metric_alert" => {
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
            let alert = b.data.get("metric_alert").ok_or_else(|| missing(source, "data.metric_alert"))?;
            let rule = id_at(alert, &["alert_rule", "id"])
                .or_else(|| id_at(alert, &["id"]))
                .ok_or_else(|| missing(source, "data.metric_alert.id"))?;
            let title = clip(
                text_at(alert, &["alert_rule", "name"])
                    .or_else(|| text_at(alert, &["title"]))
                    .or_else(|| text_at(&b.data, &["description_title"]))
                    .unwrap_or("Sentry metric alert"),
            );
            let occurrence = id_at(alert, &["id"]).unwrap_or_else(|| rule.clone());
            let started_at = when(text_at(alert, &["date_started"]).or_else(|| text_at(alert, &["date_detected"])));
            let link = text_at(&b.data, &["web_url"]).and_then(link);
            Ok(Some(AlertBatch {
                source,
                group_key: format!("metric:{rule}"),
                title: title.clone(),
                link: link.clone(),
                labels: BTreeMap::new(),
                alerts: vec![AlertEvent {
                    dedup_key: format!("metric:{rule}"),
                    occurrence,
                    status,
                    title,
                    started_at,
                    labels: BTreeMap::new(),
                    link,
                }],
            }))
        }
        "issue" => {
            if b.action != "resolved" {
                return Ok(None);
            }
            let issue = b.data.get("issue").ok_or_else(|| missing(source, "data.issue"))?;
            let id = id_at(issue, &["id"]).ok_or_else(|| missing(source, "data.issue.id"))?;
            let title = clip(text_at(issue, &["title"]).unwrap_or("Sentry issue"));
            let link = text_at(issue, &["web_url"]).or_else(|| text_at(issue, &["permalink"])).and_then(link);
            Ok(Some(AlertBatch {
                source,
                group_key: format!("issue:{id}"),
                title: title.clone(),
                link: link.clone(),
                labels: BTreeMap::new(),
                alerts: vec![AlertEvent {
                    dedup_key: format!("issue:{id}"),
                    occurrence: String::new(),
                    status: AlertStatus::Resolved,
                    title,
                    started_at: when(text_at(issue, &["firstSeen"])),
                    labels: BTreeMap::new(),
                    link,
                }],
            }))
        }
        other => Err(ShapeError(format!(
            "Sentry-Hook-Resource `{}`: this bot reads event_alert, metric_alert, issue and installation",
            clip(other)
        ))),
    }
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

/// `[intake.systems]`: a system name and the `label=value` pairs that name it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemRules(Vec<(String, Vec<(String, String)>)>);

impl SystemRules {
    /// The systems the rules name, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(system, _)| system.as_str())
    }

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
