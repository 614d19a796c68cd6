//! Text people type shows as typed everywhere the bot repeats it: never as a link, markup or a
//! mention, even inside a line the bot builds around it.

use chrono::Utc;

use crate::support::bot::{spawn_bot, world};
use crate::support::story::{declare, run, shows_seen};

#[tokio::test]
async fn a_system_name_with_a_masked_link_stays_text_in_the_postmortem_notice() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let system = format!("[s](https://x.io) <@&{}>", world::COMMANDER_ROLE);
    let channel = declare(
        &fake,
        world::RESPONDER,
        &[
            ("title", "Store slow"),
            ("severity", "P1"),
            ("systems", &system),
        ],
    )
    .await
    .id;
    run(
        &fake,
        world::COMMANDER,
        channel,
        "resolve",
        &[("root_cause", "cache"), ("all_clear", "now")],
    )
    .await;
    let (notice, text) = shows_seen(
        &fake,
        channel,
        "the post-mortem notice",
        Utc::now(),
        |text| text.contains("No post-mortem required"),
    )
    .await;
    // Read as Discord shows it: the system name exactly as typed, not a link or a role.
    assert_eq!(
        text.lines().last(),
        Some(
            format!(
                "📝 No post-mortem required: no earlier P0/P1 on {system} within the last 30 days, \
                 so this P1 is not a recurrence"
            )
            .as_str()
        ),
        "{text}"
    );
    assert!(fake.pings(notice.id).nobody());
}

#[tokio::test]
async fn a_typed_web_address_reaches_players_as_text_and_stays_a_link_for_the_team() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    let channel = declare(
        &fake,
        world::COMMANDER,
        &[
            ("title", "Login down"),
            ("severity", "P0"),
            ("systems", "Login"),
        ],
    )
    .await
    .id;
    let phish = "https://evil.example/reset_password";
    run(
        &fake,
        world::COMMANDER,
        channel,
        "update",
        &[
            ("message", &format!("Reset yours at {phish} now")),
            ("public", "true"),
        ],
    )
    .await;
    let (to_players, text) = shows_seen(
        &fake,
        world::ANNOUNCEMENTS,
        "the public update",
        Utc::now(),
        |text| text.contains("Reset yours"),
    )
    .await;
    assert!(
        text.contains(&format!("Reset yours at {phish} now")),
        "as typed: {text}"
    );
    let links = fake.links(&to_players);
    assert!(
        links.iter().all(|(url, _)| !url.contains("evil.example")),
        "players get nothing to click: {links:?}"
    );
    assert!(
        links
            .iter()
            .any(|(url, _)| url.starts_with("https://status.")),
        "the status page stays a link: {links:?} in {}",
        to_players.content
    );
    let (in_channel, _) = shows_seen(&fake, channel, "the update", Utc::now(), |text| {
        text.contains("Reset yours")
    })
    .await;
    assert_eq!(
        fake.links(&in_channel),
        [(phish.to_owned(), false)],
        "the team can follow it, without a preview"
    );
}
