//! `incident-bot setup`, and the start with no config file: with nothing but the token, find
//! the server, create what is missing, and write the ids to a config file that `check` and
//! every later start read.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::config::{write_server_ids, DiscordToken, SetupSettings};
use crate::discord::setup::{set_up, Blocked, Known, Report, SetupError};

/// What set-up did, to print.
#[derive(Debug)]
pub struct Done {
    /// The config file it wrote (or found up to date).
    pub config: PathBuf,
    /// Whether the file changed.
    pub written: bool,
    /// What it found and created on Discord.
    pub report: Report,
}

/// Why set-up stopped.
#[derive(Debug)]
pub enum Failed {
    /// A person must act first; the sentence says how. The process exits 2.
    Blocked(Blocked),
    /// Something broke (Discord, the file). The process exits 1.
    Error(anyhow::Error),
}

impl From<anyhow::Error> for Failed {
    fn from(e: anyhow::Error) -> Self {
        Self::Error(e)
    }
}

/// The config file a start with no `--config` reads: the one set-up writes next to the
/// database (`[database] path` from the defaults and the environment).
pub fn default_config() -> anyhow::Result<PathBuf> {
    let settings = SetupSettings::load(None).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(settings.setup_file())
}

/// How long set-up waits for one answer from Discord.
const SETUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Sets the server up and writes the ids to `config` (or, without one, to the file next to
/// the database).
pub async fn run(config: Option<&Path>, token: &DiscordToken) -> Result<Done, Failed> {
    let path = match config {
        Some(path) => path.to_path_buf(),
        None => default_config()?,
    };
    // A second run reads the ids the first one wrote, so a renamed channel is kept.
    let settings = SetupSettings::load(Some(&path)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let http =
        crate::discord::http_with(token, settings.discord.api_base.as_deref(), SETUP_TIMEOUT)?;
    let known = Known {
        guild: settings.discord.guild_id,
        announcements: settings.channels.announcements,
        incident_category: settings.channels.incident_category,
        archive_category: settings.channels.archive_category,
        log: settings.channels.log,
        alerts: settings.channels.alerts,
        responder: settings.roles.responder,
        commander: settings.roles.commander,
        security: settings.roles.security,
        player_alerts: settings.roles.player_alerts,
    };
    let report = set_up(&http, &known).await.map_err(|e| match e {
        SetupError::Blocked(b) => Failed::Blocked(b),
        SetupError::Discord(e) => Failed::Error(e.context("set-up failed on Discord")),
    })?;
    let written = write_server_ids(&path, &report.ids, &report.server)
        .context("set-up could not write the config file")?;
    Ok(Done {
        config: path,
        written,
        report,
    })
}

impl Done {
    /// What a person reads: what was done, and the one step left to them.
    pub fn summary(&self) -> String {
        let r = &self.report;
        let mut out = format!("Set up \"{}\" ({}):\n", r.server, r.ids.guild);
        for line in &r.lines {
            out.push_str(&format!("  - {line}\n"));
        }
        if r.created == 0 {
            out.push_str("Nothing to create: everything was there.\n");
        }
        for note in &r.notes {
            out.push_str(&format!("Note: {note}\n"));
        }
        out.push_str(&format!(
            "{} {} (edit it, then `incident-bot check --config {}`).\n",
            if self.written {
                "Wrote the ids to"
            } else {
                "The ids were already in"
            },
            self.config.display(),
            self.config.display()
        ));
        out.push_str(
            "One step is left to you: give the Responder and Incident Commander roles to the \
             people on call (Server Settings → Members), and Security to your security team.\n",
        );
        out
    }
}
