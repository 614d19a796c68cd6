//! `[[intake.auto_declare]]`: the alerts that declare an incident at once, without waiting for
//! someone to press Declare on their card. No rule, no automatic declaration.

use std::collections::BTreeMap;

use super::{AlertBatch, AlertSource, Severity};

/// One rule: alerts of `source` whose labels carry every `label=value` declare at `severity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoDeclare {
    /// The source it listens to.
    pub source: AlertSource,
    /// Every one must match (values compared without regard to case); none matches everything
    /// the source sends.
    pub labels: Vec<(String, String)>,
    /// The severity it declares.
    pub severity: Severity,
}

/// The rules, in the order written: the first that matches declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutoDeclareRules(Vec<AutoDeclare>);

impl AutoDeclare {
    /// Parses one rule as written in the config file, naming what to fix.
    pub fn parse(source: &str, labels: &[String], severity: &str) -> Result<Self, String> {
        let source = AlertSource::parse(source.trim()).ok_or_else(|| {
            let known: Vec<_> = AlertSource::ALL.iter().map(|s| s.as_str()).collect();
            format!(
                "[[intake.auto_declare]] source `{source}` is not a source; write one of {}",
                known.join(", ")
            )
        })?;
        let severity = Severity::parse(severity)
            .map_err(|e| format!("[[intake.auto_declare]] for {}: {e}", source.as_str()))?;
        let labels = labels
            .iter()
            .map(|m| {
                m.split_once('=')
                    .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                    .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                    .ok_or_else(|| {
                        format!(
                            "[[intake.auto_declare]] for {}: `{m}` is not `label=value`; write \
                             for example \"severity=page\"",
                            source.as_str()
                        )
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            source,
            labels,
            severity,
        })
    }

    /// The rule as people read it on the timeline: `alertmanager severity=page → P1`.
    pub fn describe(&self) -> String {
        let mut text = self.source.as_str().to_owned();
        for (k, v) in &self.labels {
            text.push_str(&format!(" {k}={v}"));
        }
        format!("{text} → {}", self.severity)
    }

    /// Whether every label of the rule is among `labels`.
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels
            .iter()
            .all(|(k, v)| labels.get(k).is_some_and(|l| l.eq_ignore_ascii_case(v)))
    }
}

impl AutoDeclareRules {
    /// The rules, in order.
    pub fn new(rules: Vec<AutoDeclare>) -> Self {
        Self(rules)
    }

    /// The first rule that matches the delivery: its source, and the labels of the group or of
    /// one of its alerts (with the group's).
    pub fn matching(&self, batch: &AlertBatch) -> Option<&AutoDeclare> {
        self.0
            .iter()
            .filter(|r| r.source == batch.source)
            .find(|r| {
                r.matches(&batch.labels)
                    || batch.alerts.iter().any(|a| {
                        let mut labels = batch.labels.clone();
                        labels.extend(a.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
                        r.matches(&labels)
                    })
            })
    }

    /// The rules, in order.
    pub fn iter(&self) -> impl Iterator<Item = &AutoDeclare> {
        self.0.iter()
    }

    /// Whether there is no rule.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::domain::{AlertEvent, AlertStatus};

    fn batch(source: AlertSource, group: &[(&str, &str)], alert: &[(&str, &str)]) -> AlertBatch {
        let labels = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        AlertBatch {
            source,
            group_key: "g".into(),
            title: "t".into(),
            link: None,
            labels: labels(group),
            alerts: vec![AlertEvent {
                dedup_key: "k".into(),
                occurrence: "o".into(),
                status: AlertStatus::Firing,
                title: "t".into(),
                started_at: Utc.timestamp_opt(0, 0).single().expect("time"),
                labels: labels(alert),
                link: None,
            }],
        }
    }

    fn rule(source: &str, labels: &[&str], severity: &str) -> Result<AutoDeclare, String> {
        let labels: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
        AutoDeclare::parse(source, &labels, severity)
    }

    #[test]
    fn a_rule_declares_only_its_source_with_every_label() {
        let rules = AutoDeclareRules::new(vec![
            rule("alertmanager", &["severity=page", "team=game"], "P1").expect("rule"),
            rule("cloudflare", &[], "P2").expect("rule"),
        ]);
        let page = batch(
            AlertSource::Alertmanager,
            &[("team", "game")],
            &[("severity", "PAGE")],
        );
        let found = rules
            .matching(&page)
            .expect("group and alert labels together");
        assert_eq!(found.severity, Severity::P1);
        assert_eq!(
            found.describe(),
            "alertmanager severity=page team=game → P1"
        );
        let warn = batch(
            AlertSource::Alertmanager,
            &[("team", "game")],
            &[("severity", "warning")],
        );
        assert!(rules.matching(&warn).is_none());
        let grafana = batch(
            AlertSource::Grafana,
            &[("severity", "page"), ("team", "game")],
            &[],
        );
        assert!(rules.matching(&grafana).is_none(), "another source");
        let any = batch(AlertSource::Cloudflare, &[], &[]);
        assert_eq!(rules.matching(&any).map(|r| r.severity), Some(Severity::P2));
        assert!(AutoDeclareRules::default().matching(&page).is_none());
    }

    #[test]
    fn bad_rules_say_what_to_write() {
        let source = rule("pagerduty", &[], "P1").expect_err("unknown source");
        assert!(
            source.contains("write one of alertmanager, sentry"),
            "{source}"
        );
        let label = rule("sentry", &["level"], "P1").expect_err("no =");
        assert!(label.contains("`level` is not `label=value`"), "{label}");
        let severity = rule("sentry", &[], "P7").expect_err("no such severity");
        assert!(
            severity.starts_with("[[intake.auto_declare]] for sentry:"),
            "{severity}"
        );
    }
}
