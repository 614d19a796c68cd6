//! Readiness: whether this process can do its job now, check by check, so that `/readyz`
//! names what fails.

use std::time::Duration;

use chrono::TimeDelta;
use serde::Serialize;

use super::{GatewayProbe, GatewayState};
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
    let gateway = match gateway().await {
        GatewayState::Connected { replica: false } => Ok("the session is ready".to_owned()),
        GatewayState::Connected { replica: true } => {
            Ok("the session is ready: this replica owns the gateway".to_owned())
        }
        GatewayState::Connecting => {
            Err("the gateway session is not ready (connecting, or reconnecting)".to_owned())
        }
        GatewayState::Standby => {
            let owner = tokio::time::timeout(DB_TIMEOUT, app.db.meta(crate::replica::OWNER_KEY))
                .await
                .ok()
                .and_then(Result::ok)
                .flatten()
                .unwrap_or_else(|| "another replica".to_owned());
            Ok(format!(
                "standing by: {owner} owns the gateway; this replica serves HTTP and works \
                 the job queue, and takes the gateway over if the owner goes"
            ))
        }
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
        check("interactions", interactions(app).await),
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

/// Where interactions arrive, and whether this replica and the developer portal agree: a URL
/// set in the portal that this replica does not serve means no command reaches it.
async fn interactions(app: &App) -> Result<String, String> {
    use crate::app::interactions::{disagreement, PORTAL_URL_KEY};
    let serving = app.settings.http.interactions;
    let portal = tokio::time::timeout(DB_TIMEOUT, app.db.meta(PORTAL_URL_KEY))
        .await
        .ok()
        .and_then(Result::ok)
        .flatten();
    let Some(portal) = portal else {
        return Ok(if serving {
            "serving POST /interactions (the portal's setting not read yet)".to_owned()
        } else {
            "over the gateway (the portal's setting not read yet)".to_owned()
        });
    };
    match disagreement(serving, &portal) {
        Some(d) if d.is_fatal() => Err(d.to_string()),
        Some(d) => Ok(d.to_string()),
        None if serving => Ok(format!("over HTTP: the portal sends them to {portal}")),
        None => Ok("over the gateway".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::clock::{Clock, ManualClock};
    use crate::config::Settings;
    use crate::render::Templates;
    use crate::scheduler::Waker;
    use crate::store::{Db, NewJob};

    #[expect(
        clippy::result_large_err,
        reason = "figment::Jail's closures must return figment::Error, which is large"
    )]
    fn settings() -> Settings {
        let mut loaded = None;
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "bot.toml",
                "[discord]\nguild_id = \"1\"\n[channels]\nannouncements = \"10\"\n\
                 incident_category = \"11\"\narchive_category = \"12\"\n\
                 [roles]\nresponder = \"20\"\ncommander = \"21\"\nsecurity = \"22\"\n",
            )?;
            loaded = Some(Settings::load(Some(Path::new("bot.toml"))).map_err(|e| e.to_string())?);
            Ok(())
        });
        loaded.expect("the test config loads")
    }

    async fn app(clock: &ManualClock) -> App {
        App {
            settings: Arc::new(settings()),
            db: Db::open_in_memory().await.expect("db"),
            templates: Arc::new(Templates::load(None).expect("templates")),
            clock: Arc::new(clock.clone()),
            waker: Waker::default(),
            events: tokio::sync::broadcast::channel(8).0,
            metrics: crate::metrics::Metrics::new(),
            shutdown: crate::shutdown::Shutdown::new(),
            public: crate::app::PublicChanges::default(),
            reports: Default::default(),
            alert_presses: Default::default(),
            actions: None,
            social: Vec::new(),
            pagers: Default::default(),
            waf: None,
            guard: None,
            metrics_source: None,
            tracker: None,
            status_hooks: None,
            public_feed: None,
        }
    }

    fn probe(ready: bool) -> GatewayProbe {
        Arc::new(move || {
            Box::pin(async move {
                if ready {
                    GatewayState::Connected { replica: false }
                } else {
                    GatewayState::Connecting
                }
            })
        })
    }

    #[tokio::test]
    async fn each_failing_check_is_named_a_job_waiting_over_a_minute_among_them() {
        let t0 = Utc
            .with_ymd_and_hms(2026, 11, 30, 9, 0, 0)
            .single()
            .expect("a time");
        let clock = ManualClock::new(t0);
        let app = app(&clock).await;
        let all_ok = readiness(&app, &probe(true)).await;
        assert!(all_ok.ready, "{all_ok:?}");
        assert!(all_ok.failing.is_empty());

        let mut tx = app.db.begin().await.expect("tx");
        let job = NewJob {
            kind: "post".into(),
            payload: serde_json::json!({}),
            incident: None,
            idempotency_key: "k".into(),
            due_at: t0,
        };
        tx.enqueue(&job, t0).await.expect("enqueue");
        tx.commit().await.expect("commit");
        clock.advance(TimeDelta::seconds(60));
        assert!(
            readiness(&app, &probe(true)).await.ready,
            "60 s is the limit"
        );
        clock.advance(TimeDelta::seconds(1));
        let late = readiness(&app, &probe(true)).await;
        assert_eq!(late.failing, ["jobs"]);
        let jobs = late.checks.iter().find(|c| c.name == "jobs").expect("jobs");
        assert!(jobs.detail.contains("waited 61 s"), "{}", jobs.detail);

        // A claimed job is being worked, not waiting.
        app.db
            .claim_due_jobs(clock.now(), TimeDelta::minutes(5), 10, 10, "")
            .await
            .expect("claim");
        app.shutdown.trigger();
        let stopping = readiness(&app, &probe(false)).await;
        assert_eq!(stopping.failing, ["gateway", "shutdown"]);
        assert!(!stopping.ready);
    }
}
