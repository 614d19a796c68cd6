//! Injected REST faults: the next N calls to a route, or every call for a while, fail.

use std::time::{Duration, Instant};

use super::reply::Reply;

/// How an injected fault answers. Note for the bot's design: serenity 0.12 retries a 429 only
/// inside its own ratelimiter, which `HttpBuilder::proxy` requires disabled, so every 429 reaches
/// the caller as `HttpError::UnsuccessfulRequest` (status 429). Discord's 429 body has no `code`,
/// so serenity reports code -1 and drops `retry_after`: the bot must back off by itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    /// 429 with this `retry_after` (body, `Retry-After` and `X-RateLimit-*` headers).
    RateLimited(Duration),
    /// 429 on the global limit (`"global": true`, `X-RateLimit-Global`).
    GloballyRateLimited(Duration),
    /// 500 Internal Server Error.
    ServerError,
    /// 403 Missing Permissions (50013), as when the bot lacks a permission for the call. Not a
    /// violation: the test took the permission away.
    Forbidden,
    /// Served as usual, but the answer is held back this long (real time): Discord did the
    /// work and the client, if it gave up waiting, does not know.
    Delayed(Duration),
    /// No answer: the connection is dropped after the request was read, so the client gets a
    /// transport error (reqwest's, which names the URL) instead of a status.
    Disconnect,
}

/// One fault rule on `method` + spec route template.
#[derive(Clone, Debug)]
pub struct FaultRule {
    /// HTTP method, upper case.
    pub method: String,
    /// The spec's route template, e.g. `/channels/{channel_id}/messages`.
    pub route: String,
    /// What to answer.
    pub fault: Fault,
    /// Calls still to fail, for a counted rule.
    pub remaining: Option<usize>,
    /// Fake-clock instant until which calls fail, for a timed rule.
    pub until: Option<Instant>,
}

impl Fault {
    /// The answer this fault gives instead of serving the request; `None` when the request is
    /// served (a delay).
    pub fn reply(self, route: &str) -> Option<Reply> {
        let bucket = format!(
            "fake-{:x}",
            route.len() * 7919 + route.bytes().map(usize::from).sum::<usize>()
        );
        Some(match self {
            Fault::RateLimited(after) => Reply::rate_limited(after, false, "user", &bucket),
            Fault::GloballyRateLimited(after) => {
                Reply::rate_limited(after, true, "global", &bucket)
            }
            Fault::ServerError => Reply::server_error(),
            Fault::Forbidden => Reply {
                violation: None,
                ..Reply::error(403, 50013, "Missing Permissions", "forbidden")
            },
            Fault::Delayed(_) => return None,
            Fault::Disconnect => Reply::cut(),
        })
    }

    /// How long the answer to a request served under this fault is held back.
    pub fn delay(self) -> Option<Duration> {
        match self {
            Fault::Delayed(by) => Some(by),
            _ => None,
        }
    }
}

/// Takes the first live rule matching the request (consuming one count of a counted rule) and
/// drops rules that are used up or expired.
pub fn take_fault(
    rules: &mut Vec<FaultRule>,
    method: &str,
    route: &str,
    now: Instant,
) -> Option<Fault> {
    rules.retain(|r| r.remaining != Some(0) && r.until.is_none_or(|until| now < until));
    let rule = rules
        .iter_mut()
        .find(|r| r.method == method && r.route == route)?;
    if let Some(left) = rule.remaining.as_mut() {
        *left -= 1;
    }
    Some(rule.fault)
}
