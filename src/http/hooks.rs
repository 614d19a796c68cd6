//! The alert webhooks of the public listener: `POST /hooks/<source>`.
//!
//! Every source follows the same rules: it is on only while its secret is set in the
//! environment (else 404); a missing or wrong secret is 401, and more than
//! `[intake] unauthenticated_per_minute` of those from one client address in a minute are 429
//! with `Retry-After`; a body over 1 MiB is 413, one sent slower than `[http] body_timeout` is
//! 408; a body of a shape the source does not document is 422 (logged once per source); more
//! than `[intake] rate_per_minute` authenticated requests in a minute are 429 with
//! `Retry-After`. A signed delivery older than `[intake] replay_window` is 400, and the same
//! signed bytes taken within it are answered "duplicate". Nothing is stored for any of these.
//! A good delivery is stored in one transaction and answered at once; its Discord card is a job.

mod pagerduty;
mod sources;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest as _, Sha256};

use crate::app::App;
use crate::domain::{AlertBatch, AlertSource};
use sources::ShapeError;

/// The largest body a webhook may send.
pub const MAX_BODY: usize = 1024 * 1024;

/// Requests refused for their credentials this minute, by client address (or IPv6 /64).
#[derive(Debug, Default)]
struct Strangers {
    minute: i64,
    refused: HashMap<IpAddr, u32>,
}

/// What the webhook handlers share: the app, and per-source and per-address counters of this
/// process.
#[derive(Debug, Clone)]
pub struct Hooks {
    app: App,
    limits: Arc<Mutex<HashMap<AlertSource, (i64, u32)>>>,
    strangers: Arc<Mutex<Strangers>>,
    logged_shapes: Arc<Mutex<HashSet<AlertSource>>>,
}

/// What a sender's credentials prove.
#[derive(Debug)]
enum Proof {
    /// The secret itself was sent (a bearer token, a shared header): it binds nothing.
    Secret,
    /// A signature over these bytes' SHA-256 (hex), which the time `at` (when the signed
    /// bytes carry one) dates.
    Signed {
        digest: String,
        at: Option<DateTime<Utc>>,
    },
}

impl Proof {
    fn signed(parts: &[&[u8]], at: Option<DateTime<Utc>>) -> Self {
        let mut sha = Sha256::new();
        for part in parts {
            sha.update(part);
        }
        Self::Signed {
            digest: hex::encode(sha.finalize()),
            at,
        }
    }
}

/// Seconds until the next minute of `now` (at least one).
fn rest_of_minute(now: i64) -> u64 {
    u64::try_from(60 - now.rem_euclid(60)).unwrap_or(60).max(1)
}

impl Hooks {
    /// The handlers' state for `app`.
    pub fn new(app: App) -> Self {
        Self {
            app,
            limits: Arc::default(),
            strangers: Arc::default(),
            logged_shapes: Arc::default(),
        }
    }

    /// Counts one request from `client` refused for its credentials; once more than
    /// `[intake] unauthenticated_per_minute` were this minute, the seconds until the next. An
    /// IPv6 client is counted by its /64, which one host usually holds whole.
    fn refused(&self, client: IpAddr) -> Result<(), u64> {
        let now = self.app.clock.now().timestamp();
        let minute = now.div_euclid(60);
        let key = match client {
            IpAddr::V6(v6) => {
                ipnet::Ipv6Net::new(v6, 64).map_or(client, |net| IpAddr::V6(net.trunc().addr()))
            }
            v4 @ IpAddr::V4(_) => v4,
        };
        let limit = self.app.settings.intake.unauthenticated_per_minute;
        let mut strangers = self
            .strangers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if strangers.minute != minute {
            // Only this minute's counts are kept, so many addresses cannot grow the map
            // beyond a minute's requests.
            *strangers = Strangers {
                minute,
                refused: HashMap::new(),
            };
        }
        let count = strangers.refused.entry(key).or_insert(0);
        *count = count.saturating_add(1);
        if *count > limit {
            return Err(rest_of_minute(now));
        }
        Ok(())
    }

    /// Takes one request from `source`'s budget of this minute (on the app's clock); when it
    /// is spent, the seconds until the next minute.
    fn take(&self, source: AlertSource) -> Result<(), u64> {
        let now = self.app.clock.now().timestamp();
        let minute = now.div_euclid(60);
        let limit = self.app.settings.intake.rate_per_minute;
        let mut limits = self.limits.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = limits.entry(source).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        if entry.1 >= limit {
            return Err(rest_of_minute(now));
        }
        entry.1 += 1;
        Ok(())
    }

    /// Logs an unknown shape the first time a source sends one.
    fn shape_refused(&self, source: AlertSource, e: &ShapeError) {
        let first = self
            .logged_shapes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(source);
        if first {
            tracing::warn!(
                source = source.as_str(),
                problem = %e,
                "a webhook sent a body of a shape the bot does not read; answered 422 (logged once per source)"
            );
        }
    }

    fn count(&self, source: AlertSource, outcome: &str) {
        self.app.metrics.webhooks.inc(&[source.as_str(), outcome]);
    }
}

/// The webhook routes.
pub fn routes(hooks: Hooks) -> Router {
    Router::new()
        .route("/hooks/pagerduty", post(pagerduty::receive))
        .route("/hooks/{source}", post(receive_hook))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(hooks)
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

/// Compares two secrets in time that depends only on their lengths.
pub fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    if given.len() != expected.len() {
        return false;
    }
    given
        .iter()
        .zip(expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

/// The bearer token of an `Authorization` header.
fn bearer(headers: &HeaderMap) -> Option<&[u8]> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes();
    let (scheme, token) = value.split_at_checked(7)?;
    scheme.eq_ignore_ascii_case(b"bearer ").then_some(token)
}

type BodyResult = Result<Bytes, axum::extract::rejection::BytesRejection>;

/// How long a signed Grafana timestamp stays good: older (or later) signatures are replays.
const SIGNATURE_TOLERANCE_SECS: i64 = 300;

/// Whether a body could not be read because it came slower than `[http] body_timeout`.
fn timed_out(e: &axum::extract::rejection::BytesRejection) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = c.source();
    }
    false
}

fn too_many(wait: u64, text: &'static str) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, wait.to_string())],
        text,
    )
        .into_response()
}

/// The answer past `[intake] unauthenticated_per_minute`.
const LIMITED: &str = "too many refused or repeated requests from this address this minute\n";

/// A request to one source's webhook.
struct Delivery {
    source: AlertSource,
    peer: SocketAddr,
    headers: HeaderMap,
    body: BodyResult,
}

/// The checks every source shares, then `verify` (the source's secret) and `parse`.
async fn hook(
    hooks: Hooks,
    delivery: Delivery,
    verify: impl FnOnce(&HeaderMap, &[u8], &str, DateTime<Utc>) -> Option<Proof>,
    parse: impl FnOnce(&HeaderMap, &[u8], DateTime<Utc>) -> Result<Option<AlertBatch>, ShapeError>,
) -> Response {
    let Delivery {
        source,
        peer,
        headers,
        body,
    } = delivery;
    let Some(secret) = hooks.app.settings.intake.secrets.of(source) else {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    let body = match body {
        Ok(body) => body,
        Err(e) => return refused_body(&hooks, source, &e),
    };
    let now = hooks.app.clock.now();
    let http = &hooks.app.settings.http;
    let client =
        super::client_address(peer, &headers, &http.trusted_proxies, http.forwarded_header);
    let Some(proof) = verify(&headers, &body, secret, now) else {
        if let Err(wait) = hooks.refused(client) {
            hooks.count(source, "unauthorized_limited");
            return too_many(wait, LIMITED);
        }
        hooks.count(source, "unauthorized");
        return plain(
            StatusCode::UNAUTHORIZED,
            "missing or wrong signature or token: see the README for this source's settings\n",
        );
    };
    // Replays are answered before the source's budget is taken, so that captured requests
    // sent again never spend the real sender's minute; they count with the refused ones.
    let digest = match proof {
        Proof::Secret => None,
        Proof::Signed { digest, at } => {
            if let Some(refused) = replayed(&hooks, source, &digest, at, now).await {
                if refused.status().is_server_error() {
                    return refused;
                }
                if let Err(wait) = hooks.refused(client) {
                    hooks.count(source, "unauthorized_limited");
                    return too_many(wait, LIMITED);
                }
                return refused;
            }
            Some(digest)
        }
    };
    if let Err(wait) = hooks.take(source) {
        hooks.count(source, "rate_limited");
        return too_many(wait, "too many requests from this source this minute\n");
    }
    let answer = match parse(&headers, &body, now) {
        Ok(Some(batch)) => store(&hooks, &batch).await,
        Ok(None) => {
            hooks.count(source, "ignored");
            plain(StatusCode::OK, "ignored\n")
        }
        Err(e) => {
            hooks.shape_refused(source, &e);
            hooks.count(source, "bad_shape");
            return (StatusCode::UNPROCESSABLE_ENTITY, format!("{e}\n")).into_response();
        }
    };
    if let (Some(digest), true) = (digest, answer.status().is_success()) {
        // After the delivery is stored, so that a crash in between never loses it: at worst
        // that one delivery could be taken twice.
        remember(&hooks, source, &digest, now).await;
    }
    answer
}

/// The answer to a body that could not be read: over the limit, too slow, or otherwise refused.
fn refused_body(
    hooks: &Hooks,
    source: AlertSource,
    e: &axum::extract::rejection::BytesRejection,
) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        hooks.count(source, "too_large");
        plain(StatusCode::PAYLOAD_TOO_LARGE, "the body is over 1 MiB\n")
    } else if timed_out(e) {
        hooks.count(source, "timed_out");
        plain(
            StatusCode::REQUEST_TIMEOUT,
            "the body came too slowly: send it whole\n",
        )
    } else {
        (e.status(), e.body_text()).into_response()
    }
}

/// Remembers a signed delivery's `digest` until it can no longer be replayed.
async fn remember(hooks: &Hooks, source: AlertSource, digest: &str, now: DateTime<Utc>) {
    // Kept past the window by the tolerance for a timestamp signed ahead of our clock, so
    // a short replay_window leaves no gap for a delivery dated in the future.
    let until = now
        + crate::config::delta(hooks.app.settings.intake.replay_window)
        + chrono::TimeDelta::seconds(SIGNATURE_TOLERANCE_SECS);
    if let Err(e) = hooks
        .app
        .db
        .remember_delivery(source, digest, now, until)
        .await
    {
        tracing::warn!(source = source.as_str(), error = %e, "could not remember a delivery's digest");
    }
}

/// The answer to a signed delivery that must not be taken: one dated before
/// `[intake] replay_window` (400), or the same signed bytes as one taken within it (200,
/// "duplicate", nothing changed: the sender's own retry is answered as a success).
async fn replayed(
    hooks: &Hooks,
    source: AlertSource,
    digest: &str,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<Response> {
    let window = crate::config::delta(hooks.app.settings.intake.replay_window);
    if let Some(at) = at.filter(|at| *at < now - window) {
        hooks.count(source, "stale");
        return Some(
            (
                StatusCode::BAD_REQUEST,
                format!(
                    "this delivery is dated {}, longer ago than [intake] replay_window ({}): \
                     refused as a replay, nothing stored\n",
                    at.to_rfc3339(),
                    humantime::format_duration(hooks.app.settings.intake.replay_window)
                ),
            )
                .into_response(),
        );
    }
    match hooks.app.db.delivery_seen(source, digest, now).await {
        Ok(false) => None,
        Ok(true) => {
            hooks.count(source, "duplicate");
            Some(plain(StatusCode::OK, "duplicate\n"))
        }
        Err(e) => {
            hooks.count(source, "error");
            tracing::error!(source = source.as_str(), error = %e, "could not look a delivery's digest up");
            Some(plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not store the alert; send it again\n",
            ))
        }
    }
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Whether `signature` (hex) is the HMAC-SHA256 of `parts` under `secret`, checked in
/// constant time.
pub fn signed(secret: &str, parts: &[&[u8]], signature: &str) -> bool {
    let Ok(expected) = hex::decode(signature.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(&expected).is_ok()
}

/// `POST /hooks/<source>`: each source's credentials and shape, through the same checks.
async fn receive_hook(
    State(hooks): State<Hooks>,
    Path(name): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: BodyResult,
) -> Response {
    let Some(source) = AlertSource::parse(&name) else {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    let untimestamped = hooks.app.settings.intake.grafana.allow_untimestamped;
    let delivery = Delivery {
        source,
        peer,
        headers,
        body,
    };
    match source {
        AlertSource::Alertmanager => {
            hook(hooks, delivery, bearer_proof, |_, body, _| {
                sources::parse_alertmanager(body).map(Some)
            })
            .await
        }
        AlertSource::Sentry => {
            hook(hooks, delivery, sentry_verified, |headers, body, now| {
                let resource = header_text(headers, "sentry-hook-resource").unwrap_or_default();
                sources::parse_sentry(resource, body, now)
            })
            .await
        }
        AlertSource::Cloudflare => {
            hook(hooks, delivery, cloudflare_verified, |_, body, now| {
                sources::parse_cloudflare(body, now)
            })
            .await
        }
        AlertSource::Grafana => {
            hook(
                hooks,
                delivery,
                |headers, body, secret, now| {
                    grafana_verified(headers, body, secret, now, untimestamped)
                },
                |_, body, _| sources::parse_grafana(body).map(Some),
            )
            .await
        }
        // Players' reports and Discord's own signals come from Discord, never over HTTP.
        AlertSource::Players | AlertSource::Discord => plain(StatusCode::NOT_FOUND, "not found\n"),
    }
}

/// Alertmanager (and Grafana's bearer credentials): the secret as a bearer token.
fn bearer_proof(headers: &HeaderMap, _: &[u8], secret: &str, _: DateTime<Utc>) -> Option<Proof> {
    bearer(headers)
        .is_some_and(|t| same_secret(t, secret.as_bytes()))
        .then_some(Proof::Secret)
}

/// Sentry: the hex HMAC-SHA256 of the body in `Sentry-Hook-Signature`. The body alone is
/// signed (`Sentry-Hook-Timestamp` is not), so the time inside it dates the delivery.
fn sentry_verified(
    headers: &HeaderMap,
    body: &[u8],
    secret: &str,
    _: DateTime<Utc>,
) -> Option<Proof> {
    let signature = header_text(headers, "sentry-hook-signature")?;
    if !signed(secret, &[body], signature) {
        return None;
    }
    let resource = header_text(headers, "sentry-hook-resource").unwrap_or_default();
    Some(Proof::signed(
        &[body],
        sources::sentry_signed_at(resource, body),
    ))
}

/// Cloudflare: the secret itself in `cf-webhook-auth`.
fn cloudflare_verified(
    headers: &HeaderMap,
    _: &[u8],
    secret: &str,
    _: DateTime<Utc>,
) -> Option<Proof> {
    headers
        .get("cf-webhook-auth")
        .is_some_and(|v| same_secret(v.as_bytes(), secret.as_bytes()))
        .then_some(Proof::Secret)
}

/// Grafana: an HMAC in `X-Grafana-Alerting-Signature` over `timestamp:body`, with the time in
/// `X-Grafana-Alerting-Timestamp` (refused when more than 5 minutes off). Unless
/// `[intake.grafana] allow_untimestamped`, nothing else is taken: a signature over the body
/// alone, or the secret as the contact point's bearer credentials, could be sent again by
/// whoever captured one.
fn grafana_verified(
    headers: &HeaderMap,
    body: &[u8],
    secret: &str,
    now: DateTime<Utc>,
    untimestamped: bool,
) -> Option<Proof> {
    let signature = header_text(headers, "x-grafana-alerting-signature");
    match (
        signature,
        header_text(headers, "x-grafana-alerting-timestamp"),
    ) {
        (Some(signature), Some(ts)) => {
            let n = ts.parse::<i64>().ok()?;
            // Seconds, or milliseconds from senders that use them.
            let secs = if n > 100_000_000_000 { n / 1000 } else { n };
            // Unverified input: no arithmetic that can overflow on it.
            let recent = now.timestamp().abs_diff(secs) <= SIGNATURE_TOLERANCE_SECS.unsigned_abs();
            (recent && signed(secret, &[ts.as_bytes(), b":", body], signature)).then(|| {
                Proof::signed(
                    &[ts.as_bytes(), b":", body],
                    DateTime::from_timestamp(secs, 0),
                )
            })
        }
        _ if !untimestamped => None,
        (Some(signature), None) => {
            signed(secret, &[body], signature).then(|| Proof::signed(&[body], None))
        }
        (None, _) => bearer_proof(headers, body, secret, now),
    }
}

async fn store(hooks: &Hooks, batch: &crate::domain::AlertBatch) -> Response {
    match crate::app::receive(&hooks.app, batch).await {
        Ok(_) => {
            hooks.count(batch.source, "stored");
            plain(StatusCode::OK, "stored\n")
        }
        Err(e) => {
            hooks.count(batch.source, "error");
            tracing::error!(source = batch.source.as_str(), error = %e, "could not store a webhook delivery");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not store the alert; send it again\n",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_in_hex_as_rfc_4231_computes_them() {
        // RFC 4231, test case 2.
        let mac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert!(signed("Jefe", &[b"what do ya want for nothing?"], mac));
        assert!(signed("Jefe", &[b"what do ya want ", b"for nothing?"], mac));
        assert!(!signed("Jefe", &[b"what do ya want for nothing!"], mac));
        assert!(!signed("jefe", &[b"what do ya want for nothing?"], mac));
        assert!(!signed(
            "Jefe",
            &[b"what do ya want for nothing?"],
            "not hex"
        ));
        assert!(!signed(
            "Jefe",
            &[b"what do ya want for nothing?"],
            &mac[..62]
        ));
    }

    #[test]
    fn secrets_compare_equal_only_when_equal() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc"));
        assert!(!same_secret(b"ab", b"abc"));
        assert!(!same_secret(b"", b"abc"));
    }
}
