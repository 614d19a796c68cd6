//! Fake PagerDuty (Events API v2) and ntfy (publish) servers on loopback, each keeping the
//! state its service keeps and answering as its documents say.
//!
//! PagerDuty: every request is checked against its published Events v2 description
//! (`tests/fixtures/pagerduty/events-v2.openapi.json`); a body it refuses is answered 400 as
//! PagerDuty does (`{status, message, errors}`) and recorded as a violation, so the test fails.
//! A good event is answered 202 `{status, message, dedup_key}`: a trigger opens an alert under
//! its dedup key (or adds to the open one), a resolve closes it. ntfy: every request is checked
//! against ntfy's OpenAPI description (`tests/fixtures/ntfy/openapi-subset.json`): a publish is
//! `POST /<topic>` with the message as body and `X-Title`, `X-Priority`, `X-Tags`, `X-Click`
//! headers, and a poll `GET /<topic>/json?poll=true&since=all&tags=…` answers the cached messages
//! carrying those tags; a token other than the one set is 401 as ntfy answers it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};

use super::fake_service::{Canned, FakeService, Recorded};
use super::openapi::{OpenApi, RouteLookup};

/// One PagerDuty alert, by dedup key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// `triggered` or `resolved`.
    pub status: String,
    /// The routing key it went to.
    pub routing_key: String,
    /// Its trigger events (1 unless a trigger was sent again for the same key).
    pub triggers: usize,
}

#[derive(Default)]
struct PagerDutyBooks {
    alerts: BTreeMap<String, Alert>,
    events: Vec<Value>,
    violations: Vec<String>,
}

/// A fake PagerDuty Events API.
pub struct FakePagerDuty {
    /// The server.
    pub service: FakeService,
    books: Arc<Mutex<PagerDutyBooks>>,
}

fn answer_event(api: &OpenApi, books: &Mutex<PagerDutyBooks>, r: &Recorded) -> Canned {
    let mut books = books.lock().unwrap_or_else(PoisonError::into_inner);
    let body = r.json();
    // The description's server is `https://events.pagerduty.com/v2`: its paths start after it.
    let path = r.path.strip_prefix("/v2").unwrap_or(&r.path);
    if let Err(problems) = api.check_json(&r.method, path, &body) {
        books.violations.extend(problems.iter().cloned());
        return Canned::json(
            400,
            &json!({ "status": "invalid event", "message": "Event object is invalid", "errors": problems }),
        );
    }
    let action = body["event_action"].as_str().unwrap_or_default();
    let Some(key) = body["dedup_key"].as_str().map(str::to_owned) else {
        books
            .violations
            .push("the bot always sends its dedup_key".into());
        return Canned::json(
            400,
            &json!({ "status": "invalid event", "message": "no dedup_key" }),
        );
    };
    let routing_key = body["routing_key"].as_str().unwrap_or_default().to_owned();
    books.events.push(body.clone());
    match action {
        "trigger" => {
            let alert = books.alerts.entry(key.clone()).or_insert(Alert {
                status: "triggered".into(),
                routing_key,
                triggers: 0,
            });
            alert.triggers += 1;
        }
        "resolve" => {
            if let Some(alert) = books.alerts.get_mut(&key) {
                alert.status = "resolved".into();
            }
        }
        _ => {}
    }
    Canned::json(
        202,
        &json!({ "status": "success", "message": "Event processed", "dedup_key": key }),
    )
}

impl FakePagerDuty {
    /// Starts the fake.
    pub async fn start() -> Self {
        let api = Arc::new(OpenApi::fixture("pagerduty/events-v2.openapi.json"));
        let books = Arc::new(Mutex::new(PagerDutyBooks::default()));
        let shared = Arc::clone(&books);
        let service = FakeService::start(move |r| answer_event(&api, &shared, r)).await;
        Self { service, books }
    }

    /// The alerts, by dedup key.
    pub fn alerts(&self) -> BTreeMap<String, Alert> {
        self.books().alerts.clone()
    }

    /// The events accepted, in order.
    pub fn events(&self) -> Vec<Value> {
        self.books().events.clone()
    }

    /// What the description refused, if anything: must stay empty.
    pub fn violations(&self) -> Vec<String> {
        self.books().violations.clone()
    }

    fn books(&self) -> std::sync::MutexGuard<'_, PagerDutyBooks> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One ntfy message, as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The topic.
    pub topic: String,
    /// `Title`.
    pub title: String,
    /// `Priority`.
    pub priority: String,
    /// `Tags`.
    pub tags: String,
    /// `Click`.
    pub click: Option<String>,
    /// The message.
    pub message: String,
}

#[derive(Default)]
struct NtfyBooks {
    published: Vec<Published>,
    violations: Vec<String>,
}

/// A fake ntfy server.
pub struct FakeNtfy {
    /// The server.
    pub service: FakeService,
    books: Arc<Mutex<NtfyBooks>>,
}

/// Checks a request's route, declared query parameters and the publish headers against ntfy's
/// description; each problem as a sentence.
fn check_request(api: &OpenApi, r: &Recorded) -> Result<String, Vec<String>> {
    let route = match api.lookup(&r.method, &r.path) {
        RouteLookup::Found(route) => route,
        _ => {
            return Err(vec![format!(
                "no operation of ntfy's matches {} {}",
                r.method, r.path
            )])
        }
    };
    let declared = api.parameters(&r.method, &route.template);
    let mut problems = Vec::new();
    for p in &declared {
        let name = p["name"].as_str().unwrap_or_default();
        let value = match p["in"].as_str() {
            Some("path") => route.params.get(name).cloned(),
            Some("header") => r.header(&name.to_ascii_lowercase()).map(str::to_owned),
            Some("query") => query(r).remove(name),
            _ => None,
        };
        let Some(value) = value else { continue };
        // Headers and queries are text: a number or a boolean is checked as its JSON value.
        let instance = serde_json::from_str::<Value>(&value)
            .ok()
            .filter(|v| !v.is_string())
            .unwrap_or(Value::String(value.clone()));
        let schema = api.resolve(&p["schema"]).clone();
        let key = format!("{} {} {name}", r.method, route.template);
        if let Err(errors) = api.validate_with(&key, &schema, &instance, |e| e.to_string()) {
            problems.extend(errors.into_iter().map(|e| format!("{name}={value}: {e}")));
        }
    }
    let names: Vec<String> = declared
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_ascii_lowercase))
        .collect();
    for (name, _) in &r.headers {
        if name.starts_with("x-") && !names.contains(name) {
            problems.push(format!("header {name} is not one of ntfy's"));
        }
    }
    for name in query(r).keys() {
        if !names.contains(&name.to_ascii_lowercase()) {
            problems.push(format!("query parameter {name} is not one of ntfy's"));
        }
    }
    if problems.is_empty() {
        Ok(route.template)
    } else {
        Err(problems)
    }
}

fn query(r: &Recorded) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(r.query.as_bytes())
        .into_owned()
        .collect()
}

fn answer_ntfy(api: &OpenApi, token: &str, books: &Mutex<NtfyBooks>, r: &Recorded) -> Canned {
    let mut books = books.lock().unwrap_or_else(PoisonError::into_inner);
    if r.header("authorization") != Some(&format!("Bearer {token}")) {
        return Canned::json(
            401,
            &json!({ "code": 40101, "http": 401, "error": "unauthorized", "link": "https://ntfy.sh/docs/publish/#authentication" }),
        );
    }
    let template = match check_request(api, r) {
        Ok(template) => template,
        Err(problems) => {
            books.violations.extend(problems);
            return Canned::json(
                400,
                &json!({ "code": 40000, "http": 400, "error": "invalid request" }),
            );
        }
    };
    if template == "/{topic}/json" {
        return poll(&books, r);
    }
    let topic = r.path.trim_start_matches('/').to_owned();
    let message = r.text();
    let tags = r.header("x-tags").unwrap_or_default().to_owned();
    books.published.push(Published {
        topic: topic.clone(),
        title: r.header("x-title").unwrap_or_default().to_owned(),
        priority: r.header("x-priority").unwrap_or("3").to_owned(),
        tags: tags.clone(),
        click: r.header("x-click").map(str::to_owned),
        message: message.clone(),
    });
    Canned::json(200, &books.message(books.published.len() - 1))
}

/// `GET /<topic>/json?poll=true&since=all&tags=…`: the cached messages of the topic carrying
/// every tag asked for, one JSON object a line, as ntfy answers a poll.
fn poll(books: &NtfyBooks, r: &Recorded) -> Canned {
    let q = query(r);
    let topic = r
        .path
        .trim_start_matches('/')
        .trim_end_matches("/json")
        .to_owned();
    let wanted: Vec<&str> = q
        .get("tags")
        .map(|t| t.split(',').collect())
        .unwrap_or_default();
    let since_all = q.get("since").map(String::as_str) == Some("all");
    let mut lines = String::new();
    for (n, p) in books.published.iter().enumerate() {
        let tags: Vec<&str> = p.tags.split(',').collect();
        if p.topic == topic && since_all && wanted.iter().all(|w| tags.contains(w)) {
            lines.push_str(&format!("{}\n", books.message(n)));
        }
    }
    let mut canned = Canned::text(200, &lines);
    canned.headers = vec![("content-type".into(), "application/x-ndjson".into())];
    canned
}

impl NtfyBooks {
    /// Message `n` as ntfy's JSON tells it.
    fn message(&self, n: usize) -> Value {
        let p = &self.published[n];
        let tags: Vec<&str> = p.tags.split(',').filter(|t| !t.is_empty()).collect();
        json!({
            "id": format!("m{}", n + 1),
            "time": 1_796_000_000 + n,
            "event": "message",
            "topic": p.topic,
            "title": p.title,
            "message": p.message,
            "priority": p.priority.parse::<u8>().unwrap_or(3),
            "tags": tags,
        })
    }
}

impl FakeNtfy {
    /// Starts the fake, taking only `token`.
    pub async fn start(token: &str) -> Self {
        let api = Arc::new(OpenApi::fixture("ntfy/openapi-subset.json"));
        let books = Arc::new(Mutex::new(NtfyBooks::default()));
        let shared = Arc::clone(&books);
        let token = token.to_owned();
        let service = FakeService::start(move |r| answer_ntfy(&api, &token, &shared, r)).await;
        Self { service, books }
    }

    /// The messages published, in order.
    pub fn published(&self) -> Vec<Published> {
        self.books().published.clone()
    }

    /// What was refused as not a publish: must stay empty.
    pub fn violations(&self) -> Vec<String> {
        self.books().violations.clone()
    }

    fn books(&self) -> std::sync::MutexGuard<'_, NtfyBooks> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
