//! GitHub issues as the `Tracker`: an issue per incident and per action item in `[tracker]
//! repository` (security incidents in `security_project`), comments, close and reopen through
//! the REST API (`/repos/{owner}/{repo}/issues…`). The marker rides in the body as an HTML
//! comment; a retry lists the repository's latest issues to find it (the list is exact at once,
//! where the search index lags). Content-creating calls keep within GitHub's secondary limits.

mod wire;

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};

use super::pace::Pace;
use super::{endpoint, CallError, Outbound};
use crate::app::{NewTicket, Paragraph, Ticket, Tracker, TrackerError};
use crate::clock::BoxFuture;

const SERVICE: &str = "github";

/// How many of the latest issues a retry looks through for its marker.
const LOOK_BACK: &str = "100";

/// The GitHub adapter.
#[derive(Debug, Clone)]
pub struct GitHub {
    outbound: Outbound,
    base: url::Url,
    token: SecretString,
    repository: String,
    private: Option<String>,
    timeout: Duration,
    pace: Arc<Pace>,
}

impl GitHub {
    /// An adapter on `base` for `repository` (`owner/name`), security incidents in `private`.
    pub fn new(
        outbound: Outbound,
        base: url::Url,
        token: SecretString,
        repository: String,
        private: Option<String>,
        timeout: Duration,
    ) -> Self {
        Self {
            outbound,
            base,
            token,
            repository,
            private,
            timeout,
            // GitHub's secondary limits on content-creating requests.
            pace: Arc::new(Pace::new(&[
                (80, Duration::from_secs(60)),
                (500, Duration::from_secs(3600)),
            ])),
        }
    }

    fn repository(&self, private: bool) -> Result<&str, TrackerError> {
        if private {
            self.private.as_deref().ok_or_else(|| {
                TrackerError::Refused(
                    "no private repository: set [tracker] security_project".into(),
                )
            })
        } else {
            Ok(&self.repository)
        }
    }

    fn url(&self, repository: &str, rest: &[&str]) -> Result<url::Url, TrackerError> {
        let (owner, name) = repository.split_once('/').unwrap_or((repository, ""));
        let segments: Vec<&str> = ["repos", owner, name]
            .into_iter()
            .chain(rest.iter().copied())
            .collect();
        endpoint(&self.base, &segments).map_err(|e| self.refused(e, repository))
    }

    /// Sends `request`; a content-creating one first takes a slot of the pace.
    async fn send(
        &self,
        method: Method,
        url: url::Url,
        body: Option<serde_json::Value>,
        repository: &str,
    ) -> Result<super::Answer, TrackerError> {
        if method != Method::GET {
            self.pace.take().map_err(|after| TrackerError::Passing {
                message: "keeping within GitHub's secondary rate limits".into(),
                after: Some(after),
            })?;
        }
        let mut request = self
            .outbound
            .request(method, url)
            .bearer_auth(self.token.expose_secret())
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28");
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.outbound
            .send(SERVICE, self.timeout, request)
            .await
            .map_err(|e| self.refused(e, repository))
    }

    /// What a failure means on GitHub, in a sentence that says what to fix.
    fn refused(&self, e: CallError, repository: &str) -> TrackerError {
        let fix = match &e {
            CallError::Unavailable { after, .. } => {
                return TrackerError::Passing {
                    message: e.to_string(),
                    after: *after,
                }
            }
            CallError::Unauthorized { status: 401, .. } => format!(
                "GitHub refused {}: check that it is a valid token",
                crate::config::tracker::GITHUB_TOKEN_VAR
            ),
            CallError::Unauthorized { .. } => format!(
                "GitHub refused access to {repository}: give the token Issues: read and write on it"
            ),
            CallError::Refused { status: 404, .. } => format!(
                "GitHub has no repository {repository}, or the token cannot see it: check [tracker] \
                 repository / security_project and the token's repository access"
            ),
            CallError::Refused { status: 410, .. } => format!(
                "issues are turned off in {repository}: turn them on (Settings > General > \
                 Features > Issues)"
            ),
            CallError::Refused { .. } => String::new(),
        };
        if fix.is_empty() {
            TrackerError::Refused(e.to_string())
        } else {
            TrackerError::Refused(format!("{fix} ({e})"))
        }
    }

    fn ticket(repository: &str, issue: wire::Issue) -> Ticket {
        Ticket {
            key: format!("{repository}#{}", issue.number),
            url: issue.html_url,
        }
    }

    /// `owner/name#42` as its repository and number.
    fn parts(ticket: &Ticket) -> Result<(&str, &str), TrackerError> {
        ticket
            .key
            .rsplit_once('#')
            .ok_or_else(|| TrackerError::Refused(format!("`{}` is not a GitHub issue", ticket.key)))
    }

    async fn set_state(
        &self,
        ticket: &Ticket,
        state: wire::StateChange,
    ) -> Result<(), TrackerError> {
        let (repository, number) = Self::parts(ticket)?;
        let url = self.url(repository, &["issues", number])?;
        let body = serde_json::to_value(state).map_err(|e| TrackerError::Refused(e.to_string()))?;
        self.send(Method::PATCH, url, Some(body), repository)
            .await?;
        Ok(())
    }

    async fn find_in(&self, marker: &str, private: bool) -> Result<Option<Ticket>, TrackerError> {
        let repository = self.repository(private)?;
        let mut url = self.url(repository, &["issues"])?;
        url.query_pairs_mut()
            .append_pair("state", "all")
            .append_pair("sort", "created")
            .append_pair("direction", "desc")
            .append_pair("per_page", LOOK_BACK);
        let answer = self.send(Method::GET, url, None, repository).await?;
        let issues: Vec<wire::Issue> = answer.json().map_err(|e| self.refused(e, repository))?;
        let hidden = wire::hidden(marker);
        Ok(issues
            .into_iter()
            .find(|i| i.body.as_deref().is_some_and(|b| b.contains(&hidden)))
            .map(|i| Self::ticket(repository, i)))
    }

    async fn open_in(&self, ticket: &NewTicket) -> Result<Ticket, TrackerError> {
        let repository = self.repository(ticket.private)?;
        let url = self.url(repository, &["issues"])?;
        let body = wire::NewIssue::from(ticket);
        let body = serde_json::to_value(body).map_err(|e| TrackerError::Refused(e.to_string()))?;
        let answer = self.send(Method::POST, url, Some(body), repository).await?;
        let issue: wire::Issue = answer.json().map_err(|e| self.refused(e, repository))?;
        Ok(Self::ticket(repository, issue))
    }

    async fn comment_on(
        &self,
        ticket: &Ticket,
        text: &[Paragraph],
        marker: &str,
    ) -> Result<(), TrackerError> {
        let (repository, number) = Self::parts(ticket)?;
        let url = self.url(repository, &["issues", number, "comments"])?;
        let text = format!(
            "{}\n\n{}",
            super::markdown::render(text),
            wire::hidden(marker)
        );
        let body = serde_json::json!({ "body": text });
        self.send(Method::POST, url, Some(body), repository).await?;
        Ok(())
    }

    async fn has_comment_on(&self, ticket: &Ticket, marker: &str) -> Result<bool, TrackerError> {
        let (repository, number) = Self::parts(ticket)?;
        let mut url = self.url(repository, &["issues", number, "comments"])?;
        url.query_pairs_mut().append_pair("per_page", LOOK_BACK);
        let answer = self.send(Method::GET, url, None, repository).await?;
        let comments: Vec<wire::Comment> =
            answer.json().map_err(|e| self.refused(e, repository))?;
        let hidden = wire::hidden(marker);
        Ok(comments
            .iter()
            .any(|c| c.body.as_deref().is_some_and(|b| b.contains(&hidden))))
    }

    async fn check_repository(&self, repository: &str) -> Result<(), TrackerError> {
        let url = self.url(repository, &[])?;
        let answer = self.send(Method::GET, url, None, repository).await?;
        let repo: wire::Repository = answer.json().map_err(|e| self.refused(e, repository))?;
        if !repo.has_issues {
            return Err(TrackerError::Refused(format!(
                "issues are turned off in {repository}: turn them on (Settings > General > Features > Issues)"
            )));
        }
        Ok(())
    }

    async fn check_all(&self) -> Result<(), TrackerError> {
        self.check_repository(&self.repository).await?;
        if let Some(private) = &self.private {
            self.check_repository(private).await?;
            let url = self.url(private, &[])?;
            let repo: wire::Repository = self
                .send(Method::GET, url, None, private)
                .await?
                .json()
                .map_err(|e| self.refused(e, private))?;
            if !repo.private {
                return Err(TrackerError::Refused(format!(
                    "[tracker] security_project {private} is public: security incidents must go to a private repository"
                )));
            }
        }
        Ok(())
    }
}

impl Tracker for GitHub {
    fn name(&self) -> &'static str {
        "GitHub"
    }

    tracker_calls!();

    fn has_comment(
        &self,
        ticket: &Ticket,
        marker: &str,
    ) -> BoxFuture<'_, Result<bool, TrackerError>> {
        let (ticket, marker) = (ticket.clone(), marker.to_owned());
        Box::pin(async move { self.has_comment_on(&ticket, &marker).await })
    }

    fn close(&self, ticket: &Ticket) -> BoxFuture<'_, Result<(), TrackerError>> {
        let ticket = ticket.clone();
        Box::pin(async move { self.set_state(&ticket, wire::StateChange::closed()).await })
    }

    fn reopen(&self, ticket: &Ticket) -> BoxFuture<'_, Result<(), TrackerError>> {
        let ticket = ticket.clone();
        Box::pin(async move { self.set_state(&ticket, wire::StateChange::open()).await })
    }
}
