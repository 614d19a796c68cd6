//! The binary's commands, run as an operator would run them.

use std::process::{Command, Output};

fn bot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_incident-bot"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("INCIDENT_BOT_CONFIG")
        .env_remove("DISCORD_TOKEN")
        .output()
        .expect("the binary runs")
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
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/example.toml"))
            .expect("read");
    // One mistake per file: a file with both reports only the first (serde stops there).
    let unknown_key = example.replace(
        "[status]\nurl = \"https://status.loh.game\"",
        "[status]\nurl = \"https://status.loh.game\"\ncolour = \"red\"",
    );
    let bad_id = example.replace("\"100000000000000020\"", "\"twenty\"");
    for (name, text, says) in [
        ("key.toml", unknown_key, "colour"),
        ("id.toml", bad_id, "twenty"),
    ] {
        assert_ne!(text, example, "{name}: the mistake was not made");
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        let out = bot(&["check", "--config", path.to_str().expect("utf-8 path")]);
        assert!(!out.status.success(), "{name}");
        let err = stderr(&out);
        assert!(err.contains(name) && err.contains(says), "{name}: {err}");
    }
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
        text.contains("Status updates: https://status.loh.game"),
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
