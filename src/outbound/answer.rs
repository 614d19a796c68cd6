//! What came back from an outside service: an [`Answer`] to read, or a [`CallError`] that says
//! whether trying again can help.

use std::time::Duration;

use crate::scheduler::JobError;

use super::MAX_BODY;

/// How much of a body a timeline line or a log line quotes.
pub const SNIPPET_CHARS: usize = 200;

/// A 2xx answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The service that answered.
    pub service: &'static str,
    /// The status code.
    pub status: u16,
    /// The headers, names in lowercase.
    pub headers: reqwest::header::HeaderMap,
    /// The body as text (lossy UTF-8), at most [`MAX_BODY`] bytes of it.
    pub body: String,
}

/// Why a call did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// Passing: no connection, no answer in time, a 429 or a 5xx. Try again later, after
    /// `after` when the service said how long.
    #[error("{service} is unavailable: {reached}{message}")]
    Unavailable {
        /// The service.
        service: &'static str,
        /// What happened (an answer's first characters, redacted, or why none came).
        message: String,
        /// How long the service asked us to wait.
        after: Option<Duration>,
        /// How far the call got, which says whether the service may have acted.
        reached: Reached,
    },
    /// 401 or 403: the credentials are wrong or lack a scope. Trying again cannot help.
    #[error("{service} refused the credentials ({status}): {message}")]
    Unauthorized {
        /// The service.
        service: &'static str,
        /// 401 or 403.
        status: u16,
        /// What it said, redacted and shortened.
        message: String,
    },
    /// Any other 4xx, or a request that cannot be built: a fault to report, not to retry.
    #[error("{service} refused the request ({status}): {message}")]
    Refused {
        /// The service.
        service: &'static str,
        /// The status (0 when the request was never sent).
        status: u16,
        /// What it said, redacted and shortened.
        message: String,
    },
}

/// How far a call that failed for now got: whether the service may have acted on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reached {
    /// No connection was made: nothing was sent, so nothing was done.
    Nobody,
    /// It was sent and no answer came (a timeout, a cut connection): it may have acted.
    NoAnswer,
    /// The service answered with this status (429, 408, a 5xx, or a 403 that is a rate limit).
    Answered(u16),
}

impl std::fmt::Display for Reached {
    /// An answer's status, as the message's prefix; nothing otherwise.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Answered(status) => write!(f, "{status}: "),
            Self::Nobody | Self::NoAnswer => Ok(()),
        }
    }
}

impl CallError {
    /// A request that reached nobody or got no answer.
    pub(super) fn unreachable(e: reqwest::Error) -> Self {
        let what = if e.is_timeout() {
            "no answer in time"
        } else if e.is_connect() {
            "could not connect"
        } else {
            "the exchange failed"
        };
        let reached = if e.is_connect() {
            Reached::Nobody
        } else {
            Reached::NoAnswer
        };
        Self::Unavailable {
            service: "",
            message: crate::redact::redact(&format!("{what}: {}", without_url(&e))),
            after: None,
            reached,
        }
    }

    /// The label of `incident_bot_outbound_requests_total` for this failure.
    pub fn outcome(&self) -> &'static str {
        match self {
            Self::Unavailable { after: Some(_), .. } => "rate_limited",
            Self::Unavailable { .. } => "unavailable",
            Self::Unauthorized { .. } => "unauthorized",
            Self::Refused { .. } => "refused",
        }
    }

    /// The status the service answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { status, .. } | Self::Refused { status, .. } if *status > 0 => {
                Some(*status)
            }
            Self::Unavailable {
                reached: Reached::Answered(status),
                ..
            } => Some(*status),
            _ => None,
        }
    }

    /// Names `service` where the error was made without knowing it.
    pub fn with_service(mut self, name: &'static str) -> Self {
        let (Self::Unavailable { service, .. }
        | Self::Unauthorized { service, .. }
        | Self::Refused { service, .. }) = &mut self;
        if service.is_empty() {
            *service = name;
        }
        self
    }
}

/// reqwest's error without the URL it prints (which may carry a token in its query).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "…");
    }
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<CallError> for JobError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Unavailable { after, .. } => JobError::Retry {
                after,
                error: e.into(),
            },
            CallError::Unauthorized { .. } | CallError::Refused { .. } => JobError::Fatal(e.into()),
        }
    }
}

impl Answer {
    /// Reads a response whatever its status, at most [`MAX_BODY`] bytes of its body.
    pub(super) async fn read(mut response: reqwest::Response) -> Result<Self, CallError> {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(CallError::unreachable)? {
            let room = MAX_BODY.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if room <= chunk.len() {
                break;
            }
        }
        Ok(Self {
            service: "",
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// Itself when 2xx; otherwise the error its status means.
    pub(super) fn classified(mut self, service: &'static str) -> Result<Self, CallError> {
        self.service = service;
        let message = self.snippet();
        match self.status {
            200..=299 => Ok(self),
            // GitHub's secondary rate limits answer 403 with a reset: passing, not a credential.
            403 if self.header("retry-after").is_some()
                || self.header("x-ratelimit-remaining") == Some("0") =>
            {
                Err(CallError::Unavailable {
                    service,
                    after: super::retry_after(&self.headers, chrono::Utc::now()),
                    message,
                    reached: Reached::Answered(self.status),
                })
            }
            401 | 403 => Err(CallError::Unauthorized {
                service,
                status: self.status,
                message,
            }),
            429 | 500..=599 | 408 => Err(CallError::Unavailable {
                service,
                after: super::retry_after(&self.headers, chrono::Utc::now()),
                message,
                reached: Reached::Answered(self.status),
            }),
            status => Err(CallError::Refused {
                service,
                status,
                message,
            }),
        }
    }

    /// The body parsed as `T`; a body that is not is a fault of the service, reported.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, CallError> {
        serde_json::from_str(&self.body).map_err(|e| CallError::Refused {
            service: self.service,
            status: self.status,
            message: format!("the answer could not be read ({e}): {}", self.snippet()),
        })
    }

    /// A header's value as text, if it is there and is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body's first [`SNIPPET_CHARS`] characters on one line, redacted: what a timeline
    /// entry or a log line quotes of an answer.
    pub fn snippet(&self) -> String {
        snippet(&self.body)
    }
}

/// `text`'s first [`SNIPPET_CHARS`] characters on one line, redacted.
pub fn snippet(text: &str) -> String {
    let line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(SNIPPET_CHARS)
        .collect();
    crate::redact::redact(&line)
}
