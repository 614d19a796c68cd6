//! Help for the tired: what each severity means where it is picked, and one page that explains
//! the severities, the phases and the commands.

use chrono::Utc;

use crate::support::bot::{spawn_bot, world, STEP};

#[tokio::test]
async fn the_severity_choices_say_what_each_severity_means() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    let incident = fake
        .commands()
        .into_iter()
        .find(|c| c.name() == "incident")
        .expect("/incident");
    for sub in ["declare", "severity"] {
        let options = incident.json["options"]
            .as_array()
            .and_then(|subs| subs.iter().find(|o| o["name"] == sub))
            .and_then(|o| o["options"].as_array())
            .cloned()
            .unwrap_or_default();
        let choices: Vec<String> = options
            .iter()
            .filter_map(|o| o["choices"].as_array())
            .flatten()
            .filter_map(|c| c["name"].as_str().map(str::to_owned))
            .filter(|n| n.starts_with('P'))
            .collect();
        assert_eq!(
            choices,
            [
                "P0: The game or login is down for everyone, player data is lost, or there is a breach",
                "P1: A major feature is down, or many players are affected",
                "P2: Degraded service, or players have a workaround",
                "P3: Minor: cosmetic, or few players affected",
            ],
            "/incident {sub}"
        );
    }
}

#[tokio::test]
async fn incident_help_explains_severities_phases_and_commands_to_anyone_on_one_page() {
    let fake = world::fake().start().await;
    let _bot = spawn_bot(&fake).await;
    fake.wait_for("the commands", STEP, |f| !f.commands().is_empty())
        .await;
    let handle = fake
        .slash(world::PLAYER)
        .in_channel(world::GENERAL)
        .command("incident")
        .sub("help")
        .send()
        .await;
    let page = handle.reply().await;
    assert_eq!(page.flags & 64, 64, "only the asker sees it");
    assert!(fake.pings(page.id).nobody());
    let text = fake.seen(&page, Utc::now());
    assert!(text.chars().count() <= 2000, "{}", text.chars().count());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        &lines[..6],
        [
            "Severity: pick the highest that fits.",
            "• P0: The game or login is down for everyone, player data is lost, or there is a \
             breach (e.g. nobody can log in, all game servers unreachable, player inventories \
             wiped, an admin key or player data leaked). Pages the on-call, alerts players at \
             once, escalates after 5m without a commander.",
            "• P1: A major feature is down, or many players are affected (e.g. matchmaking down \
             in one region, store purchases failing, many players disconnected mid-match). Pages \
             the on-call, escalates after 15m without a commander.",
            "• P2: Degraded service, or players have a workaround (e.g. matchmaking slow, one \
             store item not loading, error rates up, few players notice). Escalates after 1h \
             without a commander.",
            "• P3: Minor: cosmetic, or few players affected (e.g. a typo in the launcher, a \
             cosmetic glitch, an internal dashboard down).",
            "",
        ]
    );
    assert!(
        lines.contains(&"1. Detection & Triage: 5m")
            && lines.contains(&"5. Recovery & Communication"),
        "{text}"
    );
    assert!(
        lines.contains(
            &"• /incident resolve: the fix is in; after 1h of verifying, The fix held sends the all-clear"
        ),
        "{text}"
    );
    for line in [
        "• /incident announce: send players the 🚨 alert when the severity did not (commanders)",
        "• /incident edit: correct the title, systems, summary or when it began",
        "• /incident kind to:security: a breach after all: private channel, nothing more to players",
    ] {
        assert!(lines.contains(&line), "{line} is missing from:\n{text}");
    }
}
