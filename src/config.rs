//! Typed settings: the embedded `config/default.toml`, then the operator's file, then
//! `INCIDENT_BOT__SECTION__KEY` environment variables; validated once, at load.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::TimeDelta;
use figment::providers::{Env, Format, Toml};
use figment::Figment;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};

use crate::domain::{ChannelId, GuildId, PhaseBudgets, PostmortemPolicy, RoleId, Severity};

/// The defaults, documented key by key, compiled into the binary.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// The environment variable prefix for overrides: `INCIDENT_BOT__DATABASE__PATH`.
pub const ENV_PREFIX: &str = "INCIDENT_BOT__";

/// Everything the bot can be told, as the operator wrote it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Where Discord is.
    pub discord: DiscordSettings,
    /// The channels the bot posts to.
    pub channels: ChannelSettings,
    /// The server roles that decide who may do what.
    pub roles: RoleSettings,
    /// The SQLite database.
    pub database: DatabaseSettings,
    /// What each severity triggers.
    pub severity: SeverityTable,
    /// The phase budgets.
    pub phases: PhaseSettings,
    /// Escalation when nobody takes command.
    pub escalation: EscalationSettings,
    /// What happens after resolve.
    pub resolution: ResolutionSettings,
    /// The post-mortem rules.
    pub postmortem: PostmortemSettings,
    /// The catalogue of affected systems.
    pub systems: SystemsSettings,
    /// Template overrides.
    pub templates: TemplateSettings,
    /// The public status page.
    pub status: StatusSettings,
    /// The durable job queue.
    pub jobs: JobSettings,
}

/// `[discord]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordSettings {
    /// The one guild the bot serves.
    pub guild_id: GuildId,
    /// Another base URL for every REST and gateway call (a proxy or a local fake).
    pub api_base: Option<String>,
}

/// `[channels]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSettings {
    /// The players' announcement channel.
    pub announcements: ChannelId,
    /// The category for open incident channels.
    pub incident_category: ChannelId,
    /// The category for closed incident channels.
    pub archive_category: ChannelId,
    /// The internal log channel, if any.
    pub log: Option<ChannelId>,
}

/// `[roles]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSettings {
    /// May declare and work incidents.
    pub responder: RoleId,
    /// May also change severity, resolve and close.
    pub commander: RoleId,
    /// Sees security incidents.
    pub security: RoleId,
    /// Players who opted in to P0 alert pings.
    pub player_alerts: Option<RoleId>,
}

/// `[database]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// The SQLite file.
    pub path: PathBuf,
}

/// `[severity.P0]` … `[severity.P3]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityTable {
    /// P0.
    #[serde(rename = "P0")]
    pub p0: SeveritySettings,
    /// P1.
    #[serde(rename = "P1")]
    pub p1: SeveritySettings,
    /// P2.
    #[serde(rename = "P2")]
    pub p2: SeveritySettings,
    /// P3.
    #[serde(rename = "P3")]
    pub p3: SeveritySettings,
}

impl SeverityTable {
    /// The settings of one severity.
    pub fn get(&self, severity: Severity) -> &SeveritySettings {
        match severity {
            Severity::P0 => &self.p0,
            Severity::P1 => &self.p1,
            Severity::P2 => &self.p2,
            Severity::P3 => &self.p3,
        }
    }
}

/// What one severity triggers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeveritySettings {
    /// Roles pinged in the incident channel on declare (or on a raise to this level).
    pub page: Vec<RoleId>,
    /// Whether the service alert goes to players automatically.
    pub announce: bool,
    /// Escalate when nobody took command within this time; `None` never escalates.
    #[serde(deserialize_with = "optional_duration")]
    pub commander_timeout: Option<Duration>,
    /// Roles pinged when nobody takes command.
    pub escalate_to: Vec<RoleId>,
    /// Remind the comms lead when no update came within this time; `None` never reminds.
    #[serde(deserialize_with = "optional_duration")]
    pub update_every: Option<Duration>,
}

/// `[phases]`: when each phase should be over, from the declaration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseSettings {
    /// Detection & Triage.
    #[serde(deserialize_with = "duration")]
    pub triage: Duration,
    /// Containment.
    #[serde(deserialize_with = "duration")]
    pub containment: Duration,
    /// Investigation.
    #[serde(deserialize_with = "duration")]
    pub investigation: Duration,
    /// Resolution.
    #[serde(deserialize_with = "duration")]
    pub resolution: Duration,
}

/// `[escalation]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationSettings {
    /// How many times to ping again while nobody takes command.
    pub max_repeats: u32,
}

/// `[resolution]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionSettings {
    /// When to ask for confirmation that the fix held.
    #[serde(deserialize_with = "duration")]
    pub verify_after: Duration,
}

/// `[postmortem]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostmortemSettings {
    /// Severities that always need one.
    pub required_for: Vec<Severity>,
    /// Severities that need one when they recur.
    pub required_if_recurring: Vec<Severity>,
    /// How far back a recurrence counts.
    #[serde(deserialize_with = "duration")]
    pub recurrence_window: Duration,
    /// Due this long after resolution.
    #[serde(deserialize_with = "duration")]
    pub due_after: Duration,
    /// Reminders this long before the deadline.
    #[serde(deserialize_with = "durations")]
    pub remind_before: Vec<Duration>,
    /// Roles pinged when it is overdue.
    pub escalate_to: Vec<RoleId>,
    /// Remind again this often once overdue.
    #[serde(deserialize_with = "duration")]
    pub overdue_every: Duration,
}

/// `[systems]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemsSettings {
    /// The systems offered by autocomplete.
    pub catalogue: Vec<String>,
}

/// `[templates]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateSettings {
    /// A folder of `.hbs` files overriding the built-in templates.
    pub dir: Option<PathBuf>,
}

/// `[status]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusSettings {
    /// The status page named in the service alert.
    pub url: String,
}

/// `[jobs]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSettings {
    /// Attempts before a job is given up.
    pub max_attempts: u32,
    /// The first retry delay.
    #[serde(deserialize_with = "duration")]
    pub retry_base: Duration,
    /// The longest retry delay.
    #[serde(deserialize_with = "duration")]
    pub retry_max: Duration,
    /// How long a job waits for one Discord call before it counts as failed and is retried.
    #[serde(deserialize_with = "duration")]
    pub discord_timeout: Duration,
}

/// A configuration that cannot be used, with every problem found.
#[derive(Debug)]
pub struct ConfigError {
    /// Each problem, naming the key and the file.
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the configuration has {} problem(s):",
            self.problems.len()
        )?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// The layers of configuration, before they are read into a type.
fn figment(file: Option<&Path>) -> Result<Figment, ConfigError> {
    let mut fig = Figment::from(Toml::string(DEFAULT_TOML));
    if let Some(path) = file {
        if !path.is_file() {
            return Err(ConfigError {
                problems: vec![format!(
                    "the config file {} does not exist: check the path, or copy config/example.toml",
                    path.display()
                )],
            });
        }
        fig = fig.merge(Toml::file(path));
    }
    // Keys are matched case-insensitively, except that the severity tables are named `P0`..`P3`.
    // `lowercase(false)` must follow `map`: figment resets it on every mapping step.
    let env = Env::prefixed(ENV_PREFIX)
        .map(|key| {
            let key = key.as_str().to_ascii_lowercase().replace("__", ".");
            match key.strip_prefix("severity.") {
                Some(rest) if rest.len() >= 2 => {
                    format!("severity.{}{}", rest[..2].to_ascii_uppercase(), &rest[2..]).into()
                }
                _ => key.into(),
            }
        })
        .lowercase(false);
    Ok(fig.merge(env))
}

fn figment_problems(err: figment::Error) -> ConfigError {
    ConfigError {
        problems: err.into_iter().map(|e| e.to_string()).collect(),
    }
}

impl Settings {
    /// Loads defaults < `file` < environment, and validates the result.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let settings: Settings = figment(file)?.extract().map_err(figment_problems)?;
        let where_ = file.map_or_else(|| "the defaults".to_owned(), |p| p.display().to_string());
        let problems = settings.problems(&where_);
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(ConfigError { problems })
        }
    }

    /// The rules that span keys, each broken one as a sentence naming the key and file.
    fn problems(&self, file: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut fail = |key: &str, what: String| out.push(format!("{key} in {file}: {what}"));
        if !(self.status.url.starts_with("https://") || self.status.url.starts_with("http://")) {
            fail(
                "status.url",
                format!("`{}` is not an http(s) URL", self.status.url),
            );
        }
        if let Some(base) = &self.discord.api_base {
            if !(base.starts_with("http://") || base.starts_with("https://")) {
                fail(
                    "discord.api_base",
                    format!("`{base}` is not an http(s) URL"),
                );
            }
        }
        let p = &self.phases;
        if !(p.triage < p.containment
            && p.containment < p.investigation
            && p.investigation < p.resolution)
        {
            fail(
                "phases",
                "each phase must end after the one before it (triage < containment < investigation < resolution)".into(),
            );
        }
        for (i, before) in self.postmortem.remind_before.iter().enumerate() {
            if *before >= self.postmortem.due_after {
                fail(
                    &format!("postmortem.remind_before[{i}]"),
                    format!(
                        "{} is not shorter than due_after ({})",
                        humantime::format_duration(*before),
                        humantime::format_duration(self.postmortem.due_after)
                    ),
                );
            }
        }
        if self.postmortem.overdue_every.is_zero() {
            fail(
                "postmortem.overdue_every",
                "must be longer than zero".into(),
            );
        }
        if self.jobs.max_attempts == 0 {
            fail("jobs.max_attempts", "must be at least 1".into());
        }
        if self.jobs.retry_base > self.jobs.retry_max {
            fail(
                "jobs.retry_base",
                "must not be longer than jobs.retry_max".into(),
            );
        }
        // A call still hanging when the lease runs out would run twice at once.
        if self.jobs.discord_timeout.is_zero()
            || delta(self.jobs.discord_timeout) >= crate::scheduler::LEASE
        {
            fail(
                "jobs.discord_timeout",
                format!(
                    "must be longer than zero and shorter than a job's lease ({})",
                    humantime::format_duration(
                        crate::scheduler::LEASE.to_std().unwrap_or_default()
                    )
                ),
            );
        }
        out
    }

    /// The phase budgets as the domain uses them.
    pub fn phase_budgets(&self) -> PhaseBudgets {
        PhaseBudgets {
            triage: delta(self.phases.triage),
            containment: delta(self.phases.containment),
            investigation: delta(self.phases.investigation),
            resolution: delta(self.phases.resolution),
        }
    }

    /// The post-mortem policy as the domain uses it.
    pub fn postmortem_policy(&self) -> PostmortemPolicy {
        PostmortemPolicy {
            required_for: self.postmortem.required_for.clone(),
            required_if_recurring: self.postmortem.required_if_recurring.clone(),
            recurrence_window: delta(self.postmortem.recurrence_window),
            due_after: delta(self.postmortem.due_after),
        }
    }
}

/// Reads only the sections that need no server ids (`templates`, `status`), for `render`.
pub fn load_render_settings(
    file: Option<&Path>,
) -> Result<(TemplateSettings, StatusSettings), ConfigError> {
    let fig = figment(file)?;
    let templates = fig.extract_inner("templates").map_err(figment_problems)?;
    let status = fig.extract_inner("status").map_err(figment_problems)?;
    Ok((templates, status))
}

/// Converts a configured duration to chrono's, saturating at chrono's range.
pub fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// The bot token. Comes only from `DISCORD_TOKEN`, and never prints.
#[derive(Clone)]
pub struct DiscordToken(SecretString);

impl DiscordToken {
    /// The environment variable the token is read from.
    pub const VAR: &'static str = "DISCORD_TOKEN";

    /// Reads the token from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        match std::env::var(Self::VAR) {
            Ok(t) if !t.trim().is_empty() => Ok(Self::new(t.trim().to_owned())),
            _ => Err(ConfigError {
                problems: vec![format!(
                    "{} is not set: put the bot token from the Discord developer portal in it",
                    Self::VAR
                )],
            }),
        }
    }

    /// Wraps a token.
    pub fn new(token: String) -> Self {
        Self(SecretString::from(token))
    }

    /// The token, for the one call that sends it to Discord.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for DiscordToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DiscordToken([redacted])")
    }
}

/// Parses `"48h"`; refuses `off`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim()).map_err(|e| {
        format!("`{text}` is not a duration ({e}): write it like \"30s\", \"5m\", \"4h\" or \"2d\"")
    })
}

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    parse_duration(&text).map_err(serde::de::Error::custom)
}

fn optional_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(d)?;
    match text.trim() {
        "off" | "never" => Ok(None),
        t => parse_duration(t)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

fn durations<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Duration>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|t| parse_duration(t).map_err(serde::de::Error::custom))
        .collect()
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
