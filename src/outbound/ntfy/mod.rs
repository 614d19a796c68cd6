//! ntfy's publish API (`POST <url>/<topic>`, the message as the body, the rest as headers):
//! the [`Pager`] port for a self-hosted or hosted ntfy server.
//!
//! A trigger publishes at priority 5 for a P0 (4 below), with tags and a `Click` link to the
//! incident channel; the all-clear publishes at low priority (2). ntfy has no acknowledgement
//! to send. A security incident publishes to `security_topic` only, or nowhere.

use secrecy::ExposeSecret;

use crate::app::{Page, PageAction, Pager};
use crate::clock::BoxFuture;
use crate::config::NtfySettings;
use crate::domain::Severity;
use crate::scheduler::JobError;

use super::{endpoint, Outbound};

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
        let url = endpoint(&self.settings.url, &[topic])?;
        let h = headers(page);
        let mut request = self
            .outbound
            .request(reqwest::Method::POST, url)
            .header("Title", header_text(&page.title))
            .header("Priority", h.priority.to_string())
            .header("Tags", h.tags)
            .body(page.body.clone());
        if let Some(link) = page.links.first() {
            request = request.header("Click", link.href.as_str());
        }
        if let Some(token) = &self.settings.token {
            request = request.bearer_auth(token.expose_secret());
        }
        self.outbound
            .send(SERVICE, self.settings.timeout, request)
            .await?;
        Ok(())
    }
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
