//! A bench's section of `bench/RESULTS.md`: the machine it ran on, and rewriting one section
//! in place while keeping the sections other benches own. Shared by every bench.

use std::fmt;
use std::path::Path;
use std::process::Command;

use chrono::Utc;

/// What the file starts with when no bench has written it yet.
const PREAMBLE: &str = "# Benchmark results\n\n\
    One section per bench, each rewritten by its own run (`cargo bench --bench <name>`).\n";

/// Where the numbers were measured.
#[derive(Debug, Clone)]
pub struct Machine {
    cpus: usize,
    cpu_model: String,
    memory: String,
    date: String,
    commit: String,
}

impl Machine {
    /// Reads the machine's facts; anything unreadable shows as `unknown`.
    pub fn detect(repo: &Path) -> Self {
        let cpus = std::thread::available_parallelism().map_or(0, usize::from);
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = proc_field(&cpuinfo, "model name").unwrap_or_else(|| "unknown".into());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = proc_field(&meminfo, "MemTotal")
            .and_then(|v| v.trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or_else(
                || "unknown".into(),
                |kib| format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0),
            );
        let mut commit =
            git(repo, &["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
        if git(repo, &["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|s| !s.is_empty())
        {
            commit.push_str(" + uncommitted changes");
        }
        Self {
            cpus,
            cpu_model,
            memory,
            date: Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            commit,
        }
    }
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, commit {}; {} CPUs (nproc), {}; {} RAM (MemTotal)",
            self.date, self.commit, self.cpus, self.cpu_model, self.memory
        )
    }
}

/// The value of `key` in a `/proc` file of `key : value` lines.
fn proc_field(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k.trim() == key).then(|| v.trim().to_owned())
    })
}

/// The trimmed output of a git command run in `repo`, if it succeeded.
fn git(repo: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Writes `section` (starting with the line `heading`) into the results file at `path`,
/// replacing the previous one and keeping every other section.
pub fn write_section(path: &Path, heading: &str, section: &str) -> std::io::Result<()> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => PREAMBLE.to_owned(),
        Err(e) => return Err(e),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, replace_section(&existing, heading, section))
}

/// `text` with the section under `heading` (up to the next heading of level 1 or 2) replaced
/// by `section`, or with `section` appended when there is none.
fn replace_section(text: &str, heading: &str, section: &str) -> String {
    let section = section.trim_end();
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim_end() == heading) else {
        return format!("{}\n\n{section}\n", text.trim_end());
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with("## ") || l.starts_with("# "))
        .map_or(lines.len(), |i| start + 1 + i);
    let before = lines[..start].join("\n");
    let after = lines[end..].join("\n");
    let mut out = String::new();
    if !before.trim().is_empty() {
        out.push_str(before.trim_end());
        out.push_str("\n\n");
    }
    out.push_str(section);
    out.push('\n');
    if !after.trim().is_empty() {
        out.push('\n');
        out.push_str(after.trim_end());
        out.push('\n');
    }
    out
}
