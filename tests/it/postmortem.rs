//! `/postmortem …`: the draft from the plan's template, impact, actions, the meeting, done, and
//! the refusals of each.

use chrono::TimeDelta;
use incident_bot::clock::Clock;

use crate::support::bot::{spawn_bot, world};
use crate::support::story::{button_labels, declare, press, run, run_pm, shows};

#[tokio::test]
async fn the_draft_is_posted_as_a_markdown_file_prefilled_from_the_incident() {
    let fake = world::fake().start().await;
    let bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
            ("summary", "Nobody can log in"),
        ],
    )
    .await;
    shows(&fake, channel.id, "the triage checklist", |m| {
        button_labels(m).iter().any(|l| l == "Alert received")
    })
    .await;
    let (click, _) = press(&fake, world::COMMANDER, channel.id, "Alert received").await;
    assert_eq!(click.ack().await.kind, 7, "ticked");
    let owner = format!("<@{}>", world::RESPONDER);
    run(
        &fake,
        world::RESPONDER,
        channel.id,
        "assign",
        &[("role", "commander"), ("user", &owner)],
    )
    .await;
    run(
        &fake,
        world::RESPONDER,
        channel.id,
        "phase",
        &[("to", "containment")],
    )
    .await;
    run(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[
            ("root_cause", "An expired certificate"),
            ("all_clear", "now"),
        ],
    )
    .await;
    assert_eq!(
        run_pm(
            &fake,
            world::COMMANDER,
            channel.id,
            "impact",
            &[
                ("users", "1200"),
                ("downtime_minutes", "45"),
                ("revenue", "$300")
            ]
        )
        .await,
        "Impact recorded; it goes into the draft."
    );
    assert_eq!(
        run_pm(
            &fake,
            world::COMMANDER,
            channel.id,
            "action",
            &[
                ("kind", "prevent"),
                ("text", "Alert 14 days before certificates expire"),
                ("owner", &owner)
            ]
        )
        .await,
        format!("Added under \"Preventive measures (TODO)\", owned by {owner}.")
    );
    // Tomorrow 15:00 is always within the 48 hours, and always ahead.
    let day = (bot.clock.now() + TimeDelta::days(1)).format("%Y-%m-%d");
    let when = format!("{day} 15:00 UTC");
    let answer = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "schedule",
        &[("when", &when)],
    )
    .await;
    assert!(answer.starts_with("Review meeting set for <t:"), "{answer}");

    let answer = run_pm(&fake, world::COMMANDER, channel.id, "draft", &[]).await;
    assert!(answer.contains("postmortem-incident-1.md"), "{answer}");
    let post = shows(&fake, channel.id, "the draft", |m| {
        m.attachments.iter().any(|a| a.filename.ends_with(".md"))
    })
    .await;
    assert_eq!(post.attachments[0].filename, "postmortem-incident-1.md");
    let text = String::from_utf8(post.attachments[0].bytes.clone()).expect("utf-8");
    for needle in [
        "# Post-mortem: Incident #1, Login down",
        "Severity: P0",
        "Systems: Login",
        "Who was affected? 1200 users of Login.",
        "- Users affected: 1200",
        "- Downtime: 45m",
        "- Revenue impact: $300",
        &format!("Review meeting: {when}"),
        "## Root cause: 5 whys",
        "Stated at resolve: An expired certificate",
        "Preventive measures (TODO):\n- [ ] Alert 14 days before certificates expire (owner: rhea)",
        ", rhea: rhea is now incident commander",
        ", cole: Fix applied. Root cause: An expired certificate",
        "reports: cole, 20",
        "- Phase 1: Detection & Triage:",
        "## Lessons learned",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    // A file cannot show a mention as a name: people are written by name, never `<@id>`.
    assert!(!text.contains("<@"), "a raw mention in\n{text}");
    // The draft is a file: dates are written out, never Discord's `<t:…>` tags.
    assert!(!text.contains("<t:"), "a Discord timestamp tag in\n{text}");
    assert!(
        text.contains(&format!("Post-mortem: Review meeting set for {when}")),
        "{text}"
    );
    let timeline_lines = text.lines().filter(|l| l.starts_with("- 20")).count();
    assert!(
        timeline_lines >= 4,
        "the whole timeline with full dates:\n{text}"
    );
}

#[tokio::test]
async fn postmortem_input_is_checked_and_says_what_to_write() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
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
    let when = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "schedule",
        &[("when", "next blursday")],
    )
    .await;
    assert!(when.contains("tomorrow 15:00"), "{when}");
    let past = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "schedule",
        &[("when", "2020-01-01 10:00")],
    )
    .await;
    assert!(past.contains("in the past"), "{past}");
    let link = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "done",
        &[("link", "see the wiki")],
    )
    .await;
    assert!(link.contains("https://"), "{link}");
    let negative = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "impact",
        &[("users", "-5")],
    )
    .await;
    assert!(
        negative.contains("users must be a whole number from 0 to"),
        "{negative}"
    );
    // Once panicked in the draft (`TimeDelta::minutes`); now refused where it is typed.
    let huge = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "impact",
        &[("downtime_minutes", "200000000000000")],
    )
    .await;
    assert_eq!(
        huge,
        "⛔ downtime_minutes must be a whole number from 0 to 525600 (a year); you gave 200000000000000."
    );
    let nothing = run_pm(&fake, world::COMMANDER, channel.id, "impact", &[]).await;
    assert!(nothing.contains("at least one"), "{nothing}");
    let elsewhere = run_pm(&fake, world::COMMANDER, world::GENERAL, "draft", &[]).await;
    assert!(elsewhere.contains("not an incident channel"), "{elsewhere}");
    let player = run_pm(
        &fake,
        world::PLAYER,
        channel.id,
        "action",
        &[("kind", "fix"), ("text", "x")],
    )
    .await;
    assert!(
        player.contains(&format!("<@&{}>", world::RESPONDER_ROLE)),
        "{player}"
    );
}

#[tokio::test]
async fn an_incident_that_needs_no_postmortem_says_so_but_can_still_be_drafted() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[("title", "Typo on the store page"), ("severity", "P3")],
    )
    .await;
    let resolved = run(
        &fake,
        world::COMMANDER,
        channel.id,
        "resolve",
        &[("root_cause", "typo"), ("all_clear", "now")],
    )
    .await;
    assert!(!resolved.contains("post-mortem"), "{resolved}");
    // What the channel reads: the decision and why, with nothing due.
    // It closes the resolve's one message, after the resolve notice and the recovery checklist.
    let notice = shows(&fake, channel.id, "the post-mortem decision", |m| {
        m.content.contains("📝")
    })
    .await;
    assert!(
        notice.content.starts_with("✅ **Resolved by"),
        "{}",
        notice.content
    );
    assert_eq!(
        notice.content.lines().last(),
        Some("📝 **No post-mortem required: P3 incidents need one only if a team lead asks**")
    );
    let answer = run_pm(
        &fake,
        world::COMMANDER,
        channel.id,
        "done",
        &[("link", "https://wiki.example.com/x")],
    )
    .await;
    assert!(answer.contains("has no post-mortem to track"), "{answer}");
    let answer = run_pm(&fake, world::COMMANDER, channel.id, "draft", &[]).await;
    assert!(answer.contains("postmortem-incident-1.md"), "{answer}");
    let draft = shows(&fake, channel.id, "the draft", |m| {
        m.attachments.iter().any(|a| a.filename.ends_with(".md"))
    })
    .await;
    assert_eq!(draft.attachments[0].filename, "postmortem-incident-1.md");
}
