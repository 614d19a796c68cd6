//! Correcting facts and telling players on purpose, without Discord: the publish budget, the
//! channel's rename limit, what a security turn withdraws, and the deadlines a new start moves.

use super::*;
use crate::domain::{EtaInput, FreeText, IncidentTitle, SinceInput};
use crate::store::AnnouncementKind;

fn update(message: &str, publish: bool) -> ChangeArgs {
    ChangeArgs::from(Command::Update {
        message: FreeText::parse(message).expect("text"),
        public: false,
        publish,
        eta: None,
    })
}

fn title(text: &str) -> ChangeArgs {
    ChangeArgs::from(Command::Edit {
        title: Some(IncidentTitle::parse(text).expect("title")),
        systems: None,
        summary: None,
        detected_at: None,
    })
}

fn announcements() -> ChannelId {
    ChannelId::new(10).expect("id")
}

#[tokio::test]
async fn a_published_update_counts_against_the_hour_and_past_it_goes_out_unpublished() {
    let w = World::new().await;
    let cole = actor(7, &[RESPONDER_ROLE, COMMANDER_ROLE]);
    let record = w
        .declare(&cole, Severity::P1, IncidentKind::Availability)
        .await;
    for n in 1..=8 {
        let reply = w
            .change(&cole, &record, update(&format!("Update {n}"), true))
            .await
            .expect("posted");
        assert!(
            reply.ends_with(&format!(
                "and published: {} of 8 publishes left this hour.",
                8 - n
            )),
            "{reply}"
        );
    }
    assert_eq!(w.recorded().published.len(), 8);
    let reply = w
        .change(&cole, &record, update("Update 9", true))
        .await
        .expect("posted");
    assert!(
        reply.starts_with(
            "Update posted here and to <#10>, but **not published**: the 8 publishes an hour"
        ),
        "{reply}"
    );
    assert!(reply.contains("The next one frees up <t:"), "{reply}");
    let r = w.recorded();
    assert_eq!(r.published.len(), 8, "the ninth is not published");
    assert!(
        r.posts
            .iter()
            .any(|(_, m)| m.channel == announcements() && m.content.contains("Update 9")),
        "the ninth is posted for players"
    );
    let timeline = w.app.db.timeline(record.id).await.expect("timeline");
    assert_eq!(
        timeline.last().map(|e| e.text.as_str()),
        Some("Public update: Update 9"),
        "the timeline says what happened, not what was asked"
    );
    // An hour later the budget is free again.
    w.advance(TimeDelta::minutes(61)).await;
    let reply = w
        .change(&cole, &record, update("Update 10", true))
        .await
        .expect("posted");
    assert!(
        reply.ends_with("7 of 8 publishes left this hour."),
        "{reply}"
    );
}

#[tokio::test]
async fn only_a_commander_publishes_or_sends_the_alert() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = w
        .declare(&rhea, Severity::P1, IncidentKind::Availability)
        .await;
    for args in [
        update("Back up", true),
        ChangeArgs::from(Command::Announce { eta: None }),
    ] {
        let err = w
            .change(&rhea, &record, args)
            .await
            .expect_err("not a commander");
        assert!(
            super::said(&err).contains(
                "To tell players with the service alert or a published update you need the <@&21> role"
            ),
            "{err}"
        );
    }
    assert!(w
        .recorded()
        .posts
        .iter()
        .all(|(_, m)| m.channel != announcements()));
}

#[tokio::test]
async fn the_alert_goes_out_once_with_the_eta_and_says_where_it_is_after() {
    let w = World::new().await;
    let cole = actor(7, &[RESPONDER_ROLE, COMMANDER_ROLE]);
    let record = w
        .declare(&cole, Severity::P1, IncidentKind::Availability)
        .await;
    let announce = |eta| ChangeArgs::from(Command::Announce { eta });
    let reply = w
        .change(
            &cole,
            &record,
            announce(Some(EtaInput::parse("45m").expect("eta"))),
        )
        .await
        .expect("announced");
    assert_eq!(reply, "The service alert is going out to players in <#10>.");
    let eta = (T0 + TimeDelta::minutes(45)).timestamp();
    let r = w.recorded();
    let (message, alert) = r
        .posts
        .iter()
        .find(|(_, m)| m.channel == announcements())
        .expect("the alert");
    assert!(
        alert
            .content
            .contains(&format!("\nETA: <t:{eta}:t> (<t:{eta}:R>)\n")),
        "{}",
        alert.content
    );
    assert!(alert.ping_roles.is_empty(), "a P1 alert pings nobody");
    assert_eq!(r.published, [*message]);
    let err = w
        .change(&cole, &record, announce(None))
        .await
        .expect_err("once");
    assert_eq!(
        super::said(&err),
        format!(
            "The service alert went out already: https://discord.com/channels/1/10/{message}. \
             Tell players what changed with /incident update public:true."
        )
    );
}

#[tokio::test]
async fn turning_security_withdraws_what_was_still_to_go_to_players() {
    let w = World::new().await;
    let cole = actor(7, &[RESPONDER_ROLE, COMMANDER_ROLE]);
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = w
        .declare(&cole, Severity::P0, IncidentKind::Availability)
        .await;
    // The P0 alert went out at declare. An update is queued but not performed yet.
    let changed = super::super::change(
        &w.app,
        &cole,
        record.channel_id.expect("channel"),
        "pending",
        update("Rolling back", true),
    )
    .await
    .expect("queued");
    assert!(changed.reply.contains("published"), "{}", changed.reply);
    let reply = w
        .change(
            &rhea,
            &record,
            ChangeArgs::from(Command::ChangeKind {
                to: IncidentKind::Security,
            }),
        )
        .await
        .expect("turned");
    assert!(
        reply.contains("The announcement still waiting to go out was withdrawn."),
        "{reply}"
    );
    assert!(
        reply.ends_with("You will not see the channel any more without the <@&22> role."),
        "{reply}"
    );
    let r = w.recorded();
    let to_players: Vec<_> = r
        .posts
        .iter()
        .filter(|(_, m)| m.channel == announcements())
        .collect();
    assert_eq!(
        to_players.len(),
        1,
        "only the alert of the declare: {to_players:?}"
    );
    assert_eq!(r.restricted.len(), 1);
    assert_eq!(
        r.relabeled.last().map(|(_, l)| l.name.as_str()),
        Some("sec-1")
    );
    let mut tx = w.app.db.begin().await.expect("tx");
    let updates = tx
        .announcements_of(record.id, AnnouncementKind::Update)
        .await
        .expect("read");
    assert!(updates.is_empty(), "withdrawn: {updates:?}");
    drop(tx);
    // The alert went out before, but what answers now is that it is a security incident.
    let err = w
        .change(
            &cole,
            &record,
            ChangeArgs::from(Command::Announce { eta: None }),
        )
        .await
        .expect_err("refused");
    assert!(
        super::said(&err).starts_with(
            "Security incidents are never announced to players, so no alert was posted"
        ),
        "{err}"
    );
    // Nothing more goes to players, and resolving sends no all-clear.
    let resolve = ChangeArgs::from(Command::Resolve {
        root_cause: FreeText::parse("a leaked key").expect("text"),
        compensation: None,
        all_clear_now: true,
    });
    w.change(&cole, &record, resolve).await.expect("resolved");
    assert_eq!(
        w.recorded()
            .posts
            .iter()
            .filter(|(_, m)| m.channel == announcements())
            .count(),
        1
    );
}

#[tokio::test]
async fn turning_back_to_availability_needs_the_security_role() {
    let w = World::new().await;
    let cole = actor(7, &[RESPONDER_ROLE, COMMANDER_ROLE]);
    let sana = actor(6, &[RESPONDER_ROLE, SECURITY_ROLE]);
    let record = w.declare(&sana, Severity::P1, IncidentKind::Security).await;
    let back = || {
        ChangeArgs::from(Command::ChangeKind {
            to: IncidentKind::Availability,
        })
    };
    let err = w.change(&cole, &record, back()).await.expect_err("refused");
    assert!(
        super::said(&err).starts_with(
            "To turn a security incident back into an availability one you need the <@&22> role."
        ),
        "{err}"
    );
    let reply = w.change(&sana, &record, back()).await.expect("turned back");
    assert!(reply.contains("stays private"), "{reply}");
    let r = w.recorded();
    assert!(r.restricted.is_empty(), "nothing is opened up or closed");
    assert_eq!(
        r.relabeled.last().map(|(_, l)| l.name.as_str()),
        Some("inc-1-login-down")
    );
}

#[tokio::test]
async fn renames_wait_out_discords_two_in_ten_minutes_and_rename_to_the_latest_title() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = w
        .declare(&rhea, Severity::P2, IncidentKind::Availability)
        .await;
    for t in ["Login slow", "Login slow in EU"] {
        w.change(&rhea, &record, title(t)).await.expect("edited");
        w.advance(TimeDelta::minutes(1)).await;
    }
    w.change(&rhea, &record, title("Login slow in EU and US"))
        .await
        .expect("edited");
    w.change(&rhea, &record, title("Login slow everywhere"))
        .await
        .expect("edited");
    let names = |w: &World| -> Vec<String> {
        w.recorded()
            .relabeled
            .into_iter()
            .map(|(_, l)| l.name)
            .collect()
    };
    assert_eq!(names(&w), ["inc-1-login-slow", "inc-1-login-slow-in-eu"]);
    w.advance(TimeDelta::minutes(7)).await;
    assert_eq!(names(&w).len(), 2, "still inside the window");
    w.advance(TimeDelta::minutes(2)).await;
    assert_eq!(
        names(&w),
        [
            "inc-1-login-slow",
            "inc-1-login-slow-in-eu",
            "inc-1-login-slow-everywhere"
        ],
        "the two waiting edits rename once, to the latest title"
    );
    let topic = w
        .recorded()
        .relabeled
        .last()
        .and_then(|(_, l)| l.topic.clone());
    assert_eq!(
        topic.as_deref(),
        Some("Incident #1 · P2 · Login slow everywhere")
    );
}

#[tokio::test]
async fn an_earlier_start_moves_the_phase_deadline_and_the_nudge_with_it() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let record = w
        .declare(&rhea, Severity::P1, IncidentKind::Availability)
        .await;
    w.advance(TimeDelta::minutes(1)).await;
    let started = ChangeArgs::from(Command::Edit {
        title: None,
        systems: None,
        summary: None,
        detected_at: Some(SinceInput::parse("3m ago").expect("since")),
    });
    let reply = w.change(&rhea, &record, started).await.expect("edited");
    assert_eq!(reply, "Corrected: detection time.");
    // Triage's 5 minutes ran from 2 minutes before the declaration: the nudge is due at +3m.
    w.advance(TimeDelta::seconds(119)).await;
    let nudges = |w: &World| {
        w.recorded()
            .posts
            .iter()
            .filter(|(_, m)| m.content.contains("over its budget"))
            .count()
    };
    let posts = w.recorded().posts;
    let said = posts
        .iter()
        .map(|(_, m)| m.content.as_str())
        .find(|c| c.contains("Facts corrected"))
        .expect("the correction");
    assert!(
        said.contains(&format!(
            "Detected: <t:{}:f> → <t:{}:f>",
            T0.timestamp(),
            (T0 - TimeDelta::minutes(2)).timestamp()
        )),
        "{said}"
    );
    assert_eq!(nudges(&w), 0);
    w.advance(TimeDelta::seconds(1)).await;
    assert_eq!(
        nudges(&w),
        1,
        "due 5 minutes after the start, not the declaration"
    );
}
