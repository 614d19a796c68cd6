//! `[tracker]`: the issue tracker where each incident gets a ticket and each post-mortem
//! action item an issue (GitHub, Jira or Linear), and its credentials, read only from the
//! environment.

use std::collections::BTreeMap;
use std::time::Duration;

use secrecy::SecretString;
use serde::de::IgnoredAny;
use serde::Deserialize;

use super::duration;

/// Which tracker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackerKind {
    /// GitHub issues.
    Github,
    /// Jira Cloud.
    Jira,
    /// Linear.
    Linear,
}

/// `[tracker]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackerSettings {
    /// GitHub, Jira or Linear.
    pub kind: TrackerKind,
    /// GitHub: `owner/name`.
    #[serde(default)]
    pub repository: Option<String>,
    /// Jira: the project key.
    #[serde(default)]
    pub project: Option<String>,
    /// Linear: the team's id (a UUID).
    #[serde(default)]
    pub team: Option<String>,
    /// The API's base URL: the real host by default (Jira: the site, required).
    #[serde(default)]
    pub api_base: Option<String>,
    /// Each call's timeout.
    #[serde(default = "default_timeout", deserialize_with = "duration::positive")]
    pub timeout: Duration,
    /// The private repository, project or team of security incidents; without it they get no
    /// ticket.
    #[serde(default)]
    pub security_project: Option<String>,
    /// Jira: the issue type of tickets.
    #[serde(default = "default_issue_type")]
    pub issue_type: String,
    /// Discord user id -> the tracker's user (GitHub login, Jira account id, Linear user id).
    #[serde(default)]
    pub users: BTreeMap<String, String>,
    /// A secret written in the file: refused by `check` (only read to say so).
    #[serde(default, rename = "token")]
    pub written_token: Option<IgnoredAny>,
    /// A secret written in the file: refused by `check`.
    #[serde(default, rename = "key")]
    pub written_key: Option<IgnoredAny>,
    /// A secret written in the file: refused by `check`.
    #[serde(default, rename = "email")]
    pub written_email: Option<IgnoredAny>,
    /// The credentials, from the environment only.
    #[serde(skip)]
    pub secrets: TrackerSecrets,
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

fn default_issue_type() -> String {
    "Task".to_owned()
}

/// The tracker's credentials. Never printed.
#[derive(Clone, Default)]
pub struct TrackerSecrets {
    /// The token (GitHub), API token (Jira) or personal key (Linear).
    pub token: Option<SecretString>,
    /// Jira: the account's email.
    pub email: Option<SecretString>,
}

impl std::fmt::Debug for TrackerSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TrackerSecrets(…)")
    }
}

/// `INCIDENT_BOT_GITHUB_TOKEN`.
pub const GITHUB_TOKEN_VAR: &str = "INCIDENT_BOT_GITHUB_TOKEN";
/// `INCIDENT_BOT_JIRA_EMAIL`.
pub const JIRA_EMAIL_VAR: &str = "INCIDENT_BOT_JIRA_EMAIL";
/// `INCIDENT_BOT_JIRA_TOKEN`.
pub const JIRA_TOKEN_VAR: &str = "INCIDENT_BOT_JIRA_TOKEN";
/// `INCIDENT_BOT_LINEAR_KEY`.
pub const LINEAR_KEY_VAR: &str = "INCIDENT_BOT_LINEAR_KEY";

impl TrackerKind {
    /// The variables its credentials are read from: the token's, then Jira's email's.
    pub fn vars(self) -> (&'static str, Option<&'static str>) {
        match self {
            Self::Github => (GITHUB_TOKEN_VAR, None),
            Self::Jira => (JIRA_TOKEN_VAR, Some(JIRA_EMAIL_VAR)),
            Self::Linear => (LINEAR_KEY_VAR, None),
        }
    }

    /// The key naming where tickets go, and the default API base (`None`: required).
    fn target(self) -> (&'static str, Option<&'static str>) {
        match self {
            Self::Github => ("repository", Some("https://api.github.com")),
            Self::Jira => ("project", None),
            Self::Linear => ("team", Some("https://api.linear.app")),
        }
    }
}

impl TrackerSettings {
    /// Reads the credentials of its kind from the environment.
    pub fn read_secrets(&mut self) {
        let (token, email) = self.kind.vars();
        self.secrets = TrackerSecrets {
            token: super::secret_from_env(token),
            email: email.and_then(super::secret_from_env),
        };
    }

    /// Where tickets go: the repository, project or team.
    pub fn target(&self) -> Option<&str> {
        match self.kind {
            TrackerKind::Github => self.repository.as_deref(),
            TrackerKind::Jira => self.project.as_deref(),
            TrackerKind::Linear => self.team.as_deref(),
        }
    }

    /// The API's base URL: `api_base`, or the real host.
    pub fn base(&self) -> Option<url::Url> {
        let text = self.api_base.as_deref().or(self.kind.target().1)?;
        url::Url::parse(text).ok()
    }

    /// The environment variables it needs that are not set.
    pub fn missing_vars(&self) -> Vec<&'static str> {
        let (token, email) = self.kind.vars();
        let mut out = Vec::new();
        if self.secrets.token.is_none() {
            out.push(token);
        }
        if let (Some(var), None) = (email, &self.secrets.email) {
            out.push(var);
        }
        out
    }

    /// What is wrong with the section: (key, sentence).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = self.written_secrets();
        let (target_key, _) = self.kind.target();
        if self.target().is_none_or(|t| t.trim().is_empty()) {
            out.push((
                format!("tracker.{target_key}"),
                format!("`tracker.{target_key}` is missing: say where tickets go"),
            ));
        }
        let (shape, valid): (&str, fn(&str) -> bool) = match self.kind {
            TrackerKind::Github => ("must be written \"owner/name\"", is_repository),
            TrackerKind::Jira => ("must be a Jira project key, such as OPS", is_jira_key),
            TrackerKind::Linear => (
                "must be the team's id, a UUID such as 9cfb482a-81e3-4154-b5b9-2c805e70a02d, \
                 not its key (ENG): copy it from the team's settings or Linear's API",
                is_uuid,
            ),
        };
        for (key, value) in [
            (target_key, self.target()),
            ("security_project", self.security_project.as_deref()),
        ] {
            if value.is_some_and(|v| !v.trim().is_empty() && !valid(v)) {
                out.push((format!("tracker.{key}"), format!("`tracker.{key}` {shape}")));
            }
        }
        out.extend(self.base_problem());
        out
    }

    /// Each secret written in the file, refused with the variable to use instead.
    fn written_secrets(&self) -> Vec<(String, String)> {
        let (token_var, email_var) = self.kind.vars();
        [
            (self.written_token.is_some(), "token", token_var),
            (self.written_key.is_some(), "key", token_var),
            (
                self.written_email.is_some(),
                "email",
                email_var.unwrap_or(token_var),
            ),
        ]
        .into_iter()
        .filter(|(written, _, _)| *written)
        .map(|(_, key, var)| {
            (
                format!("tracker.{key}"),
                format!(
                    "`tracker.{key}` is a secret, and secrets are never read from the config \
                     file: remove it and set the environment variable {var} instead"
                ),
            )
        })
        .collect()
    }

    /// A missing (Jira) or malformed `api_base`.
    fn base_problem(&self) -> Option<(String, String)> {
        match (&self.api_base, self.kind.target().1) {
            (None, None) => Some((
                "tracker.api_base".into(),
                "`tracker.api_base` is missing: give your Jira site, such as \
                 https://studio.atlassian.net"
                    .into(),
            )),
            (Some(base), _)
                if !(base.starts_with("https://") || base.starts_with("http://"))
                    || url::Url::parse(base).is_err() =>
            {
                Some((
                    "tracker.api_base".into(),
                    format!("`tracker.api_base`: `{base}` is not an http(s) URL"),
                ))
            }
            _ => None,
        }
    }
}

fn is_repository(text: &str) -> bool {
    let mut parts = text.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

/// A UUID as Linear writes ids: 8-4-4-4-12 hex digits.
fn is_uuid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A Jira project key: a capital letter, then capitals, digits or `_`.
fn is_jira_key(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
