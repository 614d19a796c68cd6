//! The developer portal's Interactions Endpoint URL, and Discord's HTTP delivery of
//! interactions. Once a URL is saved, Discord POSTs every interaction there, signed with the
//! application's Ed25519 key (`X-Signature-Ed25519` over `X-Signature-Timestamp` + body), and
//! sends none over the gateway. Saving a URL is refused unless the endpoint answers a signed
//! PING with a PONG and refuses a badly signed one with 401, as the portal checks.
//!
//! Several URLs model a load balancer in front of replicas: a delivery goes to the first that
//! accepts the connection.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};

use super::shared::Shared;
use super::state::snowflake;

/// How long Discord waits for the endpoint's answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// One POST to the endpoint, as Discord saw it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The interaction's id.
    pub interaction: u64,
    /// Where it went (the replica that accepted the connection).
    pub url: String,
    /// The answer's status; `None` when no replica answered within 3 s.
    pub status: Option<u16>,
    /// The answer's body.
    pub body: String,
}

/// The application's key pair and the saved URLs.
pub struct Portal {
    key: SigningKey,
    urls: Mutex<Vec<String>>,
    deliveries: Mutex<Vec<Delivery>>,
}

impl Portal {
    /// A portal with no URL saved and a fixed key pair.
    pub fn new() -> Self {
        Portal {
            key: SigningKey::from_bytes(&[0x5e; 32]),
            urls: Mutex::new(Vec::new()),
            deliveries: Mutex::new(Vec::new()),
        }
    }

    /// The application's public key, as `GET /applications/@me` gives it (`verify_key`).
    pub fn verify_key(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    /// The saved URLs (empty: interactions go over the gateway).
    pub fn urls(&self) -> Vec<String> {
        self.urls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every delivery so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The signature Discord sends for `timestamp` and `body`, in hex.
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        let message = [timestamp.as_bytes(), body].concat();
        hex::encode(self.key.sign(&message).to_bytes())
    }

    fn forget(&self) {
        self.urls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    pub(super) fn save(&self, urls: Vec<String>) {
        *self.urls.lock().unwrap_or_else(PoisonError::into_inner) = urls;
    }

    fn record(&self, delivery: Delivery) {
        self.deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(delivery);
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(ANSWER_WITHIN)
        .no_proxy()
        .build()
        .expect("an HTTP client")
}

/// POSTs `body` to `url`, signed (or, with `forge`, with a signature of other bytes).
async fn post(
    shared: &Shared,
    url: &str,
    body: &[u8],
    forge: bool,
) -> Result<(u16, String), reqwest::Error> {
    let timestamp = shared.clock.wall().timestamp().to_string();
    let signed: &[u8] = if forge { b"something else" } else { body };
    let signature = shared.portal.sign(&timestamp, signed);
    let answer = client()
        .post(url)
        .header("content-type", "application/json")
        .header("x-signature-ed25519", signature)
        .header("x-signature-timestamp", timestamp)
        .body(body.to_vec())
        .send()
        .await?;
    let status = answer.status().as_u16();
    Ok((status, answer.text().await.unwrap_or_default()))
}

/// A PING interaction.
fn ping(shared: &Shared) -> Vec<u8> {
    let id = snowflake(&shared.clock);
    json!({
        "id": id.to_string(),
        "application_id": shared.config.application_id.to_string(),
        "type": 1,
        "token": format!("fake-ping-token-{id}"),
        "version": 1,
    })
    .to_string()
    .into_bytes()
}

/// Saves `urls` as the portal does, after checking each: a signed PING answered with
/// `{"type":1}`, a badly signed one with 401. On a failed check nothing is saved and the error
/// says what the portal would.
pub async fn save(shared: &Shared, urls: Vec<String>) -> Result<(), String> {
    for url in &urls {
        let body = ping(shared);
        let answer = post(shared, url, &body, false)
            .await
            .map_err(|e| e.to_string())?;
        let pong: Value = serde_json::from_str(&answer.1).unwrap_or(Value::Null);
        if answer.0 != 200 || pong != json!({ "type": 1 }) {
            return Err(format!(
                "{url} answered a PING with {} {}",
                answer.0, answer.1
            ));
        }
        let forged = post(shared, url, &body, true)
            .await
            .map_err(|e| e.to_string())?;
        if forged.0 != 401 {
            return Err(format!("{url} accepted a bad signature with {}", forged.0));
        }
    }
    shared.portal.save(urls);
    Ok(())
}

/// Clears the URL: interactions go over the gateway again.
pub fn clear(shared: &Shared) {
    shared.portal.forget();
}

/// Delivers an interaction to the first saved URL that accepts the connection, and records it.
pub async fn deliver(shared: &Shared, id: u64, payload: &Value) -> Delivery {
    let body = payload.to_string().into_bytes();
    let urls = shared.portal.urls();
    let mut delivery = Delivery {
        interaction: id,
        url: String::new(),
        status: None,
        body: String::new(),
    };
    for url in urls {
        delivery.url.clone_from(&url);
        match post(shared, &url, &body, false).await {
            Ok((status, text)) => {
                delivery.status = Some(status);
                delivery.body = text;
                break;
            }
            // A replica that is gone: the load balancer tries the next one.
            Err(e) if e.is_connect() => continue,
            Err(_) => break,
        }
    }
    shared.portal.record(delivery.clone());
    delivery
}
