//! The `[[status.webhooks]]` receivers: each delivery is one `POST <url>` of the Statuspage-
//! style JSON, signed as docs/status-page.md says, so that a receiver can check it came from
//! this bot and drop a repeat:
//!
//! - `X-Incident-Bot-Delivery`: the delivery's id, the same on every attempt of it;
//! - `X-Incident-Bot-Timestamp`: the Unix time of this attempt, in seconds;
//! - `X-Incident-Bot-Signature`: `v1=` and the lower-case hex HMAC-SHA256, keyed with the
//!   webhook's secret, of `{timestamp}.{body}`.
//!
//! Any 2xx is taken; anything else is a failure the job counts (see `app::status_hooks`).

use std::collections::HashMap;

use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::app::{HookCall, StatusHookSender};
use crate::clock::BoxFuture;
use crate::config::StatusWebhookSettings;
use crate::scheduler::JobError;

use super::Outbound;

/// The service's name in `/metrics`.
pub const SERVICE: &str = "status_webhook";

/// The header naming the delivery.
pub const DELIVERY_HEADER: &str = "X-Incident-Bot-Delivery";
/// The header with the attempt's Unix time.
pub const TIMESTAMP_HEADER: &str = "X-Incident-Bot-Timestamp";
/// The header with the signature.
pub const SIGNATURE_HEADER: &str = "X-Incident-Bot-Signature";

/// One receiver: where, how long to wait, and its secret.
struct Receiver {
    settings: StatusWebhookSettings,
    secret: SecretString,
}

/// Every configured receiver, through the shared client.
pub struct StatusWebhooks {
    outbound: Outbound,
    receivers: HashMap<String, Receiver>,
}

impl std::fmt::Debug for StatusWebhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusWebhooks")
            .field("receivers", &self.receivers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl StatusWebhooks {
    /// The receivers of `hooks`, with the secrets read at load; fails naming the first
    /// variable that was not set (`check` says the same).
    pub fn new(outbound: Outbound, hooks: &[StatusWebhookSettings]) -> anyhow::Result<Self> {
        let mut receivers = HashMap::new();
        for h in hooks {
            let Some(secret) = h.secret.clone() else {
                anyhow::bail!(
                    "[[status.webhooks]] {:?} needs its signing secret in {}",
                    h.name,
                    h.secret_var()
                );
            };
            receivers.insert(
                h.name.clone(),
                Receiver {
                    settings: h.clone(),
                    secret,
                },
            );
        }
        Ok(Self {
            outbound,
            receivers,
        })
    }

    async fn post(&self, call: HookCall<'_>) -> Result<(), JobError> {
        let Some(r) = self.receivers.get(call.webhook) else {
            return Err(JobError::fatal(format!(
                "the status webhook {:?} is not configured",
                call.webhook
            )));
        };
        let timestamp = call.at.timestamp().to_string();
        let signature = sign(r.secret.expose_secret(), &timestamp, call.body);
        let request = self
            .outbound
            .request(reqwest::Method::POST, r.settings.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(DELIVERY_HEADER, call.delivery)
            .header(TIMESTAMP_HEADER, &timestamp)
            .header(SIGNATURE_HEADER, format!("v1={signature}"))
            .body(call.body.to_owned());
        self.outbound
            .send(SERVICE, r.settings.timeout, request)
            .await?;
        Ok(())
    }
}

impl StatusHookSender for StatusWebhooks {
    fn deliver<'a>(&'a self, call: HookCall<'a>) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(self.post(call))
    }
}

/// The lower-case hex HMAC-SHA256 of `{timestamp}.{body}` keyed with `secret`.
pub fn sign(secret: &str, timestamp: &str, body: &str) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    /// The recipe docs/status-page.md gives, as `openssl` and Python's `hmac` compute it:
    /// `printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret`.
    #[test]
    fn the_signature_is_the_hex_hmac_sha256_of_timestamp_dot_body() {
        assert_eq!(
            super::sign("s3cret", "1700000000", r#"{"a":1}"#),
            "1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940"
        );
    }
}
