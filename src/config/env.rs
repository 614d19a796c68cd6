//! The `INCIDENT_BOT__SECTION__KEY` environment variables: which key each one sets, and a
//! sentence for each one that cannot be read (never a panic: the environment is input too).

use std::ffi::OsString;

use figment::providers::Env;

use super::source::Origin;
use super::ENV_PREFIX;

/// One variable that sets a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EnvVar {
    /// The variable's name, as set.
    pub name: String,
    /// The key it sets, dotted: `severity.P0.page`.
    pub key: String,
}

/// A variable with our prefix that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EnvProblem {
    /// Where it is: the variable.
    pub origin: Origin,
    /// What is wrong.
    pub message: String,
}

/// The key a variable sets, from its name without the prefix: `SEVERITY__P0__PAGE` is
/// `severity.P0.page`. Sections and keys are matched without regard to case, except that the
/// severity tables are named `P0`..`P3`.
pub(super) fn env_key(rest: &str) -> Result<String, String> {
    let rest = rest.trim();
    if !rest.is_ascii() {
        return Err(
            "the name has a character that is not ASCII: name the key as in the config file, \
             sections joined by `__` (INCIDENT_BOT__SEVERITY__P0__PAGE)"
                .to_owned(),
        );
    }
    let mut parts: Vec<String> = rest
        .to_ascii_lowercase()
        .split("__")
        .map(str::to_owned)
        .collect();
    let well_formed =
        |p: &String| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !parts.iter().all(well_formed) {
        return Err(format!(
            "`{rest}` is not a key: name it as in the config file, sections joined by `__` \
             (INCIDENT_BOT__SEVERITY__P0__PAGE), with letters, digits and single `_` only"
        ));
    }
    if let [section, table, ..] = parts.as_mut_slice() {
        if section == "severity" {
            table.make_ascii_uppercase();
        }
    }
    Ok(parts.join("."))
}

/// The name without the prefix when `name` has it (in any case), as figment matches it.
fn strip_prefix(name: &str) -> Option<&str> {
    let name = name.trim();
    let head = name.get(..ENV_PREFIX.len())?;
    head.eq_ignore_ascii_case(ENV_PREFIX)
        .then(|| &name[ENV_PREFIX.len()..])
}

/// Reads every variable with the prefix: the keys they set, and the problems of those that
/// cannot be used.
pub(super) fn scan(
    vars: impl IntoIterator<Item = (OsString, OsString)>,
) -> (Vec<EnvVar>, Vec<EnvProblem>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for (name, value) in vars {
        let lossy = name.to_string_lossy().into_owned();
        let Some(rest) = strip_prefix(&lossy) else {
            continue;
        };
        let origin = Origin::Env(lossy.trim().to_owned());
        let problem = |message: String| EnvProblem {
            origin: origin.clone(),
            message,
        };
        if name.to_str().is_none() {
            problems.push(problem(
                "the name is not valid UTF-8: rename the variable".to_owned(),
            ));
            continue;
        }
        match env_key(rest) {
            Err(message) => problems.push(problem(message)),
            Ok(_) if value.to_str().is_none() => {
                problems.push(problem("the value is not valid UTF-8".to_owned()));
            }
            Ok(key) => found.push(EnvVar {
                name: lossy.trim().to_owned(),
                key,
            }),
        }
    }
    (found, problems)
}

/// The figment provider of the variables; those [`scan`] refuses are left out, not mangled.
pub(super) fn provider() -> Env {
    // `lowercase(false)` must follow `filter_map`: figment resets it on every mapping step.
    Env::prefixed(ENV_PREFIX)
        .filter_map(|key| env_key(key.as_str()).ok().map(Into::into))
        .lowercase(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variable_names_its_key_and_a_malformed_name_is_refused() {
        assert_eq!(
            env_key("SEVERITY__p0__PAGE").as_deref(),
            Ok("severity.P0.page")
        );
        assert_eq!(env_key("DATABASE__PATH").as_deref(), Ok("database.path"));
        for bad in [
            "SEVERITY__日",
            "日",
            "SEVERITY__é",
            "DISCORD____GUILD_ID",
            "DISCORD.GUILD_ID",
            "",
        ] {
            assert!(env_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_variable_that_is_not_utf8_is_a_problem() {
        use std::ffi::OsString;
        use std::os::unix::ffi::OsStringExt;
        let (vars, problems) = scan([
            (
                OsString::from_vec(b"INCIDENT_BOT__DATABASE__\xff".to_vec()),
                OsString::from("x"),
            ),
            (
                OsString::from("INCIDENT_BOT__DATABASE__PATH"),
                OsString::from_vec(b"\xff.db".to_vec()),
            ),
            (
                OsString::from("incident_bot__jobs__max_attempts"),
                OsString::from("3"),
            ),
            (OsString::from("HOME"), OsString::from_vec(b"\xff".to_vec())),
        ]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(vars.len(), 1);
        assert_eq!(vars[0].key, "jobs.max_attempts");
    }
}
