//! The view of `action.hbs`: what a runbook action's run says, one kind at a time (the
//! confirmation, its answer, the result in the incident's channel, the question when its
//! outcome is unknown, and that question answered).

use serde::Serialize;

use super::Markup;

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
    /// What came back, or why it was not sent, in a code span (see [`code_span`]).
    pub what: Option<Markup>,
}

/// "Run it?"
#[derive(Debug, Clone, Serialize)]
pub struct ActionConfirm {
    /// The action's label.
    pub label: String,
    /// The incident's number.
    pub number: u32,
    /// What it calls: `POST ops.example.com`, `the GitHub workflow snapshot.yml of studio/ops`.
    pub target: String,
    /// The text of the step its success ticks, if it is bound to one.
    pub step: Option<String>,
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
}

/// Sent, and no answer came.
#[derive(Debug, Clone, Serialize)]
pub struct ActionUnknown {
    /// The action's label.
    pub label: String,
    /// Where it was sent.
    pub target: String,
    /// What happened instead of an answer.
    pub what: String,
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
                target: "POST ops.example.com".into(),
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
            }),
            unknown: Some(ActionUnknown {
                label: label.clone(),
                target: "POST ops.example.com".into(),
                what: "no answer within 10s".into(),
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
            }),
        }
    }
}
