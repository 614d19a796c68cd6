//! Tests of configuration layering and validation.
#![expect(
    clippy::result_large_err,
    reason = "figment::Jail's closures must return figment::Error, which is large"
)]

use figment::Jail;

use super::*;

const IDS: &str = r#"
[discord]
guild_id = "100000000000000001"
[channels]
announcements = "100000000000000010"
incident_category = 100000000000000011
archive_category = "100000000000000012"
[roles]
responder = "100000000000000020"
commander = "100000000000000021"
security = "100000000000000022"
"#;

fn load_in(jail: &mut Jail, body: &str) -> Result<Settings, ConfigError> {
    jail.create_file("bot.toml", body).expect("write config");
    Settings::load(Some(Path::new("bot.toml")))
}

#[test]
fn the_shipped_example_is_accepted() {
    Jail::expect_with(|_| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml");
        let s = Settings::load(Some(&path)).map_err(|e| e.to_string())?;
        assert_eq!(
            s.severity.get(Severity::P0).commander_timeout,
            Some(Duration::from_secs(300))
        );
        assert_eq!(s.severity.get(Severity::P3).update_every, None);
        assert_eq!(s.postmortem.due_after, Duration::from_secs(48 * 3600));
        Ok(())
    });
}

#[test]
fn the_file_overrides_defaults_and_env_overrides_the_file() {
    Jail::expect_with(|jail| {
        jail.set_env("INCIDENT_BOT__DATABASE__PATH", "/tmp/from-env.db");
        jail.set_env("INCIDENT_BOT__SEVERITY__P2__ANNOUNCE", "true");
        let s = load_in(jail, &format!("{IDS}\n[database]\npath = \"file.db\"\n[phases]\ntriage = \"2s\"\ncontainment=\"30m\"\ninvestigation=\"4h\"\nresolution=\"8h\"\n"))
            .map_err(|e| e.to_string())?;
        assert_eq!(s.database.path, PathBuf::from("/tmp/from-env.db"));
        assert!(s.severity.get(Severity::P2).announce);
        assert_eq!(s.phases.triage, Duration::from_secs(2));
        assert_eq!(s.channels.incident_category.get(), 100000000000000011);
        Ok(())
    });
}

#[test]
fn an_unknown_key_is_named_with_its_file() {
    Jail::expect_with(|jail| {
        let err =
            load_in(jail, &format!("{IDS}\n[database]\npaht = \"x.db\"\n")).expect_err("typo");
        let text = err.to_string();
        assert!(text.contains("paht"), "{text}");
        assert!(text.contains("bot.toml"), "{text}");
        Ok(())
    });
}

#[test]
fn a_bad_duration_names_the_key_and_shows_the_format() {
    Jail::expect_with(|jail| {
        let err = load_in(
            jail,
            &format!("{IDS}\n[postmortem]\ndue_after = \"two days\"\n"),
        )
        .expect_err("bad");
        let text = err.to_string();
        assert!(text.contains("postmortem.due_after"), "{text}");
        assert!(text.contains("\"4h\""), "{text}");
        Ok(())
    });
}

#[test]
fn a_malformed_id_names_the_key() {
    Jail::expect_with(|jail| {
        let err =
            load_in(jail, &IDS.replace("\"100000000000000020\"", "\"12ab\"")).expect_err("bad id");
        let text = err.to_string();
        assert!(text.contains("roles.responder"), "{text}");
        assert!(text.contains("12ab"), "{text}");
        Ok(())
    });
}

#[test]
fn missing_ids_and_cross_key_mistakes_are_all_reported() {
    Jail::expect_with(|jail| {
        let err = load_in(jail, "[discord]\nguild_id = \"1\"\n").expect_err("ids missing");
        assert!(err.to_string().contains("channels"), "{err}");
        let err = load_in(jail, &format!("{IDS}\n[postmortem]\nremind_before = [\"72h\"]\n[status]\nurl = \"status.example\"\n"))
            .expect_err("two problems");
        assert_eq!(err.problems.len(), 2, "{err}");
        for key in ["postmortem.remind_before[0]", "status.url"] {
            assert!(
                err.problems.iter().any(|p| p.starts_with(key)),
                "{key} is not reported: {err}"
            );
        }
        Ok(())
    });
}

#[test]
fn a_discord_timeout_not_shorter_than_the_job_lease_is_refused() {
    Jail::expect_with(|jail| {
        let s = load_in(jail, IDS).map_err(|e| e.to_string())?;
        assert_eq!(s.jobs.discord_timeout, Duration::from_secs(10));
        let err = load_in(jail, &format!("{IDS}\n[jobs]\ndiscord_timeout = \"5m\"\n"))
            .expect_err("as long as the lease");
        let text = err.to_string();
        assert!(text.contains("jobs.discord_timeout"), "{text}");
        assert!(text.contains("lease (5m)"), "{text}");
        Ok(())
    });
}

#[test]
fn a_missing_config_file_says_so() {
    let err = Settings::load(Some(Path::new("/nonexistent/bot.toml"))).expect_err("missing");
    assert!(
        err.to_string()
            .contains("/nonexistent/bot.toml does not exist"),
        "{err}"
    );
}

#[test]
fn the_token_never_prints() {
    let token = DiscordToken::new("secret-token-value".into());
    assert!(!format!("{token:?}").contains("secret"));
    assert_eq!(token.expose(), "secret-token-value");
}
