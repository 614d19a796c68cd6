//! The binary's commands, run as an operator would run them.

use std::path::Path;
use std::process::{Command, Output};

fn bot(args: &[&str]) -> Output {
    bot_with_env(args, &[])
}

fn bot_with_env(args: &[&str], vars: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_incident-bot"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("INCIDENT_BOT_CONFIG")
        .env_remove("DISCORD_TOKEN")
        .envs(vars.iter().copied())
        .output()
        .expect("the binary runs")
}

/// Writes `config/example.toml`, changed by `edit`, as `my.toml` in `dir`.
fn example_as(dir: &Path, edit: impl FnOnce(String) -> String) -> String {
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/example.toml"))
            .expect("read");
    let path = dir.join("my.toml");
    std::fs::write(&path, edit(example)).expect("write");
    path.to_str().expect("utf-8 path").to_owned()
}

/// `check --config` on the example changed by `edit`: its exit code and stderr.
fn check_example(edit: impl FnOnce(String) -> String) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_as(dir.path(), edit);
    let out = bot(&["check", "--config", &path]);
    (out.status.code(), stderr(&out), path)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_accepts_the_shipped_example_config() {
    let out = bot(&["check", "--config", "config/example.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("ok:"));
}

#[test]
fn check_names_a_bad_id_and_an_unknown_key_with_their_file_and_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.toml");
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/example.toml"))
            .expect("read");
    let bad = example
        .replace(
            "[status]\nurl = \"https://status.loh.game\"",
            "[status]\nurl = \"https://status.loh.game\"\ncolour = \"red\"",
        )
        .replace("\"100000000000000020\"", "\"twenty\"");
    std::fs::write(&path, bad).expect("write");
    let out = bot(&["check", "--config", path.to_str().expect("utf-8 path")]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("bad.toml"), "{err}");
    assert!(err.contains("twenty") && err.contains("colour"), "{err}");
}

#[test]
fn check_names_an_unknown_key_at_its_line_with_the_key_meant() {
    let (code, err, path) = check_example(|t| t.replace("guild_id =", "guild_idd ="));
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "{path}:6: unknown key `guild_idd` in [discord]; did you mean `guild_id`?"
        )),
        "{err}"
    );
}

#[test]
fn check_reports_every_problem_in_one_run_and_blames_the_operators_file() {
    let (code, err, path) = check_example(|t| {
        t.replace("guild_id =", "guild_idd =")
            .replace("announcements = \"100000000000000010\"\n", "")
    });
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!("{path}:6: unknown key `guild_idd`")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{path}:8: missing required key `announcements` in [channels]"
        )),
        "{err}"
    );
    assert!(err.contains("missing required key `guild_id`"), "{err}");
    assert!(!err.contains("TOML source string"), "{err}");
}

#[test]
fn check_refuses_a_zero_repeat_interval() {
    let (code, err, path) =
        check_example(|t| t.replace("[severity.P1]\n", "[severity.P1]\nupdate_every = \"0s\"\n"));
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "{path}:28: `severity.P1.update_every`: `0s` is zero"
        )),
        "{err}"
    );
}

#[test]
fn check_refuses_a_duration_that_would_overflow_a_date_instead_of_panicking() {
    let (code, err, path) = check_example(|t| {
        t.replace(
            "[severity.P0]\n",
            "[severity.P0]\ncommander_timeout = \"300000y\"\n",
        )
    });
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "{path}:24: `severity.P0.commander_timeout`: `300000y` is longer than the limit of 365 days"
        )),
        "{err}"
    );
}

#[test]
fn check_refuses_one_channel_for_two_settings() {
    let (code, err, path) = check_example(|t| {
        t.replace(
            "log = \"100000000000000013\"",
            "log = \"100000000000000010\"",
        )
    });
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "{path}:12: `channels.log` is the same channel as `channels.announcements`"
        )),
        "{err}"
    );
}

#[test]
fn check_refuses_the_responder_role_as_the_player_alerts_role() {
    let (code, err, path) = check_example(|t| {
        t.replace(
            "player_alerts = \"100000000000000023\"",
            "player_alerts = \"100000000000000020\"",
        )
    });
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "{path}:18: `roles.player_alerts` is the same role as `roles.responder`"
        )),
        "{err}"
    );
}

#[test]
fn check_refuses_the_servers_id_as_a_role() {
    let (code, err, path) = check_example(|t| {
        t.replace(
            "commander = \"100000000000000021\"",
            "commander = \"100000000000000001\"",
        )
    });
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "{path}:16: `roles.commander` is the server's id (100000000000000001), which Discord uses for @everyone"
        )),
        "{err}"
    );
}

#[test]
fn check_warns_but_passes_when_a_p0_pages_nobody() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_as(dir.path(), |t| {
        t.replacen("page = [\"100000000000000020\"]", "page = []", 1)
    });
    let out = bot(&["check", "--config", &path]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "warning: {path}:24: [severity.P0] page is empty: declaring a P0 pings nobody"
        )),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).starts_with("ok:"), "{}", stdout(&out));
}

#[test]
fn check_reports_a_variable_named_in_non_ascii_instead_of_panicking() {
    let out = bot_with_env(
        &["check", "--config", "config/example.toml"],
        &[("INCIDENT_BOT__SEVERITY__日", "1")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "error: environment variable INCIDENT_BOT__SEVERITY__日: the name has a character that is not ASCII"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

/// The example config with `[templates] dir` set to a folder holding `files`.
fn check_with_overrides(files: &[(&str, &str)]) -> (Option<i32>, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).expect("mkdir");
    for (name, body) in files {
        std::fs::write(templates.join(name), body).expect("write");
    }
    let path = example_as(dir.path(), |t| {
        format!(
            "{t}\n[templates]\ndir = {:?}\n",
            templates.display().to_string()
        )
    });
    let out = bot(&["check", "--config", &path]);
    (out.status.code(), stderr(&out), dir)
}

#[test]
fn check_reports_templates_that_include_each_other_without_crashing() {
    let (code, err, dir) = check_with_overrides(&[
        ("checklist.hbs", "{{> reminder}}"),
        ("reminder.hbs", "{{> checklist}}"),
    ]);
    assert_eq!(code, Some(1), "exit by a signal is a crash: {err}");
    let templates = dir.path().join("templates");
    assert!(
        err.contains("templates include each other in a loop"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}:1", templates.join("checklist.hbs").display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}:1", templates.join("reminder.hbs").display())),
        "{err}"
    );
}

#[test]
fn check_refuses_an_override_that_writes_triple_braces() {
    let (code, err, dir) =
        check_with_overrides(&[("all_clear.hbs", "✅ All clear\n{{{system}}} is back.")]);
    assert_eq!(code, Some(1), "{err}");
    let file = dir.path().join("templates").join("all_clear.hbs");
    assert!(
        err.contains(&format!(
            "{}:2: `system` is written unescaped",
            file.display()
        )),
        "{err}"
    );
}

#[test]
fn check_and_run_refuse_status_page_templates_that_loop_or_print_the_page_name_raw() {
    let dir = tempfile::tempdir().expect("tempdir");
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).expect("mkdir");
    std::fs::write(
        templates.join("status_page.hbs"),
        "<title>{{~{name}~}}</title>\n{{> status_incident}}",
    )
    .expect("write");
    std::fs::write(
        templates.join("status_incident.hbs"),
        "{{#with incident}}{{name}}{{/with}}\n{{> status_page}}",
    )
    .expect("write");
    let path = example_as(dir.path(), |t| {
        format!(
            "{}\n[templates]\ndir = {:?}\n",
            t.replace(
                "[status]\n",
                "[status]\nname = \"<img src=x onerror=alert(1)>\"\n"
            ),
            templates.display().to_string()
        )
    });
    let page = templates.join("status_page.hbs").display().to_string();
    for args in [
        vec!["check", "--config", &path],
        vec!["run", "--config", &path],
    ] {
        let out = bot_with_env(&args, &[("DISCORD_TOKEN", "not-a-token")]);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: a signal is a crash: {err}"
        );
        assert!(
            err.contains(&format!("{page}:1: `name` is written unescaped")),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("templates include each other in a loop")
                && err.contains(&format!("({page}:2) includes `status_incident`")),
            "{args:?}: {err}"
        );
        assert!(!stdout(&out).contains("ok:"), "{args:?}");
    }
}

#[test]
fn run_refuses_to_start_on_the_same_problems_listing_them_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_as(dir.path(), |t| {
        t.replace("guild_id =", "guild_idd =").replace(
            "log = \"100000000000000013\"",
            "log = \"100000000000000010\"",
        )
    });
    let out = bot(&["run", "--config", &path]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("incident-bot will not start"), "{err}");
    assert!(
        err.contains(&format!("{path}:6: unknown key `guild_idd`")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{path}:12: `channels.log` is the same channel")),
        "{err}"
    );
    assert!(err.contains("DISCORD_TOKEN"), "{err}");
}

#[test]
fn render_prints_the_plans_service_alert() {
    let out = bot(&[
        "render",
        "service_alert",
        "--set",
        "system=Login",
        "--set",
        "eta=30 minutes",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "🚨 Service Alert 🚨\nWe are currently experiencing technical difficulties with Login."
        ),
        "{text}"
    );
    assert!(text.contains("ETA: 30 minutes\n"), "{text}");
    assert!(
        text.contains("Status updates: <https://status.loh.game>"),
        "{text}"
    );
}

#[test]
fn render_defangs_mentions_and_markdown_in_user_text() {
    let out = bot(&[
        "render",
        "status_update",
        "--set",
        "system=@everyone **bold** <@&1>",
        "--set",
        "message=ok",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("@\u{200B}everyone \\*\\*bold\\*\\* \\<@&1>"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn render_list_names_every_template_and_each_renders_its_sample() {
    let out = bot(&["render", "--list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = stdout(&out);
    let names: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    // Every message template in the folder; the status page's two are not messages.
    let messages = std::fs::read_dir("templates")
        .expect("templates/ reads")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "hbs"))
        .filter(|e| !e.file_name().to_string_lossy().starts_with("status_page"))
        .filter(|e| {
            !e.file_name()
                .to_string_lossy()
                .starts_with("status_incident")
        })
        .count()
        // The social posts' templates, in their own folder.
        + std::fs::read_dir("templates/social").map_or(0, |d| d.count());
    assert_eq!(names.len(), messages, "{list}");
    for name in names {
        let out = bot(&["render", name]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(!stdout(&out).trim().is_empty(), "{name} printed nothing");
    }
}

#[test]
fn render_without_values_previews_every_kind_of_reminder() {
    let out = bot(&["render", "reminder"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for headline in [
        "Nobody has taken command of this P0 incident after 10m",
        "No update for 32m",
        "is over its budget by 5m",
        "did it hold?",
        "is due <t:172800:f>",
        "is overdue by 2h",
    ] {
        assert!(text.contains(headline), "{headline} missing from:\n{text}");
    }
}

#[test]
fn render_names_a_missing_value_and_an_unknown_template() {
    let out = bot(&["render", "service_alert", "--set", "eta=soon"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("system"), "{}", stderr(&out));
    let out = bot(&["render", "alert"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("service_alert"), "{}", stderr(&out));
}

#[test]
fn run_without_a_token_refuses_to_start_and_says_why() {
    let out = bot(&["run", "--config", "config/example.toml"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("DISCORD_TOKEN"), "{}", stderr(&out));
}

#[test]
fn run_with_neither_token_nor_config_asks_only_for_the_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bot.db");
    let db = db.to_str().expect("utf-8");
    let out = bot_with_env(&[], &[("INCIDENT_BOT__DATABASE__PATH", db)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("DISCORD_TOKEN is not set"), "{err}");
    assert!(err.contains("incident-bot.toml"), "{err}");
    assert!(!err.contains("missing required key"), "{err}");
    assert!(!dir.path().join("incident-bot.toml").exists());
}

#[tokio::test]
async fn migrate_creates_the_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bot.db");
    let out = Command::new(env!("CARGO_BIN_EXE_incident-bot"))
        .args(["migrate", "--config", "config/example.toml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("INCIDENT_BOT__DATABASE__PATH", &db)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    // Every embedded migration ran: not merely an empty file created.
    use sqlx::ConnectOptions as _;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&db)
        .read_only(true)
        .connect()
        .await
        .expect("the database opens");
    let (applied,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut conn)
        .await
        .expect("the migrations table");
    assert_eq!(
        usize::try_from(applied).ok(),
        Some(incident_bot::store::MIGRATOR.iter().count())
    );
}

#[tokio::test]
async fn migrate_copies_a_sqlite_database_into_postgresql_and_a_second_run_copies_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bot.db");
    let source = incident_bot::store::Db::open(&db).await.expect("sqlite");
    let mut tx = source.begin().await.expect("tx");
    for key in ["a", "b", "c"] {
        tx.enqueue(
            &incident_bot::store::NewJob {
                kind: "test".into(),
                payload: serde_json::json!({ "key": key }),
                incident: None,
                idempotency_key: key.into(),
                due_at: chrono::Utc::now(),
            },
            chrono::Utc::now(),
        )
        .await
        .expect("job");
    }
    tx.commit().await.expect("commit");
    source.close().await;
    // The password comes from the environment, as for psql; the output never shows it.
    let mut url = url::Url::parse(&crate::support::bot::fresh_postgres_url().await)
        .expect("the test server's URL");
    let password = url.password().unwrap_or("hunter2").to_owned();
    url.set_password(None).expect("a URL with a user");
    let url = url.to_string();
    let from = format!("sqlite:{}", db.display());
    for (run, copied) in [(1, "3 copied now"), (2, "0 copied now")] {
        let out = bot_with_env(
            &["migrate", "--from", &from, "--to", &url],
            &[("PGPASSWORD", &password)],
        );
        let text = stdout(&out);
        assert!(out.status.success(), "run {run}: {}{text}", stderr(&out));
        let jobs = text
            .lines()
            .find(|l| l.starts_with("jobs "))
            .unwrap_or_else(|| panic!("run {run}: no line for jobs in {text}"));
        assert!(jobs.contains(copied), "run {run}: {jobs}");
        assert!(jobs.contains("3 in the target"), "run {run}: {jobs}");
        assert!(text.contains("ok: "), "{text}");
        assert!(!text.contains(&password), "{text}");
    }
}

#[test]
fn migrate_refuses_a_password_on_the_command_line_and_says_to_use_pgpassword() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bot.db");
    std::fs::write(&db, "").expect("an (empty) SQLite file");
    let from = format!("sqlite:{}", db.display());
    for to in [
        "postgres://bot:hunter2@127.0.0.1:1/incidents",
        "postgresql://bot:hunter2@db.internal/incidents?sslmode=require",
    ] {
        let out = bot(&["migrate", "--from", &from, "--to", to]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{to}: {err}");
        assert!(
            err.contains("the URL carries a password")
                && err.contains("put the password in the PGPASSWORD environment variable"),
            "{to}: {err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }
}

#[test]
fn migrate_refuses_a_source_that_is_not_there_and_names_it() {
    let out = bot(&[
        "migrate",
        "--from",
        "sqlite:/nonexistent/bot.db",
        "--to",
        "postgres://bot@127.0.0.1:1/incidents",
    ]);
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(
        err.contains("no SQLite database at /nonexistent/bot.db"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn check_names_each_missing_tracker_variable_and_refuses_a_token_in_the_file() {
    let jira = "\n[tracker]\nkind = \"jira\"\nproject = \"OPS\"\napi_base = \"https://studio.atlassian.net\"\ntoken = \"written-here\"\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let path = example_as(dir.path(), |t| format!("{t}{jira}"));
    let out = bot(&["check", "--config", &path]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for said in [
        "`tracker.token` is a secret",
        "INCIDENT_BOT_JIRA_EMAIL is not set",
        "INCIDENT_BOT_JIRA_TOKEN is not set",
    ] {
        assert!(err.contains(said), "{said}: {err}");
    }
    assert!(
        !err.contains("written-here"),
        "the secret is not echoed: {err}"
    );
    let out = bot_with_env(
        &["check", "--config", &path],
        &[
            ("INCIDENT_BOT_JIRA_EMAIL", "ops@studio.example"),
            ("INCIDENT_BOT_JIRA_TOKEN", "a-token"),
        ],
    );
    let err = stderr(&out);
    assert!(!err.contains("JIRA_EMAIL is not set"), "{err}");
    assert!(err.contains("`tracker.token` is a secret"), "{err}");
}

#[test]
fn check_refuses_a_locale_discord_does_not_know_and_lists_those_it_does() {
    let (code, err, _) = check_example(|t| {
        t.replace(
            "locales = [\"en-US\", \"de\"]",
            "locales = [\"en-US\", \"pt-br\"]",
        )
    });
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("`pt-br` is not one of Discord's locales"),
        "{err}"
    );
    assert!(err.contains("pt-BR") && err.contains("es-419"), "{err}");
}

#[test]
fn check_warns_that_a_locale_without_templates_reads_english() {
    let (code, err, _) = check_example(|t| {
        t.replace(
            "locales = [\"en-US\", \"de\"]",
            "locales = [\"de\", \"fr\"]",
        )
    });
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("no templates/players/fr/service_alert.hbs")
            && err.contains("players reading French get the English"),
        "{err}"
    );
    assert!(!err.contains("players/de/"), "German is built in: {err}");
}

#[test]
fn webhooks_lists_each_status_webhook_and_turns_only_a_configured_one_back_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bot.db");
    let db = db.to_str().expect("utf-8 path").to_owned();
    let path = example_as(dir.path(), |text| {
        text.replace("path = \"incident-bot.db\"", &format!("path = {db:?}"))
            + "\n[[status.webhooks]]\nname = \"fansite\"\nurl = \"https://fans.example.com/hook\"\n"
    });
    let secret = [(
        "INCIDENT_BOT_STATUS_WEBHOOK_SECRET_FANSITE",
        "s3cret-s3cret",
    )];

    let listed = bot_with_env(&["webhooks", "--config", &path], &secret);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(
        stdout(&listed),
        "fansite\thttps://fans.example.com/hook\ton\n"
    );

    let unknown = bot_with_env(&["webhooks", "--config", &path, "--on", "nobody"], &secret);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no [[status.webhooks]] is named \"nobody\""),
        "{}",
        stderr(&unknown)
    );

    let on = bot_with_env(&["webhooks", "--config", &path, "--on", "fansite"], &secret);
    assert!(on.status.success(), "{}", stderr(&on));
    assert!(
        stdout(&on).starts_with("ok: fansite is on (it was not off)"),
        "{}",
        stdout(&on)
    );

    let missing = bot(&["webhooks", "--config", &path]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("INCIDENT_BOT_STATUS_WEBHOOK_SECRET_FANSITE"),
        "{}",
        stderr(&missing)
    );
}
