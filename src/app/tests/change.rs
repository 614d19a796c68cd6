//! Changes to a declared incident, through the use case: severity, resolve and close, with
//! what reaches players and what does not.

use super::declare::{posts_in, ANNOUNCEMENTS};
use super::*;
use crate::domain::{FreeText, Phase};

fn severity(to: Severity) -> ChangeArgs {
    ChangeArgs::from(Command::ChangeSeverity { to, reason: None })
}

#[tokio::test]
async fn raising_the_severity_to_p0_alerts_players_once_however_often_it_is_raised() {
    let w = World::new().await;
    let cole = actor(7, &[RESPONDER_ROLE, COMMANDER_ROLE]);
    let record = w
        .declare(&cole, Severity::P2, IncidentKind::Availability)
        .await;
    assert!(
        posts_in(&w, ANNOUNCEMENTS).is_empty(),
        "P2 does not announce"
    );

    w.change(&cole, &record, severity(Severity::P0))
        .await
        .expect("raised");
    w.change(&cole, &record, severity(Severity::P1))
        .await
        .expect("lowered");
    w.change(&cole, &record, severity(Severity::P0))
        .await
        .expect("raised again");

    assert_eq!(posts_in(&w, ANNOUNCEMENTS).len(), 1, "one alert");
    let now = w.reload(&record).await;
    assert_eq!(now.incident.severity, Severity::P0);
}

#[tokio::test]
async fn a_phase_already_passed_is_refused_and_nothing_is_written() {
    let w = World::new().await;
    let cole = actor(7, &[RESPONDER_ROLE, COMMANDER_ROLE]);
    let record = w
        .declare(&cole, Severity::P1, IncidentKind::Availability)
        .await;
    let to = |to| ChangeArgs::from(Command::AdvancePhase { to });
    w.change(&cole, &record, to(Phase::Investigation))
        .await
        .expect("advanced");
    let timeline = w.app.db.timeline(record.id).await.expect("timeline").len();
    let posts = w.recorded().posts.len();

    w.change(&cole, &record, to(Phase::Containment))
        .await
        .expect_err("refused");

    assert_eq!(
        w.app.db.timeline(record.id).await.expect("timeline").len(),
        timeline,
        "nothing written"
    );
    assert_eq!(w.recorded().posts.len(), posts, "nothing posted");
}

#[tokio::test]
async fn resolving_a_p0_with_the_all_clear_now_tells_players_and_sets_a_post_mortem_due() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);

    let record = resolved(&w, &rhea).await;

    let told = posts_in(&w, ANNOUNCEMENTS);
    assert_eq!(told.len(), 2, "the alert, then the all-clear: {told:?}");
    let pm = w
        .app
        .db
        .postmortem(record.id)
        .await
        .expect("db")
        .expect("a P0 gets a post-mortem");
    assert!(pm.due_at > T0, "{:?}", pm.due_at);
    assert_eq!(pm.done_at, None);
}

#[tokio::test]
async fn closing_archives_the_channel() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = resolved(&w, &rhea).await;

    w.change(&rhea, &record, ChangeArgs::from(Command::Close))
        .await
        .expect("closed");

    let channel = record.channel_id.expect("a channel");
    assert_eq!(w.recorded().archived, [channel]);
}

#[tokio::test]
async fn a_note_is_written_to_the_timeline_and_posts_nothing_for_players() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = w
        .declare(&rhea, Severity::P0, IncidentKind::Availability)
        .await;
    let told = posts_in(&w, ANNOUNCEMENTS).len();

    let note = Command::Note {
        text: FreeText::parse("Rolled back the login deploy").expect("text"),
    };
    w.change(&rhea, &record, ChangeArgs::from(note))
        .await
        .expect("noted");

    let timeline = w.app.db.timeline(record.id).await.expect("timeline");
    assert!(
        timeline
            .iter()
            .any(|e| e.text.contains("Rolled back the login deploy")),
        "{timeline:?}"
    );
    assert_eq!(posts_in(&w, ANNOUNCEMENTS).len(), told);
}
