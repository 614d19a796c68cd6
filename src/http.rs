//! The HTTP adapter, beside `discord/`: two listeners served with axum on the bot's runtime.
//!
//! - `[http] listen` (private): `GET /livez`, `GET /readyz`, `GET /metrics`.
//! - `[http] public_listen` (behind a reverse proxy): the status page, feeds and webhooks of
//!   later issues. It shares nothing with the private router, so exposing it never exposes
//!   metrics or readiness.

mod headers;
mod hooks;
mod ready;
mod serve;

use std::net::SocketAddr;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

pub use crate::status::page_policy;
pub use hooks::{same_secret, signed, Hooks, MAX_BODY};
pub use ready::{readiness, Check, Readiness, LATE_AFTER};
pub use serve::{client_address, limited, serve, Limits};

use crate::app::App;
use crate::config::HttpSettings;

pub use crate::replica::{GatewayProbe, GatewayState};

/// What the handlers read.
#[derive(Clone)]
pub struct HttpState {
    /// The application: its database, clock, metrics and shutdown signal.
    pub app: App,
    /// The gateway's state.
    pub gateway: GatewayProbe,
    /// The runtime's heartbeat, for `/livez`.
    pub heartbeat: crate::watchdog::Heartbeat,
    /// The status page's snapshot, served by the public listener.
    pub board: crate::status::StatusBoard,
    /// `POST /interactions`, when `[http] interactions` is on: served on the public listener.
    pub interactions: Option<Router>,
}

/// The listeners, bound but not yet serving, so that a port taken is found at start and a
/// test can read the ports it was given.
#[derive(Debug)]
pub struct Listeners {
    private: Option<TcpListener>,
    public: Option<TcpListener>,
}

async fn bind(addr: Option<SocketAddr>, key: &str) -> anyhow::Result<Option<TcpListener>> {
    let Some(addr) = addr else { return Ok(None) };
    TcpListener::bind(addr).await.map(Some).with_context(|| {
        format!(
            "cannot listen on {addr}: it is in use or not an address of this machine; \
             set [http] {key} to another address (or \"off\")"
        )
    })
}

impl Listeners {
    /// Binds the listeners `settings` asks for.
    pub async fn bind(settings: &HttpSettings) -> anyhow::Result<Self> {
        Ok(Self {
            private: bind(settings.listen, "listen").await?,
            public: bind(settings.public_listen, "public_listen").await?,
        })
    }

    /// The private listener's address, when it is on.
    pub fn private_addr(&self) -> Option<SocketAddr> {
        self.private.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The public listener's address, when it is on.
    pub fn public_addr(&self) -> Option<SocketAddr> {
        self.public.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Serves both until the returned tasks are aborted, each within `[http]`'s limits;
    /// aborting a task closes its connections.
    pub fn serve(self, state: HttpState) -> JoinSet<()> {
        let limits = Limits::of(&state.app.settings.http);
        let mut tasks = JoinSet::new();
        if let Some(listener) = self.private {
            let router = private_router(state.clone());
            tasks.spawn(serve(listener, router, limits, "private"));
        }
        if let Some(listener) = self.public {
            let router = public_router(
                state.app.clone(),
                state.board.clone(),
                state.interactions.clone(),
            );
            tasks.spawn(serve(listener, router, limits, "public"));
        }
        tasks
    }
}

/// `/livez`, `/readyz` and `/metrics`, within `[http]`'s request limits.
pub fn private_router(state: HttpState) -> Router {
    let limits = Limits::of(&state.app.settings.http);
    let router = Router::new()
        .route("/livez", get(livez))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state);
    limited(router, limits)
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

/// The public router: the alert webhooks (`POST /hooks/<source>`), Discord's `POST /interactions`
/// when given, and, unless
/// `[status] page = false`, the status page, its incident pages, the Statuspage v2 JSON, the
/// in-game status JSON and the Atom feed, all answered from the snapshot in memory; anything else is 404. Within
/// `[http]`'s request limits; the webhooks need the peer's [`axum::extract::ConnectInfo`],
/// which [`serve`] gives every request.
pub fn public_router(
    app: App,
    board: crate::status::StatusBoard,
    interactions: Option<Router>,
) -> Router {
    let limits = Limits::of(&app.settings.http);
    let mut hooks = hooks::routes(Hooks::new(app.clone()));
    if let Some(interactions) = interactions {
        hooks = hooks.merge(interactions);
    }
    let router = if app.settings.status.page {
        status_router(app, board).merge(hooks)
    } else {
        hooks
    };
    // The headers go on outside the limits, so a 408 or 413 carries them too.
    limited(router.fallback(not_found), limits).layer(headers::layers())
}

/// The status page's routes.
fn status_router(app: App, board: crate::status::StatusBoard) -> Router {
    let page = get(status_route);
    Router::new()
        .route("/", page.clone())
        .route("/incidents/{number}", page.clone())
        .route("/api/v2/{*rest}", page.clone())
        .route("/history.atom", page.clone())
        .route("/uptime.png", page.clone())
        .route("/game-status.json", page)
        .with_state((app, board))
}

/// How long players' browsers and proxies may reuse an answer.
pub const STATUS_CACHE_CONTROL: &str = "public, max-age=15";

fn route_label(path: &str) -> &'static str {
    if path == "/" {
        "page"
    } else if path.starts_with("/incidents/") {
        "incident"
    } else if path.starts_with("/api/") {
        "api"
    } else if path == "/history.atom" {
        "atom"
    } else if path == "/game-status.json" {
        "game"
    } else if path == "/uptime.png" {
        "uptime"
    } else {
        "other"
    }
}

/// Whether an `If-None-Match` value names `etag` (or is `*`).
fn matches_etag(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

async fn status_route(
    State((app, board)): State<(App, crate::status::StatusBoard)>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    let path = uri.path();
    let label = route_label(path);
    let snapshot = board.current();
    // Just after a start, before the first build: not "no such page", but "in a moment".
    if !snapshot.is_built() && app.settings.status.page {
        app.metrics.status_requests.inc(&[label, "503"]);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "1")],
        )
            .into_response();
    }
    let Some(resource) = snapshot.get(path) else {
        app.metrics.status_requests.inc(&[label, "404"]);
        return not_found().await;
    };
    let fresh = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| matches_etag(v, &resource.etag));
    let common = [
        (header::ETAG, resource.etag.clone()),
        (header::CACHE_CONTROL, STATUS_CACHE_CONTROL.to_owned()),
    ];
    let mut response = if fresh {
        app.metrics.status_requests.inc(&[label, "304"]);
        (StatusCode::NOT_MODIFIED, common).into_response()
    } else {
        app.metrics.status_requests.inc(&[label, "200"]);
        (
            common,
            [(header::CONTENT_TYPE, resource.content_type)],
            resource.body.clone(),
        )
            .into_response()
    };
    // On a 304 too: a browser updates the cached page's headers from it, and the default
    // policy would leave the cached page unstyled.
    if let Some(policy) = resource
        .policy
        .as_deref()
        .and_then(|p| header::HeaderValue::from_str(p).ok())
    {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// Live while the runtime's heartbeat ticks: a process whose tasks stopped running (a blocked
/// worker, a busy loop) answers 503, so that an orchestrator restarts it.
async fn livez(State(state): State<HttpState>) -> Response {
    let silent = state.heartbeat.silent_for(std::time::Instant::now());
    if silent <= crate::watchdog::STUCK_AFTER {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        let body = format!(
            "stuck: the runtime has not run its heartbeat for {} s\n",
            silent.as_secs()
        );
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    }
}

async fn readyz(State(state): State<HttpState>) -> Response {
    let readiness = readiness(&state.app, &state.gateway).await;
    let status = if readiness.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(readiness)).into_response()
}

/// The content type of the Prometheus text format.
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

async fn metrics(State(state): State<HttpState>) -> Response {
    collect(&state).await;
    (
        [(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)],
        state.app.metrics.render(),
    )
        .into_response()
}

/// Reads the gauges that are counted in the database or asked of the gateway, just before a
/// scrape. A failed read is logged and leaves the last values: the scrape still answers.
pub async fn collect(state: &HttpState) {
    let app = &state.app;
    let m = &app.metrics;
    m.set_gateway_connected(matches!(
        (state.gateway)().await,
        GatewayState::Connected { .. }
    ));
    match app.db.job_counts(app.clock.now()).await {
        Ok(counts) => {
            let pending: Vec<(Vec<String>, f64)> = counts
                .iter()
                .map(|c| (vec![c.kind.clone()], as_f64(c.pending)))
                .collect();
            m.jobs_pending.replace(&pending);
            m.jobs_due
                .set(&[], as_f64(counts.iter().map(|c| c.due).sum()));
        }
        Err(e) => tracing::warn!(error = %e, "could not count the jobs for /metrics"),
    }
    match app
        .db
        .open_incidents_by_severity(app.settings.discord.guild_id)
        .await
    {
        Ok(open) => {
            for severity in crate::domain::Severity::ALL {
                let n = open
                    .iter()
                    .find(|(s, _)| *s == severity)
                    .map_or(0, |(_, n)| *n);
                m.incidents_open.set(&[severity.as_str()], as_f64(n));
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not count the open incidents for /metrics"),
    }
}

#[expect(
    clippy::cast_precision_loss,
    reason = "counts of rows stay far below 2^53"
)]
fn as_f64(n: u64) -> f64 {
    n as f64
}
