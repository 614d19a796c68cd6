//! Players' languages in the templates: the player-facing messages per locale
//! (`templates/players/<locale>/<name>.hbs`) and the commands' names and descriptions per locale
//! (`templates/commands/<locale>.toml`), built in and overridable from `[templates] dir`.
//!
//! A locale's message template is registered as `players/<locale>/<name>`; a message for a
//! locale without one is rendered from the English template, and `check` says so.

use std::collections::BTreeMap;
use std::path::Path;

use figment::providers::Format;
use handlebars::Handlebars;
use serde::Deserialize;

use super::{TemplateName, TemplateProblem};
use crate::domain::Locale;

/// The messages players read that have a version per locale.
pub const PLAYER_TEMPLATES: [TemplateName; 4] = [
    TemplateName::ServiceAlert,
    TemplateName::StatusUpdate,
    TemplateName::AllClear,
    TemplateName::Maintenance,
];

/// The built-in translations: a starting point for the studio's translators.
const BUILT_IN: &[(&str, TemplateName, &str)] = &[
    (
        "de",
        TemplateName::ServiceAlert,
        include_str!("../../templates/players/de/service_alert.hbs"),
    ),
    (
        "de",
        TemplateName::StatusUpdate,
        include_str!("../../templates/players/de/status_update.hbs"),
    ),
    (
        "de",
        TemplateName::AllClear,
        include_str!("../../templates/players/de/all_clear.hbs"),
    ),
    (
        "de",
        TemplateName::Maintenance,
        include_str!("../../templates/players/de/maintenance.hbs"),
    ),
];

/// The built-in command texts per locale.
const BUILT_IN_COMMANDS: &[(&str, &str)] =
    &[("de", include_str!("../../templates/commands/de.toml"))];

/// The registry name of `name` in `locale`.
pub(super) fn key(locale: Locale, name: TemplateName) -> String {
    format!("players/{}/{}", locale.code(), name.name())
}

/// One command's, subcommand's or option's name and description in one locale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandText {
    /// Its name in the locale (Discord's naming rules apply).
    pub name: Option<String>,
    /// What Discord shows under it in the locale.
    pub description: Option<String>,
}

/// The commands' texts: by locale, then by path (`incident`, `incident update`,
/// `incident update message`).
pub type CommandTexts = BTreeMap<Locale, BTreeMap<String, CommandText>>;

/// Registers the built-in player templates per locale, then those in `<dir>/players/<locale>/`.
/// Returns the problems and the registry names of the overrides (checked for `{{{ }}}`).
pub(super) fn load_players(
    registry: &mut Handlebars<'static>,
    dir: Option<&Path>,
) -> (Vec<TemplateProblem>, Vec<(String, String)>) {
    let mut problems = Vec::new();
    let mut loaded = Vec::new();
    for (code, name, source) in BUILT_IN {
        let Ok(locale) = Locale::parse(code) else {
            continue;
        };
        if let Err(e) = registry.register_template_string(&key(locale, *name), *source) {
            problems.push(super::parse_problem(
                format!("built-in {}", key(locale, *name)),
                &e,
            ));
        }
        loaded.push((
            key(locale, *name),
            format!("built-in {}", key(locale, *name)),
        ));
    }
    let Some(root) = dir.map(|d| d.join("players")) else {
        return (problems, loaded);
    };
    let Ok(folders) = std::fs::read_dir(&root) else {
        return (problems, loaded);
    };
    let mut folders: Vec<_> = folders.filter_map(|e| e.ok().map(|e| e.path())).collect();
    folders.sort();
    for folder in folders.into_iter().filter(|p| p.is_dir()) {
        let code = folder
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let locale = match Locale::parse(code) {
            Ok(l) => l,
            Err(e) => {
                problems.push(problem(
                    &folder,
                    format!("the folder is named for no locale: {e}"),
                ));
                continue;
            }
        };
        problems.extend(load_locale_folder(registry, locale, &folder, &mut loaded));
    }
    (problems, loaded)
}

fn problem(path: &Path, reason: String) -> TemplateProblem {
    TemplateProblem {
        file: path.display().to_string(),
        line: None,
        reason,
    }
}

fn load_locale_folder(
    registry: &mut Handlebars<'static>,
    locale: Locale,
    folder: &Path,
    loaded: &mut Vec<(String, String)>,
) -> Vec<TemplateProblem> {
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(folder) else {
        return vec![problem(folder, "cannot read the folder".into())];
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "hbs"))
    {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let Some(name) = PLAYER_TEMPLATES.into_iter().find(|t| t.name() == stem) else {
            let known: Vec<_> = PLAYER_TEMPLATES.iter().map(|t| t.name()).collect();
            problems.push(problem(
                &path,
                format!(
                    "players read no message called `{stem}` per locale; the names are {}",
                    known.join(", ")
                ),
            ));
            continue;
        };
        let source = match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) => {
                problems.push(problem(&path, e.to_string()));
                continue;
            }
        };
        match registry.register_template_string(&key(locale, name), source) {
            Ok(()) => loaded.push((key(locale, name), path.display().to_string())),
            Err(e) => problems.push(super::parse_problem(path.display().to_string(), &e)),
        }
    }
    problems
}

/// What `check` warns of for the `locales` players read: each player message a locale has no
/// template for (players in it read the English one).
pub fn missing(templates: &super::Templates, locales: &[Locale]) -> Vec<String> {
    crate::domain::to_translate(locales)
        .into_iter()
        .flat_map(|l| PLAYER_TEMPLATES.into_iter().map(move |t| (l, t)))
        .filter(|(l, t)| !templates.has_in(*l, *t))
        .map(|(l, t)| {
            format!(
                "[players] locales lists `{l}`, but there is no templates/players/{l}/{}.hbs: \
                 players reading {} get the English {} until one is added under [templates] dir",
                t.name(),
                l.language(),
                t.name()
            )
        })
        .collect()
}

/// The commands' texts: the built-in ones, each file of `<dir>/commands/` replacing its locale's.
pub(super) fn load_commands(dir: Option<&Path>) -> (CommandTexts, Vec<TemplateProblem>) {
    let mut texts = CommandTexts::new();
    let mut problems = Vec::new();
    let mut sources: Vec<(String, String, String)> = BUILT_IN_COMMANDS
        .iter()
        .map(|(code, source)| {
            let file = format!("built-in commands/{code}.toml");
            ((*code).to_owned(), file, (*source).to_owned())
        })
        .collect();
    if let Some(Ok(entries)) = dir.map(|d| std::fs::read_dir(d.join("commands"))) {
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths
            .into_iter()
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        {
            let code = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            match std::fs::read_to_string(&path) {
                Ok(source) => sources.push((code, path.display().to_string(), source)),
                Err(e) => problems.push(problem(&path, e.to_string())),
            }
        }
    }
    for (code, file, source) in sources {
        let locale = match Locale::parse(&code) {
            Ok(l) => l,
            Err(e) => {
                let reason = format!("the file is named for no locale: {e}");
                problems.push(TemplateProblem {
                    file,
                    line: None,
                    reason,
                });
                continue;
            }
        };
        let parsed = figment::Figment::from(figment::providers::Toml::string(&source))
            .extract::<BTreeMap<String, CommandText>>();
        match parsed {
            Ok(t) => {
                texts.insert(locale, t);
            }
            Err(e) => problems.push(TemplateProblem {
                file,
                line: None,
                reason: e.to_string(),
            }),
        }
    }
    (texts, problems)
}
