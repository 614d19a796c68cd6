//! The alert webhooks of the public listener: `POST /hooks/<source>`.
//!
//! Every source follows the same rules: it is on only while its secret is set in the
//! environment (else 404); a missing or wrong secret is 401; a body over 1 MiB is 413; a body of
//! a shape the source does not document is 422 (logged once per source); more than
//! `[intake] rate_per_minute` authenticated requests in a minute are 429 with `Retry-After`.
//! Nothing is stored for any of these. A good delivery is stored in one transaction and
//! answered at once; its Discord card is a job.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::app::App;
use crate::domain::{AlertBatch, AlertSource, ShapeError};

/// The largest body a webhook may send.
pub const MAX_BODY: usize = 1024 * 1024;

/// What the webhook handlers share: the app, and per-source counters of this process.
#[derive(Debug, Clone)]
pub struct Hooks {
    app: App,
    limits: Arc<Mutex<HashMap<AlertSource, (i64, u32)>>>,
    logged_shapes: Arc<Mutex<HashSet<AlertSource>>>,
}

impl Hooks {
    /// The handlers' state for `app`.
    pub fn new(app: App) -> Self {
        Self {
            app,
            limits: Arc::default(),
            logged_shapes: Arc::default(),
        }
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
            let wait = 60 - now.rem_euclid(60);
            return Err(u64::try_from(wait).unwrap_or(60).max(1));
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
        .route("/hooks/alertmanager", post(alertmanager))
        .route("/hooks/sentry", post(sentry))
        .route("/hooks/cloudflare", post(cloudflare))
        .route("/hooks/grafana", post(grafana))
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

/// The checks every source shares, then `verify` (the source's secret) and `parse`.
async fn hook(
    hooks: Hooks,
    source: AlertSource,
    headers: HeaderMap,
    body: BodyResult,
    verify: impl FnOnce(&HeaderMap, &[u8], &str, DateTime<Utc>) -> bool,
    parse: impl FnOnce(&HeaderMap, &[u8], DateTime<Utc>) -> Result<Option<AlertBatch>, ShapeError>,
) -> Response {
    let Some(secret) = hooks.app.settings.intake.secrets.of(source) else {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    let body = match body {
        Ok(body) => body,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            hooks.count(source, "too_large");
            return plain(StatusCode::PAYLOAD_TOO_LARGE, "the body is over 1 MiB\n");
        }
        Err(e) => return (e.status(), e.body_text()).into_response(),
    };
    let now = hooks.app.clock.now();
    if !verify(&headers, &body, secret, now) {
        hooks.count(source, "unauthorized");
        return plain(
            StatusCode::UNAUTHORIZED,
            "missing or wrong signature or token: see the README for this source's settings\n",
        );
    }
    if let Err(wait) = hooks.take(source) {
        hooks.count(source, "rate_limited");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.to_string())],
            "too many requests from this source this minute\n",
        )
            .into_response();
    }
    match parse(&headers, &body, now) {
        Ok(Some(batch)) => store(&hooks, &batch).await,
        Ok(None) => {
            hooks.count(source, "ignored");
            plain(StatusCode::OK, "ignored\n")
        }
        Err(e) => {
            hooks.shape_refused(source, &e);
            hooks.count(source, "bad_shape");
            (StatusCode::UNPROCESSABLE_ENTITY, format!("{e}\n")).into_response()
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

async fn alertmanager(
    State(hooks): State<Hooks>,
    headers: HeaderMap,
    body: BodyResult,
) -> Response {
    hook(
        hooks,
        AlertSource::Alertmanager,
        headers,
        body,
        |headers, _, secret, _| bearer(headers).is_some_and(|t| same_secret(t, secret.as_bytes())),
        |_, body, _| crate::domain::parse_alertmanager(body).map(Some),
    )
    .await
}

async fn sentry(State(hooks): State<Hooks>, headers: HeaderMap, body: BodyResult) -> Response {
    hook(
        hooks,
        AlertSource::Sentry,
        headers,
        body,
        |headers, body, secret, _| {
            header_text(headers, "sentry-hook-signature")
                .is_some_and(|sig| signed(secret, &[body], sig))
        },
        |headers, body, now| {
            let resource = header_text(headers, "sentry-hook-resource").unwrap_or_default();
            crate::domain::parse_sentry(resource, body, now)
        },
    )
    .await
}

async fn cloudflare(State(hooks): State<Hooks>, headers: HeaderMap, body: BodyResult) -> Response {
    hook(
        hooks,
        AlertSource::Cloudflare,
        headers,
        body,
        |headers, _, secret, _| {
            headers
                .get("cf-webhook-auth")
                .is_some_and(|v| same_secret(v.as_bytes(), secret.as_bytes()))
        },
        |_, body, now| crate::domain::parse_cloudflare(body, now),
    )
    .await
}

/// Grafana: an HMAC in `X-Grafana-Alerting-Signature` (over `timestamp:body` when
/// `X-Grafana-Alerting-Timestamp` is sent, refused when that time is more than 5 minutes off),
/// or the same secret as the contact point's bearer credentials.
fn grafana_verified(headers: &HeaderMap, body: &[u8], secret: &str, now: DateTime<Utc>) -> bool {
    if bearer(headers).is_some_and(|t| same_secret(t, secret.as_bytes())) {
        return true;
    }
    let Some(signature) = header_text(headers, "x-grafana-alerting-signature") else {
        return false;
    };
    match header_text(headers, "x-grafana-alerting-timestamp") {
        Some(ts) => {
            let Ok(n) = ts.parse::<i64>() else {
                return false;
            };
            // Seconds, or milliseconds from senders that use them.
            let secs = if n > 100_000_000_000 { n / 1000 } else { n };
            (now.timestamp() - secs).abs() <= SIGNATURE_TOLERANCE_SECS
                && signed(secret, &[ts.as_bytes(), b":", body], signature)
        }
        None => signed(secret, &[body], signature),
    }
}

async fn grafana(State(hooks): State<Hooks>, headers: HeaderMap, body: BodyResult) -> Response {
    hook(
        hooks,
        AlertSource::Grafana,
        headers,
        body,
        grafana_verified,
        |_, body, _| crate::domain::parse_grafana(body).map(Some),
    )
    .await
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
