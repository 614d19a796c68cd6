//! `[page_out]`: paging on-call outside Discord (PagerDuty, ntfy), and the secrets each
//! service reads from the environment, never from the file.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::secret_from_env;
use crate::domain::{Severity, UserId};

/// A service that pages on-call outside Discord.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum PageService {
    /// PagerDuty's Events API v2.
    #[serde(rename = "pagerduty")]
    PagerDuty,
    /// An ntfy server's publish API.
    Ntfy,
}

impl PageService {
    /// Every service.
    pub const ALL: [PageService; 2] = [Self::PagerDuty, Self::Ntfy];

    /// The name in the config and in `/metrics`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PagerDuty => "pagerduty",
            Self::Ntfy => "ntfy",
        }
    }
}

/// `[page_out]`: one section per service; a service pages only when its section is set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageOutSettings {
    /// `[page_out.pagerduty]`.
    pub pagerduty: Option<PagerDutySettings>,
    /// `[page_out.ntfy]`.
    pub ntfy: Option<NtfySettings>,
}

impl PageOutSettings {
    /// Whether `service`'s section is set.
    pub fn configured(&self, service: PageService) -> bool {
        match service {
            PageService::PagerDuty => self.pagerduty.is_some(),
            PageService::Ntfy => self.ntfy.is_some(),
        }
    }

    /// The services an incident at `severity` pages: the severity's `page_out` when set, else
    /// every configured one for a P0 or P1.
    pub fn services(&self, severity: Severity, listed: Option<&[PageService]>) -> Vec<PageService> {
        let default = matches!(severity, Severity::P0 | Severity::P1);
        PageService::ALL
            .into_iter()
            .filter(|s| self.configured(*s))
            .filter(|s| listed.map_or(default, |l| l.contains(s)))
            .collect()
    }

    /// Reads each configured service's secrets from the environment.
    pub fn read_secrets(&mut self) {
        if let Some(pd) = &mut self.pagerduty {
            pd.secrets = PagerDutySecrets::from_env();
        }
        if let Some(ntfy) = &mut self.ntfy {
            ntfy.token = secret_from_env(NtfySettings::TOKEN_VAR);
        }
    }
}

fn pagerduty_base() -> url::Url {
    url::Url::parse("https://events.pagerduty.com").unwrap_or_else(|_| unreachable!())
}

fn ten_seconds() -> Duration {
    Duration::from_secs(10)
}

/// `[page_out.pagerduty]`: PagerDuty's Events API v2, and its webhooks v3 coming back.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutySettings {
    /// The Events API's base URL (a proxy's, or a fake's in tests).
    #[serde(default = "pagerduty_base")]
    pub api_base: url::Url,
    /// How long one call may take.
    #[serde(
        default = "ten_seconds",
        deserialize_with = "super::duration::positive"
    )]
    pub timeout: Duration,
    /// PagerDuty user ids (`PLH1HKV`) to the Discord members they are.
    #[serde(default)]
    pub users: BTreeMap<String, UserId>,
    /// Refused: the routing key is read from the environment only.
    #[serde(default)]
    pub routing_key: Option<serde::de::IgnoredAny>,
    /// Refused: the security routing key is read from the environment only.
    #[serde(default)]
    pub security_routing_key: Option<serde::de::IgnoredAny>,
    /// Refused: the webhook secret is read from the environment only.
    #[serde(default)]
    pub webhook_secret: Option<serde::de::IgnoredAny>,
    /// The secrets, from the environment.
    #[serde(skip)]
    pub secrets: PagerDutySecrets,
}

/// PagerDuty's secrets. Never printed.
#[derive(Clone, Default)]
pub struct PagerDutySecrets {
    /// The integration key of the on-call service.
    pub routing_key: Option<SecretString>,
    /// The integration key of the security on-call's service; without it, security
    /// incidents page nobody in PagerDuty.
    pub security_routing_key: Option<SecretString>,
    /// The webhook subscription's signing secret; without it, `/hooks/pagerduty` is off.
    pub webhook_secret: Option<SecretString>,
}

impl PagerDutySecrets {
    /// The variable of the routing key.
    pub const ROUTING_KEY_VAR: &'static str = "INCIDENT_BOT_PAGERDUTY_ROUTING_KEY";
    /// The variable of the security routing key.
    pub const SECURITY_ROUTING_KEY_VAR: &'static str =
        "INCIDENT_BOT_PAGERDUTY_SECURITY_ROUTING_KEY";
    /// The variable of the webhook secret.
    pub const WEBHOOK_SECRET_VAR: &'static str = "INCIDENT_BOT_PAGERDUTY_WEBHOOK_SECRET";

    /// Reads the secrets that are set (and not blank).
    pub fn from_env() -> Self {
        Self {
            routing_key: secret_from_env(Self::ROUTING_KEY_VAR),
            security_routing_key: secret_from_env(Self::SECURITY_ROUTING_KEY_VAR),
            webhook_secret: secret_from_env(Self::WEBHOOK_SECRET_VAR),
        }
    }
}

impl fmt::Debug for PagerDutySecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |s: &Option<SecretString>| s.as_ref().map(|_| "[redacted]");
        f.debug_struct("PagerDutySecrets")
            .field("routing_key", &set(&self.routing_key))
            .field("security_routing_key", &set(&self.security_routing_key))
            .field("webhook_secret", &set(&self.webhook_secret))
            .finish()
    }
}

/// `[page_out.ntfy]`: an ntfy server's publish API.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NtfySettings {
    /// The server, such as `https://ntfy.sh` or a self-hosted one.
    pub url: url::Url,
    /// The topic on-call subscribes to.
    pub topic: String,
    /// The topic of the security on-call; without it, security incidents publish nothing.
    #[serde(default)]
    pub security_topic: Option<String>,
    /// How long one call may take.
    #[serde(
        default = "ten_seconds",
        deserialize_with = "super::duration::positive"
    )]
    pub timeout: Duration,
    /// Refused: the access token is read from the environment only.
    #[serde(default, rename = "token")]
    pub token_in_file: Option<serde::de::IgnoredAny>,
    /// The access token (`INCIDENT_BOT_NTFY_TOKEN`), from the environment; none for an open
    /// topic.
    #[serde(skip)]
    pub token: Option<SecretString>,
}

impl NtfySettings {
    /// The variable of the access token.
    pub const TOKEN_VAR: &'static str = "INCIDENT_BOT_NTFY_TOKEN";
}

impl fmt::Debug for NtfySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NtfySettings")
            .field("url", &self.url.as_str())
            .field("topic", &self.topic)
            .field("security_topic", &self.security_topic)
            .field("timeout", &self.timeout)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// The problems `check` reports about `[page_out]`: a secret written in the file, a missing
/// variable of a configured service, a topic that is not one. Keys dotted, with the sentence.
pub(super) fn problems(s: &PageOutSettings) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let in_file = |key: &'static str, var: &str| {
        (
            key,
            format!(
                "`{key}` is a secret and is never read from the file: remove it, and set the \
                 environment variable {var} instead"
            ),
        )
    };
    if let Some(pd) = &s.pagerduty {
        if pd.routing_key.is_some() {
            out.push(in_file(
                "page_out.pagerduty.routing_key",
                PagerDutySecrets::ROUTING_KEY_VAR,
            ));
        }
        if pd.security_routing_key.is_some() {
            out.push(in_file(
                "page_out.pagerduty.security_routing_key",
                PagerDutySecrets::SECURITY_ROUTING_KEY_VAR,
            ));
        }
        if pd.webhook_secret.is_some() {
            out.push(in_file(
                "page_out.pagerduty.webhook_secret",
                PagerDutySecrets::WEBHOOK_SECRET_VAR,
            ));
        }
        if pd.secrets.routing_key.is_none() {
            out.push((
                "page_out.pagerduty",
                format!(
                    "[page_out.pagerduty] is set but {} is not: set it to the Integration Key of \
                     an Events API v2 integration of the on-call service, or remove the section",
                    PagerDutySecrets::ROUTING_KEY_VAR
                ),
            ));
        }
    }
    out.extend(shared_targets(s));
    if let Some(ntfy) = &s.ntfy {
        if ntfy.token_in_file.is_some() {
            out.push(in_file("page_out.ntfy.token", NtfySettings::TOKEN_VAR));
        }
        for (key, topic) in [
            ("page_out.ntfy.topic", Some(&ntfy.topic)),
            ("page_out.ntfy.security_topic", ntfy.security_topic.as_ref()),
        ] {
            let Some(topic) = topic else { continue };
            let ok = !topic.is_empty()
                && topic.len() <= 64
                && topic
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok {
                out.push((
                    key,
                    format!("`{key}` must be an ntfy topic: 1 to 64 letters, digits, `-` or `_`"),
                ));
            }
        }
    }
    out
}

/// A security target that is the on-call's own (the same routing key, the same topic): security
/// incidents would page everyone.
fn shared_targets(s: &PageOutSettings) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(pd) = &s.pagerduty {
        let same = match (&pd.secrets.routing_key, &pd.secrets.security_routing_key) {
            (Some(a), Some(b)) => a.expose_secret() == b.expose_secret(),
            _ => false,
        };
        if same {
            out.push((
                "page_out.pagerduty",
                format!(
                    "{} is the same key as {}: security incidents would page the whole on-call; \
                     set it to the Integration Key of the security on-call's own service",
                    PagerDutySecrets::SECURITY_ROUTING_KEY_VAR,
                    PagerDutySecrets::ROUTING_KEY_VAR
                ),
            ));
        }
    }
    if let Some(ntfy) = &s.ntfy {
        if ntfy.security_topic.as_ref() == Some(&ntfy.topic) {
            out.push((
                "page_out.ntfy.security_topic",
                "`page_out.ntfy.security_topic` is the same as `topic`: security incidents would \
                 reach everyone on call; name the security on-call's own topic"
                    .to_owned(),
            ));
        }
    }
    out
}

/// What `check` points at without refusing: the variables a configured service can use and
/// lacks (its security page, its webhook), and the token of a server that may need one.
pub(super) fn warnings(s: &PageOutSettings) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(pd) = &s.pagerduty {
        if pd.secrets.security_routing_key.is_none() {
            out.push((
                "page_out.pagerduty",
                format!(
                    "{} is not set: security incidents page nobody in PagerDuty; set it to the \
                     Integration Key of the security on-call's service",
                    PagerDutySecrets::SECURITY_ROUTING_KEY_VAR
                ),
            ));
        }
        if pd.secrets.webhook_secret.is_none() {
            out.push((
                "page_out.pagerduty",
                format!(
                    "{} is not set: acknowledgements in PagerDuty are not heard (/hooks/pagerduty \
                     answers 404); set it to the webhook subscription's signing secret",
                    PagerDutySecrets::WEBHOOK_SECRET_VAR
                ),
            ));
        }
    }
    if let Some(ntfy) = &s.ntfy {
        if ntfy.token.is_none() {
            out.push((
                "page_out.ntfy",
                format!(
                    "{} is not set: publishing to {} without a token works only on an open \
                     topic, which anyone can read",
                    NtfySettings::TOKEN_VAR,
                    ntfy.url
                ),
            ));
        }
        if ntfy.security_topic.is_none() {
            out.push((
                "page_out.ntfy.security_topic",
                "[page_out.ntfy] security_topic is not set: security incidents publish nothing \
                 to ntfy"
                    .to_owned(),
            ));
        }
    }
    out
}

#[cfg(test)]
#[path = "page_out_tests.rs"]
mod tests;
