//! X: a player announcement as a post (`POST /2/tweets`), signed with the account's OAuth 1.0a
//! user-context keys. A post carries the status link only when `[social.x] include_link` says
//! so (on pay-per-use, a post with a URL costs about 13 times one without), and replies to the
//! incident's previous post only when `replies` is on. X has no idempotency key: a retry of a
//! post that may have gone out first looks through the account's recent posts for it.

mod oauth;

use std::sync::Arc;
use std::time::Duration;

use chrono::SecondsFormat;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use crate::app::{Draft, Social};
use crate::clock::{BoxFuture, SharedClock};
use crate::config::XKeys;
use crate::domain::{fit, Network};
use crate::outbound::{endpoint, Answer, CallError, Outbound};
use crate::scheduler::JobError;
use crate::store::RemotePost;

const SERVICE: &str = "x";

/// X's weighted length of a post; a link counts as 23 (t.co).
const MAX_WEIGHT: usize = 280;
const URL_WEIGHT: usize = 23;

/// One X account.
#[derive(Debug)]
pub struct X {
    outbound: Outbound,
    base: url::Url,
    keys: XKeys,
    timeout: Duration,
    replies: bool,
    clock: SharedClock,
    me: tokio::sync::OnceCell<String>,
}

#[derive(Serialize)]
struct NewPost<'a> {
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply: Option<Reply<'a>>,
}

#[derive(Serialize)]
struct Reply<'a> {
    in_reply_to_tweet_id: &'a str,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct Posted {
    id: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct Me {
    id: String,
}

impl X {
    /// The account of `keys`, as `settings` says.
    pub fn social(
        outbound: Outbound,
        settings: &crate::config::XSettings,
        keys: XKeys,
        clock: SharedClock,
    ) -> Arc<dyn Social> {
        Arc::new(Self {
            outbound,
            base: settings.api_base.clone(),
            keys,
            timeout: settings.timeout,
            replies: settings.replies,
            clock,
            me: tokio::sync::OnceCell::new(),
        })
    }

    async fn call(
        &self,
        method: Method,
        url: url::Url,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<Answer, CallError> {
        let auth = oauth::header(
            &self.keys,
            method.as_str(),
            &url,
            self.clock.now().timestamp(),
        );
        let request = self
            .outbound
            .request(method, url)
            .header(reqwest::header::AUTHORIZATION, auth);
        self.outbound
            .send(SERVICE, self.timeout, build(request))
            .await
    }

    fn url(&self, path: &[&str]) -> Result<url::Url, CallError> {
        endpoint(&self.base, path).map_err(|e| e.with_service(SERVICE))
    }

    /// The post an earlier attempt made, among the account's posts since it.
    async fn find(&self, draft: &Draft, text: &str) -> Result<Option<RemotePost>, CallError> {
        let Some(tried) = draft.first_tried_at else {
            return Ok(None);
        };
        let me = self
            .me
            .get_or_try_init(|| async {
                let answer = self
                    .call(Method::GET, self.url(&["2", "users", "me"])?, |r| r)
                    .await?;
                Ok::<_, CallError>(answer.json::<Data<Me>>()?.data.id)
            })
            .await?;
        let mut url = self.url(&["2", "users", me, "tweets"])?;
        let since =
            (tried - chrono::TimeDelta::minutes(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
        url.query_pairs_mut()
            .append_pair("max_results", "10")
            .append_pair("start_time", &since);
        let answer = self.call(Method::GET, url, |r| r).await?;
        // No posts since then: X leaves `data` out.
        let posts = answer
            .json::<Data<Vec<Posted>>>()
            .map(|d| d.data)
            .unwrap_or_default();
        let start = |t: &str| -> String {
            let before_link = t.split("http").next().unwrap_or_default();
            before_link
                .split_whitespace()
                .collect::<String>()
                .chars()
                .take(40)
                .collect()
        };
        let ours = start(text);
        Ok(posts
            .into_iter()
            .find(|p| !ours.is_empty() && start(&p.text) == ours)
            .map(|p| RemotePost {
                id: p.id,
                cid: None,
            }))
    }

    async fn make(&self, draft: &Draft) -> Result<RemotePost, CallError> {
        let link = draft.link.as_deref();
        let text = fit(&draft.body, link, MAX_WEIGHT, |t| weight(t, link));
        if let Some(found) = self.find(draft, &text).await? {
            return Ok(found);
        }
        let reply = draft
            .thread
            .as_ref()
            .filter(|_| self.replies)
            .map(|t| Reply {
                in_reply_to_tweet_id: &t.parent.id,
            });
        let body = NewPost { text: &text, reply };
        let answer = self
            .call(Method::POST, self.url(&["2", "tweets"])?, |r| r.json(&body))
            .await?;
        let posted = answer.json::<Data<Posted>>()?.data;
        Ok(RemotePost {
            id: posted.id,
            cid: None,
        })
    }
}

impl Social for X {
    fn network(&self) -> Network {
        Network::X
    }

    fn post<'a>(&'a self, draft: &'a Draft) -> BoxFuture<'a, Result<RemotePost, JobError>> {
        Box::pin(async move { Ok(self.make(draft).await?) })
    }
}

/// X's weighted length, erring long: the link counts 23; an emoji, or any cluster with a
/// character outside the Latin and general punctuation ranges, counts 2 for each of its code
/// points beyond those ranges; every other code point counts 1.
pub fn weight(text: &str, link: Option<&str>) -> usize {
    let (text, links) = match link {
        Some(l) if !l.is_empty() => (text.replace(l, ""), text.matches(l).count()),
        _ => (text.to_owned(), 0),
    };
    let light =
        |c: char| matches!(u32::from(c), 0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247);
    let counted: usize = text
        .graphemes(true)
        .map(|g| {
            if g.chars().all(light) {
                g.chars().count()
            } else {
                2 * g.chars().filter(|c| !light(*c)).count().max(1)
                    + g.chars().filter(|c| light(*c)).count()
            }
        })
        .sum();
    counted + links * URL_WEIGHT
}
