//! Peak memory: of the bench process (bot and fake together), and of the release binary run
//! as its own process against the fake, which is the bot alone with the cache as it ships.

use std::path::Path;
use std::sync::Arc;

use incident_bot::domain::GuildId;

use crate::support::child::ChildBot;
use crate::support::fake_discord::FakeDiscord;

/// Peak and current resident memory, in KiB.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// `VmHWM`: the peak resident set.
    pub peak: u64,
    /// `VmRSS`: the resident set now.
    pub now: u64,
}

/// Reads `/proc/<pid>/status` (`pid` may be `self`).
pub fn memory(pid: &str) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some(Memory {
        peak: field("VmHWM:")?,
        now: field("VmRSS:")?,
    })
}

/// The pid of this process's child running `name` (the harness keeps the `Child` private).
fn child_pid(name: &str) -> Option<String> {
    let me = std::process::id().to_string();
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid = entry.file_name().to_string_lossy().into_owned();
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid …`; comm may hold spaces, so split after its closing paren.
            let (head, tail) = stat.rsplit_once(')')?;
            let comm = head.split_once('(')?.1;
            let ppid = tail.split_whitespace().nth(1)?;
            (comm == name && ppid == me).then_some(pid)
        })
}

/// The release bot as a child process on a database seeded with `seeded` closed incidents.
pub struct Child {
    bot: ChildBot,
    pid: String,
}

impl Child {
    /// Seeds the database in `dir` (which must exist), then starts the binary there against
    /// `fake`.
    pub async fn start(fake: &Arc<FakeDiscord>, dir: &Path, seeded: usize) -> Self {
        // The child's database: `dir/bot.db`, or on PostgreSQL the one `ChildBot::start`
        // will find noted in `dir`.
        let _ = crate::support::bot::test_database_url(dir).await;
        let db = crate::support::bot::open_test_database(dir).await;
        let guild = GuildId::new(fake.guild_id().get()).expect("a real guild id");
        crate::seed::closed_incidents(&db, guild, seeded)
            .await
            .expect("seed the child's database");
        db.close().await;
        let bot = ChildBot::start(fake, dir, &[]).await;
        let pid = child_pid("incident-bot").expect("the child bot's pid");
        Self { bot, pid }
    }

    /// Its memory now.
    pub fn memory(&self) -> Memory {
        memory(&self.pid).unwrap_or_default()
    }

    /// What it logged (WARN and above).
    pub fn log(&self) -> String {
        self.bot.log()
    }
}
