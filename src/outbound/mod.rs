//! Outside services the plan's steps reach (PagerDuty, ntfy, GitHub, Jira, Linear, Cloudflare,
//! Mastodon, Bluesky, X, Prometheus, runbook targets): the one HTTP client they share, and how
//! an answer is classified. Each service's adapter lives in `outbound/<service>/` and speaks its
//! wire format through [`Outbound::send`]; it implements a port `app/` owns, so that a use case
//! never sees a vendor's field names.
//!
//! Every call here has a timeout, is counted in `/metrics` per service and outcome
//! (`incident_bot_outbound_requests_total`), and turns into a [`CallError`] that the job queue
//! understands: a 429 or a 5xx or a timeout is retried (after the service's reset, when it
//! says one), a 401/403 is a credential to fix, any other 4xx is a fault to report.

pub mod actions;
#[macro_use]
mod tracker_calls;
mod answer;
pub mod bluesky;
pub mod cloudflare;
pub mod github;
pub mod jira;
pub mod linear;
mod markdown;
pub mod mastodon;
pub mod ntfy;
mod pace;
pub mod pagerduty;
pub mod prometheus;
pub mod status_webhook;
mod trackers;
mod wait;
pub mod x;

use std::time::{Duration, Instant};

pub use answer::{snippet as answer_snippet, Answer, CallError, Reached, SNIPPET_CHARS};
pub use trackers::tracker;
pub use wait::retry_after;

use crate::metrics::Metrics;

/// The most of an answer's body read: an error page or a listing, never a download.
pub const MAX_BODY: usize = 1024 * 1024;

/// The shared client of every outside service. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Outbound {
    http: reqwest::Client,
    metrics: Metrics,
}

impl Outbound {
    /// A client with rustls, no proxy from the environment beyond reqwest's own rules, and
    /// `incident-bot/<version>` as its user agent; each call sets its own timeout.
    pub fn new(metrics: Metrics) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("incident-bot/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| {
                anyhow::anyhow!("could not build the HTTP client of outside services: {e}")
            })?;
        Ok(Self { http, metrics })
    }

    /// A request to `url`, to be finished (headers, body) and passed to [`Outbound::send`].
    pub fn request(&self, method: reqwest::Method, url: url::Url) -> reqwest::RequestBuilder {
        self.http.request(method, url)
    }

    /// Sends `request` to `service` within `timeout`, counts it, and classifies the answer: a
    /// 2xx is an [`Answer`]; anything else a [`CallError`].
    pub async fn send(
        &self,
        service: &'static str,
        timeout: Duration,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, CallError> {
        let started = Instant::now();
        let result = match tokio::time::timeout(timeout, self.exchange(request)).await {
            Ok(result) => result.and_then(|answer| answer.classified(service)),
            Err(_) => Err(CallError::Unavailable {
                service,
                message: format!("no answer within {}", humantime::format_duration(timeout)),
                after: None,
                reached: Reached::NoAnswer,
            }),
        };
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) => e.outcome(),
        };
        self.metrics.outbound_requests.inc(&[service, outcome]);
        self.metrics
            .outbound_seconds
            .observe(&[service], started.elapsed().as_secs_f64());
        result.map_err(|e| e.with_service(service))
    }

    async fn exchange(&self, request: reqwest::RequestBuilder) -> Result<Answer, CallError> {
        let response = request.send().await.map_err(CallError::unreachable)?;
        Answer::read(response).await
    }
}

/// The pagers `[page_out]` configures, on `outbound`.
pub fn pagers(
    settings: &crate::config::PageOutSettings,
    outbound: &Outbound,
) -> crate::app::Pagers {
    let mut pagers = crate::app::Pagers::default();
    if let Some(pd) = &settings.pagerduty {
        let pager = pagerduty::PagerDuty::new(outbound.clone(), pd.clone());
        pagers.pagerduty = Some(std::sync::Arc::new(pager));
    }
    if let Some(ntfy) = &settings.ntfy {
        pagers.ntfy = Some(std::sync::Arc::new(ntfy::Ntfy::new(
            outbound.clone(),
            ntfy.clone(),
        )));
    }
    pagers
}

/// `base` with `segments` appended as path segments, each percent-encoded: how every adapter
/// builds a URL (a base behind a proxy may carry a path of its own, which is kept).
pub fn endpoint(base: &url::Url, segments: &[&str]) -> Result<url::Url, CallError> {
    let mut url = base.clone();
    {
        let mut path = url.path_segments_mut().map_err(|()| CallError::Refused {
            service: "",
            status: 0,
            message: format!("`{base}` cannot take a path: give an http(s) URL as api_base"),
        })?;
        path.pop_if_empty();
        path.extend(segments);
    }
    Ok(url)
}

#[cfg(test)]
mod tests;
