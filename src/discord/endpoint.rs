//! Discord's HTTP interactions: with an Interactions Endpoint URL set in the developer portal,
//! Discord POSTs every interaction (commands, buttons, forms, autocomplete) to it instead of
//! the gateway, so any replica behind the load balancer answers and a dead gateway owner costs
//! no command. `POST /interactions` checks the Ed25519 signature over timestamp + body with the
//! application's public key, answers PING, and hands everything else to the same handler as
//! the gateway ([`handle`]), answering Discord's request with 202 at once: the answers go
//! through the callback endpoint, as over the gateway.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serenity::all as serenity;
use serenity::interactions_endpoint::Verifier;

use super::ask::Reach;
use super::commands::{self, Via};
use super::{clicks, error_chain, Data};
use crate::app::{interactions, App};

/// The environment variable holding the application's public key (developer portal → General
/// Information → Public Key), 64 hex digits. Without it the key is read from Discord at start.
pub const PUBLIC_KEY_VAR: &str = "INCIDENT_BOT_PUBLIC_KEY";

/// How far a request's signed timestamp may be from this replica's clock, either way: an older
/// request is a replay (or a clock badly off), and is refused.
pub const MAX_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Routes an interaction to its handler: commands and their autocomplete to the command table,
/// button clicks and submitted forms to theirs.
pub async fn handle(data: &Data, reach: &Reach, interaction: serenity::Interaction, via: Via) {
    use serenity::Interaction as I;
    let outcome = match interaction {
        I::Command(command) => {
            commands::run(data, reach, &command, via).await;
            Ok(())
        }
        I::Autocomplete(command) => {
            commands::complete(data, reach, &command).await;
            Ok(())
        }
        I::Component(click) => clicks::on_click(reach, &click, data).await,
        I::Modal(submit) => clicks::on_modal(reach, &submit, data).await,
        _ => Ok(()),
    };
    if let Err(e) = outcome {
        tracing::warn!(error = %error_chain(&e), "could not answer an interaction");
    }
}

/// The public key's verifier, from `hex` (64 hex digits).
pub fn verifier(hex: &str) -> anyhow::Result<Verifier> {
    let bytes: [u8; 32] = hex::decode(hex.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{PUBLIC_KEY_VAR} is not a public key: copy it from the developer portal (your \
                 app → General Information → Public Key), 64 hex digits"
            )
        })?;
    Verifier::try_new(bytes).map_err(|e| anyhow::anyhow!("{PUBLIC_KEY_VAR} is not usable: {e}"))
}

/// The application's public key: from [`PUBLIC_KEY_VAR`], else as Discord gives it. Also
/// records where the portal sends interactions, for `/readyz`.
pub async fn public_key(http: &serenity::Http, app: &App) -> anyhow::Result<Verifier> {
    let info = http.get_current_application_info().await;
    if let Ok(info) = &info {
        record_portal(app, info).await;
    }
    if let Ok(hex) = std::env::var(PUBLIC_KEY_VAR) {
        return verifier(&hex);
    }
    let info = info.map_err(|e| {
        anyhow::anyhow!(
            "[http] interactions is on, but the application's public key could not be read \
             from Discord ({}); set {PUBLIC_KEY_VAR} to it (developer portal → General \
             Information → Public Key)",
            error_chain(&e.into())
        )
    })?;
    verifier(&info.verify_key)
}

/// Remembers the portal's Interactions Endpoint URL (for `/readyz` on every replica), and
/// warns when it and `[http] interactions` disagree.
async fn record_portal(app: &App, info: &serenity::CurrentApplicationInfo) {
    let portal = info.interactions_endpoint_url.clone().unwrap_or_default();
    if let Err(e) = app.db.set_meta(interactions::PORTAL_URL_KEY, &portal).await {
        tracing::warn!(error = %e, "could not record the portal's Interactions Endpoint URL");
    }
    if let Some(problem) = interactions::disagreement(app.settings.http.interactions, &portal) {
        tracing::warn!("{problem}");
    }
}

/// At every gateway start: reads where the portal sends interactions, records it and warns
/// when it and `[http] interactions` disagree.
pub async fn check_portal(http: &serenity::Http, app: &App) {
    match http.get_current_application_info().await {
        Ok(info) => record_portal(app, &info).await,
        Err(e) => {
            tracing::debug!(error = %error_chain(&e.into()), "could not read the application");
        }
    }
}

/// What `POST /interactions` needs.
struct Endpoint {
    data: Arc<Data>,
    reach: Reach,
    verifier: Verifier,
}

/// `POST /interactions`, for the public listener.
pub fn router(data: Arc<Data>, reach: Reach, verifier: Verifier) -> Router {
    let endpoint = Arc::new(Endpoint {
        data,
        reach,
        verifier,
    });
    Router::new()
        .route("/interactions", post(receive))
        .with_state(endpoint)
}

impl Endpoint {
    /// Counts a request by `outcome` and refuses it with `status`, saying `why`.
    fn refuse(&self, outcome: &str, status: StatusCode, why: &'static str) -> Response {
        self.count(outcome);
        (status, format!("{why}\n")).into_response()
    }

    fn count(&self, outcome: &str) {
        self.data.app.metrics.interactions_http.inc(&[outcome]);
    }
}

/// Checks the signature and its timestamp, answers PING, and hands the rest over.
async fn receive(State(ep): State<Arc<Endpoint>>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) else {
        return ep.refuse("unsigned", StatusCode::UNAUTHORIZED, "missing signature");
    };
    if ep.verifier.verify(signature, timestamp, &body).is_err() {
        return ep.refuse("bad_signature", StatusCode::UNAUTHORIZED, "bad signature");
    }
    let now = ep.data.app.clock.now();
    let fresh = timestamp
        .parse::<i64>()
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .is_some_and(|at| (now - at).abs() <= MAX_SKEW);
    if !fresh {
        return ep.refuse("stale", StatusCode::UNAUTHORIZED, "stale timestamp");
    }
    let interaction: serenity::Interaction = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = %e, "Discord sent an interaction this version cannot read");
            return ep.refuse(
                "unreadable",
                StatusCode::BAD_REQUEST,
                "unreadable interaction",
            );
        }
    };
    if let serenity::Interaction::Ping(_) = interaction {
        ep.count("ping");
        return axum::Json(serde_json::json!({ "type": 1 })).into_response();
    }
    ep.count("accepted");
    // Answered through the callback endpoint, as over the gateway; the request ends now.
    let ep = Arc::clone(&ep);
    tokio::spawn(async move { handle(&ep.data, &ep.reach, interaction, Via::Http).await });
    StatusCode::ACCEPTED.into_response()
}
