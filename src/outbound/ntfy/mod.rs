//! ntfy's publish API (`POST <url>/<topic>`, the message as the body, the rest as headers):
//! the [`Pager`] port for a self-hosted or hosted ntfy server.
//!
//! A trigger publishes at priority 5 for a P0 (4 below), with tags and a `Click` link to the
//! incident channel; the all-clear publishes at low priority (2). ntfy has no acknowledgement
//! to send. A security incident publishes to `security_topic` only, or nowhere.
//!
//! ntfy has no idempotency key. Each publish carries a marker tag (the page's key and action,
//! nothing of the incident), and a retried publish first polls the topic's cached messages for
//! it (`GET <url>/<topic>/json?poll=true&since=all&tags=<marker>`): found, the earlier attempt
//! went through and nothing is published again.

use secrecy::ExposeSecret;

use crate::app::{Page, PageAction, Pager};
use crate::clock::BoxFuture;
use crate::config::NtfySettings;
use crate::domain::Severity;
use crate::scheduler::JobError;

use super::{endpoint, CallError, Outbound};

/// The service's name in `/metrics`.
pub const SERVICE: &str = "ntfy";

/// ntfy, through the shared client.
pub struct Ntfy {
    outbound: Outbound,
    settings: NtfySettings,
}

/// What one publish sends besides its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers {
    /// `Priority`: 1 (min) to 5 (max, "urgent").
    pub priority: u8,
    /// `Tags`: emoji short codes and words, comma-separated.
    pub tags: &'static str,
}

/// The headers of `page`.
pub fn headers(page: &Page) -> Headers {
    match (page.action, page.severity) {
        (PageAction::Resolve, _) => Headers {
            priority: 2,
            tags: "white_check_mark",
        },
        (_, Severity::P0) => Headers {
            priority: 5,
            tags: "rotating_light,p0",
        },
        (_, Severity::P1) => Headers {
            priority: 4,
            tags: "warning,p1",
        },
        (_, Severity::P2 | Severity::P3) => Headers {
            priority: 3,
            tags: "warning",
        },
    }
}

impl Ntfy {
    /// ntfy as `[page_out.ntfy]` says, its token from the environment.
    pub fn new(outbound: Outbound, settings: NtfySettings) -> Self {
        Self { outbound, settings }
    }

    async fn publish(&self, page: &Page, topic: &str) -> Result<(), JobError> {
        let marker = marker(page);
        if page.tried_before && self.published_before(topic, &marker).await? {
            return Ok(());
        }
        let url = endpoint(&self.settings.url, &[topic])?;
        let h = headers(page);
        // The header names of ntfy's OpenAPI description (it also reads them without `X-`).
        let mut request = self
            .outbound
            .request(reqwest::Method::POST, url)
            .header("X-Title", header_text(&page.title))
            .header("X-Priority", h.priority.to_string())
            .header("X-Tags", format!("{},{marker}", h.tags))
            .body(page.body.clone());
        if let Some(link) = page.links.first() {
            request = request.header("X-Click", link.href.as_str());
        }
        self.outbound
            .send(SERVICE, self.settings.timeout, self.authorized(request))
            .await?;
        Ok(())
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.settings.token {
            Some(token) => request.bearer_auth(token.expose_secret()),
            None => request,
        }
    }

    /// Whether the topic's cache holds a message tagged `marker`: an earlier attempt whose
    /// answer was lost. A token that may publish but not read cannot tell; then the page goes
    /// out again (a second buzz rather than none).
    async fn published_before(&self, topic: &str, marker: &str) -> Result<bool, JobError> {
        let mut url = endpoint(&self.settings.url, &[topic, "json"])?;
        url.query_pairs_mut()
            .append_pair("poll", "true")
            .append_pair("since", "all")
            .append_pair("tags", marker);
        let request = self.outbound.request(reqwest::Method::GET, url);
        let answer = match self
            .outbound
            .send(SERVICE, self.settings.timeout, self.authorized(request))
            .await
        {
            Ok(answer) => answer,
            Err(CallError::Unauthorized { .. }) => {
                tracing::warn!(
                    "the ntfy token may not read the topic: a retried page cannot tell whether \
                     it went out, and is published again"
                );
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        };
        let found = cached_messages(&answer.body).any(|m| m.tags.iter().any(|t| t == marker));
        Ok(found)
    }
}

/// One line of ntfy's JSON stream: a message (or an `open`/`keepalive` event).
#[derive(serde::Deserialize)]
struct Cached {
    event: String,
    #[serde(default)]
    tags: Vec<String>,
}

/// The messages of a poll's answer (one JSON object a line), skipping what is not one.
fn cached_messages(body: &str) -> impl Iterator<Item = Cached> + '_ {
    body.lines()
        .filter_map(|line| serde_json::from_str::<Cached>(line).ok())
        .filter(|m| m.event == "message")
}

/// The tag that finds a publish again: the page's key and action (a tag is one word of
/// letters, digits and `-`; the key names the incident by its row id only).
pub fn marker(page: &Page) -> String {
    let action = match page.action {
        PageAction::Trigger => "trigger",
        PageAction::Acknowledge => "acknowledge",
        PageAction::Resolve => "resolve",
    };
    format!("{}-{action}", page.key)
}

/// A header's value: one line of printable ASCII (ntfy reads RFC 2047 for more; a title of
/// plain text needs none), anything else replaced.
fn header_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

impl Pager for Ntfy {
    fn send<'a>(&'a self, page: &'a Page) -> BoxFuture<'a, Result<bool, JobError>> {
        Box::pin(async move {
            let topic = if page.security {
                self.settings.security_topic.as_deref()
            } else {
                Some(self.settings.topic.as_str())
            };
            let (Some(topic), false) = (topic, page.action == PageAction::Acknowledge) else {
                return Ok(false);
            };
            self.publish(page, topic).await.map(|()| true)
        })
    }
}
