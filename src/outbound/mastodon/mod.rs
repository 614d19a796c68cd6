//! Mastodon: a player announcement as a public status, replying to the incident's previous
//! status so that each incident is one thread. The length limit and the length a link counts
//! for are read from the instance (`GET /api/v2/instance`), not assumed. A post carries an
//! `Idempotency-Key` made once for it; Mastodon remembers keys for up to an hour, so a retry
//! after that first looks through the account's recent statuses for the one a lost answer made.

mod wire;

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;

use crate::app::{Draft, Social};
use crate::clock::{BoxFuture, SharedClock};
use crate::domain::{fit, graphemes, Network};
use crate::outbound::{endpoint, Answer, CallError, Outbound};
use crate::scheduler::JobError;
use crate::store::RemotePost;

const SERVICE: &str = "mastodon";

/// How long the bot trusts Mastodon to remember an `Idempotency-Key`: it keeps them up to an
/// hour; a little less, for the clocks' difference and the call's own time.
const KEY_KEPT: TimeDelta = TimeDelta::minutes(50);

/// How many recent statuses are looked through for one a lost answer made.
const LOOK_BACK: &str = "40";

/// One Mastodon account on one instance.
#[derive(Debug)]
pub struct Mastodon {
    outbound: Outbound,
    base: url::Url,
    token: SecretString,
    timeout: Duration,
    clock: SharedClock,
    limits: OnceCell<Limits>,
    account: OnceCell<String>,
}

/// The instance's status limits.
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_characters: usize,
    per_url: usize,
}

impl Mastodon {
    /// The account of `token` on `settings.instance`.
    pub fn social(
        outbound: Outbound,
        settings: &crate::config::MastodonSettings,
        token: SecretString,
        clock: SharedClock,
    ) -> Arc<dyn Social> {
        Arc::new(Self {
            outbound,
            base: settings.instance.clone(),
            token,
            timeout: settings.timeout,
            clock,
            limits: OnceCell::new(),
            account: OnceCell::new(),
        })
    }

    async fn call(
        &self,
        method: Method,
        path: &[&str],
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<Answer, CallError> {
        let url = endpoint(&self.base, path).map_err(|e| e.with_service(SERVICE))?;
        let request = self
            .outbound
            .request(method, url)
            .bearer_auth(self.token.expose_secret());
        self.outbound
            .send(SERVICE, self.timeout, build(request))
            .await
    }

    async fn limits(&self) -> Result<Limits, CallError> {
        let limits = self
            .limits
            .get_or_try_init(|| async {
                let answer = self
                    .call(Method::GET, &["api", "v2", "instance"], |r| r)
                    .await?;
                let statuses = answer.json::<wire::Instance>()?.configuration.statuses;
                Ok::<_, CallError>(Limits {
                    max_characters: statuses.max_characters,
                    per_url: statuses.characters_reserved_per_url,
                })
            })
            .await?;
        Ok(*limits)
    }

    async fn account(&self) -> Result<String, CallError> {
        let id = self
            .account
            .get_or_try_init(|| async {
                let answer = self
                    .call(
                        Method::GET,
                        &["api", "v1", "accounts", "verify_credentials"],
                        |r| r,
                    )
                    .await?;
                Ok::<_, CallError>(answer.json::<wire::Account>()?.id)
            })
            .await?;
        Ok(id.clone())
    }

    /// The status an earlier attempt of `draft` made, among the account's recent ones: made
    /// since that attempt, in the same place of the thread, and beginning with the same text.
    async fn find(&self, draft: &Draft, text: &str) -> Result<Option<RemotePost>, CallError> {
        let Some(tried) = draft.first_tried_at else {
            return Ok(None);
        };
        let account = self.account().await?;
        let answer = self
            .call(
                Method::GET,
                &["api", "v1", "accounts", &account, "statuses"],
                |r| r.query(&[("limit", LOOK_BACK), ("exclude_reblogs", "true")]),
            )
            .await?;
        let statuses: Vec<wire::Status> = answer.json()?;
        let parent = draft.thread.as_ref().map(|t| t.parent.id.as_str());
        let found = statuses.into_iter().find(|s| {
            s.created_at >= tried - TimeDelta::minutes(1)
                && s.in_reply_to_id.as_deref() == parent
                && same_start(&s.content, text)
        });
        Ok(found.map(|s| RemotePost {
            id: s.id,
            cid: None,
        }))
    }

    async fn make(&self, draft: &Draft) -> Result<RemotePost, CallError> {
        let limits = self.limits().await?;
        let link = draft.link.as_deref();
        let count = |t: &str| match link {
            // Mastodon counts every link as `characters_reserved_per_url`, however long.
            Some(l) if t.contains(l) => graphemes(t) - graphemes(l) + limits.per_url,
            _ => graphemes(t),
        };
        let text = fit(&draft.body, link, limits.max_characters, count);
        let forgotten = draft
            .first_tried_at
            .is_some_and(|at| self.clock.now() - at > KEY_KEPT);
        if forgotten {
            if let Some(found) = self.find(draft, &text).await? {
                return Ok(found);
            }
        }
        let body = wire::NewStatus {
            status: &text,
            visibility: "public",
            in_reply_to_id: draft.thread.as_ref().map(|t| t.parent.id.as_str()),
        };
        let answer = self
            .call(Method::POST, &["api", "v1", "statuses"], |r| {
                r.header("Idempotency-Key", &draft.key).json(&body)
            })
            .await?;
        let status: wire::Status = answer.json()?;
        Ok(RemotePost {
            id: status.id,
            cid: None,
        })
    }
}

impl Social for Mastodon {
    fn network(&self) -> Network {
        Network::Mastodon
    }

    fn post<'a>(&'a self, draft: &'a Draft) -> BoxFuture<'a, Result<RemotePost, JobError>> {
        Box::pin(async move { Ok(self.make(draft).await?) })
    }
}

/// Whether the status's HTML `content` begins with the same words as `text` (Mastodon turns
/// the text into paragraphs and links; the first words survive as text).
fn same_start(content: &str, text: &str) -> bool {
    let mut plain = String::new();
    let mut in_tag = false;
    for c in content.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let plain = plain
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    let words = |t: &str| -> String { t.split_whitespace().collect::<String>() };
    let ours: String = words(text).chars().take(40).collect();
    !ours.is_empty() && words(&plain).starts_with(&ours)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_status_is_recognised_by_its_first_words_through_its_html() {
        let html = "<p>🚨 Service Alert 🚨<br />We are &amp; were down</p>";
        assert!(super::same_start(
            html,
            "🚨 Service Alert 🚨\nWe are & were down"
        ));
        assert!(!super::same_start(html, "✅ All Clear"));
    }
}
