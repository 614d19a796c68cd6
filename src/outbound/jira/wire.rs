//! Jira Cloud's REST v3 shapes, as far as the bot writes and reads them.

use serde::{Deserialize, Serialize};

use super::adf::Doc;

/// `POST /rest/api/3/issue`.
#[derive(Debug, Serialize)]
pub(super) struct NewIssue {
    pub fields: Fields,
}

/// The fields of a new issue.
#[derive(Debug, Serialize)]
pub(super) struct Fields {
    pub project: ProjectKey,
    pub summary: String,
    pub issuetype: IssueType,
    pub description: Doc,
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Account>,
}

#[derive(Debug, Serialize)]
pub(super) struct ProjectKey {
    pub key: String,
}

#[derive(Debug, Serialize)]
pub(super) struct IssueType {
    pub name: String,
}

#[derive(Debug, Serialize)]
pub(super) struct Account {
    #[serde(rename = "accountId")]
    pub account_id: String,
}

/// `POST /rest/api/3/issue/{key}/comment`.
#[derive(Debug, Serialize)]
pub(super) struct NewComment {
    pub body: Doc,
}

/// `POST /rest/api/3/search`.
#[derive(Debug, Serialize)]
pub(super) struct Search {
    pub jql: String,
    pub fields: Vec<&'static str>,
    #[serde(rename = "maxResults")]
    pub max_results: u32,
}

/// `POST /rest/api/3/issue/{key}/transitions`.
#[derive(Debug, Serialize)]
pub(super) struct DoTransition {
    pub transition: TransitionId,
}

#[derive(Debug, Serialize)]
pub(super) struct TransitionId {
    pub id: String,
}

/// A created issue, or one found.
#[derive(Debug, Deserialize)]
pub(super) struct IssueKey {
    pub key: String,
}

/// What a search found.
#[derive(Debug, Deserialize)]
pub(super) struct Found {
    #[serde(default)]
    pub issues: Vec<IssueKey>,
}

/// The transitions an issue may take now.
#[derive(Debug, Deserialize)]
pub(super) struct Transitions {
    #[serde(default)]
    pub transitions: Vec<Transition>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Transition {
    pub id: String,
    pub to: Status,
}

#[derive(Debug, Deserialize)]
pub(super) struct Status {
    #[serde(rename = "statusCategory")]
    pub category: Category,
}

#[derive(Debug, Deserialize)]
pub(super) struct Category {
    /// `new`, `indeterminate` or `done`.
    pub key: String,
}
