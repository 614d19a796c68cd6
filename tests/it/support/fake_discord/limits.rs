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

/// Top-level components of a message without the IS_COMPONENTS_V2 flag: five action rows.
/// The spec allows 40 there, which only that flag gets (Discord's 2025-04-29 change log:
/// "Legacy messages continue to allow up to 5 action rows").
pub const MAX_ACTION_ROWS: usize = 5;
/// Buttons in one action row.
pub const MAX_ROW_BUTTONS: usize = 5;
/// A button's label, in characters.
pub const MAX_BUTTON_LABEL: usize = 80;
/// A component's custom id, in characters.
pub const MAX_CUSTOM_ID: usize = 100;
/// The message flag that lifts the five-row limit (and changes what a message may hold).
const IS_COMPONENTS_V2: u64 = 1 << 15;

fn too_long(max: usize) -> Value {
    json!({ "code": "BASE_TYPE_MAX_LENGTH", "message": format!("Must be {max} or fewer in length.") })
}

/// Field errors for a message's components, as Discord names them: five action rows of at
/// most five buttons each (25 in all), labels up to 80 characters, custom ids up to 100 and
/// each used once in the message. The spec states the last three per row, not the rows.
fn component_errors(body: &Value) -> Vec<(String, Value)> {
    let mut errors = Vec::new();
    let Some(rows) = body["components"].as_array() else {
        return errors;
    };
    let v2 = body["flags"].as_u64().unwrap_or(0) & IS_COMPONENTS_V2 != 0;
    if !v2 && rows.len() > MAX_ACTION_ROWS {
        errors.push(("/components".to_owned(), too_long(MAX_ACTION_ROWS)));
    }
    let mut ids = std::collections::HashSet::new();
    for (r, row) in rows.iter().enumerate() {
        let children = row["components"].as_array().map_or(&[][..], Vec::as_slice);
        // "An Action Row can contain up to 5 buttons or a single select component."
        let selects = children
            .iter()
            .filter(|c| matches!(c["type"].as_u64(), Some(3 | 5..=8)))
            .count();
        if row["type"] == 1 && selects > 0 && children.len() > 1 {
            errors.push((
                format!("/components/{r}/components"),
                json!({ "code": "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "message": "The specified component exceeds the maximum width" }),
            ));
        }
        for (c, child) in children.iter().enumerate() {
            let values = child["options"].as_array().map_or(&[][..], Vec::as_slice);
            let mut seen = std::collections::HashSet::new();
            for (o, option) in values.iter().enumerate() {
                if !seen.insert(option["value"].to_string()) {
                    errors.push((
                        format!("/components/{r}/components/{c}/options/{o}/value"),
                        json!({ "code": "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                            "message": "Select component option value must be unique" }),
                    ));
                }
            }
        }
        if row["type"] == 1 && children.len() > MAX_ROW_BUTTONS {
            errors.push((
                format!("/components/{r}/components"),
                json!({ "code": "BASE_TYPE_BAD_LENGTH",
                    "message": format!("Must be between 1 and {MAX_ROW_BUTTONS} in length.") }),
            ));
        }
        for (c, child) in children.iter().enumerate() {
            let at = format!("/components/{r}/components/{c}");
            let chars = |key: &str| child[key].as_str().map_or(0, |s| s.chars().count());
            if chars("label") > MAX_BUTTON_LABEL {
                errors.push((format!("{at}/label"), too_long(MAX_BUTTON_LABEL)));
            }
            if chars("custom_id") > MAX_CUSTOM_ID {
                errors.push((format!("{at}/custom_id"), too_long(MAX_CUSTOM_ID)));
            }
            if let Some(id) = child["custom_id"].as_str() {
                if !ids.insert(id.to_owned()) {
                    errors.push((
                        format!("{at}/custom_id"),
                        json!({ "code": "COMPONENT_CUSTOM_ID_DUPLICATED",
                            "message": "Component custom id was already specified" }),
                    ));
                }
            }
        }
    }
    errors
}

/// Field errors for a message payload (create, edit, interaction response, follow-up).
pub fn message_errors(body: &Value) -> Vec<(String, Value)> {
    let mut errors = component_errors(body);
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
