//! Loading: the layers merged, read into [`Settings`] past every error, and the rules between
//! keys checked, each problem worded with where the operator wrote it.

use std::path::Path;

use figment::providers::{Format, Toml};
use figment::value::Value;
use figment::Figment;

use super::source::{FileDoc, Origin, Sources};
use super::{env, extract, rules};
use super::{
    ConfigError, Loaded, LogFormat, LogSettings, Settings, StatusSettings, TemplateSettings,
    DEFAULT_TOML,
};

/// Reads the operator's file, refusing a missing or unreadable one.
fn read_file(path: &Path) -> Result<String, String> {
    if !path.is_file() {
        return Err(format!(
            "the config file {} does not exist: check the path, or copy config/example.toml",
            path.display()
        ));
    }
    std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the config file {}: {e}", path.display()))
}

/// The embedded defaults as a value, to put back in place of a bad one.
fn defaults() -> Value {
    Figment::from(Toml::string(DEFAULT_TOML))
        .extract()
        .unwrap_or_else(|_| Value::from(figment::value::Dict::new()))
}

/// Problems and warnings, each with where it is, before they are sorted and worded.
#[derive(Debug, Default)]
struct Findings {
    problems: Vec<(Origin, String)>,
    warnings: Vec<(Origin, String)>,
}

impl Findings {
    fn finish(mut self, settings: Option<Settings>) -> Result<Loaded, ConfigError> {
        let words = |list: &mut Vec<(Origin, String)>| {
            list.sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()));
            list.iter().map(|(o, m)| o.blame(m)).collect::<Vec<_>>()
        };
        let problems = words(&mut self.problems);
        let warnings = words(&mut self.warnings);
        match settings {
            Some(settings) if problems.is_empty() => Ok(Loaded { settings, warnings }),
            _ => Err(ConfigError { problems, warnings }),
        }
    }
}

impl Settings {
    /// Loads defaults < `file` < environment, and validates the result.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::check(file).map(|loaded| loaded.settings)
    }

    /// Loads defaults < `file` < environment and validates the result, naming every problem
    /// at once: each unknown key (with the known one it is closest to), each missing id, each
    /// bad value and each broken rule between keys, at its line of `file` or by its variable.
    pub fn check(file: Option<&Path>) -> Result<Loaded, ConfigError> {
        let mut found = Findings::default();
        let (vars, env_problems) = env::scan(std::env::vars_os());
        found
            .problems
            .extend(env_problems.into_iter().map(|p| (p.origin, p.message)));
        let mut sources = Sources {
            file: None,
            env: vars,
        };
        let Some(data) = merged(file, &mut found, &mut sources) else {
            return found.finish(None);
        };
        let extracted = extract::extract(data, &defaults(), &sources);
        found.problems.extend(extracted.problems);
        let Some(mut settings) = extracted.settings else {
            return found.finish(None);
        };
        // Before the rules: they say when a configured service has no token.
        settings.cloudflare.token = super::secret_from_env(super::CLOUDFLARE_TOKEN_VAR);
        for hook in &mut settings.status.webhooks {
            hook.secret = super::secret_from_env(&hook.secret_var());
        }
        // A rule about a key that already has a problem would judge its stand-in.
        let related = |a: &str, b: &str| {
            a == b || a.starts_with(&format!("{b}.")) || b.starts_with(&format!("{a}."))
        };
        // Blamed on the first key the operator set; on the file alone when all are defaults.
        let blame = |f: rules::Finding| {
            let origin = match f.keys.iter().find(|k| sources.is_set(k)) {
                Some(key) => sources.locate(key),
                None => sources
                    .locate(f.keys.first().map_or("", String::as_str))
                    .without_line(),
            };
            (origin, f.message)
        };
        found.problems.extend(
            rules::problems(&settings)
                .into_iter()
                .filter(|f| {
                    !f.keys
                        .iter()
                        .any(|k| extracted.broken.iter().any(|b| related(k, b)))
                })
                .map(blame),
        );
        both_databases(&settings, &sources, &mut found);
        // After the rules on what the operator wrote (a bad role id is named once, not again
        // in every list it would fill), before the warnings about who is woken.
        role_defaults(&mut settings, |key| sources.is_set(key));
        settings.intake.secrets = super::IntakeSecrets::from_env();
        for (key, problem) in settings.social.read_secrets() {
            found.problems.push((sources.locate(key), problem));
        }
        page_out(&mut settings.page_out, &mut found, &sources);
        settings.prometheus.token = super::secret_from_env(super::PrometheusSettings::TOKEN_VAR);
        found.problems.extend(
            settings
                .intake
                .secrets
                .too_short()
                .into_iter()
                .map(|(var, problem)| (Origin::Env(var.to_owned()), problem)),
        );
        found.problems.extend(tracker_vars(&mut settings));
        found
            .warnings
            .extend(rules::warnings(&settings).into_iter().map(blame));
        found
            .warnings
            .extend(untimestamped_grafana(&settings, &sources));
        found.finish(Some(settings))
    }
}

/// The defaults merged with `file` (kept in `sources`, to place keys) and the environment; or
/// `None`, with why in `found`, when the file cannot be read or parsed or the merge fails.
fn merged(file: Option<&Path>, found: &mut Findings, sources: &mut Sources) -> Option<Value> {
    let mut fig = Figment::from(Toml::string(DEFAULT_TOML));
    if let Some(path) = file {
        let text = match read_file(path) {
            Ok(text) => text,
            Err(problem) => {
                found.problems.push((Origin::Defaults, problem));
                return None;
            }
        };
        match FileDoc::parse(path, text.clone()) {
            Ok(doc) => sources.file = Some(doc),
            Err(problem) => {
                found.problems.push(problem);
                return None;
            }
        }
        fig = fig.merge(Toml::string(&text));
    }
    match fig.merge(env::provider()).extract() {
        Ok(data) => Some(data),
        Err(e) => {
            found
                .problems
                .extend(e.into_iter().map(|e| (Origin::Defaults, e.to_string())));
            None
        }
    }
}

/// Reads `[page_out]`'s secrets from the environment, and names what is wrong or missing.
fn page_out(settings: &mut super::PageOutSettings, found: &mut Findings, sources: &Sources) {
    settings.read_secrets();
    for (key, problem) in super::page_out::problems(settings) {
        found.problems.push((sources.locate(key), problem));
    }
    for (key, warning) in super::page_out::warnings(settings) {
        found.warnings.push((sources.locate(key), warning));
    }
}

/// Reads the `[tracker]`'s credentials from the environment, and names each one missing.
fn tracker_vars(settings: &mut Settings) -> Vec<(Origin, String)> {
    let Some(tracker) = settings.tracker.as_mut() else {
        return vec![];
    };
    tracker.read_secrets();
    tracker
        .missing_vars()
        .into_iter()
        .map(|var| {
            (
                Origin::Env(var.to_owned()),
                format!(
                    "[tracker] is set up, but the environment variable {var} is not set: set it \
                     (never in the config file), or remove [tracker]"
                ),
            )
        })
        .collect()
}

/// The warning for Grafana deliveries taken without their timestamp, when they are.
fn untimestamped_grafana(settings: &Settings, sources: &Sources) -> Option<(Origin, String)> {
    if settings.intake.grafana.allow_untimestamped && settings.intake.secrets.grafana.is_some() {
        return Some((
            sources.locate("intake.grafana.allow_untimestamped"),
            "[intake.grafana] allow_untimestamped is true: a Grafana delivery signed without \
             its timestamp (or sent with the secret as bearer credentials) is taken, and \
             anyone who captures one can send it again at any time; set the contact point's \
             Timestamp header to X-Grafana-Alerting-Timestamp and remove this key"
                .to_owned(),
        ));
    }
    None
}

/// Who is woken when the operator named nobody: a minimal config that sets only `[roles]`
/// pages the responders on a P0 or P1 and escalates to the commanders. A list the operator
/// set, even empty, is kept as written.
fn role_defaults(settings: &mut Settings, is_set: impl Fn(&str) -> bool) {
    let (responder, commander) = (settings.roles.responder, settings.roles.commander);
    for severity in crate::domain::Severity::ALL {
        let name = severity.to_string();
        let paged = matches!(
            severity,
            crate::domain::Severity::P0 | crate::domain::Severity::P1
        );
        let sev = settings.severity.get_mut(severity);
        if paged && !is_set(&format!("severity.{name}.page")) {
            sev.page = vec![responder];
        }
        if sev.commander_timeout.is_some() && !is_set(&format!("severity.{name}.escalate_to")) {
            sev.escalate_to = vec![commander];
        }
    }
    if !is_set("postmortem.escalate_to") {
        settings.postmortem.escalate_to = vec![commander];
    }
}

/// Reads only the sections that need no server ids (`templates`, `status`), for `render`.
pub fn load_render_settings(
    file: Option<&Path>,
) -> Result<(TemplateSettings, StatusSettings), ConfigError> {
    let (_, env_problems) = env::scan(std::env::vars_os());
    if !env_problems.is_empty() {
        return Err(ConfigError {
            problems: env_problems
                .into_iter()
                .map(|p| p.origin.blame(&p.message))
                .collect(),
            warnings: Vec::new(),
        });
    }
    let mut fig = Figment::from(Toml::string(DEFAULT_TOML));
    if let Some(path) = file {
        fig = fig.merge(Toml::string(&read_file(path).map_err(ConfigError::one)?));
    }
    let fig = fig.merge(env::provider());
    let problems = |e: figment::Error| ConfigError {
        problems: e.into_iter().map(|e| e.to_string()).collect(),
        warnings: Vec::new(),
    };
    let templates = fig.extract_inner("templates").map_err(problems)?;
    let status = fig.extract_inner("status").map_err(problems)?;
    Ok((templates, status))
}

/// The log format the configuration asks for (defaults < `file` < environment), read before
/// anything else so that the first lines are already in it. A configuration that cannot be
/// read logs as text: `check` names its problems.
pub fn log_format(file: Option<&Path>) -> LogFormat {
    let mut fig = Figment::from(Toml::string(DEFAULT_TOML));
    if let Some(text) = file.and_then(|path| read_file(path).ok()) {
        fig = fig.merge(Toml::string(&text));
    }
    fig.merge(env::provider())
        .extract_inner::<LogSettings>("log")
        .map(|log| log.format)
        .unwrap_or_default()
}

/// Refuses `[database]` with both a path and a url. An empty path is no path: how the systemd
/// unit's and the image's INCIDENT_BOT__DATABASE__PATH is cleared to use a url.
fn both_databases(settings: &Settings, sources: &Sources, found: &mut Findings) {
    let path_set =
        sources.is_set("database.path") && !settings.database.path.as_os_str().is_empty();
    if settings.database.url.is_some() && path_set {
        found.problems.push((
            sources.locate("database.url"),
            "[database] sets both path (an SQLite file) and url (a PostgreSQL database): \
             keep the one the bot should use and remove the other (where \
             INCIDENT_BOT__DATABASE__PATH is set for you, as by the systemd unit and the \
             container image, set it to nothing)"
                .to_owned(),
        ));
    }
}
