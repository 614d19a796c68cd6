//! The whole incident lifecycle through slash commands, asserting what people would see.

use chrono::TimeDelta;
use incident_bot::clock::{Clock, ManualClock};
use incident_bot::domain::Status;

use crate::support::bot::{spawn_bot_on, world, STEP};
use crate::support::story::{
    answer, answer_fix_check, assert_reads, declare, shows_seen, FixCheck,
};
use crate::support::time::T0;

/// 09:00 sharp: the bot's clock starts here and runs, so that within the test every date
/// it writes reads "November 30, 2026 at 09:00".
/// A phase's checklist as a person reads it, nothing ticked yet: its steps, and the headings
/// (lines without a box) they sit under.
fn unticked(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|line| match line.strip_prefix("# ") {
            Some(heading) => heading.to_owned(),
            None => format!("⬜ {line}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The labels of a message's buttons, in order.
fn labels(m: &crate::support::fake_discord::FakeMessage) -> Vec<String> {
    m.components
        .iter()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .map(|b| b["label"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_p0_goes_from_declare_through_every_phase_to_a_verified_fix_and_close() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(&fake, dir.path(), ManualClock::running(T0), |_| {}).await;
    let now = || bot.clock.now();
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
    let (intro, intro_text) = shows_seen(&fake, channel.id, "the intro", now(), |text| {
        text.contains("Incident #1: Login down")
    })
    .await;
    fake.wait_for("the intro to be pinned", STEP, |f| {
        f.pinned(channel.id).len() == 1
    })
    .await;
    assert_eq!(
        intro_text,
        [
            "@responders",
            "Incident #1: Login down",
            "Severity: P0 (critical, all hands) · Kind: availability · Systems: Login",
            "Declared by @rhea November 30, 2026 at 09:00",
            "Roles",
            "Incident commander: unassigned, take it with /incident assign role:commander",
            "Communications lead: unassigned",
            "Scribe: unassigned",
        ]
        .join("\n")
    );
    let pings = fake.pings(intro.id);
    assert_eq!(
        pings.roles,
        [world::RESPONDER_ROLE],
        "the intro pages responders"
    );
    assert!(pings.users.is_empty() && !pings.everyone, "{pings:?}");
    // The triage checklist follows the intro, a message of its own with a button per step.
    let (triage, triage_text) =
        shows_seen(&fake, channel.id, "the triage checklist", now(), |text| {
            text.starts_with("Phase 1: Detection & Triage")
        })
        .await;
    assert_eq!(
        triage_text,
        format!(
            "Phase 1: Detection & Triage, due November 30, 2026 at 09:05 (in 5 minutes)\n{}",
            unticked(&[
                "Alert received: via Sentry, Cloudflare Monitoring or user reports",
                "Verify the issue is real",
                "Determine severity (P0-P3)",
                "Identify affected systems",
                "Declare the incident: create the incident channel/ticket",
            ])
        )
    );
    assert_eq!(
        labels(&triage),
        [
            "Alert received",
            "Issue is real",
            "Severity set",
            "Systems identified",
            "Incident declared"
        ]
    );
    let order: Vec<_> = fake.messages(channel.id).iter().map(|m| m.id).collect();
    assert_eq!(
        order[..2],
        [intro.id, triage.id],
        "the checklist follows the intro"
    );
    assert!(
        fake.pings(triage.id).nobody(),
        "{:?}",
        fake.pings(triage.id)
    );
    let (alert, alert_text) = shows_seen(
        &fake,
        world::ANNOUNCEMENTS,
        "the service alert",
        now(),
        |text| text.contains("🚨 Service Alert 🚨"),
    )
    .await;
    assert_eq!(
        alert_text,
        [
            "@player-alerts",
            "🚨 Service Alert 🚨",
            "We are currently experiencing technical difficulties with Login.",
            "Our team is actively investigating and working on a fix.",
            "ETA: to be confirmed; we will post updates as we learn more",
            "We apologize for the inconvenience.",
            "Status updates: https://status.loh.game",
        ]
        .join("\n")
    );
    let pings = fake.pings(alert.id);
    assert_eq!(
        pings.roles,
        [world::PLAYER_ALERTS_ROLE],
        "a P0 alert pings the opt-in role only"
    );
    assert!(pings.users.is_empty() && !pings.everyone, "{pings:?}");
    fake.wait_for("the alert to be published", STEP, |f| {
        f.crossposted(world::ANNOUNCEMENTS).len() == 1
    })
    .await;
    let (log, log_text) = shows_seen(&fake, world::LOG, "the log line", now(), |text| {
        text.contains("#1 P0 declared")
    })
    .await;
    assert_eq!(
        log_text,
        "🚨 #1 P0 declared by @rhea: Login down → #inc-1-login-down"
    );
    assert!(fake.pings(log.id).nobody(), "{:?}", fake.pings(log.id));

    // Work it.
    let here = channel.id;
    let commander = format!("<@{}>", world::COMMANDER);
    let assigned = answer(
        &fake,
        world::RESPONDER,
        here,
        "assign",
        &[("role", "commander"), ("user", &commander)],
    )
    .await;
    assert_eq!(
        fake.seen(&assigned, now()),
        "@cole is now incident commander."
    );
    assert!(
        fake.pings(assigned.id).nobody(),
        "{:?}",
        fake.pings(assigned.id)
    );
    let (said, said_text) = shows_seen(&fake, here, "the assignment", now(), |text| {
        text.contains("@cole is now incident commander")
    })
    .await;
    assert_eq!(
        said_text,
        "👤 @cole is now incident commander (assigned by @rhea)"
    );
    assert!(fake.pings(said.id).nobody(), "{:?}", fake.pings(said.id));
    for (phase, number, title, due, checklist) in [
        (
            "containment",
            2,
            "Phase 2: Containment",
            "November 30, 2026 at 09:30 (in 30 minutes)",
            &[
                "Enable maintenance mode if needed",
                "Redirect traffic to backup servers",
                "Scale up resources if capacity issue",
            ][..],
        ),
        (
            "investigation",
            3,
            "Phase 3: Investigation",
            "November 30, 2026 at 13:00 (in 4 hours)",
            &[
                "# Gather evidence",
                "Server logs (/var/log/loh-backend/)",
                "Database query logs",
                "Sentry error reports",
                "Cloudflare analytics",
                "# Root cause analysis",
                "Timeline of events",
                "Identify the trigger",
                "Assess the impact scope",
            ][..],
        ),
        (
            "resolution",
            4,
            "Phase 4: Resolution",
            "November 30, 2026 at 17:00 (in 8 hours)",
            &[
                "# Apply the fix",
                "Deploy a hotfix (bypass CI for P0)",
                "Roll back if a recent deployment caused the issue",
                "Restore from backup if data is corrupted",
                "# Verify the fix",
                "Run smoke tests",
                "Monitor error rates for 1 hour",
                "Confirm user reports are resolved",
            ][..],
        ),
    ] {
        let moved = answer(&fake, world::RESPONDER, here, "phase", &[("to", phase)]).await;
        assert_eq!(fake.seen(&moved, now()), format!("Moved to {title}."));
        let (m, text) = shows_seen(&fake, here, title, now(), |text| text.starts_with(title)).await;
        assert_eq!(text, format!("{title}, due {due}\n{}", unticked(checklist)));
        let steps = checklist.iter().filter(|l| !l.starts_with("# ")).count();
        // A button per step, and the maintenance step's action beside it (🛠️).
        let ticks = labels(&m).iter().filter(|l| !l.starts_with("🛠️")).count();
        assert_eq!(ticks, steps, "a button per step");
        assert!(fake.pings(m.id).nobody(), "{:?}", fake.pings(m.id));
        // Right before it, the one line saying who moved the incident on.
        let all = fake.messages(here);
        let at = all.iter().position(|x| x.id == m.id).expect("posted");
        assert_eq!(
            fake.seen(&all[at - 1], now()),
            format!("➡️ Moved to phase {number} by @rhea")
        );
        assert!(fake.pings(all[at - 1].id).nobody());
    }
    let updated = answer(
        &fake,
        world::RESPONDER,
        here,
        "update",
        &[
            ("message", "Rolling back the 14:00 deploy"),
            ("public", "true"),
            ("eta", "about 20 minutes"),
        ],
    )
    .await;
    assert_eq!(
        fake.seen(&updated, now()),
        "Update posted here and to #announcements."
    );
    let (update, update_text) = shows_seen(
        &fake,
        world::ANNOUNCEMENTS,
        "the status update",
        now(),
        |text| text.contains("Rolling back the 14:00 deploy"),
    )
    .await;
    assert_eq!(
        update_text,
        [
            "📣 Status update on Login",
            "Rolling back the 14:00 deploy",
            // Words reach players as typed (a bare duration would be a time: see facts.rs).
            "ETA: about 20 minutes",
            "Status updates: https://status.loh.game",
        ]
        .join("\n")
    );
    assert!(fake.pings(update.id).nobody(), "updates ping nobody");
    assert!(!update.crossposted, "updates are not published");

    // Resolve and close.
    let resolved = answer(
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
    assert_eq!(
        fake.seen(&resolved, now()),
        "Fix recorded. Verifying until November 30, 2026 at 10:00: then I ask @cole whether \
         it held, and the all-clear goes to players once it has. For an incident that is \
         obviously over, resolve with all_clear:now instead."
    );
    // Players hear nothing until the fix held.
    assert_eq!(fake.messages(world::ANNOUNCEMENTS).len(), 2);

    // An hour on, the commander is asked, and answers.
    bot.clock.advance(TimeDelta::hours(1));
    let answered = answer_fix_check(&fake, world::COMMANDER, here, FixCheck::Held, now()).await;
    assert_eq!(
        fake.seen(&answered, now()),
        "⏰ Did the fix hold? ✅ Yes, said @cole at November 30, 2026 at 10:00."
    );
    shows_seen(&fake, here, "the post-mortem notice", now(), |text| {
        text.contains("Post-mortem required, due December 2, 2026 at 10:00")
    })
    .await;
    let (all_clear, all_clear_text) = shows_seen(
        &fake,
        world::ANNOUNCEMENTS,
        "the all-clear",
        now(),
        |text| text.starts_with("✅ All Clear"),
    )
    .await;
    assert_eq!(
        all_clear_text,
        [
            "✅ All Clear",
            "The issue with Login has been resolved.",
            "Root cause: An expired TLS certificate",
            "Compensation: 3 free days",
            "Thank you for your patience!",
        ]
        .join("\n")
    );
    assert!(
        fake.pings(all_clear.id).nobody(),
        "the all-clear pings nobody"
    );
    fake.wait_for("the all-clear to be published", STEP, |f| {
        f.crossposted(world::ANNOUNCEMENTS).len() == 2
    })
    .await;

    let closed = answer(&fake, world::COMMANDER, here, "close", &[]).await;
    assert_eq!(
        fake.seen(&closed, now()),
        "Closed. The channel is being archived and locked."
    );
    fake.wait_for("the channel to be archived", STEP, |f| {
        f.channel(here)
            .is_some_and(|c| c.parent_id == Some(world::ARCHIVE))
    })
    .await;
    assert!(
        fake.is_locked(here),
        "nobody can post in an archived channel"
    );
    let (summary, summary_text) = shows_seen(&fake, here, "the close summary", now(), |text| {
        text.contains("closed: Login down")
    })
    .await;
    // The durations are seconds of real time.
    assert_reads(
        &summary_text,
        &[
            "Incident #1 closed: Login down",
            "Severity P0 · declared November 30, 2026 at 09:00 · \
             resolved November 30, 2026 at 10:00 · time to resolve {duration}",
            "Time per phase",
            "• Phase 1: Detection & Triage: {duration}",
            "• Phase 2: Containment: {duration}",
            "• Phase 3: Investigation: {duration}",
            "• Phase 4: Resolution: {duration}",
            "• Phase 5: Recovery & Communication: {duration}",
            "Checklists",
            "• Phase 1: Detection & Triage: 0 of 5 done · skipped: Alert received, Issue is real, \
             Severity set, Systems identified, Incident declared",
            "• Phase 2: Containment: 0 of 3 done · skipped: Maintenance mode on, Traffic \
             redirected, Resources scaled up",
            "• Phase 3: Investigation: 0 of 7 done · skipped: Server logs, Database query logs, \
             Sentry reports, Cloudflare analytics, Timeline of events, Trigger identified, \
             Impact scope assessed",
            "• Phase 4: Resolution: 0 of 6 done · skipped: Hotfix deployed, Rolled back, \
             Restored from backup, Smoke tests run, Error rates watched, User reports resolved",
            "• Phase 5: Recovery & Communication: 0 of 6 done · skipped: Maintenance mode off, \
             Traffic routing normal, Status update posted, Compensation decided, Post-mortem \
             scheduled, Lessons documented",
            "Timeline: 9 entries. This channel is archived and read-only.",
        ]
        .join("\n"),
    );
    assert!(
        fake.pings(summary.id).nobody(),
        "{:?}",
        fake.pings(summary.id)
    );

    // Players saw exactly: the alert, the update, the all-clear.
    assert_eq!(
        fake.seen_in(world::ANNOUNCEMENTS, now()),
        [alert_text, update_text, all_clear_text].map(|text| format!("incident-bot: {text}"))
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
        [
            "declare", "assign", "phase", "phase", "phase", "update", "resolve", "fix_held",
            "close"
        ]
    );
}

#[tokio::test]
async fn a_problem_back_after_the_all_clear_is_reopened_and_players_hear_it_from_the_commander() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(&fake, dir.path(), ManualClock::running(T0), |_| {}).await;
    let now = || bot.clock.now();
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    let here = channel.id;
    let resolved = answer(
        &fake,
        world::COMMANDER,
        here,
        "resolve",
        &[("root_cause", "A full disk"), ("all_clear", "now")],
    )
    .await;
    assert!(
        fake.seen(&resolved, now())
            .contains("The all-clear is going out"),
        "{}",
        fake.seen(&resolved, now())
    );
    shows_seen(&fake, world::ANNOUNCEMENTS, "the all-clear", now(), |t| {
        t.starts_with("✅ All Clear")
    })
    .await;

    let reopened = answer(
        &fake,
        world::RESPONDER,
        here,
        "reopen",
        &[("reason", "Logins fail again")],
    )
    .await;
    assert_eq!(
        fake.seen(&reopened, now()),
        "Reopened. Players were given the all-clear in #announcements: tell them the problem \
         is back with /incident update public:true."
    );
    let status = answer(&fake, world::RESPONDER, here, "status", &[]).await;
    let status_text = fake.seen(&status, now());
    assert!(
        status_text.starts_with("Incident #1: Login down (open)")
            && status_text.contains("Phase 4: Resolution"),
        "{status_text}"
    );
    // The post-mortem clock stopped with the reopen; the next fix starts it again.
    let record = bot
        .app
        .db
        .incident_by_channel(incident_bot::domain::ChannelId::new(here.get()).expect("id"))
        .await
        .expect("db")
        .expect("row");
    let pending_pm = |jobs: Vec<incident_bot::store::Job>| {
        jobs.into_iter()
            .filter(|j| j.kind.starts_with("postmortem") && j.finished_at.is_none())
            .count()
    };
    let jobs = bot.app.db.jobs_of(Some(record.id)).await.expect("jobs");
    assert_eq!(pending_pm(jobs), 0);

    let again = answer(
        &fake,
        world::COMMANDER,
        here,
        "resolve",
        &[("root_cause", "A full disk, and its alert was off")],
    )
    .await;
    assert!(
        fake.seen(&again, now())
            .starts_with("Fix recorded. Verifying until"),
        "{}",
        fake.seen(&again, now())
    );
    let status = answer(&fake, world::RESPONDER, here, "status", &[]).await;
    assert_reads(
        fake.seen(&status, now()).lines().nth(3).unwrap_or_default(),
        "Fix applied: verifying it until November 30, 2026 at 10:00, then the all-clear.",
    );
    bot.clock.advance(TimeDelta::hours(1));
    answer_fix_check(&fake, world::COMMANDER, here, FixCheck::Held, now()).await;
    fake.wait_for("the second all-clear", STEP, |f| {
        f.seen_in(world::ANNOUNCEMENTS, now())
            .iter()
            .filter(|t| t.contains("✅ All Clear"))
            .count()
            == 2
    })
    .await;
    let jobs = bot.app.db.jobs_of(Some(record.id)).await.expect("jobs");
    assert!(pending_pm(jobs) > 0, "the post-mortem clock runs again");
    let timeline = bot.app.db.timeline(record.id).await.expect("timeline");
    assert!(
        timeline.iter().any(|e| e.text
            == "Reopened after the all-clear: Logins fail again. Back to Phase 4: Resolution"),
        "{timeline:?}"
    );
}
