//! The `ActionRunner` port: sends one run of a runbook action (`[[actions]]`) to its target and
//! says what came back, in our words. The adapter (`outbound::actions`) knows each shape's wire
//! format (a signed webhook, GitHub's workflow dispatch, GitLab's pipeline trigger).

use std::time::Duration;

use crate::clock::BoxFuture;
use crate::domain::{BotReason, RunbookAction};
use crate::render::action_body::ActionFacts;

/// One run to send: the action as configured, and the facts its templates are filled from
/// (with the run's idempotency key as `run_id`).
#[derive(Debug, Clone)]
pub struct ActionCall<'a> {
    /// The action.
    pub action: &'a RunbookAction,
    /// What its templates name.
    pub facts: ActionFacts,
}

/// What became of a run's call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionOutcome {
    /// The target answered 2xx.
    Done {
        /// Its status.
        status: u16,
        /// The answer's first characters, redacted.
        snippet: String,
    },
    /// The target refused or failed it (any other answer), or it could not be sent (a secret
    /// missing from the environment): nothing to retry on its own.
    Failed {
        /// The status, when the target answered.
        status: Option<u16>,
        /// What came back, or why it was not sent, redacted.
        what: String,
    },
    /// The target said it did nothing and to come back later (a 429), or could not be
    /// reached at all: the run may be sent again as it is.
    Later {
        /// How long the target asked us to wait.
        after: Option<Duration>,
        /// What happened.
        what: String,
    },
    /// Sent, and no answer came: the target may or may not have acted.
    Unknown {
        /// What happened.
        what: String,
    },
    /// The bot did not send it, for a reason of its own (never the adapter's answer: the use
    /// case finds it before calling), worded in the templates.
    NotSent(BotReason),
}

/// Sends runs of runbook actions.
pub trait ActionRunner: Send + Sync + std::fmt::Debug + 'static {
    /// Sends one run and classifies what came back. Never retries by itself.
    fn run<'a>(&'a self, call: &'a ActionCall<'a>) -> BoxFuture<'a, ActionOutcome>;
}
