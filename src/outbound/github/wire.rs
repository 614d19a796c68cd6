//! GitHub's issue shapes, as its REST API (`2022-11-28`) reads and writes them.

use serde::{Deserialize, Serialize};

use crate::app::NewTicket;

/// `POST /repos/{owner}/{repo}/issues`.
#[derive(Debug, Serialize)]
pub(super) struct NewIssue {
    title: String,
    body: String,
    labels: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    assignees: Vec<String>,
}

impl From<&NewTicket> for NewIssue {
    fn from(t: &NewTicket) -> Self {
        let body = format!(
            "{}\n\n{}",
            super::super::markdown::render(&t.body),
            hidden(&t.marker)
        );
        Self {
            // GitHub's titles are plain text: nothing to escape, but one line.
            title: t.title.replace(['\n', '\r'], " "),
            body,
            labels: t
                .labels
                .iter()
                .map(|l| l.chars().take(50).collect())
                .collect(),
            assignees: t.assignee.iter().cloned().collect(),
        }
    }
}

/// The marker as it hides in a body: an HTML comment, which GitHub does not show.
pub(super) fn hidden(marker: &str) -> String {
    format!("<!-- {marker} -->")
}

/// `PATCH /repos/{owner}/{repo}/issues/{issue_number}`: the state only.
#[derive(Debug, Serialize)]
pub(super) struct StateChange {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_reason: Option<&'static str>,
}

impl StateChange {
    pub(super) fn closed() -> Self {
        Self {
            state: "closed",
            state_reason: Some("completed"),
        }
    }

    pub(super) fn open() -> Self {
        Self {
            state: "open",
            state_reason: Some("reopened"),
        }
    }
}

/// An issue, as far as the bot reads it.
#[derive(Debug, Deserialize)]
pub(super) struct Issue {
    pub number: u64,
    pub html_url: String,
    #[serde(default)]
    pub body: Option<String>,
}

/// A comment, as far as a retry reads it.
#[derive(Debug, Deserialize)]
pub(super) struct Comment {
    #[serde(default)]
    pub body: Option<String>,
}

/// A repository, as far as `check` reads it.
#[derive(Debug, Deserialize)]
pub(super) struct Repository {
    pub has_issues: bool,
    #[serde(default)]
    pub private: bool,
}
