//! `check` on `[page_out]`: the keys it knows, the secrets it refuses in the file, and the
//! variable it names for each configured service.
#![expect(
    clippy::result_large_err,
    reason = "figment::Jail's closures must return figment::Error, which is large"
)]

use std::path::Path;

use figment::Jail;

use super::super::tests::{load_in, IDS};
use super::super::Settings;
use super::{PageService, PagerDutySecrets};
use crate::domain::Severity;

const PAGERDUTY: &str =
    "\n[page_out.pagerduty]\ntimeout = \"5s\"\nusers = { PLH1HKV = \"100000000000000030\" }\n";
const NTFY: &str = "\n[page_out.ntfy]\nurl = \"https://ntfy.example.com\"\ntopic = \"oncall\"\n";
const KEY: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn a_configured_pagerduty_without_its_routing_key_names_the_variable_to_set() {
    Jail::expect_with(|jail| {
        let err = load_in(jail, &format!("{IDS}{PAGERDUTY}")).expect_err("no routing key");
        let text = err.to_string();
        assert!(text.contains(PagerDutySecrets::ROUTING_KEY_VAR), "{text}");
        jail.set_env(PagerDutySecrets::ROUTING_KEY_VAR, KEY);
        let s = load_in(jail, &format!("{IDS}{PAGERDUTY}")).map_err(|e| e.to_string())?;
        let pd = s.page_out.pagerduty.as_ref().expect("configured");
        assert_eq!(pd.api_base.as_str(), "https://events.pagerduty.com/");
        assert_eq!(pd.timeout, std::time::Duration::from_secs(5));
        assert_eq!(pd.users["PLH1HKV"].get(), 100_000_000_000_000_030);
        assert!(format!("{pd:?}").contains("[redacted]"));
        assert!(!format!("{pd:?}").contains(KEY), "never the key");
        Ok(())
    });
}

#[test]
fn secrets_written_in_the_file_are_refused_with_their_variable() {
    Jail::expect_with(|jail| {
        jail.set_env(PagerDutySecrets::ROUTING_KEY_VAR, KEY);
        let body = format!(
            "{IDS}{PAGERDUTY}routing_key = \"{KEY}\"\nwebhook_secret = \"s\"\n{NTFY}token = \"tk_x\"\n"
        );
        let text = load_in(jail, &body)
            .expect_err("secrets in the file")
            .to_string();
        for var in [
            PagerDutySecrets::ROUTING_KEY_VAR,
            PagerDutySecrets::WEBHOOK_SECRET_VAR,
            super::NtfySettings::TOKEN_VAR,
        ] {
            assert!(text.contains(var), "{var}: {text}");
        }
        assert!(text.contains("never read from the file"), "{text}");
        Ok(())
    });
}

#[test]
fn check_warns_of_each_missing_optional_variable() {
    Jail::expect_with(|jail| {
        jail.set_env(PagerDutySecrets::ROUTING_KEY_VAR, KEY);
        jail.create_file("bot.toml", &format!("{IDS}{PAGERDUTY}{NTFY}"))?;
        let loaded = Settings::check(Some(Path::new("bot.toml"))).map_err(|e| e.to_string())?;
        let warnings = loaded.warnings.join("\n");
        for var in [
            PagerDutySecrets::SECURITY_ROUTING_KEY_VAR,
            PagerDutySecrets::WEBHOOK_SECRET_VAR,
            super::NtfySettings::TOKEN_VAR,
        ] {
            assert!(warnings.contains(var), "{var}: {warnings}");
        }
        assert!(warnings.contains("security_topic"), "{warnings}");
        Ok(())
    });
}

#[test]
fn p0_and_p1_page_every_configured_service_unless_a_severity_says_otherwise() {
    Jail::expect_with(|jail| {
        jail.set_env(PagerDutySecrets::ROUTING_KEY_VAR, KEY);
        let body = format!("{IDS}{PAGERDUTY}{NTFY}\n[severity.P1]\npage_out = [\"ntfy\"]\n");
        let s = load_in(jail, &body).map_err(|e| e.to_string())?;
        let services = |sev: Severity| {
            s.page_out
                .services(sev, s.severity.get(sev).page_out.as_deref())
        };
        assert_eq!(
            services(Severity::P0),
            vec![PageService::PagerDuty, PageService::Ntfy]
        );
        assert_eq!(services(Severity::P1), vec![PageService::Ntfy]);
        assert!(services(Severity::P2).is_empty());
        let bad = format!("{IDS}{NTFY}\n[severity.P0]\npage_out = [\"pager\"]\n");
        assert!(load_in(jail, &bad).is_err(), "an unknown service");
        let topic =
            format!("{IDS}\n[page_out.ntfy]\nurl = \"https://ntfy.sh\"\ntopic = \"on call\"\n");
        let text = load_in(jail, &topic).expect_err("a bad topic").to_string();
        assert!(text.contains("page_out.ntfy.topic"), "{text}");
        Ok(())
    });
}

#[test]
fn a_security_target_that_is_the_on_calls_own_is_refused() {
    Jail::expect_with(|jail| {
        jail.set_env(PagerDutySecrets::ROUTING_KEY_VAR, KEY);
        jail.set_env(PagerDutySecrets::SECURITY_ROUTING_KEY_VAR, KEY);
        let body = format!("{IDS}{PAGERDUTY}{NTFY}security_topic = \"oncall\"\n");
        let text = load_in(jail, &body)
            .expect_err("the same targets")
            .to_string();
        assert!(
            text.contains(PagerDutySecrets::SECURITY_ROUTING_KEY_VAR),
            "{text}"
        );
        assert!(text.contains("page_out.ntfy.security_topic"), "{text}");
        Ok(())
    });
}

/// The TOML blocks of docs/paging.md, their commented-out keys written in.
fn documented_sections() -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in include_str!("../../docs/paging.md").lines() {
        let line = line.trim();
        if line.starts_with("```") {
            inside = line == "```toml";
            continue;
        }
        if inside {
            let key = line.strip_prefix("# ").filter(|l| l.contains(" = "));
            let line = key.unwrap_or(line);
            out.push_str(line.split(" #").next().unwrap_or(line).trim_end());
            out.push('\n');
        }
    }
    out
}

#[test]
fn every_paging_key_the_docs_show_is_one_check_knows() {
    Jail::expect_with(|jail| {
        jail.set_env(PagerDutySecrets::ROUTING_KEY_VAR, KEY);
        jail.set_env(
            PagerDutySecrets::SECURITY_ROUTING_KEY_VAR,
            KEY.replace('0', "1"),
        );
        jail.set_env(PagerDutySecrets::WEBHOOK_SECRET_VAR, "whsec");
        jail.set_env(super::NtfySettings::TOKEN_VAR, "tk_x");
        let documented = documented_sections();
        assert!(documented.contains("api_base = "), "{documented}");
        jail.create_file("bot.toml", &format!("{IDS}\n{documented}"))?;
        let loaded = Settings::check(Some(Path::new("bot.toml"))).map_err(|e| e.to_string())?;
        let s = &loaded.settings;
        let pd = s.page_out.pagerduty.as_ref().expect("documented");
        assert_eq!(pd.api_base.as_str(), "https://events.pagerduty.com/");
        let ntfy = s.page_out.ntfy.as_ref().expect("documented");
        assert!(ntfy.security_topic.is_some());
        let warnings = loaded.warnings.join("\n");
        assert!(!warnings.contains("page_out"), "{warnings}");
        Ok(())
    });
}
