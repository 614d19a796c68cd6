//! Discord's limits that the OpenAPI spec does not carry, enforced as Discord enforces them.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::mentions::allowed_mentions_error;

/// Message content, in characters (the spec allows 4000, which only Nitro users get).
pub const MAX_CONTENT: usize = 2000;
/// Characters across all embeds of one message.
pub const MAX_EMBED_TOTAL: usize = 6000;
/// Channels in a guild (code 30013 past it).
pub const MAX_GUILD_CHANNELS: usize = 500;
/// Channels in one category.
pub const MAX_CATEGORY_CHILDREN: usize = 50;
/// Renames allowed per channel within [`RENAME_WINDOW`].
pub const MAX_RENAMES: usize = 2;
/// The channel rename window.
pub const RENAME_WINDOW: Duration = Duration::from_secs(10 * 60);
/// Crossposts allowed per channel within [`CROSSPOST_WINDOW`].
pub const MAX_CROSSPOSTS: usize = 10;
/// The crosspost window.
pub const CROSSPOST_WINDOW: Duration = Duration::from_secs(60 * 60);
/// Time to acknowledge an interaction.
pub const ACK_DEADLINE: Duration = Duration::from_secs(3);
/// Lifetime of an interaction token for webhook calls.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// How long Discord remembers a nonce for `enforce_nonce`. Discord only says "the past few
/// minutes"; the fake keeps the short end so a bot relying on a longer window fails here.
pub const NONCE_WINDOW: Duration = Duration::from_secs(2 * 60);

/// Field errors for a message payload (create, edit, interaction response, follow-up).
pub fn message_errors(body: &Value) -> Vec<(String, Value)> {
    let mut errors = Vec::new();
    if let Some(content) = body["content"].as_str() {
        if content.chars().count() > MAX_CONTENT {
            errors.push((
                "/content".to_owned(),
                json!({ "code": "BASE_TYPE_MAX_LENGTH",
                    "message": format!("Must be {MAX_CONTENT} or fewer in length.") }),
            ));
        }
    }
    if let Some(embeds) = body["embeds"].as_array() {
        let total: usize = embeds.iter().map(embed_chars).sum();
        if total > MAX_EMBED_TOTAL {
            errors.push((
                "/embeds".to_owned(),
                json!({ "code": "MAX_EMBED_SIZE_EXCEEDED",
                    "message": format!("Embed size exceeds maximum size of {MAX_EMBED_TOTAL}") }),
            ));
        }
    }
    errors.extend(allowed_mentions_error(body.get("allowed_mentions")));
    errors
}

/// Characters Discord counts toward the 6000: title, description, field names and values,
/// footer text and author name.
pub fn embed_chars(embed: &Value) -> usize {
    let text = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    text(&embed["title"])
        + text(&embed["description"])
        + text(&embed["footer"]["text"])
        + text(&embed["author"]["name"])
        + embed["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| text(&f["name"]) + text(&f["value"]))
            .sum::<usize>()
}

/// Whether a new message would have nothing to show (Discord answers 50006).
pub fn is_empty_message(body: &Value, files: usize) -> bool {
    let has = |key: &str| match &body[key] {
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Null => false,
        _ => true,
    };
    files == 0
        && !["content", "embeds", "components", "sticker_ids", "poll"]
            .iter()
            .any(|k| has(k))
}

/// A sliding-window limit: `Ok` records the use, `Err` says how long until one frees up.
pub fn take_slot(
    uses: &mut VecDeque<Instant>,
    now: Instant,
    window: Duration,
    max: usize,
) -> Result<(), Duration> {
    while uses
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        uses.pop_front();
    }
    if uses.len() >= max {
        let oldest = uses.front().copied().unwrap_or(now);
        return Err(window.saturating_sub(now.duration_since(oldest)));
    }
    uses.push_back(now);
    Ok(())
}
