//! A fake outside service on 127.0.0.1 (PagerDuty, ntfy, GitHub, a runbook target, …): it
//! records every request, answers through the responder its service's fake gives it, and plays
//! the faults real services have. A service's own fake (its routes, its state, its published
//! definition checked with `support::openapi`) is a responder; this is the plumbing they share.
//!
//! A fault is queued and taken by the next request:
//! - [`Fault::Answer`]: the service answers this instead and does nothing (a 401, a 429 with its
//!   reset, a 503);
//! - [`Fault::LoseAnswer`]: the service acts, then its answer never arrives, as when the bot
//!   crashes or the connection drops between the call and the bot's record of it. The retry must
//!   then find what was done, not do it again;
//! - [`Fault::Stall`]: the service acts only after a delay (a caller's timeout fires first).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// One request, as the service received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, percent-encoded as sent.
    pub path: String,
    /// The query string, without `?` (empty when none).
    pub query: String,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Recorded {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Canned {
    /// The status.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Canned {
    /// A JSON answer.
    pub fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    /// A plain text answer.
    pub fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
            body: body.to_owned(),
        }
    }

    /// This answer with one more header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// A fault the next request meets.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer this, and do nothing.
    Answer(Canned),
    /// Act, then never answer (the caller's timeout fires).
    LoseAnswer,
    /// Act after this delay, then answer.
    Stall(Duration),
    /// No fault: act and answer as usual. Queued before another fault, it lets that one meet
    /// a later request (a lookup passes, then the create's answer is lost).
    Pass,
}

/// What the service answers a request with.
pub type Responder = Arc<dyn Fn(&Recorded) -> Canned + Send + Sync>;

#[derive(Default)]
struct Books {
    received: Vec<Recorded>,
    acted: Vec<Recorded>,
    faults: VecDeque<Fault>,
}

#[derive(Clone)]
struct Shared {
    books: Arc<Mutex<Books>>,
    responder: Responder,
}

/// A running fake service. Stops when dropped.
pub struct FakeService {
    addr: SocketAddr,
    books: Arc<Mutex<Books>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeService {
    /// Starts a service on a free port of 127.0.0.1 that answers with `responder`.
    pub async fn start(responder: impl Fn(&Recorded) -> Canned + Send + Sync + 'static) -> Self {
        let books = Arc::new(Mutex::new(Books::default()));
        let shared = Shared {
            books: Arc::clone(&books),
            responder: Arc::new(responder),
        };
        let app = axum::Router::new().fallback(serve).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a fake service on 127.0.0.1");
        let addr = listener.local_addr().expect("its address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, books, task }
    }

    /// Its base URL, `http://127.0.0.1:<port>/`: what the bot's `api_base` is set to.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Every request received, faults included, in order.
    pub fn received(&self) -> Vec<Recorded> {
        self.books().received.clone()
    }

    /// The requests the service acted on (its responder ran), in order.
    pub fn acted(&self) -> Vec<Recorded> {
        self.books().acted.clone()
    }

    /// Queues a fault for the next request that has none before it.
    pub fn fault(&self, fault: Fault) {
        self.books().faults.push_back(fault);
    }

    fn books(&self) -> std::sync::MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for FakeService {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = Recorded {
        method: method.as_str().to_owned(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        headers: headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    let fault = {
        let mut books = shared.books.lock().unwrap_or_else(PoisonError::into_inner);
        books.received.push(request.clone());
        books.faults.pop_front()
    };
    if let Some(Fault::Answer(canned)) = fault {
        return reply(canned);
    }
    // The service's work runs on its own task: a caller that gives up (its timeout) drops
    // this connection, and a real service still finishes what it started.
    let work = tokio::spawn(async move {
        if let Some(Fault::Stall(delay)) = fault {
            tokio::time::sleep(delay).await;
        }
        let canned = (shared.responder)(&request);
        shared
            .books
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .acted
            .push(request);
        (canned, matches!(fault, Some(Fault::LoseAnswer)))
    });
    let Ok((canned, lost)) = work.await else {
        return reply(Canned::text(500, "the fake service's responder panicked"));
    };
    if lost {
        // The work is done; the answer is lost. Hold the connection until the caller gives up.
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    reply(canned)
}

fn reply(canned: Canned) -> Response {
    let status = StatusCode::from_u16(canned.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, canned.body).into_response();
    for (name, value) in canned.headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            axum::http::HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}
