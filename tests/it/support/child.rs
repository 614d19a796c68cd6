//! The bot as a child process, for the faults where it has to die: `kill -9` and restart on the
//! same database, against the test's fake Discord.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::bot::{config_toml, test_database_url, with_database_url, world, STEP};
use super::fake_discord::FakeDiscord;

/// A running `incident-bot run` process.
pub struct ChildBot {
    child: Child,
    log: PathBuf,
}

impl ChildBot {
    /// Starts the release-built binary with the standard test config in `dir`, plus `env`
    /// overrides (`INCIDENT_BOT__SECTION__KEY`), and waits until it answers `/ping`.
    pub async fn start(fake: &FakeDiscord, dir: &Path, env: &[(&str, &str)]) -> Self {
        let config = dir.join("bot.toml");
        if !config.exists() {
            let mut text = config_toml(fake, &dir.join("bot.db"));
            // In the PostgreSQL pass the crash tests run on PostgreSQL too.
            if let Some(url) = test_database_url(dir).await {
                text = with_database_url(&text, &url);
            }
            std::fs::write(&config, text).expect("write config");
        }
        let config = config.to_str().expect("a UTF-8 path").to_owned();
        Self::start_with(fake, dir, &["run", "--config", &config], env).await
    }

    /// Starts the binary with `args` (none: the README's first command), `DISCORD_TOKEN` and
    /// `env`, in `dir`, and waits until it answers `/ping`.
    pub async fn start_with(
        fake: &FakeDiscord,
        dir: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let identifies = fake.identifies().len();
        let bot = Self::spawn(fake, dir, args, env);
        let identified = tokio::time::timeout(
            STEP,
            fake.wait_for("the child bot to identify", STEP * 2, |f| {
                f.identifies().len() > identifies
            }),
        )
        .await;
        assert!(
            identified.is_ok(),
            "the child bot never identified; its log:\n{}",
            bot.log()
        );
        wait_until_answering(fake).await;
        bot
    }

    /// Starts the binary with `args`, `DISCORD_TOKEN` and `env`, in `dir`, without waiting for
    /// anything. Its log is a new file in `dir`.
    pub fn spawn(fake: &FakeDiscord, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::spawn_in(fake, dir, args, env, None)
    }

    /// Starts the binary with the standard test config in `dir` and `env`, allowed at most
    /// `nofile` open descriptors (`ulimit -n`, as systemd's LimitNOFILE= would), and waits
    /// until it answers `/ping`.
    pub async fn start_limited(
        fake: &FakeDiscord,
        dir: &Path,
        env: &[(&str, &str)],
        nofile: u32,
    ) -> Self {
        let config = dir.join("bot.toml");
        std::fs::write(&config, config_toml(fake, &dir.join("bot.db"))).expect("write config");
        let config = config.to_str().expect("a UTF-8 path").to_owned();
        let args = ["run", "--config", &config];
        let bot = Self::spawn_in(fake, dir, &args, env, Some(nofile));
        wait_until_answering(fake).await;
        bot
    }

    fn spawn_in(
        fake: &FakeDiscord,
        dir: &Path,
        args: &[&str],
        env: &[(&str, &str)],
        nofile: Option<u32>,
    ) -> Self {
        static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let log = dir.join(format!("bot-{}-{n}.log", fake.identifies().len()));
        let out = std::fs::File::create(&log).expect("log file");
        let binary = env!("CARGO_BIN_EXE_incident-bot");
        let mut command = match nofile {
            None => Command::new(binary),
            Some(n) => {
                // The shell lowers its limit and becomes the bot: the pid is the bot's.
                let mut sh = Command::new("sh");
                sh.args([
                    "-c",
                    "ulimit -n \"$0\" && exec \"$@\"",
                    &n.to_string(),
                    binary,
                ]);
                sh
            }
        };
        let child = command
            .args(args)
            .current_dir(dir)
            .env("DISCORD_TOKEN", fake.token())
            .env("RUST_LOG", "warn")
            .env_remove("INCIDENT_BOT_CONFIG")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log file"))
            .stderr(out)
            .spawn()
            .expect("the bot binary starts");
        Self { child, log }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends the process a signal by name (`TERM`, `INT`), as systemd or Ctrl-C would.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args(["-s", name, &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -s {name} failed");
    }

    /// Waits (without blocking the runtime the fake Discord runs on) until the process ends;
    /// panics with its log after `within`.
    pub async fn wait_exit(&mut self, within: std::time::Duration) -> std::process::ExitStatus {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the child") {
                return status;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the child bot did not exit within {within:?}; its log:\n{}",
                self.log()
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Whether the process is still running (it has not exited, for whatever reason).
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills the process with SIGKILL: no shutdown, no flush, mid-whatever.
    pub fn kill9(&mut self) {
        self.child.kill().expect("SIGKILL the bot");
        let _ = self.child.wait();
    }

    /// What the process wrote to stderr and stdout.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the process has logged a line containing `needle`, and returns the whole
    /// log; panics with the log after [`STEP`].
    pub async fn wait_for_log(&self, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let log = self.log();
            if log.contains(needle) {
                return log;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the child bot never logged {needle:?}; its log:\n{log}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ChildBot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until the bot that owns the gateway has registered its commands and answers `/ping`:
/// only then is its framework set up and the bot fully up.
pub async fn wait_until_answering(fake: &FakeDiscord) {
    fake.wait_for("the commands", STEP, |f| {
        f.command_names(true).iter().any(|n| n == "ping")
    })
    .await;
    let ping = fake
        .slash(world::PLAYER)
        .in_channel(world::GENERAL)
        .command("ping")
        .send()
        .await;
    ping.ack().await;
}

/// Asserts that `log` holds neither the bot's token nor `interaction_token`.
pub fn assert_no_tokens(log: &str, fake: &FakeDiscord, interaction_token: &str) {
    assert!(
        !log.contains(interaction_token),
        "the interaction token reached the log:\n{log}"
    );
    assert!(
        !log.contains(fake.token()),
        "the bot token reached the log:\n{log}"
    );
}
