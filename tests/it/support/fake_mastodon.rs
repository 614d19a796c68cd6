//! A fake Mastodon instance on loopback: one account whose token it checks, the instance's
//! status limits, statuses with their threads, and `Idempotency-Key`s remembered as Mastodon
//! does. Each request body is checked against `tests/fixtures/mastodon/statuses.schema.json`
//! (written from Mastodon's documentation): a violation is answered 422 and recorded, so the
//! test fails.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};
use unicode_segmentation::UnicodeSegmentation;

use super::fake_service::{Canned, FakeService, Recorded};

/// The token the fake's account accepts.
pub const TOKEN: &str = "mastodon-test-token";

/// The account's id.
const ACCOUNT: &str = "109";

/// A status the fake holds.
#[derive(Debug, Clone)]
pub struct Status {
    /// Its id.
    pub id: String,
    /// The text as sent.
    pub text: String,
    /// The status it replies to.
    pub in_reply_to_id: Option<String>,
    /// Its visibility.
    pub visibility: String,
    created_at: String,
}

#[derive(Default)]
struct State {
    statuses: Vec<Status>,
    keys: HashMap<String, String>,
    violations: Vec<String>,
    max_characters: usize,
}

/// The fake instance.
pub struct FakeMastodon {
    /// The HTTP side: faults, requests.
    pub service: FakeService,
    state: Arc<Mutex<State>>,
}

impl FakeMastodon {
    /// An instance allowing `max_characters` a status (500 on a stock server).
    pub async fn start(max_characters: usize) -> Self {
        let state = Arc::new(Mutex::new(State {
            max_characters,
            ..State::default()
        }));
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string("tests/fixtures/mastodon/statuses.schema.json")
                .expect("the Mastodon fixture"),
        )
        .expect("JSON");
        let mut create = schema.clone();
        create["$ref"] = json!("#/$defs/create_status");
        let validator = jsonschema::validator_for(&create).expect("the schema compiles");
        let shared = Arc::clone(&state);
        let service = FakeService::start(move |r| {
            let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
            answer(&mut state, &validator, r)
        })
        .await;
        Self { service, state }
    }

    /// Its base URL, for `[social.mastodon] instance`.
    pub fn url(&self) -> url::Url {
        url::Url::parse(&self.service.url()).expect("a URL")
    }

    /// The statuses, oldest first.
    pub fn statuses(&self) -> Vec<Status> {
        self.lock().statuses.clone()
    }

    /// What the fake refused as not matching Mastodon's definition.
    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    /// Forgets every `Idempotency-Key`, as Mastodon does after an hour.
    pub fn forget_keys(&self) {
        self.lock().keys.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Mastodon's length: characters (grapheme clusters), each URL counted as 23.
pub fn length(text: &str) -> usize {
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            let bare = word.trim_end();
            if bare.starts_with("https://") || bare.starts_with("http://") {
                23 + (word.len() - bare.len())
            } else {
                word.graphemes(true).count()
            }
        })
        .sum()
}

fn answer(state: &mut State, validator: &jsonschema::Validator, r: &Recorded) -> Canned {
    let authorized = r.header("authorization") == Some(&format!("Bearer {TOKEN}"));
    match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/api/v2/instance") => Canned::json(
            200,
            &json!({
                "domain": "fake.example",
                "title": "Fake",
                "configuration": { "statuses": {
                    "max_characters": state.max_characters,
                    "max_media_attachments": 4,
                    "characters_reserved_per_url": 23
                } }
            }),
        ),
        _ if !authorized => {
            state
                .violations
                .push(format!("{} {} without the token", r.method, r.path));
            Canned::json(401, &json!({ "error": "The access token is invalid" }))
        }
        ("GET", "/api/v1/accounts/verify_credentials") => Canned::json(
            200,
            &json!({ "id": ACCOUNT, "username": "studio", "acct": "studio" }),
        ),
        ("GET", p) if p == format!("/api/v1/accounts/{ACCOUNT}/statuses") => {
            let newest: Vec<Value> = state.statuses.iter().rev().map(status_json).collect();
            Canned::json(200, &Value::Array(newest))
        }
        ("POST", "/api/v1/statuses") => create(state, validator, r),
        _ => {
            state
                .violations
                .push(format!("unknown route {} {}", r.method, r.path));
            Canned::json(404, &json!({ "error": "Record not found" }))
        }
    }
}

fn create(state: &mut State, validator: &jsonschema::Validator, r: &Recorded) -> Canned {
    let body = r.json();
    let problems: Vec<String> = validator
        .iter_errors(&body)
        .map(|e| e.to_string())
        .collect();
    if !problems.is_empty() {
        state
            .violations
            .push(format!("POST /api/v1/statuses: {problems:?}"));
        return Canned::json(
            422,
            &json!({ "error": format!("Validation failed: {problems:?}") }),
        );
    }
    if let Some(id) = r.header("idempotency-key").and_then(|k| state.keys.get(k)) {
        let same = state.statuses.iter().find(|s| &s.id == id).expect("kept");
        return Canned::json(200, &status_json(same));
    }
    let text = body["status"].as_str().unwrap_or_default().to_owned();
    if length(&text) > state.max_characters {
        state
            .violations
            .push(format!("too long ({}): {text}", length(&text)));
        return Canned::json(
            422,
            &json!({ "error": format!("Validation failed: Text character limit of {} exceeded", state.max_characters) }),
        );
    }
    let in_reply_to_id = body["in_reply_to_id"].as_str().map(str::to_owned);
    if let Some(parent) = &in_reply_to_id {
        if !state.statuses.iter().any(|s| &s.id == parent) {
            state
                .violations
                .push(format!("a reply to unknown status {parent}"));
            return Canned::json(404, &json!({ "error": "Record not found" }));
        }
    }
    let status = Status {
        id: format!("{}", 110_000_000 + state.statuses.len()),
        text,
        in_reply_to_id,
        visibility: body["visibility"].as_str().unwrap_or("public").to_owned(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    if let Some(key) = r.header("idempotency-key") {
        state.keys.insert(key.to_owned(), status.id.clone());
    }
    state.statuses.push(status.clone());
    Canned::json(200, &status_json(&status))
}

fn status_json(s: &Status) -> Value {
    let html = s
        .text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', "<br />");
    json!({
        "id": s.id,
        "created_at": s.created_at,
        "in_reply_to_id": s.in_reply_to_id,
        "visibility": s.visibility,
        "uri": format!("https://fake.example/users/studio/statuses/{}", s.id),
        "url": format!("https://fake.example/@studio/{}", s.id),
        "content": format!("<p>{html}</p>"),
    })
}
