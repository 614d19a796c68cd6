//! What ships beside the binary: the systemd unit (checked by the real `systemd-analyze`), the
//! Dockerfile (checked against the crate, since no container engine runs here), the README's
//! commands, and CI installing the tools these tests run.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `systemd-analyze verify` on the unit with `ExecStart` pointing at `binary`: its exit code
/// and what it said. Fails loudly when systemd-analyze is missing.
fn verify_unit(binary: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let unit = read("deploy/incident-bot.service").replace(
        "ExecStart=/usr/local/bin/incident-bot ",
        &format!("ExecStart={binary} "),
    );
    assert!(unit.contains(&format!("ExecStart={binary} run")), "{unit}");
    let path = dir.path().join("incident-bot.service");
    std::fs::write(&path, unit).expect("write the unit");
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run systemd-analyze ({e}): install Debian's `systemd` package \
                 (tests/run does it)"
            )
        });
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), said)
}

#[test]
fn the_systemd_unit_passes_systemd_analyze_verify_with_the_built_binary() {
    let (code, said) = verify_unit(env!("CARGO_BIN_EXE_incident-bot"));
    assert_eq!(code, Some(0), "{said}");
    assert!(said.trim().is_empty(), "systemd-analyze warned: {said}");
    let unit = read("deploy/incident-bot.service");
    for line in [
        "DynamicUser=yes",
        "StateDirectory=incident-bot",
        "EnvironmentFile=/etc/incident-bot/env",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "KillSignal=SIGTERM",
        "Environment=INCIDENT_BOT__DATABASE__PATH=/var/lib/incident-bot/",
    ] {
        assert!(unit.lines().any(|l| l.starts_with(line)), "{line}");
    }
}

#[test]
fn systemd_analyze_refuses_the_unit_when_its_binary_does_not_exist() {
    let (code, said) = verify_unit("/nonexistent/incident-bot");
    assert_ne!(code, Some(0), "{said}");
    assert!(said.contains("/nonexistent/incident-bot"), "{said}");
}

/// The instructions of a Dockerfile, continuation lines joined.
fn instructions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
        if let Some(head) = line.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
        } else {
            current.push_str(line);
            if !current.trim().is_empty() {
                out.push(current.trim().to_owned());
            }
            current.clear();
        }
    }
    out
}

#[test]
fn the_dockerfile_builds_this_crates_binary_runs_it_unprivileged_and_keeps_data_on_a_volume() {
    let text = read("Dockerfile");
    let steps = instructions(&text);
    let bin = "incident-bot";
    assert!(
        std::fs::read_to_string(repo("Cargo.toml"))
            .expect("Cargo.toml")
            .contains(&format!("[[bin]]\nname = \"{bin}\"")),
        "the crate's binary is {bin}"
    );
    let froms: Vec<&String> = steps.iter().filter(|s| s.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2, "multi-stage: {froms:?}");
    let rust = read("Cargo.toml")
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .map(|v| v.trim_end_matches('"').to_owned())
        .expect("rust-version");
    assert!(
        froms[0].starts_with(&format!("FROM rust:{rust}")),
        "the build stage uses the crate's rust-version {rust}: {}",
        froms[0]
    );
    // Everything the build copies exists, and everything the crate compiles in is copied.
    for step in steps
        .iter()
        .filter(|s| s.starts_with("COPY ") && !s.contains("--from"))
    {
        let parts: Vec<&str> = step.split_whitespace().collect();
        for source in &parts[1..parts.len() - 1] {
            assert!(repo(source).exists(), "{step}: {source} is missing");
        }
    }
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "src",
        "migrations",
        "templates",
        "config",
        "benches",
    ] {
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with("COPY ") && s.split_whitespace().any(|w| w == needed)),
            "the build needs {needed}"
        );
    }
    assert!(
        steps
            .iter()
            .any(|s| s.starts_with("RUN cargo build --release")
                && s.contains(&format!("--bin {bin}"))),
        "{steps:#?}"
    );
    assert!(
        steps
            .iter()
            .any(|s| s
                == &format!("COPY --from=build /src/target/release/{bin} /usr/local/bin/{bin}")),
        "{steps:#?}"
    );
    assert!(
        steps
            .iter()
            .any(|s| s == &format!("ENTRYPOINT [\"/usr/local/bin/{bin}\"]")),
        "{steps:#?}"
    );
    let user = steps
        .iter()
        .rev()
        .find_map(|s| s.strip_prefix("USER "))
        .expect("a USER");
    assert!(user != "root" && user != "0", "runs as {user}");
    assert!(
        steps.iter().any(|s| s == "VOLUME [\"/data\"]"),
        "{steps:#?}"
    );
    assert!(
        text.contains("INCIDENT_BOT__DATABASE__PATH=/data/"),
        "the database lives on the volume"
    );
    assert!(text.contains("STOPSIGNAL SIGTERM"));
}

#[test]
fn the_readme_starts_with_the_one_token_command_and_documents_deploying() {
    let readme = read("README.md");
    let first = readme
        .lines()
        .skip_while(|l| *l != "```sh")
        .find(|l| !l.starts_with('#') && !l.starts_with("```") && !l.trim().is_empty())
        .expect("a first command");
    assert_eq!(first, "DISCORD_TOKEN=… cargo run --release");
    assert!(
        readme.contains("\ntests/run\n") && read(".ci/run").contains("\ntests/run\n"),
        "the README's test command is the one CI runs"
    );
    assert!(readme.contains("\n## Deploying\n"));
    for shipped in [
        "deploy/incident-bot.service",
        "Dockerfile",
        "/livez",
        "/readyz",
        "/metrics",
    ] {
        assert!(readme.contains(shipped), "README names {shipped}");
    }
    assert!(
        readme.contains(&incident_bot::discord::setup::INVITE_PERMISSIONS.to_string()),
        "README lists the invite's permission integer"
    );
}

#[test]
fn the_test_command_installs_the_tools_the_tests_run() {
    let ci = read("tests/run");
    for tool in ["\"promtool:prometheus\"", "\"systemd-analyze:systemd\""] {
        assert!(ci.contains(tool), "{tool}");
    }
    assert!(ci.contains("apt-get install -y -q --no-install-recommends"));
}
