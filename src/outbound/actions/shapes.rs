//! The wire format of each built-in shape of runbook action.

use hmac::{Hmac, KeyInit, Mac};
use secrecy::ExposeSecret;
use serde_json::{json, Map, Value};
use sha2::Sha256;

use super::{header_value, not_sent, secret, Prepared};
use crate::app::{ActionCall, ActionOutcome};
use crate::outbound::{endpoint, Outbound};
use crate::render::action_body::{render_json_body, render_text};

/// The header carrying the webhook's signature: `sha256=<hex>` of `timestamp + "." + body`.
pub const SIGNATURE_HEADER: &str = "X-Incident-Bot-Signature";
/// The header carrying the Unix time (seconds) the signature was made at, so that a receiver
/// can refuse a replay.
pub const TIMESTAMP_HEADER: &str = "X-Incident-Bot-Timestamp";
/// The pipeline variable carrying the run's idempotency key.
pub const GITLAB_RUN_VARIABLE: &str = "INCIDENT_BOT_RUN_ID";

const GITHUB_API: &str = "https://api.github.com";
const GITLAB_API: &str = "https://gitlab.com/api/v4";

/// `sha256=<hex>`: HMAC-SHA256 with `key` over `timestamp.body`.
pub fn signature(key: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes a key of any length: this never happens.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The configured URL, parsed.
fn url(text: Option<&str>, default: &str) -> Result<url::Url, ActionOutcome> {
    let text = text.unwrap_or(default);
    url::Url::parse(text).map_err(|e| not_sent(format!("`{text}` is not a URL: {e}")))
}

/// The generic webhook: the body template (or the run's facts as JSON), `run_id` added when
/// the body is an object without one, the configured headers, `Idempotency-Key`, and the
/// signature when a secret is set.
pub(super) fn webhook(out: &Outbound, call: &ActionCall<'_>) -> Result<Prepared, ActionOutcome> {
    let a = call.action;
    let facts = &call.facts;
    let mut body = match &a.body {
        Some(template) => render_json_body(template, facts).map_err(not_sent)?,
        None => serde_json::to_value(facts).map_err(|e| not_sent(e.to_string()))?,
    };
    if let Value::Object(map) = &mut body {
        map.entry("run_id").or_insert_with(|| json!(facts.run_id));
    }
    let bytes = serde_json::to_vec(&body).map_err(|e| not_sent(e.to_string()))?;
    let method = a.method.as_deref().unwrap_or("POST");
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|_| not_sent(format!("`{method}` is not an HTTP method")))?;
    let mut request = out
        .request(method, url(a.url.as_deref(), "")?)
        .header("content-type", "application/json")
        .header("idempotency-key", &facts.run_id);
    for (name, value) in &a.headers {
        request = request.header(name.as_str(), header_value(value)?);
    }
    if let Some(key) = &a.secret {
        let key = secret(key)?;
        let now = chrono::Utc::now().timestamp();
        let signed = signature(key.expose_secret().as_bytes(), now, &bytes);
        request = request
            .header(TIMESTAMP_HEADER, now.to_string())
            .header(SIGNATURE_HEADER, signed);
    }
    Ok(Prepared {
        service: "webhook",
        request: request.body(bytes),
    })
}

/// Each input or variable rendered, with the run's key under `run_key`.
fn rendered(
    templates: &std::collections::BTreeMap<String, String>,
    call: &ActionCall<'_>,
    run_key: &str,
) -> Result<Map<String, Value>, ActionOutcome> {
    let mut map = Map::new();
    for (name, template) in templates {
        let value = render_text(template, &call.facts).map_err(not_sent)?;
        map.insert(name.clone(), Value::String(value));
    }
    map.insert(run_key.to_owned(), json!(call.facts.run_id));
    Ok(map)
}

/// GitHub Actions: `POST /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches` with
/// `ref` and the inputs; the workflow must declare a `run_id` input (GitHub refuses an input
/// it does not declare, with a 422).
pub(super) fn github(out: &Outbound, call: &ActionCall<'_>) -> Result<Prepared, ActionOutcome> {
    let a = call.action;
    let field = |v: &Option<String>, key: &str| {
        v.clone()
            .ok_or_else(|| not_sent(format!("the action has no `{key}`")))
    };
    let (owner, repo) = (field(&a.owner, "owner")?, field(&a.repo, "repo")?);
    let workflow = field(&a.workflow, "workflow")?;
    let token = secret(
        a.token
            .as_ref()
            .ok_or_else(|| not_sent("the action has no `token`"))?,
    )?;
    let base = url(a.api_base.as_deref(), GITHUB_API)?;
    let path = [
        "repos",
        &owner,
        &repo,
        "actions",
        "workflows",
        &workflow,
        "dispatches",
    ];
    let target = endpoint(&base, &path).map_err(|e| not_sent(e.to_string()))?;
    let body = json!({
        "ref": field(&a.git_ref, "ref")?,
        "inputs": rendered(&a.inputs, call, "run_id")?,
    });
    let request = out
        .request(reqwest::Method::POST, target)
        .header("accept", "application/vnd.github+json")
        .header("x-github-api-version", "2022-11-28")
        .bearer_auth(token.expose_secret())
        .json(&body);
    Ok(Prepared {
        service: "github",
        request,
    })
}

/// GitLab: `POST /projects/{id}/trigger/pipeline` with the trigger token, `ref` and the
/// variables (the run's key as `INCIDENT_BOT_RUN_ID`).
pub(super) fn gitlab(out: &Outbound, call: &ActionCall<'_>) -> Result<Prepared, ActionOutcome> {
    let a = call.action;
    let project = a
        .project
        .clone()
        .ok_or_else(|| not_sent("the action has no `project`"))?;
    let git_ref = a
        .git_ref
        .clone()
        .ok_or_else(|| not_sent("the action has no `ref`"))?;
    let token = secret(
        a.token
            .as_ref()
            .ok_or_else(|| not_sent("the action has no `token`"))?,
    )?;
    let base = url(a.api_base.as_deref(), GITLAB_API)?;
    let target = endpoint(&base, &["projects", &project, "trigger", "pipeline"])
        .map_err(|e| not_sent(e.to_string()))?;
    let body = json!({
        "token": token.expose_secret(),
        "ref": git_ref,
        "variables": rendered(&a.variables, call, GITLAB_RUN_VARIABLE)?,
    });
    Ok(Prepared {
        service: "gitlab",
        request: out.request(reqwest::Method::POST, target).json(&body),
    })
}
