//! `check` on `[[status.webhooks]]`: the secret only from the environment (named when
//! missing), http(s) URLs, one name per webhook, and the keys docs/status-page.md shows.
#![expect(
    clippy::result_large_err,
    reason = "figment::Jail's closures must return figment::Error, which is large"
)]

use std::path::Path;

use figment::Jail;

use super::super::tests::{load_in, IDS};
use super::super::Settings;

const FANS: &str =
    "\n[[status.webhooks]]\nname = \"fan-site\"\nurl = \"https://fans.example.com/hook\"\n";
const VAR: &str = "INCIDENT_BOT_STATUS_WEBHOOK_SECRET_FAN_SITE";

#[test]
fn a_webhook_without_its_secret_names_the_variable_and_with_it_loads_redacted() {
    Jail::expect_with(|jail| {
        let text = load_in(jail, &format!("{IDS}{FANS}"))
            .expect_err("no secret")
            .to_string();
        assert!(text.contains(VAR), "{text}");
        jail.set_env(VAR, "s3cret-s3cret");
        let s = load_in(jail, &format!("{IDS}{FANS}")).map_err(|e| e.to_string())?;
        let hook = &s.status.webhooks[0];
        assert_eq!(hook.timeout, std::time::Duration::from_secs(10));
        assert_eq!(hook.turn_off_after, 8);
        assert!(!format!("{hook:?}").contains("s3cret"), "never the secret");
        Ok(())
    });
}

#[test]
fn a_secret_in_the_file_a_bad_url_and_a_repeated_name_are_refused() {
    Jail::expect_with(|jail| {
        jail.set_env(VAR, "s3cret-s3cret");
        let file = format!(
            "{IDS}{FANS}secret = \"in-the-file\"\n\n[[status.webhooks]]\nname = \"fan_site\"\n\
             url = \"ftp://fans.example.com/\"\nturn_off_after = 0\n"
        );
        let text = load_in(jail, &file).expect_err("refused").to_string();
        assert!(
            text.contains("`status.webhooks[0].secret` is a secret"),
            "{text}"
        );
        assert!(text.contains(VAR), "{text}");
        assert!(text.contains("is taken by an earlier webhook"), "{text}");
        assert!(text.contains("is not an http(s) URL"), "{text}");
        assert!(text.contains("turn_off_after` is 0"), "{text}");
        assert!(!text.contains("in-the-file"), "never the secret: {text}");
        Ok(())
    });
}

/// The TOML blocks of docs/status-page.md.
fn documented() -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in include_str!("../../docs/status-page.md").lines() {
        if line.starts_with("```") {
            inside = line.trim() == "```toml";
            continue;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn every_webhook_key_the_docs_show_is_one_check_knows() {
    Jail::expect_with(|jail| {
        let documented = documented();
        assert!(documented.contains("[[status.webhooks]]"), "{documented}");
        jail.set_env(
            "INCIDENT_BOT_STATUS_WEBHOOK_SECRET_FANSITE",
            "s3cret-s3cret",
        );
        jail.set_env(
            "INCIDENT_BOT_STATUS_WEBHOOK_SECRET_LAUNCHER",
            "s3cret-s3cret",
        );
        jail.create_file("bot.toml", &format!("{IDS}\n{documented}"))?;
        let loaded = Settings::check(Some(Path::new("bot.toml"))).map_err(|e| e.to_string())?;
        assert_eq!(loaded.settings.status.webhooks.len(), 2);
        Ok(())
    });
}
