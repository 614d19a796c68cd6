//! Evidence links: a system's dashboards and logs (Sentry, Cloudflare analytics, Grafana
//! Explore, database query logs, any other), each a URL template filled with the incident's
//! time range. Placeholders are replaced in the query's values only, and the query is written
//! back encoded by the URL library: never by gluing strings.

use chrono::{DateTime, SecondsFormat, Utc};

/// The placeholders a template may use, with what each becomes.
pub const PLACEHOLDERS: &[&str] = &[
    "{from}",
    "{to}",
    "{from_ms}",
    "{to_ms}",
    "{from_s}",
    "{to_s}",
    "{system}",
];

/// A link template: its button's label and its URL with placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTemplate {
    /// The button's label.
    pub label: String,
    /// The URL, such as `https://sentry.io/organizations/loh/issues/?project=4&start={from}&end={to}`.
    pub url: String,
}

/// A link filled for one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceLink {
    /// The button's label.
    pub label: String,
    /// The URL, encoded.
    pub url: String,
}

/// The longest label Discord shows on a button.
pub const MAX_LABEL: usize = 80;

/// Fills `template` for `system` over `from`..`to`. Refuses what does not give an https URL.
pub fn fill(
    template: &LinkTemplate,
    system: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<EvidenceLink, String> {
    let mut url = url::Url::parse(&template.url)
        .map_err(|e| format!("`{}` is not a URL: {e}", template.url))?;
    if url.scheme() != "https" {
        return Err(format!("`{}` is not an https URL", template.url));
    }
    let values = [
        ("{from}", from.to_rfc3339_opts(SecondsFormat::Secs, true)),
        ("{to}", to.to_rfc3339_opts(SecondsFormat::Secs, true)),
        ("{from_ms}", from.timestamp_millis().to_string()),
        ("{to_ms}", to.timestamp_millis().to_string()),
        ("{from_s}", from.timestamp().to_string()),
        ("{to_s}", to.timestamp().to_string()),
        ("{system}", system.to_owned()),
    ];
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let mut v = v.into_owned();
            for (placeholder, value) in &values {
                v = v.replace(placeholder, value);
            }
            (k.into_owned(), v)
        })
        .collect();
    if !pairs.is_empty() {
        url.query_pairs_mut().clear().extend_pairs(&pairs);
    }
    let label = template.label.trim();
    if label.is_empty() || label.chars().count() > MAX_LABEL {
        return Err(format!(
            "the label `{label}` must have 1 to {MAX_LABEL} characters"
        ));
    }
    Ok(EvidenceLink {
        label: label.to_owned(),
        url: url.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, h, m, 0)
            .single()
            .expect("a time")
    }

    #[test]
    fn a_template_is_filled_in_its_query_and_encoded() {
        let grafana = LinkTemplate {
            label: "Backend logs".into(),
            url: r#"https://grafana.loh.game/explore?left={"datasource":"loki","queries":[{"expr":"{filename=~\"/var/log/loh-backend/.*\"} |= \"{system}\""}],"range":{"from":"{from_ms}","to":"{to_ms}"}}"#.into(),
        };
        let link = fill(&grafana, "Login & co", at(5, 45), at(6, 30)).expect("filled");
        let url = url::Url::parse(&link.url).expect("a URL");
        let left = url
            .query_pairs()
            .find(|(k, _)| k == "left")
            .map(|(_, v)| v.into_owned())
            .expect("left");
        assert!(
            left.contains(r#""from":"1796535900000","to":"1796538600000""#),
            "{left}"
        );
        assert!(left.contains(r#"|= \"Login & co\""#), "{left}");
        assert!(
            !link.url.contains(' ') && !link.url.contains('"'),
            "{}",
            link.url
        );
        assert!(link.url.contains("Login+%26+co"), "{}", link.url);

        let sentry = LinkTemplate {
            label: "Sentry".into(),
            url: "https://sentry.io/organizations/loh/issues/?project=4&start={from}&end={to}"
                .into(),
        };
        let link = fill(&sentry, "Login", at(5, 45), at(6, 30)).expect("filled");
        assert_eq!(
            link.url,
            "https://sentry.io/organizations/loh/issues/?project=4&start=2026-12-06T05%3A45%3A00Z&end=2026-12-06T06%3A30%3A00Z"
        );
    }

    #[test]
    fn a_template_that_is_not_https_or_has_no_label_is_refused() {
        let t = |url: &str, label: &str| LinkTemplate {
            label: label.into(),
            url: url.into(),
        };
        assert!(fill(
            &t("http://grafana/explore", "Logs"),
            "L",
            at(1, 0),
            at(2, 0)
        )
        .is_err());
        assert!(fill(&t("grafana/explore", "Logs"), "L", at(1, 0), at(2, 0)).is_err());
        assert!(fill(&t("https://grafana/explore", " "), "L", at(1, 0), at(2, 0)).is_err());
    }
}
