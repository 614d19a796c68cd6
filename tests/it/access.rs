//! Who may see and do what: security incidents stay with the security role, command is never
//! seized, and people outside the team learn nothing about incidents.

use std::time::Duration;

use incident_bot::domain::IncidentId;
use serenity::all::{ChannelId, UserId};

use crate::support::bot::{spawn_bot, world, STEP};
use crate::support::child::ChildBot;
use crate::support::fake_discord::{self, FakeDiscord, DEFAULT_BOT};
use crate::support::story::{declare, run, run_pm, shows};

/// Declares a security P0 as the security engineer, and an availability P2 as a responder.
async fn one_of_each(fake: &FakeDiscord) -> (ChannelId, ChannelId) {
    let sec = declare(
        fake,
        world::SECURITY,
        &[
            ("title", "Leaked admin key"),
            ("severity", "P0"),
            ("kind", "security"),
        ],
    )
    .await;
    let store = declare(
        fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P2")],
    )
    .await;
    (sec.id, store.id)
}

#[tokio::test]
async fn security_incidents_are_listed_only_to_the_security_role_and_nothing_to_players() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let (sec, store) = one_of_each(&fake).await;

    let security = run(&fake, world::SECURITY, world::GENERAL, "status", &[]).await;
    assert!(security.contains("Leaked admin key"), "{security}");
    assert!(security.contains("Store slow"), "{security}");

    for (who, name) in [
        (world::RESPONDER, "responder"),
        (world::COMMANDER, "commander"),
    ] {
        let list = run(&fake, who, world::GENERAL, "status", &[]).await;
        assert_eq!(
            list,
            format!("**Open incidents**\n- <#{store}> #2 **P2** Store slow: phase 1, open"),
            "the {name} sees only the availability incident"
        );
    }
    let player = run(&fake, world::PLAYER, world::GENERAL, "status", &[]).await;
    assert_eq!(
        player,
        "⛔ Only responders can see incidents. What players are told is in the announcement channel."
    );
    assert!(!player.contains(&sec.to_string()));
}

#[tokio::test]
async fn the_wrong_channel_hint_names_only_incidents_the_person_may_see() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let (sec, store) = one_of_each(&fake).await;

    let responder = run(
        &fake,
        world::RESPONDER,
        world::GENERAL,
        "note",
        &[("text", "x")],
    )
    .await;
    assert_eq!(
        responder,
        format!(
            "⛔ This is not an incident channel. Run the command in the incident's channel, or \
             from <#{}> with incident:<number>: <#{store}> (#2).",
            world::LOG
        )
    );
    let security = run(
        &fake,
        world::SECURITY,
        world::GENERAL,
        "note",
        &[("text", "x")],
    )
    .await;
    assert!(security.contains(&format!("<#{sec}> (#1)")), "{security}");
    // The right is checked before anything is said about incidents.
    for (sub, opts) in [
        ("note", [("text", "x")]),
        ("phase", [("to", "containment")]),
    ] {
        let player = run(&fake, world::PLAYER, world::GENERAL, sub, &opts).await;
        assert_eq!(
            player,
            "⛔ Only responders can see incidents. What players are told is in the announcement channel.",
            "/incident {sub}"
        );
    }
    let pm = run_pm(&fake, world::PLAYER, world::GENERAL, "draft", &[]).await;
    assert!(!pm.contains(&sec.to_string()), "{pm}");
    assert!(!pm.contains(&store.to_string()), "{pm}");
}

#[tokio::test]
async fn a_security_incident_refuses_public_updates_and_never_sends_an_all_clear() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let (sec, _) = one_of_each(&fake).await;

    let refused = run(
        &fake,
        world::SECURITY,
        sec,
        "update",
        &[("message", "Keys rotated"), ("public", "true")],
    )
    .await;
    assert!(
        refused.starts_with(
            "⛔ Security incidents are never announced to players, so nothing was posted."
        ),
        "{refused}"
    );
    assert!(refused.contains("without public:true"), "{refused}");
    let me = format!("<@{}>", world::SECURITY);
    run(
        &fake,
        world::SECURITY,
        sec,
        "assign",
        &[("role", "commander"), ("user", &me)],
    )
    .await;
    let resolved = run(
        &fake,
        world::SECURITY,
        sec,
        "resolve",
        &[
            ("root_cause", "An admin key in a public repo"),
            ("all_clear", "now"),
        ],
    )
    .await;
    assert!(!resolved.contains("all-clear"), "{resolved}");
    run_pm(&fake, world::SECURITY, sec, "draft", &[]).await;
    shows(&fake, sec, "the draft", |m| {
        m.attachments.iter().any(|a| a.filename.ends_with(".md"))
    })
    .await;
    run(&fake, world::SECURITY, sec, "close", &[]).await;
    fake.wait_for("the archive", STEP, |f| {
        f.channel(sec)
            .is_some_and(|c| c.parent_id == Some(world::ARCHIVE))
    })
    .await;
    bot.settle().await;

    assert!(
        fake.messages(world::ANNOUNCEMENTS).is_empty(),
        "players heard nothing: {:?}",
        fake.messages(world::ANNOUNCEMENTS)
    );
    let timeline = bot.app.db.timeline(IncidentId(1)).await.expect("timeline");
    assert!(
        timeline.iter().all(|e| !e.text.contains("Keys rotated")),
        "the refused update wrote nothing"
    );
    // The title and root cause stay in the private channel, which stays private in the archive.
    for channel in [world::LOG, world::GENERAL, world::ANNOUNCEMENTS] {
        for m in fake.messages(channel) {
            for secret in ["Leaked", "admin key", "public repo"] {
                assert!(
                    !m.content.contains(secret),
                    "{secret} in {channel}: {}",
                    m.content
                );
            }
        }
    }
    assert!(
        fake.messages(sec)
            .iter()
            .any(|m| m.content.contains("Incident #1 closed: Leaked admin key")),
        "the close summary is in the private channel"
    );
    assert!(fake.can_see(world::SECURITY, sec));
    for outsider in [world::RESPONDER, world::COMMANDER, world::PLAYER] {
        assert!(
            !fake.can_see(outsider, sec),
            "the archived security channel stays hidden from {outsider}"
        );
    }
}

#[tokio::test]
async fn an_existing_public_sec_channel_is_made_private_before_it_is_used_and_the_log_says_so() {
    let squatted = ChannelId::new(1_100_000_000_000_000_150);
    let fake = world::fake()
        .text_channel_in(squatted, "sec-1", world::INCIDENTS)
        .everyone_overwrite(squatted, fake_discord::VIEW_CHANNEL, 0)
        .start()
        .await;
    let _bot = spawn_bot(&fake).await;
    assert!(
        fake.can_see(world::PLAYER, squatted),
        "public to begin with"
    );
    let answer = run(
        &fake,
        world::SECURITY,
        world::GENERAL,
        "declare",
        &[
            ("title", "Leaked admin key"),
            ("severity", "P1"),
            ("kind", "security"),
        ],
    )
    .await;
    assert!(
        answer.contains(&format!("<#{squatted}>")),
        "adopted: {answer}"
    );
    shows(&fake, squatted, "the intro", |m| {
        m.content.contains("Incident #1")
    })
    .await;
    for outsider in [world::RESPONDER, world::COMMANDER, world::PLAYER] {
        assert!(!fake.can_see(outsider, squatted), "hidden from {outsider}");
    }
    assert!(fake.can_see(world::SECURITY, squatted));
    let warning = shows(&fake, world::LOG, "the warning", |m| {
        m.content.starts_with("⚠️")
    })
    .await;
    assert_eq!(
        fake.seen(&warning, chrono::Utc::now()),
        "⚠️ #sec-1 already existed and more than @security could see it. I replaced its \
         permissions: only that role and I can see it now. Check who read it before."
    );
    assert!(
        fake.pings(warning.id).nobody(),
        "it names the role, it does not ping it"
    );
    assert_eq!(
        fake.channels_under(world::INCIDENTS).len(),
        1,
        "no second channel"
    );
}

#[tokio::test]
async fn a_private_sec_channel_that_exists_already_is_adopted_as_it_is() {
    let existing = ChannelId::new(1_100_000_000_000_000_151);
    let fake = world::fake()
        .text_channel_in(existing, "sec-1", world::INCIDENTS)
        .no_overwrites(existing)
        .everyone_overwrite(existing, 0, 1 << 10)
        .role_overwrite(existing, world::SECURITY_ROLE, 1 << 10, 0)
        // As the bot opens one: it keeps its own access.
        .member_overwrite(existing, UserId::new(DEFAULT_BOT), (1 << 10) | (1 << 11), 0)
        .start()
        .await;
    let _bot = spawn_bot(&fake).await;
    let answer = run(
        &fake,
        world::SECURITY,
        world::GENERAL,
        "declare",
        &[
            ("title", "Phishing"),
            ("severity", "P2"),
            ("kind", "security"),
        ],
    )
    .await;
    assert!(
        answer.contains(&format!("<#{existing}>")),
        "adopted: {answer}"
    );
    shows(&fake, existing, "the intro", |m| {
        m.content.contains("Incident #1")
    })
    .await;
    assert_eq!(
        fake.count("PATCH", "/channels/{channel_id}"),
        0,
        "left as it was"
    );
    assert!(
        fake.messages(world::LOG)
            .iter()
            .all(|m| !m.content.starts_with("⚠️")),
        "no warning"
    );
}

#[tokio::test]
async fn command_is_taken_when_empty_and_handed_over_only_by_its_holder_or_a_commander() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P1")],
    )
    .await
    .id;
    let rhea = format!("<@{}>", world::RESPONDER);
    let sana = format!("<@{}>", world::SECURITY);
    let cole = format!("<@{}>", world::COMMANDER);
    let pat = format!("<@{}>", world::PLAYER);
    let assign = |who, role: &'static str, user: String| {
        let fake = &fake;
        async move {
            run(
                fake,
                who,
                channel,
                "assign",
                &[("role", role), ("user", &user)],
            )
            .await
        }
    };

    // A responder takes the empty command.
    let taken = assign(world::RESPONDER, "commander", rhea.clone()).await;
    assert_eq!(taken, format!("{rhea} is now incident commander."));
    // Another responder can neither seize it nor give it to someone else.
    for to in [sana.clone(), cole.clone()] {
        let seized = assign(world::SECURITY, "commander", to).await;
        assert_eq!(
            seized,
            format!(
                "⛔ {rhea} is this incident's commander. Only they or a member with the <@&{}> role \
                 can hand command over: ask them to run this command.",
                world::COMMANDER_ROLE
            )
        );
    }
    // Comms lead and scribe stay any responder's to give.
    let comms = assign(world::SECURITY, "comms", sana.clone()).await;
    assert_eq!(comms, format!("{sana} is now communications lead."));
    // Players cannot be given a role.
    let player = assign(world::RESPONDER, "scribe", pat.clone()).await;
    assert!(
        player.starts_with(&format!(
            "⛔ {pat} does not have the <@&{}> role",
            world::RESPONDER_ROLE
        )),
        "{player}"
    );
    // The holder hands over; then a commander-role member takes it back.
    let handed = assign(world::RESPONDER, "commander", sana.clone()).await;
    assert_eq!(handed, format!("{sana} is now incident commander."));
    // Each change's notice is a job of its own: two changes a millisecond apart may post in
    // either order, so the next one waits for the first to show, as a person would.
    fake.wait_for("the first hand-over notice", STEP, |f| {
        f.messages(channel)
            .iter()
            .any(|m| m.content.contains("handed over"))
    })
    .await;
    let back = assign(world::COMMANDER, "commander", cole.clone()).await;
    assert_eq!(back, format!("{cole} is now incident commander."));

    fake.wait_for("both hand-over notices", STEP, |f| {
        f.messages(channel)
            .iter()
            .filter(|m| m.content.contains("handed over"))
            .count()
            == 2
    })
    .await;
    let handovers: Vec<_> = fake
        .messages(channel)
        .into_iter()
        .filter(|m| m.content.contains("handed over"))
        .collect();
    assert_eq!(
        handovers
            .iter()
            .map(|m| fake.seen(m, chrono::Utc::now()))
            .collect::<Vec<_>>(),
        [
            "👤 Incident commander handed over from @rhea to @sana by @rhea",
            "👤 Incident commander handed over from @sana to @cole by @cole",
        ]
    );
    assert!(
        handovers.iter().all(|m| fake.pings(m.id).nobody()),
        "a hand-over notice tells the channel; it wakes nobody"
    );
    let incident = bot
        .app
        .db
        .incident_by_channel(incident_bot::domain::ChannelId::new(channel.get()).expect("id"))
        .await
        .expect("read")
        .expect("incident");
    assert_eq!(
        incident.incident.roles.commander.map(|u| u.get()),
        Some(world::COMMANDER.get())
    );
    let timeline: Vec<String> = bot
        .app
        .db
        .timeline(incident.id)
        .await
        .expect("timeline")
        .into_iter()
        .map(|e| e.text)
        .filter(|t| t.contains("commander"))
        .collect();
    assert_eq!(
        timeline,
        [
            format!("{rhea} is now incident commander"),
            format!("{sana} is now incident commander, taking over from {rhea}"),
            format!("{cole} is now incident commander, taking over from {sana}"),
        ]
    );
    let audit = bot.app.db.audit_actions(incident.id).await.expect("audit");
    assert_eq!(audit.iter().filter(|a| *a == "assign").count(), 4);
}

#[tokio::test]
async fn a_missing_permission_is_reported_once_in_the_log_with_what_to_grant() {
    use crate::support::fake_discord::PIN_MESSAGES;
    let fake = world::fake()
        .bot_permissions(world::BOT_INVITE & !PIN_MESSAGES)
        .start()
        .await;
    let bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P2")],
    )
    .await
    .id;
    let report = shows(&fake, world::LOG, "the permission report", |m| {
        m.content.contains("I can't")
    })
    .await;
    let name = fake.channel(channel).map(|c| c.name).unwrap_or_default();
    assert_eq!(
        fake.seen(&report, chrono::Utc::now()),
        format!(
            "⚠️ I can't pin messages in #{name}: give me Pin Messages there (Server Settings → \
             Roles, or the channel's permissions). (a open_channel job for incident #1)"
        )
    );
    assert!(fake.pings(report.id).nobody());
    // Past any retry's backoff (at most `retry_max`, 1 s, in the test config), then until
    // the queue has caught up: a retried pin would be there by now.
    bot.clock.advance(chrono::TimeDelta::seconds(1));
    bot.settle().await;
    assert_eq!(
        fake.count("PUT", "/channels/{channel_id}/pins/{message_id}"),
        1,
        "refused for good: not retried"
    );
    let reports = fake
        .messages(world::LOG)
        .iter()
        .filter(|m| m.content.contains("I can't"))
        .count();
    assert_eq!(reports, 1);
    fake.take_violations();
}

#[tokio::test]
async fn an_incident_channel_is_staff_only_even_under_a_category_players_can_read() {
    // A category someone opened up: the channel must not inherit that.
    let fake = world::fake()
        .everyone_overwrite(world::INCIDENTS, fake_discord::VIEW_CHANNEL, 0)
        .start()
        .await;
    let _bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P2")],
    )
    .await;
    let mut who = fake.who_can_see(channel.id);
    who.sort();
    let mut staff = vec![world::RESPONDER, world::COMMANDER, world::SECURITY];
    staff.sort();
    assert_eq!(who, staff, "the team reads it, players do not");
    assert!(fake.can_send(world::RESPONDER, channel.id));
}

#[tokio::test]
async fn a_responder_without_the_security_role_keeps_the_breach_they_declared() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let sec = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Odd admin logins"),
            ("severity", "P1"),
            ("kind", "security"),
        ],
    )
    .await;
    let mut who = fake.who_can_see(sec.id);
    who.sort();
    let mut expected = vec![world::RESPONDER, world::SECURITY];
    expected.sort();
    assert_eq!(who, expected, "it is their incident; nobody else's");
    assert!(fake.can_send(world::RESPONDER, sec.id));
}

#[tokio::test]
async fn an_existing_inc_channel_players_can_read_is_closed_to_them_and_the_log_says_so() {
    let squatted = ChannelId::new(1_100_000_000_000_000_151);
    let fake = world::fake()
        .text_channel_in(squatted, "inc-1-store-slow", world::INCIDENTS)
        .everyone_overwrite(squatted, fake_discord::VIEW_CHANNEL, 0)
        .start()
        .await;
    let _bot = spawn_bot(&fake).await;
    assert!(
        fake.can_see(world::PLAYER, squatted),
        "public to begin with"
    );
    let answer = run(
        &fake,
        world::RESPONDER,
        world::GENERAL,
        "declare",
        &[("title", "Store slow"), ("severity", "P2")],
    )
    .await;
    assert!(
        answer.contains(&format!("<#{squatted}>")),
        "adopted: {answer}"
    );
    let warning = shows(&fake, world::LOG, "the warning", |m| {
        m.content.starts_with("⚠️")
    })
    .await;
    assert!(!fake.can_see(world::PLAYER, squatted), "closed to players");
    assert!(fake.can_see(world::RESPONDER, squatted));
    assert_eq!(
        fake.seen(&warning, chrono::Utc::now()),
        "⚠️ #inc-1-store-slow already existed and more than the team could see it. I replaced \
         its permissions: only the team and I can see it now. Check who read it before."
    );
}

#[tokio::test]
async fn the_bot_warns_at_start_when_players_can_read_the_incident_category() {
    let fake = world::fake()
        .everyone_overwrite(world::INCIDENTS, fake_discord::VIEW_CHANNEL, 0)
        .start()
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bot = ChildBot::start(&fake, dir.path(), &[("RUST_LOG", "warn")]).await;
    bot.wait_for_log(
        "everyone can read Incidents ([channels] incident_category): in its permissions, deny \
         View Channel to @everyone and allow it to the team's roles",
    )
    .await;
    bot.signal("INT");
    bot.wait_exit(Duration::from_secs(20)).await;
    assert!(
        !bot.log().contains("everyone can read Archive"),
        "the archive is the team's: {}",
        bot.log()
    );
}

#[tokio::test]
async fn an_incident_whose_channel_never_opened_is_worked_and_closed_from_the_log_channel() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    // The bot has lost Manage Channels: the channel never opens.
    fake.fail_for(
        "POST",
        "/guilds/{guild_id}/channels",
        Duration::from_secs(600),
        fake_discord::Fault::Forbidden,
    );
    let answer = run(
        &fake,
        world::COMMANDER,
        world::GENERAL,
        "declare",
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    assert!(answer.contains("could not open its channel"), "{answer}");
    let told = shows(&fake, world::LOG, "the log line", |m| {
        m.content.contains("I could not open the channel")
    })
    .await;
    assert!(
        told.content.contains("close it from here with incident:1"),
        "{}",
        told.content
    );

    // Elsewhere, the hint says where it can be worked.
    let hint = run(
        &fake,
        world::COMMANDER,
        world::GENERAL,
        "note",
        &[("text", "x")],
    )
    .await;
    assert_eq!(
        hint,
        format!(
            "⛔ This is not an incident channel. Run the command in the incident's channel, or \
             from <#{}> with incident:<number>: #1 (no channel).",
            world::LOG
        )
    );
    let elsewhere = run(
        &fake,
        world::COMMANDER,
        world::GENERAL,
        "note",
        &[("text", "x"), ("incident", "1")],
    )
    .await;
    assert_eq!(
        elsewhere,
        format!(
            "⛔ incident: works from <#{}> only; elsewhere, run the command in the incident's \
             channel.",
            world::LOG
        )
    );

    // From the log channel, by number.
    let status = run(
        &fake,
        world::COMMANDER,
        world::LOG,
        "status",
        &[("incident", "1")],
    )
    .await;
    assert!(status.contains("Login down"), "{status}");
    let resolved = run(
        &fake,
        world::COMMANDER,
        world::LOG,
        "resolve",
        &[
            ("root_cause", "cache"),
            ("all_clear", "now"),
            ("incident", "1"),
        ],
    )
    .await;
    assert!(
        !resolved.starts_with('⛔'),
        "resolved by number: {resolved}"
    );
    let closed = run(
        &fake,
        world::COMMANDER,
        world::LOG,
        "close",
        &[("incident", "1")],
    )
    .await;
    assert_eq!(
        closed,
        "Closed. It never had a channel, so there is nothing to archive."
    );
    let none = run(
        &fake,
        world::COMMANDER,
        world::LOG,
        "status",
        &[("incident", "7")],
    )
    .await;
    assert_eq!(none, "⛔ No incident #7 you can see.");
}

#[tokio::test]
async fn a_security_incident_is_not_worked_by_number_by_someone_who_may_not_see_it() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    declare(
        &fake,
        world::SECURITY,
        &[
            ("title", "Leaked admin key"),
            ("severity", "P1"),
            ("kind", "security"),
        ],
    )
    .await;
    let refused = run(
        &fake,
        world::COMMANDER,
        world::LOG,
        "note",
        &[("text", "peek"), ("incident", "1")],
    )
    .await;
    assert_eq!(refused, "⛔ No incident #1 you can see.");
}
