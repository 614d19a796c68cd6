//! The incident's timeline chart and the status page's uptime picture, as people get them: the
//! chart attached to the close summary, after the post-mortem draft and behind a button under
//! `/incident status`; the uptime bars at `/uptime.png` on the public listener.

use std::collections::HashSet;

use serenity::all::ChannelId;

use crate::support::bot::{spawn_bot, spawn_bot_with, world, STEP};
use crate::support::fake_discord::{FakeDiscord, FakeMessage};
use crate::support::story::{answer, answer_pm, button_labelled, declare, run, shows};

/// The colours a picture uses.
fn colours(png: &[u8]) -> (u32, u32, HashSet<[u8; 3]>) {
    let image = image::load_from_memory(png).expect("a PNG").to_rgb8();
    let (w, h) = image.dimensions();
    (w, h, image.pixels().map(|p| p.0).collect())
}

/// Phase bars within budget, the budget band, and the declared / fix / verified markers.
const WITHIN: [u8; 3] = [0x1f, 0x6f, 0xd1];
const BUDGET: [u8; 3] = [0xdd, 0xdd, 0xdd];
const DECLARED: [u8; 3] = [0x44, 0x44, 0x44];
const FIX_APPLIED: [u8; 3] = [0x1a, 0x9e, 0x4b];
const VERIFIED: [u8; 3] = [0x00, 0x83, 0x8f];

/// Checks `message` carries incident 1's timeline chart, and returns its colours.
fn timeline_chart(message: &FakeMessage) -> HashSet<[u8; 3]> {
    let names: Vec<&str> = message
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .collect();
    assert_eq!(names, ["timeline-incident-1.png"], "{message:?}");
    let (w, h, colours) = self::colours(&message.attachments[0].bytes);
    assert_eq!((w, h), (800, 400));
    colours
}

/// Declares a P2 on Login and resolves it at once; returns its channel.
async fn declared_and_fixed(fake: &FakeDiscord) -> ChannelId {
    let channel = declare(
        fake,
        world::COMMANDER,
        &[
            ("title", "Login slow"),
            ("severity", "P2"),
            ("systems", "Login"),
        ],
    )
    .await
    .id;
    run(
        fake,
        world::COMMANDER,
        channel,
        "resolve",
        &[("root_cause", "a full disk"), ("all_clear", "now")],
    )
    .await;
    channel
}

#[tokio::test]
async fn the_close_summary_carries_the_timeline_chart_as_discord_shows_it() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let channel = declared_and_fixed(&fake).await;

    run(&fake, world::COMMANDER, channel, "close", &[]).await;

    let summary = shows(&fake, channel, "the close summary", |m| {
        m.content.contains("closed: Login slow")
    })
    .await;
    let colours = timeline_chart(&summary);
    for c in [WITHIN, BUDGET, DECLARED, FIX_APPLIED, VERIFIED] {
        assert!(colours.contains(&c), "{c:?} is drawn");
    }
    assert!(
        fake.pings(summary.id).nobody(),
        "{:?}",
        fake.pings(summary.id)
    );
}

#[tokio::test]
async fn incident_status_offers_the_timeline_chart_and_a_press_posts_it_in_the_channel() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let channel = declared_and_fixed(&fake).await;

    let status = answer(&fake, world::RESPONDER, channel, "status", &[]).await;
    let custom_id = button_labelled(&status, "Timeline chart");
    let click = fake
        .button(world::RESPONDER, status.id, &custom_id)
        .send()
        .await;
    let ack = click.ack().await;
    assert_eq!(ack.kind, 4, "a new message answers the press");
    assert_eq!(ack.data["flags"].as_u64().map(|f| f & 64), Some(64));
    assert_eq!(
        ack.data["content"],
        format!("📊 The timeline chart of incident #1 is on its way to <#{channel}>.").as_str()
    );

    let chart = shows(&fake, channel, "the chart", |m| !m.attachments.is_empty()).await;
    assert_eq!(
        chart.content,
        "📊 Incident #1's timeline: each phase against its budget, and the moments that mattered."
    );
    let colours = timeline_chart(&chart);
    assert!(colours.contains(&WITHIN) && colours.contains(&FIX_APPLIED));
}

#[tokio::test]
async fn a_player_cannot_get_the_chart_of_an_incident_by_its_button() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let channel = declared_and_fixed(&fake).await;
    let status = answer(&fake, world::RESPONDER, channel, "status", &[]).await;
    let custom_id = button_labelled(&status, "Timeline chart");

    // A player who got hold of the button's id.
    let click = fake
        .button(world::PLAYER, status.id, &custom_id)
        .send()
        .await;
    let ack = click.ack().await;
    assert_eq!(ack.kind, 4);
    let said = ack.data["content"].as_str().unwrap_or_default();
    assert!(!said.contains("on its way"), "{said}");
    let ours = incident_bot::domain::ChannelId::new(channel.get()).expect("id");
    let incident = bot
        .app
        .db
        .incident_by_channel(ours)
        .await
        .expect("db")
        .expect("an incident");
    let jobs = bot.app.db.jobs_of(Some(incident.id)).await.expect("db");
    assert!(
        !jobs.iter().any(|j| j.kind == "timeline_chart"),
        "no chart was queued"
    );
}

#[tokio::test]
async fn the_postmortem_draft_is_followed_by_the_timeline_chart() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let channel = declared_and_fixed(&fake).await;

    answer_pm(&fake, world::COMMANDER, channel, "draft", &[]).await;

    let draft = shows(&fake, channel, "the draft", |m| {
        m.attachments.iter().any(|a| a.filename.ends_with(".md"))
    })
    .await;
    let chart = shows(&fake, channel, "the chart", |m| {
        m.attachments.iter().any(|a| a.filename.ends_with(".png"))
    })
    .await;
    assert!(chart.id > draft.id, "the chart follows the draft");
    timeline_chart(&chart);
}

/// The status page's colours of a calm day and of a major outage (a P0) in the strip.
const CALM: [u8; 3] = [0x3f, 0x9b, 0x5a];
const CRITICAL: [u8; 3] = [0xc8, 0x10, 0x2e];

/// The middle of today's mark in the first strip (Login, first in the catalogue): the last of
/// 90 marks across 768 pixels from x = 16, 18 pixels under the name's line at y = 56.
fn login_today(png: &[u8]) -> [u8; 3] {
    let image = image::load_from_memory(png).expect("a PNG").to_rgb8();
    image.get_pixel(16 + 768 * 89 / 90 + 4, 56 + 18 + 12).0
}

/// `/uptime.png`, once the page's first build is done (a 503 with Retry-After until then).
async fn uptime(addr: std::net::SocketAddr, etag: Option<&str>) -> reqwest::Response {
    let deadline = tokio::time::Instant::now() + crate::support::bot::STEP;
    loop {
        let mut request = reqwest::Client::new().get(format!("http://{addr}/uptime.png"));
        if let Some(etag) = etag {
            request = request.header("if-none-match", etag);
        }
        let answer = request.send().await.expect("the public listener answers");
        if answer.status() != 503 || tokio::time::Instant::now() >= deadline {
            return answer;
        }
        assert_eq!(
            answer
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("1"),
            "a page not built yet says when to come back"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn uptime_png_shows_the_bars_as_a_png_with_an_etag_like_the_page() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    let calm = uptime(bot.public, None).await;
    assert_eq!(calm.status(), 200);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header(&calm, "content-type").as_deref(), Some("image/png"));
    assert_eq!(
        header(&calm, "cache-control").as_deref(),
        Some("public, max-age=15")
    );
    let etag = header(&calm, "etag").expect("an ETag");
    let bytes = calm.bytes().await.expect("a body");
    let (w, _, _) = colours(&bytes);
    assert_eq!(w, 800);
    assert_eq!(login_today(&bytes), CALM, "no outage yet");
    assert_eq!(uptime(bot.public, Some(&etag)).await.status(), 304);

    declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await;
    let deadline = tokio::time::Instant::now() + STEP;
    let after = loop {
        let res = uptime(bot.public, Some(&etag)).await;
        if res.status() == 200 {
            break res;
        }
        assert!(tokio::time::Instant::now() < deadline, "never changed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_ne!(header(&after, "etag"), Some(etag));
    let (_, _, colours) = colours(&after.bytes().await.expect("a body"));
    assert!(
        colours.contains(&CRITICAL),
        "today is a major outage for Login"
    );
}
