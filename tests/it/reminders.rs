//! Nothing promised is forgotten: escalation, the update cadence, phase nudges, the fix check,
//! and the post-mortem's reminders, across a restart, with config durations of seconds.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use incident_bot::app::{Effect, Outbox, Target};
use incident_bot::clock::Clock;
use incident_bot::config::{DiscordToken, Settings};
use incident_bot::domain::{ChannelId, IncidentId, Phase, Status};
use incident_bot::scheduler::JobHandler;

use crate::support::bot::{spawn_bot_in, spawn_bot_on, spawn_bot_with, world, TestBot, STEP};
use crate::support::fake_discord::FakeDiscord;
use crate::support::story::{
    answer, answer_fix_check, answer_pm, assert_reads, button_labelled, declare, run, shows_seen,
    FixCheck,
};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// How many messages in `channel` read, at `now`, as containing `needle`.
fn count(
    fake: &FakeDiscord,
    now: DateTime<Utc>,
    channel: serenity::all::ChannelId,
    needle: &str,
) -> usize {
    fake.messages(channel)
        .iter()
        .filter(|m| fake.seen(m, now).contains(needle))
        .count()
}

/// A date as Discord's client shows a `<t:…:f>` timestamp (in UTC, to the minute).
fn date(at: DateTime<Utc>) -> String {
    at.format("%B %-d, %Y at %H:%M").to_string()
}

/// The checklist that follows the resolve message, as a person reads it.
const RECOVERY: &str = "Phase 5: Recovery & Communication
Restore normal operations
⬜ Disable maintenance mode
⬜ Resume normal traffic routing
User communication
⬜ Post a status update (Discord/Twitter/in-game)
⬜ Compensation if needed (e.g., free subscription days)
Internal debrief
⬜ Schedule the post-mortem within 48 hours
⬜ Document lessons learned";

async fn incident_id(bot: &TestBot, channel: serenity::all::ChannelId) -> IncidentId {
    let ours = ChannelId::new(channel.get()).expect("id");
    bot.app
        .db
        .incident_by_channel(ours)
        .await
        .expect("db")
        .expect("an incident")
        .id
}

#[tokio::test]
async fn nobody_taking_command_escalates_until_someone_does() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s: &mut Settings| {
        s.severity.p0.commander_timeout = Some(secs(1));
        s.escalation.max_repeats = 5;
    })
    .await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    let escalation = "Nobody has taken command of this P0 incident after";
    let (first, text) = shows_seen(
        &fake,
        channel.id,
        "the escalation",
        bot.clock.now(),
        |text| text.contains(escalation),
    )
    .await;
    assert_reads(
        &text,
        "@commanders ⏰ Nobody has taken command of this P0 incident after {duration}
An incident without a commander drifts.
Next step: take it with /incident assign role:commander",
    );
    let pings = fake.pings(first.id);
    assert_eq!(
        pings.roles,
        [world::COMMANDER_ROLE],
        "escalate_to is pinged"
    );
    assert!(pings.users.is_empty() && !pings.everyone, "{pings:?}");
    fake.wait_for("a repeat", STEP, |f| {
        count(f, bot.clock.now(), channel.id, escalation) >= 2
    })
    .await;
    let commander = format!("<@{}>", world::COMMANDER);
    let assigned = answer(
        &fake,
        world::RESPONDER,
        channel.id,
        "assign",
        &[("role", "commander"), ("user", &commander)],
    )
    .await;
    assert_eq!(
        fake.seen(&assigned, bot.clock.now()),
        "@cole is now incident commander."
    );
    let after = count(&fake, bot.clock.now(), channel.id, escalation);
    // Past the next escalation's time (`commander_timeout` is 1 s), then until the queue has
    // caught up: one still planned would have fired.
    bot.clock.advance(TimeDelta::seconds(2));
    bot.settle().await;
    assert_eq!(
        count(&fake, bot.clock.now(), channel.id, escalation),
        after,
        "escalation stops once someone takes command"
    );
}

#[tokio::test]
async fn escalation_repeats_only_up_to_its_bound() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s: &mut Settings| {
        s.severity.p1.commander_timeout = Some(Duration::from_millis(300));
        s.escalation.max_repeats = 2;
    })
    .await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store down"), ("severity", "P1")],
    )
    .await;
    let escalation = "Nobody has taken command of this P1 incident after";
    fake.wait_for("two escalations", STEP, |f| {
        count(f, bot.clock.now(), channel.id, escalation) == 2
    })
    .await;
    // Past a third escalation's time (300 ms after the second), then until the queue has
    // caught up.
    bot.clock.advance(TimeDelta::milliseconds(1200));
    bot.settle().await;
    assert_eq!(count(&fake, bot.clock.now(), channel.id, escalation), 2);
}

#[tokio::test]
async fn a_severity_round_trip_escalates_again_when_nobody_takes_command() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s: &mut Settings| {
        s.severity.p1.commander_timeout = Some(secs(2));
        s.severity.p0.commander_timeout = Some(secs(3600));
        s.escalation.max_repeats = 1;
    })
    .await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store down"), ("severity", "P1")],
    )
    .await;
    for (level, reads) in [
        (
            "P0",
            "Severity is now P0. The service alert is going out to players.",
        ),
        ("P1", "Severity is now P1."),
    ] {
        let answer = answer(
            &fake,
            world::COMMANDER,
            channel.id,
            "severity",
            &[("level", level)],
        )
        .await;
        assert_eq!(fake.seen(&answer, bot.clock.now()), reads);
    }
    // Whether or not the first P1 escalation fired before the round trip, the P1 it came back
    // to has nobody in command again: that is a fresh need.
    let escalation = "Nobody has taken command of this P1 incident after";
    let before = count(&fake, bot.clock.now(), channel.id, escalation);
    fake.wait_for("the escalation after the round trip", STEP, |f| {
        count(f, bot.clock.now(), channel.id, escalation) == before + 1
    })
    .await;
}

#[tokio::test]
async fn an_update_reminder_performed_twice_schedules_its_next_reminder_once() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s: &mut Settings| {
        s.severity.p1.update_every = Some(secs(1));
    })
    .await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P1")],
    )
    .await;
    let id = incident_id(&bot, channel.id).await;
    // Take the reminder before the queue does, and perform it twice, as after a crash between
    // Discord's answer and marking it done.
    let claimed = bot
        .app
        .db
        .claim_due_jobs(
            bot.app.clock.now() + chrono::TimeDelta::hours(1),
            chrono::TimeDelta::hours(2),
            100,
            u32::MAX,
            "",
        )
        .await
        .expect("claim");
    let job = claimed
        .jobs
        .into_iter()
        .find(|j| j.kind == "update_due")
        .expect("the update reminder");
    bot.clock.advance(TimeDelta::milliseconds(1100));
    let http = Arc::new(
        incident_bot::discord::http(&bot.app, &DiscordToken::new(fake.token().to_owned()))
            .expect("an HTTP client"),
    );
    let performer = incident_bot::discord::performer(&bot.app, http);
    performer.perform(&job).await.expect("first attempt");
    bot.clock.advance(TimeDelta::milliseconds(20));
    performer.perform(&job).await.expect("the retry");
    let next: Vec<_> = bot
        .app
        .db
        .jobs_of(Some(id))
        .await
        .expect("jobs")
        .into_iter()
        .filter(|j| j.kind == "update_due" && j.id != job.id)
        .collect();
    assert_eq!(next.len(), 1, "{next:#?}");
}

#[tokio::test]
async fn a_quiet_incident_gets_an_update_reminder_and_an_update_resets_it() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s: &mut Settings| {
        s.severity.p1.update_every = Some(secs(2))
    })
    .await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P1")],
    )
    .await;
    let (reminder, text) = shows_seen(
        &fake,
        channel.id,
        "the update reminder",
        bot.clock.now(),
        |text| text.contains("No update for"),
    )
    .await;
    // Nobody is comms lead or commander: the P1's page roles are woken instead, and told why.
    assert_reads(
        &text,
        "@responders ⏰ No update for {duration}
The P1 cadence is an update every 2s. Nobody is comms lead or commander of this incident, \
so this goes to the on-call responders.
Next step: post one with /incident update (add public:true to tell players)",
    );
    let pings = fake.pings(reminder.id);
    assert_eq!(pings.roles, [world::RESPONDER_ROLE]);
    assert!(pings.users.is_empty() && !pings.everyone, "{pings:?}");

    // The reminder queued the next one a cadence after itself (once its job has finished:
    // its message shows before the job commits what it queues); an update half a cadence
    // later moves it to a cadence after the update, and only that one waits.
    bot.settle().await;
    bot.clock.advance(TimeDelta::milliseconds(500));
    let updated = answer(
        &fake,
        world::RESPONDER,
        channel.id,
        "update",
        &[("message", "Cache warming")],
    )
    .await;
    assert_eq!(fake.seen(&updated, bot.clock.now()), "Update posted.");
    let id = incident_id(&bot, channel.id).await;
    let updated_at = bot
        .app
        .db
        .incident(id)
        .await
        .expect("db")
        .expect("the incident")
        .incident
        .last_update_at
        .expect("the update is recorded");
    let jobs = bot.app.db.jobs_of(Some(id)).await.expect("jobs");
    let waiting: Vec<_> = jobs
        .iter()
        .filter(|j| j.kind == "update_due" && j.finished_at.is_none())
        .map(|j| j.due_at)
        .collect();
    assert_eq!(
        waiting,
        [updated_at + chrono::TimeDelta::seconds(2)],
        "{jobs:?}"
    );
    assert!(
        jobs.iter()
            .any(|j| j.kind == "update_due" && j.finished_at.is_some() && j.attempts == 0),
        "the reminder queued before the update is cancelled: {jobs:?}"
    );
}

#[tokio::test]
async fn an_overrun_phase_gets_a_nudge_naming_the_overrun_and_the_next_step() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s: &mut Settings| s.phases.triage = secs(1)).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P2")],
    )
    .await;
    let (nudge, text) = shows_seen(&fake, channel.id, "the nudge", bot.clock.now(), |text| {
        text.contains("is over its budget")
    })
    .await;
    // A P2 pages nobody, and the nudge says so rather than waking anyone.
    assert_reads(
        &text,
        "⏰ Phase 1: Detection & Triage is over its budget by {duration}
The plan gives it until 1s after detection. Nobody is commander of this incident, \
and no role is paged for its severity.
Next step: Enable maintenance mode if needed",
    );
    assert!(fake.pings(nudge.id).nobody(), "{:?}", fake.pings(nudge.id));
}

#[tokio::test]
async fn resolve_cancels_the_phase_nudges_and_done_cancels_the_postmortem_reminders() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    run(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[("root_cause", "certificate"), ("all_clear", "now")],
    )
    .await;
    let id = incident_id(&bot, channel.id).await;
    let jobs = bot.app.db.jobs_of(Some(id)).await.expect("jobs");
    let nudges: Vec<_> = jobs.iter().filter(|j| j.kind == "phase_nudge").collect();
    assert!(
        !nudges.is_empty()
            && nudges
                .iter()
                .all(|j| j.finished_at.is_some() && j.attempts == 0),
        "{nudges:?}"
    );
    assert!(jobs
        .iter()
        .any(|j| j.kind == "postmortem_reminder" && j.finished_at.is_none()));

    let done = answer_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "done",
        &[("link", "https://wiki.example.com/pm/1")],
    )
    .await;
    assert_eq!(
        fake.seen(&done, bot.clock.now()),
        "Post-mortem marked done; its reminders are cancelled."
    );
    let jobs = bot.app.db.jobs_of(Some(id)).await.expect("jobs");
    let open: Vec<_> = jobs
        .iter()
        .filter(|j| j.kind.starts_with("postmortem") && j.finished_at.is_none())
        .collect();
    assert!(open.is_empty(), "{open:?}");
}

/// A P2 resolved in `fake` with a fix check after a second; returns its channel.
async fn resolved_p2(fake: &FakeDiscord) -> serenity::all::ChannelId {
    let channel = declare(
        fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    run(
        fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[("root_cause", "certificate")],
    )
    .await;
    channel.id
}

#[tokio::test]
async fn the_fix_check_asks_after_the_window_and_only_a_commander_may_say_it_held() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s: &mut Settings| {
        s.resolution.verify_after = secs(1)
    })
    .await;
    let channel = resolved_p2(&fake).await;
    let (ask, text) = shows_seen(&fake, channel, "the fix check", bot.clock.now(), |text| {
        text.contains("did it hold?")
    })
    .await;
    // A P2 with nobody in command pages nobody: the question says so.
    assert_reads(
        &text,
        "⏰ The fix went in {duration} ago: did it hold?
Smoke tests pass, error rates have been normal for the window, and user reports have stopped? \
Nobody is commander of this incident, and no role is paged for its severity.
Next step: press The fix held to give players the all-clear, or It did not hold to go back to \
phase 4; I ask again in 1s otherwise",
    );
    assert!(fake.pings(ask.id).nobody(), "{:?}", fake.pings(ask.id));

    // A responder without the commander role may not end the incident's work.
    let click = fake
        .button(
            world::RESPONDER,
            ask.id,
            &button_labelled(&ask, "The fix held"),
        )
        .send()
        .await;
    assert_eq!(click.ack().await.kind, 4, "an answer to the clicker alone");
    let refused = click.reply().await;
    assert_eq!(refused.flags & 64, 64, "{refused:?}");
    assert!(
        fake.seen(&refused, bot.clock.now()).starts_with("⛔ "),
        "{}",
        fake.seen(&refused, bot.clock.now())
    );
    assert!(fake.pings(refused.id).nobody());

    let answered = answer_fix_check(
        &fake,
        world::COMMANDER,
        channel,
        FixCheck::Held,
        bot.clock.now(),
    )
    .await;
    let id = incident_id(&bot, channel).await;
    let timeline = bot.app.db.timeline(id).await.expect("timeline");
    let verified = timeline
        .iter()
        .find(|e| e.text.starts_with("Fix verified"))
        .unwrap_or_else(|| panic!("{timeline:?}"));
    assert_eq!(
        fake.seen(&answered, bot.clock.now()),
        format!(
            "⏰ Did the fix hold? ✅ Yes, said @cole at {}.",
            date(verified.at)
        )
    );
    assert!(fake.pings(ask.id).nobody(), "{:?}", fake.pings(ask.id));
    let record = bot.app.db.incident(id).await.expect("db").expect("row");
    assert_eq!(record.incident.status, Status::Resolved);
    assert_eq!(record.incident.phase, Phase::Recovery);
}

#[tokio::test]
async fn a_fix_that_did_not_hold_goes_back_to_phase_four_and_its_reminders_run_again() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s: &mut Settings| {
        s.resolution.verify_after = secs(1)
    })
    .await;
    let channel = resolved_p2(&fake).await;
    // Any responder may say the fix failed: caution is everyone's.
    let answered = answer_fix_check(
        &fake,
        world::RESPONDER,
        channel,
        FixCheck::Failed("Error rates are back up"),
        bot.clock.now(),
    )
    .await;
    assert_eq!(
        fake.seen(&answered, bot.clock.now()),
        format!(
            "⏰ Did the fix hold? 🔁 No, said @rhea at {}: incident #1 is back in Phase 4: \
             Resolution.",
            date(bot.clock.now())
        )
    );
    let (notice, _) = shows_seen(&fake, channel, "the reopen notice", bot.clock.now(), |t| {
        t.starts_with("🔁 Reopened by @rhea")
    })
    .await;
    assert_eq!(
        fake.seen(&notice, bot.clock.now()),
        "🔁 Reopened by @rhea: back to Phase 4: Resolution\nError rates are back up. Run \
         /incident resolve again when a new fix is in."
    );
    assert!(fake.pings(notice.id).nobody());
    let id = incident_id(&bot, channel).await;
    let record = bot.app.db.incident(id).await.expect("db").expect("row");
    assert_eq!(
        (record.incident.status, record.incident.phase),
        (Status::Open, Phase::Resolution)
    );
    let timeline = bot.app.db.timeline(id).await.expect("timeline");
    assert!(
        timeline.iter().any(|e| e.text
            == "The fix did not hold: Error rates are back up. Back to Phase 4: Resolution"),
        "{timeline:?}"
    );
    let waiting: Vec<String> = bot
        .app
        .db
        .jobs_of(Some(id))
        .await
        .expect("jobs")
        .into_iter()
        .filter(|j| j.finished_at.is_none())
        .map(|j| j.kind)
        .collect();
    for kind in ["update_due", "phase_nudge", "escalate_commander"] {
        assert!(waiting.iter().any(|k| k == kind), "{kind}: {waiting:?}");
    }
    assert!(bot.app.db.postmortem(id).await.expect("db").is_none());
    assert!(
        fake.messages(world::ANNOUNCEMENTS).is_empty(),
        "players heard nothing of a P2"
    );
}

#[tokio::test]
async fn close_waits_for_the_fix_to_hold_and_reopen_cancels_the_fix_check() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    let channel = resolved_p2(&fake).await;
    let refused = run(&fake, world::COMMANDER, channel, "close", &[]).await;
    assert_eq!(
        refused,
        "⛔ The fix is still being verified: press The fix held under the fix check once the \
         verify steps pass, then close."
    );
    let reopened = run(
        &fake,
        world::COMMANDER,
        channel,
        "reopen",
        &[("reason", "errors are back")],
    )
    .await;
    assert_eq!(
        reopened,
        "Reopened: back to phase 4. Players were not told it was fixed."
    );
    let id = incident_id(&bot, channel).await;
    let checks: Vec<_> = bot
        .app
        .db
        .jobs_of(Some(id))
        .await
        .expect("jobs")
        .into_iter()
        .filter(|j| j.kind == "verify_fix")
        .collect();
    assert!(
        checks.len() == 1 && checks[0].finished_at.is_some() && checks[0].attempts == 0,
        "cancelled, never run: {checks:#?}"
    );
}

#[tokio::test]
async fn a_fix_check_answered_after_a_reopen_records_nothing() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |s: &mut Settings| {
        s.resolution.verify_after = secs(1)
    })
    .await;
    let channel = resolved_p2(&fake).await;
    let (ask, _) = shows_seen(&fake, channel, "the fix check", bot.clock.now(), |text| {
        text.contains("did it hold?")
    })
    .await;
    run(
        &fake,
        world::COMMANDER,
        channel,
        "reopen",
        &[("reason", "errors are back")],
    )
    .await;
    let click = fake
        .button(
            world::COMMANDER,
            ask.id,
            &button_labelled(&ask, "The fix held"),
        )
        .send()
        .await;
    assert_eq!(
        click.ack().await.kind,
        4,
        "an answer to the clicker, not an edit"
    );
    let answer = click.reply().await;
    assert_eq!(
        answer.flags & 64,
        64,
        "only the clicker sees it: {answer:?}"
    );
    assert_eq!(
        fake.seen(&answer, bot.clock.now()),
        "⛔ No fix is being verified: run /incident resolve when the fix is in, which starts the \
         verification."
    );
    assert!(
        fake.pings(answer.id).nobody(),
        "{:?}",
        fake.pings(answer.id)
    );
    let timeline = bot
        .app
        .db
        .timeline(incident_id(&bot, channel).await)
        .await
        .expect("timeline");
    assert!(
        !timeline.iter().any(|e| e.text.starts_with("Fix verified")),
        "{timeline:?}"
    );
}

#[tokio::test]
async fn a_reminder_due_while_the_bot_was_down_arrives_once_after_restart_then_the_overdue_escalation(
) {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let short = |s: &mut Settings| {
        s.postmortem.due_after = secs(4);
        s.postmortem.remind_before = vec![secs(2)];
        s.postmortem.overdue_every = secs(60);
    };
    let first = spawn_bot_in(&fake, dir.path(), short).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    let resolved = answer(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[("root_cause", "certificate"), ("all_clear", "now")],
    )
    .await;
    let id = incident_id(&first, channel.id).await;
    let due = first
        .app
        .db
        .postmortem(id)
        .await
        .expect("db")
        .expect("a post-mortem")
        .due_at;
    assert_reads(
        &fake.seen(&resolved, first.clock.now()),
        &format!(
            "Resolved after {{duration}}. The all-clear is going out to players. \
             A post-mortem is due {}.",
            date(due)
        ),
    );
    let clock = first.clock.clone();
    first.stop().await;

    // Time passes while it is down: both reminders fall due. The second bot starts on the
    // same clock, as a restart would find the time.
    clock.advance(TimeDelta::seconds(3));
    assert_eq!(
        count(&fake, clock.now(), channel.id, "post-mortem of incident #1"),
        0,
        "nothing fires while the bot is down"
    );
    let second = spawn_bot_on(&fake, dir.path(), clock.clone(), short).await;
    // No commander: the P0's page roles are woken, and told why.
    let nobody = "Nobody is commander of this incident, so this goes to the on-call responders.";
    let (reminder, text) = shows_seen(
        &fake,
        channel.id,
        "the reminder",
        second.clock.now(),
        |text| text.contains("post-mortem of incident #1 is due"),
    )
    .await;
    // The date, not a relative time: it reads the same however late the reminder went out.
    assert_eq!(
        text.lines().next(),
        Some(
            format!(
                "@responders ⏰ The post-mortem of incident #1 is due {}",
                date(due)
            )
            .as_str()
        ),
        "{text}"
    );
    assert_eq!(
        text.lines().skip(1).collect::<Vec<_>>(),
        [
            format!("every P0 incident gets a post-mortem. {nobody}"),
            "Next step: draft it with /postmortem draft".to_owned(),
        ]
    );
    let pings = fake.pings(reminder.id);
    assert_eq!(pings.roles, [world::RESPONDER_ROLE]);
    assert!(pings.users.is_empty() && !pings.everyone, "{pings:?}");
    let (overdue, text) = shows_seen(
        &fake,
        channel.id,
        "the overdue escalation",
        second.clock.now(),
        |text| text.contains("is overdue"),
    )
    .await;
    assert_reads(
        &text,
        &format!(
            "@responders @commanders ⏰ The post-mortem of incident #1 is overdue by {{duration}}
It was due {}. {nobody}
Next step: draft it with /postmortem draft, then /postmortem done link:<url>",
            date(due)
        ),
    );
    // The P0's page roles, plus the post-mortem's escalation roles.
    let pings = fake.pings(overdue.id);
    assert_eq!(pings.roles, [world::RESPONDER_ROLE, world::COMMANDER_ROLE]);
    assert!(pings.users.is_empty() && !pings.everyone, "{pings:?}");
    second.settle().await;
    let now = second.clock.now();
    assert_eq!(
        count(&fake, now, channel.id, "post-mortem of incident #1 is due"),
        1,
        "exactly once"
    );
    assert_eq!(count(&fake, now, channel.id, "is overdue"), 1);
}

#[tokio::test]
async fn a_job_retried_after_discord_accepted_its_message_does_not_post_twice() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P3")],
    )
    .await;
    let id = incident_id(&bot, channel.id).await;
    let now = bot.app.clock.now();
    let mut tx = bot.app.db.begin().await.expect("begin");
    let effect = Effect::Post {
        to: Target::IncidentChannel,
        content: "Crash window probe".into(),
        ping_roles: vec![],
        file: None,
        buttons: vec![],
    };
    Outbox::new("test:crash", id, now + chrono::TimeDelta::hours(1))
        .push(&mut tx, effect)
        .await
        .expect("queue");
    tx.commit().await.expect("commit");
    let job = bot
        .app
        .db
        .claim_due_jobs(
            now + chrono::TimeDelta::hours(2),
            chrono::TimeDelta::minutes(5),
            100,
            u32::MAX,
            "",
        )
        .await
        .expect("claim");
    let job = job
        .jobs
        .into_iter()
        .find(|j| j.idempotency_key.starts_with("test:crash"))
        .expect("the probe job");
    // The same job performed twice, as after a crash between Discord's answer and marking it done.
    let http = Arc::new(
        incident_bot::discord::http(&bot.app, &DiscordToken::new(fake.token().to_owned()))
            .expect("an HTTP client"),
    );
    let performer = incident_bot::discord::performer(&bot.app, http);
    performer.perform(&job).await.expect("first attempt");
    performer.perform(&job).await.expect("the retry");
    assert_eq!(
        count(&fake, bot.clock.now(), channel.id, "Crash window probe"),
        1,
        "the nonce made the retry harmless"
    );
}

#[tokio::test]
async fn a_p1_needs_a_postmortem_only_when_its_system_had_an_earlier_p0_or_p1() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    let resolved = |root_cause: &str, decision: &str| {
        format!(
            "✅ Resolved by @cole after {{duration}}, without a verification window\nRoot cause: {root_cause}\n\n📝 {decision}"
        )
    };
    let first = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login slow"),
            ("severity", "P1"),
            ("systems", "Login"),
        ],
    )
    .await;
    run(
        &fake,
        world::COMMANDER,
        first.id,
        "resolve",
        &[("root_cause", "cache"), ("all_clear", "now")],
    )
    .await;
    let (said, text) = shows_seen(&fake, first.id, "no post-mortem", bot.clock.now(), |text| {
        text.contains("No post-mortem required")
    })
    .await;
    assert_reads(
        &text,
        &resolved(
            "cache",
            "No post-mortem required: no earlier P0/P1 on Login within the last 30 days, \
             so this P1 is not a recurrence",
        ),
    );
    assert!(fake.pings(said.id).nobody(), "{:?}", fake.pings(said.id));
    // Right after it, the recovery checklist, a message of its own with a button per step.
    let (checklist, text) = shows_seen(&fake, first.id, "the checklist", bot.clock.now(), |text| {
        text.starts_with("Phase 5: Recovery")
    })
    .await;
    assert_eq!(text, RECOVERY);
    let order: Vec<_> = fake.messages(first.id).iter().map(|m| m.id).collect();
    assert_eq!(
        order.iter().position(|m| *m == checklist.id),
        order.iter().position(|m| *m == said.id).map(|p| p + 1),
        "the checklist follows what the resolve said"
    );
    assert!(
        fake.pings(checklist.id).nobody(),
        "{:?}",
        fake.pings(checklist.id)
    );

    let again = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login slow again"),
            ("severity", "P1"),
            ("systems", "Login"),
        ],
    )
    .await;
    let answer = answer(
        &fake,
        world::COMMANDER,
        again.id,
        "resolve",
        &[("root_cause", "cache again"), ("all_clear", "now")],
    )
    .await;
    let due = bot
        .app
        .db
        .postmortem(incident_id(&bot, again.id).await)
        .await
        .expect("db")
        .expect("a post-mortem")
        .due_at;
    assert_reads(
        &fake.seen(&answer, bot.clock.now()),
        &format!(
            "Resolved after {{duration}}. A post-mortem is due {}.",
            date(due)
        ),
    );
    let (why, text) = shows_seen(&fake, again.id, "the decision", bot.clock.now(), |text| {
        text.contains("Post-mortem required")
    })
    .await;
    assert_reads(
        &text,
        &resolved(
            "cache again",
            &format!(
                "Post-mortem required, due {}: Login already had P1 incident #1 \
                 within the last 30 days, so this P1 is a recurrence",
                date(due)
            ),
        ),
    );
    assert!(fake.pings(why.id).nobody(), "{:?}", fake.pings(why.id));

    let fresh = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Store slow"),
            ("severity", "P1"),
            ("systems", "Store"),
        ],
    )
    .await;
    run(
        &fake,
        world::COMMANDER,
        fresh.id,
        "resolve",
        &[("root_cause", "disk"), ("all_clear", "now")],
    )
    .await;
    let (said, text) = shows_seen(&fake, fresh.id, "no post-mortem", bot.clock.now(), |text| {
        text.contains("No post-mortem required")
    })
    .await;
    assert_reads(
        &text,
        &resolved(
            "disk",
            "No post-mortem required: no earlier P0/P1 on Store within the last 30 days, \
             so this P1 is not a recurrence",
        ),
    );
    assert!(fake.pings(said.id).nobody(), "{:?}", fake.pings(said.id));
}

#[tokio::test]
async fn a_job_discord_refuses_for_good_is_given_up_and_reported_in_the_log_channel() {
    let fake = world::fake().start().await;
    let bot = spawn_bot_with(&fake, |_| {}).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P3")],
    )
    .await;
    let id = incident_id(&bot, channel.id).await;
    let gone = ChannelId::new(1_100_000_000_000_009_999).expect("id");
    let mut tx = bot.app.db.begin().await.expect("begin");
    let effect = Effect::Post {
        to: Target::Channel(gone),
        content: "to nowhere".into(),
        ping_roles: vec![],
        file: None,
        buttons: vec![],
    };
    Outbox::new("test:gone", id, bot.app.clock.now())
        .push(&mut tx, effect)
        .await
        .expect("queue");
    tx.commit().await.expect("commit");
    bot.app.waker.wake();
    let (report, text) = shows_seen(&fake, world::LOG, "the report", bot.clock.now(), |text| {
        text.contains("Gave up on a post job")
    })
    .await;
    assert_eq!(
        text,
        "⚠️ Gave up on a post job for incident #1 after 1 attempt: \
         POST 404 (code 10003): Unknown Channel"
    );
    assert!(
        fake.pings(report.id).nobody(),
        "{:?}",
        fake.pings(report.id)
    );
    let job = bot
        .app
        .db
        .jobs_of(Some(id))
        .await
        .expect("jobs")
        .into_iter()
        .find(|j| j.idempotency_key.starts_with("test:gone"))
        .expect("the job");
    assert!(
        job.finished_at.is_some() && job.last_error.is_some(),
        "{job:?}"
    );
    // The one refusal this test provokes on purpose.
    let refused = fake.expect_violations(1);
    assert!(refused[0].detail.contains("Unknown Channel"), "{refused:?}");
}
