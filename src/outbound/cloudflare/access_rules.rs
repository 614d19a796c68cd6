//! IP access rules (`/zones/{zone_id}/firewall/access_rules/rules`, or the account's): one
//! rule per address or range, mode `block`, its notes naming the incident. A rule is looked up
//! by its value and notes before one is created, so a retry after a lost answer adopts the
//! rule the lost call made instead of making a second.

use reqwest::Method;
use serde_json::json;

use super::wire::{self, AccessRule, Id};
use super::{Cloudflare, SERVICE};
use crate::app::BlockRequest;
use crate::domain::BlockTarget;
use crate::outbound::CallError;
use crate::scheduler::JobError;

/// How an access rule names what it matches.
fn target_kind(target: &BlockTarget) -> &'static str {
    match target {
        BlockTarget::Range(_) => "ip_range",
        BlockTarget::Address(a) if a.is_ipv6() => "ip6",
        BlockTarget::Address(_) => "ip",
    }
}

impl Cloudflare {
    /// The rules' collection, in the zone when one is set, else in the account.
    fn rules_url(&self, rule: Option<&str>) -> Result<url::Url, JobError> {
        let (scope, id) = match (&self.settings.zone_id, &self.settings.account_id) {
            (Some(zone), _) => ("zones", zone.as_str()),
            (None, Some(account)) => ("accounts", account.as_str()),
            (None, None) => return Err(JobError::fatal("[cloudflare] names no zone or account")),
        };
        let mut segments = vec![scope, id, "firewall", "access_rules", "rules"];
        segments.extend(rule);
        self.url(&segments)
    }

    /// The rule blocking `target` whose notes are `note`, if there is one.
    async fn find_rule(
        &self,
        target: &BlockTarget,
        note: &str,
    ) -> Result<Option<String>, JobError> {
        let value = target.to_string();
        let mut url = self.rules_url(None)?;
        url.query_pairs_mut()
            .append_pair("configuration.value", &value)
            .append_pair("mode", "block")
            .append_pair("per_page", "100");
        let answer = self.call(Method::GET, url, None).await?;
        let rules: Vec<AccessRule> = wire::result(&answer)?;
        Ok(rules
            .into_iter()
            .find(|r| r.notes == note && r.configuration.value == value)
            .map(|r| r.id))
    }

    /// Blocks with an access rule, adopting the one a lost answer made.
    pub(super) async fn block_by_rule(&self, request: &BlockRequest) -> Result<String, JobError> {
        if let Some(id) = self.find_rule(&request.target, &request.note).await? {
            return Ok(id);
        }
        let body = json!({
            "mode": "block",
            "configuration": {
                "target": target_kind(&request.target),
                "value": request.target.to_string(),
            },
            "notes": request.note,
        });
        let answer = self
            .call(Method::POST, self.rules_url(None)?, Some(body))
            .await?;
        let rule: Id = wire::result(&answer)?;
        Ok(rule.id)
    }

    /// Deletes the rule `entry_id`, or the one found by `note`; a rule already gone is lifted.
    pub(super) async fn unblock_rule(
        &self,
        target: &BlockTarget,
        entry_id: Option<&str>,
        note: &str,
    ) -> Result<(), JobError> {
        let id = match entry_id {
            Some(id) => id.to_owned(),
            None => match self.find_rule(target, note).await? {
                Some(id) => id,
                None => return Ok(()),
            },
        };
        let url = self.rules_url(Some(&id))?;
        let request = self
            .client
            .request(Method::DELETE, url)
            .bearer_auth(secrecy::ExposeSecret::expose_secret(&self.token));
        match self
            .client
            .send(SERVICE, self.settings.timeout, request)
            .await
        {
            Ok(_) | Err(CallError::Refused { status: 404, .. }) => Ok(()),
            Err(e) => Err(self.fault(e)),
        }
    }
}
