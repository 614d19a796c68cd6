//! The fix check's chart is added to its message by an edit, and an edit Discord made but whose
//! answer never reached the bot is retried without leaving the chart twice.

use std::time::Duration;

use incident_bot::clock::Clock as _;

use crate::error_rate::{declared_and_resolved, seen, with_rate, PATIENCE};
use crate::support::bot::spawn_bot_with;
use crate::support::fake_discord::Fault;
use crate::support::prometheus::{Exporter, Prometheus, LOGIN_ERROR_RATE};

#[tokio::test]
async fn a_chart_edit_discord_made_but_never_answered_is_retried_and_leaves_one_chart() {
    let exporter = Exporter::start(0).await;
    let prometheus = Prometheus::start(&exporter).await;
    prometheus
        .wait_for("a rate of 0 %", LOGIN_ERROR_RATE, |v| v < 0.01)
        .await;
    let fake = crate::support::bot::world::fake().start().await;
    let rate = with_rate(prometheus.url(), LOGIN_ERROR_RATE, 4, 2);
    let bot = spawn_bot_with(&fake, |s| {
        rate(s);
        s.jobs.discord_timeout = Duration::from_millis(500);
    })
    .await;
    // Discord makes the first edit at once but answers it only a minute later.
    let edit = "/channels/{channel_id}/messages/{message_id}";
    fake.fail_next("PATCH", edit, 1, Fault::Delayed(Duration::from_secs(60)));
    let channel = declared_and_resolved(&fake, "P2").await;
    let (ask, _) = seen(&fake, &bot, channel, "the fix check", |t| {
        t.contains("did it hold?")
    })
    .await;

    let path = format!("/channels/{channel}/messages/{}", ask.id);
    let uploads = |f: &crate::support::fake_discord::FakeDiscord| {
        f.requests_to("PATCH", edit)
            .into_iter()
            .filter(|r| r.path == path && !r.files.is_empty())
            .count()
    };
    fake.wait_for("the retried edit", PATIENCE, |f| uploads(f) == 2)
        .await;
    bot.settle().await;
    let message = fake.message(ask.id).expect("the fix check");
    let names: Vec<&str> = message
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .collect();
    assert_eq!(names, ["error-rate-login.png"], "one chart, not two");
    assert_eq!(message.content, ask.content);
    let lines = fake.seen_in(channel, bot.clock.now());
    assert_eq!(
        lines.iter().filter(|l| l.contains("[file: ")).count(),
        1,
        "{lines:#?}"
    );
}
