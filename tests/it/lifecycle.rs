//! The whole incident lifecycle through slash commands, asserting what people would see.

use incident_bot::domain::Status;

use crate::support::bot::{spawn_bot, world, STEP};
use crate::support::story::{declare, run, shows};

#[tokio::test]
async fn a_p0_goes_from_declare_through_every_phase_to_resolve_and_close() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    fake.wait_for("the commands to be registered", STEP, |f| {
        !f.commands().is_empty()
    })
    .await;

    // Declare: a channel, a pinned intro that pages responders, an alert for players.
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await;
    assert_eq!(channel.name, "inc-1-login-down");
    let intro = shows(&fake, channel.id, "the intro", |m| {
        m.content.contains("**Incident #1: Login down**")
    })
    .await;
    fake.wait_for("the intro to be pinned", STEP, |f| {
        f.pinned(channel.id).len() == 1
    })
    .await;
    assert!(
        intro.content.contains("Phase 1: Detection & Triage"),
        "{}",
        intro.content
    );
    assert_eq!(fake.pings(intro.id).roles, [world::RESPONDER_ROLE]);
    let alert = shows(&fake, world::ANNOUNCEMENTS, "the service alert", |m| {
        m.content.contains("🚨 Service Alert 🚨")
    })
    .await;
    assert!(
        alert.content.contains("technical difficulties with Login."),
        "{}",
        alert.content
    );
    assert_eq!(
        fake.pings(alert.id).roles,
        [world::PLAYER_ALERTS_ROLE],
        "a P0 alert pings the opt-in role only"
    );
    fake.wait_for("the alert to be published", STEP, |f| {
        f.crossposted(world::ANNOUNCEMENTS).len() == 1
    })
    .await;
    shows(&fake, world::LOG, "the log line", |m| {
        m.content.contains("#1 **P0** declared")
    })
    .await;

    // Work it.
    let here = channel.id;
    let commander = format!("<@{}>", world::COMMANDER);
    let answer = run(
        &fake,
        world::RESPONDER,
        here,
        "assign",
        &[("role", "commander"), ("user", &commander)],
    )
    .await;
    assert_eq!(answer, format!("{commander} is now incident commander."));
    shows(&fake, here, "the assignment", |m| {
        m.content
            .contains(&format!("{commander} is now incident commander"))
    })
    .await;
    for (phase, title) in [
        ("containment", "Phase 2: Containment"),
        ("investigation", "Phase 3: Investigation"),
        ("resolution", "Phase 4: Resolution"),
    ] {
        let answer = run(&fake, world::RESPONDER, here, "phase", &[("to", phase)]).await;
        assert!(answer.starts_with("Moved to"), "{answer}");
        shows(&fake, here, title, |m| m.content.contains(title)).await;
    }
    let answer = run(
        &fake,
        world::RESPONDER,
        here,
        "update",
        &[
            ("message", "Rolling back the 14:00 deploy"),
            ("public", "true"),
            ("eta", "20 minutes"),
        ],
    )
    .await;
    assert!(answer.contains("Update posted here and to"), "{answer}");
    let update = shows(&fake, world::ANNOUNCEMENTS, "the status update", |m| {
        m.content.contains("Rolling back the 14:00 deploy")
    })
    .await;
    assert!(
        update.content.contains("ETA: 20 minutes"),
        "{}",
        update.content
    );
    assert!(!update.crossposted, "updates are not published");

    // Resolve and close.
    let answer = run(
        &fake,
        world::COMMANDER,
        here,
        "resolve",
        &[
            ("root_cause", "An expired TLS certificate"),
            ("compensation", "3 free days"),
        ],
    )
    .await;
    assert!(answer.contains("all-clear"), "{answer}");
    let all_clear = shows(&fake, world::ANNOUNCEMENTS, "the all-clear", |m| {
        m.content.starts_with("✅ All Clear")
    })
    .await;
    assert!(
        all_clear
            .content
            .contains("Root cause: An expired TLS certificate"),
        "{}",
        all_clear.content
    );
    assert!(
        all_clear.content.contains("Compensation: 3 free days"),
        "{}",
        all_clear.content
    );
    fake.wait_for("the all-clear to be published", STEP, |f| {
        f.crossposted(world::ANNOUNCEMENTS).len() == 2
    })
    .await;

    let answer = run(&fake, world::COMMANDER, here, "close", &[]).await;
    assert!(answer.starts_with("Closed"), "{answer}");
    fake.wait_for("the channel to be archived", STEP, |f| {
        f.channel(here)
            .is_some_and(|c| c.parent_id == Some(world::ARCHIVE))
    })
    .await;
    assert!(
        fake.is_locked(here),
        "nobody can post in an archived channel"
    );
    let summary = shows(&fake, here, "the close summary", |m| {
        m.content.contains("closed: Login down")
    })
    .await;
    assert!(
        summary.content.contains("Phase 4: Resolution"),
        "{}",
        summary.content
    );

    // Players saw exactly: the alert, the update, the all-clear.
    let seen: Vec<String> = fake
        .messages(world::ANNOUNCEMENTS)
        .iter()
        .map(|m| {
            m.content
                .lines()
                .find(|l| !l.starts_with("<@&"))
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        seen,
        [
            "🚨 Service Alert 🚨",
            "📣 Status update on Login",
            "✅ All Clear"
        ]
    );

    // The database agrees.
    let record = bot
        .app
        .db
        .incident_by_channel(incident_bot::domain::ChannelId::new(here.get()).expect("id"))
        .await
        .expect("db")
        .expect("row");
    assert_eq!(record.incident.status, Status::Closed);
    let actions = bot.app.db.audit_actions(record.id).await.expect("audit");
    assert_eq!(
        actions,
        ["declare", "assign", "phase", "phase", "phase", "update", "resolve", "close"]
    );
}
