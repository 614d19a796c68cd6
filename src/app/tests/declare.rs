//! Declaring, through the use case: the channel and its intro, the players' alert when the
//! severity calls for one, once per interaction, and what is refused before anything is written.

use super::*;
use crate::app::Outgoing;
use crate::domain::MessageId;

/// The announcements channel of the test config.
pub(super) const ANNOUNCEMENTS: u64 = 10;
/// The incident category of the test config.
const INCIDENTS: u64 = 11;

/// The posts in `channel`, in order.
pub(super) fn posts_in(w: &World, channel: u64) -> Vec<(MessageId, Outgoing)> {
    w.recorded()
        .posts
        .into_iter()
        .filter(|(_, m)| m.channel.get() == channel)
        .collect()
}

fn args(title: &str, severity: Severity) -> DeclareArgs {
    DeclareArgs {
        title: title.into(),
        severity,
        kind: IncidentKind::Availability,
        systems: Some("Login".into()),
        summary: None,
        eta: None,
        detected_at: None,
    }
}

const ROOMY: ChannelCounts = ChannelCounts {
    guild: 5,
    category: 0,
};

#[tokio::test]
async fn a_p0_opens_its_channel_pins_the_intro_and_alerts_players_once() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);

    let record = w
        .declare(&rhea, Severity::P0, IncidentKind::Availability)
        .await;

    let recorded = w.recorded();
    assert_eq!(recorded.channels.len(), 1, "{:?}", recorded.channels);
    let opened = &recorded.channels[0];
    assert!(opened.name.starts_with("inc-1-"), "{}", opened.name);
    assert_eq!(opened.category.get(), INCIDENTS);
    let channel = record.channel_id.expect("the channel is recorded");
    let (intro, _) = posts_in(&w, channel.get())
        .into_iter()
        .next()
        .expect("an intro in the incident's channel");
    assert!(recorded.pins.contains(&intro), "the intro is pinned");
    let alerts = posts_in(&w, ANNOUNCEMENTS);
    assert_eq!(alerts.len(), 1, "one alert for players: {alerts:?}");
    assert!(recorded.published.contains(&alerts[0].0), "and published");
}

#[tokio::test]
async fn a_p2_stays_among_responders() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);

    let record = w
        .declare(&rhea, Severity::P2, IncidentKind::Availability)
        .await;

    assert!(record.channel_id.is_some(), "it has its channel");
    assert!(
        posts_in(&w, ANNOUNCEMENTS).is_empty(),
        "players hear nothing"
    );
}

#[tokio::test]
async fn a_security_incident_opens_a_channel_for_the_security_team_and_players_hear_nothing() {
    let w = World::new().await;
    let sana = actor(6, &[RESPONDER_ROLE, SECURITY_ROLE]);

    w.declare(&sana, Severity::P0, IncidentKind::Security).await;

    let recorded = w.recorded();
    let access = &recorded.channels[0].access;
    assert!(
        access
            .roles
            .contains(&RoleId::new(SECURITY_ROLE).expect("id")),
        "{access:?}"
    );
    assert!(
        !access
            .roles
            .contains(&RoleId::new(RESPONDER_ROLE).expect("id")),
        "responders without the security role do not read it: {access:?}"
    );
    assert!(posts_in(&w, ANNOUNCEMENTS).is_empty(), "never announced");
}

#[tokio::test]
async fn the_same_interaction_delivered_twice_declares_once() {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    w.member(&rhea);
    let interaction = InteractionId::new(77).expect("id");

    let deliver = || {
        let args = args("Login down", Severity::P1);
        super::super::declare(&w.app, &rhea, args, interaction, ROOMY)
    };

    let first = deliver().await.expect("declared");
    let again = deliver().await.expect("answered again");
    w.run_due().await;

    assert!(!first.already && again.already);
    assert_eq!(first.record.id, again.record.id);
    assert_eq!(w.recorded().channels.len(), 1, "one channel");
}

/// Declares `args` as a responder with `counts`, which must be refused before anything is
/// written or queued; returns what they are told.
async fn refused(args: DeclareArgs, counts: ChannelCounts) -> String {
    let w = World::new().await;
    let rhea = actor(5, &[RESPONDER_ROLE]);
    w.member(&rhea);
    let interaction = InteractionId::new(78).expect("id");

    let err = super::super::declare(&w.app, &rhea, args, interaction, counts)
        .await
        .expect_err("refused");

    let guild = w.app.settings.discord.guild_id;
    let written = w.app.db.unclosed_incidents(guild).await.expect("db");
    assert!(written.is_empty(), "{written:?}");
    assert_eq!(
        w.app.db.pending_jobs().await.expect("db"),
        0,
        "nothing queued"
    );
    super::said(&err)
}

#[tokio::test]
async fn a_full_incident_category_is_refused_before_anything_is_written() {
    let full = ChannelCounts {
        guild: 100,
        category: crate::app::CATEGORY_CHANNEL_BUDGET,
    };
    let told = refused(args("Login down", Severity::P0), full).await;
    assert!(told.contains("Close resolved incidents"), "{told}");
}

#[tokio::test]
async fn a_blank_title_is_refused_with_what_to_write_and_nothing_is_written() {
    let told = refused(args("   ", Severity::P1), ROOMY).await;
    assert!(told.contains("is empty: write a few words"), "{told}");
}
