//! Bluesky's login: a session made once with the app password (`createSession`), kept in the
//! database across restarts, refreshed with its refresh token when the access token expires
//! (`refreshSession`), and made again only when the refresh token has expired too. Logins are
//! limited per account and day: never one per post.

use std::future::Future;

use reqwest::Method;
use secrecy::ExposeSecret;

use super::{wire, Bluesky};
use crate::domain::Network;
use crate::outbound::{Answer, CallError};

impl Bluesky {
    /// The session: held, stored, or made now.
    pub(super) async fn session(&self) -> Result<wire::Session, CallError> {
        let mut held = self.session.lock().await;
        if let Some(s) = held.as_ref() {
            return Ok(s.clone());
        }
        let session = match self.stored().await {
            Some(stored) => stored,
            None => self.log_in().await?,
        };
        *held = Some(session.clone());
        Ok(session)
    }

    /// Calls `call` with the access token; once more with a fresh one when it had expired.
    pub(super) async fn authed<F, Fut>(&self, call: F) -> Result<Answer, CallError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<Answer, CallError>>,
    {
        let used = self.session().await?;
        match call(used.access_jwt.clone()).await {
            Err(e) if expired(&e) => {
                let fresh = {
                    let mut held = self.session.lock().await;
                    let current = held.clone().unwrap_or_else(|| used.clone());
                    // Another call may have refreshed it meanwhile.
                    let fresh = if current.access_jwt == used.access_jwt {
                        self.refresh(&used).await?
                    } else {
                        current
                    };
                    *held = Some(fresh.clone());
                    fresh
                };
                call(fresh.access_jwt).await
            }
            other => other,
        }
    }

    async fn stored(&self) -> Option<wire::Session> {
        match self.sessions.load(Network::Bluesky).await {
            Ok(Some(text)) => serde_json::from_str(&text).ok(),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the stored Bluesky session");
                None
            }
        }
    }

    async fn keep(&self, session: &wire::Session) {
        let Ok(text) = serde_json::to_string(session) else {
            return;
        };
        if let Err(e) = self.sessions.save(Network::Bluesky, text).await {
            // The next start logs in again: one login more, no post lost.
            tracing::warn!(error = %e, "could not store the Bluesky session");
        }
    }

    async fn log_in(&self) -> Result<wire::Session, CallError> {
        let body = wire::Login {
            identifier: &self.handle,
            password: self.password.expose_secret(),
        };
        let answer = self
            .xrpc(
                Method::POST,
                "com.atproto.server.createSession",
                None,
                |r| r.json(&body),
            )
            .await?;
        let session: wire::Session = answer.json()?;
        self.keep(&session).await;
        Ok(session)
    }

    async fn refresh(&self, stale: &wire::Session) -> Result<wire::Session, CallError> {
        let answer = self
            .xrpc(
                Method::POST,
                "com.atproto.server.refreshSession",
                Some(&stale.refresh_jwt),
                |r| r,
            )
            .await;
        let fresh = match answer {
            Ok(answer) => answer.json::<wire::Session>()?,
            Err(e) if expired(&e) => return self.log_in().await,
            Err(e) => return Err(e),
        };
        self.keep(&fresh).await;
        Ok(fresh)
    }
}

/// Whether the PDS refused a token for being expired or no longer valid (`ExpiredToken`,
/// `InvalidToken`), as opposed to refusing the request.
fn expired(e: &CallError) -> bool {
    match e {
        CallError::Refused {
            status: 400,
            message,
            ..
        }
        | CallError::Unauthorized {
            status: 401,
            message,
            ..
        } => message.contains("ExpiredToken") || message.contains("InvalidToken"),
        _ => false,
    }
}
