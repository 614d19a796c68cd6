//! Cloudflare's WAF, the adapter of the `Waf` port: IP access rules in a zone or an account
//! (`access_rules.rs`), or items of an account's custom IP list (`lists.rs`), over the
//! shared [`Outbound`] client. Every answer comes in Cloudflare's envelope (`success`,
//! `errors`, `messages`, `result`, `wire.rs`); a 401/403 is a token to fix, said once.

mod access_rules;
mod lists;
mod rulesets;
mod wire;

use std::sync::Arc;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};

use super::{endpoint, Answer, CallError, Outbound};
use crate::app::{BlockRequest, Waf};
use crate::clock::BoxFuture;
use crate::config::{CloudflareSettings, WafMode, CLOUDFLARE_TOKEN_VAR};
use crate::domain::{BlockTarget, Forbidden, TokenRefused, Typed};
use crate::scheduler::JobError;

/// The service's name in metrics and messages.
const SERVICE: &str = "cloudflare";

/// Cloudflare's WAF, as configured in `[cloudflare]`.
pub struct Cloudflare {
    client: Outbound,
    settings: CloudflareSettings,
    token: SecretString,
}

impl std::fmt::Debug for Cloudflare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cloudflare")
            .field("api_base", &self.settings.api_base.as_str())
            .field("mode", &self.settings.mode)
            .finish_non_exhaustive()
    }
}

impl Cloudflare {
    /// The adapter `[cloudflare]` describes, or `None` when it names no zone or account, or
    /// no token is set (`check` refuses that configuration).
    pub fn from_settings(settings: &CloudflareSettings, client: Outbound) -> Option<Arc<dyn Waf>> {
        if !settings.configured() {
            return None;
        }
        let token = settings.token.clone()?;
        Some(Arc::new(Self {
            client,
            settings: settings.clone(),
            token,
        }))
    }

    /// The adapter itself, for `check --online` (`None` as [`Cloudflare::from_settings`]).
    pub fn for_check(settings: &CloudflareSettings, client: Outbound) -> Option<Self> {
        if !settings.configured() {
            return None;
        }
        Some(Self {
            client,
            settings: settings.clone(),
            token: settings.token.clone()?,
        })
    }

    /// `segments` under `api_base`.
    fn url(&self, segments: &[&str]) -> Result<url::Url, JobError> {
        endpoint(&self.settings.api_base, segments).map_err(|e| self.fault(e))
    }

    /// Sends a request with the token, within `[cloudflare] timeout`; reads the envelope.
    async fn call(
        &self,
        method: Method,
        url: url::Url,
        body: Option<serde_json::Value>,
    ) -> Result<Answer, JobError> {
        let mut request = self
            .client
            .request(method, url)
            .bearer_auth(self.token.expose_secret());
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.client
            .send(SERVICE, self.settings.timeout, request)
            .await
            .map_err(|e| self.fault(e))
    }

    /// What a failed call means to the job: a 401/403 says which permission the token needs,
    /// once; a 4xx quotes Cloudflare's own errors; the rest retries.
    fn fault(&self, e: CallError) -> JobError {
        match e {
            CallError::Unauthorized {
                status, message, ..
            } => JobError::Forbidden(Forbidden::Token(TokenRefused {
                service: SERVICE.to_owned(),
                var: CLOUDFLARE_TOKEN_VAR.to_owned(),
                status,
                said: Typed(wire::errors_of(&message)),
                needs: self.permission().to_owned(),
            })),
            CallError::Refused {
                status, message, ..
            } => JobError::fatal(format!(
                "Cloudflare refused the request ({status}): {}",
                wire::errors_of(&message)
            )),
            other => other.into(),
        }
    }

    /// The permission the token needs for the configured mode.
    fn permission(&self) -> &'static str {
        match (self.settings.mode, &self.settings.zone_id) {
            (WafMode::List, _) => "Account → Account Filter Lists → Edit",
            (WafMode::AccessRules, Some(_)) => "Zone → Firewall Services → Edit",
            (WafMode::AccessRules, None) => "Account → Account Firewall Access Rules → Edit",
        }
    }
}

impl Waf for Cloudflare {
    fn name(&self) -> &'static str {
        "Cloudflare"
    }

    fn block<'a>(&'a self, request: &'a BlockRequest) -> BoxFuture<'a, Result<String, JobError>> {
        Box::pin(async move {
            match self.settings.mode {
                WafMode::AccessRules => self.block_by_rule(request).await,
                WafMode::List => self.block_by_item(request).await,
            }
        })
    }

    fn unblock<'a>(
        &'a self,
        target: &'a BlockTarget,
        entry_id: Option<&'a str>,
        note: &'a str,
    ) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            match self.settings.mode {
                WafMode::AccessRules => self.unblock_rule(target, entry_id, note).await,
                WafMode::List => self.unblock_item(target, entry_id, note).await,
            }
        })
    }
}
