//! A fake GitHub issues API, checked against GitHub's OpenAPI description
//! (`tests/fixtures/github/issues.openapi.json`, cut from `@octokit/openapi`).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};

use super::{books, Books, FakeIssue, Shared};
use crate::support::fake_service::{Canned, FakeService, Recorded};
use crate::support::openapi::OpenApi;

/// The token the fake takes.
pub const TOKEN: &str = "ghp_faketokenfaketokenfaketoken000000";

fn spec() -> &'static OpenApi {
    static SPEC: OnceLock<OpenApi> = OnceLock::new();
    SPEC.get_or_init(|| OpenApi::fixture("github/issues.openapi.json"))
}

/// A repository of the fake.
#[derive(Debug, Clone, Copy)]
pub struct Repo {
    /// Whether issues are on.
    pub has_issues: bool,
    /// Whether it is private.
    pub private: bool,
}

/// A running fake GitHub.
pub struct FakeGitHub {
    /// The service (faults, requests).
    pub service: FakeService,
    /// What it keeps.
    pub books: Shared,
}

impl FakeGitHub {
    /// A fake with `repos` (`owner/name` -> settings).
    pub async fn start(repos: &[(&str, Repo)]) -> Self {
        let books: Shared = Arc::default();
        let repos: BTreeMap<String, Repo> =
            repos.iter().map(|(n, r)| ((*n).to_owned(), *r)).collect();
        let shared = Arc::clone(&books);
        let service = FakeService::start(move |r| respond(&shared, &repos, r)).await;
        Self { service, books }
    }

    /// The issues made, in order.
    pub fn issues(&self) -> Vec<FakeIssue> {
        books(&self.books).issues.clone()
    }

    /// The requests GitHub's definition does not allow.
    pub fn violations(&self) -> Vec<String> {
        books(&self.books).violations.clone()
    }
}

fn error(status: u16, message: &str) -> Canned {
    Canned::json(
        status,
        &json!({ "message": message, "documentation_url": "https://docs.github.com/rest" }),
    )
}

fn respond(shared: &Shared, repos: &BTreeMap<String, Repo>, r: &Recorded) -> Canned {
    if r.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        return error(401, "Bad credentials");
    }
    let body = if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    };
    let route = match spec().check_json(&r.method, &r.path, &body) {
        Ok(route) => route,
        Err(problems) => {
            let mut b = books(shared);
            b.violations
                .push(format!("{} {}: {problems:?}", r.method, r.path));
            return error(422, "Validation Failed");
        }
    };
    let param = |name: &str| route.params.get(name).cloned().unwrap_or_default();
    let full = format!("{}/{}", param("owner"), param("repo"));
    let Some(repo) = repos.get(&full) else {
        return error(404, "Not Found");
    };
    if route.template.contains("/issues") && !repo.has_issues {
        return error(410, "Issues are disabled for this repo");
    }
    let mut b = books(shared);
    match (r.method.as_str(), route.template.as_str()) {
        ("GET", "/repos/{owner}/{repo}") => Canned::json(
            200,
            &json!({ "full_name": full, "has_issues": repo.has_issues, "private": repo.private }),
        ),
        ("GET", "/repos/{owner}/{repo}/issues") => {
            let list: Vec<Value> = b
                .issues
                .iter()
                .rev()
                .filter(|i| i.project == full)
                .map(|i| issue_json(&full, i))
                .collect();
            Canned::json(200, &Value::Array(list))
        }
        ("POST", "/repos/{owner}/{repo}/issues") => create(&mut b, &full, &body),
        ("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}") => {
            let Some(issue) = find(&mut b, &full, &param("issue_number")) else {
                return error(404, "Not Found");
            };
            issue.open = body["state"] != "closed";
            let answer = issue_json(&full, issue);
            Canned::json(200, &answer)
        }
        ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments") => {
            let Some(issue) = find(&mut b, &full, &param("issue_number")) else {
                return error(404, "Not Found");
            };
            let list: Vec<Value> = issue
                .comments
                .iter()
                .enumerate()
                .map(|(n, c)| json!({ "id": n + 1, "body": c }))
                .collect();
            Canned::json(200, &Value::Array(list))
        }
        ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments") => {
            let Some(issue) = find(&mut b, &full, &param("issue_number")) else {
                return error(404, "Not Found");
            };
            issue
                .comments
                .push(body["body"].as_str().unwrap_or_default().to_owned());
            Canned::json(
                201,
                &json!({ "id": issue.comments.len(), "body": body["body"] }),
            )
        }
        (method, template) => {
            b.violations
                .push(format!("the fake does not serve {method} {template}"));
            error(404, "Not Found")
        }
    }
}

fn find<'a>(b: &'a mut Books, repo: &str, number: &str) -> Option<&'a mut FakeIssue> {
    b.issues
        .iter_mut()
        .find(|i| i.project == repo && i.key == number)
}

fn create(b: &mut Books, repo: &str, body: &Value) -> Canned {
    let number = b.issues.iter().filter(|i| i.project == repo).count() + 1;
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let issue = FakeIssue {
        key: number.to_string(),
        project: repo.to_owned(),
        title: body["title"].as_str().unwrap_or_default().to_owned(),
        body: body["body"].as_str().unwrap_or_default().to_owned(),
        labels: strings(&body["labels"]),
        assignees: strings(&body["assignees"]),
        open: true,
        comments: vec![],
    };
    let answer = issue_json(repo, &issue);
    b.issues.push(issue);
    Canned::json(201, &answer)
}

fn issue_json(repo: &str, i: &FakeIssue) -> Value {
    json!({
        "number": i.key.parse::<u64>().unwrap_or(0),
        "html_url": format!("https://github.com/{repo}/issues/{}", i.key),
        "title": i.title,
        "body": i.body,
        "state": if i.open { "open" } else { "closed" },
        "labels": i.labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>(),
    })
}

/// The repository of the tests.
pub const REPO: &str = "studio/incidents";

/// A public repository with issues on.
pub const OPEN: Repo = Repo {
    has_issues: true,
    private: false,
};

/// The bot's `[tracker]` on `fake` with `token` and `extra` keys, as a settings tweak.
pub fn bot_settings(
    fake: &FakeGitHub,
    token: &str,
    extra: Value,
) -> impl FnOnce(&mut incident_bot::config::Settings) {
    let mut tracker = super::settings("github", &fake.service.url(), extra);
    tracker.secrets.token = Some(secrecy::SecretString::from(token.to_owned()));
    move |s| s.tracker = Some(tracker)
}
