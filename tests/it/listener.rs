//! The public listener under abuse: connections held half-sent, floods of wrong tokens, bodies
//! too large or too slow, and the headers every answer carries.

use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine as _;
use incident_bot::config::Settings;
use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::intake::FIRING;
use crate::intake_sources::start_of_minute;
use crate::support::bot::{spawn_bot_on, spawn_bot_with, world, TestBot, STEP};
use crate::support::chance::free_port;
use crate::support::child::ChildBot;
use crate::support::http;
use crate::support::story::declare;

/// An Alertmanager token of the length `check` asks for.
const TOKEN: &str = "listener-test-alertmanager-token-0123456789";

fn with_alertmanager(s: &mut Settings) {
    s.intake.secrets.alertmanager = Some(secrecy::SecretString::from(TOKEN));
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// How many descriptors process `pid` has open.
fn open_descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

/// Reads from `stream` until the server closes it; false when it is still open after `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn five_hundred_half_sent_requests_are_closed_by_the_header_timeout_while_the_bot_works_on() {
    const NOFILE: u32 = 256;
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (private, public) = (free_port(), free_port());
    let private_at = format!("127.0.0.1:{private}");
    let public_at = format!("127.0.0.1:{public}");
    let env = [
        ("INCIDENT_BOT__HTTP__LISTEN", private_at.as_str()),
        ("INCIDENT_BOT__HTTP__PUBLIC_LISTEN", public_at.as_str()),
        ("INCIDENT_BOT__HTTP__HEADER_TIMEOUT", "1s"),
        ("INCIDENT_BOT__HTTP__MAX_CONNECTIONS", "100"),
        ("INCIDENT_BOT_ALERTMANAGER_TOKEN", TOKEN),
    ];
    let bot = ChildBot::start_limited(&fake, dir.path(), &env, NOFILE).await;
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", bot.pid())).expect("limits");
    assert!(
        limits
            .lines()
            .any(|l| l.starts_with("Max open files") && l.contains(&NOFILE.to_string())),
        "{limits}"
    );
    let (private, public): (SocketAddr, SocketAddr) = (
        private_at.parse().expect("addr"),
        public_at.parse().expect("addr"),
    );

    // 500 clients that start a request and never finish its headers.
    let mut idle = Vec::new();
    for n in 0..500 {
        let mut stream = TcpStream::connect(public).await.unwrap_or_else(|e| {
            panic!(
                "client {n} cannot connect ({e}); the bot's log:\n{}",
                bot.log()
            )
        });
        stream
            .write_all(b"POST /hooks/alertmanager HTTP/1.1\r\nHost: bot\r\nContent-Le")
            .await
            .expect("send half the headers");
        idle.push(stream);
    }
    let pid = bot.pid();
    let most = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let watch = {
        let most = most.clone();
        tokio::spawn(async move {
            loop {
                most.fetch_max(open_descriptors(pid), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };

    let ready = tokio::time::timeout(STEP, http::get(private, "/readyz"))
        .await
        .expect("/readyz answers while the public listener is held");
    assert_eq!(ready.status, 200, "{}", ready.body);
    let started = std::time::Instant::now();
    let delivered = tokio::time::timeout(
        STEP,
        http::post(
            public,
            "/hooks/alertmanager",
            &[("authorization", &bearer(TOKEN))],
            FIRING.as_bytes(),
        ),
    )
    .await
    .expect("a webhook is answered");
    assert_eq!(delivered.status, 200, "{}", delivered.body);
    println!("the webhook was answered after {:?}", started.elapsed());
    declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P1")],
    )
    .await;

    for (n, stream) in idle.iter_mut().enumerate() {
        assert!(
            closed_within(stream, STEP).await,
            "half-sent request {n} is still open; the bot's log:\n{}",
            bot.log()
        );
    }
    watch.abort();
    let most = most.load(std::sync::atomic::Ordering::Relaxed);
    println!("the bot held at most {most} descriptors of {NOFILE}");
    assert!(most < NOFILE as usize, "{most} descriptors");
    let log = bot.log();
    for sign in ["Too many open files", "unable to open database file"] {
        assert!(!log.contains(sign), "{sign}:\n{log}");
    }
}

async fn from(bot: &TestBot, client: &str, token: &str) -> http::Response {
    http::post(
        bot.public,
        "/hooks/alertmanager",
        &[
            ("authorization", &bearer(token)),
            ("x-forwarded-for", client),
        ],
        FIRING.as_bytes(),
    )
    .await
}

#[tokio::test]
async fn a_flood_of_wrong_tokens_is_refused_429_per_client_while_the_real_sender_gets_through() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(&fake, dir.path(), start_of_minute(), |s| {
        with_alertmanager(s);
        s.http.trusted_proxies = vec!["127.0.0.0/8".parse().expect("a network")];
    })
    .await;
    let limit = bot.app.settings.intake.unauthenticated_per_minute;
    assert_eq!(limit, 20, "the default");
    let wrong = "a-guess-that-is-not-the-token-at-all-00000";
    let mut statuses = Vec::new();
    for _ in 0..100 {
        let res = from(&bot, "198.51.100.7", wrong).await;
        if res.status == 429 {
            let wait: u64 = res
                .header("retry-after")
                .and_then(|v| v.parse().ok())
                .expect("a Retry-After in seconds");
            assert!((1..=60).contains(&wait), "{wait}");
        }
        statuses.push(res.status);
    }
    let limit = usize::try_from(limit).expect("small");
    assert!(statuses[..limit].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses[limit..].iter().all(|s| *s == 429), "{statuses:?}");
    // Another client behind the same proxy has its own count, and the real sender, wherever
    // it is, was never counted with the guesses.
    assert_eq!(from(&bot, "198.51.100.8", wrong).await.status, 401);
    let res = from(&bot, "198.51.100.8", TOKEN).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(from(&bot, "198.51.100.7", TOKEN).await.status, 200);
    assert_eq!(bot.app.db.alert_cards().await.expect("cards").len(), 1);
}

#[tokio::test]
async fn forwarded_headers_from_an_untrusted_peer_do_not_pick_the_count() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(&fake, dir.path(), start_of_minute(), with_alertmanager).await;
    let limit = bot.app.settings.intake.unauthenticated_per_minute;
    let wrong = "a-guess-that-is-not-the-token-at-all-00000";
    for n in 0..limit {
        let res = from(&bot, &format!("198.51.100.{n}"), wrong).await;
        assert_eq!(res.status, 401);
    }
    // Every guess came from 127.0.0.1, whatever the header said.
    assert_eq!(from(&bot, "203.0.113.1", wrong).await.status, 429);
}

/// The `'sha256-…'` source of each `<style>` of `html`.
fn style_hashes(html: &str) -> Vec<String> {
    html.split("<style>")
        .skip(1)
        .filter_map(|rest| rest.split("</style>").next())
        .map(|css| {
            let hash = Sha256::digest(css.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(hash)
            )
        })
        .collect()
}

fn assert_hardened(res: &http::Response) {
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("referrer-policy"), Some("no-referrer"));
    let policy = res.header("content-security-policy").expect("a policy");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("default-src 'none'"), "{policy}");
}

#[tokio::test]
async fn every_public_answer_carries_security_headers_and_the_page_admits_only_its_own_style() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_alertmanager).await;
    let mut page = http::get(bot.public, "/").await;
    let deadline = tokio::time::Instant::now() + STEP;
    while page.status != 200 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        page = http::get(bot.public, "/").await;
    }
    assert_eq!(page.status, 200, "{}", page.body);
    assert_hardened(&page);
    let policy = page.header("content-security-policy").expect("a policy");
    assert!(policy.contains("script-src 'none'"), "{policy}");
    let hashes = style_hashes(&page.body);
    assert_eq!(hashes.len(), 1, "{}", page.body);
    assert!(
        policy.contains(&format!("style-src {}", hashes[0])),
        "{policy} admits the page's style {}",
        hashes[0]
    );
    // A revalidated page keeps its own policy: browsers take a 304's headers into the cache.
    let etag = page.header("etag").expect("an ETag");
    let again = http::get_with(bot.public, "/", &[("if-none-match", etag)]).await;
    assert_eq!(again.status, 304);
    assert_eq!(again.header("content-security-policy"), Some(policy));
    for path in ["/api/v2/status.json", "/history.atom", "/nowhere"] {
        assert_hardened(&http::get(bot.public, path).await);
    }
    let refused = http::post(bot.public, "/hooks/alertmanager", &[], FIRING.as_bytes()).await;
    assert_eq!(refused.status, 401);
    assert_hardened(&refused);
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_refused_413_on_any_public_route() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, with_alertmanager).await;
    let huge = vec![b' '; 2 * 1024 * 1024];
    for path in ["/", "/hooks/alertmanager", "/nowhere"] {
        let res = http::post(
            bot.public,
            path,
            &[("authorization", &bearer(TOKEN))],
            &huge,
        )
        .await;
        assert_eq!(res.status, 413, "{path}: {}", res.body);
    }
}

#[tokio::test]
async fn a_body_sent_too_slowly_is_answered_408_and_nothing_is_stored() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s| {
        with_alertmanager(s);
        s.http.body_timeout = Duration::from_secs(1);
    })
    .await;
    let mut stream = TcpStream::connect(bot.public).await.expect("connect");
    let head = format!(
        "POST /hooks/alertmanager HTTP/1.1\r\nHost: bot\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        FIRING.len()
    );
    stream.write_all(head.as_bytes()).await.expect("send");
    stream
        .write_all(&FIRING.as_bytes()[..10])
        .await
        .expect("send a little of the body");
    let mut raw = Vec::new();
    tokio::time::timeout(STEP, stream.read_to_end(&mut raw))
        .await
        .expect("the bot answers and closes")
        .expect("read");
    let answer = String::from_utf8_lossy(&raw);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(bot.app.db.alert_count().await.expect("count"), 0);
}
