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
use poise::serenity_prelude as serenity;
use serenity::interactions_endpoint::Verifier;

use super::ask::Reach;
use super::commands::{self, Via};
use super::{clicks, error_chain, Data};
use crate::app::App;

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

/// The application's public key: from [`PUBLIC_KEY_VAR`], else as Discord gives it.
pub async fn public_key(http: &serenity::Http) -> anyhow::Result<Verifier> {
    if let Ok(hex) = std::env::var(PUBLIC_KEY_VAR) {
        return verifier(&hex);
    }
    let info = http.get_current_application_info().await.map_err(|e| {
        anyhow::anyhow!(
            "[http] interactions is on, but the application's public key could not be read \
             from Discord ({}); set {PUBLIC_KEY_VAR} to it (developer portal → General \
             Information → Public Key)",
            error_chain(&e.into())
        )
    })?;
    verifier(&info.verify_key)
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

fn refuse(status: StatusCode, why: &'static str) -> Response {
    (status, format!("{why}\n")).into_response()
}

/// Checks the signature and its timestamp, answers PING, and hands the rest over.
async fn receive(State(ep): State<Arc<Endpoint>>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) else {
        return refuse(StatusCode::UNAUTHORIZED, "missing signature");
    };
    if ep.verifier.verify(signature, timestamp, &body).is_err() {
        return refuse(StatusCode::UNAUTHORIZED, "bad signature");
    }
    let now = ep.data.app.clock.now();
    let fresh = timestamp
        .parse::<i64>()
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .is_some_and(|at| (now - at).abs() <= MAX_SKEW);
    if !fresh {
        return refuse(StatusCode::UNAUTHORIZED, "stale timestamp");
    }
    let interaction: serenity::Interaction = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = %e, "Discord sent an interaction this version cannot read");
            return refuse(StatusCode::BAD_REQUEST, "unreadable interaction");
        }
    };
    if let serenity::Interaction::Ping(_) = interaction {
        return axum::Json(serde_json::json!({ "type": 1 })).into_response();
    }
    // Answered through the callback endpoint, as over the gateway; the request ends now.
    let ep = Arc::clone(&ep);
    tokio::spawn(async move { handle(&ep.data, &ep.reach, interaction, Via::Http).await });
    StatusCode::ACCEPTED.into_response()
}

/// Where Discord sends interactions, as the developer portal says, when it can be read.
pub async fn portal_url(http: &serenity::Http) -> Option<String> {
    match http.get_current_application_info().await {
        Ok(info) => Some(info.interactions_endpoint_url.unwrap_or_default()),
        Err(e) => {
            tracing::debug!(error = %error_chain(&e.into()), "could not read the application");
            None
        }
    }
}

/// What is wrong when `[http] interactions` and the portal's Interactions Endpoint URL
/// disagree, in words for the operator; `None` when they agree.
pub fn disagreement(serving: bool, portal: &str) -> Option<String> {
    match (serving, portal.trim().is_empty()) {
        (false, false) => Some(format!(
            "the developer portal sends interactions to {portal}, so none arrive over the \
             gateway, but [http] interactions is off here: turn it on on every replica (or \
             clear the Interactions Endpoint URL in the portal)"
        )),
        (true, true) => Some(
            "[http] interactions is on but the developer portal has no Interactions Endpoint \
             URL: commands still arrive over the gateway only, and a dead gateway owner costs \
             commands until another takes over. Set the URL to this listener's \
             https://…/interactions"
                .to_owned(),
        ),
        _ => None,
    }
}

/// Warns at start when the portal and `[http] interactions` disagree.
pub async fn warn_if_portal_disagrees(http: &serenity::Http, app: &App) {
    let Some(portal) = portal_url(http).await else {
        return;
    };
    if let Some(problem) = disagreement(app.settings.http.interactions, &portal) {
        tracing::warn!("{problem}");
    }
}
