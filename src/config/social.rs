//! `[social.mastodon]`, `[social.bluesky]`, `[social.x]`: the networks players' announcements
//! are also posted to. A network is on when its section is written; its secrets come only from
//! the environment, read at load, and `check` names the variable a configured network lacks.

use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Deserializer};

use super::{duration, secret_from_env};
use crate::domain::{Locale, Network, Severity};

/// `[social]`: each network's section, absent when it is off.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocialSettings {
    /// `[social.mastodon]`.
    pub mastodon: Option<MastodonSettings>,
    /// `[social.bluesky]`.
    pub bluesky: Option<BlueskySettings>,
    /// `[social.x]`.
    pub x: Option<XSettings>,
}

/// `[social.mastodon]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MastodonSettings {
    /// The instance the account is on, `https://mastodon.social`: its API is under it.
    pub instance: url::Url,
    /// How long one call may take.
    #[serde(default = "ten_seconds", deserialize_with = "duration::positive")]
    pub timeout: Duration,
    /// The severities whose announcements are posted.
    #[serde(default = "all_severities", deserialize_with = "severities")]
    pub severities: Vec<Severity>,
    /// The players' language its posts are written in (a `[players] locales` code); by
    /// default the first of `[players] locales`, the studio's primary one.
    #[serde(default)]
    pub locale: Option<Locale>,
    /// `INCIDENT_BOT_MASTODON_TOKEN`: an access token with the `write:statuses`,
    /// `read:accounts` and `read:statuses` scopes. Never in the file.
    #[serde(skip)]
    pub token: Option<SecretString>,
}

/// `[social.bluesky]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlueskySettings {
    /// The account's handle, `studio.bsky.social`.
    pub handle: String,
    /// The account's PDS.
    #[serde(default = "bsky_social")]
    pub api_base: url::Url,
    /// How long one call may take.
    #[serde(default = "ten_seconds", deserialize_with = "duration::positive")]
    pub timeout: Duration,
    /// The severities whose announcements are posted.
    #[serde(default = "all_severities", deserialize_with = "severities")]
    pub severities: Vec<Severity>,
    /// The players' language its posts are written in (a `[players] locales` code); by
    /// default the first of `[players] locales`, the studio's primary one.
    #[serde(default)]
    pub locale: Option<Locale>,
    /// `INCIDENT_BOT_BLUESKY_APP_PASSWORD`: an app password (Settings → Privacy and security →
    /// App passwords). Never in the file.
    #[serde(skip)]
    pub app_password: Option<SecretString>,
}

/// `[social.x]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XSettings {
    /// X's API.
    #[serde(default = "x_api")]
    pub api_base: url::Url,
    /// How long one call may take.
    #[serde(default = "ten_seconds", deserialize_with = "duration::positive")]
    pub timeout: Duration,
    /// The severities whose announcements are posted.
    #[serde(default = "all_severities", deserialize_with = "severities")]
    pub severities: Vec<Severity>,
    /// The players' language its posts are written in (a `[players] locales` code); by
    /// default the first of `[players] locales`, the studio's primary one.
    #[serde(default)]
    pub locale: Option<Locale>,
    /// Whether a post ends with the incident's status link: on pay-per-use, a post with a URL
    /// costs about 13 times one without.
    #[serde(default)]
    pub include_link: bool,
    /// The most posts a calendar month (UTC); past it, posts are skipped and `/incident
    /// status` says so.
    #[serde(default = "fifty")]
    pub monthly_cap: u32,
    /// Whether updates reply to the alert's post (a thread), or go out as posts of their own.
    #[serde(default)]
    pub replies: bool,
    /// The OAuth 1.0a user-context keys, from `INCIDENT_BOT_X_CONSUMER_KEY`,
    /// `…_CONSUMER_SECRET`, `…_ACCESS_TOKEN` and `…_ACCESS_TOKEN_SECRET`. Never in the file.
    #[serde(skip)]
    pub keys: Option<XKeys>,
}

/// X's four OAuth 1.0a keys.
#[derive(Debug, Clone)]
pub struct XKeys {
    /// The app's API key.
    pub consumer_key: SecretString,
    /// The app's API key secret.
    pub consumer_secret: SecretString,
    /// The account's access token.
    pub access_token: SecretString,
    /// The account's access token secret.
    pub access_secret: SecretString,
}

/// The variable of the Mastodon token.
pub const MASTODON_TOKEN_VAR: &str = "INCIDENT_BOT_MASTODON_TOKEN";
/// The variable of the Bluesky app password.
pub const BLUESKY_PASSWORD_VAR: &str = "INCIDENT_BOT_BLUESKY_APP_PASSWORD";
/// The variables of X's keys, in [`XKeys`]' order.
pub const X_VARS: [&str; 4] = [
    "INCIDENT_BOT_X_CONSUMER_KEY",
    "INCIDENT_BOT_X_CONSUMER_SECRET",
    "INCIDENT_BOT_X_ACCESS_TOKEN",
    "INCIDENT_BOT_X_ACCESS_TOKEN_SECRET",
];

impl SocialSettings {
    /// Reads each configured network's secrets from the environment; returns, for each one
    /// missing, the config key to blame and what to do.
    pub(super) fn read_secrets(&mut self) -> Vec<(&'static str, String)> {
        let mut missing = Vec::new();
        if let Some(m) = &mut self.mastodon {
            m.token = secret_from_env(MASTODON_TOKEN_VAR);
            if m.token.is_none() {
                missing.push((
                    "social.mastodon.instance",
                    unset(MASTODON_TOKEN_VAR, "Mastodon"),
                ));
            }
        }
        if let Some(b) = &mut self.bluesky {
            b.app_password = secret_from_env(BLUESKY_PASSWORD_VAR);
            if b.app_password.is_none() {
                missing.push((
                    "social.bluesky.handle",
                    unset(BLUESKY_PASSWORD_VAR, "Bluesky"),
                ));
            }
        }
        if let Some(x) = &mut self.x {
            let [a, b, c, d] = X_VARS.map(secret_from_env);
            match (a, b, c, d) {
                (
                    Some(consumer_key),
                    Some(consumer_secret),
                    Some(access_token),
                    Some(access_secret),
                ) => {
                    x.keys = Some(XKeys {
                        consumer_key,
                        consumer_secret,
                        access_token,
                        access_secret,
                    });
                }
                _ => missing.push(("social.x", unset(&X_VARS.join(", "), "X"))),
            }
        }
        missing
    }

    /// The language `network` posts in, when its section says.
    pub fn locale(&self, network: Network) -> Option<Locale> {
        match network {
            Network::Mastodon => self.mastodon.as_ref().and_then(|m| m.locale),
            Network::Bluesky => self.bluesky.as_ref().and_then(|b| b.locale),
            Network::X => self.x.as_ref().and_then(|x| x.locale),
        }
    }

    /// The severities `network` posts, if it is configured.
    pub fn severities(&self, network: Network) -> Option<&[Severity]> {
        match network {
            Network::Mastodon => self.mastodon.as_ref().map(|m| m.severities.as_slice()),
            Network::Bluesky => self.bluesky.as_ref().map(|b| b.severities.as_slice()),
            Network::X => self.x.as_ref().map(|x| x.severities.as_slice()),
        }
    }
}

fn unset(var: &str, network: &str) -> String {
    format!(
        "{network} is configured but {var} is not set: put the secret in the environment \
         (never in the config file; see docs/social.md for where to get it), or remove the \
         section to stop posting there"
    )
}

fn ten_seconds() -> Duration {
    Duration::from_secs(10)
}

fn fifty() -> u32 {
    50
}

fn all_severities() -> Vec<Severity> {
    Severity::ALL.to_vec()
}

fn bsky_social() -> url::Url {
    url::Url::parse("https://bsky.social").expect("a URL")
}

fn x_api() -> url::Url {
    url::Url::parse("https://api.x.com").expect("a URL")
}

fn severities<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Severity>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| Severity::parse(s).map_err(serde::de::Error::custom))
        .collect()
}
