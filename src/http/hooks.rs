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

use crate::app::App;
use crate::domain::{AlertSource, ShapeError};

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

async fn alertmanager(
    State(hooks): State<Hooks>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let source = AlertSource::Alertmanager;
    let Some(secret) = hooks.app.settings.intake.secrets.of(source) else {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    if !bearer(&headers).is_some_and(|t| same_secret(t, secret.as_bytes())) {
        hooks.count(source, "unauthorized");
        return plain(
            StatusCode::UNAUTHORIZED,
            "missing or wrong bearer token: set Alertmanager's http_config.authorization.credentials to INCIDENT_BOT_ALERTMANAGER_TOKEN\n",
        );
    }
    let body = match body {
        Ok(body) => body,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            hooks.count(source, "too_large");
            return plain(StatusCode::PAYLOAD_TOO_LARGE, "the body is over 1 MiB\n");
        }
        Err(e) => return (e.status(), e.body_text()).into_response(),
    };
    if let Err(wait) = hooks.take(source) {
        hooks.count(source, "rate_limited");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.to_string())],
            "too many requests from this source this minute\n",
        )
            .into_response();
    }
    let batch = match crate::domain::parse_alertmanager(&body) {
        Ok(batch) => batch,
        Err(e) => {
            hooks.shape_refused(source, &e);
            hooks.count(source, "bad_shape");
            return (StatusCode::UNPROCESSABLE_ENTITY, format!("{e}\n")).into_response();
        }
    };
    store(&hooks, &batch).await
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
