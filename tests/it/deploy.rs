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
fn the_unit_restarts_a_hung_bot_through_the_watchdog_and_allows_enough_descriptors() {
    let unit = read("deploy/incident-bot.service");
    let lines: Vec<&str> = unit.lines().map(str::trim).collect();
    for line in [
        "Type=notify",
        "NotifyAccess=main",
        "WatchdogSec=30s",
        "LimitNOFILE=65536",
    ] {
        assert!(lines.contains(&line), "the unit lacks {line}");
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
        // The chart font (`include_bytes!` in src/chart).
        "assets",
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

/// The port a listen address (`0.0.0.0:9090`) is on.
fn port_of(addr: &str) -> Option<u16> {
    addr.split_whitespace()
        .next()?
        .trim_matches('"')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
}

/// The private listener's ports in a compose file: each `INCIDENT_BOT__HTTP__LISTEN` it sets,
/// or the image's (the Dockerfile's) when it sets none.
fn private_ports(compose: &str) -> Vec<u16> {
    let listen = |text: &str| -> Vec<u16> {
        text.lines()
            .filter_map(|l| {
                let (_, value) = l.split_once("INCIDENT_BOT__HTTP__LISTEN")?;
                port_of(value.trim_start_matches([':', '=', ' ']))
            })
            .collect()
    };
    let ports = listen(compose);
    if ports.is_empty() {
        listen(&read("Dockerfile"))
    } else {
        ports
    }
}

/// A published port in the short syntax (`[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]`): the
/// host address it is opened on (`None`: every address) and the container port.
fn published(entry: &str) -> (Option<String>, Option<u16>) {
    let entry = entry.trim().trim_matches(['"', '\'']);
    let entry = entry.split('/').next().unwrap_or(entry);
    let (ip, rest) = match entry.strip_prefix('[') {
        Some(v6) => match v6.split_once("]:") {
            Some((ip, rest)) => (Some(ip.to_owned()), rest.to_owned()),
            None => (None, entry.to_owned()),
        },
        None => {
            let parts: Vec<&str> = entry.split(':').collect();
            match parts.as_slice() {
                [ip, host, container] => (Some((*ip).to_owned()), format!("{host}:{container}")),
                _ => (None, entry.to_owned()),
            }
        }
    };
    (ip, rest.rsplit(':').next().and_then(|p| p.parse().ok()))
}

/// Every entry of a `ports:` list in `compose` that publishes a private port on an address
/// other than the host's loopback, and every entry this reader cannot judge (the long syntax).
fn private_ports_exposed(compose: &str) -> Vec<String> {
    let private = private_ports(compose);
    let mut bad = Vec::new();
    let mut list_indent = None;
    for line in compose.lines() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if text == "ports:" {
            list_indent = Some(indent);
            continue;
        }
        match list_indent {
            Some(at) if indent > at || (indent == at && text.starts_with("- ")) => {}
            _ => {
                list_indent = None;
                continue;
            }
        }
        let Some(entry) = text.strip_prefix("- ") else {
            bad.push(format!("{text} (write ports in the short syntax)"));
            continue;
        };
        let (ip, container) = published(entry);
        match container {
            Some(port) if private.contains(&port) => {
                let loopback = ip
                    .as_deref()
                    .and_then(|ip| ip.parse::<std::net::IpAddr>().ok())
                    .is_some_and(|ip| ip.is_loopback());
                if !loopback {
                    bad.push(entry.to_owned());
                }
            }
            Some(_) => {}
            None => bad.push(format!("{entry} (not a port mapping this test reads)")),
        }
    }
    bad
}

#[test]
fn no_compose_file_publishes_the_private_listener_beyond_the_hosts_loopback() {
    // The reader finds what it must: a bare, an all-addresses and a public mapping of the
    // private port, and the long syntax it cannot judge; loopback and the public port pass.
    let sample = "services:\n  bot:\n    environment:\n      INCIDENT_BOT__HTTP__LISTEN: 0.0.0.0:9090\n\
                  \x20     INCIDENT_BOT__HTTP__PUBLIC_LISTEN: 0.0.0.0:8080\n    ports:\n\
                  \x20     - \"9090:9090\"\n      - 0.0.0.0:9091:9090\n      - \"203.0.113.5:9090:9090/tcp\"\n\
                  \x20     - 9090\n      - \"127.0.0.1:9090:9090\"\n      - \"[::1]:9092:9090\"\n\
                  \x20     - \"8080:8080\"\n      - target: 9090\n        published: 9090\n\
                  \x20   volumes:\n      - data:/data\n";
    assert_eq!(
        private_ports_exposed(sample),
        [
            "\"9090:9090\"",
            "0.0.0.0:9091:9090",
            "\"203.0.113.5:9090:9090/tcp\"",
            "9090",
            "target: 9090 (not a port mapping this test reads)",
            "published: 9090 (write ports in the short syntax)",
        ]
    );

    let mut checked = 0;
    for entry in std::fs::read_dir(repo("deploy")).expect("deploy/") {
        let path = entry.expect("entry").path();
        let name = path.display().to_string();
        if !(name.ends_with(".yml") || name.ends_with(".yaml")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let exposed = private_ports_exposed(&text);
        assert!(
            exposed.is_empty(),
            "{name} publishes the private listener (/metrics, /readyz) beyond the host's \
             loopback: {exposed:?}; publish it as \"127.0.0.1:PORT:PORT\""
        );
        checked += text.matches("127.0.0.1:").count();
    }
    assert!(
        checked > 0,
        "the replicas sample publishes its private ports on loopback"
    );

    // The commands the Dockerfile, the README and the operating manual give publish it on
    // loopback too (prose that warns against `-p 8080:8080` is not a `-p` word of a command).
    let private = private_ports("");
    for file in ["Dockerfile", "README.md", "docs/operating.md"] {
        let text = read(file);
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut seen = 0;
        for pair in words.windows(2).filter(|w| w[0] == "-p") {
            let (ip, container) = published(pair[1]);
            if container.is_some_and(|p| private.contains(&p)) {
                assert_eq!(ip.as_deref(), Some("127.0.0.1"), "{file}: -p {}", pair[1]);
                seen += 1;
            }
        }
        assert!(seen > 0, "{file} shows how to publish the private listener");
    }
}
