//! Each `/incident` command's refusals and rules: wrong channel, missing role, invalid
//! transitions, text over its limit, mentions, privacy, idempotency, Discord's errors.

use std::time::Duration;

use incident_bot::app::{self, ChannelCounts, DeclareArgs};
use incident_bot::domain::{Actor, IncidentKind, InteractionId, RoleId, Severity, UserId};

use crate::support::bot::{spawn_bot, world, STEP};
use crate::support::fake_discord::Fault;
use crate::support::story::{declare, run, shows};

#[tokio::test]
async fn incident_commands_outside_an_incident_channel_say_which_channel_to_use() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P2")],
    )
    .await;
    let answer = run(
        &fake,
        world::RESPONDER,
        world::GENERAL,
        "phase",
        &[("to", "containment")],
    )
    .await;
    assert!(answer.contains("not an incident channel"), "{answer}");
    assert!(answer.contains(&format!("<#{}>", channel.id)), "{answer}");
}

#[tokio::test]
async fn status_lists_open_incidents_elsewhere_and_details_one_in_its_channel() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Store slow"), ("severity", "P2")],
    )
    .await;
    let list = run(&fake, world::RESPONDER, world::GENERAL, "status", &[]).await;
    assert!(
        list.contains(&format!("<#{}> #1 **P2** Store slow", channel.id)),
        "{list}"
    );
    let player = run(&fake, world::PLAYER, world::GENERAL, "status", &[]).await;
    assert_eq!(
        player,
        "⛔ Only responders can see incidents. What players are told is in the announcement channel."
    );
    run(
        &fake,
        world::RESPONDER,
        channel.id,
        "update",
        &[("message", "Cache warming")],
    )
    .await;
    let one = run(&fake, world::RESPONDER, channel.id, "status", &[]).await;
    assert!(one.contains("Phase 1: Detection & Triage, for"), "{one}");
    assert!(one.contains("budget 5m from detection"), "{one}");
    assert!(one.contains("Last update: Cache warming"), "{one}");
}

#[tokio::test]
async fn people_without_the_role_are_refused_with_the_role_they_need() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let answer = run(
        &fake,
        world::PLAYER,
        world::GENERAL,
        "declare",
        &[("title", "I am a player"), ("severity", "P0")],
    )
    .await;
    assert!(
        answer.contains(&format!("<@&{}>", world::RESPONDER_ROLE)),
        "{answer}"
    );
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P1")],
    )
    .await;
    let answer = run(
        &fake,
        world::RESPONDER,
        channel.id,
        "resolve",
        &[("root_cause", "x")],
    )
    .await;
    assert!(
        answer.contains(&format!("<@&{}>", world::COMMANDER_ROLE)),
        "{answer}"
    );
    assert!(answer.contains("this incident's commander"), "{answer}");
    assert!(fake.messages(world::ANNOUNCEMENTS).is_empty());
    assert_eq!(
        bot.app
            .db
            .unclosed_incidents(bot.app.settings.discord.guild_id)
            .await
            .expect("db")
            .len(),
        1
    );
}

#[tokio::test]
async fn the_incidents_own_commander_may_resolve_it_without_the_commander_role() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    let me = format!("<@{}>", world::RESPONDER);
    run(
        &fake,
        world::RESPONDER,
        channel.id,
        "assign",
        &[("role", "commander"), ("user", &me)],
    )
    .await;
    let answer = run(
        &fake,
        world::RESPONDER,
        channel.id,
        "resolve",
        &[("root_cause", "cache"), ("all_clear", "now")],
    )
    .await;
    assert!(answer.starts_with("Resolved after"), "{answer}");
}

#[tokio::test]
async fn invalid_transitions_are_refused_with_the_reason() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    run(
        &fake,
        world::RESPONDER,
        channel.id,
        "phase",
        &[("to", "investigation")],
    )
    .await;
    let answer = run(
        &fake,
        world::RESPONDER,
        channel.id,
        "phase",
        &[("to", "containment")],
    )
    .await;
    assert!(answer.contains("phases only move forward"), "{answer}");
    let answer = run(&fake, world::COMMANDER, channel.id, "close", &[]).await;
    assert!(
        answer.contains("not resolved yet: run /incident resolve first"),
        "{answer}"
    );
    let answer = run(
        &fake,
        world::RESPONDER,
        channel.id,
        "phase",
        &[("to", "recovery")],
    )
    .await;
    assert!(answer.contains("/incident resolve"), "{answer}");
}

#[tokio::test]
async fn text_over_its_limit_is_refused_and_nothing_is_written() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let long = "x".repeat(101);
    let answer = run(
        &fake,
        world::RESPONDER,
        world::GENERAL,
        "declare",
        &[("title", &long), ("severity", "P0")],
    )
    .await;
    assert!(
        answer.contains("101 characters long; the limit is 100"),
        "{answer}"
    );
    let blank = run(
        &fake,
        world::RESPONDER,
        world::GENERAL,
        "declare",
        &[("title", "   "), ("severity", "P0")],
    )
    .await;
    assert!(blank.contains("empty"), "{blank}");
    assert!(bot
        .app
        .db
        .unclosed_incidents(bot.app.settings.discord.guild_id)
        .await
        .expect("db")
        .is_empty());
    assert!(fake.channels_under(world::INCIDENTS).is_empty());
    assert!(fake.messages(world::ANNOUNCEMENTS).is_empty());
}

#[tokio::test]
async fn no_text_a_user_typed_pings_anyone() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let nasty = format!(
        "@everyone @here <@&{}> <@{}> **x**",
        world::COMMANDER_ROLE,
        world::COMMANDER
    );
    let system = format!("@here <@&{}>", world::COMMANDER_ROLE);
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", &nasty),
            ("severity", "P0"),
            ("systems", &system),
            ("summary", &nasty),
        ],
    )
    .await;
    // Discord renders markdown and mentions in a channel's topic too.
    assert_eq!(
        channel.topic.as_deref(),
        Some(
            format!(
                "Incident #1 · P0 · @\u{200B}everyone @\u{200B}here \\<@&{}> \\<@{}> \\*\\*x\\*\\*",
                world::COMMANDER_ROLE,
                world::COMMANDER
            )
            .as_str()
        )
    );
    run(
        &fake,
        world::RESPONDER,
        channel.id,
        "update",
        &[("message", &nasty), ("public", "true"), ("eta", &nasty)],
    )
    .await;
    run(
        &fake,
        world::RESPONDER,
        channel.id,
        "note",
        &[("text", &nasty)],
    )
    .await;
    shows(&fake, world::ANNOUNCEMENTS, "the update", |m| {
        m.content.contains("Status update")
    })
    .await;
    shows(&fake, world::LOG, "the log line", |m| {
        m.content.contains("declared")
    })
    .await;
    // The posts that carry the typed text: the intro (title, systems, summary), the update.
    for (what, needle) in [
        ("the intro", "**Incident #1: "),
        ("the update", "Update from"),
    ] {
        let post = shows(&fake, channel.id, what, |m| m.content.contains(needle)).await;
        assert!(post.content.contains("everyone"), "{}", post.content);
    }
    let allowed = [world::RESPONDER_ROLE, world::PLAYER_ALERTS_ROLE];
    for ch in [channel.id, world::ANNOUNCEMENTS, world::LOG] {
        let messages = fake.messages(ch);
        assert!(!messages.is_empty(), "nothing to check in {ch}");
        for m in messages {
            let pings = fake.pings(m.id);
            assert!(!pings.everyone, "pinged everyone: {}", m.content);
            assert!(pings.users.is_empty(), "pinged a user: {}", m.content);
            assert!(
                pings.roles.iter().all(|r| allowed.contains(r)),
                "pinged {:?}: {}",
                pings.roles,
                m.content
            );
        }
    }
}

#[tokio::test]
async fn a_security_incident_is_private_and_never_reaches_players() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::SECURITY,
        &[
            ("title", "Leaked admin key"),
            ("severity", "P0"),
            ("kind", "security"),
        ],
    )
    .await;
    assert_eq!(channel.name, "sec-1", "the name gives nothing away");
    assert!(fake.can_see(world::SECURITY, channel.id));
    assert!(
        !fake.can_see(world::RESPONDER, channel.id),
        "responders without the security role do not see it"
    );
    assert!(!fake.can_see(world::PLAYER, channel.id));
    shows(&fake, channel.id, "the intro", |m| {
        m.content.contains("Rotate credentials") || m.content.contains("Incident #1")
    })
    .await;
    bot.settle().await;
    assert!(
        fake.messages(world::ANNOUNCEMENTS).is_empty(),
        "security incidents never announce"
    );
    let log = shows(&fake, world::LOG, "the log line", |m| {
        m.content.contains("declared")
    })
    .await;
    assert!(
        !log.content.contains("Leaked"),
        "the log line keeps the title private: {}",
        log.content
    );
}

#[tokio::test]
async fn declaring_twice_with_one_interaction_opens_one_incident() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    fake.wait_for("the bot to be ready", STEP, |f| !f.commands().is_empty())
        .await;
    let actor = Actor {
        user: UserId::new(world::RESPONDER.get()).expect("id"),
        roles: vec![RoleId::new(world::RESPONDER_ROLE.get()).expect("id")],
    };
    let args = DeclareArgs {
        detected_at: None,
        title: "Login down".into(),
        severity: Severity::P1,
        kind: IncidentKind::Availability,
        systems: None,
        summary: None,
        eta: None,
    };
    let interaction = InteractionId::new(42).expect("id");
    let counts = ChannelCounts {
        guild: 5,
        category: 0,
    };
    let first = app::declare(&bot.app, &actor, args.clone(), interaction, counts)
        .await
        .expect("first");
    let again = app::declare(&bot.app, &actor, args, interaction, counts)
        .await
        .expect("again");
    assert!(!first.already && again.already);
    assert_eq!(first.record.id, again.record.id);
    fake.wait_for("the channel", STEP, |f| {
        f.channels_under(world::INCIDENTS).len() == 1
    })
    .await;
    bot.settle().await;
    assert_eq!(fake.channels_under(world::INCIDENTS).len(), 1);
}

#[tokio::test]
async fn a_rate_limited_channel_creation_still_ends_with_exactly_one_channel_and_intro() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    fake.wait_for("the bot to be ready", STEP, |f| !f.commands().is_empty())
        .await;
    fake.fail_next(
        "POST",
        "/guilds/{guild_id}/channels",
        2,
        Fault::RateLimited(Duration::from_millis(200)),
    );
    fake.fail_next(
        "POST",
        "/channels/{channel_id}/messages",
        1,
        Fault::ServerError,
    );
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P1")],
    )
    .await;
    shows(&fake, channel.id, "the intro", |m| {
        m.content.contains("**Incident #1")
    })
    .await;
    // Past any retry's backoff (at most `retry_max`, 1 s, in the test config), then until
    // the queue has caught up: a second channel or intro would be there by now.
    bot.clock.advance(chrono::TimeDelta::seconds(1));
    bot.settle().await;
    assert_eq!(fake.channels_under(world::INCIDENTS).len(), 1);
    let intros = fake
        .messages(channel.id)
        .iter()
        .filter(|m| m.content.contains("**Incident #1"))
        .count();
    assert_eq!(intros, 1);
}

#[tokio::test]
async fn raising_severity_pages_the_new_level_and_sends_the_alert_once() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Matchmaking slow"), ("severity", "P2")],
    )
    .await;
    assert!(
        fake.messages(world::ANNOUNCEMENTS).is_empty(),
        "P2 does not announce"
    );
    let answer = run(
        &fake,
        world::COMMANDER,
        channel.id,
        "severity",
        &[("level", "P0"), ("reason", "all regions")],
    )
    .await;
    assert!(answer.contains("service alert is going out"), "{answer}");
    let raised = shows(&fake, channel.id, "the raise", |m| {
        m.content.contains("Severity raised from P2 to P0")
    })
    .await;
    assert_eq!(fake.pings(raised.id).roles, [world::RESPONDER_ROLE]);
    shows(&fake, world::ANNOUNCEMENTS, "the alert", |m| {
        m.content.contains("🚨 Service Alert 🚨")
    })
    .await;
    run(
        &fake,
        world::COMMANDER,
        channel.id,
        "severity",
        &[("level", "P1")],
    )
    .await;
    run(
        &fake,
        world::COMMANDER,
        channel.id,
        "severity",
        &[("level", "P0")],
    )
    .await;
    bot.settle().await;
    assert_eq!(
        fake.messages(world::ANNOUNCEMENTS).len(),
        1,
        "one alert, however often it is raised"
    );
}

/// The incident of `channel`, as stored.
async fn incident_in(
    bot: &crate::support::bot::TestBot,
    channel: serenity::all::ChannelId,
) -> incident_bot::domain::IncidentId {
    bot.app
        .db
        .incident_by_channel(incident_bot::domain::ChannelId::new(channel.get()).expect("id"))
        .await
        .expect("db")
        .expect("row")
        .id
}

/// What the timeline says of a 📌-reacted message whose words the bot could not read.
fn linked(
    fake: &crate::support::fake_discord::FakeDiscord,
    channel: serenity::all::ChannelId,
    message: serenity::all::MessageId,
) -> String {
    format!(
        "(message: https://discord.com/channels/{}/{channel}/{message}; its words: use Apps → \
         Add to timeline)",
        fake.guild_id()
    )
}

#[tokio::test]
async fn notes_from_the_command_the_context_menu_and_a_pin_reaction_land_once_with_their_author() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    let said = fake.user_says(world::COMMANDER, channel.id, "Error rate is 40% on eu-west");
    for _ in 0..2 {
        let handle = fake
            .message_command(world::RESPONDER, "Add to timeline", said)
            .send()
            .await;
        handle.reply().await;
    }
    fake.react(world::RESPONDER, said, "📌").await;
    let other = fake.user_says(world::RESPONDER, channel.id, "Rolled back");
    fake.react(world::RESPONDER, other, "📌").await;
    let id = incident_in(&bot, channel.id).await;
    // Without the Message Content intent a reaction cannot read the words: the timeline gets a
    // link, and the channel is told how to add the words.
    let link = linked(&fake, channel.id, other);
    let notice = shows(&fake, channel.id, "the 📌 notice", |m| {
        m.content.starts_with("📌")
    })
    .await;
    assert_eq!(
        notice.content,
        format!(
            "📌 <@{}> put a link to that message on the timeline. Discord does not show me the \
             words of other people's messages, so to keep them use **Apps → Add to timeline** on it.",
            world::RESPONDER
        )
    );
    assert!(fake.pings(notice.id).nobody());
    let texts = |t: &[incident_bot::domain::TimelineEntry]| {
        t.iter().map(|e| e.text.clone()).collect::<Vec<_>>()
    };
    let timeline = bot.app.db.timeline(id).await.expect("timeline");
    assert_eq!(
        texts(&timeline)[1..],
        ["Error rate is 40% on eu-west".to_owned(), link],
        "the first added once, with its words; the second as a link"
    );
    assert_eq!(
        timeline[1].actor.map(|u| u.get()),
        Some(world::COMMANDER.get()),
        "with its author"
    );

    // The context menu carries the words: they replace the link.
    let handle = fake
        .message_command(world::RESPONDER, "Add to timeline", other)
        .send()
        .await;
    assert_eq!(handle.reply().await.content, "Added to the timeline.");
    let timeline = bot.app.db.timeline(id).await.expect("timeline");
    assert_eq!(
        texts(&timeline)[1..],
        ["Error rate is 40% on eu-west", "Rolled back"]
    );
}

#[tokio::test]
async fn a_link_stored_before_its_words_moved_to_a_template_reads_back_and_is_filled() {
    use incident_bot::domain::{EntryKind, MessageId, TimelineEntry};
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Login down"), ("severity", "P2")],
    )
    .await;
    let other = fake.user_says(world::RESPONDER, channel.id, "Rolled back");
    let id = incident_in(&bot, channel.id).await;
    // A 📌 of an unreadable message, as the bot stored it when Rust built the sentence.
    let older = linked(&fake, channel.id, other);
    let mut tx = bot.app.db.begin().await.expect("tx");
    tx.append_timeline(
        id,
        &[TimelineEntry {
            at: bot.app.clock.now(),
            actor: UserId::new(world::RESPONDER.get()),
            kind: EntryKind::Note,
            text: older.clone(),
            source_message: MessageId::new(other.get()),
        }],
    )
    .await
    .expect("the older row");
    tx.commit().await.expect("commit");
    let last = |t: Vec<TimelineEntry>| t.last().map(|e| e.text.clone());
    assert_eq!(
        last(bot.app.db.timeline(id).await.expect("timeline")),
        Some(older),
        "it reads back as it was stored"
    );

    let handle = fake
        .message_command(world::RESPONDER, "Add to timeline", other)
        .send()
        .await;
    let added = handle.reply().await;
    assert_eq!(
        fake.seen(&added, chrono::Utc::now()),
        "Added to the timeline."
    );
    assert!(fake.pings(added.id).nobody());
    assert_eq!(
        last(bot.app.db.timeline(id).await.expect("timeline")),
        Some("Rolled back".to_owned()),
        "the context menu's words replace the older link"
    );
}

#[tokio::test]
async fn a_declare_that_would_overfill_the_category_is_refused_with_what_to_archive() {
    let mut builder = world::fake();
    for n in 0..48u64 {
        builder = builder.text_channel_in(
            serenity::all::ChannelId::new(1_100_000_000_000_001_000 + n),
            &format!("old-{n}"),
            world::INCIDENTS,
        );
    }
    let fake = builder.start().await;
    let _bot = spawn_bot(&fake).await;
    let answer = run(
        &fake,
        world::RESPONDER,
        world::GENERAL,
        "declare",
        &[("title", "One too many"), ("severity", "P3")],
    )
    .await;
    assert!(answer.contains("/incident close"), "{answer}");
    assert_eq!(fake.channels_under(world::INCIDENTS).len(), 48);
}

#[tokio::test]
async fn systems_autocomplete_offers_the_catalogue() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    fake.wait_for("the bot to be ready", STEP, |f| !f.commands().is_empty())
        .await;
    let handle = fake
        .autocomplete(world::RESPONDER)
        .in_channel(world::GENERAL)
        .command("incident")
        .sub("declare")
        .focused("systems", "Login, ma")
        .send()
        .await;
    let choices = handle.choices().await;
    let names: Vec<_> = choices.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, ["Login, Matchmaking"]);
}

#[tokio::test]
async fn commands_are_registered_again_only_when_their_definition_changed() {
    let fake = world::fake().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let first = crate::support::bot::spawn_bot_in(&fake, dir.path(), |_| {}).await;
    first.stop().await;
    let _second = crate::support::bot::spawn_bot_in(&fake, dir.path(), |_| {}).await;
    // Once the second bot answers, its setup (and any registration) is done.
    run(&fake, world::RESPONDER, world::GENERAL, "status", &[]).await;
    assert_eq!(
        fake.count(
            "PUT",
            "/applications/{application_id}/guilds/{guild_id}/commands"
        ),
        1
    );
    assert_eq!(fake.identifies().len(), 2, "the second bot did connect");
}

#[tokio::test]
async fn alerts_beyond_eight_an_hour_are_posted_at_once_and_published_later() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    for n in 0..10 {
        declare(
            &fake,
            world::RESPONDER,
            &[("title", &format!("Outage {n}")), ("severity", "P0")],
        )
        .await;
    }
    fake.wait_for("ten alerts", STEP, |f| {
        f.messages(world::ANNOUNCEMENTS).len() == 10
    })
    .await;
    fake.wait_for("eight publishes", STEP, |f| {
        f.crossposted(world::ANNOUNCEMENTS).len() == 8
    })
    .await;
    bot.settle().await;
    assert_eq!(
        fake.crossposted(world::ANNOUNCEMENTS).len(),
        8,
        "the hourly budget holds"
    );
    let waiting: usize = {
        let mut n = 0;
        for r in bot
            .app
            .db
            .unclosed_incidents(bot.app.settings.discord.guild_id)
            .await
            .expect("db")
        {
            n += bot
                .app
                .db
                .jobs_of(Some(r.id))
                .await
                .expect("jobs")
                .iter()
                .filter(|j| j.kind == "publish" && j.finished_at.is_none())
                .count();
        }
        n
    };
    assert_eq!(waiting, 2, "the other two publishes wait for the budget");
}
