//! The PostgreSQL server tests create their databases on: the one `INCIDENT_BOT_TEST_POSTGRES`
//! names (`tests/run` starts one for the whole run), else a throwaway one this test process
//! starts with `tests/throwaway-postgres` on first use and that stops when the process ends.
//! Shared by the lib's tests (`src/store/tests.rs` includes this file) and the `it` suite.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The variable naming the PostgreSQL server tests create their databases on.
pub const TEST_POSTGRES: &str = "INCIDENT_BOT_TEST_POSTGRES";

/// The script that starts a throwaway server and prints its URL.
const THROWAWAY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/throwaway-postgres");

/// The URL of the test PostgreSQL server (its user may create databases). Panics (the test
/// fails, never skips) with what to install when none is given and none can be started.
pub fn server_url() -> String {
    if let Some(url) = std::env::var(TEST_POSTGRES).ok().filter(|u| !u.is_empty()) {
        return url;
    }
    static STARTED: OnceLock<Result<String, String>> = OnceLock::new();
    match STARTED.get_or_init(|| start_throwaway(None)) {
        Ok(url) => url.clone(),
        Err(why) => panic!("{TEST_POSTGRES} is not set and no throwaway server started: {why}"),
    }
}

/// Starts `tests/throwaway-postgres` (with `POSTGRES_BIN` set to `bin` when given) and returns
/// its URL, or why it could not. The server lives until this process ends: the script stops it
/// when its input, a pipe only this process holds, closes.
pub fn start_throwaway(bin: Option<&std::path::Path>) -> Result<String, String> {
    let mut script = Command::new("bash");
    script
        .arg(THROWAWAY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(bin) = bin {
        script.env("POSTGRES_BIN", bin);
    }
    let mut child = script
        .spawn()
        .map_err(|e| format!("cannot run {THROWAWAY}: {e}"))?;
    let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err("the script's output was not piped".to_owned());
    };
    let mut url = String::new();
    let _ = BufReader::new(stdout).read_line(&mut url);
    let url = url.trim().to_owned();
    if url.is_empty() {
        let mut why = String::new();
        let _ = stderr.read_to_string(&mut why);
        let status = child.wait().map_err(|e| e.to_string())?;
        return Err(format!("{} ({status})", why.trim()));
    }
    // Whatever the script says later (it says nothing when all goes well) is read and dropped,
    // so that it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    // The child (and its input pipe) is kept open until the process exits, whichever way.
    std::mem::forget(child);
    Ok(url)
}
