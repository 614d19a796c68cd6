//! `[cloudflare]`: where the WAF blocks of `/incident block` go. Off until a zone or an account
//! is named; the API token only from `INCIDENT_BOT_CLOUDFLARE_API_TOKEN`.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::{duration, listen};

/// The variable holding the Cloudflare API token.
pub const CLOUDFLARE_TOKEN_VAR: &str = "INCIDENT_BOT_CLOUDFLARE_API_TOKEN";

/// `[cloudflare]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudflareSettings {
    /// Cloudflare's API (a proxy in front of it, or a fake in tests).
    #[serde(deserialize_with = "base_url")]
    pub api_base: url::Url,
    /// The zone whose IP access rules block (mode `access_rules`).
    pub zone_id: Option<String>,
    /// The account whose IP access rules (mode `access_rules`, no zone) or list (mode `list`)
    /// block.
    pub account_id: Option<String>,
    /// IP access rules, or items of a custom list a WAF custom rule blocks.
    pub mode: WafMode,
    /// The custom list, for mode `list`.
    pub list_id: Option<String>,
    /// The studio's own ranges: never blocked, whatever is typed.
    #[serde(deserialize_with = "listen::networks")]
    pub never_block: Vec<ipnet::IpNet>,
    /// How long one call may take.
    #[serde(deserialize_with = "duration::positive")]
    pub timeout: Duration,
    /// The API token, from [`CLOUDFLARE_TOKEN_VAR`] only (`SecretString` never prints it).
    #[serde(skip)]
    pub token: Option<secrecy::SecretString>,
}

impl CloudflareSettings {
    /// Whether blocks are on: a zone or an account is named.
    pub fn configured(&self) -> bool {
        self.zone_id.is_some() || self.account_id.is_some()
    }
}

/// Where a block goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WafMode {
    /// One IP access rule per target, in the zone (or the account).
    AccessRules,
    /// One item per target in an account's custom IP list, which a WAF custom rule
    /// (`ip.src in $list`) blocks.
    List,
}

/// The rules between `[cloudflare]`'s keys and its token, as `(keys, problem)`.
pub(super) fn problems(c: &CloudflareSettings) -> Vec<(Vec<&'static str>, String)> {
    let mut out = Vec::new();
    if !c.configured() {
        if c.list_id.is_some() {
            out.push((
                vec!["cloudflare.list_id"],
                "[cloudflare] list_id is set but account_id is not: the list belongs to an \
                 account; set account_id too"
                    .to_owned(),
            ));
        }
        return out;
    }
    match c.mode {
        WafMode::AccessRules if c.zone_id.is_some() && c.account_id.is_some() => out.push((
            vec!["cloudflare.account_id", "cloudflare.zone_id"],
            "[cloudflare] sets both zone_id and account_id for access rules: a rule lives in a \
             zone or in an account, not both; keep the one to block in"
                .to_owned(),
        )),
        WafMode::List if c.account_id.is_none() || c.list_id.is_none() => out.push((
            vec![
                "cloudflare.mode",
                "cloudflare.account_id",
                "cloudflare.list_id",
            ],
            "[cloudflare] mode = \"list\" needs account_id and list_id (the custom IP list, \
             from Manage Account → Configurations → Lists)"
                .to_owned(),
        )),
        _ => {}
    }
    if c.token.is_none() {
        out.push((
            vec!["cloudflare.zone_id", "cloudflare.account_id"],
            format!(
                "[cloudflare] is on but {CLOUDFLARE_TOKEN_VAR} is not set: create an API token \
                 that may edit the WAF's access rules (or the account's lists) and put it in \
                 that environment variable, never in this file"
            ),
        ));
    }
    out
}

/// What works but may not be meant: a list blocks nothing by itself.
pub(super) fn warnings(c: &CloudflareSettings) -> Vec<(Vec<&'static str>, String)> {
    if c.configured() && c.mode == WafMode::List {
        return vec![(
            vec!["cloudflare.mode"],
            "[cloudflare] mode = \"list\": the list blocks nothing until a WAF custom rule \
             uses it; make sure the zone has a rule `ip.src in $<list name>` with action Block"
                .to_owned(),
        )];
    }
    Vec::new()
}

fn base_url<'de, D: Deserializer<'de>>(d: D) -> Result<url::Url, D::Error> {
    let text = String::deserialize(d)?;
    let url = url::Url::parse(text.trim()).map_err(|e| {
        serde::de::Error::custom(format!("`{text}` is not a URL ({e}): write https://…"))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(serde::de::Error::custom(format!(
            "`{text}` is not an http(s) URL"
        )));
    }
    Ok(url)
}
