//! Alerts from monitoring as the bot keeps them (each vendor's webhook body is read into these
//! at the edge, in `http/hooks/sources`), and the rules that name the affected system from an
//! alert's labels.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

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
    /// Discord's own safety signals on the gateway: a raid or DM spam it detected
    /// (`incidents_data`), and AutoMod's actions.
    Discord,
}

impl AlertSource {
    /// Every source.
    pub const ALL: [Self; 6] = [
        Self::Alertmanager,
        Self::Sentry,
        Self::Cloudflare,
        Self::Grafana,
        Self::Players,
        Self::Discord,
    ];

    /// Its name in the store, the metrics and the URL (`/hooks/<name>`; players have none).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alertmanager => "alertmanager",
            Self::Sentry => "sentry",
            Self::Cloudflare => "cloudflare",
            Self::Grafana => "grafana",
            Self::Players => "players",
            Self::Discord => "discord",
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
            Self::Discord => "Discord",
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
