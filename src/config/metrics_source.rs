//! `[prometheus]` and `[systems.<name>]`: where error rates are read, and which query reads
//! each system's.

use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use super::duration;

/// `[prometheus]`: the server the fix check reads error rates from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusSettings {
    /// Its base URL (`http://prometheus:9090`); unset, no rate is read.
    #[serde(default)]
    pub url: Option<String>,
    /// How long one query may take.
    #[serde(deserialize_with = "duration::positive")]
    pub timeout: Duration,
    /// The most points one range read asks for; a longer range is read at a coarser step.
    pub max_points: u32,
    /// `INCIDENT_BOT_PROMETHEUS_TOKEN`: a bearer token, only ever from the environment.
    #[serde(skip)]
    pub token: Option<SecretString>,
}

impl PrometheusSettings {
    /// The variable of the bearer token.
    pub const TOKEN_VAR: &'static str = "INCIDENT_BOT_PROMETHEUS_TOKEN";
}

/// `[systems.<name>]`: what the bot reads about one system.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemSettings {
    /// A PromQL query giving the system's error rate, a ratio from 0 to 1.
    #[serde(default)]
    pub error_rate: Option<String>,
    /// The rate under which the system is good.
    #[serde(default)]
    pub good_below: Option<f64>,
    /// Evidence: Sentry's issues of the system (a URL template, see [`crate::domain::fill_link`]).
    #[serde(default)]
    pub sentry: Option<String>,
    /// Evidence: Cloudflare's analytics of its zone.
    #[serde(default)]
    pub cloudflare: Option<String>,
    /// Evidence: its server logs (a Grafana Explore or Kibana URL).
    #[serde(default)]
    pub logs: Option<String>,
    /// Evidence: its database query logs.
    #[serde(default)]
    pub db_logs: Option<String>,
    /// Evidence: any other links, `[[systems.<name>.links]]`.
    #[serde(default)]
    pub links: Vec<LinkSettings>,
}

/// `[[systems.<name>.links]]`: one evidence link.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSettings {
    /// Its button's label.
    pub label: String,
    /// Its URL template.
    pub url: String,
}

/// The most evidence links of one system: one message's buttons.
pub const MAX_LINKS: usize = 25;

impl SystemSettings {
    /// Its evidence links, each with the key it came from, in the order they are shown.
    pub fn link_templates(&self) -> Vec<(String, crate::domain::LinkTemplate)> {
        let named = [
            ("sentry", "Sentry", &self.sentry),
            ("cloudflare", "Cloudflare analytics", &self.cloudflare),
            ("logs", "Logs", &self.logs),
            ("db_logs", "DB query logs", &self.db_logs),
        ];
        let mut out: Vec<_> = named
            .into_iter()
            .filter_map(|(key, label, url)| {
                let url = url.clone()?;
                let label = label.to_owned();
                Some((key.to_owned(), crate::domain::LinkTemplate { label, url }))
            })
            .collect();
        out.extend(self.links.iter().enumerate().map(|(i, l)| {
            let template = crate::domain::LinkTemplate {
                label: l.label.clone(),
                url: l.url.clone(),
            };
            (format!("links[{i}]"), template)
        }));
        out
    }
}

impl super::Settings {
    /// The evidence link templates of `system` (names match without regard to case).
    pub fn evidence_of(&self, system: &str) -> Vec<crate::domain::LinkTemplate> {
        self.systems
            .each
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(system))
            .map(|(_, each)| each.link_templates().into_iter().map(|(_, t)| t).collect())
            .unwrap_or_default()
    }

    /// The error-rate query and threshold of `system`, when it has both and a Prometheus
    /// server is configured.
    /// Names match without regard to case, as people type them.
    pub fn error_rate_of(&self, system: &str) -> Option<(&str, f64)> {
        self.prometheus.url.as_ref()?;
        let each = self
            .systems
            .each
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(system))
            .map(|(_, each)| each)?;
        Some((each.error_rate.as_deref()?, each.good_below?))
    }
}

/// `check`'s rules on error rates: a server URL that is one, and per system a query that
/// parses with a threshold between 0 and 1.
pub(super) fn rules(s: &super::Settings, out: &mut Vec<super::rules::Finding>) {
    let finding = |key: String, message: String| super::rules::Finding {
        keys: vec![key],
        message,
    };
    if let Some(url) = &s.prometheus.url {
        let ok = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !ok {
            out.push(finding(
                "prometheus.url".into(),
                format!("`prometheus.url`: `{url}` is not an http(s) URL"),
            ));
        }
    }
    for (name, system) in &s.systems.each {
        let key = |k: &str| format!("systems.{name}.{k}");
        links(name, system, out);
        if let Some(query) = &system.error_rate {
            if let Err(why) = crate::domain::check_query(query) {
                out.push(finding(
                    key("error_rate"),
                    format!("`systems.{name}.error_rate` does not parse as PromQL: {why}"),
                ));
            }
        }
        match (&system.error_rate, system.good_below) {
            (Some(_), None) => out.push(finding(
                key("good_below"),
                format!(
                    "[systems.{name}] has an error_rate but no good_below: give the rate under \
                     which {name} is good, such as 0.01 for 1 %"
                ),
            )),
            (None, Some(_)) => out.push(finding(
                key("error_rate"),
                format!(
                    "[systems.{name}] has a good_below but no error_rate: give the PromQL query \
                     of its error rate"
                ),
            )),
            (_, Some(g)) if !(g > 0.0 && g <= 1.0) => out.push(finding(
                key("good_below"),
                format!(
                    "`systems.{name}.good_below` is {g}: it is a ratio above 0 and at most 1 \
                     (0.01 is 1 %)"
                ),
            )),
            _ => {}
        }
    }
}

/// `check`'s rules on a system's evidence links: each gives an https URL once filled, and
/// they fit one message's buttons.
fn links(name: &str, system: &SystemSettings, out: &mut Vec<super::rules::Finding>) {
    let templates = system.link_templates();
    let now = chrono::Utc::now();
    for (key, template) in &templates {
        let filled = crate::domain::fill_link(template, name, now, now);
        if let Err(why) = filled {
            out.push(super::rules::Finding {
                keys: vec![format!("systems.{name}.{key}")],
                message: format!(
                    "`systems.{name}.{key}`: {why}; evidence links open in people's browsers: \
                     give an https URL"
                ),
            });
        }
    }
    if templates.len() > MAX_LINKS {
        out.push(super::rules::Finding {
            keys: vec![format!("systems.{name}.links")],
            message: format!(
                "[systems.{name}] has {} evidence links: a message holds at most {MAX_LINKS} \
                 buttons; keep the ones people open",
                templates.len()
            ),
        });
    }
}

/// What works but is probably not meant: error rates with no server to read them from.
pub(super) fn warnings(s: &super::Settings, out: &mut Vec<super::rules::Finding>) {
    if s.prometheus.url.is_some() {
        return;
    }
    if let Some(name) = s
        .systems
        .each
        .iter()
        .find_map(|(name, system)| system.error_rate.as_ref().map(|_| name))
    {
        out.push(super::rules::Finding {
            keys: vec![format!("systems.{name}.error_rate")],
            message: format!(
                "[systems.{name}] has an error_rate, but [prometheus] url is not set: no rate is \
                 read; set it to your Prometheus server"
            ),
        });
    }
}
