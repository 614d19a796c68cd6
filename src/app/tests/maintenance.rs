//! Maintenance windows without Discord: the event made once and kept in step, players told
//! at each moment once, the staff reminded, the window following its event or the clock.

use super::*;
use crate::app::{event_changed, maintenance, MaintenanceArgs};
use crate::domain::{EventStatus, WindowStatus};

const ANNOUNCEMENTS: u64 = 10;
const LOG: u64 = 13;

async fn run(
    w: &World,
    who: &Actor,
    origin: &str,
    args: MaintenanceArgs,
) -> Result<String, crate::app::AppError> {
    let here = ChannelId::new(99).expect("id");
    let answer = maintenance(&w.app, who, here, origin, args).await;
    w.run_due().await;
    answer
}

fn schedule(start: &str, duration: &str) -> MaintenanceArgs {
    MaintenanceArgs::Schedule {
        systems: "Login, Store".into(),
        start: start.into(),
        duration: duration.into(),
        title: Some("Database upgrade".into()),
        message: Some("Faster servers for everyone.".into()),
    }
}

/// What was posted to `channel`, in order.
fn posts(w: &World, channel: u64) -> Vec<String> {
    w.recorded()
        .posts
        .into_iter()
        .filter(|(_, m)| m.channel == ChannelId::new(channel).expect("id"))
        .map(|(_, m)| m.content)
        .collect()
}

/// The status of the window made last.
async fn window_status(w: &World) -> WindowStatus {
    let mut last = None;
    for id in 1.. {
        match w.app.db.window(id).await.expect("read") {
            Some(found) => last = Some(found.status),
            None => break,
        }
    }
    last.expect("a window")
}

#[tokio::test]
async fn a_scheduled_window_is_one_event_told_to_players_at_each_moment_once() {
    let w = World::new().await;
    let cole = actor(6, &[COMMANDER_ROLE]);
    let answer = run(&w, &cole, "ix:1", schedule("2026-11-30 15:00", "2h"))
        .await
        .expect("scheduled");
    assert!(
        answer.starts_with("🛠️ Scheduled: **Database upgrade** (Login, Store)"),
        "{answer}"
    );

    let events = w.recorded().external;
    assert_eq!(events.len(), 1, "{events:?}");
    let (id, event, status) = events[0].clone();
    assert_eq!(status, EventStatus::Scheduled);
    assert_eq!(event.name, "Database upgrade");
    assert_eq!(event.location, w.app.settings.status.url);
    assert_eq!(event.end - event.start, TimeDelta::hours(2));
    assert!(event
        .description
        .starts_with("Faster servers for everyone.\n\nSystems: Login, Store"));
    assert!(event
        .description
        .ends_with("(ref: incident-bot maintenance #1)"));
    let told = posts(&w, ANNOUNCEMENTS);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].starts_with("🛠️ **Scheduled maintenance: Database upgrade**"),
        "{}",
        told[0]
    );
    assert!(
        told[0].contains(&format!("https://discord.com/events/1/{id}")),
        "{}",
        told[0]
    );

    // An hour before: the staff are reminded in the log channel.
    w.advance(TimeDelta::hours(5)).await;
    let staff = posts(&w, LOG);
    assert_eq!(staff.len(), 1, "{staff:?}");
    assert!(
        staff[0].starts_with("<@&21>\n⏰ **Maintenance starts <t:"),
        "{}",
        staff[0]
    );

    // Discord starts the event at its time; the due job then finds nothing to do.
    w.clock.advance(TimeDelta::hours(1));
    event_changed(&w.app, id, EventStatus::Active)
        .await
        .expect("followed");
    event_changed(&w.app, id, EventStatus::Active)
        .await
        .expect("twice is once");
    w.run_due().await;
    assert_eq!(window_status(&w).await, WindowStatus::InProgress);
    // Discord completes it at its end.
    w.clock.advance(TimeDelta::hours(2));
    event_changed(&w.app, id, EventStatus::Completed)
        .await
        .expect("followed");
    w.run_due().await;
    assert_eq!(window_status(&w).await, WindowStatus::Completed);
    let told = posts(&w, ANNOUNCEMENTS);
    assert_eq!(told.len(), 3, "{told:?}");
    assert!(
        told[1].starts_with("🛠️ **Maintenance under way: Database upgrade**"),
        "{}",
        told[1]
    );
    assert!(
        told[2].starts_with("🛠️ **Maintenance complete: Database upgrade**"),
        "{}",
        told[2]
    );
    assert_eq!(w.recorded().external.len(), 1, "one event throughout");
}

#[tokio::test]
async fn a_missed_update_is_caught_by_the_clock_and_the_event_brought_along() {
    let w = World::new().await;
    let cole = actor(6, &[COMMANDER_ROLE]);
    run(&w, &cole, "ix:1", schedule("2026-11-30 10:00", "1h"))
        .await
        .expect("scheduled");
    // The bot was down when Discord should have started it: at the start the due job waits a
    // little, then starts the window itself and the event with it.
    w.advance(TimeDelta::hours(1)).await;
    assert_eq!(
        window_status(&w).await,
        WindowStatus::Scheduled,
        "Discord is given a grace"
    );
    w.advance(TimeDelta::minutes(3)).await;
    assert_eq!(window_status(&w).await, WindowStatus::InProgress);
    assert_eq!(w.recorded().external[0].2, EventStatus::Active);
    w.advance(TimeDelta::hours(1)).await;
    assert_eq!(window_status(&w).await, WindowStatus::Completed);
    assert_eq!(w.recorded().external[0].2, EventStatus::Completed);
    assert_eq!(posts(&w, ANNOUNCEMENTS).len(), 3);
}

#[tokio::test]
async fn moving_cancelling_extending_and_ending_follow_the_window_s_state() {
    let w = World::new().await;
    let cole = actor(6, &[COMMANDER_ROLE]);
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let refused = run(&w, &rhea, "ix:0", schedule("today 15:00", "2h")).await;
    assert!(refused.is_err(), "a responder may not open a window");
    let past = run(&w, &cole, "ix:1", schedule("today 08:00", "2h")).await;
    assert!(past.is_err(), "past times are refused");
    run(&w, &cole, "ix:2", schedule("today 15:00", "2h"))
        .await
        .expect("scheduled");
    let extend = MaintenanceArgs::Extend { by: "30m".into() };
    assert!(
        run(&w, &cole, "ix:3", extend.clone()).await.is_err(),
        "not under way"
    );
    let moved = MaintenanceArgs::Move {
        start: "today 16:00".into(),
        duration: None,
    };
    run(&w, &cole, "ix:4", moved).await.expect("moved");
    let event = &w.recorded().external[0].1;
    assert_eq!(event.start.format("%H:%M").to_string(), "16:00");
    assert_eq!(
        event.end - event.start,
        TimeDelta::hours(2),
        "its length kept"
    );
    run(&w, &cole, "ix:5", MaintenanceArgs::Cancel)
        .await
        .expect("cancelled");
    assert_eq!(w.recorded().external[0].2, EventStatus::Canceled);
    assert_eq!(window_status(&w).await, WindowStatus::Cancelled);
    let told = posts(&w, ANNOUNCEMENTS);
    assert!(told[1].starts_with("🛠️ **Maintenance moved"), "{told:?}");
    assert!(
        told[2].starts_with("🛠️ **Maintenance cancelled"),
        "{told:?}"
    );

    // Unplanned: under way at once, its event a few seconds ahead, extended, ended.
    let start = MaintenanceArgs::Start {
        systems: "Login".into(),
        duration: "1h".into(),
        message: None,
        incident: None,
    };
    run(&w, &cole, "ix:6", start).await.expect("started");
    assert_eq!(window_status(&w).await, WindowStatus::InProgress);
    run(&w, &cole, "ix:7", extend).await.expect("extended");
    let (_, event, _) = w.recorded().external[1].clone();
    assert_eq!(event.end - w.clock.now(), TimeDelta::minutes(90));
    let end = MaintenanceArgs::End {
        message: Some("All done.".into()),
    };
    run(&w, &cole, "ix:8", end).await.expect("ended");
    assert_eq!(window_status(&w).await, WindowStatus::Completed);
    let told = posts(&w, ANNOUNCEMENTS);
    let last = told.last().expect("told");
    assert!(
        last.starts_with("🛠️ **Maintenance complete: Maintenance: Login**\n"),
        "{last}"
    );
    assert!(last.contains("All done."), "{last}");
}

#[tokio::test]
async fn a_security_incident_never_opens_a_window() {
    let w = World::new().await;
    let sana = actor(7, &[RESPONDER_ROLE, COMMANDER_ROLE, SECURITY_ROLE]);
    let record = w.declare(&sana, Severity::P0, IncidentKind::Security).await;
    let start = MaintenanceArgs::Start {
        systems: "Login".into(),
        duration: "1h".into(),
        message: None,
        incident: Some(record.number.0),
    };
    let refused = run(&w, &sana, "ix:9", start).await.expect_err("refused");
    assert!(
        super::said(&refused).contains("security incident"),
        "{refused}"
    );
    assert!(w.recorded().external.is_empty());
}

#[tokio::test]
async fn the_containment_step_starts_maintenance_after_a_confirmation_and_recovery_ends_it() {
    use crate::app::maintenance_click;
    let w = World::new().await;
    let cole = actor(6, &[RESPONDER_ROLE, COMMANDER_ROLE]);
    let record = w
        .declare(&cole, Severity::P0, IncidentKind::Availability)
        .await;
    let about = format!("{}:on", record.id);
    let asked = maintenance_click(&w.app, &cole, &about, "ix:20")
        .await
        .expect("asked");
    let confirm = asked
        .buttons
        .iter()
        .find(|b| b.custom_id == format!("mnt:{about}:yes"))
        .expect("the confirmation, on the step");
    assert!(
        confirm
            .label
            .starts_with("Confirm: players told, Login down 60m"),
        "{}",
        confirm.label
    );
    assert!(
        w.recorded().external.is_empty(),
        "nothing before the confirmation"
    );

    let done = maintenance_click(&w.app, &cole, &format!("{about}:yes"), "ix:21")
        .await
        .expect("started");
    w.run_due().await;
    assert!(
        done.buttons
            .iter()
            .any(|b| b.label == "✓ Maintenance mode on"),
        "{:?}",
        done.buttons
    );
    assert!(!done.buttons.iter().any(|b| b.custom_id.starts_with("mnt:")));
    assert_eq!(window_status(&w).await, WindowStatus::InProgress);
    let told = posts(&w, ANNOUNCEMENTS);
    assert!(
        told.last()
            .expect("told")
            .starts_with("🛠️ **Maintenance under way: Maintenance: Login**"),
        "{told:?}"
    );
    let timeline = w.app.db.timeline(record.id).await.expect("timeline");
    let said: Vec<&str> = timeline.iter().map(|e| e.text.as_str()).collect();
    assert!(
        said.iter()
            .any(|t| t.starts_with("Maintenance started: Maintenance: Login until")),
        "{said:?}"
    );
    assert!(
        said.contains(&"Ticked “Enable maintenance mode if needed” (Phase 2: Containment)"),
        "{said:?}"
    );

    let off = format!("{}:off:yes", record.id);
    maintenance_click(&w.app, &cole, &off, "ix:22")
        .await
        .expect("ended");
    w.run_due().await;
    assert_eq!(window_status(&w).await, WindowStatus::Completed);
    let again = maintenance_click(&w.app, &cole, &off, "ix:23").await;
    assert!(again.is_err(), "nothing left to end");
}

#[tokio::test]
async fn an_event_made_but_never_recorded_is_found_again_by_its_marker_not_made_twice() {
    let w = World::new().await;
    let cole = actor(6, &[COMMANDER_ROLE]);
    run(&w, &cole, "ix:1", schedule("today 15:00", "2h"))
        .await
        .expect("scheduled");
    // The bot died after Discord made the event and before it was recorded.
    let mut tx = w.app.db.begin().await.expect("tx");
    let mut lost = tx.window(1).await.expect("read").expect("the window");
    lost.event = None;
    tx.save_window(&lost).await.expect("forget");
    tx.commit().await.expect("commit");
    let moved = MaintenanceArgs::Move {
        start: "today 16:00".into(),
        duration: None,
    };
    run(&w, &cole, "ix:2", moved).await.expect("moved");
    let events = w.recorded().external;
    assert_eq!(events.len(), 1, "adopted, not made again: {events:?}");
    let found = w.app.db.window(1).await.expect("read").expect("the window");
    assert_eq!(found.event, Some(events[0].0));
    assert_eq!(events[0].1.start.format("%H:%M").to_string(), "16:00");
}
