//! Tests of configuration layering and validation.
#![expect(
    clippy::result_large_err,
    reason = "figment::Jail's closures must return figment::Error, which is large"
)]

use std::path::Path;

use figment::providers::{Format, Toml};
use figment::value::Value;
use figment::{Figment, Jail};

use super::*;

/// The required ids, lines 2 to 11.
pub(super) const IDS: &str = r#"
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

/// Loads `body` as `bot.toml`.
pub(super) fn load_in(jail: &mut Jail, body: &str) -> Result<Settings, ConfigError> {
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
                err.problems.iter().any(|p| p.contains(&format!("`{key}`"))),
                "{key} is not reported: {err}"
            );
        }
        Ok(())
    });
}

#[test]
fn no_job_workers_is_refused_on_sqlite_where_no_replica_would_work_the_queue() {
    Jail::expect_with(|jail| {
        let s = load_in(jail, IDS).map_err(|e| e.to_string())?;
        assert_eq!(s.jobs.workers, 4);
        assert_eq!(s.status.rebuild_every, Duration::from_secs(15));
        let err = load_in(jail, &format!("{IDS}\n[jobs]\nworkers = 0\n"))
            .expect_err("nobody works the queue");
        let text = err.to_string();
        assert!(text.contains("`jobs.workers`: 0 performs no job"), "{text}");
        Ok(())
    });
}

#[test]
fn a_discord_timeout_not_shorter_than_the_job_lease_is_refused() {
    Jail::expect_with(|jail| {
        let s = load_in(jail, IDS).map_err(|e| e.to_string())?;
        assert_eq!(s.jobs.discord_timeout, Duration::from_secs(10));
        assert_eq!(s.jobs.lease, Duration::from_secs(30));
        let err = load_in(jail, &format!("{IDS}\n[jobs]\ndiscord_timeout = \"30s\"\n"))
            .expect_err("as long as the lease");
        let text = err.to_string();
        assert!(text.contains("jobs.discord_timeout"), "{text}");
        assert!(text.contains("lease (30s)"), "{text}");
        // A longer call is fine with a longer lease.
        load_in(
            jail,
            &format!("{IDS}\n[jobs]\ndiscord_timeout = \"1m\"\nlease = \"5m\"\n"),
        )
        .map_err(|e| e.to_string())?;
        Ok(())
    });
}

#[test]
fn a_gateway_lease_too_short_for_its_renewals_is_refused() {
    Jail::expect_with(|jail| {
        let s = load_in(jail, IDS).map_err(|e| e.to_string())?;
        assert_eq!(s.replicas.lease, Duration::from_secs(15));
        let err = load_in(jail, &format!("{IDS}\n[replicas]\nlease = \"2s\"\n"))
            .expect_err("shorter than a renewal and its timeout");
        let text = err.to_string();
        assert!(text.contains("`replicas.lease`: 2s is too short"), "{text}");
        assert!(text.contains("set it to 5s or more"), "{text}");
        load_in(jail, &format!("{IDS}\n[replicas]\nlease = \"5s\"\n"))
            .map_err(|e| e.to_string())?;
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

#[test]
fn every_problem_is_named_at_once_at_its_line_of_the_file() {
    Jail::expect_with(|jail| {
        let body = "[discord]\nguild_idd = \"100000000000000001\"\n\n[channels]\nincident_category = \"100000000000000011\"\narchive_category = \"100000000000000012\"\n";
        let err = load_in(jail, body).expect_err("broken");
        let text = err.to_string();
        assert!(
            text.contains(
                "bot.toml:2: unknown key `guild_idd` in [discord]; did you mean `guild_id`?"
            ),
            "{text}"
        );
        assert!(
            text.contains("bot.toml:4: missing required key `announcements` in [channels]"),
            "{text}"
        );
        assert!(
            text.contains("missing required key `responder` in [roles]"),
            "{text}"
        );
        assert!(!text.contains("TOML source string"), "{text}");
        // guild_id, announcements, responder, commander, security, and the misspelt key.
        assert_eq!(err.problems.len(), 6, "{text}");
        Ok(())
    });
}

#[test]
fn each_bad_value_is_named_even_several_in_one_list() {
    Jail::expect_with(|jail| {
        let err = load_in(
            jail,
            &format!("{IDS}\n[severity.P1]\npage = [\"x\", \"100000000000000020\", \"y\"]\nannounce = \"yes\"\n[jobs]\nmax_attempts = \"ten\"\n"),
        )
        .expect_err("bad values");
        let text = err.to_string();
        assert!(
            text.contains("bot.toml:14: `severity.P1.page[0]`: `x`"),
            "{text}"
        );
        assert!(text.contains("`severity.P1.page[2]`: `y`"), "{text}");
        assert!(text.contains("`severity.P1.announce`"), "{text}");
        assert!(text.contains("bot.toml:17: `jobs.max_attempts`"), "{text}");
        assert_eq!(err.problems.len(), 4, "{text}");
        Ok(())
    });
}

#[test]
fn a_toml_syntax_error_names_its_line() {
    Jail::expect_with(|jail| {
        let err = load_in(jail, &format!("{IDS}\n[jobs\nmax_attempts = 3\n")).expect_err("syntax");
        assert!(
            err.to_string()
                .contains("bot.toml:13: this is not valid TOML"),
            "{err}"
        );
        Ok(())
    });
}

#[test]
fn a_problem_set_in_the_environment_names_the_variable() {
    Jail::expect_with(|jail| {
        jail.set_env("INCIDENT_BOT__DISCORD__GUILD_IDD", "1");
        jail.set_env("INCIDENT_BOT__ROLES__COMMANDER", "chief");
        let err = load_in(jail, IDS).expect_err("bad env");
        let text = err.to_string();
        assert!(
            text.contains("environment variable INCIDENT_BOT__DISCORD__GUILD_IDD: unknown key `guild_idd` in [discord]; did you mean INCIDENT_BOT__DISCORD__GUILD_ID?"),
            "{text}"
        );
        assert!(
            text.contains(
                "environment variable INCIDENT_BOT__ROLES__COMMANDER: `roles.commander`: `chief`"
            ),
            "{text}"
        );
        Ok(())
    });
}

#[test]
fn a_variable_named_in_non_ascii_is_a_problem_not_a_panic() {
    Jail::expect_with(|jail| {
        jail.set_env("INCIDENT_BOT__SEVERITY__日", "1");
        let err = load_in(jail, IDS).expect_err("non-ASCII key");
        assert!(
            err.to_string()
                .contains("environment variable INCIDENT_BOT__SEVERITY__日: the name has a character that is not ASCII"),
            "{err}"
        );
        Ok(())
    });
}

#[test]
fn durations_that_time_something_must_be_longer_than_zero() {
    Jail::expect_with(|jail| {
        for (table, key, value) in [
            ("severity.P1", "update_every", "0s"),
            ("severity.P0", "commander_timeout", "0m"),
            ("phases", "triage", "0s"),
            ("resolution", "verify_after", "0s"),
            ("postmortem", "overdue_every", "0h"),
            ("postmortem", "due_after", "0s"),
            ("jobs", "retry_base", "0ms"),
        ] {
            let err = load_in(jail, &format!("{IDS}\n[{table}]\n{key} = \"{value}\"\n"))
                .expect_err("zero");
            let text = err.to_string();
            assert!(
                text.contains(&format!("`{table}.{key}`: `{value}` is zero")),
                "{text}"
            );
        }
        let err = load_in(
            jail,
            &format!("{IDS}\n[postmortem]\nremind_before = [\"24h\", \"0s\"]\n"),
        )
        .expect_err("zero in a list");
        assert!(err.to_string().contains("`0s` is zero"), "{err}");
        let s = load_in(
            jail,
            &format!("{IDS}\n[postmortem]\nrecurrence_window = \"0s\"\n"),
        )
        .map_err(|e| e.to_string())?;
        assert!(s.postmortem.recurrence_window.is_zero());
        Ok(())
    });
}

#[test]
fn no_duration_may_be_longer_than_a_year() {
    Jail::expect_with(|jail| {
        let err = load_in(jail, &format!("{IDS}\n[severity.P2]\nupdate_every = \"300000y\"\n[postmortem]\nrecurrence_window = \"366d\"\n"))
            .expect_err("too long");
        let text = err.to_string();
        assert!(
            text.contains(
                "`severity.P2.update_every`: `300000y` is longer than the limit of 365 days"
            ),
            "{text}"
        );
        assert!(
            text.contains("`postmortem.recurrence_window`: `366d`"),
            "{text}"
        );
        let s = load_in(
            jail,
            &format!("{IDS}\n[postmortem]\nrecurrence_window = \"365d\"\n"),
        )
        .map_err(|e| e.to_string())?;
        assert_eq!(s.postmortem.recurrence_window, MAX_DURATION);
        Ok(())
    });
}

#[test]
fn every_setting_is_documented_in_the_defaults() {
    // serde names the keys a table accepts when it meets one it does not: ask each table.
    let mut data: Value = Figment::from(Toml::string(DEFAULT_TOML))
        .merge(Toml::string(IDS))
        .extract()
        .expect("defaults and ids");
    let mut sections = vec![String::new()];
    let mut checked = 0;
    // Tables whose keys are the operator's own names (systems), not settings. `[systems]`
    // holds `catalogue` and a table per system, whose keys are in the commented example.
    const FREE_FORM: &[&str] = &["intake.systems", "systems"];
    for key in ["catalogue =", "# error_rate =", "# good_below ="] {
        assert!(
            section_of("systems").contains(key),
            "`systems` {key} is not documented"
        );
    }
    // Arrays of tables with no entry by default: their keys are in the commented example.
    const EXAMPLES_ONLY: &[(&str, &[&str])] = &[
        (
            "intake.auto_declare",
            &["source =", "labels =", "severity ="],
        ),
        (
            "actions",
            &[
                "id =",
                "label =",
                "kind =",
                "who =",
                "confirm =",
                "kinds =",
                "timeout =",
            ],
        ),
    ];
    // Sections that are off unless written: their keys are in the commented example.
    const OFF_BY_DEFAULT: &[(&str, &[&str])] = &[
        ("page_out.pagerduty", &["api_base", "timeout", "users"]),
        (
            "page_out.ntfy",
            &["url", "topic", "security_topic", "timeout"],
        ),
    ];
    // Optional tables, off by default: each key is described in their commented block.
    const OPTIONAL: &[(&str, &[&str])] = &[(
        "tracker",
        &[
            "kind",
            "repository",
            "project",
            "team",
            "api_base",
            "timeout",
            "security_project",
            "issue_type",
            "users",
        ],
    )];
    while let Some(table) = sections.pop() {
        if FREE_FORM.contains(&table.as_str()) {
            continue;
        }
        if let Some((_, keys)) = OPTIONAL.iter().find(|(t, _)| *t == table) {
            for key in *keys {
                assert!(
                    DEFAULT_TOML.contains(&format!("#   {key}:")),
                    "`{table}.{key}` is not described in config/default.toml"
                );
            }
            continue;
        }
        if let Some((_, keys)) = OFF_BY_DEFAULT.iter().find(|(t, _)| *t == table) {
            for key in *keys {
                assert!(
                    section_of(&table).contains(&format!("# {key} =")),
                    "`{table}.{key}` is not in the example"
                );
            }
            continue;
        }
        if let Some((_, keys)) = EXAMPLES_ONLY.iter().find(|(t, _)| *t == table) {
            for key in *keys {
                assert!(
                    section_of(&format!("[{table}]")).contains(&format!("# {key}")),
                    "`{table}` {key} is not in the example"
                );
            }
            continue;
        }
        let path: Vec<String> = table
            .split('.')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let mut at = &mut data;
        for seg in &path {
            at = match at {
                Value::Dict(_, d) => d.get_mut(seg).expect("table"),
                _ => panic!("{table} is not a table"),
            };
        }
        let Value::Dict(_, dict) = at else {
            panic!("{table} is not a table")
        };
        dict.insert("zz_unknown".into(), Value::from(1));
        let err = data.deserialize::<Settings>().expect_err("unknown key");
        let expected = err
            .into_iter()
            .find_map(|e| match e.kind {
                figment::error::Kind::UnknownField(_, expected) => Some(expected),
                _ => None,
            })
            .expect("an unknown-field error");
        remove_unknown(&mut data, &path);
        for key in expected {
            let full = if table.is_empty() {
                (*key).to_owned()
            } else {
                format!("{table}.{key}")
            };
            let is_table = DEFAULT_TOML.contains(&format!("[{full}]"))
                || DEFAULT_TOML.contains(&format!("[{full}."));
            let documented = is_table
                || section_of(&table)
                    .lines()
                    .any(|l| l.trim_start_matches("# ").starts_with(&format!("{key} =")));
            assert!(
                documented,
                "`{full}` is not documented in config/default.toml"
            );
            if is_table {
                sections.push(full);
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked}");
}

fn remove_unknown(data: &mut Value, path: &[String]) {
    let mut at = data;
    for seg in path {
        at = match at {
            Value::Dict(_, d) => d.get_mut(seg).expect("table"),
            _ => return,
        };
    }
    if let Value::Dict(_, d) = at {
        d.remove("zz_unknown");
    }
}

/// The lines of `[table]` in the defaults, up to the next table.
fn section_of(table: &str) -> &'static str {
    let header = format!("[{table}]");
    let Some(start) = DEFAULT_TOML.find(&header) else {
        return "";
    };
    let body = &DEFAULT_TOML[start + header.len()..];
    &body[..body.find("\n[").unwrap_or(body.len())]
}

#[test]
fn a_severity_definition_too_long_for_its_choice_is_refused_at_its_line() {
    Jail::expect_with(|jail| {
        let long = "d".repeat(91);
        let err = load_in(
            jail,
            &format!("{IDS}\n[severity.P2]\ndefinition = \"{long}\"\n"),
        )
        .expect_err("too long");
        let text = err.to_string();
        assert!(
            text.contains("bot.toml:14:")
                && text.contains("[severity.P2] definition is 91 characters"),
            "{text}"
        );
        Ok(())
    });
}

#[test]
fn a_database_url_selects_postgresql_and_is_never_shown_with_its_password() {
    Jail::expect_with(|jail| {
        let s = load_in(
            jail,
            &format!(
                "{IDS}\n[database]\nurl = \"postgres://bot:hunter2@db.example.com:5432/incidents\"\n"
            ),
        )
        .map_err(|e| e.to_string())?;
        let url = s.database.url.as_ref().expect("the url is read");
        assert_eq!(
            url.expose(),
            "postgres://bot:hunter2@db.example.com:5432/incidents"
        );
        let shown = format!("{:?} {}", s.database, url.redacted());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.example.com:5432/incidents"), "{shown}");
        Ok(())
    });
}

#[test]
fn a_database_with_both_a_path_and_a_url_is_refused_with_a_sentence() {
    Jail::expect_with(|jail| {
        let err = load_in(
            jail,
            &format!(
                "{IDS}\n[database]\npath = \"bot.db\"\nurl = \"postgres://bot:hunter2@db/incidents\"\n"
            ),
        )
        .expect_err("both");
        let text = err.to_string();
        assert!(text.contains("both path"), "{text}");
        assert!(text.contains("remove the other"), "{text}");
        assert!(text.contains("bot.toml"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        Ok(())
    });
}

#[test]
fn a_database_url_that_is_not_postgresql_is_refused() {
    Jail::expect_with(|jail| {
        let err = load_in(
            jail,
            &format!("{IDS}\n[database]\nurl = \"mysql://bot:hunter2@db/incidents\"\n"),
        )
        .expect_err("not postgres");
        let text = err.to_string();
        assert!(text.contains("database.url"), "{text}");
        assert!(text.contains("postgres://"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        Ok(())
    });
}

#[test]
fn auto_declare_rules_and_the_reports_channel_are_read_and_bad_rules_say_what_to_write() {
    Jail::expect_with(|jail| {
        let s = load_in(jail, IDS).map_err(|e| e.to_string())?;
        assert!(s.intake.auto_declare.is_empty(), "no rule by default");
        assert_eq!(s.intake.reports_channel, None, "off by default");
        assert_eq!(s.intake.reports_players, 5);
        let rules = "\n[intake]\nreports_channel = \"555\"\n\n[[intake.auto_declare]]\n\
                     source = \"alertmanager\"\nlabels = [\"severity=page\"]\nseverity = \"P1\"\n";
        let s = load_in(jail, &format!("{IDS}{rules}")).map_err(|e| e.to_string())?;
        assert!(!s.intake.auto_declare.is_empty());
        assert_eq!(s.intake.reports_channel.map(|c| c.get()), Some(555));
        let bad = "\n[[intake.auto_declare]]\nsource = \"pagerduty\"\nseverity = \"P1\"\n";
        let err = load_in(jail, &format!("{IDS}{bad}"))
            .expect_err("unknown source")
            .to_string();
        assert!(
            err.contains("source `pagerduty` is not a source; write one of alertmanager"),
            "{err}"
        );
        Ok(())
    });
}

#[test]
fn a_database_url_with_the_path_set_to_nothing_as_the_unit_does_is_accepted() {
    Jail::expect_with(|jail| {
        // The systemd unit and the image set INCIDENT_BOT__DATABASE__PATH; its env file clears
        // it and gives the url.
        jail.set_env("INCIDENT_BOT__DATABASE__PATH", "");
        jail.set_env(
            "INCIDENT_BOT__DATABASE__URL",
            "postgres://bot:hunter2@db.example.com/incidents",
        );
        let s = load_in(jail, IDS).map_err(|e| e.to_string())?;
        assert!(s.database.url.is_some());
        Ok(())
    });
}

#[test]
fn an_empty_database_path_without_a_url_is_refused() {
    Jail::expect_with(|jail| {
        jail.set_env("INCIDENT_BOT__DATABASE__PATH", "");
        let err = load_in(jail, IDS).expect_err("no database");
        let text = err.to_string();
        assert!(text.contains("`database.path` is empty"), "{text}");
        Ok(())
    });
}

#[test]
fn a_webhook_secret_shorter_than_32_bytes_is_refused_with_how_to_make_one() {
    Jail::expect_with(|jail| {
        jail.set_env("INCIDENT_BOT_SENTRY_SECRET", "short-secret");
        jail.set_env(
            "INCIDENT_BOT_GRAFANA_SECRET",
            "0123456789abcdef0123456789abcdef",
        );
        let err = load_in(jail, IDS).expect_err("a short secret");
        assert_eq!(err.problems.len(), 1, "{err}");
        let problem = &err.problems[0];
        assert!(
            problem.starts_with("environment variable INCIDENT_BOT_SENTRY_SECRET"),
            "{problem}"
        );
        assert!(problem.contains("12 bytes"), "{problem}");
        assert!(problem.contains("openssl rand -hex 32"), "{problem}");
        assert!(
            !problem.contains("short-secret"),
            "never the value: {problem}"
        );
        jail.set_env(
            "INCIDENT_BOT_SENTRY_SECRET",
            "fedcba9876543210fedcba9876543210",
        );
        let s = load_in(jail, IDS).map_err(|e| e.to_string())?;
        assert!(s.intake.secrets.sentry.is_some());
        Ok(())
    });
}

#[test]
fn the_listener_limits_and_trusted_proxies_are_read_and_a_bad_proxy_is_named() {
    Jail::expect_with(|jail| {
        let s = load_in(jail, IDS).map_err(|e| e.to_string())?;
        assert_eq!(s.http.max_connections, 512);
        assert_eq!(s.http.header_timeout, Duration::from_secs(10));
        assert!(s.http.trusted_proxies.is_empty());
        assert_eq!(s.intake.replay_window, Duration::from_secs(3600));
        assert!(!s.intake.grafana.allow_untimestamped);
        let err = load_in(
            jail,
            &format!("{IDS}\n[http]\ntrusted_proxies = [\"10.0.0.0/8\", \"proxy.local\"]\nmax_connections = 0\n"),
        )
        .expect_err("a name and a zero");
        let text = err.to_string();
        assert!(text.contains("proxy.local"), "{text}");
        assert!(text.contains("at least 1"), "{text}");
        Ok(())
    });
}

#[test]
fn allowing_grafana_without_a_timestamp_is_warned_about_at_its_line() {
    Jail::expect_with(|jail| {
        jail.set_env(
            "INCIDENT_BOT_GRAFANA_SECRET",
            "0123456789abcdef0123456789abcdef",
        );
        jail.create_file(
            "bot.toml",
            &format!("{IDS}\n[intake.grafana]\nallow_untimestamped = true\n"),
        )?;
        let loaded = Settings::check(Some(Path::new("bot.toml"))).map_err(|e| e.to_string())?;
        let warning = loaded
            .warnings
            .iter()
            .find(|w| w.contains("allow_untimestamped"))
            .expect("a warning");
        assert!(warning.starts_with("bot.toml:14:"), "{warning}");
        assert!(
            warning.contains("X-Grafana-Alerting-Timestamp"),
            "{warning}"
        );
        Ok(())
    });
}

#[test]
fn a_social_network_needs_its_secret_from_the_environment_never_the_file() {
    Jail::expect_with(|jail| {
        let mastodon = format!("{IDS}\n[social.mastodon]\ninstance = \"https://mastodon.example\"\nseverities = [\"P0\"]\n");
        let err = load_in(jail, &mastodon).expect_err("no token");
        let text = err.to_string();
        assert!(
            text.contains("INCIDENT_BOT_MASTODON_TOKEN is not set"),
            "{text}"
        );
        jail.set_env("INCIDENT_BOT_MASTODON_TOKEN", "a-token");
        let s = load_in(jail, &mastodon).map_err(|e| e.to_string())?;
        let m = s.social.mastodon.expect("configured");
        assert!(m.token.is_some());
        assert_eq!(m.severities, vec![Severity::P0]);
        let in_file = format!("{mastodon}token = \"a-token\"\n");
        let err = load_in(jail, &in_file).expect_err("a secret in the file");
        assert!(err.to_string().contains("token"), "{err}");
        let x = format!("{IDS}\n[social.x]\n");
        let err = load_in(jail, &x).expect_err("no keys");
        assert!(
            err.to_string().contains("INCIDENT_BOT_X_CONSUMER_KEY"),
            "{err}"
        );
        assert!(s.social.bluesky.is_none() && s.social.x.is_none());
        Ok(())
    });
}

#[test]
fn a_tracker_names_its_missing_variables_and_refuses_a_secret_written_in_the_file() {
    Jail::expect_with(|jail| {
        let github =
            "[tracker]\nkind = \"github\"\nrepository = \"studio/incidents\"\ntoken = \"ghp_x\"\n";
        let text = load_in(jail, &format!("{IDS}\n{github}"))
            .expect_err("a token in the file")
            .to_string();
        assert!(
            text.contains("`tracker.token` is a secret")
                && text.contains("INCIDENT_BOT_GITHUB_TOKEN instead"),
            "{text}"
        );
        assert!(
            text.contains("environment variable INCIDENT_BOT_GITHUB_TOKEN is not set"),
            "{text}"
        );
        let jira = "[tracker]\nkind = \"jira\"\nproject = \"OPS\"\n";
        let text = load_in(jail, &format!("{IDS}\n{jira}"))
            .expect_err("no site")
            .to_string();
        assert!(text.contains("`tracker.api_base` is missing"), "{text}");
        assert!(
            text.contains("INCIDENT_BOT_JIRA_EMAIL is not set"),
            "{text}"
        );
        assert!(
            text.contains("INCIDENT_BOT_JIRA_TOKEN is not set"),
            "{text}"
        );
        jail.set_env("INCIDENT_BOT_LINEAR_KEY", "lin_api_x");
        let linear = "[tracker]\nkind = \"linear\"\nteam = \"ENG\"\n";
        let text = load_in(jail, &format!("{IDS}\n{linear}"))
            .expect_err("a key, not an id")
            .to_string();
        assert!(
            text.contains("`tracker.team` must be the team's id"),
            "{text}"
        );
        let linear =
            "[tracker]\nkind = \"linear\"\nteam = \"9cfb482a-81e3-4154-b5b9-2c805e70a02d\"\n";
        let s = load_in(jail, &format!("{IDS}\n{linear}")).map_err(|e| e.to_string())?;
        let tracker = s.tracker.expect("a tracker");
        assert!(tracker.secrets.token.is_some());
        assert_eq!(
            tracker.base().map(|u| u.to_string()).as_deref(),
            Some("https://api.linear.app/")
        );
        assert!(
            s.severity.p1.ticket && !s.severity.p2.ticket,
            "P0 and P1 by default"
        );
        Ok(())
    });
}
