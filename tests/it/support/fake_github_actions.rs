//! A fake of GitHub Actions' workflow dispatch on loopback: each request is checked against
//! GitHub's published description of the operation (`tests/fixtures/github/
//! workflow-dispatch.openapi.json`, from `@octokit/openapi`), and answered as GitHub does: 401
//! for a bad token, 404 for a workflow it does not have, 422 for a body the schema refuses or
//! an input the workflow does not declare, 204 when the run is dispatched.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};

use super::fake_service::{Canned, FakeService, Recorded};
use super::openapi::{OpenApi, RouteLookup};

/// A workflow the fake repository has, with the inputs its `workflow_dispatch` declares.
#[derive(Debug, Clone)]
pub struct Workflow {
    /// `owner/repo`.
    pub repo: &'static str,
    /// Its file name.
    pub file: &'static str,
    /// The inputs it declares.
    pub inputs: &'static [&'static str],
}

#[derive(Default)]
struct State {
    dispatched: Vec<Value>,
    violations: Vec<String>,
}

/// The running fake.
pub struct FakeGithubActions {
    /// The plumbing: its URL is the action's `api_base`.
    pub service: FakeService,
    state: Arc<Mutex<State>>,
}

fn error(status: u16, message: &str) -> Canned {
    Canned::json(
        status,
        &json!({
            "message": message,
            "documentation_url": "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event",
            "status": status.to_string(),
        }),
    )
}

impl FakeGithubActions {
    /// A GitHub that accepts `token` and has `workflows`.
    pub async fn start(token: &'static str, workflows: Vec<Workflow>) -> Self {
        let api = Arc::new(OpenApi::fixture("github/workflow-dispatch.openapi.json"));
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let service = FakeService::start(move |r: &Recorded| {
            let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
            answer(&api, token, &workflows, r, &mut state)
        })
        .await;
        Self { service, state }
    }

    /// The bodies of the runs dispatched, in order.
    pub fn dispatched(&self) -> Vec<Value> {
        self.lock().dispatched.clone()
    }

    /// Every way a request broke GitHub's description or conventions.
    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn answer(
    api: &OpenApi,
    token: &str,
    workflows: &[Workflow],
    r: &Recorded,
    state: &mut State,
) -> Canned {
    let params = match api.lookup(&r.method, &r.path) {
        RouteLookup::Found(m) => m.params,
        _ => {
            state.violations.push(format!(
                "{} {} is no operation of the description",
                r.method, r.path
            ));
            return error(404, "Not Found");
        }
    };
    if r.header("authorization") != Some(&format!("Bearer {token}")) {
        return error(401, "Bad credentials");
    }
    if !r
        .header("accept")
        .is_some_and(|a| a.contains("application/vnd.github+json"))
    {
        state
            .violations
            .push(format!("accept: {:?}", r.header("accept")));
    }
    let body = r.json();
    if let Err(problems) = api.check_json(&r.method, &r.path, &body) {
        state.violations.extend(problems.iter().cloned());
        return error(422, &format!("Invalid request.\n\n{}", problems.join("\n")));
    }
    let repo = format!("{}/{}", params["owner"], params["repo"]);
    let Some(workflow) = workflows
        .iter()
        .find(|w| w.repo == repo && w.file == params["workflow_id"])
    else {
        return error(404, "Not Found");
    };
    let inputs: HashMap<String, Value> = body["inputs"]
        .as_object()
        .map(|o| o.clone().into_iter().collect())
        .unwrap_or_default();
    let mut unexpected: Vec<&String> = inputs
        .keys()
        .filter(|k| !workflow.inputs.contains(&k.as_str()))
        .collect();
    if !unexpected.is_empty() {
        unexpected.sort();
        let list = serde_json::to_string(&unexpected).unwrap_or_default();
        return error(422, &format!("Unexpected inputs provided: {list}"));
    }
    if let Some((name, _)) = inputs.iter().find(|(_, v)| !v.is_string()) {
        state
            .violations
            .push(format!("input {name} is not a string"));
    }
    state.dispatched.push(body);
    Canned {
        status: 204,
        headers: vec![],
        body: String::new(),
    }
}
