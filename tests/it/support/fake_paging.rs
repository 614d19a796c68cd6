//! Fake PagerDuty (Events API v2) and ntfy (publish) servers on loopback, each keeping the
//! state its service keeps and answering as its documents say.
//!
//! PagerDuty: every request is checked against its published Events v2 description
//! (`tests/fixtures/pagerduty/events-v2.openapi.json`); a body it refuses is answered 400 as
//! PagerDuty does (`{status, message, errors}`) and recorded as a violation, so the test fails.
//! A good event is answered 202 `{status, message, dedup_key}`: a trigger opens an alert under
//! its dedup key (or adds to the open one), a resolve closes it. ntfy: `POST /<topic>` with the
//! message as body and `Title`, `Priority`, `Tags`, `Click` headers (docs/publish.md in
//! binwiederhier/ntfy); a token other than the one set is 401 as ntfy answers it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};

use super::fake_service::{Canned, FakeService, Recorded};
use super::openapi::OpenApi;

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

fn valid_priority(p: &str) -> bool {
    matches!(
        p,
        "1" | "2" | "3" | "4" | "5" | "min" | "low" | "default" | "high" | "max" | "urgent"
    )
}

fn answer_publish(token: &str, books: &Mutex<NtfyBooks>, r: &Recorded) -> Canned {
    let mut books = books.lock().unwrap_or_else(PoisonError::into_inner);
    if r.header("authorization") != Some(&format!("Bearer {token}")) {
        return Canned::json(
            401,
            &json!({ "code": 40101, "http": 401, "error": "unauthorized", "link": "https://ntfy.sh/docs/publish/#authentication" }),
        );
    }
    let topic = r.path.trim_start_matches('/').to_owned();
    let mut problems = Vec::new();
    if r.method != "POST" || topic.is_empty() || topic.contains('/') {
        problems.push(format!("{} {} is not a publish", r.method, r.path));
    }
    let priority = r.header("priority").unwrap_or("3").to_owned();
    if !valid_priority(&priority) {
        problems.push(format!("Priority {priority} is not one of ntfy's"));
    }
    let click = r.header("click").map(str::to_owned);
    if click
        .as_deref()
        .is_some_and(|c| url::Url::parse(c).is_err())
    {
        problems.push("Click is not a URL".into());
    }
    if !problems.is_empty() {
        books.violations.extend(problems);
        return Canned::json(
            400,
            &json!({ "code": 40000, "http": 400, "error": "invalid request" }),
        );
    }
    let message = r.text();
    books.published.push(Published {
        topic: topic.clone(),
        title: r.header("title").unwrap_or_default().to_owned(),
        priority: priority.clone(),
        tags: r.header("tags").unwrap_or_default().to_owned(),
        click,
        message: message.clone(),
    });
    Canned::json(
        200,
        &json!({ "id": format!("m{}", books.published.len()), "time": 1_796_000_000, "event": "message", "topic": topic, "message": message }),
    )
}

impl FakeNtfy {
    /// Starts the fake, taking only `token`.
    pub async fn start(token: &str) -> Self {
        let books = Arc::new(Mutex::new(NtfyBooks::default()));
        let shared = Arc::clone(&books);
        let token = token.to_owned();
        let service = FakeService::start(move |r| answer_publish(&token, &shared, r)).await;
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
