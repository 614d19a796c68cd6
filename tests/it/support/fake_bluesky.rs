//! A fake Bluesky PDS on loopback: one account that logs in with its app password, sessions
//! that expire and refresh, and `app.bsky.feed.post` records under their record keys. Every
//! request is checked with Bluesky's own lexicons (`support::lexicon`); a violation is
//! answered 400 `InvalidRequest` and recorded, so the test fails. Reply references and link
//! facets are checked against the records and the text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};

use super::fake_service::{Canned, FakeService, Recorded};
use super::lexicon::Lexicons;

/// The account's handle.
pub const HANDLE: &str = "studio.bsky.example";
/// Its app password.
pub const APP_PASSWORD: &str = "abcd-efgh-ijkl-mnop";
/// Its DID.
pub const DID: &str = "did:plc:studio7fakepds";

/// A post the fake holds.
#[derive(Debug, Clone)]
pub struct Record {
    /// Its record key.
    pub rkey: String,
    /// Its `at://` URI.
    pub uri: String,
    /// Its CID.
    pub cid: String,
    /// The record as sent.
    pub value: Value,
}

impl Record {
    /// The post's text.
    pub fn text(&self) -> &str {
        self.value["text"].as_str().unwrap_or_default()
    }
}

#[derive(Default)]
struct State {
    records: Vec<Record>,
    access: Vec<String>,
    expired: Vec<String>,
    refresh: Vec<String>,
    logins: usize,
    issued: usize,
    violations: Vec<String>,
}

/// The fake PDS.
pub struct FakeBluesky {
    /// The HTTP side: faults, requests.
    pub service: FakeService,
    state: Arc<Mutex<State>>,
}

impl FakeBluesky {
    /// A PDS with the one account.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let lexicons = Lexicons::load();
        let shared = Arc::clone(&state);
        let service = FakeService::start(move |r| {
            let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
            answer(&mut state, &lexicons, r)
        })
        .await;
        Self { service, state }
    }

    /// Its base URL, for `[social.bluesky] api_base`.
    pub fn url(&self) -> url::Url {
        url::Url::parse(&self.service.url()).expect("a URL")
    }

    /// The posts, oldest first.
    pub fn records(&self) -> Vec<Record> {
        self.lock().records.clone()
    }

    /// How many times the account logged in with its password.
    pub fn logins(&self) -> usize {
        self.lock().logins
    }

    /// What the fake refused as not matching Bluesky's lexicons.
    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    /// Makes every access token issued so far expire, as they do after a few hours.
    pub fn expire_access_tokens(&self) {
        let mut state = self.lock();
        let gone = std::mem::take(&mut state.access);
        state.expired.extend(gone);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn error(status: u16, name: &str, message: &str) -> Canned {
    Canned::json(status, &json!({ "error": name, "message": message }))
}

fn answer(state: &mut State, lexicons: &Lexicons, r: &Recorded) -> Canned {
    let nsid = r.path.strip_prefix("/xrpc/").unwrap_or_default();
    let bearer = r
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_owned);
    match (r.method.as_str(), nsid) {
        ("POST", "com.atproto.server.createSession") => {
            let problems = lexicons.check_input(nsid, &r.json());
            if !problems.is_empty() {
                return refuse(state, nsid, problems);
            }
            let body = r.json();
            if body["identifier"] != HANDLE || body["password"] != APP_PASSWORD {
                return error(
                    401,
                    "AuthenticationRequired",
                    "Invalid identifier or password",
                );
            }
            state.logins += 1;
            session(state)
        }
        ("POST", "com.atproto.server.refreshSession") => {
            match state
                .refresh
                .iter()
                .position(|t| Some(t) == bearer.as_ref())
            {
                Some(at) => {
                    state.refresh.remove(at);
                    session(state)
                }
                None => error(400, "ExpiredToken", "Token has expired"),
            }
        }
        ("GET", "com.atproto.repo.getRecord") => {
            let params: HashMap<String, String> = url::form_urlencoded::parse(r.query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let problems = lexicons.check_params(nsid, &params);
            if !problems.is_empty() {
                return refuse(state, nsid, problems);
            }
            let rkey = params.get("rkey").cloned().unwrap_or_default();
            match state.records.iter().find(|rec| rec.rkey == rkey) {
                Some(rec) => Canned::json(
                    200,
                    &json!({ "uri": rec.uri, "cid": rec.cid, "value": rec.value }),
                ),
                None => error(
                    400,
                    "RecordNotFound",
                    &format!("Could not locate record: at://{DID}/app.bsky.feed.post/{rkey}"),
                ),
            }
        }
        ("POST", "com.atproto.repo.createRecord") => {
            if let Some(refused) = authorize(state, bearer.as_deref()) {
                return refused;
            }
            create(state, lexicons, &r.json())
        }
        _ => {
            state
                .violations
                .push(format!("unknown method {} {}", r.method, r.path));
            error(501, "MethodNotImplemented", "Method Not Implemented")
        }
    }
}

fn refuse(state: &mut State, nsid: &str, problems: Vec<String>) -> Canned {
    state.violations.push(format!("{nsid}: {problems:?}"));
    error(400, "InvalidRequest", &format!("{problems:?}"))
}

fn authorize(state: &State, bearer: Option<&str>) -> Option<Canned> {
    let token = bearer.unwrap_or_default();
    if state.access.iter().any(|t| t == token) {
        None
    } else if state.expired.iter().any(|t| t == token) {
        Some(error(400, "ExpiredToken", "Token has expired"))
    } else {
        Some(error(401, "AuthenticationRequired", "Invalid token"))
    }
}

fn session(state: &mut State) -> Canned {
    state.issued += 1;
    let (access, refresh) = (
        format!("access-{}", state.issued),
        format!("refresh-{}", state.issued),
    );
    state.access.push(access.clone());
    state.refresh.push(refresh.clone());
    Canned::json(
        200,
        &json!({ "accessJwt": access, "refreshJwt": refresh, "handle": HANDLE, "did": DID, "active": true }),
    )
}

fn create(state: &mut State, lexicons: &Lexicons, body: &Value) -> Canned {
    let nsid = "com.atproto.repo.createRecord";
    let mut problems = lexicons.check_input(nsid, body);
    let record = &body["record"];
    problems.extend(lexicons.check_record("app.bsky.feed.post", record));
    let rkey = body["rkey"].as_str().unwrap_or_default().to_owned();
    if !is_tid(&rkey) {
        problems.push(format!(
            "record key {rkey:?} is not a TID: the app does not show the post"
        ));
    }
    if body["repo"] != DID && body["repo"] != HANDLE {
        problems.push(format!("repo {} is not the session's", body["repo"]));
    }
    problems.extend(replies(state, record));
    problems.extend(facets(record));
    if !problems.is_empty() {
        return refuse(state, nsid, problems);
    }
    if state.records.iter().any(|rec| rec.rkey == rkey) {
        // A PDS refuses a second record under the same key: the bot must have looked first.
        state
            .violations
            .push(format!("a second createRecord under {rkey}"));
        return error(400, "InvalidRequest", "Record already exists");
    }
    let rec = Record {
        uri: format!("at://{DID}/app.bsky.feed.post/{rkey}"),
        cid: format!("bafyreifake{:08}", state.records.len()),
        rkey,
        value: record.clone(),
    };
    state.records.push(rec.clone());
    Canned::json(
        200,
        &json!({ "uri": rec.uri, "cid": rec.cid, "validationStatus": "valid" }),
    )
}

/// A TID: 13 characters of the sortable base32 alphabet, the first below `k`.
fn is_tid(key: &str) -> bool {
    key.len() == 13
        && key
            .chars()
            .all(|c| "234567abcdefghijklmnopqrstuvwxyz".contains(c))
        && key.chars().next().is_some_and(|c| c < 'k')
}

/// Each reply reference must name a record the PDS holds, by its current CID.
fn replies(state: &State, record: &Value) -> Vec<String> {
    let Some(reply) = record.get("reply") else {
        return vec![];
    };
    ["root", "parent"]
        .iter()
        .filter(|part| {
            !state.records.iter().any(|rec| {
                reply[**part]["uri"] == rec.uri.as_str() && reply[**part]["cid"] == rec.cid.as_str()
            })
        })
        .map(|part| format!("reply.{part} {} names no record", reply[*part]))
        .collect()
}

/// Each facet's byte range must lie on character boundaries of the text, and a link's text
/// must be its URI.
fn facets(record: &Value) -> Vec<String> {
    let text = record["text"].as_str().unwrap_or_default();
    let mut out = Vec::new();
    for facet in record["facets"].as_array().into_iter().flatten() {
        let start = facet["index"]["byteStart"].as_u64().unwrap_or(u64::MAX) as usize;
        let end = facet["index"]["byteEnd"].as_u64().unwrap_or(0) as usize;
        let Some(slice) = text.get(start..end) else {
            out.push(format!("facet {start}..{end} is not a slice of the text"));
            continue;
        };
        for feature in facet["features"].as_array().into_iter().flatten() {
            if feature["$type"] != "app.bsky.richtext.facet#link" {
                out.push(format!("a {} facet: only links are made", feature["$type"]));
            } else if feature["uri"] != slice {
                out.push(format!(
                    "link facet over {slice:?} points at {}",
                    feature["uri"]
                ));
            }
        }
    }
    out
}
