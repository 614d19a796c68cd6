//! A PostgreSQL server of one test's own, for the faults that stop or restart the server
//! itself: the shared test server (`INCIDENT_BOT_TEST_POSTGRES`) serves every other test at
//! once and is never restarted. Started as `tests/run` starts its throwaway server: Debian's
//! initdb and pg_ctl (under /usr/lib/postgresql/VERSION/bin, or on PATH), run as `postgres`
//! when the test runs as root (they refuse root), a temporary data directory, trust
//! authentication on 127.0.0.1 only, a free port. Stopped and removed on drop.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::chance::free_port;

/// A running PostgreSQL server in a temporary directory.
pub struct OwnPostgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

/// The directory holding initdb and pg_ctl: the newest Debian version, else PATH's.
fn bin_dir() -> PathBuf {
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file())
        .collect();
    debian.sort_by_key(|b| {
        b.parent()
            .and_then(Path::file_name)
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(newest) = debian.pop() {
        return newest;
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.join("initdb").is_file());
    on_path.unwrap_or_else(|| {
        panic!(
            "initdb was not found (neither /usr/lib/postgresql/*/bin/initdb nor on PATH): this \
             test restarts a PostgreSQL server of its own; install Debian's `postgresql` \
             package (tests/run does)"
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl OwnPostgres {
    /// Creates a cluster and starts it; panics with initdb's or the server's log when either
    /// fails.
    pub fn start() -> Self {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("incident-bot-own-pg")
            .tempdir()
            .expect("a temporary directory");
        let server = Self {
            bin,
            dir,
            port: free_port(),
        };
        if is_root() {
            let status = Command::new("chown")
                .args(["postgres:", &server.path_str(server.dir.path())])
                .status()
                .expect("run chown");
            assert!(status.success(), "chown the data directory to postgres");
        }
        let data = server.data();
        let initdb = server
            .command("initdb")
            .args(["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8"])
            .arg("--no-sync")
            .output()
            .expect("run initdb");
        assert!(
            initdb.status.success(),
            "initdb failed:\n{}{}",
            String::from_utf8_lossy(&initdb.stdout),
            String::from_utf8_lossy(&initdb.stderr)
        );
        server.pg_ctl_start();
        server
    }

    fn path_str(&self, path: &Path) -> String {
        path.to_str().expect("a UTF-8 temporary path").to_owned()
    }

    fn data(&self) -> String {
        self.path_str(&self.dir.path().join("data"))
    }

    /// `tool` of the server's bin directory, as `postgres` when the test runs as root.
    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// The URL of its `postgres` database, as the `postgres` superuser.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl start`, waiting until it takes connections.
    pub fn pg_ctl_start(&self) {
        let log = self.path_str(&self.dir.path().join("server.log"));
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=100",
            self.port,
            self.path_str(self.dir.path())
        );
        let started = self
            .command("pg_ctl")
            .args(["start", "-w", "-t", "60", "-D", &self.data(), "-l", &log])
            .args(["-o", &options])
            .output()
            .expect("run pg_ctl start");
        assert!(
            started.status.success(),
            "PostgreSQL did not start; its log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// `pg_ctl stop -m fast`: every session is ended (its transaction rolled back) and the
    /// server shuts down cleanly, as the first half of `pg_ctl restart -m fast` does.
    pub fn pg_ctl_stop_fast(&self) {
        let stopped = self
            .command("pg_ctl")
            .args(["stop", "-w", "-m", "fast", "-D", &self.data()])
            .output()
            .expect("run pg_ctl stop");
        assert!(
            stopped.status.success(),
            "pg_ctl stop failed: {}",
            String::from_utf8_lossy(&stopped.stderr)
        );
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-m", "immediate", "-D", &self.data()])
            .output();
    }
}
