//! `/livez` and `/readyz` as a load balancer or an orchestrator reads them.

use std::time::Duration;

use crate::support::bot::{spawn_bot, world, STEP};
use crate::support::http;

/// Polls `/readyz` until `accept` takes its answer; panics with the last one after [`STEP`].
async fn readyz_until(
    addr: std::net::SocketAddr,
    what: &str,
    accept: impl Fn(&http::Response) -> bool,
) -> http::Response {
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let res = http::get(addr, "/readyz").await;
        if accept(&res) {
            return res;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz never showed {what}; last: {} {}",
            res.status,
            res.body
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn readyz_is_ok_when_every_check_passes_and_livez_always() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let live = http::get(bot.http, "/livez").await;
    assert_eq!((live.status, live.body.as_str()), (200, "ok\n"));
    let ready = readyz_until(bot.http, "ready", |r| r.status == 200).await;
    let body = ready.json();
    assert_eq!(body["ready"], true, "{body}");
    assert_eq!(body["failing"], serde_json::json!([]), "{body}");
    let names: Vec<&str> = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["database", "gateway", "interactions", "jobs", "shutdown"]
    );
    assert_eq!(http::get(bot.http, "/nothing").await.status, 404);
}

#[tokio::test]
async fn readyz_names_the_gateway_while_it_reconnects_and_the_reconnect_is_counted() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    readyz_until(bot.http, "ready", |r| r.status == 200).await;
    let identifies = fake.identifies().len();

    fake.drop_gateway();
    let down = readyz_until(bot.http, "the gateway failing", |r| r.status == 503).await;
    let body = down.json();
    assert_eq!(body["ready"], false, "{body}");
    assert_eq!(body["failing"], serde_json::json!(["gateway"]), "{body}");
    let gateway = body["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "gateway"))
        .cloned()
        .expect("the gateway check");
    assert_eq!(gateway["ok"], false);
    assert!(
        gateway["detail"]
            .as_str()
            .is_some_and(|d| d.contains("not ready")),
        "{gateway}"
    );

    fake.wait_for_identifies(identifies + 1, STEP).await;
    readyz_until(bot.http, "ready again", |r| r.status == 200).await;
    let metrics = http::get(bot.http, "/metrics").await.body;
    assert!(
        metrics.contains("\nincident_bot_gateway_reconnects_total 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("\nincident_bot_gateway_connected 1\n"),
        "{metrics}"
    );
}

/// Turns connections to the bot's PostgreSQL database away (`on = false`) and ends those its
/// pool and listener hold, as a server going down would; the gateway lock's own connection is
/// spared, as it would be by a short outage its keepalives ride out.
async fn database_answers(bot: &crate::support::bot::TestBot, on: bool) {
    use sqlx::{Connection as _, Executor as _};
    let url = bot
        .app
        .settings
        .database
        .url
        .as_ref()
        .expect("a PostgreSQL bot")
        .expose()
        .to_owned();
    let name = url.rsplit('/').next().expect("a database name").to_owned();
    let server = crate::support::postgres::server_url();
    let mut admin = sqlx::PgConnection::connect(&server).await.expect("admin");
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS {on}"
        )))
        .await
        .expect("alter");
    if !on {
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid() \
             AND pid NOT IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)",
        )
        .bind(&name)
        .execute(&mut admin)
        .await
        .expect("terminate");
    }
    admin.close().await.expect("close");
}

#[tokio::test]
async fn while_the_database_is_down_commands_say_try_again_and_the_bot_recovers_by_itself() {
    let fake = world::fake().start().await;
    let bot =
        crate::support::bot::spawn_bot_on_db(&fake, crate::support::bot::TestDb::Postgres, |_| {})
            .await;
    database_answers(&bot, false).await;
    let answer = crate::support::story::run(
        &fake,
        world::RESPONDER,
        world::GENERAL,
        "declare",
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    assert_eq!(
        answer,
        crate::support::UNAVAILABLE,
        "a clear word, no error id"
    );
    let down = readyz_until(bot.http, "the database failing", |r| {
        r.status == 503 && r.body.contains("\"database\"")
    })
    .await;
    assert!(down.body.contains("failing"), "{}", down.body);

    database_answers(&bot, true).await;
    readyz_until(bot.http, "ready again", |r| r.status == 200).await;
    let channel = crate::support::story::declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    assert!(
        channel.name.starts_with("inc-1-"),
        "nothing half-written before: {}",
        channel.name
    );
}
