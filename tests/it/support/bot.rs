//! `spawn_bot`: the real bot (config, database, templates, serenity client, job queue)
//! connected to a fake Discord, with a standard guild that tests share.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use incident_bot::app::App;
use incident_bot::clock::{Clock, ManualClock};
use incident_bot::config::{DiscordToken, Settings};
use incident_bot::startup::Application;
use serenity::all::{ChannelId, Context, Event, RawEventHandler, RoleId, UserId};
use serenity::async_trait;
use tokio::task::JoinHandle;

use super::fake_discord::{self, FakeDiscord, FakeDiscordBuilder};

/// The standard guild every end-to-end test starts from.
pub mod world {
    use super::*;

    /// The players' announcement channel (an Announcement channel, so alerts can be published).
    pub const ANNOUNCEMENTS: ChannelId = ChannelId::new(1_100_000_000_000_000_100);
    /// The category incident channels open under.
    pub const INCIDENTS: ChannelId = ChannelId::new(1_100_000_000_000_000_101);
    /// The category closed incidents move to.
    pub const ARCHIVE: ChannelId = ChannelId::new(1_100_000_000_000_000_102);
    /// The internal log channel.
    pub const LOG: ChannelId = ChannelId::new(1_100_000_000_000_000_103);
    /// A general chat channel (not an incident channel).
    pub const GENERAL: ChannelId = ChannelId::new(1_100_000_000_000_000_104);
    /// The voice channel of review meetings: responders may view it, players may not.
    pub const MEETINGS: ChannelId = ChannelId::new(1_100_000_000_000_000_105);
    /// The voice channel of security incidents' review meetings: the security role only.
    pub const SECURITY_MEETINGS: ChannelId = ChannelId::new(1_100_000_000_000_000_106);

    /// Responders may declare and work incidents.
    pub const RESPONDER_ROLE: RoleId = RoleId::new(1_100_000_000_000_000_200);
    /// Commanders may also change severity, resolve and close.
    pub const COMMANDER_ROLE: RoleId = RoleId::new(1_100_000_000_000_000_201);
    /// Sees security incidents.
    pub const SECURITY_ROLE: RoleId = RoleId::new(1_100_000_000_000_000_202);
    /// Players who opted in to P0 alert pings.
    pub const PLAYER_ALERTS_ROLE: RoleId = RoleId::new(1_100_000_000_000_000_203);

    /// A responder.
    pub const RESPONDER: UserId = UserId::new(1_100_000_000_000_000_300);
    /// A commander (also a responder).
    pub const COMMANDER: UserId = UserId::new(1_100_000_000_000_000_301);
    /// A security engineer (also a responder).
    pub const SECURITY: UserId = UserId::new(1_100_000_000_000_000_302);
    /// A player with no team role.
    pub const PLAYER: UserId = UserId::new(1_100_000_000_000_000_303);

    /// The permissions docs/setup-and-configuration.md (step 2) asks the bot to be invited
    /// with: View Channels, Manage Channels, Manage Roles, Send Messages, Embed Links, Attach
    /// Files, Read Message History, Mention Everyone, Pin Messages, Add Reactions, Create Events
    /// and Connect.
    pub const BOT_INVITE: u64 = fake_discord::CREATE_EVENTS
        | fake_discord::CONNECT
        | fake_discord::VIEW_CHANNEL
        | fake_discord::MANAGE_CHANNELS
        | fake_discord::MANAGE_GUILD
        | fake_discord::MANAGE_ROLES
        | fake_discord::SEND_MESSAGES
        | fake_discord::EMBED_LINKS
        | fake_discord::ATTACH_FILES
        | fake_discord::READ_MESSAGE_HISTORY
        | fake_discord::MENTION_EVERYONE
        | fake_discord::PIN_MESSAGES
        | fake_discord::ADD_REACTIONS;

    /// A fake Discord holding the standard guild, with the bot invited as the README says
    /// (not owning the guild, so Discord's permission checks apply to it).
    pub fn fake() -> FakeDiscordBuilder {
        let world = FakeDiscord::builder()
            .bot_permissions(BOT_INVITE)
            .role(RESPONDER_ROLE, "responders", 0)
            .role(COMMANDER_ROLE, "commanders", 0)
            .role(SECURITY_ROLE, "security", 0)
            .role(PLAYER_ALERTS_ROLE, "player-alerts", 0)
            .member(RESPONDER, "rhea", &[RESPONDER_ROLE])
            .member(COMMANDER, "cole", &[RESPONDER_ROLE, COMMANDER_ROLE])
            .member(SECURITY, "sana", &[RESPONDER_ROLE, SECURITY_ROLE])
            .member(PLAYER, "pat", &[PLAYER_ALERTS_ROLE])
            .announcement_channel(ANNOUNCEMENTS, "announcements")
            .category(INCIDENTS, "Incidents")
            .category(ARCHIVE, "Archive")
            .text_channel(LOG, "incident-log");
        // As set-up makes them: players never read incident channels or the log.
        [INCIDENTS, ARCHIVE, LOG]
            .into_iter()
            .fold(world, staff_only)
            .text_channel(GENERAL, "general")
            .voice_channel(MEETINGS, "post-mortems")
            .everyone_overwrite(MEETINGS, 0, fake_discord::VIEW_CHANNEL)
            .role_overwrite(MEETINGS, RESPONDER_ROLE, MEETING_ROOM, 0)
            .member_overwrite(MEETINGS, BOT, MEETING_ROOM, 0)
            .voice_channel(SECURITY_MEETINGS, "security-review")
            .everyone_overwrite(SECURITY_MEETINGS, 0, fake_discord::VIEW_CHANNEL)
            .role_overwrite(SECURITY_MEETINGS, SECURITY_ROLE, MEETING_ROOM, 0)
            .member_overwrite(SECURITY_MEETINGS, BOT, MEETING_ROOM, 0)
    }

    /// `channel` hidden from `@everyone` and open to the team's roles and the bot, as set-up
    /// makes the incident categories and the log.
    pub fn staff_only(world: FakeDiscordBuilder, channel: ChannelId) -> FakeDiscordBuilder {
        let read = fake_discord::VIEW_CHANNEL | fake_discord::READ_MESSAGE_HISTORY;
        world
            .everyone_overwrite(channel, 0, fake_discord::VIEW_CHANNEL)
            .role_overwrite(channel, RESPONDER_ROLE, read, 0)
            .role_overwrite(channel, COMMANDER_ROLE, read, 0)
            .role_overwrite(channel, SECURITY_ROLE, read, 0)
            .member_overwrite(channel, BOT, read | fake_discord::SEND_MESSAGES, 0)
    }

    /// The bot's own user.
    pub const BOT: UserId = UserId::new(fake_discord::DEFAULT_BOT);

    /// What a meeting room's overwrites let its people do: see it and join it.
    const MEETING_ROOM: u64 = fake_discord::VIEW_CHANNEL | fake_discord::CONNECT;
}

/// The PostgreSQL database of the bot of `dir` when the suite runs on PostgreSQL
/// ([`TEST_BACKEND`]): one per directory, so that a restart in `dir` finds the same one.
/// `None` on SQLite, where the bot's database is `dir/bot.db`.
pub async fn test_database_url(dir: &std::path::Path) -> Option<String> {
    if !std::env::var(TEST_BACKEND).is_ok_and(|b| b == "postgres") {
        return None;
    }
    let saved = dir.join("postgres-url");
    Some(match std::fs::read_to_string(&saved) {
        Ok(url) => url,
        Err(_) => {
            let url = fresh_postgres_url().await;
            std::fs::write(&saved, &url).expect("note the database");
            url
        }
    })
}

/// The database of the bot of `dir`, opened as a second client: its PostgreSQL database in the
/// PostgreSQL pass, else `dir/bot.db`.
pub async fn open_test_database(dir: &std::path::Path) -> incident_bot::store::Db {
    match std::fs::read_to_string(dir.join("postgres-url")) {
        Ok(url) => incident_bot::store::Db::connect_postgres(&url)
            .await
            .expect("the bot's PostgreSQL database opens"),
        Err(_) => incident_bot::store::Db::open(&dir.join("bot.db"))
            .await
            .expect("the bot's database opens"),
    }
}

/// `config` (a [`config_toml`]) keeping its state in the PostgreSQL database `url` instead of
/// the SQLite file.
pub fn with_database_url(config: &str, url: &str) -> String {
    config
        .lines()
        .map(|l| {
            if l.starts_with("path = ") {
                format!("url = \"{url}\"")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The config a test bot starts with: the standard guild's ids, the fake as the API base.
pub fn config_toml(fake: &FakeDiscord, db: &std::path::Path) -> String {
    use world::{
        ANNOUNCEMENTS, ARCHIVE, COMMANDER_ROLE, INCIDENTS, LOG, MEETINGS, PLAYER_ALERTS_ROLE,
        RESPONDER_ROLE, SECURITY_MEETINGS, SECURITY_ROLE,
    };
    format!(
        r#"
[discord]
guild_id = "{guild}"
api_base = "{base}"
[channels]
announcements = "{ANNOUNCEMENTS}"
incident_category = "{INCIDENTS}"
archive_category = "{ARCHIVE}"
log = "{LOG}"
[roles]
responder = "{RESPONDER_ROLE}"
commander = "{COMMANDER_ROLE}"
security = "{SECURITY_ROLE}"
player_alerts = "{PLAYER_ALERTS_ROLE}"
[database]
path = "{db}"
[severity.P0]
page = ["{RESPONDER_ROLE}"]
escalate_to = ["{COMMANDER_ROLE}"]
[severity.P1]
page = ["{RESPONDER_ROLE}"]
escalate_to = ["{COMMANDER_ROLE}"]
[postmortem]
escalate_to = ["{COMMANDER_ROLE}"]
meeting_channel = "{MEETINGS}"
security_meeting_channel = "{SECURITY_MEETINGS}"
[jobs]
retry_base = "100ms"
retry_max = "1s"
[http]
listen = "127.0.0.1:0"
public_listen = "127.0.0.1:0"
"#,
        guild = fake.guild_id(),
        base = fake.rest_base(),
        db = db.display(),
    )
}

/// Fails the test on any gateway event serenity could not parse (it would only log it at DEBUG).
#[derive(Clone, Default)]
struct UnknownEvents(Arc<Mutex<Vec<String>>>);

#[async_trait]
impl RawEventHandler for UnknownEvents {
    async fn raw_event(&self, _ctx: Context, ev: Event) {
        if let Event::Unknown(u) = ev {
            self.0
                .lock()
                .expect("lock")
                .push(format!("{}: {}", u.kind, u.value));
        }
    }
}

/// A running bot. Dropping it stops the client and the job queue, and fails the test if the
/// client met an event it could not parse.
pub struct TestBot {
    /// The application: settings, database, templates.
    pub app: App,
    /// The bot's clock: running with real time, and advanced by tests.
    pub clock: ManualClock,
    /// Where it serves `/livez`, `/readyz` and `/metrics`.
    pub http: std::net::SocketAddr,
    /// Where its public listener is.
    pub public: std::net::SocketAddr,
    /// The client and the job queue, in one task: aborting it stops both at once.
    run: JoinHandle<()>,
    unknown: UnknownEvents,
    _dir: Option<tempfile::TempDir>,
    shards: Arc<serenity::all::ShardManager>,
}

impl TestBot {
    /// Waits until the job queue has caught up at the bot's clock (see [`settle`]).
    pub async fn settle(&self) {
        settle(&self.app.db, || self.clock.now(), STEP).await;
    }

    /// Stops the bot as a crash would: the client and the job queue end mid-flight, and the
    /// database is left as it is.
    pub async fn stop(mut self) {
        self.shards.shutdown_all().await;
        self.run.abort();
        let _ = (&mut self.run).await;
        self.app.db.close().await;
    }
}

impl Drop for TestBot {
    fn drop(&mut self) {
        self.run.abort();
        if std::thread::panicking() {
            return;
        }
        let unknown = self.unknown.0.lock().expect("lock").clone();
        assert!(
            unknown.is_empty(),
            "the client could not parse these gateway events: {unknown:#?}"
        );
    }
}

/// Waits until no job in `db` is due at `now()`, claimed and running or waiting for a worker:
/// what the last step queued, and what that queued in turn, has run, and nothing more happens
/// until the clock moves on (a retry's backoff, a reminder) or someone acts. This is how a test
/// shows that something did not happen, instead of sleeping. Panics after `timeout`.
pub async fn settle(
    db: &incident_bot::store::Db,
    now: impl Fn() -> chrono::DateTime<Utc>,
    timeout: Duration,
) {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let due = db.due_jobs(now()).await.expect("db");
        if due == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{due} jobs still due after {timeout:?}"
        );
        // The queue says nothing when it is done: asking it often is the wait.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Starts the bot against `fake` with the standard config, on a fresh database.
pub async fn spawn_bot(fake: &FakeDiscord) -> TestBot {
    spawn_bot_with(fake, |_| {}).await
}

/// Starts the bot against `fake`, letting the test adjust the settings first.
pub async fn spawn_bot_with(fake: &FakeDiscord, tweak: impl FnOnce(&mut Settings)) -> TestBot {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bot = spawn_bot_in(fake, dir.path(), tweak).await;
    bot._dir = Some(dir);
    bot
}

/// Which database a test bot keeps its state in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestDb {
    /// A fresh SQLite file in the test's directory (what `spawn_bot` uses).
    Sqlite,
    /// A fresh database on the PostgreSQL server `INCIDENT_BOT_TEST_POSTGRES` names.
    Postgres,
}

/// Set to `postgres`, every test bot keeps its state in a fresh PostgreSQL database instead of
/// its SQLite file (`tests/run` runs the suite once each way).
pub const TEST_BACKEND: &str = "INCIDENT_BOT_TEST_BACKEND";

/// The URL of a new, empty database on the test PostgreSQL server ([`super::postgres::server_url`]:
/// the one `INCIDENT_BOT_TEST_POSTGRES` names, else a throwaway one). Panics (the test fails,
/// never skips) when there is none.
pub async fn fresh_postgres_url() -> String {
    let server = super::postgres::server_url();
    incident_bot::store::fresh_postgres_database(&server, "it_test")
        .await
        .unwrap_or_else(|e| {
            panic!(
                "cannot create a test database on {}: {e}",
                incident_bot::store::redacted_url(&server)
            )
        })
}

/// Starts the bot against `fake` on a fresh database of kind `db`, letting the test adjust
/// the settings first.
pub async fn spawn_bot_on_db(
    fake: &FakeDiscord,
    db: TestDb,
    tweak: impl FnOnce(&mut Settings),
) -> TestBot {
    let url = match db {
        TestDb::Sqlite => None,
        TestDb::Postgres => Some(fresh_postgres_url().await),
    };
    spawn_bot_with(fake, move |s| {
        if let Some(url) = url {
            s.database.url = Some(incident_bot::config::DatabaseUrl::new(url));
        }
        tweak(s);
    })
    .await
}

/// Starts the bot against `fake` with its config and database in `dir`, which the test keeps,
/// so that a second bot can start on the same database (a restart).
pub async fn spawn_bot_in(
    fake: &FakeDiscord,
    dir: &std::path::Path,
    tweak: impl FnOnce(&mut Settings),
) -> TestBot {
    spawn_bot_on(fake, dir, ManualClock::running(Utc::now()), tweak).await
}

/// Starts the bot on `clock`, which the test moves with [`TestBot::clock`]: a reminder due in
/// hours is reached by advancing it, not by waiting. Two bots on one clock make a restart.
pub async fn spawn_bot_on(
    fake: &FakeDiscord,
    dir: &std::path::Path,
    clock: ManualClock,
    tweak: impl FnOnce(&mut Settings),
) -> TestBot {
    let path = dir.join("bot.toml");
    std::fs::write(&path, config_toml(fake, &dir.join("bot.db"))).expect("write config");
    let mut settings = Settings::load(Some(&path)).expect("test config loads");
    if let Some(url) = test_database_url(dir).await {
        settings.database.url = Some(incident_bot::config::DatabaseUrl::new(url));
    }
    tweak(&mut settings);
    let token = DiscordToken::new(fake.token().to_owned());
    let unknown = UnknownEvents::default();
    let events = unknown.clone();
    let bot = Application::build(settings, Arc::new(clock.clone()), &token, |b| {
        b.raw_event_handler(events)
    })
    .await
    .expect("the bot builds");
    // serenity falls back to the real gateway when GET /gateway fails: make sure it did not.
    assert_eq!(
        bot.gateway_url().await,
        fake.gateway_url(),
        "the client must use the fake's gateway"
    );
    let shards = bot.shard_manager();
    let app = bot.app.clone();
    let http = bot
        .http_addr()
        .expect("the test config opens the private listener");
    let public = bot
        .public_addr()
        .expect("the test config opens the public listener");
    let run = tokio::spawn(async move {
        if let Err(e) = bot.run_until_stopped().await {
            panic!("the bot stopped: {e}");
        }
    });
    let bot = TestBot {
        app,
        clock,
        http,
        public,
        run,
        unknown,
        _dir: None,
        shards,
    };
    // Ready means the commands are registered: before that, Discord would not offer them.
    fake.wait_for("the bot to register its commands", STEP, |f| {
        f.command_names(true).iter().any(|n| n == "incident")
    })
    .await;
    bot
}

/// How long end-to-end steps may take before a test gives up.
pub const STEP: Duration = Duration::from_secs(10);
