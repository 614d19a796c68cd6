//! Scheduled events: the fake serves Discord's routes, checked against the spec, and holds the
//! bot to the rules the spec does not state: the channel of a voice or stage event, an external
//! event's end and 1–100 character location, 100 uncompleted events, the status transitions,
//! and Create Events (with View Channel and Connect in the channel).

use chrono::{TimeDelta, Utc};
use serenity::all::{
    CreateScheduledEvent, EditScheduledEvent, ScheduledEventStatus, ScheduledEventType, Timestamp,
};

use super::{discord_error, studio, GENERAL};
use crate::support::fake_discord::{
    FakeDiscordBuilder, CONNECT, CREATE_EVENTS, SEND_MESSAGES, VIEW_CHANNEL,
};

/// A voice channel.
const VOICE: serenity::all::ChannelId = serenity::all::ChannelId::new(1_400_000_000_000_000_010);

fn with_voice() -> FakeDiscordBuilder {
    studio().voice_channel(VOICE, "meetings")
}

fn tomorrow(hours: i64) -> Timestamp {
    let at = Utc::now() + TimeDelta::days(1) + TimeDelta::hours(hours);
    Timestamp::from_unix_timestamp(at.timestamp()).expect("a time")
}

fn voice_event() -> CreateScheduledEvent<'static> {
    CreateScheduledEvent::new(ScheduledEventType::Voice, "Post-mortem", tomorrow(0))
        .channel_id(VOICE)
        .end_time(tomorrow(1))
}

#[tokio::test]
async fn a_voice_event_is_created_read_back_and_moved() {
    let fake = with_voice().start().await;
    let http = fake.http();

    let created = fake
        .guild_id()
        .create_scheduled_event(&http, voice_event())
        .await
        .expect("created");
    let moved = fake
        .guild_id()
        .edit_scheduled_event(
            &http,
            created.id,
            EditScheduledEvent::new()
                .start_time(tomorrow(2))
                .end_time(tomorrow(3)),
        )
        .await
        .expect("moved");
    let listed = fake
        .guild_id()
        .scheduled_events(&http, false)
        .await
        .expect("listed");

    assert_eq!(created.status, ScheduledEventStatus::Scheduled);
    assert_eq!(created.channel_id, Some(VOICE));
    assert_eq!(created.creator_id, Some(fake.bot_id()));
    assert_eq!(moved.start_time, tomorrow(2));
    assert_eq!(listed.len(), 1);
    assert_eq!(
        fake.scheduled_events()[0].start.timestamp(),
        tomorrow(2).unix_timestamp()
    );
}

#[tokio::test]
async fn a_voice_event_in_a_text_channel_and_a_name_past_100_characters_are_refused() {
    let fake = with_voice().start().await;
    let http = fake.http();

    let in_text = fake
        .guild_id()
        .create_scheduled_event(&http, voice_event().channel_id(GENERAL))
        .await;
    let long = fake
        .guild_id()
        .create_scheduled_event(&http, voice_event().name("x".repeat(101)))
        .await;

    assert_eq!(discord_error(in_text), (400, 50035));
    assert_eq!(discord_error(long), (400, 50035));
    let refused = fake.expect_violations(2);
    assert!(refused[0].detail.contains("channel_id"), "{refused:#?}");
    assert!(refused[1].detail.contains("name"), "{refused:#?}");
    assert!(fake.scheduled_events().is_empty());
}

#[tokio::test]
async fn an_external_event_needs_an_end_and_a_location_of_1_to_100_characters() {
    let fake = with_voice().start().await;
    let http = fake.http();
    let external = |location: &str| {
        CreateScheduledEvent::new(ScheduledEventType::External, "Review", tomorrow(0))
            .location(location)
    };

    let no_end = fake
        .guild_id()
        .create_scheduled_event(&http, external("Room 4"))
        .await;
    let too_long = fake
        .guild_id()
        .create_scheduled_event(&http, external(&"r".repeat(101)).end_time(tomorrow(1)))
        .await;
    let fine = fake
        .guild_id()
        .create_scheduled_event(&http, external("Room 4").end_time(tomorrow(1)))
        .await;

    assert_eq!(discord_error(no_end), (400, 50035));
    assert_eq!(discord_error(too_long), (400, 50035));
    assert!(fine.is_ok(), "{fine:?}");
    fake.expect_violations(2);
}

#[tokio::test]
async fn status_moves_only_scheduled_to_active_to_completed_or_scheduled_to_canceled() {
    let fake = with_voice().start().await;
    let http = fake.http();
    let guild = fake.guild_id();
    let status = |s| EditScheduledEvent::new().status(s);
    let a = guild
        .create_scheduled_event(&http, voice_event())
        .await
        .expect("a");
    let b = guild
        .create_scheduled_event(&http, voice_event())
        .await
        .expect("b");

    let skipped = guild
        .edit_scheduled_event(&http, a.id, status(ScheduledEventStatus::Completed))
        .await;
    fake.start_event(a.id.get());
    let completed = guild
        .edit_scheduled_event(&http, a.id, status(ScheduledEventStatus::Completed))
        .await;
    let canceled = guild
        .edit_scheduled_event(&http, b.id, status(ScheduledEventStatus::Canceled))
        .await;
    let reopened = guild
        .edit_scheduled_event(&http, b.id, status(ScheduledEventStatus::Scheduled))
        .await;

    assert_eq!(discord_error(skipped), (400, 50035));
    assert_eq!(
        completed.expect("completed").status,
        ScheduledEventStatus::Completed
    );
    assert_eq!(
        canceled.expect("canceled").status,
        ScheduledEventStatus::Canceled
    );
    assert_eq!(discord_error(reopened), (400, 180_000));
    fake.expect_violations(2);
}

#[tokio::test]
async fn a_guild_holds_at_most_100_uncompleted_events() {
    let fake = with_voice().start().await;
    let http = fake.http();
    let guild = fake.guild_id();
    let mut first = None;
    for _ in 0..100 {
        let e = guild
            .create_scheduled_event(&http, voice_event())
            .await
            .expect("room");
        first.get_or_insert(e.id);
    }

    let full = guild.create_scheduled_event(&http, voice_event()).await;
    let canceled = guild
        .edit_scheduled_event(
            &http,
            first.expect("one"),
            EditScheduledEvent::new().status(ScheduledEventStatus::Canceled),
        )
        .await;
    let again = guild.create_scheduled_event(&http, voice_event()).await;

    assert_eq!(discord_error(full), (400, 30038));
    assert!(
        canceled.is_ok() && again.is_ok(),
        "a canceled one frees a place"
    );
    fake.expect_violations(1);
}

#[tokio::test]
async fn creating_needs_create_events_and_view_channel_and_connect_in_the_channel() {
    let base = VIEW_CHANNEL | SEND_MESSAGES | CONNECT;
    let without_right = with_voice().bot_permissions(base).start().await;
    let without_connect = with_voice()
        .bot_permissions(base | CREATE_EVENTS)
        .bot_denied(VOICE, CONNECT)
        .start()
        .await;
    let granted = with_voice()
        .bot_permissions(base | CREATE_EVENTS)
        .start()
        .await;

    for (fake, want) in [
        (&without_right, false),
        (&without_connect, false),
        (&granted, true),
    ] {
        let made = fake
            .guild_id()
            .create_scheduled_event(&fake.http(), voice_event())
            .await;
        if want {
            assert!(made.is_ok(), "{made:?}");
        } else {
            assert_eq!(discord_error(made), (403, 50013));
            fake.expect_violations(1);
        }
    }
}
