//! The rights model, through the use cases: what is written, posted and refused.

use super::*;

#[tokio::test]
async fn a_refused_seizure_of_command_writes_and_posts_nothing() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let sana = actor(6, &[RESPONDER_ROLE, SECURITY_ROLE]);
    let record = w
        .declare(&rhea, Severity::P1, IncidentKind::Availability)
        .await;
    w.assign(&rhea, &record, IncidentRole::Commander, &rhea)
        .await
        .expect("taken");
    let posts = w.recorded().posts.len();
    let timeline = w.app.db.timeline(record.id).await.expect("timeline").len();

    let err = w
        .assign(&sana, &record, IncidentRole::Commander, &sana)
        .await
        .expect_err("refused");
    assert!(
        super::said(&err).contains("is this incident's commander"),
        "{err}"
    );
    assert_eq!(w.recorded().posts.len(), posts, "nothing posted");
    assert_eq!(
        w.app.db.timeline(record.id).await.expect("timeline").len(),
        timeline,
        "nothing written"
    );
    let now = w.reload(&record).await;
    assert_eq!(now.incident.roles.commander, Some(rhea.user));
}

#[tokio::test]
async fn a_commander_role_member_hands_over_and_the_channel_is_told() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    let cole = actor(7, &[RESPONDER_ROLE, COMMANDER_ROLE]);
    let record = w
        .declare(&rhea, Severity::P1, IncidentKind::Availability)
        .await;
    w.assign(&rhea, &record, IncidentRole::Commander, &rhea)
        .await
        .expect("taken");
    w.assign(&cole, &record, IncidentRole::Commander, &cole)
        .await
        .expect("handed over");
    let last = w.recorded().posts.last().map(|(_, m)| m.content.clone());
    assert_eq!(
        last.as_deref(),
        Some("👤 **Incident commander handed over from <@5> to <@7> by <@7>**")
    );
    let audit = w.app.db.audit_actions(record.id).await.expect("audit");
    assert_eq!(audit.iter().filter(|a| *a == "assign").count(), 2);
}

#[tokio::test]
async fn a_security_incident_announces_nothing_from_declare_to_close() {
    let w = World::new().await;
    let sana = actor(6, &[RESPONDER_ROLE, SECURITY_ROLE]);
    let record = w.declare(&sana, Severity::P0, IncidentKind::Security).await;
    assert_eq!(w.recorded().channels[0].name, "sec-1");
    assert_eq!(
        w.recorded().channels[0].access,
        crate::app::ChannelAccess {
            roles: vec![RoleId::new(22).expect("id")],
            members: vec![user(6)],
        },
        "only the security role and the one who declared it read a security incident"
    );
    w.assign(&sana, &record, IncidentRole::Commander, &sana)
        .await
        .expect("taken");
    let resolve = ChangeArgs::from(Command::Resolve {
        root_cause: crate::domain::FreeText::parse("key in a repo").expect("text"),
        compensation: None,
        all_clear_now: true,
    });
    w.change(&sana, &record, resolve).await.expect("resolved");
    w.change(&sana, &record, ChangeArgs::from(Command::Close))
        .await
        .expect("closed");
    let announcements = ChannelId::new(10).expect("id");
    let log = ChannelId::new(13).expect("id");
    let r = w.recorded();
    assert!(
        r.posts.iter().all(|(_, m)| m.channel != announcements),
        "{:?}",
        r.posts
    );
    assert!(r.published.is_empty());
    for (_, m) in r.posts.iter().filter(|(_, m)| m.channel == log) {
        assert!(!m.content.contains("Login down"), "{}", m.content);
    }
    assert_eq!(r.archived.len(), 1);
}
