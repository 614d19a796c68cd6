//! The review meeting's event, kept in step with the record without Discord: one event however
//! often its job runs, moved in place, ended by `/postmortem done`.

use super::*;
use crate::app::PostmortemArgs;
use crate::domain::EventStatus;

fn schedule(when: &str) -> PostmortemArgs {
    PostmortemArgs::Schedule {
        when: when.into(),
        after_deadline: false,
    }
}

#[tokio::test]
async fn the_event_is_made_once_moved_in_place_found_again_when_its_id_was_lost_and_ended() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = resolved(&w, &rhea).await;

    pm(&w, &rhea, &record, "ix:1", schedule("tomorrow 15:00")).await;
    let events = w.recorded().events;
    assert_eq!(events.len(), 1, "{events:?}");
    let (id, first, status) = &events[0];
    assert_eq!(*status, EventStatus::Scheduled);
    assert_eq!(first.channel, ChannelId::new(14).expect("id"));
    assert_eq!(first.end - first.start, TimeDelta::hours(1));
    assert!(first
        .description
        .ends_with("(ref: incident-bot post-mortem #1)"));
    let call = w
        .recorded()
        .posts
        .into_iter()
        .map(|(_, m)| m)
        .find(|m| m.content.contains("📅"))
        .expect("the call");
    assert_eq!(call.ping_users, [rhea.user]);
    assert_eq!(call.ping_roles, [RoleId::new(23).expect("id")]);

    // The bot died after creating the event and before recording it.
    let mut tx = w.app.db.begin().await.expect("tx");
    tx.set_meeting_event(record.id, None).await.expect("forget");
    tx.commit().await.expect("commit");
    pm(&w, &rhea, &record, "ix:2", schedule("tomorrow 16:00")).await;

    let events = w.recorded().events;
    assert_eq!(events.len(), 1, "found by its marker, not made again");
    assert_eq!(events[0].0, *id);
    assert_eq!(events[0].1.start - first.start, TimeDelta::hours(1));

    let done = PostmortemArgs::Done {
        link: "https://wiki.example.com/pm/1".into(),
        without_tickets: false,
    };
    pm(&w, &rhea, &record, "ix:3", done).await;
    assert_eq!(w.recorded().events[0].2, EventStatus::Canceled);
}
