//! The post-mortem meeting people attend: a Discord Scheduled Event in a voice channel players
//! cannot see, the call that pings everyone who acted and the participant roles, moving it,
//! ending it with `/postmortem done`; and what goes into the draft: action items in the plan's
//! three groups, lessons learned, and an optional post-mortem started by hand.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use incident_bot::clock::{Clock, ManualClock};
use incident_bot::config::Settings;
use serenity::all::{ChannelId, RoleId, UserId};

use crate::support::bot::{spawn_bot_on, world, TestBot, STEP};
use crate::support::fake_discord::{
    FakeChannel, FakeDiscord, FakeEvent, FakeMessage, Fault, CREATE_EVENTS,
};
use crate::support::story::{answer_pm, declare, run, run_pm, shows, shows_seen};
use crate::support::time::T0;

/// The team leads, asked to every meeting by `[postmortem] participants`.
const LEADS: RoleId = RoleId::new(1_100_000_000_000_000_210);
/// A team lead, with no incident role.
const LENA: UserId = UserId::new(1_100_000_000_000_000_310);
/// A voice channel everyone can see.
const LOUNGE: ChannelId = ChannelId::new(1_100_000_000_000_000_120);

/// 09:00 sharp on a Monday; the bot's clock starts here and runs.
fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0)
        .single()
        .expect("a valid time")
}

/// The standard world with the team leads and a public voice channel.
fn world_with_leads() -> crate::support::fake_discord::FakeDiscordBuilder {
    world::fake()
        .role(LEADS, "team-leads", 0)
        .member(LENA, "lena", &[LEADS])
        .voice_channel(LOUNGE, "lounge")
}

async fn start(
    fake: &FakeDiscord,
    tweak: impl FnOnce(&mut Settings),
) -> (TestBot, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = spawn_bot_on(fake, dir.path(), ManualClock::running(T0), |s| {
        s.postmortem.participants =
            vec![incident_bot::domain::RoleId::new(LEADS.get()).expect("a role id")];
        tweak(s);
    })
    .await;
    (bot, dir)
}

/// A P0 declared by Rhea, worked by Cole (commander) and Sana (a note), resolved by Cole; a
/// security one is all Sana's (only the security role sees its channel).
async fn resolved_p0(fake: &FakeDiscord, title: &str, kind: &str) -> FakeChannel {
    let (declarer, commander) = if kind == "security" {
        (world::SECURITY, world::SECURITY)
    } else {
        (world::RESPONDER, world::COMMANDER)
    };
    let channel = declare(
        fake,
        declarer,
        &[
            ("title", title),
            ("severity", "P0"),
            ("kind", kind),
            ("systems", "Login"),
        ],
    )
    .await;
    let holder = format!("<@{commander}>");
    run(
        fake,
        commander,
        channel.id,
        "assign",
        &[("role", "commander"), ("user", &holder)],
    )
    .await;
    run(
        fake,
        world::SECURITY,
        channel.id,
        "note",
        &[("text", "certificate expired at 08:55")],
    )
    .await;
    run(
        fake,
        commander,
        channel.id,
        "resolve",
        &[
            ("root_cause", "An expired certificate"),
            ("all_clear", "now"),
        ],
    )
    .await;
    channel
}

/// Waits for the one event the bot holds, in the state `pred` wants.
async fn event_where(
    fake: &FakeDiscord,
    what: &str,
    pred: impl Fn(&FakeEvent) -> bool,
) -> FakeEvent {
    fake.wait_for(what, STEP, |f| f.scheduled_events().iter().any(&pred))
        .await;
    let events = fake.scheduled_events();
    assert_eq!(events.len(), 1, "one event, never a second: {events:#?}");
    events.into_iter().next().expect("one")
}

/// Waits for the meeting call in `channel` (the `nth`, from 1) and returns it with its text.
async fn call(
    fake: &FakeDiscord,
    bot: &TestBot,
    channel: ChannelId,
    nth: usize,
) -> (FakeMessage, String) {
    let calls = |f: &FakeDiscord| {
        f.messages(channel)
            .into_iter()
            .filter(|m| m.content.contains("📅"))
            .collect::<Vec<_>>()
    };
    fake.wait_for("the call to the meeting", STEP, |f| calls(f).len() >= nth)
        .await;
    let message = calls(fake).remove(nth - 1);
    let text = fake.seen(&message, bot.clock.now());
    (message, text)
}

#[tokio::test]
async fn the_meeting_is_an_event_players_cannot_see_and_the_call_pings_everyone_who_acted() {
    let fake = world_with_leads().start().await;
    let (bot, _dir) = start(&fake, |_| {}).await;
    let channel = resolved_p0(&fake, "Login down", "availability").await;

    let answer = answer_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "schedule",
        &[("when", "tomorrow 15:00")],
    )
    .await;

    assert_eq!(
        fake.seen(&answer, bot.clock.now()),
        "Review meeting set for December 1, 2026 at 15:00. Its event is being created in \
         #post-mortems; the participants are pinged in this channel."
    );
    let event = event_where(&fake, "the meeting's event", |_| true).await;
    assert_eq!(event.name, "Post-mortem: #1 Login down");
    assert_eq!(event.entity_type, 2, "a voice event");
    assert_eq!(event.channel_id, Some(world::MEETINGS));
    assert_eq!((event.start, event.end), (at(1, 15), Some(at(1, 16))));
    assert_eq!(event.status, 1, "scheduled");
    assert_eq!(event.creator, world::BOT);
    assert!(
        fake.events_seen_by(world::PLAYER).is_empty(),
        "players never see it"
    );
    assert_eq!(fake.events_seen_by(world::RESPONDER).len(), 1);

    let (message, text) = call(&fake, &bot, channel.id, 1).await;
    assert_eq!(
        text,
        format!(
            "@rhea @cole @sana @team-leads\n\
             📅 Post-mortem review meeting: Tuesday, December 1, 2026 at 15:00 (in a day)\n\
             The event is in #post-mortems: https://discord.com/events/{}/{}: mark yourself \
             Interested to be reminded when it starts.\n\
             Before it, fill the draft: /postmortem action, /postmortem lesson, /postmortem impact.",
            fake.guild_id(),
            event.id
        )
    );
    let pings = fake.pings(message.id);
    assert_eq!(
        pings.users,
        [world::RESPONDER, world::COMMANDER, world::SECURITY],
        "everyone on the timeline, once each"
    );
    assert_eq!(pings.roles, [LEADS]);
    assert!(!pings.everyone);
}

#[tokio::test]
async fn moving_the_meeting_edits_its_event_and_done_cancels_one_that_never_started() {
    let fake = world_with_leads().start().await;
    let (bot, _dir) = start(&fake, |_| {}).await;
    let channel = resolved_p0(&fake, "Login down", "availability").await;
    run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "schedule",
        &[("when", "tomorrow 15:00")],
    )
    .await;
    let first = event_where(&fake, "the event", |_| true).await;
    call(&fake, &bot, channel.id, 1).await;

    let moved = run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "schedule",
        &[("when", "2026-12-02 08:00")],
    )
    .await;

    assert!(moved.starts_with("Review meeting moved to <t:"), "{moved}");
    let event = event_where(&fake, "the event moved", |e| e.start == at(2, 8)).await;
    assert_eq!(event.id, first.id, "the same event, edited");
    assert_eq!(event.end, Some(at(2, 9)));
    let (_, text) = call(&fake, &bot, channel.id, 2).await;
    assert!(
        text.starts_with(
            "@rhea @cole @sana @team-leads\n📅 Post-mortem review meeting moved to Wednesday, \
             December 2, 2026 at 08:00 (in 2 days)\n"
        ),
        "{text}"
    );

    let done = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "done",
        &[("link", "https://wiki.example.com/pm/1")],
    )
    .await;

    assert_eq!(
        done,
        "Post-mortem marked done; its reminders are cancelled, and the meeting's event is ended \
         (completed if it ran, canceled if it never started)."
    );
    let event = event_where(&fake, "the event canceled", |e| e.status == 4).await;
    assert_eq!(event.id, first.id);
    let refused = run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "schedule",
        &[("when", "tomorrow 16:00")],
    )
    .await;
    assert_eq!(
        refused,
        "⛔ The post-mortem is done already: there is no meeting left to schedule"
    );
}

#[tokio::test]
async fn a_meeting_that_started_is_completed_by_done() {
    let fake = world_with_leads().start().await;
    let (bot, _dir) = start(&fake, |_| {}).await;
    let channel = resolved_p0(&fake, "Login down", "availability").await;
    run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "schedule",
        &[("when", "tomorrow 15:00")],
    )
    .await;
    let event = event_where(&fake, "the event", |_| true).await;
    call(&fake, &bot, channel.id, 1).await;

    // Tomorrow at 15:00 the host starts it in Discord.
    bot.clock.advance(chrono::TimeDelta::hours(30));
    fake.start_event(event.id);
    run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "done",
        &[("link", "https://wiki.example.com/pm/1")],
    )
    .await;

    let ended = event_where(&fake, "the event completed", |e| e.status == 3).await;
    assert_eq!(ended.id, event.id);
}

#[tokio::test]
async fn a_time_after_the_deadline_needs_a_commanders_explicit_override() {
    let fake = world_with_leads().start().await;
    let (bot, _dir) = start(&fake, |_| {}).await;
    let channel = resolved_p0(&fake, "Login down", "availability").await;
    let late = [("when", "2026-12-03 10:00")];

    let refused = answer_pm(&fake, world::RESPONDER, channel.id, "schedule", &late).await;
    let not_allowed = answer_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "schedule",
        &[("when", "2026-12-03 10:00"), ("after_deadline", "true")],
    )
    .await;
    let allowed = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "schedule",
        &[("when", "2026-12-03 10:00"), ("after_deadline", "true")],
    )
    .await;

    let now = bot.clock.now();
    assert_eq!(
        fake.seen(&refused, now),
        "⛔ That is after the post-mortem's deadline, Wednesday, December 2, 2026 at 09:00. Pick \
         an earlier time, or a commander can allow it with after_deadline:True"
    );
    assert_eq!(
        fake.seen(&not_allowed, now),
        "⛔ Only a member with the @commanders role or this incident's commander can set the \
         meeting after the post-mortem's deadline, December 2, 2026 at 09:00. Pick a time before it."
    );
    assert!(allowed.starts_with("Review meeting set for"), "{allowed}");
    let (_, text) = call(&fake, &bot, channel.id, 1).await;
    assert!(
        text.contains(
            "\n⚠️ After the post-mortem's deadline, December 2, 2026 at 09:00: allowed by @cole.\n"
        ),
        "{text}"
    );
    event_where(&fake, "the late event", |e| e.start == at(3, 10)).await;
}

#[tokio::test]
async fn a_security_incidents_meeting_is_held_only_where_the_security_role_alone_can_see_it() {
    let fake = world_with_leads().start().await;
    let (bot, _dir) = start(&fake, |_| {}).await;
    let channel = resolved_p0(&fake, "Token leak in the launcher", "security").await;

    run_pm(
        &fake,
        world::SECURITY,
        channel.id,
        "schedule",
        &[("when", "tomorrow 15:00")],
    )
    .await;

    let event = event_where(&fake, "the security event", |_| true).await;
    assert_eq!(event.channel_id, Some(world::SECURITY_MEETINGS));
    assert_eq!(
        event.name, "Post-mortem: incident #1",
        "the name tells nothing"
    );
    assert!(
        !event
            .description
            .clone()
            .unwrap_or_default()
            .contains("Token"),
        "{event:?}"
    );
    for outsider in [world::PLAYER, world::RESPONDER, LENA] {
        assert!(
            fake.events_seen_by(outsider).is_empty(),
            "{outsider} sees it"
        );
    }
    assert_eq!(fake.events_seen_by(world::SECURITY).len(), 1);
    let (_, text) = call(&fake, &bot, channel.id, 1).await;
    assert!(
        text.contains("The event is in #security-review: https://"),
        "{text}"
    );
}

#[tokio::test]
async fn without_a_safe_channel_the_meeting_is_called_without_an_event_and_says_why() {
    let fake = world_with_leads().start().await;
    let (bot, _dir) = start(&fake, |s| {
        s.postmortem.security_meeting_channel = None;
        s.postmortem.meeting_channel = incident_bot::domain::ChannelId::new(LOUNGE.get());
    })
    .await;
    let public = resolved_p0(&fake, "Login down", "availability").await;
    let secret = resolved_p0(&fake, "Token leak", "security").await;

    let answer = run_pm(
        &fake,
        world::SECURITY,
        secret.id,
        "schedule",
        &[("when", "tomorrow 15:00")],
    )
    .await;
    run_pm(
        &fake,
        world::RESPONDER,
        public.id,
        "schedule",
        &[("when", "tomorrow 15:00")],
    )
    .await;

    assert!(
        answer.ends_with(
            "No Discord event: security incidents meet in `[postmortem] security_meeting_channel`, \
             a voice channel only the security role can view, which is not set; the participants \
             are pinged in this channel."
        ),
        "{answer}"
    );
    let (_, text) = call(&fake, &bot, secret.id, 1).await;
    assert!(
        text.contains("\nNo Discord event: security incidents meet in [postmortem] security_meeting_channel, a voice channel only the security role can view, which is not set.\n"),
        "{text}"
    );
    let (_, text) = call(&fake, &bot, public.id, 1).await;
    assert!(
        text.contains(
            "\nNo Discord event: players can see #lounge and so any event in it: deny View \
             Channel to @everyone there.\n"
        ),
        "{text}"
    );
    assert!(fake.scheduled_events().is_empty());
}

#[tokio::test]
async fn without_create_events_the_call_says_what_to_grant() {
    let fake = world_with_leads()
        .bot_permissions(world::BOT_INVITE & !CREATE_EVENTS)
        .start()
        .await;
    let (bot, _dir) = start(&fake, |_| {}).await;
    let channel = resolved_p0(&fake, "Login down", "availability").await;

    run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "schedule",
        &[("when", "tomorrow 15:00")],
    )
    .await;

    let (_, text) = call(&fake, &bot, channel.id, 1).await;
    assert!(
        text.contains(
            "\nNo Discord event: I can't create the review meeting's event in #post-mortems: give \
             me Create Events, View Channel and Connect there (Server Settings → Roles, or the \
             channel's permissions).\n"
        ),
        "{text}"
    );
    assert!(fake.scheduled_events().is_empty());
    let refused = fake.take_violations();
    assert!(
        refused.iter().all(|v| v.detail.contains("50013")),
        "{refused:#?}"
    );
}

#[tokio::test]
async fn a_creation_whose_answer_was_lost_is_adopted_not_doubled() {
    let fake = world_with_leads().start().await;
    let (bot, _dir) = start(&fake, |s| {
        s.jobs.discord_timeout = Duration::from_millis(500);
    })
    .await;
    let channel = resolved_p0(&fake, "Login down", "availability").await;
    // Discord creates the event, but its answer comes after the bot stopped waiting.
    fake.fail_next(
        "POST",
        "/guilds/{guild_id}/scheduled-events",
        1,
        Fault::Delayed(Duration::from_secs(2)),
    );

    run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "schedule",
        &[("when", "tomorrow 15:00")],
    )
    .await;

    let (_, text) = call(&fake, &bot, channel.id, 1).await;
    let event = event_where(&fake, "the event", |_| true).await;
    assert!(
        text.contains(&format!("/events/{}/{}:", fake.guild_id(), event.id)),
        "{text}"
    );
    assert_eq!(
        fake.requests_to("POST", "/guilds/{guild_id}/scheduled-events")
            .len(),
        1,
        "the retry found the event instead of creating another"
    );
}

#[tokio::test]
async fn action_items_and_lessons_fill_the_drafts_headings() {
    let fake = world_with_leads().start().await;
    let (_bot, _dir) = start(&fake, |_| {}).await;
    let channel = resolved_p0(&fake, "Login down", "availability").await;
    let sana = format!("<@{}>", world::SECURITY);

    let fix = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "action",
        &[("kind", "fix"), ("text", "Renewed the certificate")],
    )
    .await;
    let prevent = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "action",
        &[
            ("kind", "prevent"),
            ("text", "Alert 14 days before certificates expire"),
            ("owner", &sana),
        ],
    )
    .await;
    let process = run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "action",
        &[
            ("kind", "process"),
            ("text", "Add expiry dates to the on-call checklist"),
        ],
    )
    .await;
    let well = run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "lesson",
        &[
            ("kind", "went_well"),
            ("text", "The rollback took **two** minutes"),
        ],
    )
    .await;
    let badly = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "lesson",
        &[
            ("kind", "went_badly"),
            ("text", "Nobody owned the certificate"),
        ],
    )
    .await;
    run_pm(&fake, world::COMMANDER, channel.id, "draft", &[]).await;

    assert_eq!(
        fix,
        "Recorded under \"Immediate fixes (done)\" in the draft."
    );
    assert_eq!(
        prevent,
        format!("Added under \"Preventive measures (TODO)\", owned by {sana}.")
    );
    assert_eq!(
        process,
        "Added under \"Process improvements (TODO)\", owned by you (name someone else with `owner`)."
    );
    assert_eq!(
        well,
        "Added to \"Lessons learned\" under \"What went well\" in the draft."
    );
    assert_eq!(
        badly,
        "Added to \"Lessons learned\" under \"What didn't\" in the draft."
    );
    let post = shows(&fake, channel.id, "the draft", |m| {
        m.attachments.iter().any(|a| a.filename.ends_with(".md"))
    })
    .await;
    let text = String::from_utf8(post.attachments[0].bytes.clone()).expect("utf-8");
    let tail = &text[text.find("## Action items").expect("the section")..];
    // People by name: a file cannot show a mention.
    assert_eq!(
        tail,
        "## Action items\n\n\
             Immediate fixes (done):\n\
             - [x] Renewed the certificate\n\n\
             Preventive measures (TODO):\n\
             - [ ] Alert 14 days before certificates expire (owner: sana)\n\n\
             Process improvements (TODO):\n\
             - [ ] Add expiry dates to the on-call checklist (owner: rhea)\n\n\
             ## Lessons learned\n\n\
             What went well:\n\
             - The rollback took \\*\\*two\\*\\* minutes\n\n\
             What didn't:\n\
             - Nobody owned the certificate"
    );
}

#[tokio::test]
async fn an_optional_postmortem_is_started_by_hand_once_and_only_after_resolve() {
    let fake = world_with_leads().start().await;
    let (bot, _dir) = start(&fake, |_| {}).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Slow store page"), ("severity", "P2")],
    )
    .await;

    let early = run_pm(&fake, world::RESPONDER, channel.id, "start", &[]).await;
    let action = run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "action",
        &[("kind", "fix"), ("text", "Cache warmed")],
    )
    .await;
    run(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[("root_cause", "A cold cache"), ("all_clear", "now")],
    )
    .await;
    let started = answer_pm(&fake, world::RESPONDER, channel.id, "start", &[]).await;
    let again = answer_pm(&fake, world::COMMANDER, channel.id, "start", &[]).await;

    assert_eq!(
        early,
        "⛔ Incident #1 is not resolved yet: a post-mortem looks back on a resolved incident. \
         Start it once `/incident resolve` is done and the fix held."
    );
    assert!(
        action.contains("Start one anyway with `/postmortem start`"),
        "{action}"
    );
    let now = bot.clock.now();
    assert_eq!(
        fake.seen(&started, now),
        "Post-mortem started; it is due December 2, 2026 at 09:00. The reminders are set."
    );
    assert_eq!(
        fake.seen(&again, now),
        "⛔ Incident #1 already has a post-mortem (started by @rhea), due December 2, 2026 at 09:00: \
         carry on with /postmortem draft, schedule, action and lesson."
    );
    let (notice, text) = shows_seen(&fake, channel.id, "the start notice", now, |t| {
        t.starts_with("📝 Post-mortem started by")
    })
    .await;
    assert_eq!(
        text,
        "📝 Post-mortem started by @rhea, due December 2, 2026 at 09:00\nThe plan does not \
         require one for this P2; it gets one anyway. Fill it with /postmortem impact, action \
         and lesson, and meet with /postmortem schedule."
    );
    assert!(fake.pings(notice.id).nobody());
    // Now it takes a meeting like any other.
    let scheduled = run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "schedule",
        &[("when", "tomorrow 15:00")],
    )
    .await;
    assert!(
        scheduled.starts_with("Review meeting set for"),
        "{scheduled}"
    );
    event_where(&fake, "the event", |_| true).await;
}

#[tokio::test]
async fn the_call_pings_staff_only_never_a_player_whose_pinned_message_is_on_the_timeline() {
    let fake = world_with_leads().start().await;
    let (bot, _dir) = start(&fake, |_| {}).await;
    let channel = resolved_p0(&fake, "Login down", "availability").await;
    // A player's message and a team lead's, both put on the timeline with 📌 by Rhea.
    let pat = fake.user_says(world::PLAYER, channel.id, "Still cannot log in from Brazil");
    let lena = fake.user_says(LENA, channel.id, "Support has 40 tickets about it");
    fake.react(world::RESPONDER, pat, "📌").await;
    fake.react(world::RESPONDER, lena, "📌").await;
    let record = bot
        .app
        .db
        .incident_by_channel(incident_bot::domain::ChannelId::new(channel.id.get()).expect("id"))
        .await
        .expect("db")
        .expect("the incident");
    let authors = |timeline: &[incident_bot::domain::TimelineEntry]| {
        timeline
            .iter()
            .filter_map(|e| e.actor.map(|u| u.get()))
            .collect::<Vec<_>>()
    };
    let deadline = tokio::time::Instant::now() + STEP;
    while !{
        let on = authors(&bot.app.db.timeline(record.id).await.expect("timeline"));
        on.contains(&world::PLAYER.get()) && on.contains(&LENA.get())
    } {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the pins never landed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    run_pm(
        &fake,
        world::RESPONDER,
        channel.id,
        "schedule",
        &[("when", "tomorrow 15:00")],
    )
    .await;

    let (message, text) = call(&fake, &bot, channel.id, 1).await;
    assert!(
        text.starts_with("@rhea @cole @sana @lena @team-leads\n📅"),
        "{text}"
    );
    let pings = fake.pings(message.id);
    assert_eq!(
        pings.users,
        [world::RESPONDER, world::COMMANDER, world::SECURITY, LENA],
        "staff, and a member of a participants role; never the player"
    );
    assert!(!pings.users.contains(&world::PLAYER));
}

/// A P0 about a breach, its meeting set for tomorrow 15:00, then turned into a security
/// incident by Cole; returns the event as it was first made.
async fn meeting_then_security(fake: &FakeDiscord) -> FakeEvent {
    let channel = resolved_p0(fake, "Payments breach via admin panel", "availability").await;
    run_pm(
        fake,
        world::RESPONDER,
        channel.id,
        "schedule",
        &[("when", "tomorrow 15:00")],
    )
    .await;
    let first = event_where(fake, "the event", |e| e.name.contains("breach")).await;
    run(
        fake,
        world::COMMANDER,
        channel.id,
        "kind",
        &[("to", "security")],
    )
    .await;
    first
}

#[tokio::test]
async fn a_meeting_of_an_incident_turned_security_is_renamed_and_moved_to_the_security_channel() {
    let fake = world_with_leads().start().await;
    let (_bot, _dir) = start(&fake, |_| {}).await;
    let first = meeting_then_security(&fake).await;

    let event = event_where(&fake, "the event renamed and moved", |e| {
        e.name == "Post-mortem: incident #1"
    })
    .await;
    assert_eq!(event.id, first.id, "the same event, edited");
    assert_eq!(event.channel_id, Some(world::SECURITY_MEETINGS));
    assert_eq!(event.status, 1, "still scheduled");
    assert!(
        !event.description.unwrap_or_default().contains("breach"),
        "the description says only the number"
    );
    for outsider in [world::PLAYER, world::RESPONDER, LENA] {
        assert!(
            fake.events_seen_by(outsider).is_empty(),
            "{outsider} sees it"
        );
    }
}

#[tokio::test]
async fn a_meeting_of_an_incident_turned_security_is_called_off_without_a_security_channel() {
    let fake = world_with_leads().start().await;
    let (_bot, _dir) = start(&fake, |s| s.postmortem.security_meeting_channel = None).await;
    let first = meeting_then_security(&fake).await;

    let event = event_where(&fake, "the event canceled", |e| e.status == 4).await;
    assert_eq!(event.id, first.id);
}
