//! `[[status.webhooks]]`: the services (fan sites, bots, the launcher team's) that each public
//! change is POSTed to, signed with a secret read only from the environment.

use std::time::Duration;

use serde::Deserialize;

/// The start of each webhook's secret variable; the webhook's name, upper-cased with `-` as
/// `_`, ends it: `INCIDENT_BOT_STATUS_WEBHOOK_SECRET_FANSITE`.
pub const STATUS_WEBHOOK_SECRET_PREFIX: &str = "INCIDENT_BOT_STATUS_WEBHOOK_SECRET_";

/// One `[[status.webhooks]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusWebhookSettings {
    /// Its name in logs, metrics, the log channel and its secret's variable: 1 to 40
    /// lower-case letters, digits, `-` or `_`.
    pub name: String,
    /// Where each change is POSTed (http or https).
    pub url: url::Url,
    /// How long one delivery may take.
    #[serde(
        default = "ten_seconds",
        deserialize_with = "super::duration::positive"
    )]
    pub timeout: Duration,
    /// Failed attempts in a row after which the webhook is turned off (and the log channel
    /// told); at most `[jobs] max_attempts`.
    #[serde(default = "eight")]
    pub turn_off_after: u32,
    /// Refused: the signing secret is read from the environment only.
    #[serde(default, rename = "secret")]
    pub secret_in_file: Option<serde::de::IgnoredAny>,
    /// The signing secret, from [`StatusWebhookSettings::secret_var`] (read at load).
    #[serde(skip)]
    pub secret: Option<secrecy::SecretString>,
}

impl StatusWebhookSettings {
    /// The variable holding this webhook's signing secret.
    pub fn secret_var(&self) -> String {
        secret_var(&self.name)
    }
}

/// The variable holding the signing secret of the webhook named `name`.
pub fn secret_var(name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| match c {
            '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    format!("{STATUS_WEBHOOK_SECRET_PREFIX}{upper}")
}

fn ten_seconds() -> Duration {
    Duration::from_secs(10)
}

fn eight() -> u32 {
    8
}

/// Whether `name` is a webhook's name: 1 to 40 lower-case letters, digits, `-` or `_`.
fn is_name(name: &str) -> bool {
    (1..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// What `check` refuses in `[[status.webhooks]]`: a bad or repeated name, a URL that is not
/// http(s), a secret written in the file, a secret missing from the environment, a turn-off
/// count the job queue never reaches. Keys dotted, with the sentence.
pub(super) fn problems(
    hooks: &[StatusWebhookSettings],
    max_attempts: u32,
) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    for (i, h) in hooks.iter().enumerate() {
        // The loader names an entry of an array of tables `status.webhooks.0`.
        let key = |k: &str| {
            vec![
                format!("status.webhooks.{i}.{k}"),
                format!("status.webhooks.{i}"),
            ]
        };
        if !is_name(&h.name) {
            out.push((
                key("name"),
                format!(
                    "`status.webhooks[{i}].name` is {:?}: name it with 1 to 40 lower-case \
                     letters, digits, `-` or `_` (it names its secret's variable)",
                    h.name
                ),
            ));
        } else if hooks[..i].iter().any(|o| o.secret_var() == h.secret_var()) {
            out.push((
                key("name"),
                format!(
                    "`status.webhooks[{i}].name` {:?} is taken by an earlier webhook (or reads \
                     the same variable {}): give each webhook its own name",
                    h.name,
                    h.secret_var()
                ),
            ));
        }
        if !matches!(h.url.scheme(), "http" | "https") {
            out.push((
                key("url"),
                format!(
                    "`status.webhooks[{i}].url` `{}` is not an http(s) URL",
                    h.url.as_str()
                ),
            ));
        }
        if h.secret_in_file.is_some() {
            out.push((
                key("secret"),
                format!(
                    "`status.webhooks[{i}].secret` is a secret and is never read from the file: \
                     remove it, and set the environment variable {} instead",
                    h.secret_var()
                ),
            ));
        } else if is_name(&h.name) && h.secret.is_none() {
            out.push((
                key("name"),
                format!(
                    "[[status.webhooks]] {:?} is set but {} is not: set it to the secret its \
                     receiver checks signatures with (`openssl rand -hex 32`), or remove the \
                     webhook",
                    h.name,
                    h.secret_var()
                ),
            ));
        }
        if h.turn_off_after == 0 || h.turn_off_after > max_attempts {
            out.push((
                key("turn_off_after"),
                format!(
                    "`status.webhooks[{i}].turn_off_after` is {}: make it 1 to [jobs] \
                     max_attempts ({max_attempts}), or the delivery is given up before the \
                     webhook is turned off",
                    h.turn_off_after
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
#[path = "status_webhooks_tests.rs"]
mod tests;
