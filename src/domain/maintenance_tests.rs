use chrono::TimeZone;

use super::*;

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0)
        .single()
        .expect("valid")
}

fn window() -> Window {
    Window {
        id: 1,
        title: WindowTitle::parse("Database upgrade").expect("a title"),
        systems: Systems::parse("Login").expect("systems"),
        message: None,
        start: at(10),
        end: at(12),
        status: WindowStatus::Scheduled,
        incident: None,
        event: None,
        created_by: UserId::new(7).expect("an id"),
        created_at: at(8),
        started_at: None,
        ended_at: None,
    }
}

#[test]
fn lengths_are_read_as_durations_and_bounded() {
    assert_eq!(window_length("1h30m"), Ok(TimeDelta::minutes(90)));
    assert_eq!(window_length("soon"), Err(MaintenanceError::Duration));
    assert_eq!(window_length("2m"), Err(MaintenanceError::Length));
    assert_eq!(window_length("8d"), Err(MaintenanceError::Length));
}

#[test]
fn a_scheduled_window_moves_keeping_its_length_and_a_running_one_does_not() {
    let mut w = window();
    w.move_to(at(14), None).expect("scheduled moves");
    assert_eq!((w.start, w.end), (at(14), at(16)));
    w.move_to(at(15), Some(TimeDelta::hours(1))).expect("moves");
    assert_eq!(w.end, at(16));
    assert!(w.begin(at(15)));
    assert_eq!(
        w.move_to(at(18), None),
        Err(MaintenanceError::NoneScheduled)
    );
    assert_eq!(w.cancel(at(15)), Err(MaintenanceError::NoneScheduled));
}

#[test]
fn only_a_running_window_is_extended_or_finished() {
    let mut w = window();
    assert_eq!(
        w.extend(TimeDelta::hours(1)),
        Err(MaintenanceError::NoneRunning)
    );
    assert!(!w.finish(at(11)));
    assert!(w.begin(at(10)));
    assert!(!w.begin(at(10)), "started once");
    w.extend(TimeDelta::hours(1)).expect("running extends");
    assert_eq!(w.end, at(13));
    assert_eq!(w.extend(TimeDelta::days(7)), Err(MaintenanceError::Length));
    assert!(w.finish(at(12)));
    assert_eq!(w.status, WindowStatus::Completed);
}

#[test]
fn the_window_follows_its_event_only_forwards() {
    let w = window();
    assert_eq!(
        w.follow(EventStatus::Active),
        Some(WindowStatus::InProgress)
    );
    assert_eq!(
        w.follow(EventStatus::Canceled),
        Some(WindowStatus::Cancelled)
    );
    assert_eq!(w.follow(EventStatus::Scheduled), None);
    let mut running = window();
    running.begin(at(10));
    assert_eq!(running.follow(EventStatus::Active), None);
    assert_eq!(
        running.follow(EventStatus::Completed),
        Some(WindowStatus::Completed)
    );
    assert_eq!(running.follow(EventStatus::Canceled), None);
}

#[test]
fn a_missing_title_is_made_from_the_systems() {
    let systems = Systems::parse("Login, Store").expect("systems");
    let title = window_title(None, &systems).expect("a title");
    assert_eq!(title.as_str(), "Maintenance: Login, Store");
    assert_eq!(window_message(Some("  ")), Ok(None));
}
