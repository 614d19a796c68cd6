//! A fake Jira Cloud, checked against Atlassian's v3 OpenAPI description
//! (`tests/fixtures/jira/platform-v3.openapi.json`, cut from `salto-io/jira-swaggers`), with
//! every description and comment checked against the ADF JSON schema
//! (`tests/fixtures/jira/adf-full.schema.json`). Closing and reopening go through the
//! workflow's transitions, as in Jira.

use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};

use super::{books, Books, FakeIssue, Shared};
use crate::support::fake_service::{Canned, FakeService, Recorded};
use crate::support::openapi::OpenApi;

/// The account's email the fake takes.
pub const EMAIL: &str = "bot@studio.example";
/// The API token the fake takes.
pub const TOKEN: &str = "ATATT3xFfGF0fakefakefakefakefake";

fn spec() -> &'static OpenApi {
    static SPEC: OnceLock<OpenApi> = OnceLock::new();
    SPEC.get_or_init(|| OpenApi::fixture("jira/platform-v3.openapi.json"))
}

fn adf() -> &'static jsonschema::Validator {
    static ADF: OnceLock<jsonschema::Validator> = OnceLock::new();
    ADF.get_or_init(|| {
        let path = format!(
            "{}/tests/fixtures/jira/adf-full.schema.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("ADF schema"))
                .expect("JSON");
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&schema)
            .expect("the ADF schema compiles")
    })
}

/// A running fake Jira.
pub struct FakeJira {
    /// The service.
    pub service: FakeService,
    /// What it keeps.
    pub books: Shared,
}

impl FakeJira {
    /// A fake site with the projects `projects`.
    pub async fn start(projects: &[&str]) -> Self {
        let books: Shared = Arc::default();
        let projects: Vec<String> = projects.iter().map(|p| (*p).to_owned()).collect();
        let shared = Arc::clone(&books);
        let service = FakeService::start(move |r| respond(&shared, &projects, r)).await;
        Self { service, books }
    }

    /// The issues made.
    pub fn issues(&self) -> Vec<FakeIssue> {
        books(&self.books).issues.clone()
    }

    /// The requests Jira's definitions do not allow.
    pub fn violations(&self) -> Vec<String> {
        books(&self.books).violations.clone()
    }
}

fn basic() -> String {
    use base64::Engine as _;
    let pair = format!("{EMAIL}:{TOKEN}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

fn error(status: u16, message: &str) -> Canned {
    Canned::json(status, &json!({ "errorMessages": [message], "errors": {} }))
}

fn respond(shared: &Shared, projects: &[String], r: &Recorded) -> Canned {
    if r.header("authorization") != Some(basic().as_str()) {
        return Canned::text(401, "Client must be authenticated to access this resource.");
    }
    let body = if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    };
    let mut b = books(shared);
    let route = match spec().check_json(&r.method, &r.path, &body) {
        Ok(route) => route,
        Err(problems) => {
            b.violations
                .push(format!("{} {}: {problems:?}", r.method, r.path));
            return error(400, "invalid request");
        }
    };
    let key = route
        .params
        .get("issueIdOrKey")
        .cloned()
        .unwrap_or_default();
    match (r.method.as_str(), route.template.as_str()) {
        ("GET", "/rest/api/3/project/{projectIdOrKey}") => {
            let project = route
                .params
                .get("projectIdOrKey")
                .cloned()
                .unwrap_or_default();
            if projects.contains(&project) {
                Canned::json(200, &json!({ "key": project, "id": "10000" }))
            } else {
                error(404, "No project could be found with key")
            }
        }
        ("POST", "/rest/api/3/issue") => create(&mut b, projects, &body),
        ("POST", "/rest/api/3/search") => search(&b, &body),
        ("POST", "/rest/api/3/issue/{issueIdOrKey}/comment") => {
            check_adf(&mut b, "comment body", &body["body"]);
            let Some(issue) = b.issues.iter_mut().find(|i| i.key == key) else {
                return error(
                    404,
                    "Issue does not exist or you do not have permission to see it.",
                );
            };
            issue.comments.push(body["body"].to_string());
            Canned::json(201, &json!({ "id": "1", "body": body["body"] }))
        }
        ("GET", "/rest/api/3/issue/{issueIdOrKey}/transitions") => {
            let Some(issue) = b.issues.iter().find(|i| i.key == key) else {
                return error(
                    404,
                    "Issue does not exist or you do not have permission to see it.",
                );
            };
            // The workflow: To Do -> Done, and Done -> Reopened (in progress).
            let t = if issue.open {
                json!({ "id": "31", "name": "Done", "to": { "statusCategory": { "key": "done" } } })
            } else {
                json!({ "id": "41", "name": "Reopen", "to": { "statusCategory": { "key": "indeterminate" } } })
            };
            Canned::json(200, &json!({ "transitions": [t] }))
        }
        ("POST", "/rest/api/3/issue/{issueIdOrKey}/transitions") => {
            let Some(issue) = b.issues.iter_mut().find(|i| i.key == key) else {
                return error(
                    404,
                    "Issue does not exist or you do not have permission to see it.",
                );
            };
            match (issue.open, body["transition"]["id"].as_str()) {
                (true, Some("31")) => issue.open = false,
                (false, Some("41")) => issue.open = true,
                _ => return error(400, "Transition id is not valid for this issue."),
            }
            Canned::text(204, "")
        }
        (method, template) => {
            b.violations
                .push(format!("the fake does not serve {method} {template}"));
            error(404, "not served")
        }
    }
}

fn check_adf(b: &mut Books, what: &str, doc: &Value) {
    let problems: Vec<String> = adf()
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    if !problems.is_empty() {
        b.violations
            .push(format!("{what} is not ADF: {problems:?}"));
    }
}

fn create(b: &mut Books, projects: &[String], body: &Value) -> Canned {
    let fields = &body["fields"];
    let project = fields["project"]["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if !projects.contains(&project) {
        return Canned::json(
            400,
            &json!({ "errorMessages": [], "errors": { "project": "valid project is required" } }),
        );
    }
    check_adf(b, "description", &fields["description"]);
    let n = b.issues.iter().filter(|i| i.project == project).count() + 1;
    let key = format!("{project}-{n}");
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    b.issues.push(FakeIssue {
        key: key.clone(),
        project,
        title: fields["summary"].as_str().unwrap_or_default().to_owned(),
        body: fields["description"].to_string(),
        labels: strings(&fields["labels"]),
        assignees: fields["assignee"]["accountId"]
            .as_str()
            .map(str::to_owned)
            .into_iter()
            .collect(),
        open: true,
        comments: vec![],
    });
    Canned::json(
        201,
        &json!({ "id": "10001", "key": key, "self": "https://studio.atlassian.net/rest/api/3/issue/10001" }),
    )
}

/// The JQL the adapter sends: `project = "X" AND labels = "Y"`.
fn search(b: &Books, body: &Value) -> Canned {
    let jql = body["jql"].as_str().unwrap_or_default();
    let quoted: Vec<&str> = jql.split('"').skip(1).step_by(2).collect();
    let (Some(project), Some(label)) = (quoted.first(), quoted.get(1)) else {
        return error(
            400,
            "the fake reads only project = \"X\" AND labels = \"Y\"",
        );
    };
    let issues: Vec<Value> = b
        .issues
        .iter()
        .filter(|i| i.project == *project && i.labels.iter().any(|l| l == label))
        .map(|i| json!({ "key": i.key, "id": "10001" }))
        .collect();
    Canned::json(200, &json!({ "issues": issues, "total": issues.len() }))
}
