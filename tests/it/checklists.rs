//! Checklists people tick: a button per step, who ticked it and when for everyone to see, on
//! the timeline; undone by who ticked it or a commander; counted in status, and reported in
//! the close summary and the post-mortem draft.

use incident_bot::clock::ManualClock;
use incident_bot::config::Settings;
use incident_bot::domain::{
    ChannelId, ChecklistItem, EntryKind, IncidentId, StepId, StepLabel, StepText,
};
use serenity::all::ChannelId as SerenityChannel;

use crate::support::bot::{spawn_bot_on, world, TestBot};
use crate::support::fake_discord::{FakeDiscord, FakeMessage};
use crate::support::story::{
    answer, answer_pm, button_labels, declare, press, run, shows, shows_seen,
};
use crate::support::time::T0;

/// A bot on a stopped clock at 09:00, so every time it writes reads the same.
async fn bot(fake: &FakeDiscord, dir: &std::path::Path) -> TestBot {
    spawn_bot_on(fake, dir, ManualClock::new(T0), |_| {}).await
}

async fn incident_id(bot: &TestBot, channel: SerenityChannel) -> IncidentId {
    bot.app
        .db
        .incident_by_channel(ChannelId::new(channel.get()).expect("id"))
        .await
        .expect("db")
        .expect("an incident")
        .id
}

/// The triage checklist of `channel`, once posted.
async fn triage(fake: &FakeDiscord, channel: SerenityChannel) -> FakeMessage {
    shows(fake, channel, "the triage checklist", |m| {
        m.content.starts_with("**Phase 1: Detection & Triage**")
    })
    .await
}

/// The button styles of a message, in order (2 grey, 3 green).
fn styles(m: &FakeMessage) -> Vec<u64> {
    m.components
        .iter()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .map(|b| b["style"].as_u64().unwrap_or_default())
        .collect()
}

const TRIAGE: [&str; 5] = [
    "Alert received: via Sentry, Cloudflare Monitoring or user reports",
    "Verify the issue is real",
    "Determine severity (P0-P3)",
    "Identify affected systems",
    "Declare the incident: create the incident channel/ticket",
];

/// The triage checklist as read, with the steps at `ticked` (index, who) ticked at 09:00.
fn triage_reads(ticked: &[(usize, &str)]) -> String {
    let mut lines = vec![
        "Phase 1: Detection & Triage, due November 30, 2026 at 09:05 (in 5 minutes)".to_owned(),
    ];
    for (n, text) in TRIAGE.iter().enumerate() {
        lines.push(match ticked.iter().find(|(i, _)| *i == n) {
            Some((_, who)) => format!("✅ {text} (@{who}, November 30, 2026 at 09:00)"),
            None => format!("⬜ {text}"),
        });
    }
    lines.join("\n")
}

#[tokio::test]
async fn pressing_a_step_shows_everyone_who_did_it_and_when_pings_nobody_and_goes_on_the_timeline()
{
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = bot(&fake, dir.path()).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    let checklist = triage(&fake, channel.id).await;
    assert_eq!(fake.seen(&checklist, T0), triage_reads(&[]));
    assert_eq!(
        button_labels(&checklist),
        [
            "Alert received",
            "Issue is real",
            "Severity set",
            "Systems identified",
            "Incident declared"
        ]
    );
    assert_eq!(styles(&checklist), [2, 2, 2, 2, 2]);
    assert!(
        fake.pings(checklist.id).nobody(),
        "{:?}",
        fake.pings(checklist.id)
    );

    let (click, _) = press(&fake, world::RESPONDER, channel.id, "Issue is real").await;

    assert_eq!(click.ack().await.kind, 7, "the checklist itself changes");
    let after = fake.message(checklist.id).expect("the checklist");
    assert_eq!(fake.seen(&after, T0), triage_reads(&[(1, "rhea")]));
    assert_eq!(
        button_labels(&after),
        [
            "Alert received",
            "✓ Issue is real",
            "Severity set",
            "Systems identified",
            "Incident declared"
        ]
    );
    assert_eq!(styles(&after), [2, 3, 2, 2, 2]);
    assert!(
        fake.pings(checklist.id).nobody(),
        "the mention of who ticked it wakes nobody"
    );
    let id = incident_id(&bot, channel.id).await;
    let timeline = bot.app.db.timeline(id).await.expect("timeline");
    let entry = timeline.last().expect("an entry");
    assert_eq!(entry.kind, EntryKind::Checklist);
    assert_eq!(
        entry.text,
        "Ticked “Verify the issue is real” (Phase 1: Detection & Triage)"
    );
    assert_eq!(entry.actor.map(|u| u.get()), Some(world::RESPONDER.get()));
    assert_eq!(entry.at, T0);
    assert_eq!(
        bot.app.db.audit_actions(id).await.expect("audit"),
        ["declare", "tick"]
    );
}

#[tokio::test]
async fn a_tick_is_undone_by_who_made_it_or_a_commander_and_others_are_told_who_can() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = bot(&fake, dir.path()).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    let checklist = triage(&fake, channel.id).await;
    let (click, _) = press(&fake, world::RESPONDER, channel.id, "Alert received").await;
    click.ack().await;

    // Another responder is refused, and only they read why.
    let (refused, _) = press(&fake, world::SECURITY, channel.id, "✓ Alert received").await;
    assert_eq!(
        refused.ack().await.kind,
        4,
        "an answer to the presser, not an edit"
    );
    let answer = refused.reply().await;
    assert_eq!(answer.flags & 64, 64, "only the presser sees it");
    assert_eq!(
        fake.seen(&answer, T0),
        "⛔ @rhea ticked this step. Only they, this incident's commander or a member with the \
         @commanders role can undo it: ask them to press it."
    );
    assert!(
        fake.pings(answer.id).nobody(),
        "{:?}",
        fake.pings(answer.id)
    );
    let still = fake.message(checklist.id).expect("the checklist");
    assert_eq!(fake.seen(&still, T0), triage_reads(&[(0, "rhea")]));

    // A commander may undo anyone's tick; the presser may undo their own.
    let (undo, _) = press(&fake, world::COMMANDER, channel.id, "✓ Alert received").await;
    assert_eq!(undo.ack().await.kind, 7);
    let after = fake.message(checklist.id).expect("the checklist");
    assert_eq!(fake.seen(&after, T0), triage_reads(&[]));
    assert_eq!(button_labels(&after)[0], "Alert received");
    let (again, _) = press(&fake, world::SECURITY, channel.id, "Alert received").await;
    again.ack().await;
    let (own, _) = press(&fake, world::SECURITY, channel.id, "✓ Alert received").await;
    assert_eq!(own.ack().await.kind, 7);
    assert_eq!(
        fake.seen(&fake.message(checklist.id).expect("it"), T0),
        triage_reads(&[])
    );

    let id = incident_id(&bot, channel.id).await;
    let entries: Vec<(u64, String)> = bot
        .app
        .db
        .timeline(id)
        .await
        .expect("timeline")
        .into_iter()
        .filter(|e| e.kind == EntryKind::Checklist)
        .map(|e| (e.actor.map_or(0, |u| u.get()), e.text))
        .collect();
    let alert = "“Alert received: via Sentry, Cloudflare Monitoring or user reports” (Phase 1: Detection & Triage)";
    assert_eq!(
        entries,
        [
            (world::RESPONDER.get(), format!("Ticked {alert}")),
            (world::COMMANDER.get(), format!("Unticked {alert}")),
            (world::SECURITY.get(), format!("Ticked {alert}")),
            (world::SECURITY.get(), format!("Unticked {alert}")),
        ]
    );
}

#[tokio::test]
async fn players_cannot_tick_and_a_closed_incident_takes_no_more_ticks() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = bot(&fake, dir.path()).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    let checklist = triage(&fake, channel.id).await;

    let (player, _) = press(&fake, world::PLAYER, channel.id, "Alert received").await;
    assert_eq!(player.ack().await.kind, 4);
    assert_eq!(
        fake.seen(&player.reply().await, T0),
        "⛔ To work on an incident you need the @responders role. Ask a commander if you should have it."
    );

    run(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[("root_cause", "cache"), ("all_clear", "now")],
    )
    .await;
    run(&fake, world::COMMANDER, channel.id, "close", &[]).await;
    let (late, _) = press(&fake, world::RESPONDER, channel.id, "Alert received").await;
    assert_eq!(late.ack().await.kind, 4);
    assert_eq!(
        fake.seen(&late.reply().await, T0),
        "⛔ This incident is closed: declare a new one if the problem is back."
    );
    assert_eq!(
        fake.seen(&fake.message(checklist.id).expect("it"), T0),
        triage_reads(&[])
    );
    let id = incident_id(&bot, channel.id).await;
    assert!(bot.app.db.ticks(id).await.expect("ticks").is_empty());
}

#[tokio::test]
async fn status_counts_ticks_and_the_summary_and_the_draft_say_who_did_what_and_what_was_skipped() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let _bot = bot(&fake, dir.path()).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    let here = channel.id;
    triage(&fake, here).await;
    for (who, label) in [
        (world::RESPONDER, "Alert received"),
        (world::COMMANDER, "Issue is real"),
        (world::RESPONDER, "Severity set"),
    ] {
        press(&fake, who, here, label).await.0.ack().await;
    }
    run(
        &fake,
        world::RESPONDER,
        here,
        "phase",
        &[("to", "resolution")],
    )
    .await;
    shows(&fake, here, "the resolution checklist", |m| {
        m.content.starts_with("**Phase 4")
    })
    .await;
    press(&fake, world::COMMANDER, here, "Hotfix deployed")
        .await
        .0
        .ack()
        .await;

    let status = answer(&fake, world::RESPONDER, here, "status", &[]).await;
    let status = fake.seen(&status, T0);
    assert!(
        status.ends_with(
            "\nChecklists: Detection & Triage 3/5 · Containment 0/3 · Investigation 0/7 · Resolution 1/6"
        ),
        "{status}"
    );

    run(
        &fake,
        world::COMMANDER,
        here,
        "resolve",
        &[("root_cause", "certificate"), ("all_clear", "now")],
    )
    .await;
    answer_pm(&fake, world::COMMANDER, here, "draft", &[]).await;
    let posted = shows(&fake, here, "the draft", |m| {
        m.attachments.iter().any(|a| a.filename.ends_with(".md"))
    })
    .await;
    let draft = String::from_utf8(posted.attachments[0].bytes.clone()).expect("UTF-8");
    let section = draft
        .split("Checklist steps:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_else(|| panic!("no checklist section in:\n{draft}"));
    // A file shows people by name, never as `<@id>`.
    let (rhea, cole) = ("rhea", "cole");
    assert_eq!(
        section,
        format!(
            "- Phase 1: Detection & Triage: 3 of 5 done
  - [x] Alert received: via Sentry, Cloudflare Monitoring or user reports: {rhea}, 2026-11-30 09:00 UTC
  - [x] Verify the issue is real: {cole}, 2026-11-30 09:00 UTC
  - [x] Determine severity \\(P0-P3\\): {rhea}, 2026-11-30 09:00 UTC
  - [ ] Identify affected systems (skipped)
  - [ ] Declare the incident: create the incident channel/ticket (skipped)
- Phase 2: Containment: not entered, its steps skipped
  - [ ] Enable maintenance mode if needed (skipped)
  - [ ] Redirect traffic to backup servers (skipped)
  - [ ] Scale up resources if capacity issue (skipped)
- Phase 3: Investigation: not entered, its steps skipped
  - [ ] Server logs \\(/var/log/loh-backend/\\) (skipped)
  - [ ] Database query logs (skipped)
  - [ ] Sentry error reports (skipped)
  - [ ] Cloudflare analytics (skipped)
  - [ ] Timeline of events (skipped)
  - [ ] Identify the trigger (skipped)
  - [ ] Assess the impact scope (skipped)
- Phase 4: Resolution: 1 of 6 done
  - [x] Deploy a hotfix \\(bypass CI for P0\\): {cole}, 2026-11-30 09:00 UTC
  - [ ] Roll back if a recent deployment caused the issue (skipped)
  - [ ] Restore from backup if data is corrupted (skipped)
  - [ ] Run smoke tests (skipped)
  - [ ] Monitor error rates for 1 hour (skipped)
  - [ ] Confirm user reports are resolved (skipped)
- Phase 5: Recovery & Communication: 0 of 6 done
  - [ ] Disable maintenance mode (not done yet)
  - [ ] Resume normal traffic routing (not done yet)
  - [ ] Post a status update \\(Discord/Twitter/in-game\\) (not done yet)
  - [ ] Compensation if needed \\(e.g., free subscription days\\) (not done yet)
  - [ ] Schedule the post-mortem within 48 hours (not done yet)
  - [ ] Document lessons learned (not done yet)"
        )
    );

    run(&fake, world::COMMANDER, here, "close", &[]).await;
    let (summary, text) = shows_seen(&fake, here, "the close summary", T0, |t| {
        t.contains("closed: Login down")
    })
    .await;
    let checklists = text
        .split("Checklists\n")
        .nth(1)
        .and_then(|rest| rest.split("\nTimeline:").next())
        .unwrap_or_else(|| panic!("no checklists in:\n{text}"));
    assert_eq!(
        checklists,
        "• Phase 1: Detection & Triage: 3 of 5 done by @rhea (Alert received, Severity set), \
         @cole (Issue is real) · skipped: Systems identified, Incident declared
• Phase 2: Containment: not entered (3 steps skipped)
• Phase 3: Investigation: not entered (7 steps skipped)
• Phase 4: Resolution: 1 of 6 done by @cole (Hotfix deployed) · skipped: Rolled back, \
Restored from backup, Smoke tests run, Error rates watched, User reports resolved
• Phase 5: Recovery & Communication: 0 of 6 done · skipped: Maintenance mode off, Traffic \
routing normal, Status update posted, Compensation decided, Post-mortem scheduled, Lessons \
documented"
    );
    assert!(
        fake.pings(summary.id).nobody(),
        "{:?}",
        fake.pings(summary.id)
    );
}

fn step(id: &str, label: &str, text: &str) -> ChecklistItem {
    ChecklistItem {
        id: StepId::parse(id).expect("id"),
        label: StepLabel::parse(label).expect("label"),
        text: StepText::parse(text).expect("text"),
        group: None,
        severities: None,
        action: None,
    }
}

#[tokio::test]
async fn a_tick_survives_a_restart_with_the_checklist_reworded_and_reordered() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::new(T0);
    let first = spawn_bot_on(&fake, dir.path(), clock.clone(), |_| {}).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    let checklist = triage(&fake, channel.id).await;
    press(&fake, world::RESPONDER, channel.id, "Issue is real")
        .await
        .0
        .ack()
        .await;
    first.stop().await;

    let edited = |s: &mut Settings| {
        s.checklists.triage = vec![
            step(
                "real",
                "Confirmed",
                "Confirm the issue with a second source",
            ),
            step("alert", "Alert received", "Alert received"),
        ];
    };
    let _second = spawn_bot_on(&fake, dir.path(), clock, edited).await;
    press(&fake, world::COMMANDER, channel.id, "Alert received")
        .await
        .0
        .ack()
        .await;

    let after = fake.message(checklist.id).expect("the checklist");
    assert_eq!(
        fake.seen(&after, T0),
        "Phase 1: Detection & Triage, due November 30, 2026 at 09:05 (in 5 minutes)
✅ Confirm the issue with a second source (@rhea, November 30, 2026 at 09:00)
✅ Alert received (@cole, November 30, 2026 at 09:00)"
    );
    assert_eq!(button_labels(&after), ["✓ Confirmed", "✓ Alert received"]);
}

#[tokio::test]
async fn a_checklist_of_25_steps_is_five_rows_of_five_buttons_that_discord_accepts() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let many = |s: &mut Settings| {
        s.checklists.triage = (1..=25)
            .map(|n| {
                step(
                    &format!("s{n}"),
                    &format!("Step {n}"),
                    &format!("Do step {n}"),
                )
            })
            .collect();
    };
    let _bot = spawn_bot_on(&fake, dir.path(), ManualClock::new(T0), many).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;

    let checklist = triage(&fake, channel.id).await;

    let rows: Vec<usize> = checklist
        .components
        .iter()
        .map(|row| row["components"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(rows, [5, 5, 5, 5, 5]);
    let last = press(&fake, world::RESPONDER, channel.id, "Step 25")
        .await
        .0;
    assert_eq!(
        last.ack().await.kind,
        7,
        "the edit with 25 buttons is accepted too"
    );
    // The fake fails the test when dropped if Discord would have refused any request.
}
