//! Readiness: whether this process can do its job now, check by check, so that `/readyz`
//! names what fails.

use std::time::Duration;

use chrono::TimeDelta;
use serde::Serialize;

use super::GatewayProbe;
use crate::app::App;

/// A due job waiting longer than this makes the bot not ready: the queue is stuck or starved.
pub const LATE_AFTER: TimeDelta = TimeDelta::seconds(60);

/// How long the database may take to answer the readiness write.
const DB_TIMEOUT: Duration = Duration::from_secs(2);

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What is checked: `database`, `gateway`, `jobs` or `shutdown`.
    pub name: &'static str,
    /// Whether it passes.
    pub ok: bool,
    /// Why not, or what was seen.
    pub detail: String,
}

/// Every check, and the names of those that fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// Whether every check passes.
    pub ready: bool,
    /// The names of the failing checks.
    pub failing: Vec<&'static str>,
    /// Every check.
    pub checks: Vec<Check>,
}

fn check(name: &'static str, result: Result<String, String>) -> Check {
    match result {
        Ok(detail) => Check {
            name,
            ok: true,
            detail,
        },
        Err(detail) => Check {
            name,
            ok: false,
            detail,
        },
    }
}

/// Runs every check: the database takes a write, the gateway session is ready, no due job has
/// waited more than [`LATE_AFTER`], and the bot is not shutting down.
pub async fn readiness(app: &App, gateway: &GatewayProbe) -> Readiness {
    let database = match tokio::time::timeout(DB_TIMEOUT, app.db.ping_write()).await {
        Ok(Ok(())) => Ok("took a write".to_owned()),
        Ok(Err(e)) => Err(format!("the database refused a write: {e}")),
        Err(_) => Err(format!(
            "the database did not take a write within {DB_TIMEOUT:?}"
        )),
    };
    let gateway = if gateway().await {
        Ok("the session is ready".to_owned())
    } else {
        Err("the gateway session is not ready (connecting, or reconnecting)".to_owned())
    };
    let now = app.clock.now();
    let jobs = match app.db.oldest_waiting_job(now).await {
        Ok(Some(due)) if now - due > LATE_AFTER => Err(format!(
            "a due job has waited {} s for a worker (limit {} s)",
            (now - due).num_seconds(),
            LATE_AFTER.num_seconds()
        )),
        Ok(_) => Ok(format!(
            "no due job has waited more than {} s",
            LATE_AFTER.num_seconds()
        )),
        Err(e) => Err(format!("could not read the job queue: {e}")),
    };
    let shutdown = if app.shutdown.is_triggered() {
        Err("shutting down: finishing the work in flight".to_owned())
    } else {
        Ok("taking new work".to_owned())
    };
    let checks = vec![
        check("database", database),
        check("gateway", gateway),
        check("jobs", jobs),
        check("shutdown", shutdown),
    ];
    let failing: Vec<&'static str> = checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
    Readiness {
        ready: failing.is_empty(),
        failing,
        checks,
    }
}
