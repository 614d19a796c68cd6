//! Reminders performed without Discord: who each one pings, and when.

use super::*;

#[tokio::test]
async fn the_postmortem_reminder_pings_the_commander_only() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    resolved(&w, &rhea).await;
    let before = w.recorded().posts.len();
    // The first reminder comes 24 h before the 48 h deadline.
    w.advance(TimeDelta::hours(25)).await;
    let posts = w.recorded().posts;
    let reminder = posts[before..]
        .iter()
        .map(|(_, m)| m)
        .find(|m| m.content.contains("post-mortem of incident #1 is due"))
        .expect("the reminder");
    assert_eq!(reminder.ping_users, [rhea.user]);
    assert!(reminder.ping_roles.is_empty());
    assert!(
        reminder.content.starts_with("<@5> ⏰"),
        "{}",
        reminder.content
    );
}

#[tokio::test]
async fn without_a_commander_the_overdue_escalation_pages_the_severity_and_escalates() {
    let w = World::new().await;
    let cole = actor(7, &[RESPONDER_ROLE, COMMANDER_ROLE]);
    let record = w
        .declare(&cole, Severity::P0, IncidentKind::Availability)
        .await;
    let resolve = ChangeArgs::from(Command::Resolve {
        root_cause: crate::domain::FreeText::parse("a bad deploy").expect("text"),
        compensation: None,
        all_clear_now: true,
    });
    w.change(&cole, &record, resolve).await.expect("resolved");
    w.advance(TimeDelta::hours(49)).await;
    let posts = w.recorded().posts;
    let overdue = posts
        .iter()
        .map(|(_, m)| m)
        .find(|m| m.content.contains("is overdue"))
        .expect("the overdue escalation");
    assert!(overdue.ping_users.is_empty());
    assert_eq!(
        overdue.ping_roles,
        [RoleId::new(20).expect("id"), RoleId::new(21).expect("id")]
    );
    assert!(
        overdue.content.contains(
            "Nobody is commander of this incident, so this goes to the on-call responders."
        ),
        "{}",
        overdue.content
    );
}
