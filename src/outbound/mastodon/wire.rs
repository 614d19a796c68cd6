//! Mastodon's JSON, as far as the bot reads or writes it: the Instance (v2) entity's status
//! limits, the Account's id, the Status's id, and the body of `POST /api/v1/statuses`.

use serde::{Deserialize, Serialize};

/// `GET /api/v2/instance`: only `configuration.statuses`.
#[derive(Debug, Deserialize)]
pub(super) struct Instance {
    pub configuration: Configuration,
}

/// `Instance.configuration`.
#[derive(Debug, Deserialize)]
pub(super) struct Configuration {
    pub statuses: StatusLimits,
}

/// `Instance.configuration.statuses`.
#[derive(Debug, Deserialize)]
pub(super) struct StatusLimits {
    pub max_characters: usize,
    pub characters_reserved_per_url: usize,
}

/// An Account (`verify_credentials`): only its id.
#[derive(Debug, Deserialize)]
pub(super) struct Account {
    pub id: String,
}

/// A Status: what the bot reads of one.
#[derive(Debug, Deserialize)]
pub(super) struct Status {
    pub id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub in_reply_to_id: Option<String>,
    /// HTML.
    pub content: String,
}

/// The body of `POST /api/v1/statuses`.
#[derive(Debug, Serialize)]
pub(super) struct NewStatus<'a> {
    pub status: &'a str,
    pub visibility: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_reply_to_id: Option<&'a str>,
}
