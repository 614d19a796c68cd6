//! The players' alerts button: presses give and take the alert role through the port, are
//! limited per member, and a refusal is told to the member and, once, to the log.

use chrono::TimeDelta;

use super::{actor, settings, user, World, COMMANDER_ROLE};
use crate::app::{alerts_click, post_alerts_button, RoleChange, RoleError, PRESSES};
use crate::domain::{ChannelId, RoleId};

const ALERTS_ROLE: u64 = 23;

fn alerts_role() -> RoleId {
    RoleId::new(ALERTS_ROLE).expect("non-zero")
}

/// A world whose `[roles] player_alerts` is role 23, with the player 50 a member.
async fn world() -> World {
    let mut s = settings();
    s.roles.player_alerts = Some(alerts_role());
    let w = World::tweaked(s, Default::default(), |_| {}).await;
    w.chat.add_member(user(50), &[]);
    w
}

#[tokio::test]
async fn notify_gives_the_alert_role_with_an_audit_reason_and_stop_takes_it() {
    let w = world().await;
    let on = alerts_click(&w.app, &*w.chat, user(50), "on")
        .await
        .expect("on");
    assert!(on.contains("you will be pinged"), "{on}");
    let off = alerts_click(&w.app, &*w.chat, user(50), "off")
        .await
        .expect("off");
    assert!(off.contains("not be pinged"), "{off}");
    let changes = w.chat.recorded().role_changes;
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0].0, user(50));
    assert_eq!(changes[0].1, alerts_role());
    assert_eq!(changes[0].2, RoleChange::Add);
    assert_eq!(changes[1].2, RoleChange::Remove);
    assert!(changes[0].3.contains("alerts button"), "{}", changes[0].3);
}

#[tokio::test]
async fn presses_past_the_limit_are_told_to_wait_and_change_nothing_until_the_window_passes() {
    let w = world().await;
    for _ in 0..PRESSES {
        alerts_click(&w.app, &*w.chat, user(50), "on")
            .await
            .expect("on");
    }
    let slow = alerts_click(&w.app, &*w.chat, user(50), "off")
        .await
        .expect("told");
    assert!(slow.contains("try again in 60 seconds"), "{slow}");
    assert_eq!(w.chat.recorded().role_changes.len(), PRESSES);
    // Another member is not held back by the first one's presses.
    w.chat.add_member(user(51), &[]);
    alerts_click(&w.app, &*w.chat, user(51), "on")
        .await
        .expect("on");
    assert_eq!(w.chat.recorded().role_changes.len(), PRESSES + 1);
    w.clock.advance(TimeDelta::seconds(61));
    alerts_click(&w.app, &*w.chat, user(50), "off")
        .await
        .expect("off");
    assert_eq!(w.chat.recorded().role_changes.len(), PRESSES + 2);
}

#[tokio::test]
async fn a_refused_role_is_told_to_the_member_and_to_the_log_at_most_every_ten_minutes() {
    let w = world().await;
    w.chat.fail_role_changes(RoleError::Forbidden);
    let told = alerts_click(&w.app, &*w.chat, user(50), "on")
        .await
        .expect("told");
    assert!(told.contains("did not work"), "{told}");
    w.chat.add_member(user(51), &[]);
    alerts_click(&w.app, &*w.chat, user(51), "on")
        .await
        .expect("told");
    let log = ChannelId::new(13).expect("id");
    let logged: Vec<_> = w
        .chat
        .recorded()
        .posts
        .into_iter()
        .filter(|(_, p)| p.channel == log)
        .collect();
    assert_eq!(logged.len(), 1, "one line for two presses");
    let line = &logged[0].1;
    assert!(
        line.content.contains("**Manage Roles**"),
        "{}",
        line.content
    );
    assert!(line.content.contains("<@&23>"), "{}", line.content);
    assert!(line.ping_roles.is_empty() && line.ping_users.is_empty());
    w.clock.advance(TimeDelta::minutes(11));
    alerts_click(&w.app, &*w.chat, user(51), "off")
        .await
        .expect("told");
    let again = w
        .chat
        .recorded()
        .posts
        .iter()
        .filter(|(_, p)| p.channel == log)
        .count();
    assert_eq!(again, 2);
}

#[tokio::test]
async fn posting_the_buttons_again_edits_the_first_message_and_players_may_not_post_them() {
    let w = world().await;
    let commander = actor(7, &[COMMANDER_ROLE]);
    let first = post_alerts_button(&w.app, &*w.chat, &commander)
        .await
        .expect("posted");
    assert!(first.starts_with("Posted"), "{first}");
    let again = post_alerts_button(&w.app, &*w.chat, &commander)
        .await
        .expect("updated");
    assert!(again.contains("updated them in place"), "{again}");
    let r = w.chat.recorded();
    assert_eq!(r.posts.len(), 1);
    assert_eq!(r.edits.len(), 1);
    let (id, post) = &r.posts[0];
    assert_eq!(r.edits[0].0, *id);
    assert_eq!(post.channel, ChannelId::new(10).expect("id"));
    let labels: Vec<_> = post.buttons.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["Notify me of outages", "Stop notifying me"]);
    assert!(post.ping_roles.is_empty(), "the message pings nobody");
    let player = actor(50, &[]);
    assert!(post_alerts_button(&w.app, &*w.chat, &player).await.is_err());
}
