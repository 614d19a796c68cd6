//! The REST entry point: authenticate, match the spec, inject faults, validate, check the
//! bot's permissions, serve, record.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, FromRequest, Multipart, Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::cut::Cut;
use super::faults::{take_fault, Fault};
use super::guard;
use super::reply::Reply;
use super::routes;
use super::shared::Shared;
use super::spec::{RouteLookup, SPEC};
use super::state::RecordedRequest;

/// The prefix serenity keeps in every path when it talks to a proxy.
const API_PREFIX: &str = "/api/v10";
/// Discord's upload limit for bots without boosts; bodies beyond it are cut off.
const MAX_BODY: usize = 25 * 1024 * 1024;

/// A request after its body was read, ready for a route handler.
pub struct Ctx {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path below `/api/v10`.
    pub path: String,
    /// The spec template it matched.
    pub template: String,
    /// Path parameters.
    pub params: HashMap<String, String>,
    /// Query parameters in order.
    pub query: Vec<(String, String)>,
    /// JSON body (or multipart `payload_json`), `Null` when there was none.
    pub body: Value,
    /// Uploaded files: name and bytes.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Ctx {
    /// A snowflake path parameter (the spec check already refused non-numeric ones).
    pub fn id(&self, name: &str) -> u64 {
        self.params
            .get(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// A path parameter as text.
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }

    /// A query parameter.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// axum fallback handler: every path except the gateway's websocket lands here.
pub async fn handle(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(cut): ConnectInfo<Cut>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_uppercase();
    let full_path = parts.uri.path().to_owned();
    // The CDN: files attached to command options.
    if method == "GET" && full_path.starts_with("/attachments/") {
        return match shared.read(|s| s.uploads.get(&full_path).cloned()) {
            Some(bytes) => bytes.into_response(),
            None => axum::http::StatusCode::NOT_FOUND.into_response(),
        };
    }
    let query = parse_query(parts.uri.query().unwrap_or(""));
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (auth, content_type) = (header("authorization"), header("content-type"));
    let bytes = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let payload = if content_type.starts_with("multipart/form-data") {
        let rebuilt = Request::from_parts(parts, Body::from(bytes));
        read_multipart(rebuilt).await
    } else if bytes.is_empty() {
        Ok((Value::Null, vec![]))
    } else {
        serde_json::from_slice(&bytes)
            .map(|v| (v, vec![]))
            .map_err(|e| e.to_string())
    };
    let path = full_path.strip_prefix(API_PREFIX).map(str::to_owned);
    let mut delay = None;
    let (route, reply, body, files) = match (path.as_deref(), payload) {
        (None, _) => (None, Reply::route_not_found(), Value::Null, vec![]),
        (Some(_), Err(why)) => {
            let mut reply = Reply::error(
                400,
                50109,
                "The request body contains invalid JSON.",
                "invalid-body",
            );
            reply.violation = Some(("invalid-body", format!("unreadable body: {why}")));
            (None, reply, Value::Null, vec![])
        }
        (Some(path), Ok((body, files))) => {
            let outcome = serve(
                &shared,
                &method,
                path,
                &query,
                &auth,
                body.clone(),
                files.clone(),
            );
            delay = outcome.2;
            (outcome.0, outcome.1, body, files)
        }
    };
    let request_line = format!("{method} {full_path}");
    shared.write(|state| {
        state.requests.push(RecordedRequest {
            method: method.clone(),
            path: path.unwrap_or(full_path),
            route,
            body: (!body.is_null()).then_some(body),
            files: files.iter().map(|(n, b)| (n.clone(), b.len())).collect(),
            status: reply.status,
            at: shared.clock.elapsed(),
        });
        if let Some((kind, detail)) = &reply.violation {
            state.violate(kind, request_line, detail.clone());
        }
    });
    // Recorded and served already: only the answer is late.
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if reply.cut {
        cut.now();
    }
    reply.into_response()
}

/// Matches, checks and serves one request; returns the route template, the answer, and how
/// long an injected fault holds the answer back.
fn serve(
    shared: &Shared,
    method: &str,
    path: &str,
    query: &[(String, String)],
    auth: &str,
    body: Value,
    files: Vec<(String, Vec<u8>)>,
) -> (Option<String>, Reply, Option<Duration>) {
    let route = match SPEC.lookup(method, path) {
        RouteLookup::Found(route) => route,
        RouteLookup::NotFound => return (None, Reply::route_not_found(), None),
        RouteLookup::WrongMethod(template) => {
            return (
                Some(template),
                Reply::error(405, 0, "405: Method Not Allowed", "unknown-route"),
                None,
            )
        }
    };
    let template = route.template.clone();
    // Interaction callbacks and webhook calls authenticate by their token in the path.
    let token_route = template.starts_with("/interactions/") || template.starts_with("/webhooks/");
    if !token_route && auth != format!("Bot {}", shared.config.token) {
        return (
            Some(template),
            Reply::error(401, 0, "401: Unauthorized", "unauthorized"),
            None,
        );
    }
    let fault = shared.write(|s| take_fault(&mut s.faults, method, &template, shared.clock.now()));
    if let Some(reply) = fault.and_then(|f| f.reply(&route.template)) {
        return (Some(template), reply, None);
    }
    let delay = fault.and_then(Fault::delay);
    if let Some(errors) = SPEC.check_params(method, &route, query) {
        return (
            Some(template),
            Reply::invalid_form_tree(errors, "invalid-params"),
            delay,
        );
    }
    match SPEC.body_required(method, &template) {
        Some(true) if body.is_null() => {
            let reply = Reply::error(
                400,
                50109,
                "The request body contains invalid JSON.",
                "invalid-body",
            );
            return (Some(template), reply, delay);
        }
        Some(_) if !body.is_null() => {
            if let Some(errors) = SPEC.check_body(method, &template, &body) {
                return (
                    Some(template),
                    Reply::invalid_form_tree(errors, "invalid-body"),
                    delay,
                );
            }
        }
        _ => {}
    }
    let ctx = Ctx {
        method: method.to_owned(),
        path: path.to_owned(),
        template: template.clone(),
        params: route.params,
        query: query.to_vec(),
        body,
        files,
    };
    if let Some(refusal) = guard::check(shared, &ctx) {
        return (Some(template), refusal, delay);
    }
    (Some(template), routes::dispatch(shared, &ctx), delay)
}

/// Reads a `multipart/form-data` body: `payload_json` is the JSON body, file parts are uploads.
async fn read_multipart(request: Request) -> Result<(Value, Vec<(String, Vec<u8>)>), String> {
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| e.to_string())?;
    let mut json = Value::Null;
    let mut files = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| e.to_string())?;
        if name == "payload_json" {
            json = serde_json::from_slice(&bytes).map_err(|e| format!("payload_json: {e}"))?;
        } else {
            files.push((file_name.unwrap_or(name), bytes.to_vec()));
        }
    }
    Ok((json, files))
}

/// Splits `a=1&b=2` (serenity writes `?&a=1`, so empty pairs are skipped).
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                super::spec::percent_decode(k),
                super::spec::percent_decode(v),
            )
        })
        .collect()
}
