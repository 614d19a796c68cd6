//! The ports of the status webhooks: `PublicFeed`, what players were told in Statuspage's
//! shape (implemented by `status`, which builds the page from the same reads), and
//! `StatusHookSender`, which POSTs one signed delivery to one `[[status.webhooks]]` receiver
//! (implemented by `outbound::status_webhook`).

use std::fmt::Debug;

use chrono::{DateTime, Utc};

use crate::app::App;
use crate::clock::BoxFuture;
use crate::scheduler::JobError;

/// The page as a status webhook names it: its id and overall state.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeedPage {
    /// The page's stable id (the same as in `/api/v2/*.json`).
    pub id: String,
    /// `none`, `minor`, `major` or `critical`.
    pub status_indicator: String,
    /// The page's state in words (`Partial System Outage`).
    pub status_description: String,
}

/// One incident or maintenance window players were told of, as `/api/v2` serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    /// Its Statuspage id: the incident's number, or `m` and the window's id.
    pub id: String,
    /// Whether it is still going on (an open incident, a window ahead or under way).
    pub current: bool,
    /// The Statuspage incident (or scheduled maintenance) object.
    pub json: serde_json::Value,
}

impl FeedItem {
    /// The Statuspage id of incident number `number`: the number itself. The page's API
    /// (`status`) and the webhook queue (`app::status_hooks`) both name items by it.
    pub fn incident_id(number: u32) -> String {
        number.to_string()
    }

    /// The Statuspage id of maintenance window `window`: `m` and its id.
    pub fn window_id(window: i64) -> String {
        format!("m{window}")
    }
}

/// Everything players may see now.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicState {
    /// The page.
    pub page: FeedPage,
    /// The incidents (newest first), then the windows.
    pub items: Vec<FeedItem>,
}

/// What players were told, read afresh.
pub trait PublicFeed: Send + Sync + Debug {
    /// The page and every public incident and window now.
    fn read<'a>(&'a self, app: &'a App) -> BoxFuture<'a, anyhow::Result<PublicState>>;
}

/// One delivery to send.
#[derive(Debug, Clone, Copy)]
pub struct HookCall<'a> {
    /// The webhook's name (`[[status.webhooks]] name`).
    pub webhook: &'a str,
    /// The delivery's id, the same on every attempt.
    pub delivery: &'a str,
    /// The JSON, the same on every attempt.
    pub body: &'a str,
    /// Now: the signature's timestamp.
    pub at: DateTime<Utc>,
}

/// POSTs signed deliveries to the configured webhooks.
pub trait StatusHookSender: Send + Sync + Debug {
    /// Sends `call`. A failure of any kind is the receiver's (the caller counts it towards
    /// turning the webhook off); a passing one says when to retry if the receiver said.
    fn deliver<'a>(&'a self, call: HookCall<'a>) -> BoxFuture<'a, Result<(), JobError>>;
}
