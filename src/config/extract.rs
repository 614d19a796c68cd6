//! Reads the merged configuration into [`Settings`], and keeps going past each error: serde
//! stops at the first, so each unknown key is taken out, each missing id given a stand-in and
//! each bad value replaced by its default, until the rest reads. One run names every problem.

use std::collections::{HashMap, HashSet};

use figment::error::Kind;
use figment::value::Value;

use super::source::{Origin, Sources};
use super::{suggest, Settings, ENV_PREFIX};

/// What extraction found.
#[derive(Debug)]
pub(super) struct Extracted {
    /// The settings, with stand-ins where there were problems; `None` when they could not be
    /// read at all.
    pub settings: Option<Settings>,
    /// Each problem, where it is.
    pub problems: Vec<(Origin, String)>,
    /// The keys that had a problem (dotted), so that rules about them are not checked against
    /// a stand-in.
    pub broken: HashSet<String>,
}

/// At most this many rounds: each one fixes one problem, and a file has far fewer keys.
const MAX_ROUNDS: usize = 500;

/// Reads `data` (defaults < file < environment) into [`Settings`], collecting every problem.
pub(super) fn extract(mut data: Value, defaults: &Value, sources: &Sources) -> Extracted {
    let mut out = Extracted {
        settings: None,
        problems: Vec::new(),
        broken: HashSet::new(),
    };
    // Elements taken out of each array (dotted path -> their indices as written), so that the
    // next error in the same array is still blamed on the element as written.
    let mut removed: HashMap<String, Vec<usize>> = HashMap::new();
    let mut handled = HashSet::new();
    for _ in 0..MAX_ROUNDS {
        let errors = match data.deserialize::<Settings>() {
            Ok(settings) => {
                out.settings = Some(settings);
                return out;
            }
            Err(e) => e,
        };
        for e in errors {
            let fix = Fix::of(&e.kind, e.path, &removed);
            if !handled.insert((fix.key.clone(), fix.action)) {
                // The same fix again would loop: report what was found, without settings.
                out.problems.push((
                    Origin::Defaults,
                    "other problems may be hidden until these are fixed".to_owned(),
                ));
                return out;
            }
            if out.broken.insert(fix.key.join(".")) {
                out.problems.push(fix.problem(&e.kind, sources));
            }
            fix.apply(&mut data, defaults, &mut removed);
        }
    }
    out
}

/// What to do about one error.
struct Fix {
    /// The key in error, as written (array indices as the operator wrote them).
    key: Vec<String>,
    /// The key in the data as it is now (indices shifted by removed elements).
    current: Vec<String>,
    action: Action,
}

/// How an error is got past: an unknown key is taken out, a missing one given a stand-in, a
/// bad value replaced by its default (or taken out when it has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Action {
    Remove,
    StandIn,
    Replace,
}

impl Fix {
    fn of(kind: &Kind, path: Vec<String>, removed: &HashMap<String, Vec<usize>>) -> Self {
        // figment names an unknown key in the path already, a missing one only in the kind.
        let (action, current) = match kind {
            Kind::UnknownField(field, _) if path.last() != Some(field) => {
                (Action::Remove, [path, vec![field.clone()]].concat())
            }
            Kind::UnknownField(..) => (Action::Remove, path),
            Kind::MissingField(field) => {
                (Action::StandIn, [path, vec![field.to_string()]].concat())
            }
            _ => (Action::Replace, path),
        };
        let mut key = current.clone();
        if let Some((last, parent)) = key.split_last_mut() {
            if let (Ok(index), Some(gone)) = (last.parse::<usize>(), removed.get(&parent.join(".")))
            {
                *last = original_index(gone, index).to_string();
            }
        }
        Self {
            key,
            current,
            action,
        }
    }

    /// The problem, as a sentence, and where it is.
    fn problem(&self, kind: &Kind, sources: &Sources) -> (Origin, String) {
        let origin = sources.locate(&self.key.join("."));
        let (field, table) = match self.key.split_last() {
            Some((field, table)) => (field.as_str(), table),
            None => ("", &[][..]),
        };
        let place = if table.is_empty() {
            "at the top level".to_owned()
        } else if table.iter().any(|seg| seg.parse::<usize>().is_ok()) {
            // An element of a list: `checklists.triage[2]`, as the operator counts.
            format!("in `{}`", shown(table))
        } else {
            format!("in [{}]", table.join("."))
        };
        let message = match kind {
            Kind::UnknownField(_, expected) => {
                let mut m = format!("unknown key `{field}` {place}");
                if let Some(near) = suggest::closest(field, expected) {
                    m += &match origin {
                        Origin::Env(_) => format!("; did you mean {}?", env_name(table, near)),
                        _ => format!("; did you mean `{near}`?"),
                    };
                }
                m
            }
            Kind::MissingField(_) => format!(
                "missing required key `{field}` {place} (it has no default: \
                 copy the id from Discord with Developer Mode on)"
            ),
            other => format!("`{}`: {other}", shown(&self.key)),
        };
        (origin, message)
    }

    /// Changes `data` so that this error does not stop the next round.
    fn apply(&self, data: &mut Value, defaults: &Value, removed: &mut HashMap<String, Vec<usize>>) {
        let dotted = self.current.join(".");
        match self.action {
            Action::Remove => {
                remove(data, &self.current);
            }
            Action::StandIn => {
                // Only ids have no default; a stand-in id lets the rest be read.
                let value = defaults
                    .find_ref(&dotted)
                    .cloned()
                    .unwrap_or_else(|| Value::from("1"));
                set(data, &self.current, value);
            }
            Action::Replace => {
                // A bad element is taken out, so the rest of its array is still read.
                let in_array = self.current.split_last().and_then(|(last, parent)| {
                    last.parse::<usize>().ok()?;
                    matches!(get_mut(data, parent)?, Value::Array(..)).then_some(parent)
                });
                if let Some(parent) = in_array {
                    remove(data, &self.current);
                    if let Some(original) = self.key.last().and_then(|k| k.parse().ok()) {
                        let gone = removed.entry(parent.join(".")).or_default();
                        gone.push(original);
                        gone.sort_unstable();
                    }
                } else if let Some(default) = defaults.find_ref(&dotted) {
                    set(data, &self.current, default.clone());
                } else {
                    remove(data, &self.current);
                }
            }
        }
    }
}

/// A key as the operator reads it: `severity.P0.page[1]`.
fn shown(key: &[String]) -> String {
    let mut out = String::new();
    for seg in key {
        if seg.parse::<usize>().is_ok() {
            out += &format!("[{seg}]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out += seg;
        }
    }
    out
}

/// The index an element had as written, given the indices (as written) taken out before it.
fn original_index(gone: &[usize], current: usize) -> usize {
    gone.iter()
        .fold(current, |at, g| if *g <= at { at + 1 } else { at })
}

/// The variable that would set `key` in `table`.
fn env_name(table: &[String], key: &str) -> String {
    let parts: Vec<String> = table
        .iter()
        .map(String::as_str)
        .chain([key])
        .map(str::to_ascii_uppercase)
        .collect();
    format!("{ENV_PREFIX}{}", parts.join("__"))
}

fn get_mut<'a>(value: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |at, seg| match at {
        Value::Dict(_, dict) => dict.get_mut(seg),
        Value::Array(_, items) => items.get_mut(seg.parse::<usize>().ok()?),
        _ => None,
    })
}

fn remove(value: &mut Value, path: &[String]) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    match get_mut(value, parent) {
        Some(Value::Dict(_, dict)) => {
            dict.remove(last);
        }
        Some(Value::Array(_, items)) => {
            if let Some(i) = last.parse::<usize>().ok().filter(|i| *i < items.len()) {
                items.remove(i);
            }
        }
        _ => {}
    }
}

fn set(value: &mut Value, path: &[String], new: Value) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    if let Some(Value::Dict(_, dict)) = get_mut(value, parent) {
        dict.insert(last.clone(), new);
    }
}
