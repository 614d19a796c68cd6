//! What a finished call of a runbook action (a run, or the maintenance hook's call) says
//! beside its state: the target's own words, or the bot's reason for not sending it (or for not
//! knowing what became of it). The bot's reasons are kinds, stored as a word and worded only in
//! the templates (`timeline.hbs`, `action.hbs`); the target's words are its text, shown as they
//! came.

use serde::Serialize;

use super::ActionId;

/// What a finished call says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunNote {
    /// What came back, or what the outbound client said of the call (redacted, its first
    /// characters): the service's text, not ours. Empty when it said nothing.
    Said(String),
    /// The bot's own reason.
    Bot(BotReason),
}

/// Why the bot did not send a call, or does not know what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BotReason {
    /// The action is no longer in the config (it was removed while the call waited).
    NotConfigured {
        /// The action's id.
        action: ActionId,
    },
    /// This process has no way to send runbook actions.
    NotSetUp,
    /// The bot stopped after sending it, before it recorded an answer.
    Interrupted,
    /// The action's secret is named `env:NAME` but NAME is not set in this process.
    SecretMissing {
        /// The environment variable's name (never its value).
        var: String,
    },
}

/// How a [`BotReason::SecretMissing`] is stored: this prefix, then the variable's name (whose
/// characters, `A-Z`, `0-9` and `_`, never include the colon).
const SECRET_MISSING: &str = "secret_missing:";

impl BotReason {
    /// The word stored for it (the action of `NotConfigured` is the row's own; a missing
    /// secret keeps its variable's name after the word).
    pub fn key(&self) -> String {
        match self {
            Self::NotConfigured { .. } => "not_configured".into(),
            Self::NotSetUp => "not_set_up".into(),
            Self::Interrupted => "interrupted".into(),
            Self::SecretMissing { var } => format!("{SECRET_MISSING}{var}"),
        }
    }

    /// Reads a stored word back, for a call of `action`.
    pub fn parse(key: &str, action: &ActionId) -> Option<Self> {
        match key {
            "not_configured" => Some(Self::NotConfigured {
                action: action.clone(),
            }),
            "not_set_up" => Some(Self::NotSetUp),
            "interrupted" => Some(Self::Interrupted),
            _ => key
                .strip_prefix(SECRET_MISSING)
                .filter(|var| {
                    !var.is_empty()
                        && var
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                })
                .map(|var| Self::SecretMissing {
                    var: var.to_owned(),
                }),
        }
    }
}

impl RunNote {
    /// The target's words, when it is that.
    pub fn said(&self) -> Option<&str> {
        match self {
            Self::Said(text) => Some(text),
            Self::Bot(_) => None,
        }
    }

    /// The bot's reason, when it is that.
    pub fn reason(&self) -> Option<&BotReason> {
        match self {
            Self::Said(_) => None,
            Self::Bot(reason) => Some(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_reads_back_as_written() {
        let action = ActionId::parse("snapshot-db").expect("an id");
        for reason in [
            BotReason::NotConfigured {
                action: action.clone(),
            },
            BotReason::NotSetUp,
            BotReason::Interrupted,
            BotReason::SecretMissing {
                var: "OPS_TOKEN".into(),
            },
        ] {
            assert_eq!(BotReason::parse(&reason.key(), &action), Some(reason));
        }
        assert_eq!(BotReason::parse("no action `x`", &action), None);
        assert_eq!(BotReason::parse("secret_missing:", &action), None);
        assert_eq!(BotReason::parse("secret_missing:a b", &action), None);
    }
}
