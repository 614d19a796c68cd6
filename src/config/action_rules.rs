//! `check`'s rules for `[[actions]]`: each shape has the keys it needs, no call goes out in
//! plain `http://` beyond this machine, no secret is written in the file, every template
//! renders (as JSON, for a body), and every step's `action` names one that exists and may run
//! in that step's incidents.

use std::collections::HashSet;

use super::rules::Finding;
use super::Settings;
use crate::domain::{IncidentKind, RunbookAction, Shape};
use crate::render::action_body::{render_json_body, render_text, ActionFacts};

fn at(i: usize, key: &str, message: String) -> Finding {
    Finding {
        keys: vec![format!("actions.{i}.{key}"), format!("actions.{i}")],
        message,
    }
}

/// Every broken rule of the actions and of the steps bound to them.
pub(super) fn actions(s: &Settings, out: &mut Vec<Finding>) {
    let mut ids = HashSet::new();
    for (i, a) in s.actions.iter().enumerate() {
        if !ids.insert(a.id.as_str()) {
            out.push(at(
                i,
                "id",
                format!(
                    "`actions[{i}].id`: `{}` names two actions: give each its own",
                    a.id
                ),
            ));
        }
        let n = a.label.trim().chars().count();
        if n == 0 || n > 80 {
            out.push(at(
                i,
                "label",
                format!("`actions[{i}].label` is {n} characters: write 1 to 80"),
            ));
        }
        if a.kinds.is_empty() {
            out.push(at(i, "kinds", format!("`actions[{i}].kinds` is empty, so `{}` could never run: list availability and/or security", a.id)));
        }
        out.extend(shape(i, a));
        out.extend(secrets(i, a));
        out.extend(templates(i, a));
    }
    bindings(s, out);
}

/// What works but fails when it runs: a secret's variable not set in this environment (it
/// may be set only where the bot runs, so this is a warning).
pub(super) fn unset_secrets(s: &Settings, out: &mut Vec<Finding>) {
    for (i, a) in s.actions.iter().enumerate() {
        let mut named: Vec<(&str, String)> = Vec::new();
        for (key, secret) in [("token", &a.token), ("secret", &a.secret)] {
            named.extend(secret.as_ref().map(|e| (key, e.var().to_owned())));
        }
        for value in a.headers.values() {
            let parsed = crate::domain::EnvSecret::parse(value).ok();
            named.extend(parsed.map(|e| ("headers", e.var().to_owned())));
        }
        for (key, var) in named {
            if super::secret_from_env(&var).is_none() {
                out.push(at(
                    i,
                    key,
                    format!(
                        "`actions[{i}]` (`{}`) reads the environment variable {var}, which is not \
                         set here: the action fails until it is",
                        a.id
                    ),
                ));
            }
        }
    }
}

/// The keys each shape needs, and only an https URL unless it stays on this machine.
fn shape(i: usize, a: &RunbookAction) -> Vec<Finding> {
    let mut out = Vec::new();
    let need: &[(&str, bool)] = match a.kind {
        Shape::Webhook => &[("url", a.url.is_some())],
        Shape::GithubWorkflow => &[
            ("owner", a.owner.is_some()),
            ("repo", a.repo.is_some()),
            ("workflow", a.workflow.is_some()),
            ("ref", a.git_ref.is_some()),
            ("token", a.token.is_some()),
        ],
        Shape::GitlabPipeline => &[
            ("project", a.project.is_some()),
            ("ref", a.git_ref.is_some()),
            ("token", a.token.is_some()),
        ],
    };
    for (key, set) in need {
        if !set {
            out.push(at(
                i,
                key,
                format!("`actions[{i}]` (`{}`) needs `{key}`", a.id),
            ));
        }
    }
    for (key, url) in [("url", &a.url), ("api_base", &a.api_base)] {
        if let Some(problem) = url.as_deref().and_then(insecure) {
            out.push(at(i, key, format!("`actions[{i}].{key}`: {problem}")));
        }
    }
    if let Some(m) = &a.method {
        if reqwest::Method::from_bytes(m.as_bytes()).is_err() || m.to_ascii_uppercase() != *m {
            out.push(at(
                i,
                "method",
                format!("`actions[{i}].method`: `{m}` is not an HTTP method such as POST"),
            ));
        }
    }
    out
}

/// Why `url` may not be called: not http(s), a credential in it, or plain http beyond
/// loopback (the call carries a token and the incident's facts).
pub(super) fn insecure(url: &str) -> Option<String> {
    let Ok(parsed) = url::Url::parse(url) else {
        return Some(format!("`{url}` is not a URL"));
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some(
            "the URL carries a user or password: put a credential in a header, as \
                     `env:NAME`"
                .into(),
        );
    }
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match parsed.scheme() {
        "https" => None,
        "http" if loopback => None,
        "http" => Some(format!(
            "`{url}` is plain http:// to another machine: anyone on the way reads its token and \
             the incident; use https://"
        )),
        other => Some(format!("`{other}:` is not http(s)")),
    }
}

/// A credential header's value must be `env:NAME`, and no query may carry a token.
fn secrets(i: usize, a: &RunbookAction) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, value) in &a.headers {
        let inline = !value.starts_with("env:") || crate::domain::EnvSecret::parse(value).is_err();
        if RunbookAction::is_credential_header(name) && inline {
            out.push(at(
                i,
                "headers",
                format!(
                    "`actions[{i}].headers.{name}` holds a secret written in the file: write \
                     `env:NAME` and put the value in the environment variable NAME"
                ),
            ));
        }
    }
    if let Some(url) = a.url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
        if url
            .query_pairs()
            .any(|(k, _)| RunbookAction::is_credential_header(&k))
        {
            out.push(at(i, "url", format!("`actions[{i}].url` carries a credential in its query: send it in a header, as `env:NAME`")));
        }
    }
    out
}

/// Every template renders with hostile facts, and a body renders to JSON.
fn templates(i: usize, a: &RunbookAction) -> Vec<Finding> {
    let facts = ActionFacts::hostile_sample();
    let mut out = Vec::new();
    if let Some(Err(e)) = a.body.as_deref().map(|b| render_json_body(b, &facts)) {
        out.push(at(i, "body", format!("`actions[{i}].body`: {e}")));
    }
    for (key, map) in [("inputs", &a.inputs), ("variables", &a.variables)] {
        for (name, template) in map {
            if let Err(e) = render_text(template, &facts) {
                out.push(at(i, key, format!("`actions[{i}].{key}.{name}`: {e}")));
            }
        }
    }
    out
}

/// A step's `action` names an action that exists and runs in that list's incidents.
fn bindings(s: &Settings, out: &mut Vec<Finding>) {
    for (name, items) in s.checklists.lists() {
        let kinds: &[IncidentKind] = match name {
            "containment_security" => &[IncidentKind::Security],
            "containment_availability" => &[IncidentKind::Availability],
            _ => &[],
        };
        for (n, item) in items.iter().enumerate() {
            let Some(id) = &item.action else { continue };
            let key = format!("checklists.{name}.{n}.action");
            let found = s.actions.iter().find(|a| &a.id == id);
            let message =
                match found {
                    None => {
                        let known: Vec<&str> = s.actions.iter().map(|a| a.id.as_str()).collect();
                        Some(format!(
                        "`checklists.{name}[{n}].action`: no [[actions]] entry has the id `{id}` \
                         (known: {}): add it, or fix the name",
                        if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                    ))
                    }
                    Some(a) if kinds.iter().any(|k| !a.runs_in(*k)) => Some(format!(
                    "`checklists.{name}[{n}].action`: `{id}` does not run in the incidents this \
                     list is for: add their kind to its `kinds`"
                )),
                    Some(_) => None,
                };
            if let Some(message) = message {
                out.push(Finding {
                    keys: vec![key],
                    message,
                });
            }
        }
    }
}
