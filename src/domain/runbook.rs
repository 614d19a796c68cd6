//! Runbook actions: the HTTP calls a studio already has (snapshot the database, scale up, run
//! the smoke tests), named in `[[actions]]` so that a checklist step's button or
//! `/incident run` performs them. Here are the parsed definitions and the states of one run;
//! sending them is the outbound adapter's work, and the use cases are in `app/`.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};

use super::{IncidentKind, StepId};

/// An action's id: the same rule as a step's (1 to 32 of `a-z`, `0-9`, `-`), since a button's
/// custom id carries it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ActionId(String);

impl ActionId {
    /// Parses an id, or says what one looks like.
    pub fn parse(text: &str) -> Result<Self, String> {
        StepId::parse(text)
            .map(|s| Self(s.as_str().to_owned()))
            .map_err(|_| {
                format!(
                    "`{text}` is not an action id: use 1 to 32 lowercase letters, digits and \
                 dashes, such as `snapshot-db`"
                )
            })
    }

    /// An id read back from the store, as it was written.
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ActionId {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ActionId> for String {
    fn from(id: ActionId) -> String {
        id.0
    }
}

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A secret named by the environment variable that holds it (`env:NAME` in the file): the
/// config never holds the value itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EnvSecret(String);

impl EnvSecret {
    /// Parses `env:NAME`, NAME of `A-Z`, `0-9` and `_`; anything else is a secret written inline.
    pub fn parse(text: &str) -> Result<Self, String> {
        let name = text.strip_prefix("env:").unwrap_or_default();
        let fits = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if fits {
            Ok(Self(name.to_owned()))
        } else {
            Err(
                "a secret is never written in the config file: write `env:NAME` and put the \
                 value in the environment variable NAME"
                    .to_owned(),
            )
        }
    }

    /// The environment variable's name.
    pub fn var(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EnvSecret {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<EnvSecret> for String {
    fn from(s: EnvSecret) -> String {
        format!("env:{}", s.0)
    }
}

/// Who may run an action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Runners {
    /// Anyone who works incidents.
    #[default]
    Responders,
    /// Incident commanders only.
    Commanders,
}

/// The built-in shapes, each with the fields it needs; `webhook` is any HTTP call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// A generic HTTP call, signed with HMAC-SHA256 when `secret` is set.
    #[default]
    Webhook,
    /// GitHub Actions' `workflow_dispatch`.
    GithubWorkflow,
    /// GitLab's pipeline trigger.
    GitlabPipeline,
}

/// One `[[actions]]` entry, as written. Which fields a shape needs is checked by `check`
/// (`config::rules`), which names the entry and the key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunbookAction {
    /// Its id: what a step's `action` and `/incident run action:` name.
    pub id: ActionId,
    /// What people read: the confirmation, the timeline, the autocomplete.
    pub label: String,
    /// The built-in shape.
    #[serde(default)]
    pub kind: Shape,
    /// Who may run it.
    #[serde(default)]
    pub who: Runners,
    /// Whether a press asks "are you sure?" first.
    #[serde(default = "yes")]
    pub confirm: bool,
    /// The incident kinds it may run in (availability incidents only by default).
    #[serde(default = "availability_only")]
    pub kinds: Vec<IncidentKind>,
    /// How long to wait for an answer before its outcome is unknown.
    #[serde(default = "ten_seconds", deserialize_with = "duration")]
    pub timeout: Duration,
    /// `webhook`: the method (POST by default).
    #[serde(default)]
    pub method: Option<String>,
    /// `webhook`: where.
    #[serde(default)]
    pub url: Option<String>,
    /// `webhook`: extra headers; a credential only as `env:NAME`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// `webhook`: the JSON body, a handlebars template.
    #[serde(default)]
    pub body: Option<String>,
    /// `webhook`: the HMAC-SHA256 key that signs each body.
    #[serde(default)]
    pub secret: Option<EnvSecret>,
    /// `github_workflow`, `gitlab_pipeline`: the API's base URL (the real host by default).
    #[serde(default)]
    pub api_base: Option<String>,
    /// `github_workflow`, `gitlab_pipeline`: the token.
    #[serde(default)]
    pub token: Option<EnvSecret>,
    /// `github_workflow`: the repository's owner.
    #[serde(default)]
    pub owner: Option<String>,
    /// `github_workflow`: the repository.
    #[serde(default)]
    pub repo: Option<String>,
    /// `github_workflow`: the workflow's file name (`snapshot.yml`) or id.
    #[serde(default)]
    pub workflow: Option<String>,
    /// `github_workflow`, `gitlab_pipeline`: the branch or tag to run on.
    #[serde(default, rename = "ref")]
    pub git_ref: Option<String>,
    /// `github_workflow`: the workflow's inputs, each value a template.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// `gitlab_pipeline`: the project's id or path (`studio/ops`).
    #[serde(default)]
    pub project: Option<String>,
    /// `gitlab_pipeline`: the pipeline's variables, each value a template.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

/// Availability incidents only, unless the action says otherwise: a security incident
/// reaches an outside system only where the config names it on purpose.
fn availability_only() -> Vec<IncidentKind> {
    vec![IncidentKind::Availability]
}

fn ten_seconds() -> Duration {
    Duration::from_secs(10)
}

/// The longest an action may be waited for: past it, a run's outcome is asked of people.
pub const MAX_ACTION_TIMEOUT: Duration = Duration::from_secs(300);

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    let parsed = humantime::parse_duration(text.trim()).map_err(|e| {
        serde::de::Error::custom(format!("`{text}` is not a duration such as \"30s\": {e}"))
    })?;
    if parsed.is_zero() || parsed > MAX_ACTION_TIMEOUT {
        return Err(serde::de::Error::custom(format!(
            "an action's timeout is more than 0 and at most {}",
            humantime::format_duration(MAX_ACTION_TIMEOUT)
        )));
    }
    Ok(parsed)
}

impl RunbookAction {
    /// Whether it may run in an incident of `kind`.
    pub fn runs_in(&self, kind: IncidentKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// The headers whose values carry a credential by their name: they must be `env:NAME`.
    pub fn is_credential_header(name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        [
            "auth",
            "token",
            "secret",
            "key",
            "cookie",
            "password",
            "signature",
        ]
        .iter()
        .any(|w| name.contains(w))
    }
}

/// Where one run of an action stands. Recorded before anything is sent, so that after a
/// crash the bot knows whether the call may have gone out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Recorded, its job queued; nothing sent.
    Queued,
    /// About to be sent, or sent: no answer recorded yet.
    Sending,
    /// The target answered 2xx, or someone said it ran.
    Succeeded,
    /// The target answered something else, or it could not be sent.
    Failed,
    /// Sent, and no answer came: the channel is asked before it is sent again.
    Unknown,
}

impl RunState {
    /// The word stored.
    pub fn key(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
        }
    }

    /// Reads a stored word.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Queued,
            Self::Sending,
            Self::Succeeded,
            Self::Failed,
            Self::Unknown,
        ]
        .into_iter()
        .find(|s| s.key() == text)
    }

    /// Whether the run is over (nothing more will be sent without someone asking).
    pub fn is_over(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_only_a_variables_name() {
        assert_eq!(
            EnvSecret::parse("env:OPS_TOKEN").map(|s| s.0),
            Ok("OPS_TOKEN".into())
        );
        assert!(EnvSecret::parse("Bearer abc123").is_err());
        assert!(EnvSecret::parse("env:").is_err());
        assert!(EnvSecret::parse("env:lower").is_err());
    }

    #[test]
    fn credential_headers_are_known_by_their_names() {
        for name in ["Authorization", "X-Api-Key", "PRIVATE-TOKEN", "Cookie"] {
            assert!(RunbookAction::is_credential_header(name), "{name}");
        }
        assert!(!RunbookAction::is_credential_header("Content-Type"));
    }

    #[test]
    fn a_run_state_reads_back_as_written() {
        for s in ["queued", "sending", "succeeded", "failed", "unknown"] {
            assert_eq!(RunState::parse(s).map(RunState::key), Some(s));
        }
    }
}
