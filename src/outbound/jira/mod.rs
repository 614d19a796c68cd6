//! Jira Cloud as the `Tracker`: an issue per incident and per action item in `[tracker]
//! project` (security incidents in `security_project`), its description and comments in
//! Atlassian Document Format ([`adf`]), closed and reopened by the workflow transition into a
//! done (or a not-done) status. The marker is a label, found again with JQL.

pub mod adf;
mod wire;

use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};

use super::{endpoint, CallError, Outbound};
use crate::app::{NewTicket, Paragraph, Ticket, Tracker, TrackerError};
use crate::clock::BoxFuture;

const SERVICE: &str = "jira";

/// The account and its API token.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The account's email.
    pub email: SecretString,
    /// Its API token.
    pub token: SecretString,
}

/// The Jira adapter.
#[derive(Debug, Clone)]
pub struct Jira {
    outbound: Outbound,
    site: url::Url,
    credentials: Credentials,
    project: String,
    private: Option<String>,
    issue_type: String,
    timeout: Duration,
}

/// A Jira label: no spaces.
fn label(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_whitespace() || c == ':' {
                '-'
            } else {
                c
            }
        })
        .take(255)
        .collect()
}

impl Jira {
    /// An adapter on the site `site` for `project`, security incidents in `private`.
    pub fn new(
        outbound: Outbound,
        site: url::Url,
        credentials: Credentials,
        project: String,
        private: Option<String>,
        issue_type: String,
        timeout: Duration,
    ) -> Self {
        Self {
            outbound,
            site,
            credentials,
            project,
            private,
            issue_type,
            timeout,
        }
    }

    fn project(&self, private: bool) -> Result<&str, TrackerError> {
        if private {
            self.private.as_deref().ok_or_else(|| {
                TrackerError::Refused("no private project: set [tracker] security_project".into())
            })
        } else {
            Ok(&self.project)
        }
    }

    async fn send<B: serde::Serialize>(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<&B>,
    ) -> Result<super::Answer, TrackerError> {
        let path: Vec<&str> = ["rest", "api", "3"]
            .into_iter()
            .chain(segments.iter().copied())
            .collect();
        let url = endpoint(&self.site, &path).map_err(|e| self.refused(e))?;
        let mut request = self
            .outbound
            .request(method, url)
            .basic_auth(
                self.credentials.email.expose_secret(),
                Some(self.credentials.token.expose_secret()),
            )
            .header("accept", "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        self.outbound
            .send(SERVICE, self.timeout, request)
            .await
            .map_err(|e| self.refused(e))
    }

    fn refused(&self, e: CallError) -> TrackerError {
        use crate::config::tracker::{JIRA_EMAIL_VAR, JIRA_TOKEN_VAR};
        let fix = match &e {
            CallError::Unavailable { after, .. } => {
                return TrackerError::Passing {
                    message: e.to_string(),
                    after: *after,
                }
            }
            CallError::Unauthorized { status: 401, .. } => format!(
                "Jira refused the credentials: check {JIRA_EMAIL_VAR} and {JIRA_TOKEN_VAR} (an API token of that account)"
            ),
            CallError::Unauthorized { .. } => {
                "Jira refused: the account may not create or edit issues in the project".to_owned()
            }
            CallError::Refused { status: 404, .. } => format!(
                "Jira has no project {} (or the account cannot see it, or the issue is gone): check [tracker] project / security_project",
                self.project
            ),
            CallError::Refused { .. } => String::new(),
        };
        TrackerError::Refused(if fix.is_empty() {
            e.to_string()
        } else {
            format!("{fix} ({e})")
        })
    }

    fn ticket(&self, key: String) -> Ticket {
        let url = endpoint(&self.site, &["browse", &key])
            .map(|u| u.to_string())
            .unwrap_or_default();
        Ticket { key, url }
    }

    async fn find_in(&self, marker: &str, private: bool) -> Result<Option<Ticket>, TrackerError> {
        let project = self.project(private)?;
        // Both are quoted JQL strings; a label has no quote, a project key neither (checked).
        let jql = format!(
            "project = \"{}\" AND labels = \"{}\"",
            project.replace(['"', '\\'], ""),
            label(marker).replace(['"', '\\'], "")
        );
        let search = wire::Search {
            jql,
            fields: vec!["key"],
            max_results: 1,
        };
        let answer = self.send(Method::POST, &["search"], Some(&search)).await?;
        let found: wire::Found = answer.json().map_err(|e| self.refused(e))?;
        Ok(found.issues.into_iter().next().map(|i| self.ticket(i.key)))
    }

    async fn open_in(&self, ticket: &NewTicket) -> Result<Ticket, TrackerError> {
        let project = self.project(ticket.private)?;
        let mut labels: Vec<String> = ticket.labels.iter().map(|l| label(l)).collect();
        labels.push(label(&ticket.marker));
        let issue = wire::NewIssue {
            fields: wire::Fields {
                project: wire::ProjectKey {
                    key: project.to_owned(),
                },
                summary: ticket
                    .title
                    .replace(['\n', '\r'], " ")
                    .chars()
                    .take(255)
                    .collect(),
                issuetype: wire::IssueType {
                    name: self.issue_type.clone(),
                },
                description: adf::Doc::of(&ticket.body),
                labels,
                assignee: ticket
                    .assignee
                    .clone()
                    .map(|account_id| wire::Account { account_id }),
            },
        };
        let answer = self.send(Method::POST, &["issue"], Some(&issue)).await?;
        let created: wire::IssueKey = answer.json().map_err(|e| self.refused(e))?;
        Ok(self.ticket(created.key))
    }

    async fn comment_on(
        &self,
        ticket: &Ticket,
        text: &[Paragraph],
        _marker: &str,
    ) -> Result<(), TrackerError> {
        let body = wire::NewComment {
            body: adf::Doc::of(text),
        };
        self.send(
            Method::POST,
            &["issue", &ticket.key, "comment"],
            Some(&body),
        )
        .await?;
        Ok(())
    }

    /// Takes the first transition into a status of category `done` (closing) or out of it
    /// (reopening); none left means it is there already.
    async fn transition(&self, ticket: &Ticket, done: bool) -> Result<(), TrackerError> {
        let path = ["issue", ticket.key.as_str(), "transitions"];
        let answer = self.send::<()>(Method::GET, &path, None).await?;
        let list: wire::Transitions = answer.json().map_err(|e| self.refused(e))?;
        let Some(t) = list
            .transitions
            .into_iter()
            .find(|t| (t.to.category.key == "done") == done)
        else {
            return Ok(());
        };
        let body = wire::DoTransition {
            transition: wire::TransitionId { id: t.id },
        };
        self.send(Method::POST, &path, Some(&body)).await?;
        Ok(())
    }

    async fn check_all(&self) -> Result<(), TrackerError> {
        for project in std::iter::once(&self.project).chain(&self.private) {
            self.send::<()>(Method::GET, &["project", project], None)
                .await?;
        }
        Ok(())
    }
}

impl Tracker for Jira {
    fn name(&self) -> &'static str {
        "Jira"
    }

    tracker_calls!();

    fn close(&self, ticket: &Ticket) -> BoxFuture<'_, Result<(), TrackerError>> {
        let ticket = ticket.clone();
        Box::pin(async move { self.transition(&ticket, true).await })
    }

    fn reopen(&self, ticket: &Ticket) -> BoxFuture<'_, Result<(), TrackerError>> {
        let ticket = ticket.clone();
        Box::pin(async move { self.transition(&ticket, false).await })
    }
}

#[cfg(test)]
mod tests;
