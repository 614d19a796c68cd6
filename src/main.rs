//! The `incident-bot` command line: run | check | migrate | render. Only wiring lives here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use incident_bot::clock::SystemClock;
use incident_bot::config::{load_render_settings, log_format, DiscordToken, LogFormat, Settings};
use incident_bot::render::{TemplateName, Templates};
use incident_bot::setup::Failed;
use incident_bot::shutdown::Shutdown;
use incident_bot::startup::{preflight, Application, Preflight};

/// Runs a game studio's incident response on Discord.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The configuration file (over the built-in defaults; env vars INCIDENT_BOT__* override it).
    #[arg(long, global = true, env = "INCIDENT_BOT_CONFIG")]
    config: Option<PathBuf>,
    /// How to write log lines: text (coloured only on a terminal) or json (one object a line,
    /// for log shippers). Overrides `[log] format`.
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormatArg>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Starts the bot (the default). Needs DISCORD_TOKEN. With no config file, it runs
    /// `setup` first, or reads the file an earlier setup wrote next to the database.
    Run,
    /// Sets the server up with nothing but DISCORD_TOKEN: finds or creates the categories,
    /// channels and roles the bot needs, writes their ids to the config file, then exits.
    Setup,
    /// Validates the configuration and the templates, listing every problem.
    Check {
        /// Also asks the outside services what only they can say: whether Prometheus takes
        /// each system's error-rate query.
        #[arg(long)]
        online: bool,
    },
    /// Creates or upgrades the database, then exits. With --from and --to, copies a SQLite
    /// database into a PostgreSQL one instead.
    Migrate {
        /// The SQLite database to copy: sqlite:PATH.
        #[arg(long, requires = "to", value_name = "sqlite:PATH")]
        from: Option<String>,
        /// The PostgreSQL database to copy it into: postgres://user@host/database, without a
        /// password (a command line is readable by every user of the machine): the password
        /// is read from PGPASSWORD, or from ~/.pgpass, as psql does.
        #[arg(long, requires = "from", value_name = "postgres://user@host/database")]
        to: Option<String>,
    },
    /// Lists the status webhooks ([[status.webhooks]]) with their state, or turns one that
    /// kept failing back on: it then gets the current state, not what it missed.
    Webhooks {
        /// The webhook to turn back on, by its name.
        #[arg(long, value_name = "NAME")]
        on: Option<String>,
    },
    /// Prints a template's message as it is sent to Discord: its sample (every field filled),
    /// or the values given with --set.
    Render {
        /// The template; `--list` names them all.
        #[arg(required_unless_present = "list")]
        template: Option<String>,
        /// A value for the template, as key=value; repeat for each. Without any, the
        /// template's sample is rendered.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Lists every template, with what it is for.
        #[arg(long, conflicts_with_all = ["template", "set"])]
        list: bool,
    },
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormatArg {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = cli.config.as_deref();
    init_tracing(match cli.log_format {
        Some(LogFormatArg::Text) => LogFormat::Text,
        Some(LogFormatArg::Json) => LogFormat::Json,
        None => log_format(config),
    });
    let default = || {
        incident_bot::setup::default_config()
            .ok()
            .filter(|p| p.exists())
    };
    let result = match cli.command.unwrap_or(Command::Run) {
        Command::Run => match runtime() {
            Ok(rt) => rt.block_on(run(config)),
            Err(e) => Err(Failed::Error(e)),
        },
        Command::Setup => match runtime() {
            Ok(rt) => rt.block_on(setup(config)),
            Err(e) => Err(Failed::Error(e)),
        },
        Command::Check { online } => {
            return check(
                config.map(Path::to_path_buf).or_else(default).as_deref(),
                online,
            )
        }
        Command::Migrate {
            from: Some(from),
            to: Some(to),
        } => runtime()
            .and_then(|rt| rt.block_on(copy_database(&from, &to)))
            .map_err(Failed::Error),
        Command::Migrate { .. } => runtime()
            .and_then(|rt| rt.block_on(migrate(config)))
            .map_err(Failed::Error),
        Command::Webhooks { on } => runtime()
            .and_then(|rt| rt.block_on(webhooks(config, on.as_deref())))
            .map_err(Failed::Error),
        Command::Render {
            template: Some(template),
            set,
            ..
        } => render(config, &template, &set).map_err(Failed::Error),
        Command::Render { .. } => {
            list_templates();
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failed::Blocked(blocked)) => {
            eprintln!("incident-bot setup: {blocked}");
            ExitCode::from(2)
        }
        Err(Failed::Error(e)) => {
            // The chain may end in reqwest's error, which prints its URL.
            eprintln!("error: {}", incident_bot::discord::error_chain(&e));
            ExitCode::FAILURE
        }
    }
}

/// `incident-bot setup`: sets the server up, writes the config, checks it.
async fn setup(config: Option<&Path>) -> Result<(), Failed> {
    let token = DiscordToken::from_env().map_err(|e| Failed::Error(anyhow::anyhow!("{e}")))?;
    let done = incident_bot::setup::run(config, &token).await?;
    print!("{}", done.summary());
    let Preflight {
        problems, warnings, ..
    } = preflight(Some(&done.config));
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failed::Error(anyhow::anyhow!(
            "the written config has {} problem(s):\n  - {}",
            problems.len(),
            problems.join("\n  - ")
        )))
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Logs to stderr; serenity and the HTTP stack only at WARN, so no token-bearing URL is logged.
/// Text is coloured only when stderr is a terminal; JSON is one object a line, with the fields
/// of the event's spans.
fn init_tracing(format: LogFormat) {
    use std::io::IsTerminal as _;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(
            "info,serenity=warn,reqwest=warn,hyper=warn,h2=warn,rustls=warn,tungstenite=warn,sqlx=warn,axum=warn",
        )
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .init(),
    }
}

/// Gives the shutdown signal on SIGTERM or Ctrl-C; a second one ends the process at once.
fn stop_on_signals(shutdown: Shutdown) {
    tokio::spawn(async move {
        signal().await;
        // Given before it is logged, so that whoever reads the line knows new work is refused.
        shutdown.trigger();
        tracing::info!(
            "shutting down: finishing the work in flight (a second signal stops at once)"
        );
        signal().await;
        tracing::warn!("second signal: stopping now");
        std::process::exit(130);
    });
}

/// The next SIGTERM or Ctrl-C (SIGINT).
async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

async fn run(config: Option<&Path>) -> Result<(), Failed> {
    // With no config file: the one an earlier setup wrote, or a setup now.
    let generated;
    let config = match config {
        Some(path) => Some(path),
        None => {
            let path = incident_bot::setup::default_config()?;
            if !path.exists() {
                // Nothing to start from but the token: say only that, not every missing id.
                if let Err(e) = DiscordToken::from_env() {
                    return Err(Failed::Error(anyhow::anyhow!(
                        "{e}. With it, the bot sets your server up and writes {}; or pass your \
                         own config file with --config FILE",
                        path.display()
                    )));
                }
                setup(Some(&path)).await?;
            }
            generated = path;
            generated.exists().then_some(generated.as_path())
        }
    };
    let Preflight {
        settings,
        mut problems,
        warnings,
    } = preflight(config);
    for w in &warnings {
        tracing::warn!("{w}");
    }
    let token = DiscordToken::from_env()
        .map_err(|e| problems.extend(e.problems))
        .ok();
    let (Some(settings), Some(token), true) = (settings, token, problems.is_empty()) else {
        return Err(Failed::Error(anyhow::anyhow!(
            "incident-bot will not start: {} problem(s):\n  - {}\nrun `incident-bot check` after each fix",
            problems.len(),
            problems.join("\n  - ")
        )));
    };
    let bot = Application::build(settings, Arc::new(SystemClock), &token, |b| b).await?;
    if let Some(addr) = bot.http_addr() {
        tracing::info!(%addr, "serving /livez, /readyz and /metrics");
    }
    if let Some(addr) = bot.public_addr() {
        tracing::info!(%addr, "serving the public listener");
    }
    stop_on_signals(bot.app.shutdown.clone());
    Ok(bot.run_until_stopped().await?)
}

fn check(config: Option<&Path>, online: bool) -> ExitCode {
    let Preflight {
        mut problems,
        mut warnings,
        settings,
    } = preflight(config);
    if let Some(settings) = settings.filter(|_| online) {
        match runtime() {
            Ok(rt) => {
                let (more, also) = rt.block_on(incident_bot::startup::check_online(&settings));
                problems.extend(more);
                warnings.extend(also);
            }
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    if config.is_none() && !problems.is_empty() {
        problems.push(
            "no config file was given: pass yours with --config FILE (see config/example.toml)"
                .into(),
        );
    }
    for p in &problems {
        eprintln!("error: {p}");
    }
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if problems.is_empty() {
        println!(
            "ok: the configuration and every template are valid{}",
            match warnings.len() {
                0 => String::new(),
                n => format!(" ({n} warning(s) above)"),
            }
        );
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "{} problem(s): incident-bot will not start until they are fixed",
            problems.len()
        );
        ExitCode::FAILURE
    }
}

/// `webhooks`: lists each webhook's state, or turns `on` back on.
async fn webhooks(config: Option<&Path>, on: Option<&str>) -> anyhow::Result<()> {
    use incident_bot::app::status_hooks;
    let settings = Settings::load(config)?;
    let db = incident_bot::app::open_database(&settings.database).await?;
    let hooks = &settings.status.webhooks;
    if let Some(name) = on {
        if !hooks.iter().any(|h| h.name == name) {
            anyhow::bail!("no [[status.webhooks]] is named {name:?}: run `incident-bot webhooks` to list them");
        }
        let was_off = status_hooks::turn_on(&db, name, chrono::Utc::now()).await?;
        db.close().await;
        println!(
            "ok: {name} is on{}; the running bot sends it the current state of what is public within ten \
             minutes (at once on PostgreSQL)",
            if was_off { " again" } else { " (it was not off)" }
        );
        return Ok(());
    }
    for w in status_hooks::list(&db, hooks).await? {
        let state = match &w.state {
            Some(s) if s.off_at.is_some() => format!(
                "OFF since {} after {} failures in a row (last: {}): turn it back on with \
                 `incident-bot webhooks --on {}`",
                s.off_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                s.failures,
                s.last_error.as_deref().unwrap_or("none"),
                w.name
            ),
            Some(s) if s.failures > 0 => format!("on, {} failures in a row", s.failures),
            _ => "on".to_owned(),
        };
        println!("{}\t{}\t{state}", w.name, w.url);
    }
    db.close().await;
    Ok(())
}

async fn migrate(config: Option<&Path>) -> anyhow::Result<()> {
    let settings = Settings::load(config)?;
    let db = incident_bot::app::open_database(&settings.database).await?;
    db.close().await;
    let latest = db
        .backend()
        .migrator()
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or_default();
    let name = match &settings.database.url {
        Some(url) => url.redacted(),
        None => settings.database.path.display().to_string(),
    };
    println!("ok: {name} is at schema version {latest}");
    Ok(())
}

/// `migrate --from sqlite:PATH --to postgres://…`: copies every table, then says what it copied.
async fn copy_database(from: &str, to: &str) -> anyhow::Result<()> {
    let Some(path) = from
        .strip_prefix("sqlite://")
        .or_else(|| from.strip_prefix("sqlite:"))
    else {
        anyhow::bail!("--from {from}: name the SQLite database as sqlite:PATH");
    };
    let path = Path::new(path);
    if !path.is_file() {
        anyhow::bail!(
            "--from {from}: there is no SQLite database at {}; check the path",
            path.display()
        );
    }
    let shown = incident_bot::store::redacted_url(to);
    if !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
        anyhow::bail!(
            "--to {shown}: name the PostgreSQL database as postgres://user@host/database"
        );
    }
    if url::Url::parse(to).is_ok_and(|u| u.password().is_some()) {
        anyhow::bail!(
            "--to {shown}: the URL carries a password, which every user of this machine can \
             read in the process list (and your shell keeps in its history): leave it out \
             (postgres://user@host/database) and put the password in the PGPASSWORD \
             environment variable (or in ~/.pgpass), as for psql"
        );
    }
    let source = incident_bot::store::Db::open(path)
        .await
        .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
    let target = incident_bot::store::Db::connect_postgres(to)
        .await
        .with_context(|| format!("cannot use the PostgreSQL database {shown}"))?;
    let copied = source.copy_into(&target).await.with_context(|| {
        format!(
            "the copy of {} into {shown} failed; nothing was written there",
            path.display()
        )
    })?;
    source.close().await;
    target.close().await;
    for table in &copied {
        println!(
            "{:<22} {:>8} row(s), {:>8} copied now, {:>8} in the target",
            table.table, table.source, table.written, table.target
        );
    }
    println!(
        "ok: {} is copied into {shown}; every table has as many rows in both",
        path.display()
    );
    Ok(())
}

/// `render --list`: every template a message is rendered from, with what it is for.
fn list_templates() {
    for t in TemplateName::ALL {
        println!("{:<14} {}", t.name(), t.about());
    }
}

fn render(config: Option<&Path>, template: &str, set: &[String]) -> anyhow::Result<()> {
    let name = TemplateName::parse(template).with_context(|| {
        let names: Vec<_> = TemplateName::ALL.iter().map(|t| t.name()).collect();
        format!(
            "there is no template `{template}`: use one of {}",
            names.join(", ")
        )
    })?;
    let (templates, status) = load_render_settings(config)?;
    let loaded = Templates::load(templates.dir.as_deref()).map_err(|problems| {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("the templates have problems:\n  - {}", list.join("\n  - "))
    })?;
    if set.is_empty() {
        let texts = loaded.render_samples(name).map_err(anyhow::Error::new)?;
        println!("{}", texts.join("\n\n"));
        return Ok(());
    }
    let mut view = serde_json::Map::new();
    view.insert("status_url".into(), status.url.into());
    for pair in set {
        let (key, value) = pair
            .split_once('=')
            .with_context(|| format!("`--set {pair}` has no `=`: write it as --set key=value"))?;
        view.insert(key.trim().to_owned(), value.into());
    }
    let text = loaded
        .render_json(name, &serde_json::Value::Object(view))
        .map_err(|e| {
            anyhow::anyhow!("{e}: give each value the template uses with --set key=value")
        })?;
    println!("{text}");
    Ok(())
}
