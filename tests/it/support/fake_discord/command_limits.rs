//! Discord's rules for registering application commands that its OpenAPI spec does not state:
//! names of 1–32 lowercase characters, descriptions of 1–100, at most 25 options a level and
//! 25 choices an option, choice names and string values of at most 100, and at most 8,000
//! characters in all the names, descriptions and choice names and values of one command,
//! counting only the longest localization of each field; localizations follow the rules of
//! the field they localize, keyed by Discord's locales.

use serde_json::{json, Value};

/// What Discord counts toward a command's size. Discord's docs (discord/discord-api-docs,
/// developers/interactions/application-commands.mdx, "Slash commands can have a maximum of 8000
/// characters for combined name, description, and value properties for each command, its
/// options (including subcommands and groups), and choices. When localization fields are
/// present, only the longest localization for each field (including the default value) is
/// counted towards the size limit.", commit c98d64bc233833839cf0d8d369e81b77f21ade60) raised
/// it from the 4,000 this fake checked before.
pub const MAX_COMMAND_SIZE: usize = 8000;

/// Discord's locales (developers/reference.mdx "Locales", same commit).
const LOCALES: [&str; 32] = [
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th",
    "zh-CN", "ja", "zh-TW", "ko",
];

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// The characters field `field` of `item` counts: its longest localization, default included.
fn longest(item: &Value, field: &str) -> usize {
    let localized = item[format!("{field}_localizations")]
        .as_object()
        .map(|m| m.values().map(chars).max().unwrap_or(0))
        .unwrap_or(0);
    chars(&item[field]).max(localized)
}

/// A field's own rule: records what is wrong with a value at a pointer.
type FieldRule = dyn Fn(&mut Vec<(String, Value)>, String, &Value);

/// Every localization of `item`'s `field` must be keyed by a locale and follow the field's rule.
fn localizations(
    errors: &mut Vec<(String, Value)>,
    at: &str,
    item: &Value,
    field: &str,
    check: &FieldRule,
) {
    let key = format!("{field}_localizations");
    for (locale, value) in item[&key].as_object().into_iter().flatten() {
        let here = format!("{at}/{key}/{locale}");
        if !LOCALES.contains(&locale.as_str()) {
            errors.push((
                here.clone(),
                error("LOCALE_INVALID", format!("Invalid locale: {locale:?}")),
            ));
        }
        check(errors, here, value);
    }
}

/// The characters `command` counts toward [`MAX_COMMAND_SIZE`]: names, descriptions, and
/// choice names and values, of the command and all its options.
pub fn command_size(command: &Value) -> usize {
    let own = longest(command, "name") + longest(command, "description");
    let choices: usize = command["choices"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    longest(c, "name")
                        + match &c["value"] {
                            Value::String(s) => s.chars().count(),
                            other => other.to_string().chars().count(),
                        }
                })
                .sum()
        })
        .unwrap_or(0);
    let options: usize = command["options"]
        .as_array()
        .map(|os| os.iter().map(command_size).sum())
        .unwrap_or(0);
    own + choices + options
}

fn error(code: &str, message: String) -> Value {
    json!({ "code": code, "message": message })
}

fn length(errors: &mut Vec<(String, Value)>, at: String, value: &Value, max: usize) {
    let n = chars(value);
    if !(1..=max).contains(&n) {
        errors.push((
            at,
            error(
                "BASE_TYPE_BAD_LENGTH",
                format!("Must be between 1 and {max} in length."),
            ),
        ));
    }
}

/// A chat command or option name: 1–32 of letters, digits, `-` and `_`, none upper case.
fn name(errors: &mut Vec<(String, Value)>, at: String, value: &Value) {
    let text = value.as_str().unwrap_or_default();
    let count = text.chars().count();
    let valid = (1..=32).contains(&count)
        && text
            .chars()
            .all(|c| (c.is_alphanumeric() || c == '-' || c == '_') && !c.is_uppercase());
    if !valid {
        errors.push((
            at,
            error(
                "APPLICATION_COMMAND_INVALID_NAME",
                format!("Command name is invalid: {text:?}"),
            ),
        ));
    }
}

fn count(errors: &mut Vec<(String, Value)>, at: String, list: &Value, max: usize) {
    if list.as_array().is_some_and(|l| l.len() > max) {
        errors.push((
            at,
            error(
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be {max} or fewer in length."),
            ),
        ));
    }
}

fn option_errors(errors: &mut Vec<(String, Value)>, at: &str, option: &Value) {
    name(errors, format!("{at}/name"), &option["name"]);
    localizations(errors, at, option, "name", &name);
    length(
        errors,
        format!("{at}/description"),
        &option["description"],
        100,
    );
    let description = |e: &mut Vec<(String, Value)>, here, v: &Value| length(e, here, v, 100);
    localizations(errors, at, option, "description", &description);
    count(errors, format!("{at}/choices"), &option["choices"], 25);
    for (i, choice) in option["choices"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        length(
            errors,
            format!("{at}/choices/{i}/name"),
            &choice["name"],
            100,
        );
        if choice["value"].is_string() {
            length(
                errors,
                format!("{at}/choices/{i}/value"),
                &choice["value"],
                100,
            );
        }
    }
    count(errors, format!("{at}/options"), &option["options"], 25);
    for (i, inner) in option["options"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        option_errors(errors, &format!("{at}/options/{i}"), inner);
    }
}

/// Every rule `command`, at pointer `at` of the request body, breaks. Context-menu commands
/// (types 2 and 3) have no description and may use spaces and capitals in their names.
pub fn command_errors(command: &Value, at: &str) -> Vec<(String, Value)> {
    let mut errors = Vec::new();
    let chat = command["type"].as_u64().unwrap_or(1) == 1;
    if chat {
        name(&mut errors, format!("{at}/name"), &command["name"]);
        localizations(&mut errors, at, command, "name", &name);
        length(
            &mut errors,
            format!("{at}/description"),
            &command["description"],
            100,
        );
        let description = |e: &mut Vec<(String, Value)>, here, v: &Value| length(e, here, v, 100);
        localizations(&mut errors, at, command, "description", &description);
    } else {
        length(&mut errors, format!("{at}/name"), &command["name"], 32);
    }
    count(
        &mut errors,
        format!("{at}/options"),
        &command["options"],
        25,
    );
    for (i, option) in command["options"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        option_errors(&mut errors, &format!("{at}/options/{i}"), option);
    }
    let size = command_size(command);
    if size > MAX_COMMAND_SIZE {
        errors.push((
            at.to_owned(),
            error(
                "APPLICATION_COMMAND_TOO_LARGE",
                format!("Command exceeds maximum size ({MAX_COMMAND_SIZE}): {size}"),
            ),
        ));
    }
    errors
}
