//! The public status page and its feeds, read as players, widgets and feed readers read them:
//! over HTTP from a running bot, and in a real headless Chromium.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::TimeDelta;
use incident_bot::clock::{Clock, ManualClock};

use crate::support::bot::{spawn_bot_on, spawn_bot_with, world, STEP};
use crate::support::http::{self, Response};
use crate::support::story::{answer, answer_fix_check, declare, run, shows_seen, FixCheck};
use crate::support::time::T0;

/// Every route the page serves once incident #`n` is public.
fn routes(n: u32) -> Vec<String> {
    let mut all: Vec<String> = [
        "/",
        "/api/v2/status.json",
        "/api/v2/summary.json",
        "/api/v2/components.json",
        "/api/v2/incidents.json",
        "/api/v2/incidents/unresolved.json",
        "/history.atom",
        "/game-status.json",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    all.push(format!("/incidents/{n}"));
    all
}

/// Polls `path` until `accept` takes the answer; panics with the last one after [`STEP`].
pub(crate) async fn until(
    addr: SocketAddr,
    path: &str,
    what: &str,
    accept: impl Fn(&Response) -> bool,
) -> Response {
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let res = http::get(addr, path).await;
        if accept(&res) {
            return res;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{path} never showed {what}; last: {} {}",
            res.status,
            res.body
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The Statuspage v2 schema in tests/fixtures, pointed at one document's definition.
pub(crate) fn check_shape(route: &str, body: &serde_json::Value) {
    let text = include_str!("../fixtures/statuspage-v2.schema.json");
    let mut schema: serde_json::Value = serde_json::from_str(text).expect("the schema parses");
    let def = match route {
        "/api/v2/status.json" => "status.json",
        "/api/v2/summary.json" => "summary.json",
        "/api/v2/components.json" => "components.json",
        r if r.starts_with("/api/v2/scheduled-maintenances") => "scheduled-maintenances.json",
        _ => "incidents.json",
    };
    schema["$ref"] = serde_json::Value::String(format!("#/$defs/{def}"));
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{route} does not match Statuspage v2: {errors:#?}\n{body}"
    );
}

const FUZZ: &str = "<script>alert('x')</script>\"><img src=x onerror=alert(1)> & 'q' `b` {{x}}";

#[tokio::test]
async fn only_what_players_were_told_is_served_on_any_route_and_markup_is_escaped() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;

    // A security incident: never announced, never shown.
    let sec = declare(
        &fake,
        world::SECURITY,
        &[
            ("title", "SECRET-SEC key leaked <b>x</b>"),
            ("severity", "P0"),
            ("kind", "security"),
            ("systems", "Vault"),
            ("summary", "SECRET-SEC-SUMMARY"),
        ],
    )
    .await;
    run(
        &fake,
        world::SECURITY,
        sec.id,
        "note",
        &[("text", "SECRET-SEC-NOTE")],
    )
    .await;
    // An internal-only incident (P2 is not announced), with an internal update.
    let internal = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "SECRET-INTERNAL <i>disk</i>"),
            ("severity", "P2"),
            ("systems", "Billing"),
        ],
    )
    .await;
    answer(
        &fake,
        world::RESPONDER,
        internal.id,
        "update",
        &[("message", "SECRET-INTERNAL-UPDATE")],
    )
    .await;
    // An announced incident with a markup-fuzzed title, a note, an internal update and a public
    // update players read.
    let public = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", &format!("SECRET-TITLE {FUZZ}")),
            ("severity", "P0"),
            ("systems", "Login"),
            ("summary", "SECRET-SUMMARY"),
        ],
    )
    .await;
    run(
        &fake,
        world::COMMANDER,
        public.id,
        "note",
        &[("text", "SECRET-NOTE")],
    )
    .await;
    answer(
        &fake,
        world::RESPONDER,
        public.id,
        "update",
        &[("message", "SECRET-INTERNAL-ONLY")],
    )
    .await;
    answer(
        &fake,
        world::RESPONDER,
        public.id,
        "update",
        &[
            ("message", &format!("Rolling back {FUZZ}")),
            ("public", "true"),
        ],
    )
    .await;
    let now = bot.clock.now();
    shows_seen(&fake, world::ANNOUNCEMENTS, "the public update", now, |t| {
        t.contains("Rolling back")
    })
    .await;
    let number: u32 = public
        .name
        .strip_prefix("inc-")
        .and_then(|n| n.split('-').next())
        .and_then(|n| n.parse().ok())
        .expect("the channel is named after the number");
    let page = until(bot.public, "/", "the public update", |r| {
        r.body.contains("Rolling back")
    })
    .await;

    let forbidden = [
        "SECRET",
        "Vault",
        "Billing",
        "rhea",
        "cole",
        "sana",
        "<script",
        "<img",
        "onerror=alert",
    ];
    for route in routes(number) {
        let res = http::get(bot.public, &route).await;
        assert_eq!(res.status, 200, "{route}: {}", res.body);
        for word in forbidden {
            // JSON and Atom carry the text as data, escaped for their own syntax: a raw `<`
            // never reaches HTML or XML, but JSON strings hold it as it was typed, and a
            // text Atom entry holds `onerror=` as words (its `<` is `&lt;`).
            let data =
                route.ends_with(".json") || (route.ends_with(".atom") && word == "onerror=alert");
            if data && matches!(word, "<script" | "<img" | "onerror=alert") {
                continue;
            }
            assert!(
                !res.body.contains(word),
                "{route} leaks {word:?}:\n{}",
                res.body
            );
        }
        for id in [world::RESPONDER, world::COMMANDER, world::SECURITY] {
            assert!(
                !res.body.contains(&id.to_string()),
                "{route} names a responder"
            );
        }
    }
    // The text players read is on the page, escaped, attributes and all.
    assert!(
        page.body.contains(
            "Rolling back &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &amp; &#x27;q&#x27; &#x60;b&#x60; {{x}}"
        ),
        "{}",
        page.body
    );
    let json = http::get(bot.public, "/api/v2/incidents.json").await.json();
    let incidents = json["incidents"].as_array().expect("incidents");
    assert_eq!(incidents.len(), 1, "only the announced incident: {json}");
    let bodies: Vec<&str> = incidents[0]["incident_updates"]
        .as_array()
        .expect("updates")
        .iter()
        .filter_map(|u| u["body"].as_str())
        .collect();
    assert_eq!(
        bodies.len(),
        2,
        "the alert and the public update: {bodies:?}"
    );
    assert_eq!(
        bodies[0],
        format!("📣 Status update on Login\nRolling back {FUZZ}\nStatus updates: https://status.loh.game"),
        "the update reads as players read it, newest first"
    );
    assert!(
        bodies[1].starts_with("🚨 Service Alert 🚨"),
        "{}",
        bodies[1]
    );
    // An incident players were never told about has no page.
    for hidden in 1..number {
        assert_eq!(
            http::get(bot.public, &format!("/incidents/{hidden}"))
                .await
                .status,
            404
        );
    }
}

#[tokio::test]
async fn a_p0_turns_the_json_critical_then_the_verified_all_clear_resolves_it() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(&fake, dir.path(), ManualClock::running(T0), |_| {}).await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;

    let calm = until(bot.public, "/api/v2/status.json", "the page", |r| {
        r.status == 200
    })
    .await;
    assert_eq!(calm.json()["status"]["indicator"], "none");
    assert_eq!(
        calm.json()["status"]["description"],
        "All Systems Operational"
    );
    check_shape("/api/v2/status.json", &calm.json());

    let here = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await
    .id;
    let summary = until(bot.public, "/api/v2/summary.json", "the incident", |r| {
        r.status == 200
            && r.json()["incidents"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
    })
    .await
    .json();
    assert_eq!(summary["status"]["indicator"], "critical", "{summary}");
    let login = summary["components"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "Login"))
        .expect("Login, from the catalogue");
    assert_eq!(login["status"], "major_outage");
    let store = summary["components"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "Store"))
        .expect("Store, from the catalogue");
    assert_eq!(store["status"], "operational");
    let incident = &summary["incidents"][0];
    assert_eq!(
        (
            &incident["id"],
            &incident["status"],
            &incident["impact"],
            &incident["name"]
        ),
        (
            &serde_json::json!("1"),
            &serde_json::json!("investigating"),
            &serde_json::json!("critical"),
            &serde_json::json!("Problems with Login")
        )
    );
    assert_eq!(incident["shortlink"], "https://status.loh.game/incidents/1");
    for route in &routes(1)[1..6] {
        check_shape(route, &http::get(bot.public, route).await.json());
    }

    // Phase 4: identified.
    for phase in ["containment", "investigation", "resolution"] {
        answer(&fake, world::RESPONDER, here, "phase", &[("to", phase)]).await;
    }
    until(
        bot.public,
        "/api/v2/incidents/unresolved.json",
        "identified",
        |r| r.json()["incidents"][0]["status"] == "identified",
    )
    .await;
    // The fix is in: monitoring, still unresolved.
    answer(
        &fake,
        world::COMMANDER,
        here,
        "resolve",
        &[("root_cause", "An expired TLS certificate")],
    )
    .await;
    let monitoring = until(
        bot.public,
        "/api/v2/incidents/unresolved.json",
        "monitoring",
        |r| r.json()["incidents"][0]["status"] == "monitoring",
    )
    .await
    .json();
    assert!(
        monitoring["incidents"][0]["monitoring_at"].is_string(),
        "{monitoring}"
    );
    // Verified: resolved, all clear.
    bot.clock.advance(TimeDelta::hours(1));
    answer_fix_check(
        &fake,
        world::COMMANDER,
        here,
        FixCheck::Held,
        bot.clock.now(),
    )
    .await;
    let status = until(bot.public, "/api/v2/status.json", "the all-clear", |r| {
        r.json()["status"]["indicator"] == "none"
    })
    .await;
    check_shape("/api/v2/status.json", &status.json());
    let all = until(bot.public, "/api/v2/incidents.json", "resolved", |r| {
        r.json()["incidents"][0]["incident_updates"][0]["status"] == "resolved"
    })
    .await
    .json();
    check_shape("/api/v2/incidents.json", &all);
    assert_eq!(all["incidents"][0]["status"], "resolved");
    assert!(all["incidents"][0]["resolved_at"].is_string(), "{all}");
    let unresolved = http::get(bot.public, "/api/v2/incidents/unresolved.json").await;
    assert_eq!(unresolved.json()["incidents"], serde_json::json!([]));
    let components = http::get(bot.public, "/api/v2/components.json")
        .await
        .json();
    check_shape("/api/v2/components.json", &components);
    assert!(
        components["components"]
            .as_array()
            .is_some_and(|c| c.iter().all(|c| c["status"] == "operational")),
        "{components}"
    );
    let page = http::get(bot.public, "/").await;
    assert!(
        page.body.contains("All systems operational"),
        "{}",
        page.body
    );
    let one = http::get(bot.public, "/incidents/1").await;
    assert!(
        one.body.contains("The issue with Login has been resolved."),
        "{}",
        one.body
    );
}

#[tokio::test]
async fn answers_carry_an_etag_and_a_match_is_answered_304() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    for route in [
        "/",
        "/api/v2/summary.json",
        "/history.atom",
        "/game-status.json",
    ] {
        let first = until(bot.public, route, "the page", |r| r.status == 200).await;
        assert_eq!(first.header("cache-control"), Some("public, max-age=15"));
        let etag = first.header("etag").expect("an ETag").to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        let again = http::get_with(bot.public, route, &[("If-None-Match", &etag)]).await;
        assert_eq!(again.status, 304, "{route}");
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        assert_eq!(again.body, "");
        let other = http::get_with(bot.public, route, &[("If-None-Match", "\"nope\"")]).await;
        assert_eq!(other.status, 200, "{route}");
    }
    let ct = |r: &Response| r.header("content-type").map(str::to_owned);
    assert_eq!(
        ct(&http::get(bot.public, "/").await).as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        ct(&http::get(bot.public, "/api/v2/status.json").await).as_deref(),
        Some("application/json")
    );
    assert_eq!(http::get(bot.public, "/incidents/1").await.status, 404);
    assert_eq!(http::get(bot.public, "/metrics").await.status, 404);

    // A public change gives a new ETag: the old one no longer matches.
    let before = http::get(bot.public, "/").await;
    let old = before.header("etag").expect("an ETag").to_owned();
    declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Store down"),
            ("severity", "P0"),
            ("systems", "Store"),
        ],
    )
    .await;
    let after = until(bot.public, "/", "the alert", |r| {
        r.body.contains("Service alert")
    })
    .await;
    assert_ne!(after.header("etag"), Some(old.as_str()));
    assert_eq!(
        http::get_with(bot.public, "/", &[("If-None-Match", &old)])
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_atom_feed_parses_and_lists_each_public_update() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    let here = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Matchmaking slow"),
            ("severity", "P0"),
            ("systems", "Matchmaking"),
        ],
    )
    .await
    .id;
    answer(
        &fake,
        world::RESPONDER,
        here,
        "update",
        &[
            ("message", "Queues <drained> & restarting"),
            ("public", "true"),
        ],
    )
    .await;
    let res = until(bot.public, "/history.atom", "the update", |r| {
        r.body.contains("restarting")
    })
    .await;
    assert_eq!(
        res.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    let feed = feed_rs::parser::parse(res.body.as_bytes()).expect("a valid Atom feed");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.id, "https://status.loh.game/history.atom");
    assert_eq!(feed.entries.len(), 2, "{}", res.body);
    let newest = &feed.entries[0];
    assert_eq!(
        newest.title.as_ref().map(|t| t.content.as_str()),
        Some("Update: Problems with Matchmaking")
    );
    let body = newest
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .expect("content");
    assert!(body.contains("Queues <drained> & restarting"), "{body}");
    assert_eq!(
        newest.links.first().map(|l| l.href.as_str()),
        Some("https://status.loh.game/incidents/1")
    );
    assert!(feed.entries[1]
        .title
        .as_ref()
        .is_some_and(|t| t.content.starts_with("Service alert")));
    assert!(feed.entries.iter().all(|e| e.updated.is_some()));
}

#[tokio::test]
async fn page_false_turns_the_status_page_off() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s| s.status.page = false).await;
    for route in routes(1) {
        assert_eq!(http::get(bot.public, &route).await.status, 404, "{route}");
    }
}

/// Debian's chromium: the test fails when it is missing (`tests/run` installs it).
const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs headless Chromium on `url` with `what` (`--dump-dom` or `--screenshot=…`) and a fresh
/// profile; returns its standard output.
async fn chromium(url: String, what: Vec<String>) -> String {
    assert!(
        std::path::Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)"
    );
    tokio::task::spawn_blocking(move || {
        let profile = tempfile::tempdir().expect("a fresh profile");
        let out = std::process::Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-proxy-server",
                "--window-size=412,915",
                // Console messages on stderr: a Content-Security-Policy violation shows there.
                "--enable-logging=stderr",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(&what)
            .arg(&url)
            .output()
            .expect("chromium runs");
        assert!(
            out.status.success(),
            "chromium failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("Content Security Policy"),
            "the page broke its own policy (its style would not apply): {stderr}"
        );
        String::from_utf8(out.stdout).expect("UTF-8 DOM")
    })
    .await
    .expect("chromium's task")
}

/// Scans `url` with axe-core in the same Chromium (tests/axe/scan.mjs, through playwright-core);
/// fails on any serious or critical finding. Needs `npm ci --prefix tests/axe` (tests/run does).
async fn axe(url: String) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/axe");
    assert!(
        dir.join("node_modules/axe-core").is_dir()
            && dir.join("node_modules/playwright-core").is_dir(),
        "axe-core and playwright-core are missing: run `npm ci --prefix tests/axe` (tests/run does)"
    );
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg(dir.join("scan.mjs"))
            .arg(&url)
            .env("CHROMIUM", CHROMIUM)
            .output()
            .expect("node runs (Debian's nodejs; tests/run installs it)")
    })
    .await
    .expect("the scan's task");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "axe-core found serious or critical problems (or could not scan): {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("the scan's JSON");
    assert!(
        report["passes"].as_u64().is_some_and(|n| n > 0),
        "axe ran no rule: {report}"
    );
}

#[tokio::test]
async fn chromium_shows_the_outage_then_all_systems_operational() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(&fake, dir.path(), ManualClock::running(T0), |_| {}).await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    let here = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await
    .id;
    until(bot.public, "/", "the alert", |r| {
        r.body.contains("Service alert")
    })
    .await;
    let url = format!("http://{}/", bot.public);
    let dom = chromium(url.clone(), vec!["--dump-dom".into()]).await;
    let login = dom
        .split("class=\"system\"")
        .find(|s| s.contains("<span>Login</span>"))
        .expect("Login's row");
    assert!(login.contains("Major outage"), "{login}");
    assert!(dom.contains("Major outage</p>"), "the banner: {dom}");
    assert!(
        dom.contains("We are currently experiencing technical difficulties with Login."),
        "{dom}"
    );
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let p0 = shots.join("status-page-p0.png");
    let _ = std::fs::remove_file(&p0);
    chromium(url.clone(), vec![format!("--screenshot={}", p0.display())]).await;
    assert!(
        std::fs::metadata(&p0).is_ok_and(|m| m.len() > 0),
        "{}",
        p0.display()
    );

    answer(
        &fake,
        world::COMMANDER,
        here,
        "resolve",
        &[("root_cause", "An expired TLS certificate")],
    )
    .await;
    bot.clock.advance(TimeDelta::hours(1));
    answer_fix_check(
        &fake,
        world::COMMANDER,
        here,
        FixCheck::Held,
        bot.clock.now(),
    )
    .await;
    until(bot.public, "/", "the all-clear", |r| {
        r.body.contains("All systems operational")
    })
    .await;
    let dom = chromium(url.clone(), vec!["--dump-dom".into()]).await;
    assert!(dom.contains("All systems operational"), "{dom}");
    assert!(!dom.contains("Major outage"), "{dom}");
    let clear = shots.join("status-page-all-clear.png");
    chromium(
        url.clone(),
        vec![format!("--screenshot={}", clear.display())],
    )
    .await;
    axe(url).await;
    assert!(std::fs::metadata(&clear).is_ok_and(|m| m.len() > 0));
}

/// The JSON components of `doc` that are not operational, as (name, status).
fn troubled(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["status"] != "operational")
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
            (text("name"), text("status"))
        })
        .collect()
}

/// The name of incident `id` in the summary `doc`.
fn incident_name(doc: &serde_json::Value, id: &str) -> String {
    doc["incidents"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["id"] == id)
        .and_then(|i| i["name"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn an_edit_nobody_announced_changes_nothing_public_until_the_next_public_update() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    let here = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await
    .id;
    until(bot.public, "/api/v2/summary.json", "the alert", |r| {
        incident_name(&r.json(), "1") == "Problems with Login"
    })
    .await;

    // An internal correction that names a host: nothing was announced.
    let edited = run(
        &fake,
        world::RESPONDER,
        here,
        "edit",
        &[("systems", "Login, payments-db-primary (10.0.3.7)")],
    )
    .await;
    assert!(edited.contains("Corrected: systems."), "{edited}");
    // A later public change (another incident's alert) rebuilds the page after the edit.
    declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Store down"),
            ("severity", "P0"),
            ("systems", "Store"),
        ],
    )
    .await;
    let summary = until(bot.public, "/api/v2/summary.json", "incident #2", |r| {
        incident_name(&r.json(), "2") == "Problems with Store"
    })
    .await
    .json();
    assert_eq!(incident_name(&summary, "1"), "Problems with Login");
    assert_eq!(
        troubled(&summary),
        vec![
            ("Login".to_owned(), "major_outage".to_owned()),
            ("Store".to_owned(), "major_outage".to_owned()),
        ]
    );
    let everywhere = [
        "/",
        "/incidents/1",
        "/history.atom",
        "/api/v2/incidents.json",
        "/api/v2/components.json",
    ];
    for route in everywhere {
        let body = http::get(bot.public, route).await.body;
        assert!(!body.contains("payments-db"), "{route}: {body}");
        assert!(!body.contains("10.0.3.7"), "{route}: {body}");
    }

    // A public update tells players the systems as they are now.
    answer(
        &fake,
        world::RESPONDER,
        here,
        "update",
        &[("message", "Payments are affected too"), ("public", "true")],
    )
    .await;
    let named = "Problems with Login, payments-db-primary (10.0.3.7)";
    let summary = until(bot.public, "/api/v2/summary.json", "the update", |r| {
        incident_name(&r.json(), "1") == named
    })
    .await
    .json();
    assert!(
        troubled(&summary).contains(&(
            "payments-db-primary (10.0.3.7)".to_owned(),
            "major_outage".to_owned()
        )),
        "{summary}"
    );
    let one = http::get(bot.public, "/incidents/1").await.body;
    assert!(one.contains(named), "{one}");
    let page = http::get(bot.public, "/").await.body;
    assert!(page.contains("payments-db-primary (10.0.3.7)"), "{page}");
}
