//! One token to start: `incident-bot setup` (and a start with no config file) against the fake
//! Discord, as a new user runs it.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use incident_bot::config::{Settings, SETUP_FILE};
use serenity::all::{ChannelId, GuildId, RoleId, UserId};

use crate::support::bot::world;
use crate::support::child::ChildBot;
use crate::support::fake_discord::{
    FakeDiscord, FakeDiscordBuilder, MANAGE_CHANNELS, MANAGE_ROLES, SEND_MESSAGES, VIEW_CHANNEL,
};

const GENERAL: ChannelId = ChannelId::new(1_100_000_000_000_000_104);
const PLAYER: UserId = UserId::new(1_100_000_000_000_000_303);

/// A server with nothing of the bot's yet: one text channel and a player, the bot invited as
/// the README says.
fn empty_server() -> FakeDiscordBuilder {
    FakeDiscord::builder()
        .bot_permissions(world::BOT_INVITE)
        .text_channel(GENERAL, "general")
        .member(PLAYER, "pat", &[])
}

/// The environment that points the binary at `fake`, with its database in `dir`.
fn env_for(fake: &FakeDiscord, dir: &Path) -> Vec<(String, String)> {
    vec![
        ("DISCORD_TOKEN".into(), fake.token().into()),
        ("INCIDENT_BOT__DISCORD__API_BASE".into(), fake.rest_base()),
        (
            "INCIDENT_BOT__DATABASE__PATH".into(),
            dir.join("bot.db").display().to_string(),
        ),
        ("INCIDENT_BOT__HTTP__LISTEN".into(), "127.0.0.1:0".into()),
        ("INCIDENT_BOT__HTTP__PUBLIC_LISTEN".into(), "off".into()),
    ]
}

/// Runs the binary to its end, off the runtime the fake serves on.
async fn bot(fake: &FakeDiscord, dir: &Path, args: &[&str]) -> Output {
    let env = env_for(fake, dir);
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_incident-bot"))
            .args(&args)
            .current_dir(&dir)
            .env_remove("INCIDENT_BOT_CONFIG")
            .env("RUST_LOG", "warn")
            .envs(env)
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("no panic")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// POSTs that create channels or roles, so far.
fn creations(fake: &FakeDiscord) -> usize {
    fake.requests_to("POST", "/guilds/{guild_id}/channels")
        .len()
        + fake.requests_to("POST", "/guilds/{guild_id}/roles").len()
}

/// The settings the written file gives.
fn written(dir: &Path) -> Settings {
    Settings::load(Some(&dir.join(SETUP_FILE))).expect("the written config loads")
}

fn role_named(fake: &FakeDiscord, name: &str) -> Option<(RoleId, u64)> {
    fake.roles()
        .into_iter()
        .find(|r| r.name == name)
        .map(|r| (r.id, r.permissions))
}

#[tokio::test]
async fn setup_on_an_empty_server_creates_everything_once_and_the_config_passes_check() {
    let fake = empty_server().start().await;
    let dir = tempfile::tempdir().expect("tempdir");

    let out = bot(&fake, dir.path(), &["setup"]).await;
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}{}", text(&out.stderr));
    assert!(
        said.contains("give the Responder and Incident Commander roles to the people on call"),
        "{said}"
    );
    let s = written(dir.path());
    let incidents = fake.channel_named("Incidents").expect("Incidents");
    let archive = fake
        .channel_named("Incident archive")
        .expect("Incident archive");
    let log = fake.channel_named("incident-log").expect("#incident-log");
    let alerts = fake.channel_named("alerts").expect("#alerts");
    let status = fake.channel_named("status").expect("#status");
    assert_eq!(
        (
            incidents.kind,
            archive.kind,
            log.kind,
            alerts.kind,
            status.kind
        ),
        (4, 4, 0, 0, 5)
    );
    assert_eq!(s.channels.incident_category.get(), incidents.id.get());
    assert_eq!(s.channels.archive_category.get(), archive.id.get());
    assert_eq!(s.channels.log.map(|c| c.get()), Some(log.id.get()));
    assert_eq!(s.channels.alerts.map(|c| c.get()), Some(alerts.id.get()));
    assert_eq!(s.channels.announcements.get(), status.id.get());
    assert_eq!(s.discord.guild_id.get(), fake.guild_id().get());
    for (name, id) in [
        ("Responder", Some(s.roles.responder)),
        ("Incident Commander", Some(s.roles.commander)),
        ("Security", Some(s.roles.security)),
        ("Incident Alerts", s.roles.player_alerts),
    ] {
        let (role, permissions) = role_named(&fake, name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(permissions, 0, "{name} has no extra permissions");
        assert_eq!(id.map(|r| r.get()), Some(role.get()), "{name}");
    }
    // Incident channels and everything made under the categories are the team's: players do
    // not see the categories, the team's roles and the bot do.
    for category in [&incidents, &archive] {
        assert!(!fake.can_see(PLAYER, category.id), "{}", category.name);
        assert!(
            fake.can_see(fake.bot_id(), category.id),
            "{}",
            category.name
        );
        let mut allowed: Vec<u64> = category
            .overwrites
            .iter()
            .filter(|o| o.kind == 0 && o.allow & VIEW_CHANNEL != 0)
            .map(|o| o.id)
            .collect();
        allowed.sort_unstable();
        let mut team = vec![
            s.roles.responder.get(),
            s.roles.commander.get(),
            s.roles.security.get(),
        ];
        team.sort_unstable();
        assert_eq!(allowed, team, "{}", category.name);
    }
    // The log is for responders: players do not see it; the bot does. Players read #status
    // and may not write there.
    assert!(!fake.can_see(PLAYER, log.id));
    assert!(fake.can_send(fake.bot_id(), log.id));
    assert!(
        !fake.can_see(PLAYER, alerts.id),
        "triage cards are for responders"
    );
    assert!(fake.can_send(fake.bot_id(), alerts.id));
    assert!(fake.can_see(PLAYER, status.id) && !fake.can_send(PLAYER, status.id));
    assert!(fake.can_send(fake.bot_id(), status.id));

    let check = bot(&fake, dir.path(), &["check"]).await;
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(text(&check.stdout).starts_with("ok:"));

    let file = || std::fs::read_to_string(dir.path().join(SETUP_FILE)).expect("the file");
    let before = (creations(&fake), file());
    let again = bot(&fake, dir.path(), &["setup"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("Nothing to create: everything was there."),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(
        (creations(&fake), file()),
        before,
        "a second run creates and writes nothing"
    );
}

#[tokio::test]
async fn setup_keeps_what_the_server_has_and_creates_the_rest() {
    let category = ChannelId::new(1_100_000_000_000_000_500);
    let responders = RoleId::new(1_100_000_000_000_000_600);
    let fake = empty_server()
        .category(category, "incidents")
        .role(responders, "Responder", 0)
        .start()
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bot(&fake, dir.path(), &["setup"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = written(dir.path());
    assert_eq!(s.channels.incident_category.get(), category.get());
    assert_eq!(s.roles.responder.get(), responders.get());
    let created: Vec<String> = fake
        .requests_to("POST", "/guilds/{guild_id}/channels")
        .iter()
        .filter_map(|r| r.body.as_ref()?["name"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        created,
        ["Incident archive", "incident-log", "alerts", "status"]
    );
    assert_eq!(
        fake.requests_to("POST", "/guilds/{guild_id}/roles").len(),
        3
    );
    let said = text(&out.stdout);
    assert!(said.contains("found the category incidents"), "{said}");
    assert!(
        said.contains("Everyone can see the category incidents: in its permissions, deny View Channel to @everyone"),
        "a category players can read is said, with what to change: {said}"
    );
}

#[tokio::test]
async fn setup_refuses_to_adopt_an_alerts_channel_players_can_read_and_says_what_to_change() {
    let alerts = ChannelId::new(1_100_000_000_000_000_501);
    let fake = empty_server().text_channel(alerts, "alerts").start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bot(&fake, dir.path(), &["setup"]).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "everyone can read #alerts ({alerts}), which would hold the team's alerts and \
             incident log: in its permissions, deny View Channel to @everyone"
        )),
        "{err}"
    );
    assert!(!dir.path().join(SETUP_FILE).exists(), "nothing written");
}

#[tokio::test]
async fn setup_adopts_an_alerts_channel_hidden_from_players() {
    let alerts = ChannelId::new(1_100_000_000_000_000_501);
    let fake = empty_server()
        .text_channel(alerts, "alerts")
        .everyone_overwrite(alerts, 0, VIEW_CHANNEL)
        .member_overwrite(
            alerts,
            UserId::new(crate::support::fake_discord::DEFAULT_BOT),
            VIEW_CHANNEL | SEND_MESSAGES,
            0,
        )
        .start()
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bot(&fake, dir.path(), &["setup"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        written(dir.path()).channels.alerts.map(|c| c.get()),
        Some(alerts.get())
    );
}

#[tokio::test]
async fn setup_on_a_server_that_is_not_a_community_makes_status_a_text_channel_and_says_why() {
    let fake = empty_server().community(false).start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bot(&fake, dir.path(), &["setup"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(fake.channel_named("status").expect("#status").kind, 0);
    let said = text(&out.stdout);
    assert!(
        said.contains("not a Community server: players cannot follow it"),
        "{said}"
    );
}

#[tokio::test]
async fn setup_in_several_servers_lists_them_and_exits_2() {
    let other = GuildId::new(1_100_000_000_000_000_900);
    let fake = empty_server().other_guild(other, "Sandbox").start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bot(&fake, dir.path(), &["setup"]).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("the bot is in 2 servers"), "{err}");
    assert!(
        err.contains(&format!("  - Studio ({})", fake.guild_id())),
        "{err}"
    );
    assert!(err.contains(&format!("  - Sandbox ({other})")), "{err}");
    assert!(err.contains("guild_id"), "{err}");
    assert_eq!(creations(&fake), 0);
    assert!(!dir.path().join(SETUP_FILE).exists());
}

#[tokio::test]
async fn setup_without_manage_roles_gives_the_invite_url_that_grants_it() {
    let fake = FakeDiscord::builder()
        .bot_permissions(world::BOT_INVITE & !MANAGE_ROLES)
        .text_channel(GENERAL, "general")
        .start()
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bot(&fake, dir.path(), &["setup"]).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("lacks Manage Roles in Studio"), "{err}");
    assert!(
        err.contains(&format!(
            "https://discord.com/oauth2/authorize?client_id={}&scope=bot%20applications.commands&permissions=2269392269462640&guild_id={}",
            fake.application_id(),
            fake.guild_id()
        )),
        "{err}"
    );
    assert_eq!(creations(&fake), 0);
}

#[tokio::test]
async fn the_fake_refuses_roles_and_channels_without_the_permission_as_discord_does() {
    let fake = FakeDiscord::builder()
        .bot_permissions(VIEW_CHANNEL | SEND_MESSAGES)
        .start()
        .await;
    let http = fake.http();
    let guild = fake.guild_id();
    let role = guild
        .create_role(&http, serenity::all::EditRole::new().name("x"))
        .await;
    let channel = guild
        .create_channel(&http, serenity::all::CreateChannel::new("x"))
        .await;
    for refused in [role.map(|_| ()), channel.map(|_| ())] {
        match refused {
            Err(serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(r))) => {
                assert_eq!((r.status_code.as_u16(), r.error.code), (403, 50013));
            }
            other => panic!("not refused: {other:?}"),
        }
    }
    fake.expect_violations(2);
    let _ = MANAGE_CHANNELS;
}

#[tokio::test]
async fn the_readmes_first_command_sets_up_the_server_and_runs() {
    let fake = empty_server().start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let env = env_for(&fake, dir.path());
    let env: Vec<(&str, &str)> = env
        .iter()
        .filter(|(k, _)| k != "DISCORD_TOKEN")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut first = ChildBot::start_with(&fake, dir.path(), &[], &env).await;
    assert!(dir.path().join(SETUP_FILE).exists(), "{}", first.log());
    assert!(first.log().contains("Set up \"Studio\""), "{}", first.log());
    let made = creations(&fake);
    assert_eq!(made, 9, "two categories, three channels, four roles");
    first.signal("TERM");
    assert!(first.wait_exit(Duration::from_secs(20)).await.success());

    let mut second = ChildBot::start_with(&fake, dir.path(), &[], &env).await;
    assert_eq!(
        creations(&fake),
        made,
        "the next start reads the written config"
    );
    assert!(!second.log().contains("Set up"), "{}", second.log());
    second.signal("TERM");
    assert!(second.wait_exit(Duration::from_secs(20)).await.success());
}

/// A server whose `Incident Alerts` role anyone may mention, as a moderator once made it.
async fn mentionable_alerts(alerts: RoleId) -> FakeDiscord {
    let fake = empty_server()
        .role(alerts, "Incident Alerts", 0)
        .start()
        .await;
    fake.set_mentionable(alerts, true);
    fake
}

#[tokio::test]
async fn setup_makes_an_alert_role_members_could_ping_unmentionable_so_only_the_bot_pings_it() {
    let alerts = RoleId::new(1_100_000_000_000_000_601);
    let fake = mentionable_alerts(alerts).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bot(&fake, dir.path(), &["setup"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        written(dir.path()).roles.player_alerts.map(|r| r.get()),
        Some(alerts.get())
    );
    let role = fake
        .roles()
        .into_iter()
        .find(|r| r.id == alerts)
        .expect("kept");
    assert!(!role.mentionable);
    let said = text(&out.stdout);
    assert!(said.contains("made the role Incident Alerts"), "{said}");
    assert!(
        said.contains("unmentionable: only the bot pings it"),
        "{said}"
    );
}

#[tokio::test]
async fn setup_says_where_to_turn_off_mentions_of_an_alert_role_above_the_bots_own() {
    let alerts = RoleId::new(1_100_000_000_000_000_601);
    let fake = mentionable_alerts(alerts).await;
    fake.move_role(alerts, 50);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bot(&fake, dir.path(), &["setup"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("turn off \"Allow anyone to @mention this role\""),
        "{said}"
    );
    assert!(fake
        .roles()
        .into_iter()
        .any(|r| r.id == alerts && r.mentionable));
    let refused = fake.expect_violations(1);
    assert!(refused[0].detail.contains("50013"), "{refused:?}");
}
