//! Cloudflare's wire shapes: the envelope every v4 answer comes in, and the few fields of an
//! access rule, a list item and a bulk operation the adapter reads.

use serde::Deserialize;

use crate::scheduler::JobError;

/// `{success, errors, messages, result}`.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope<T> {
    /// Whether the call did what was asked.
    pub success: bool,
    /// Why not, when it did not.
    #[serde(default)]
    pub errors: Vec<ApiMessage>,
    /// The result; `null` on failure.
    pub result: Option<T>,
}

/// One of the envelope's `errors`.
#[derive(Debug, Deserialize)]
pub(super) struct ApiMessage {
    /// Cloudflare's code: 10000 is an authentication error.
    #[serde(default)]
    pub code: i64,
    /// What it says.
    #[serde(default)]
    pub message: String,
}

/// An IP access rule, as listed or created.
#[derive(Debug, Deserialize)]
pub(super) struct AccessRule {
    /// Its id.
    pub id: String,
    /// Its notes.
    #[serde(default)]
    pub notes: String,
    /// What it matches.
    pub configuration: Configuration,
}

/// An access rule's `configuration`.
#[derive(Debug, Deserialize)]
pub(super) struct Configuration {
    /// The address or range.
    #[serde(default)]
    pub value: String,
}

/// A deleted rule's or a created object's id.
#[derive(Debug, Deserialize)]
pub(super) struct Id {
    /// The id.
    pub id: String,
}

/// A list item, as listed.
#[derive(Debug, Deserialize)]
pub(super) struct ListItem {
    /// Its id.
    pub id: String,
    /// Its address or range.
    #[serde(default)]
    pub ip: Option<String>,
    /// Its comment.
    #[serde(default)]
    pub comment: Option<String>,
}

/// What a list write answers: the bulk operation that will do it.
#[derive(Debug, Deserialize)]
pub(super) struct Operation {
    /// Its id, to poll.
    pub operation_id: String,
}

/// A bulk operation's state.
#[derive(Debug, Deserialize)]
pub(super) struct OperationState {
    /// `pending`, `running`, `completed` or `failed`.
    pub status: String,
    /// Why it failed.
    #[serde(default)]
    pub error: Option<String>,
}

/// The envelope's result, or the job's error: `success: false` quotes Cloudflare's errors.
pub(super) fn result<T>(answer: &super::Answer) -> Result<T, JobError>
where
    T: serde::de::DeserializeOwned,
{
    let envelope: Envelope<T> = answer.json().map_err(|e| JobError::fatal(e.to_string()))?;
    match (envelope.success, envelope.result) {
        (true, Some(result)) => Ok(result),
        (_, _) => Err(JobError::fatal(format!(
            "Cloudflare did not do it: {}",
            said(&envelope.errors)
        ))),
    }
}

/// The errors as one line: `10009 duplicate rule; …`.
fn said(errors: &[ApiMessage]) -> String {
    if errors.is_empty() {
        return "no reason given".to_owned();
    }
    errors
        .iter()
        .map(|e| format!("{} {}", e.code, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Cloudflare's errors out of an error answer's snippet, when it is a whole envelope; else
/// the snippet as it is.
pub(super) fn errors_of(snippet: &str) -> String {
    match serde_json::from_str::<Envelope<serde_json::Value>>(snippet) {
        Ok(envelope) if !envelope.errors.is_empty() => said(&envelope.errors),
        _ => snippet.to_owned(),
    }
}
