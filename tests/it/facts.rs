//! Facts that can be corrected and players told on purpose, end to end: real ETAs, the alert on
//! request, published updates within the hourly budget, `/incident edit` with its renames,
//! `detected_at` and the deadlines it moves, and turning an incident into a security one.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use incident_bot::clock::{Clock, ManualClock};
use incident_bot::domain::IncidentKind;

use crate::support::bot::{spawn_bot_on, world, TestBot, STEP};
use crate::support::fake_discord::FakeDiscord;
use crate::support::story::{answer, declare, run, run_pm, shows, shows_seen};
use crate::support::time::T0;

/// 09:00 sharp: the bot's clock starts here and runs.
async fn start() -> (FakeDiscord, TestBot, tempfile::TempDir) {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(&fake, dir.path(), ManualClock::running(T0), |_| {}).await;
    (fake, bot, dir)
}

/// What players have been shown in the announcement channel, as they read it at `now`.
fn players_read(fake: &FakeDiscord, now: DateTime<Utc>) -> Vec<String> {
    fake.messages(world::ANNOUNCEMENTS)
        .iter()
        .map(|m| fake.seen(m, now))
        .collect()
}

#[tokio::test]
async fn an_eta_given_at_declare_reaches_players_as_a_time_and_status_keeps_the_last_one() {
    let (fake, bot, _dir) = start().await;
    let now = || bot.clock.now();
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
            ("eta", "30m"),
        ],
    )
    .await;
    let (_, alert) = shows_seen(&fake, world::ANNOUNCEMENTS, "the alert", now(), |t| {
        t.contains("Service Alert")
    })
    .await;
    assert!(
        alert.contains("\nETA: 09:30 (in 30 minutes)\n"),
        "players read a time and how far off it is:\n{alert}"
    );
    let status = answer(&fake, world::RESPONDER, channel.id, "status", &[]).await;
    let status = fake.seen(&status, now());
    assert!(
        status.contains("\nDetected November 30, 2026 at 09:00 · ETA: 09:30 (in 30 minutes)\n"),
        "{status}"
    );

    // Words are shown as typed: markdown and mentions stay text.
    let cole = format!("<@{}>", world::COMMANDER);
    run(
        &fake,
        world::RESPONDER,
        channel.id,
        "assign",
        &[("role", "commander"), ("user", &cole)],
    )
    .await;
    let reply = run(
        &fake,
        world::RESPONDER,
        channel.id,
        "update",
        &[
            ("message", "Rolling back"),
            ("public", "true"),
            ("eta", "after the **hotfix** @everyone"),
        ],
    )
    .await;
    assert!(reply.starts_with("Update posted here and to"), "{reply}");
    let (update, text) = shows_seen(&fake, world::ANNOUNCEMENTS, "the update", now(), |t| {
        t.contains("Status update on Login")
    })
    .await;
    assert_eq!(
        text,
        "📣 Status update on Login\nRolling back\nETA: after the **hotfix** @\u{200B}everyone\n\
         Status updates: https://status.loh.game"
    );
    assert!(
        fake.pings(update.id).nobody(),
        "{:?}",
        fake.pings(update.id)
    );
    assert_eq!(
        fake.crossposted(world::ANNOUNCEMENTS).len(),
        1,
        "only the alert is published: updates are not, unless asked"
    );
    let (_, said) = shows_seen(&fake, channel.id, "the update here", now(), |t| {
        t.starts_with("📣 Update from @rhea")
    })
    .await;
    assert_eq!(
        said,
        "📣 Update from @rhea · ETA after the **hotfix** @\u{200B}everyone\nRolling back"
    );
    let status = answer(&fake, world::RESPONDER, channel.id, "status", &[]).await;
    let status = fake.seen(&status, now());
    assert!(
        status.contains("· ETA: after the **hotfix** @\u{200B}everyone\n"),
        "the last ETA given: {status}"
    );
}

#[tokio::test]
async fn a_p1_gets_the_alert_on_request_once_and_only_from_a_commander() {
    let (fake, bot, _dir) = start().await;
    let now = || bot.clock.now();
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Matchmaking slow"),
            ("severity", "P1"),
            ("systems", "Matchmaking"),
        ],
    )
    .await;
    shows(&fake, channel.id, "the intro", |m| {
        m.content.contains("Incident #1")
    })
    .await;
    assert!(
        fake.messages(world::ANNOUNCEMENTS).is_empty(),
        "a P1 is not announced by itself"
    );

    let refused = answer(&fake, world::RESPONDER, channel.id, "announce", &[]).await;
    assert_eq!(
        fake.seen(&refused, now()),
        "⛔ To tell players with the service alert or a published update you need the \
         @commanders role or to be this incident's commander. Ask a commander if you should \
         have it."
    );
    let reply = answer(
        &fake,
        world::COMMANDER,
        channel.id,
        "announce",
        &[("eta", "2h")],
    )
    .await;
    assert_eq!(
        fake.seen(&reply, now()),
        "The service alert is going out to players in #announcements."
    );
    let (alert, text) = shows_seen(&fake, world::ANNOUNCEMENTS, "the alert", now(), |t| {
        t.contains("Service Alert")
    })
    .await;
    assert_eq!(
        text,
        [
            "🚨 Service Alert 🚨",
            "We are currently experiencing technical difficulties with Matchmaking.",
            "Our team is actively investigating and working on a fix.",
            "ETA: 11:00 (in 2 hours)",
            "We apologize for the inconvenience.",
            "Status updates: https://status.loh.game",
        ]
        .join("\n")
    );
    assert!(
        fake.pings(alert.id).nobody(),
        "only a P0 alert pings the opt-in role"
    );
    fake.wait_for("the alert to be published", STEP, |f| {
        f.crossposted(world::ANNOUNCEMENTS).len() == 1
    })
    .await;
    let (said, said_text) = shows_seen(&fake, channel.id, "the notice", now(), |t| {
        t.contains("Service alert sent")
    })
    .await;
    assert_eq!(
        said_text,
        "🚨 Service alert sent to players by @cole, ETA 11:00 (in 2 hours)"
    );
    assert!(fake.pings(said.id).nobody());

    let again = answer(&fake, world::COMMANDER, channel.id, "announce", &[]).await;
    let again = fake.seen(&again, now());
    assert_eq!(
        again,
        format!(
            "⛔ The service alert went out already: https://discord.com/channels/{}/{}/{}. \
             Tell players what changed with /incident update public:true.",
            fake.guild_id(),
            world::ANNOUNCEMENTS,
            alert.id
        )
    );
    assert_eq!(fake.messages(world::ANNOUNCEMENTS).len(), 1, "once");
}

#[tokio::test]
async fn the_alert_on_request_is_refused_for_a_security_incident_and_once_resolved() {
    let (fake, bot, _dir) = start().await;
    let now = || bot.clock.now();
    let sec = declare(
        &fake,
        world::SECURITY,
        &[
            ("title", "Leaked key"),
            ("severity", "P1"),
            ("kind", "security"),
        ],
    )
    .await;
    let refused = answer(&fake, world::SECURITY, sec.id, "announce", &[]).await;
    // Sana has no commander role, but holds command of her own incident.
    assert!(
        fake.seen(&refused, now()).starts_with("⛔ To tell players"),
        "{}",
        fake.seen(&refused, now())
    );
    let sana = format!("<@{}>", world::SECURITY);
    run(
        &fake,
        world::SECURITY,
        sec.id,
        "assign",
        &[("role", "commander"), ("user", &sana)],
    )
    .await;
    let refused = answer(&fake, world::SECURITY, sec.id, "announce", &[]).await;
    assert_eq!(
        fake.seen(&refused, now()),
        "⛔ Security incidents are never announced to players, so no alert was posted; what \
         players are told about a security incident is the security lead's decision, posted by \
         hand in the announcement channel."
    );

    let avail = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store down"), ("severity", "P2")],
    )
    .await;
    run(
        &fake,
        world::COMMANDER,
        avail.id,
        "resolve",
        &[("root_cause", "a full disk")],
    )
    .await;
    let refused = answer(&fake, world::COMMANDER, avail.id, "announce", &[]).await;
    assert!(
        fake.seen(&refused, now())
            .starts_with("⛔ This incident is no longer open, so an alert would tell players"),
        "{}",
        fake.seen(&refused, now())
    );
    assert!(
        players_read(&fake, now()).is_empty(),
        "players heard nothing"
    );
}

#[tokio::test]
async fn a_commander_publishes_updates_until_the_hourly_budget_is_spent_then_they_go_out_unpublished(
) {
    let (fake, bot, _dir) = start().await;
    let now = || bot.clock.now();
    // A P0: its alert is the hour's first publish.
    let channel = declare(
        &fake,
        world::COMMANDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    fake.wait_for("the alert to be published", STEP, |f| {
        f.crossposted(world::ANNOUNCEMENTS).len() == 1
    })
    .await;
    let refused = answer(
        &fake,
        world::RESPONDER,
        channel.id,
        "update",
        &[("message", "Back soon"), ("publish", "true")],
    )
    .await;
    assert!(
        fake.seen(&refused, now()).starts_with("⛔ To tell players"),
        "a responder may post for players but not publish"
    );
    for n in 1..=7 {
        let reply = run(
            &fake,
            world::COMMANDER,
            channel.id,
            "update",
            &[("message", &format!("Update {n}")), ("publish", "true")],
        )
        .await;
        assert!(
            reply.ends_with(&format!(
                "and published: {} of 8 publishes left this hour.",
                7 - n
            )),
            "{reply}"
        );
    }
    fake.wait_for("eight publishes", STEP, |f| {
        f.crossposted(world::ANNOUNCEMENTS).len() == 8
    })
    .await;
    let reply = answer(
        &fake,
        world::COMMANDER,
        channel.id,
        "update",
        &[("message", "Update 8"), ("publish", "true")],
    )
    .await;
    assert_eq!(
        fake.seen(&reply, now()),
        "Update posted here and to #announcements, but not published: the 8 publishes an hour \
         that #announcements allows are taken. Players in this server see it; servers \
         following the channel do not. The next one frees up in an hour."
    );
    shows(&fake, world::ANNOUNCEMENTS, "the unpublished update", |m| {
        m.content.contains("Update 8")
    })
    .await;
    // Until the queue has caught up: a stray publish would be there by then. There must be none.
    run(&fake, world::COMMANDER, channel.id, "status", &[]).await;
    bot.settle().await;
    assert_eq!(fake.crossposted(world::ANNOUNCEMENTS).len(), 8);
    let timeline = bot
        .app
        .db
        .timeline(incident_bot::domain::IncidentId(1))
        .await
        .expect("timeline");
    assert_eq!(
        timeline.last().map(|e| e.text.as_str()),
        Some("Public update: Update 8")
    );
}

#[tokio::test]
async fn edit_corrects_the_facts_renames_the_channel_and_writes_each_change_down() {
    let (fake, bot, _dir) = start().await;
    let now = || bot.clock.now();
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login slow"),
            ("severity", "P2"),
            ("systems", "Login"),
        ],
    )
    .await;
    assert_eq!(channel.name, "inc-1-login-slow");
    // The systems option completes from the catalogue, as at declare.
    let choices = fake
        .autocomplete(world::RESPONDER)
        .in_channel(channel.id)
        .command("incident")
        .sub("edit")
        .focused("systems", "Login, ma")
        .send()
        .await
        .choices()
        .await;
    let names: Vec<_> = choices.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, ["Login, Matchmaking"]);

    let reply = run(
        &fake,
        world::RESPONDER,
        channel.id,
        "edit",
        &[
            ("title", "Login *down* in EU"),
            ("systems", "Login, Matchmaking"),
            ("summary", "EU players get error 503"),
        ],
    )
    .await;
    assert_eq!(
        reply,
        "Corrected: title, systems, summary. The channel is being renamed #inc-1-login-down-in-eu."
    );
    let (said, text) = shows_seen(&fake, channel.id, "the correction", now(), |t| {
        t.contains("Facts corrected")
    })
    .await;
    assert_eq!(
        text,
        "✏️ Facts corrected by @rhea\n\
         Title: Login slow → Login *down* in EU\n\
         Systems: Login → Login, Matchmaking\n\
         Summary: none → EU players get error 503\n\
         This channel is renamed #inc-1-login-down-in-eu to match."
    );
    assert!(fake.pings(said.id).nobody());
    fake.wait_for("the rename", STEP, |f| {
        f.channel(channel.id)
            .is_some_and(|c| c.name == "inc-1-login-down-in-eu")
    })
    .await;
    assert_eq!(
        fake.channel(channel.id).and_then(|c| c.topic).as_deref(),
        Some("Incident #1 · P2 · Login \\*down\\* in EU")
    );
    let timeline = bot
        .app
        .db
        .timeline(incident_bot::domain::IncidentId(1))
        .await
        .expect("timeline");
    let edits: Vec<&str> = timeline
        .iter()
        .filter(|e| e.actor.map(|u| u.get()) == Some(world::RESPONDER.get()))
        .map(|e| e.text.as_str())
        .skip(1)
        .collect();
    assert_eq!(
        edits,
        [
            "Title changed from \"Login slow\" to \"Login *down* in EU\"",
            "Systems changed from Login to Login, Matchmaking",
            "Summary changed to: EU players get error 503",
        ]
    );
    let status = answer(&fake, world::RESPONDER, channel.id, "status", &[]).await;
    let status = fake.seen(&status, now());
    assert!(
        status.starts_with("Incident #1: Login *down* in EU (open)\n"),
        "{status}"
    );
    assert!(status.contains("Systems: Login, Matchmaking"), "{status}");

    let nothing = answer(&fake, world::RESPONDER, channel.id, "edit", &[]).await;
    assert_eq!(
        fake.seen(&nothing, now()),
        "⛔ Give at least one of title, systems, summary or detected_at to change."
    );
    let player = answer(
        &fake,
        world::PLAYER,
        channel.id,
        "edit",
        &[("title", "lol")],
    )
    .await;
    assert!(
        fake.seen(&player, now())
            .starts_with("⛔ To work on an incident you need the @responders role"),
        "{}",
        fake.seen(&player, now())
    );
}

#[tokio::test]
async fn renames_keep_within_two_in_ten_minutes_and_catch_up_to_the_latest_title() {
    let (fake, bot, _dir) = start().await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P3")],
    )
    .await;
    let name = |f: &FakeDiscord| f.channel(channel.id).map(|c| c.name).unwrap_or_default();
    for (title, renamed) in [
        ("Store slow in EU", "inc-1-store-slow-in-eu"),
        ("Store down in EU", "inc-1-store-down-in-eu"),
    ] {
        run(
            &fake,
            world::RESPONDER,
            channel.id,
            "edit",
            &[("title", title)],
        )
        .await;
        fake.wait_for(renamed, STEP, |f| name(f) == renamed).await;
    }
    let reply = run(
        &fake,
        world::RESPONDER,
        channel.id,
        "edit",
        &[("title", "Store down everywhere")],
    )
    .await;
    assert!(reply.ends_with("#inc-1-store-down-everywhere."), "{reply}");
    run(&fake, world::RESPONDER, channel.id, "status", &[]).await;
    bot.settle().await;
    assert_eq!(
        name(&fake),
        "inc-1-store-down-in-eu",
        "the third rename waits for Discord's window"
    );
    assert_eq!(fake.count("PATCH", "/channels/{channel_id}"), 2);
    fake.advance(Duration::from_secs(10 * 60));
    bot.clock.advance(TimeDelta::minutes(10));
    fake.wait_for("the last rename", STEP, |f| {
        name(f) == "inc-1-store-down-everywhere"
    })
    .await;
    fake.assert_no_violations();
}

#[tokio::test]
async fn detected_at_moves_the_triage_deadline_and_a_time_after_the_declaration_is_refused() {
    let (fake, bot, _dir) = start().await;
    let now = || bot.clock.now();
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P1")],
    )
    .await;
    bot.clock.advance(TimeDelta::minutes(1));
    for (when, refusal) in [
        (
            "09:30",
            "⛔ The problem cannot have begun in the future (2026-11-30 09:30 UTC): give a time \
             before now (times are UTC).",
        ),
        (
            "30s ago",
            "⛔ That is not a time I understand: write when the problem began like 25m ago, \
             08:40 (today, UTC), 2026-11-30 08:40 (UTC) or 2026-11-30T08:40:00Z",
        ),
    ] {
        let refused = answer(
            &fake,
            world::RESPONDER,
            channel.id,
            "edit",
            &[("detected_at", when)],
        )
        .await;
        assert_eq!(fake.seen(&refused, now()), refusal);
    }
    bot.clock.advance(TimeDelta::minutes(1));
    let refused = answer(
        &fake,
        world::RESPONDER,
        channel.id,
        "edit",
        &[("detected_at", "1m ago")],
    )
    .await;
    assert!(
        fake.seen(&refused, now()).starts_with(
            "⛔ The problem began before it was declared (2026-11-30 09:00 UTC), and \
             2026-11-30 09:01 UTC is after that."
        ),
        "{}",
        fake.seen(&refused, now())
    );

    // It began at 08:50: triage's 5 minutes ran out at 08:55, so the nudge comes at once.
    let reply = run(
        &fake,
        world::RESPONDER,
        channel.id,
        "edit",
        &[("detected_at", "08:50")],
    )
    .await;
    assert_eq!(reply, "Corrected: detection time.");
    let (_, text) = shows_seen(&fake, channel.id, "the correction", now(), |t| {
        t.contains("Facts corrected")
    })
    .await;
    assert_eq!(
        text,
        "✏️ Facts corrected by @rhea\n\
         Detected: November 30, 2026 at 09:00 → November 30, 2026 at 08:50\n\
         Phase deadlines now count from November 30, 2026 at 08:50."
    );
    let (nudge, text) = shows_seen(&fake, channel.id, "the triage nudge", now(), |t| {
        t.contains("is over its budget")
    })
    .await;
    assert!(
        text.starts_with("@responders ⏰ Phase 1: Detection & Triage is over its budget by 7m"),
        "{text}"
    );
    assert!(
        text.contains("The plan gives it until 5m after detection."),
        "{text}"
    );
    assert_eq!(fake.pings(nudge.id).roles, [world::RESPONDER_ROLE]);
    let status = answer(&fake, world::RESPONDER, channel.id, "status", &[]).await;
    let status = fake.seen(&status, now());
    assert!(
        status.contains("Detected November 30, 2026 at 08:50 · ETA: none given"),
        "{status}"
    );
    assert!(
        status.contains("(budget 5m from detection, over by 7m)"),
        "{status}"
    );
}

#[tokio::test]
async fn the_post_mortem_counts_from_the_start_of_the_problem() {
    let (fake, bot, _dir) = start().await;
    let channel = declare(
        &fake,
        world::COMMANDER,
        &[("title", "Login down"), ("severity", "P0")],
    )
    .await;
    run(
        &fake,
        world::COMMANDER,
        channel.id,
        "edit",
        &[("detected_at", "2026-11-30T08:30:00Z")],
    )
    .await;
    bot.clock.advance(TimeDelta::minutes(30));
    let reply = run(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[
            ("root_cause", "an expired certificate"),
            ("all_clear", "now"),
        ],
    )
    .await;
    assert!(reply.starts_with("Resolved after 1h"), "{reply}");
    run_pm(&fake, world::COMMANDER, channel.id, "draft", &[]).await;
    let draft = shows(&fake, channel.id, "the draft", |m| {
        m.attachments.iter().any(|a| a.filename.ends_with(".md"))
    })
    .await;
    let text = String::from_utf8(draft.attachments[0].bytes.clone()).expect("utf-8");
    assert!(
        text.contains(
            "- When did it happen? From 2026-11-30 08:30 UTC to 2026-11-30 09:30 UTC \
             (declared 2026-11-30 09:00 UTC)."
        ),
        "{text}"
    );
    assert!(text.contains("Time to resolve: 1h"), "{text}");
}

#[tokio::test]
async fn a_breach_found_mid_incident_makes_the_channel_private_and_stops_what_players_hear() {
    let (fake, bot, _dir) = start().await;
    let now = || bot.clock.now();
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
    fake.wait_for("the alert to be published", STEP, |f| {
        f.crossposted(world::ANNOUNCEMENTS).len() == 1
    })
    .await;
    assert!(fake.can_see(world::COMMANDER, channel.id));

    let reply = run(
        &fake,
        world::RESPONDER,
        channel.id,
        "kind",
        &[("to", "security")],
    )
    .await;
    assert_eq!(
        reply,
        format!(
            "Incident #1 is now a security incident: its channel becomes private to <@&{}> and \
             is renamed #sec-1; nothing more goes to players. You will not see the channel any \
             more without the <@&{}> role.",
            world::SECURITY_ROLE,
            world::SECURITY_ROLE
        )
    );
    fake.wait_for("the channel to become sec-1", STEP, |f| {
        f.channel(channel.id).is_some_and(|c| c.name == "sec-1")
    })
    .await;
    fake.wait_for("the channel to become private", STEP, |f| {
        !f.can_see(world::COMMANDER, channel.id)
    })
    .await;
    let mut who = fake.who_can_see(channel.id);
    who.sort();
    assert_eq!(
        who,
        [world::SECURITY],
        "only the security role (and the bot) see it now"
    );
    assert_eq!(
        fake.channel(channel.id).and_then(|c| c.topic).as_deref(),
        Some("Incident #1: security, private")
    );
    let (notice, text) = shows_seen(&fake, channel.id, "the notice", now(), |t| {
        t.contains("Now a security incident")
    })
    .await;
    assert_eq!(
        text,
        "@security 🔒 Now a security incident, by @rhea\n\
         This channel becomes private to the security role and is renamed sec-1; nothing more \
         about it goes to players, and it gets no all-clear."
    );
    assert_eq!(
        fake.pings(notice.id).roles,
        [world::SECURITY_ROLE],
        "the security role, whose channel it is now, is paged"
    );
    let (_, log) = shows_seen(&fake, world::LOG, "the log line", now(), |t| {
        t.contains("is now a security incident")
    })
    .await;
    assert_eq!(log, "🔒 #1 is now a security incident, by @rhea → #sec-1");

    // Not listed to responders outside it, nothing more to players, no all-clear.
    let list = run(&fake, world::COMMANDER, world::GENERAL, "status", &[]).await;
    assert_eq!(list, "No open incidents.");
    let list = run(&fake, world::SECURITY, world::GENERAL, "status", &[]).await;
    assert!(list.contains("#1"), "{list}");
    let sana = format!("<@{}>", world::SECURITY);
    run(
        &fake,
        world::SECURITY,
        channel.id,
        "assign",
        &[("role", "commander"), ("user", &sana)],
    )
    .await;
    let refused = answer(
        &fake,
        world::SECURITY,
        channel.id,
        "update",
        &[("message", "Rotating keys"), ("public", "true")],
    )
    .await;
    assert!(
        fake.seen(&refused, now())
            .starts_with("⛔ Security incidents are never announced to players"),
        "{}",
        fake.seen(&refused, now())
    );
    run(
        &fake,
        world::SECURITY,
        channel.id,
        "resolve",
        &[("root_cause", "a leaked key")],
    )
    .await;
    run(&fake, world::SECURITY, channel.id, "status", &[]).await;
    let heard = players_read(&fake, now());
    assert_eq!(heard.len(), 1, "only the alert from before: {heard:?}");
    assert_eq!(
        bot.app
            .db
            .incident(incident_bot::domain::IncidentId(1))
            .await
            .expect("read")
            .map(|r| r.incident.kind),
        Some(IncidentKind::Security)
    );
}

#[tokio::test]
async fn back_to_availability_renames_the_channel_but_leaves_it_private() {
    let (fake, bot, _dir) = start().await;
    let now = || bot.clock.now();
    let channel = declare(
        &fake,
        world::SECURITY,
        &[
            ("title", "Odd logins"),
            ("severity", "P2"),
            ("kind", "security"),
        ],
    )
    .await;
    assert_eq!(channel.name, "sec-1");
    let reply = run(
        &fake,
        world::SECURITY,
        channel.id,
        "kind",
        &[("to", "availability")],
    )
    .await;
    assert!(
        reply.starts_with("Incident #1 is an availability incident again"),
        "{reply}"
    );
    fake.wait_for("the rename", STEP, |f| {
        f.channel(channel.id)
            .is_some_and(|c| c.name == "inc-1-odd-logins")
    })
    .await;
    assert_eq!(
        fake.who_can_see(channel.id),
        [world::SECURITY],
        "it stays private until people open it"
    );
    let (_, text) = shows_seen(&fake, channel.id, "the notice", now(), |t| {
        t.contains("availability incident again")
    })
    .await;
    assert_eq!(
        text,
        "🔓 An availability incident again, by @sana\n\
         This channel is renamed inc-1-odd-logins and stays private: open it to the team by \
         hand if they should see it. Players have been told nothing; /incident announce posts \
         the service alert."
    );
    assert!(fake.messages(world::ANNOUNCEMENTS).is_empty());
}
