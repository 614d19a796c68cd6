//! Linear as the `Tracker`: GraphQL at `{api_base}/graphql` with a personal API key in
//! `Authorization` (no "Bearer"), an issue per incident and per action item in `[tracker] team`
//! (the team's UUID; security incidents in `security_project`), comments, and close and reopen
//! by moving to the team's completed (or started) workflow state. The marker is the
//! description's last line, found again with an issue filter.

pub mod queries;

use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{endpoint, CallError, Outbound};
use crate::app::{NewTicket, Paragraph, Ticket, Tracker, TrackerError};
use crate::clock::BoxFuture;

const SERVICE: &str = "linear";

/// The Linear adapter.
#[derive(Debug, Clone)]
pub struct Linear {
    outbound: Outbound,
    base: url::Url,
    key: SecretString,
    team: String,
    private: Option<String>,
    timeout: Duration,
}

/// A GraphQL answer.
#[derive(Debug, Deserialize)]
struct Reply {
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    errors: Vec<GraphError>,
}

#[derive(Debug, Deserialize)]
struct GraphError {
    message: String,
    #[serde(default)]
    extensions: Value,
}

#[derive(Debug, Deserialize)]
struct IssueRef {
    id: String,
    url: String,
}

#[derive(Debug, Deserialize)]
struct State {
    id: String,
    #[serde(rename = "type")]
    kind: String,
}

impl Linear {
    /// An adapter on `base` for the team `team`, security incidents in the team `private`.
    pub fn new(
        outbound: Outbound,
        base: url::Url,
        key: SecretString,
        team: String,
        private: Option<String>,
        timeout: Duration,
    ) -> Self {
        Self {
            outbound,
            base,
            key,
            team,
            private,
            timeout,
        }
    }

    fn team(&self, private: bool) -> Result<&str, TrackerError> {
        if private {
            self.private.as_deref().ok_or_else(|| {
                TrackerError::Refused("no private team: set [tracker] security_project".into())
            })
        } else {
            Ok(&self.team)
        }
    }

    /// Runs `query` with `variables` and returns its `data`.
    async fn run(&self, query: &str, variables: Value) -> Result<Value, TrackerError> {
        let url = endpoint(&self.base, &["graphql"]).map_err(refused)?;
        let request = self
            .outbound
            .request(Method::POST, url)
            // A personal API key goes as it is; "Bearer" is for OAuth tokens only.
            .header("authorization", self.key.expose_secret())
            .json(&json!({ "query": query, "variables": variables }));
        let answer = self
            .outbound
            .send(SERVICE, self.timeout, request)
            .await
            .map_err(refused)?;
        let reply: Reply = answer.json().map_err(refused)?;
        if let Some(e) = reply.errors.first() {
            return Err(graph_error(e));
        }
        reply
            .data
            .ok_or_else(|| TrackerError::Refused("Linear answered without data".into()))
    }

    async fn find_in(&self, marker: &str, private: bool) -> Result<Option<Ticket>, TrackerError> {
        let team = self.team(private)?;
        let data = self
            .run(queries::FIND, json!({ "team": team, "marker": marker }))
            .await?;
        let nodes: Vec<IssueRef> = serde_json::from_value(data["issues"]["nodes"].clone())
            .map_err(|e| {
                TrackerError::Refused(format!("Linear's answer could not be read: {e}"))
            })?;
        Ok(nodes.into_iter().next().map(ticket))
    }

    async fn open_in(&self, new: &NewTicket) -> Result<Ticket, TrackerError> {
        let team = self.team(new.private)?;
        let description = format!("{}\n\n{}", super::markdown::render(&new.body), new.marker);
        let mut input = json!({
            "teamId": team,
            "title": new.title.replace(['\n', '\r'], " "),
            "description": description,
        });
        if let Some(assignee) = &new.assignee {
            input["assigneeId"] = json!(assignee);
        }
        let data = self
            .run(queries::ISSUE_CREATE, json!({ "input": input }))
            .await?;
        let issue: IssueRef = serde_json::from_value(data["issueCreate"]["issue"].clone())
            .map_err(|e| {
                TrackerError::Refused(format!("Linear's answer could not be read: {e}"))
            })?;
        Ok(ticket(issue))
    }

    async fn comment_on(
        &self,
        ticket: &Ticket,
        text: &[Paragraph],
        _marker: &str,
    ) -> Result<(), TrackerError> {
        let input = json!({ "issueId": ticket.key, "body": super::markdown::render(text) });
        self.run(queries::COMMENT_CREATE, json!({ "input": input }))
            .await?;
        Ok(())
    }

    /// Moves the issue to the team's first state of type `completed` (close) or `started`,
    /// else `unstarted` (reopen).
    async fn move_to(&self, ticket: &Ticket, kinds: &[&str]) -> Result<(), TrackerError> {
        let data = self
            .run(queries::TEAM_STATES, json!({ "team": self.team }))
            .await?;
        let states: Vec<State> = serde_json::from_value(data["team"]["states"]["nodes"].clone())
            .map_err(|e| {
                TrackerError::Refused(format!("Linear's answer could not be read: {e}"))
            })?;
        let state = kinds
            .iter()
            .find_map(|k| states.iter().find(|s| s.kind == *k))
            .ok_or_else(|| TrackerError::Refused(format!("the team has no {} state", kinds[0])))?;
        let variables = json!({ "id": ticket.key, "input": { "stateId": state.id } });
        self.run(queries::ISSUE_UPDATE, variables).await?;
        Ok(())
    }

    async fn check_all(&self) -> Result<(), TrackerError> {
        if self
            .key
            .expose_secret()
            .to_ascii_lowercase()
            .starts_with("bearer ")
        {
            return Err(TrackerError::Refused(format!(
                "{} starts with \"Bearer\": a personal API key is sent as it is; remove the prefix",
                crate::config::tracker::LINEAR_KEY_VAR
            )));
        }
        for team in std::iter::once(&self.team).chain(&self.private) {
            self.run(queries::CHECK, json!({ "team": team })).await?;
        }
        Ok(())
    }
}

fn ticket(issue: IssueRef) -> Ticket {
    Ticket {
        key: issue.id,
        url: issue.url,
    }
}

fn refused(e: CallError) -> TrackerError {
    match e {
        CallError::Unavailable { after, .. } => TrackerError::Passing {
            message: e.to_string(),
            after,
        },
        CallError::Refused { ref message, .. } | CallError::Unauthorized { ref message, .. }
            if message.contains("RATELIMITED") =>
        {
            TrackerError::Passing {
                message: e.to_string(),
                after: None,
            }
        }
        CallError::Unauthorized { .. } => TrackerError::Refused(format!(
            "Linear refused {}: check the personal API key (sent without \"Bearer\") ({e})",
            crate::config::tracker::LINEAR_KEY_VAR
        )),
        CallError::Refused { ref message, .. } if message.contains("AUTHENTICATION_ERROR") => {
            TrackerError::Refused(format!(
                "Linear refused {}: check the personal API key (sent without \"Bearer\") ({e})",
                crate::config::tracker::LINEAR_KEY_VAR
            ))
        }
        other => TrackerError::Refused(other.to_string()),
    }
}

fn graph_error(e: &GraphError) -> TrackerError {
    let code = e.extensions["code"].as_str().unwrap_or_default();
    let message = super::answer_snippet(&e.message);
    match code {
        "RATELIMITED" => TrackerError::Passing {
            message: format!("Linear: {message}"),
            after: None,
        },
        "AUTHENTICATION_ERROR" => TrackerError::Refused(format!(
            "Linear refused {}: {message}",
            crate::config::tracker::LINEAR_KEY_VAR
        )),
        _ => TrackerError::Refused(format!(
            "Linear refused the request: {message} (is [tracker] team the team's UUID?)"
        )),
    }
}

impl Tracker for Linear {
    fn name(&self) -> &'static str {
        "Linear"
    }

    tracker_calls!();

    fn close(&self, ticket: &Ticket) -> BoxFuture<'_, Result<(), TrackerError>> {
        let ticket = ticket.clone();
        Box::pin(async move { self.move_to(&ticket, &["completed"]).await })
    }

    fn reopen(&self, ticket: &Ticket) -> BoxFuture<'_, Result<(), TrackerError>> {
        let ticket = ticket.clone();
        Box::pin(async move { self.move_to(&ticket, &["started", "unstarted"]).await })
    }
}
