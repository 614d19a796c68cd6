//! A fake X API on loopback: one account, its posts (`POST /2/tweets`), `GET /2/users/me` and
//! the account's recent posts. Every request is checked with X's own OpenAPI description (cut
//! to these operations in `tests/fixtures/x/openapi.json`) and must carry an OAuth 1.0a
//! user-context `Authorization` header with the account's keys; a violation is answered 400
//! and recorded, so the test fails. Like X, it refuses a post longer than 280 (weighted) and a
//! post repeating the text of the last one (duplicate content, 403).

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};

use super::fake_service::{Canned, FakeService, Recorded};
use super::openapi::OpenApi;

/// The account's keys, in `XKeys` order.
pub const KEYS: [&str; 4] = ["ck-studio", "cs-studio", "at-studio", "as-studio"];
/// The account's id.
const ME: &str = "1460000000000000000";

/// A post the fake holds.
#[derive(Debug, Clone)]
pub struct Post {
    /// Its id.
    pub id: String,
    /// Its text.
    pub text: String,
    /// The post it replies to.
    pub in_reply_to: Option<String>,
}

#[derive(Default)]
struct State {
    posts: Vec<Post>,
    violations: Vec<String>,
}

/// The fake API.
pub struct FakeX {
    /// The HTTP side: faults, requests.
    pub service: FakeService,
    state: Arc<Mutex<State>>,
}

impl FakeX {
    /// The API with the one account.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let spec = OpenApi::fixture("x/openapi.json");
        let shared = Arc::clone(&state);
        let service = FakeService::start(move |r| {
            let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
            answer(&mut state, &spec, r)
        })
        .await;
        Self { service, state }
    }

    /// Its base URL, for `[social.x] api_base`.
    pub fn url(&self) -> url::Url {
        url::Url::parse(&self.service.url()).expect("a URL")
    }

    /// The posts, oldest first.
    pub fn posts(&self) -> Vec<Post> {
        self.lock().posts.clone()
    }

    /// What the fake refused as not matching X's description.
    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The OAuth fields of an `Authorization: OAuth …` header, or why it is not one.
fn oauth_problems(r: &Recorded) -> Vec<String> {
    let Some(header) = r
        .header("authorization")
        .and_then(|h| h.strip_prefix("OAuth "))
    else {
        return vec!["no OAuth 1.0a Authorization header".into()];
    };
    let field = |name: &str| {
        header
            .split(", ")
            .find_map(|f| f.strip_prefix(&format!("{name}=\"")))
            .map(|v| v.trim_end_matches('"').to_owned())
    };
    let mut out = Vec::new();
    for (name, want) in [
        ("oauth_consumer_key", Some(KEYS[0])),
        ("oauth_token", Some(KEYS[2])),
        ("oauth_signature_method", Some("HMAC-SHA1")),
        ("oauth_version", Some("1.0")),
        ("oauth_nonce", None),
        ("oauth_timestamp", None),
        ("oauth_signature", None),
    ] {
        match (field(name), want) {
            (None, _) => out.push(format!("{name} is missing")),
            (Some(v), Some(w)) if v != w => out.push(format!("{name} is {v}, not {w}")),
            _ => {}
        }
    }
    out
}

fn answer(state: &mut State, spec: &OpenApi, r: &Recorded) -> Canned {
    let problems = oauth_problems(r);
    if !problems.is_empty() {
        state
            .violations
            .push(format!("{} {}: {problems:?}", r.method, r.path));
        return Canned::json(
            401,
            &json!({ "title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized" }),
        );
    }
    let body = if r.method == "POST" {
        r.json()
    } else {
        Value::Null
    };
    if let Err(problems) = spec.check_json(&r.method, &r.path, &body) {
        state
            .violations
            .push(format!("{} {}: {problems:?}", r.method, r.path));
        return Canned::json(
            400,
            &json!({ "errors": [{ "message": format!("{problems:?}") }], "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.", "type": "https://api.twitter.com/2/problems/invalid-request" }),
        );
    }
    match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/2/users/me") => Canned::json(
            200,
            &json!({ "data": { "id": ME, "name": "Studio", "username": "studio" } }),
        ),
        ("GET", p) if p == format!("/2/users/{ME}/tweets") => {
            let newest: Vec<Value> = state
                .posts
                .iter()
                .rev()
                .map(|p| json!({ "id": p.id, "text": p.text, "edit_history_tweet_ids": [p.id] }))
                .collect();
            if newest.is_empty() {
                Canned::json(200, &json!({ "meta": { "result_count": 0 } }))
            } else {
                Canned::json(
                    200,
                    &json!({ "data": newest, "meta": { "result_count": state.posts.len() } }),
                )
            }
        }
        ("POST", "/2/tweets") => create(state, &body),
        _ => Canned::json(
            404,
            &json!({ "title": "Not Found Error", "type": "https://api.twitter.com/2/problems/resource-not-found", "detail": "Not found" }),
        ),
    }
}

fn create(state: &mut State, body: &Value) -> Canned {
    let text = body["text"].as_str().unwrap_or_default().to_owned();
    // X counts each link as 23 (t.co), whatever its length.
    let weight: usize = text
        .split_inclusive(char::is_whitespace)
        .map(|word| {
            let bare = word.trim_end();
            if bare.starts_with("https://") || bare.starts_with("http://") {
                23 + (word.len() - bare.len())
            } else {
                incident_bot::outbound::x::weight(word, None)
            }
        })
        .sum();
    if weight > 280 {
        state
            .violations
            .push(format!("too long ({weight}): {text}"));
        return Canned::json(
            400,
            &json!({ "title": "Invalid Request", "detail": "Tweet text is too long.", "type": "https://api.twitter.com/2/problems/invalid-request" }),
        );
    }
    if state.posts.last().is_some_and(|p| p.text == text) {
        state.violations.push(format!("a duplicate post: {text}"));
        return Canned::json(
            403,
            &json!({ "title": "Forbidden", "status": 403, "type": "about:blank", "detail": "You are not allowed to create a Tweet with duplicate content." }),
        );
    }
    let in_reply_to = body["reply"]["in_reply_to_tweet_id"]
        .as_str()
        .map(str::to_owned);
    if let Some(parent) = &in_reply_to {
        if !state.posts.iter().any(|p| &p.id == parent) {
            state
                .violations
                .push(format!("a reply to unknown post {parent}"));
        }
    }
    let post = Post {
        id: format!("18{:017}", state.posts.len()),
        text,
        in_reply_to,
    };
    state.posts.push(post.clone());
    Canned::json(
        201,
        &json!({ "data": { "id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id] } }),
    )
}
