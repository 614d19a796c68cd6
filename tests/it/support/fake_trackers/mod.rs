//! Fake issue trackers on loopback (GitHub, Jira, Linear), each a [`FakeService`] whose
//! responder checks every request against its service's published definition, keeps the
//! issues it was asked to make, and answers as the service does (201 with the issue, 401 for a
//! wrong credential, 404 for an unknown project, 410 when GitHub's issues are off).
//!
//! A request the definition does not allow is answered as the service would (400/422) and
//! kept in `violations()`, which every test asserts empty.

pub mod github;
pub mod jira;
pub mod linear;

use std::sync::{Arc, Mutex, PoisonError};

/// An issue as the fake keeps it, whatever the tracker.
#[derive(Debug, Clone, Default)]
pub struct FakeIssue {
    /// GitHub's number, Jira's key, Linear's id.
    pub key: String,
    /// The repository, project or team it is in.
    pub project: String,
    /// Its title.
    pub title: String,
    /// Its body (GitHub, Linear: Markdown; Jira: the ADF as JSON text).
    pub body: String,
    /// Its labels.
    pub labels: Vec<String>,
    /// Who it is assigned to.
    pub assignees: Vec<String>,
    /// Open or closed.
    pub open: bool,
    /// Its comments' texts.
    pub comments: Vec<String>,
}

/// What a fake tracker keeps.
#[derive(Debug, Default)]
pub struct Books {
    /// The issues, in the order made.
    pub issues: Vec<FakeIssue>,
    /// Requests its definition does not allow.
    pub violations: Vec<String>,
}

/// The books, shared with the responder.
pub type Shared = Arc<Mutex<Books>>;

/// Locks the books.
pub fn books(shared: &Shared) -> std::sync::MutexGuard<'_, Books> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits until `condition` holds, for at most the harness's step; panics naming `what`.
pub async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + crate::support::bot::STEP;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// `[tracker]` settings of `kind` on `base`, with `extra` keys, as an operator writes them.
pub fn settings(
    kind: &str,
    base: &str,
    extra: serde_json::Value,
) -> incident_bot::config::tracker::TrackerSettings {
    let mut table = serde_json::json!({ "kind": kind, "api_base": base, "timeout": "1s" });
    if let (Some(t), Some(more)) = (table.as_object_mut(), extra.as_object()) {
        t.extend(more.clone());
    }
    serde_json::from_value(table).expect("valid [tracker] settings")
}
