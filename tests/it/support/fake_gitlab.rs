//! A fake of GitLab's pipeline trigger API on loopback, as its documentation describes it
//! (`tests/fixtures/gitlab/SOURCE.md`: GitLab publishes no machine-readable description of
//! it): `POST /projects/:id/trigger/pipeline` with `token`, `ref` and string `variables`;
//! 404 for a wrong token, 400 for a missing field, 201 with the pipeline when it runs.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};

use super::fake_service::{Canned, FakeService, Recorded};
use super::openapi::percent_decode;

#[derive(Default)]
struct State {
    pipelines: Vec<Value>,
    violations: Vec<String>,
}

/// The running fake.
pub struct FakeGitlab {
    /// The plumbing: its URL plus `api/v4` is the action's `api_base`.
    pub service: FakeService,
    state: Arc<Mutex<State>>,
}

impl FakeGitlab {
    /// A GitLab whose project `project` accepts the trigger token `token`.
    pub async fn start(project: &'static str, token: &'static str) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let service = FakeService::start(move |r: &Recorded| {
            let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
            answer(project, token, r, &mut state)
        })
        .await;
        Self { service, state }
    }

    /// The requests of the pipelines created, in order.
    pub fn pipelines(&self) -> Vec<Value> {
        self.lock().pipelines.clone()
    }

    /// Every way a request broke the documented shape.
    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn answer(project: &str, token: &str, r: &Recorded, state: &mut State) -> Canned {
    let not_found = || Canned::json(404, &json!({ "message": "404 Not Found" }));
    // `:id` is one segment: a path's slash is sent as %2F.
    let Some(id) = r
        .path
        .strip_prefix("/api/v4/projects/")
        .and_then(|rest| rest.strip_suffix("/trigger/pipeline"))
        .filter(|id| !id.contains('/'))
    else {
        state
            .violations
            .push(format!("{} {}: no such route", r.method, r.path));
        return not_found();
    };
    if r.method != "POST" || percent_decode(id) != project {
        return not_found();
    }
    if !r
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json"))
    {
        state.violations.push("the body is not JSON".into());
    }
    let body = r.json();
    for field in ["token", "ref"] {
        if !body[field].is_string() {
            return Canned::json(400, &json!({ "error": format!("{field} is missing") }));
        }
    }
    if body["token"] != token {
        return not_found();
    }
    match body.get("variables") {
        None => {}
        Some(Value::Object(vars)) if vars.values().all(Value::is_string) => {}
        Some(other) => {
            state
                .violations
                .push(format!("variables must map names to strings: {other}"));
            return Canned::json(400, &json!({ "error": "variables is invalid" }));
        }
    }
    state.pipelines.push(body.clone());
    let n = state.pipelines.len();
    Canned::json(
        201,
        &json!({
            "id": 1000 + n,
            "iid": n,
            "project_id": 7,
            "ref": body["ref"],
            "status": "created",
            "source": "trigger",
            "web_url": format!("https://gitlab.example.com/{project}/-/pipelines/{}", 1000 + n),
        }),
    )
}
