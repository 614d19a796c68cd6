//! Discord's rules for registering application commands that its OpenAPI spec does not state:
//! names of 1–32 lowercase characters, descriptions of 1–100, at most 25 options a level and
//! 25 choices an option, choice names and string values of at most 100, and at most 4,000
//! characters in all the names, descriptions and choice names and values of one command.

use serde_json::{json, Value};

/// What Discord counts toward a command's 4,000 characters.
pub const MAX_COMMAND_SIZE: usize = 4000;

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// The characters `command` counts toward [`MAX_COMMAND_SIZE`]: names, descriptions, and
/// choice names and values, of the command and all its options.
pub fn command_size(command: &Value) -> usize {
    let own = chars(&command["name"]) + chars(&command["description"]);
    let choices: usize = command["choices"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    chars(&c["name"])
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
    length(
        errors,
        format!("{at}/description"),
        &option["description"],
        100,
    );
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
        length(
            &mut errors,
            format!("{at}/description"),
            &command["description"],
            100,
        );
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
