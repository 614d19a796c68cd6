//! The throwaway PostgreSQL the tests start for themselves when `INCIDENT_BOT_TEST_POSTGRES`
//! is unset (`tests/throwaway-postgres`): it says what to install when it cannot start, and it
//! is gone once whoever started it lets go.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use sqlx::Connection;

use crate::support::postgres::start_throwaway;

#[test]
fn without_initdb_the_tests_say_what_to_install_instead_of_skipping() {
    let empty = tempfile::tempdir().expect("tempdir");
    let why = start_throwaway(Some(empty.path())).expect_err("no initdb there");
    assert!(
        why.contains("install PostgreSQL's server (Debian: apt-get install postgresql")
            && why.contains("INCIDENT_BOT_TEST_POSTGRES"),
        "{why}"
    );
}

#[tokio::test]
async fn the_throwaway_server_stops_when_its_input_closes() {
    let mut script = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/throwaway-postgres"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the script runs");
    let mut url = String::new();
    BufReader::new(script.stdout.take().expect("piped"))
        .read_line(&mut url)
        .expect("its URL");
    let url = url.trim().to_owned();
    let conn = sqlx::PgConnection::connect(&url)
        .await
        .expect("the server answers");
    conn.close().await.expect("close");

    drop(script.stdin.take());
    let status = tokio::task::spawn_blocking(move || script.wait())
        .await
        .expect("join")
        .expect("the script ends");
    assert!(status.success(), "{status}");
    assert!(
        sqlx::PgConnection::connect(&url).await.is_err(),
        "the server still answers at {url}"
    );
}
