//! `POST /hooks/pagerduty`: PagerDuty's webhooks v3, for acknowledgements of our pages.
//!
//! On only while `INCIDENT_BOT_PAGERDUTY_WEBHOOK_SECRET` is set (else 404). The body alone is
//! signed: `X-PagerDuty-Signature` carries one or more `v1=<hex HMAC-SHA256>` (several while
//! a secret rotates), and any that matches is enough; none is 401 and changes nothing. An
//! event is taken once by its `event.id`, remembered while its `occurred_at` is within
//! `[intake] replay_window`; an older one is refused as a replay (400), and so is one dated
//! further ahead than that window.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::{header_text, plain, signed, too_many, BodyResult, Hooks, LIMITED};
use crate::app::{AckOutcome, Acknowledged};

/// The source's name in `/metrics`.
const SOURCE: &str = "pagerduty";

#[derive(Deserialize)]
struct Body {
    event: Event,
}

#[derive(Deserialize)]
struct Event {
    id: String,
    event_type: String,
    occurred_at: DateTime<Utc>,
    #[serde(default)]
    agent: Option<Reference>,
    #[serde(default)]
    data: Option<IncidentData>,
}

/// A user (or other) reference: its id, and its name in `summary`.
#[derive(Deserialize)]
struct Reference {
    id: Option<String>,
    summary: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct IncidentData {
    incident_key: Option<String>,
}

/// Whether one of the `v1=` signatures in `header` is the body's under `secret`.
pub fn signed_by_pagerduty(secret: &str, body: &[u8], header: &str) -> bool {
    header
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("v1="))
        .any(|signature| signed(secret, &[body], signature))
}

/// The acknowledgement a body tells, `Ok(None)` for any other event, or why it cannot be read.
fn parse(body: &[u8]) -> Result<Option<Acknowledged>, String> {
    let body: Body = serde_json::from_slice(body)
        .map_err(|e| format!("not a PagerDuty webhook v3 body: {e}"))?;
    let e = body.event;
    if e.event_type != "incident.acknowledged" {
        return Ok(None);
    }
    let key = e
        .data
        .and_then(|d| d.incident_key)
        .ok_or("an incident.acknowledged event without data.incident_key")?;
    let agent = e.agent;
    let user = agent
        .as_ref()
        .filter(|a| a.kind.as_deref() == Some("user_reference"))
        .and_then(|a| a.id.clone());
    let name = agent.and_then(|a| a.summary);
    Ok(Some(Acknowledged {
        event: e.id,
        at: e.occurred_at,
        key,
        user,
        name: name.map(|n| n.chars().take(100).collect()),
    }))
}

/// `POST /hooks/pagerduty`.
pub(super) async fn receive(
    State(hooks): State<Hooks>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: BodyResult,
) -> Response {
    let app = &hooks.app;
    let count = |outcome: &str| app.metrics.webhooks.inc(&[SOURCE, outcome]);
    let Some(secret) = app
        .settings
        .page_out
        .pagerduty
        .as_ref()
        .and_then(|pd| pd.secrets.webhook_secret.as_ref())
    else {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    let body = match body {
        Ok(body) => body,
        Err(e) => return (e.status(), e.body_text()).into_response(),
    };
    let signature = header_text(&headers, "x-pagerduty-signature").unwrap_or_default();
    if !signed_by_pagerduty(secret.expose_secret(), &body, signature) {
        let http = &app.settings.http;
        let client = crate::http::client_address(
            peer,
            &headers,
            &http.trusted_proxies,
            http.forwarded_header,
        );
        if let Err(wait) = hooks.refused(client) {
            count("unauthorized_limited");
            return too_many(wait, LIMITED);
        }
        count("unauthorized");
        return plain(
            StatusCode::UNAUTHORIZED,
            "missing or wrong X-PagerDuty-Signature: see docs/paging.md\n",
        );
    }
    let ack = match parse(&body) {
        Ok(Some(ack)) => ack,
        Ok(None) => {
            count("ignored");
            return plain(StatusCode::OK, "ignored\n");
        }
        Err(e) => {
            count("bad_shape");
            return (StatusCode::UNPROCESSABLE_ENTITY, format!("{e}\n")).into_response();
        }
    };
    take(&hooks, &ack).await
}

/// Takes a verified acknowledgement: refused as a replay when it is older than
/// `[intake] replay_window`, taken once by its event id within it.
async fn take(hooks: &Hooks, ack: &Acknowledged) -> Response {
    let app = &hooks.app;
    let count = |outcome: &str| app.metrics.webhooks.inc(&[SOURCE, outcome]);
    let now = app.clock.now();
    let window = crate::config::delta(app.settings.intake.replay_window);
    // Bounded on both sides: an event from further ahead than the window would be remembered
    // (and its replays refused) only until then, and would date the timeline in the future.
    if ack.at > now + window {
        count("stale");
        return plain(
            StatusCode::BAD_REQUEST,
            "this event occurred further ahead than [intake] replay_window: check the clocks\n",
        );
    }
    if ack.at < now - window {
        count("stale");
        return plain(
            StatusCode::BAD_REQUEST,
            "this event occurred longer ago than [intake] replay_window: refused as a replay\n",
        );
    }
    // Remembered for as long as an event of that time is taken at all.
    let until = ack.at.max(now) + window;
    match crate::app::acknowledged(app, ack, until).await {
        Ok(AckOutcome::Taken) => {
            count("stored");
            plain(StatusCode::OK, "acknowledged\n")
        }
        Ok(AckOutcome::Duplicate) => {
            count("duplicate");
            plain(StatusCode::OK, "duplicate\n")
        }
        Ok(AckOutcome::Ignored) => {
            count("ignored");
            plain(StatusCode::OK, "ignored\n")
        }
        Err(e) => {
            count("error");
            tracing::error!(source = SOURCE, error = %e, "could not take a PagerDuty acknowledgement");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not store the event; send it again\n",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_v1_signature_that_matches_is_enough() {
        let body = b"{}";
        let good = {
            use hmac::{Hmac, KeyInit, Mac};
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"secret").expect("a key");
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        };
        assert!(signed_by_pagerduty("secret", body, &format!("v1={good}")));
        assert!(signed_by_pagerduty(
            "secret",
            body,
            &format!("v1=00ff, v1={good}")
        ));
        assert!(!signed_by_pagerduty("secret", body, "v1=00ff"));
        assert!(!signed_by_pagerduty("secret", body, &good));
        assert!(!signed_by_pagerduty("other", body, &format!("v1={good}")));
    }
}
