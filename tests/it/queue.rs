//! The job queue against a Discord that hangs or refuses: a hung call is abandoned and retried,
//! nothing is posted twice, and nothing waits forever.

use std::time::Duration;

use incident_bot::app::{Effect, Outbox, Target};
use incident_bot::config::Settings;
use incident_bot::domain::{ChannelId, IncidentId, Status};
use incident_bot::store::Job;

use crate::support::bot::{spawn_bot_on_db, world, TestBot, TestDb, STEP};
use crate::support::fake_discord::{FakeDiscord, Fault};
use crate::support::story::{declare, run, shows};

/// Runs each of the named `async fn(TestDb)` tests once per database: `NAME::sqlite` and
/// `NAME::postgres` (the job queue works the same on both).
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name(super::TestDb::Sqlite).await;
                }

                #[tokio::test]
                async fn postgres() {
                    super::$name(super::TestDb::Postgres).await;
                }
            }
        )*
    };
}

on_both_databases!(
    a_discord_call_that_hangs_is_abandoned_after_the_timeout_and_retried_without_doubling,
    declaring_opens_the_channel_and_posts_and_pins_the_intro_in_one_job,
    an_intro_whose_pin_failed_is_pinned_on_the_retry_and_posted_once,
    a_channel_discord_refuses_to_open_gives_up_the_work_that_needs_it_and_says_what_to_do_once,
    an_intro_discord_refuses_in_a_channel_that_opened_is_reported_as_such_and_the_rest_goes_on,
);

fn count(fake: &FakeDiscord, channel: serenity::all::ChannelId, needle: &str) -> usize {
    fake.messages(channel)
        .iter()
        .filter(|m| m.content.contains(needle))
        .count()
}

async fn incident_of(bot: &TestBot, channel: serenity::all::ChannelId) -> IncidentId {
    let ours = ChannelId::new(channel.get()).expect("id");
    bot.app
        .db
        .incident_by_channel(ours)
        .await
        .expect("db")
        .expect("an incident")
        .id
}

/// Waits until every job of `incident` has finished but the reminders (due a minute or more
/// from now); returns them all.
async fn settled(bot: &TestBot, incident: IncidentId) -> Vec<Job> {
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let jobs = bot.app.db.jobs_of(Some(incident)).await.expect("jobs");
        let later = chrono::Utc::now() + chrono::TimeDelta::minutes(1);
        if jobs
            .iter()
            .all(|j| j.finished_at.is_some() || j.due_at > later)
        {
            return jobs;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "jobs still due after {STEP:?}: {jobs:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_discord_call_that_hangs_is_abandoned_after_the_timeout_and_retried_without_doubling(
    db: TestDb,
) {
    let fake = world::fake().start().await;
    let bot = spawn_bot_on_db(&fake, db, |s: &mut Settings| {
        s.jobs.discord_timeout = Duration::from_millis(500);
    })
    .await;
    // Discord takes the first post at once but answers it only a minute later.
    fake.fail_next(
        "POST",
        "/channels/{channel_id}/messages",
        1,
        Fault::Delayed(Duration::from_secs(60)),
    );
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    let id = incident_of(&bot, channel.id).await;
    let jobs = settled(&bot, id).await;
    assert_eq!(fake.pinned(channel.id).len(), 1, "the intro is pinned");
    assert_eq!(count(&fake, channel.id, "**Incident #1: "), 1, "one intro");
    assert_eq!(count(&fake, world::LOG, "declared by"), 1, "one log line");
    let timed_out: Vec<_> = jobs
        .iter()
        .filter(|j| {
            j.last_error
                .as_deref()
                .is_some_and(|e| e.contains("did not answer a post within 500ms"))
        })
        .collect();
    assert_eq!(timed_out.len(), 1, "{jobs:#?}");
    assert!(
        timed_out[0].attempts == 2 && timed_out[0].finished_at.is_some(),
        "{jobs:#?}"
    );
}

async fn declaring_opens_the_channel_and_posts_and_pins_the_intro_in_one_job(db: TestDb) {
    let fake = world::fake().start().await;
    let bot = spawn_bot_on_db(&fake, db, |_| {}).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    let id = incident_of(&bot, channel.id).await;
    let jobs = settled(&bot, id).await;
    let kinds: Vec<&str> = jobs.iter().map(|j| j.kind.as_str()).collect();
    assert!(!kinds.contains(&"post_intro"), "{kinds:?}");
    let open = jobs
        .iter()
        .find(|j| j.kind == "open_channel")
        .expect("the channel job");
    let pinned = fake.pinned(channel.id);
    assert_eq!(pinned.len(), 1);
    assert!(pinned[0].content.contains("**Incident #1: Login down**"));
    assert_eq!(
        pinned[0].nonce,
        Some(serde_json::Value::String(open.id.0.to_string())),
        "the intro was posted by the channel's job"
    );
    assert_eq!(count(&fake, world::LOG, "declared by"), 1, "the log line");
}

async fn an_intro_whose_pin_failed_is_pinned_on_the_retry_and_posted_once(db: TestDb) {
    let fake = world::fake().start().await;
    let bot = spawn_bot_on_db(&fake, db, |_| {}).await;
    fake.fail_next(
        "PUT",
        "/channels/{channel_id}/pins/{message_id}",
        1,
        Fault::ServerError,
    );
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    let id = incident_of(&bot, channel.id).await;
    settled(&bot, id).await;
    assert_eq!(
        fake.channels_under(world::INCIDENTS).len(),
        1,
        "one channel"
    );
    assert_eq!(count(&fake, channel.id, "**Incident #1: "), 1, "one intro");
    assert_eq!(fake.pinned(channel.id).len(), 1, "pinned");
    assert_eq!(
        fake.requests_to("GET", "/channels/{channel_id}/pins").len(),
        1,
        "the retry looked at the pins before pinning"
    );
    assert_eq!(
        fake.requests_to("PUT", "/channels/{channel_id}/pins/{message_id}")
            .len(),
        2
    );
}

async fn a_channel_discord_refuses_to_open_gives_up_the_work_that_needs_it_and_says_what_to_do_once(
    db: TestDb,
) {
    let fake = world::fake().start().await;
    let bot = spawn_bot_on_db(&fake, db, |_| {}).await;
    // The bot has lost Manage Channels.
    fake.fail_for(
        "POST",
        "/guilds/{guild_id}/channels",
        Duration::from_secs(600),
        Fault::Forbidden,
    );
    let answer = run(
        &fake,
        world::RESPONDER,
        world::GENERAL,
        "declare",
        &[("title", "Login down"), ("severity", "P1")],
    )
    .await;
    assert!(
        answer.starts_with("Incident #1 declared (P1). But I could not open its channel: ")
            && answer.contains(&format!(
                "I can't open #inc-1-login-down under <#{}>: give me Manage Channels and Manage Roles there",
                world::INCIDENTS
            ))
            && answer.contains("declare again"),
        "{answer}"
    );
    let told = shows(&fake, world::LOG, "the log line", |m| {
        m.content
            .contains("I could not open the channel for incident #1: ")
    })
    .await;
    assert!(
        told.content
            .contains("I can't open #inc-1-login-down under <#")
            && told
                .content
                .contains("Fix the permission or make room, then declare again"),
        "{}",
        told.content
    );

    // Nothing waits for the channel: the reminders are given up with the reason.
    let guild = incident_bot::domain::GuildId::new(fake.guild_id().get()).expect("id");
    let record = bot.app.db.unclosed_incidents(guild).await.expect("db")[0].clone();
    assert_eq!(
        record.incident.status,
        Status::Open,
        "the incident stays open"
    );
    let jobs = settled(&bot, record.id).await;
    assert!(jobs.iter().all(|j| j.finished_at.is_some()), "{jobs:#?}");
    let reminders: Vec<_> = jobs.iter().filter(|j| j.kind != "open_channel").collect();
    assert!(
        !reminders.is_empty()
            && reminders.iter().all(|j| j.attempts == 0
                && j.last_error.as_deref().is_some_and(|e| {
                    e.starts_with("the incident's channel could not be opened: ")
                })),
        "{reminders:#?}"
    );

    // A need that arises later gives up by itself, and is not reported again.
    let mut tx = bot.app.db.begin().await.expect("begin");
    let post = Effect::Post {
        to: Target::IncidentChannel,
        content: "Later".into(),
        ping_roles: vec![],
        file: None,
        buttons: vec![],
    };
    Outbox::new("test:later", record.id, bot.app.clock.now())
        .push(&mut tx, post)
        .await
        .expect("queue");
    tx.commit().await.expect("commit");
    bot.app.waker.wake();
    let jobs = settled(&bot, record.id).await;
    assert!(jobs.iter().all(|j| j.finished_at.is_some()), "{jobs:#?}");
    assert_eq!(count(&fake, world::LOG, "I could not open the channel"), 1);
    assert_eq!(count(&fake, world::LOG, "Gave up"), 0, "told once");
}

async fn an_intro_discord_refuses_in_a_channel_that_opened_is_reported_as_such_and_the_rest_goes_on(
    db: TestDb,
) {
    let fake = world::fake().start().await;
    let bot = spawn_bot_on_db(&fake, db, |_| {}).await;
    // The bot may not pin (Pin Messages was taken away).
    fake.fail_next(
        "PUT",
        "/channels/{channel_id}/pins/{message_id}",
        1,
        Fault::Forbidden,
    );
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P1")],
    )
    .await;
    let report = shows(&fake, world::LOG, "the report", |m| {
        m.content.contains("(a `open_channel` job for incident #1)")
    })
    .await;
    assert!(
        report.content.starts_with("⚠️ I can't pin messages in <#")
            && report.content.contains("give me Pin Messages there"),
        "{}",
        report.content
    );
    assert_eq!(count(&fake, world::LOG, "could not open the channel"), 0);
    let id = incident_of(&bot, channel.id).await;
    let jobs = settled(&bot, id).await;
    let reminders: Vec<_> = jobs
        .iter()
        .filter(|j| j.kind != "open_channel" && j.kind != "post")
        .collect();
    assert!(
        !reminders.is_empty() && reminders.iter().all(|j| j.finished_at.is_none()),
        "the channel is open: the reminders still wait for their time: {reminders:#?}"
    );
}
