//! Bluesky (any AT Protocol PDS): a player announcement as an `app.bsky.feed.post` record of at
//! most 300 graphemes, the status link as a link facet (UTF-8 byte offsets), replying to the
//! incident's first post (root) and previous one (parent). The record key is a TID made once
//! when the post is queued: a retry first asks for the record under it (`getRecord`), so a lost
//! answer never makes a second post. The login (session) is made once, stored in the database
//! and refreshed; logins are limited per day.

mod session;
mod wire;

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use secrecy::SecretString;

use crate::app::{Draft, Sessions, Social};
use crate::clock::{BoxFuture, SharedClock};
use crate::domain::{fit, graphemes, Network};
use crate::outbound::{endpoint, Answer, CallError, Outbound};
use crate::scheduler::JobError;
use crate::store::RemotePost;

const SERVICE: &str = "bluesky";

/// A post's most graphemes and bytes (`app.bsky.feed.post` `text`: maxGraphemes, maxLength).
const MAX_GRAPHEMES: usize = 300;
const MAX_BYTES: usize = 3000;

/// One Bluesky account.
#[derive(Debug)]
pub struct Bluesky {
    outbound: Outbound,
    base: url::Url,
    handle: String,
    password: SecretString,
    timeout: Duration,
    clock: SharedClock,
    sessions: Arc<dyn Sessions>,
    session: tokio::sync::Mutex<Option<wire::Session>>,
}

impl Bluesky {
    /// The account `settings.handle` on its PDS, logging in with `password` when no stored
    /// session works.
    pub fn social(
        outbound: Outbound,
        settings: &crate::config::BlueskySettings,
        password: SecretString,
        clock: SharedClock,
        sessions: Arc<dyn Sessions>,
    ) -> Arc<dyn Social> {
        Arc::new(Self {
            outbound,
            base: settings.api_base.clone(),
            handle: settings.handle.clone(),
            password,
            timeout: settings.timeout,
            clock,
            sessions,
            session: tokio::sync::Mutex::new(None),
        })
    }

    /// Calls XRPC method `nsid` with `bearer` (a session's access or refresh token).
    async fn xrpc(
        &self,
        method: Method,
        nsid: &str,
        bearer: Option<&str>,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<Answer, CallError> {
        let url = endpoint(&self.base, &["xrpc", nsid]).map_err(|e| e.with_service(SERVICE))?;
        let mut request = self.outbound.request(method, url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        self.outbound
            .send(SERVICE, self.timeout, build(request))
            .await
    }

    /// The record an earlier attempt made under `rkey`, if it did.
    async fn find(&self, did: &str, rkey: &str) -> Result<Option<RemotePost>, CallError> {
        let query = [("repo", did), ("collection", wire::POST), ("rkey", rkey)];
        let answer = self
            .authed(|token| async move {
                self.xrpc(
                    Method::GET,
                    "com.atproto.repo.getRecord",
                    Some(&token),
                    |r| r.query(&query),
                )
                .await
            })
            .await;
        match answer {
            Ok(answer) => {
                let found: wire::StrongRef = answer.json()?;
                Ok(Some(RemotePost {
                    id: found.uri,
                    cid: Some(found.cid),
                }))
            }
            Err(CallError::Refused { message, .. }) if message.contains("RecordNotFound") => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    async fn make(&self, draft: &Draft) -> Result<RemotePost, CallError> {
        let did = self.session().await?.did;
        if draft.first_tried_at.is_some() {
            if let Some(found) = self.find(&did, &draft.key).await? {
                return Ok(found);
            }
        }
        let record = self.record(draft);
        let body = wire::CreateRecord {
            repo: &did,
            collection: wire::POST,
            rkey: &draft.key,
            record,
        };
        let body = &body;
        let answer = self
            .authed(|token| async move {
                self.xrpc(
                    Method::POST,
                    "com.atproto.repo.createRecord",
                    Some(&token),
                    |r| r.json(body),
                )
                .await
            })
            .await?;
        let made: wire::StrongRef = answer.json()?;
        Ok(RemotePost {
            id: made.uri,
            cid: Some(made.cid),
        })
    }

    /// The post's record: the text cut to 300 graphemes (and 3000 bytes), the link at its end
    /// as a link facet, the reply references when it continues a thread.
    fn record(&self, draft: &Draft) -> wire::Post {
        let count = |t: &str| graphemes(t).max(t.len().div_ceil(MAX_BYTES / MAX_GRAPHEMES));
        let text = fit(&draft.body, draft.link.as_deref(), MAX_GRAPHEMES, count);
        let facets = draft
            .link
            .iter()
            .filter(|link| text.ends_with(link.as_str()))
            .map(|link| wire::Facet {
                index: wire::ByteSlice {
                    byte_start: text.len() - link.len(),
                    byte_end: text.len(),
                },
                features: vec![wire::LinkFeature {
                    kind: "app.bsky.richtext.facet#link",
                    uri: link.clone(),
                }],
            })
            .collect();
        let strong = |p: &RemotePost| {
            p.cid.clone().map(|cid| wire::StrongRef {
                uri: p.id.clone(),
                cid,
            })
        };
        let reply = draft.thread.as_ref().and_then(|t| {
            Some(wire::ReplyRef {
                root: strong(&t.root)?,
                parent: strong(&t.parent)?,
            })
        });
        wire::Post {
            kind: wire::POST,
            text,
            created_at: self
                .clock
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            facets,
            reply,
        }
    }
}

impl Social for Bluesky {
    fn network(&self) -> Network {
        Network::Bluesky
    }

    fn post<'a>(&'a self, draft: &'a Draft) -> BoxFuture<'a, Result<RemotePost, JobError>> {
        Box::pin(async move { Ok(self.make(draft).await?) })
    }
}
