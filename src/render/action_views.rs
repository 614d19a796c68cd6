//! The view of `action.hbs`: what a runbook action's run says, one kind at a time (the
//! confirmation, its answer, the result in the incident's channel, the question when its
//! outcome is unknown, and that question answered).

use serde::Serialize;

use super::Markup;
use crate::domain::BotReason;

/// `action.hbs`. Exactly one kind is set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ActionNotice {
    /// "Run it?", only the presser sees it.
    pub confirm: Option<ActionConfirm>,
    /// The answer once a run is queued.
    pub queued: Option<ActionQueued>,
    /// What came back, in the incident's channel.
    pub finished: Option<ActionFinished>,
    /// Sent, no answer: did it run?
    pub unknown: Option<ActionUnknown>,
    /// The question above, answered.
    pub answered: Option<ActionAnswered>,
    /// The game's maintenance hook (`[maintenance] hook`) failed, or got no answer.
    pub hook: Option<HookFailed>,
}

/// The game's maintenance hook did not say it worked.
#[derive(Debug, Clone, Serialize)]
pub struct HookFailed {
    /// It was to turn maintenance mode on (else off).
    pub on: bool,
    /// The action's label.
    pub label: String,
    /// The window's title.
    pub window: String,
    /// Sent, and no answer came (else it failed).
    pub unknown: bool,
    /// The status the target answered, if it answered.
    pub status: Option<u16>,
    /// What came back, in a code span (see [`code_span`]).
    pub what: Option<Markup>,
    /// The bot's own reason, instead of what came back.
    pub why: Option<BotReason>,
}

/// "Run it?"
#[derive(Debug, Clone, Serialize)]
pub struct ActionConfirm {
    /// The action's label.
    pub label: String,
    /// The incident's number.
    pub number: u32,
    /// What it calls.
    pub target: ActionTarget,
    /// The text of the step its success ticks, if it is bound to one.
    pub step: Option<String>,
}

/// What an action calls, by its shape, worded in `action.hbs`: `POST ops.example.com`, the
/// GitHub workflow `snapshot.yml` of `studio/ops`, a GitLab pipeline of `studio/ops`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum ActionTarget {
    /// A signed webhook.
    Webhook {
        /// Its HTTP method.
        method: String,
        /// The host of its URL.
        host: String,
    },
    /// A GitHub Actions workflow dispatch.
    GithubWorkflow {
        /// The workflow's file (or id).
        workflow: String,
        /// The repository's owner.
        owner: String,
        /// The repository.
        repo: String,
    },
    /// A GitLab pipeline trigger.
    GitlabPipeline {
        /// The project's path (or id).
        project: String,
    },
}

/// A run queued.
#[derive(Debug, Clone, Serialize)]
pub struct ActionQueued {
    /// The action's label.
    pub label: String,
    /// The run's idempotency key.
    pub run_id: String,
}

/// A run's result.
#[derive(Debug, Clone, Serialize)]
pub struct ActionFinished {
    /// Whether it succeeded.
    pub ok: bool,
    /// The action's label.
    pub label: String,
    /// Who asked for it (a mention).
    pub by: Markup,
    /// The status the target answered, if it answered.
    pub status: Option<u16>,
    /// How long the call took: `1.2s`.
    pub duration: String,
    /// The text of the step ticked by its success.
    pub ticked: Option<String>,
    /// The answer's first 200 characters, redacted, in a code span (see [`code_span`]).
    pub snippet: Option<Markup>,
    /// The bot's own reason for not sending it, instead of an answer.
    pub why: Option<BotReason>,
}

/// Sent, and no answer came.
#[derive(Debug, Clone, Serialize)]
pub struct ActionUnknown {
    /// The action's label.
    pub label: String,
    /// Where it was sent (none: its action is no longer configured).
    pub target: Option<ActionTarget>,
    /// What happened instead of an answer, as the outbound client said it.
    pub what: String,
    /// The bot's own reason instead (it stopped before recording an answer).
    pub why: Option<BotReason>,
    /// The run's idempotency key.
    pub run_id: String,
}

/// The unknown outcome, answered.
#[derive(Debug, Clone, Serialize)]
pub struct ActionAnswered {
    /// "It ran" rather than "Run again".
    pub ran: bool,
    /// The action's label.
    pub label: String,
    /// Who answered (a mention).
    pub by: Markup,
    /// When (a Discord timestamp).
    pub at: Markup,
}

/// `text` as an inline code span: what an outside service answered shows as it came, with no
/// markdown, link or mention in it taking effect (a backtick in it, which would end the span,
/// becomes a quote).
pub fn code_span(text: &str) -> Markup {
    let text = text.replace('`', "'");
    Markup::raw(format!(
        "`{}`",
        if text.trim().is_empty() { "…" } else { &text }
    ))
}

impl ActionNotice {
    /// Every kind filled, for the render tests and `incident-bot render action`.
    pub fn sample() -> Self {
        let label = "Snapshot the database".to_owned();
        Self {
            confirm: Some(ActionConfirm {
                label: label.clone(),
                number: 4,
                target: ActionTarget::Webhook {
                    method: "POST".into(),
                    host: "ops.example.com".into(),
                },
                step: Some("Take database snapshots before changes".into()),
            }),
            queued: Some(ActionQueued {
                label: label.clone(),
                run_id: "ib-4-snapshot-db-1".into(),
            }),
            finished: Some(ActionFinished {
                ok: true,
                label: label.clone(),
                by: Markup::raw("<@100000000000000031>"),
                status: Some(202),
                duration: "1.2s".into(),
                ticked: Some("Take database snapshots before changes".into()),
                snippet: Some(code_span("{\"snapshot\": \"db-2026-12-06\"}")),
                why: None,
            }),
            unknown: Some(ActionUnknown {
                label: label.clone(),
                target: Some(ActionTarget::GithubWorkflow {
                    workflow: "snapshot.yml".into(),
                    owner: "studio".into(),
                    repo: "ops".into(),
                }),
                what: String::new(),
                why: Some(BotReason::Interrupted),
                run_id: "ib-4-snapshot-db-1".into(),
            }),
            answered: Some(ActionAnswered {
                ran: true,
                label,
                by: Markup::raw("<@100000000000000031>"),
                at: Markup::raw("<t:1796029200:f>"),
            }),
            hook: Some(HookFailed {
                on: true,
                label: "Game maintenance mode".into(),
                window: "Maintenance: Login, Matchmaking".into(),
                unknown: false,
                status: Some(500),
                what: Some(code_span("{\"error\": \"admin API down\"}")),
                why: None,
            }),
        }
    }
}
