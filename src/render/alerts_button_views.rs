//! The words of the players' alerts button (`alerts_button.hbs`): the message under which the
//! buttons sit, what a player reads after a press, what the one who posts it reads, and what
//! the log channel hears when Discord refuses the role.

use serde::Serialize;

use super::Markup;

/// One block of `alerts_button.hbs`: `word` picks it.
#[derive(Debug, Clone, Serialize)]
pub struct AlertsButtonView {
    /// Which block: one of [`ALERTS_BUTTON_WORDS`].
    pub word: &'static str,
    /// The alert role, as a mention (shown as its name; it pings nobody here).
    pub role: Option<Markup>,
    /// The alert role's id, for a role that no longer exists.
    pub role_id: Option<String>,
    /// The announcement channel, as a link.
    pub channel: Option<Markup>,
    /// How many seconds to wait before pressing again.
    pub wait: i64,
    /// Why a post failed, as the bot says it.
    pub why: Option<Markup>,
}

/// Every block `alerts_button.hbs` has.
pub const ALERTS_BUTTON_WORDS: [&str; 14] = [
    "message",
    "on",
    "off",
    "too_fast",
    "could_not",
    "busy",
    "not_set",
    "posted",
    "updated",
    "cannot_post",
    "log_forbidden",
    "log_unknown_role",
    "audit_on",
    "audit_off",
];

impl AlertsButtonView {
    /// The block `word`, with nothing filled in.
    pub fn word(word: &'static str) -> Self {
        Self {
            word,
            role: None,
            role_id: None,
            channel: None,
            wait: 0,
            why: None,
        }
    }

    /// One view per block, each filled.
    pub fn samples() -> Vec<Self> {
        ALERTS_BUTTON_WORDS
            .into_iter()
            .map(|word| Self {
                role: Some(Markup::raw("<@&23>")),
                role_id: Some("23".into()),
                channel: Some(Markup::raw("<#222>")),
                wait: 42,
                why: Some(Markup::raw(
                    "I can't post in <#222>: give me **Send Messages** there.",
                )),
                ..Self::word(word)
            })
            .collect()
    }
}
