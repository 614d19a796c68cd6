//! PagerDuty's Events API v2 (`POST /v2/enqueue`): the [`Pager`] port as PagerDuty's wire
//! format. The dedup key is the page's key, so a retry adds nothing to the alert it made.
//!
//! PagerDuty answers 202 with `{status, message, dedup_key}`; a 400 is a request to fix (not
//! retried); a 429 or a 5xx is retried by the queue, 30 s later as PagerDuty suggests (it
//! sends no `Retry-After`). At most 120 events a minute go out per routing key.

mod wire;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};

use crate::app::{Page, Pager};
use crate::clock::BoxFuture;
use crate::config::PagerDutySettings;
use crate::scheduler::JobError;

use super::{endpoint, CallError, Outbound};

/// The service's name in `/metrics`.
pub const SERVICE: &str = "pagerduty";

/// PagerDuty's limit of events a minute per routing key.
pub const EVENTS_PER_MINUTE: usize = 120;

/// How long before a 429 or a 5xx is tried again: PagerDuty sends no `Retry-After`, and
/// suggests a few tries some 30 s apart.
pub const RETRY_AFTER: Duration = Duration::from_secs(30);

/// PagerDuty, through the shared client.
pub struct PagerDuty {
    outbound: Outbound,
    settings: PagerDutySettings,
    /// When each of the last minute's events went out, per routing key.
    sent: Arc<Mutex<HashMap<String, VecDeque<Instant>>>>,
}

impl PagerDuty {
    /// PagerDuty as `[page_out.pagerduty]` says, its keys from the environment.
    pub fn new(outbound: Outbound, settings: PagerDutySettings) -> Self {
        Self {
            outbound,
            settings,
            sent: Arc::default(),
        }
    }

    /// The routing key of `page`: the security on-call's for a security incident.
    fn routing_key(&self, page: &Page) -> Option<&SecretString> {
        let secrets = &self.settings.secrets;
        if page.security {
            secrets.security_routing_key.as_ref()
        } else {
            secrets.routing_key.as_ref()
        }
    }

    /// Takes one event of `key`'s minute; when 120 went out in the last minute, how long
    /// until the oldest of them is a minute old.
    fn take(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let minute = Duration::from_secs(60);
        let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        let times = sent.entry(key.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= minute)
        {
            times.pop_front();
        }
        if times.len() >= EVENTS_PER_MINUTE {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(minute.saturating_sub(now.duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }

    async fn enqueue(&self, page: &Page, key: &SecretString) -> Result<(), JobError> {
        if let Err(wait) = self.take(key.expose_secret()) {
            return Err(JobError::Retry {
                error: anyhow::anyhow!("120 PagerDuty events went out this minute"),
                after: Some(wait),
            });
        }
        let url = endpoint(&self.settings.api_base, &["v2", "enqueue"])?;
        let event = wire::Event::of(page, key.expose_secret());
        let request = self
            .outbound
            .request(reqwest::Method::POST, url)
            .json(&event);
        match self
            .outbound
            .send(SERVICE, self.settings.timeout, request)
            .await
        {
            Ok(answer) => {
                let accepted: wire::Accepted = answer.json()?;
                if accepted.dedup_key.as_deref().is_some_and(|k| k != page.key) {
                    tracing::warn!("PagerDuty accepted the event under another dedup key");
                }
                Ok(())
            }
            Err(CallError::Unavailable {
                service,
                message,
                after,
                reached,
            }) => Err(JobError::Retry {
                error: CallError::Unavailable {
                    service,
                    message,
                    after,
                    reached,
                }
                .into(),
                after: Some(after.unwrap_or(RETRY_AFTER)),
            }),
            Err(e) => Err(e.into()),
        }
    }
}

impl Pager for PagerDuty {
    fn send<'a>(&'a self, page: &'a Page) -> BoxFuture<'a, Result<bool, JobError>> {
        Box::pin(async move {
            // A security incident goes to the security on-call only, or nowhere.
            let Some(key) = self.routing_key(page) else {
                return Ok(false);
            };
            self.enqueue(page, key).await.map(|()| true)
        })
    }
}

#[cfg(test)]
mod tests;
