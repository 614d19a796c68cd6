//! Runbook actions' targets (`[[actions]]`): a generic webhook signed with HMAC-SHA256, GitHub
//! Actions' `workflow_dispatch`, and GitLab's pipeline trigger. Each run carries its
//! idempotency key: the webhook's `Idempotency-Key` header and `run_id` in its body, the
//! workflow's `run_id` input, the pipeline's `INCIDENT_BOT_RUN_ID` variable. Secrets are read
//! from the environment at the moment of the call, never kept.

mod shapes;

use secrecy::{ExposeSecret, SecretString};

use super::{CallError, Outbound, Reached};
use crate::app::{ActionCall, ActionOutcome, ActionRunner};
use crate::clock::BoxFuture;
use crate::domain::{BotReason, EnvSecret, Shape};

pub use shapes::{signature, GITLAB_RUN_VARIABLE, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// The `ActionRunner` over the shared client.
#[derive(Debug, Clone)]
pub struct ActionClient {
    outbound: Outbound,
}

impl ActionClient {
    /// A runner sending through `outbound`.
    pub fn new(outbound: Outbound) -> Self {
        Self { outbound }
    }
}

/// A request ready to send, with the service it is counted under.
pub(super) struct Prepared {
    service: &'static str,
    request: reqwest::RequestBuilder,
}

impl ActionRunner for ActionClient {
    fn run<'a>(&'a self, call: &'a ActionCall<'a>) -> BoxFuture<'a, ActionOutcome> {
        Box::pin(async move {
            let prepared = match call.action.kind {
                Shape::Webhook => shapes::webhook(&self.outbound, call),
                Shape::GithubWorkflow => shapes::github(&self.outbound, call),
                Shape::GitlabPipeline => shapes::gitlab(&self.outbound, call),
            };
            let Prepared { service, request } = match prepared {
                Ok(p) => p,
                Err(not_sent) => return not_sent,
            };
            let sent = self
                .outbound
                .send(service, call.action.timeout, request)
                .await;
            outcome(sent)
        })
    }
}

/// What a call's result means for a run: only a call that got no answer at all is unknown.
fn outcome(sent: Result<super::Answer, CallError>) -> ActionOutcome {
    match sent {
        Ok(answer) => ActionOutcome::Done {
            status: answer.status,
            snippet: answer.snippet(),
        },
        Err(CallError::Unauthorized {
            status, message, ..
        }) => ActionOutcome::Failed {
            status: Some(status),
            what: message,
        },
        Err(CallError::Refused {
            status, message, ..
        }) => ActionOutcome::Failed {
            status: (status > 0).then_some(status),
            what: message,
        },
        // The target said to come back later: it did nothing.
        Err(CallError::Unavailable {
            after: Some(after),
            message,
            ..
        }) => ActionOutcome::Later {
            after: Some(after),
            what: message,
        },
        // Without a time to wait: an answer (a 5xx) is a failure to report; no connection at
        // all sent nothing and may be tried again; a timeout or a cut connection may have
        // acted, so what became of it is unknown.
        Err(CallError::Unavailable {
            message, reached, ..
        }) => match reached {
            Reached::Answered(status) => ActionOutcome::Failed {
                status: Some(status),
                what: message,
            },
            Reached::Nobody => ActionOutcome::Later {
                after: None,
                what: message,
            },
            Reached::NoAnswer => ActionOutcome::Unknown { what: message },
        },
    }
}

/// The value of `secret` from the environment, or why the run cannot be sent.
fn secret(secret: &EnvSecret) -> Result<SecretString, ActionOutcome> {
    crate::config::secret_from_env(secret.var()).ok_or_else(|| {
        ActionOutcome::NotSent(BotReason::SecretMissing {
            var: secret.var().to_owned(),
        })
    })
}

/// A header value that may be `env:NAME`.
fn header_value(value: &str) -> Result<String, ActionOutcome> {
    match value.strip_prefix("env:") {
        Some(_) => {
            let named = EnvSecret::parse(value)
                .map_err(|what| ActionOutcome::Failed { status: None, what })?;
            Ok(secret(&named)?.expose_secret().to_owned())
        }
        None => Ok(value.to_owned()),
    }
}

/// A request that could not be built: nothing was sent.
fn not_sent(what: impl Into<String>) -> ActionOutcome {
    ActionOutcome::Failed {
        status: None,
        what: what.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_call_without_any_answer_is_unknown() {
        let timeout = CallError::Unavailable {
            service: "webhook",
            message: "no answer within 2s".into(),
            after: None,
            reached: Reached::NoAnswer,
        };
        assert!(matches!(
            outcome(Err(timeout)),
            ActionOutcome::Unknown { .. }
        ));
        let answered = CallError::Unavailable {
            service: "webhook",
            message: "database on fire".into(),
            after: None,
            reached: Reached::Answered(500),
        };
        assert_eq!(
            outcome(Err(answered)),
            ActionOutcome::Failed {
                status: Some(500),
                what: "database on fire".into()
            }
        );
        let nobody = CallError::Unavailable {
            service: "webhook",
            message: "could not connect: refused".into(),
            after: None,
            reached: Reached::Nobody,
        };
        assert!(matches!(outcome(Err(nobody)), ActionOutcome::Later { .. }));
    }
}
