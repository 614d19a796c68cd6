//! `check --online` for a custom list: the list blocks nothing until a WAF custom rule uses it
//! (`ip.src in $<list name>`), so the list's name is read
//! (`GET /accounts/{account_id}/rules/lists/{list_id}`), then the custom rules of the zone
//! (or, without a zone, of the account) from the entry point of the
//! `http_request_firewall_custom` phase (`GET /{zones|accounts}/{id}/rulesets/phases/
//! http_request_firewall_custom/entrypoint`), as Cloudflare's SDK describes them.

use reqwest::Method;
use serde::Deserialize;

use super::wire::Envelope;
use super::{Cloudflare, SERVICE};
use crate::config::WafMode;
use crate::outbound::CallError;
use crate::scheduler::JobError;

/// The custom rules' phase.
const PHASE: &str = "http_request_firewall_custom";

/// A list, as `GET …/rules/lists/{list_id}` returns it (`ListGetResponse`).
#[derive(Debug, Deserialize)]
struct List {
    name: String,
}

/// The phase's entry point ruleset (`PhaseGetResponse`): only its rules are read.
#[derive(Debug, Deserialize)]
struct Ruleset {
    #[serde(default)]
    rules: Vec<Rule>,
}

/// One rule of it.
#[derive(Debug, Deserialize)]
struct Rule {
    #[serde(default)]
    action: String,
    #[serde(default)]
    expression: String,
    #[serde(default)]
    description: Option<String>,
    /// Cloudflare's default: a rule is enabled unless said otherwise.
    #[serde(default = "enabled")]
    enabled: bool,
}

/// A job's error as the sentence `check` prints.
fn said(e: JobError) -> String {
    match e {
        JobError::Retry { error, .. } | JobError::Fatal(error) => format!("{error:#}"),
        JobError::Forbidden(refused) => refused.to_string(),
        JobError::NotYet(_) => "Cloudflare asked to wait".to_owned(),
    }
}

fn enabled() -> bool {
    true
}

/// Whether `expression` tests the client's address against `$name` (`ip.src in $name`).
fn uses(expression: &str, name: &str) -> bool {
    let wanted = format!("ip.src in ${name}");
    let squeezed = expression.split_whitespace().collect::<Vec<_>>().join(" ");
    squeezed.match_indices(&wanted).any(|(at, _)| {
        squeezed[at + wanted.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

impl Cloudflare {
    /// `check --online`: for a custom list, whether an enabled Block rule uses it; the
    /// problem, saying what to create, when none does. `Ok(None)` in access-rules mode.
    pub async fn list_unused(&self) -> Result<Option<String>, String> {
        let (WafMode::List, Some(account), Some(list)) = (
            self.settings.mode,
            self.settings.account_id.as_deref(),
            self.settings.list_id.as_deref(),
        ) else {
            return Ok(None);
        };
        let url = self
            .url(&["accounts", account, "rules", "lists", list])
            .map_err(said)?;
        let name = match self.get::<List>(url).await? {
            Some(l) => l.name,
            None => return Err(format!("[cloudflare] list_id `{list}` is not a list of account `{account}`: copy its id from Manage Account → Configurations → Lists")),
        };
        let (scope, id) = match self.settings.zone_id.as_deref() {
            Some(zone) => ("zones", zone),
            None => ("accounts", account),
        };
        let url = self
            .url(&[scope, id, "rulesets", "phases", PHASE, "entrypoint"])
            .map_err(said)?;
        let rules = self.get::<Ruleset>(url).await?.map(|r| r.rules);
        let blocking = rules
            .iter()
            .flatten()
            .find(|r| r.enabled && r.action == "block" && uses(&r.expression, &name));
        if blocking.is_some() {
            return Ok(None);
        }
        let place = if scope == "zones" { "zone" } else { "account" };
        Ok(Some(format!(
            "[cloudflare] the list `{name}` blocks nothing: no enabled WAF custom rule of the \
             {place} `{id}` with action Block uses it. Create one (Security → WAF → Custom \
             rules → Create rule) with the expression `(ip.src in ${name})` and the action \
             Block{}",
            rules.map_or_else(String::new, |r| {
                let other: Vec<String> = r
                    .iter()
                    .filter(|r| uses(&r.expression, &name))
                    .map(|r| {
                        r.description
                            .clone()
                            .unwrap_or_else(|| r.expression.clone())
                    })
                    .collect();
                if other.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", or enable and set to Block the rule that names it ({})",
                        other.join("; ")
                    )
                }
            })
        )))
    }

    /// `GET url`'s result; `None` when Cloudflare answers 404 (no such list, no entry point).
    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        url: url::Url,
    ) -> Result<Option<T>, String> {
        use secrecy::ExposeSecret;
        let request = self
            .client
            .request(Method::GET, url)
            .bearer_auth(self.token.expose_secret());
        match self
            .client
            .send(SERVICE, self.settings.timeout, request)
            .await
        {
            Ok(answer) => {
                let envelope: Envelope<T> = answer.json().map_err(|e| e.to_string())?;
                Ok(envelope.result)
            }
            Err(CallError::Refused { status: 404, .. }) => Ok(None),
            Err(e) => Err(said(self.fault(e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::uses;

    #[test]
    fn a_rule_uses_the_list_only_by_its_whole_name() {
        assert!(uses(
            "(ip.src in $incident_blocklist)",
            "incident_blocklist"
        ));
        assert!(uses(
            "ip.src  in   $incident_blocklist and http.host eq \"x\"",
            "incident_blocklist"
        ));
        assert!(!uses(
            "(ip.src in $incident_blocklist_old)",
            "incident_blocklist"
        ));
        assert!(!uses("(ip.src ne 1.2.3.4)", "incident_blocklist"));
    }
}
