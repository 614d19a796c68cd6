//! A fake Linear GraphQL API, checked against Linear's published schema
//! (`tests/fixtures/linear/schema.graphql`, cut from `linear/linear`): every field, argument and
//! input key of a request must exist there. A personal key is taken as it is; "Bearer" before
//! it is refused, as Linear refuses it.

use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};

use super::{books, Books, FakeIssue, Shared};
use crate::support::fake_service::{Canned, FakeService, Recorded};
use crate::support::graphql::Schema;

/// The personal API key the fake takes.
pub const KEY: &str = "lin_api_fakefakefakefakefakefakefakefake";
/// The team the fake knows.
pub const TEAM: &str = "9cfb482a-81e3-4154-b5b9-2c805e70a02d";

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| Schema::fixture("linear/schema.graphql"))
}

/// A running fake Linear.
pub struct FakeLinear {
    /// The service.
    pub service: FakeService,
    /// What it keeps.
    pub books: Shared,
}

impl FakeLinear {
    /// A fake workspace with the team [`TEAM`].
    pub async fn start() -> Self {
        let books: Shared = Arc::default();
        let shared = Arc::clone(&books);
        let service = FakeService::start(move |r| respond(&shared, r)).await;
        Self { service, books }
    }

    /// The issues made.
    pub fn issues(&self) -> Vec<FakeIssue> {
        books(&self.books).issues.clone()
    }

    /// The requests Linear's schema does not allow.
    pub fn violations(&self) -> Vec<String> {
        books(&self.books).violations.clone()
    }
}

fn graph_error(status: u16, message: &str, code: &str) -> Canned {
    Canned::json(
        status,
        &json!({ "errors": [ { "message": message, "extensions": { "code": code } } ] }),
    )
}

fn respond(shared: &Shared, r: &Recorded) -> Canned {
    if r.method != "POST" || r.path != "/graphql" {
        return Canned::text(404, "Not found");
    }
    if r.header("authorization") != Some(KEY) {
        return graph_error(
            400,
            "Authentication required, not authenticated",
            "AUTHENTICATION_ERROR",
        );
    }
    let body = r.json();
    let query = body["query"].as_str().unwrap_or_default();
    let variables = &body["variables"];
    let mut b = books(shared);
    let problems = schema().check(query, variables);
    if !problems.is_empty() {
        b.violations.push(format!("{query}: {problems:?}"));
        return graph_error(
            400,
            "GraphQL validation failed",
            "GRAPHQL_VALIDATION_FAILED",
        );
    }
    let team_of = |v: &Value| v.as_str() == Some(TEAM);
    if query.contains("issueCreate(") {
        let input = &variables["input"];
        if !team_of(&input["teamId"]) {
            return graph_error(200, "Entity not found: Team", "INVALID_INPUT");
        }
        return create(&mut b, input);
    }
    if query.contains("commentCreate(") {
        let input = &variables["input"];
        let Some(issue) = b
            .issues
            .iter_mut()
            .find(|i| Some(i.key.as_str()) == input["issueId"].as_str())
        else {
            return graph_error(200, "Entity not found: Issue", "INVALID_INPUT");
        };
        issue
            .comments
            .push(input["body"].as_str().unwrap_or_default().to_owned());
        return Canned::json(
            200,
            &json!({ "data": { "commentCreate": { "success": true } } }),
        );
    }
    if query.contains("issueUpdate(") {
        let Some(issue) = b
            .issues
            .iter_mut()
            .find(|i| Some(i.key.as_str()) == variables["id"].as_str())
        else {
            return graph_error(200, "Entity not found: Issue", "INVALID_INPUT");
        };
        issue.open = variables["input"]["stateId"] != "state-done";
        return Canned::json(
            200,
            &json!({ "data": { "issueUpdate": { "success": true } } }),
        );
    }
    if query.contains("issues(") {
        let marker = variables["marker"].as_str().unwrap_or("\u{0}");
        let nodes: Vec<Value> = b
            .issues
            .iter()
            .filter(|i| team_of(&variables["team"]) && i.body.contains(marker))
            .map(issue_json)
            .collect();
        return Canned::json(200, &json!({ "data": { "issues": { "nodes": nodes } } }));
    }
    if query.contains("team(") {
        if !team_of(&variables["team"]) {
            return graph_error(200, "Entity not found: Team", "INVALID_INPUT");
        }
        let states = [
            ("state-todo", "unstarted"),
            ("state-doing", "started"),
            ("state-done", "completed"),
        ]
        .map(|(id, kind)| json!({ "id": id, "type": kind, "position": 0 }));
        return Canned::json(
            200,
            &json!({ "data": { "viewer": { "id": "user-bot" }, "team": { "id": TEAM, "key": "ENG", "states": { "nodes": states } } } }),
        );
    }
    b.violations
        .push(format!("the fake does not serve {query}"));
    graph_error(400, "not served", "INVALID_INPUT")
}

fn create(b: &mut Books, input: &Value) -> Canned {
    let n = b.issues.len() + 1;
    let issue = FakeIssue {
        key: format!("issue-{n}"),
        project: TEAM.to_owned(),
        title: input["title"].as_str().unwrap_or_default().to_owned(),
        body: input["description"].as_str().unwrap_or_default().to_owned(),
        labels: vec![],
        assignees: input["assigneeId"]
            .as_str()
            .map(str::to_owned)
            .into_iter()
            .collect(),
        open: true,
        comments: vec![],
    };
    let answer =
        json!({ "data": { "issueCreate": { "success": true, "issue": issue_json(&issue) } } });
    b.issues.push(issue);
    Canned::json(200, &answer)
}

fn issue_json(i: &FakeIssue) -> Value {
    let n = i.key.trim_start_matches("issue-");
    json!({ "id": i.key, "identifier": format!("ENG-{n}"), "url": format!("https://linear.app/studio/issue/ENG-{n}") })
}
