//! A fake Cloudflare API on 127.0.0.1: IP access rules (zone and account) and an account's
//! custom IP list, answering in Cloudflare's envelope (`success`, `errors`, `messages`,
//! `result`). Every request is checked against `tests/fixtures/cloudflare/waf.json` (the
//! request types of Cloudflare's SDK): a route it does not know, a body that does not fit or a
//! query parameter it does not declare is answered 400 as Cloudflare would, and recorded as a
//! violation the test fails on. It refuses a wrong token (10000), a range an access rule
//! cannot hold, a duplicate rule, and a list write while another bulk operation is pending
//! (429); list writes complete on the second poll of their operation. It also answers the
//! list itself (its name) and the WAF custom rules' entry point, for `check --online`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};

use super::fake_service::{Canned, FakeService, Fault, Recorded};
use super::openapi::{percent_decode, OpenApi};

/// The token the fake accepts.
pub const TOKEN: &str = "cf-test-token-0123456789abcdef";
/// The zone and account the fake serves.
pub const ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
/// The account.
pub const ACCOUNT: &str = "01a7362d577a6c3019a474fd6f485823";
/// The account's list.
pub const LIST: &str = "2c0fc9fa937b11eaa1b71c4d701ab86e";
/// Its name, as a rule's expression names it (`$incident_blocklist`).
pub const LIST_NAME: &str = "incident_blocklist";

/// A WAF custom rule, shaped as the entry point's rules are (`PhaseGetResponse`).
pub fn custom_rule(expression: &str, action: &str, enabled: bool) -> Value {
    json!({
        "id": "3a03d665bac047339bb530ecb439a90d",
        "ref": "3a03d665bac047339bb530ecb439a90d",
        "version": "1",
        "action": action,
        "enabled": enabled,
        "expression": expression,
        "description": "Incident blocklist",
        "last_updated": "2026-12-01T00:00:00Z",
    })
}

/// An IP access rule the fake holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// `zones/<id>` or `accounts/<id>`.
    pub scope: String,
    /// `ip`, `ip6`, `ip_range`.
    pub target: String,
    /// The address or range.
    pub value: String,
    /// `block`, …
    pub mode: String,
    /// Its notes.
    pub notes: String,
}

/// A list item the fake holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its id.
    pub id: String,
    /// The address or range.
    pub ip: String,
    /// Its comment.
    pub comment: Option<String>,
}

/// A bulk operation: what it will do, and how many polls it has seen.
#[derive(Debug, Clone)]
struct Operation {
    add: Vec<Item>,
    remove: Vec<String>,
    polls: u32,
    done: bool,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    items: Vec<Item>,
    operations: HashMap<String, Operation>,
    violations: Vec<String>,
    next: u64,
    /// The WAF custom rules of each scope's `http_request_firewall_custom` entry point
    /// (`zones/<id>`); a scope without one has no entry point (404).
    custom_rules: HashMap<String, Vec<Value>>,
}

impl State {
    fn id(&mut self) -> String {
        self.next += 1;
        format!("{:032x}", 0xc10d_0000_u64 + self.next)
    }
}

/// The running fake.
pub struct FakeCloudflare {
    /// The service underneath: its faults and its records.
    pub service: FakeService,
    state: Arc<Mutex<State>>,
}

impl FakeCloudflare {
    /// Starts it on a free port.
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let api = Arc::new(OpenApi::fixture("cloudflare/waf.json"));
        let shared = Arc::clone(&state);
        let service = FakeService::start(move |r| {
            let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
            respond(&api, &mut state, r)
        })
        .await;
        Self { service, state }
    }

    /// Its base URL: `[cloudflare] api_base`.
    pub fn url(&self) -> String {
        self.service.url()
    }

    /// Queues a fault for the next request.
    pub fn fault(&self, fault: Fault) {
        self.service.fault(fault);
    }

    /// The access rules it holds.
    pub fn rules(&self) -> Vec<Rule> {
        self.state().rules.clone()
    }

    /// The list items it holds.
    pub fn items(&self) -> Vec<Item> {
        self.state().items.clone()
    }

    /// Sets the WAF custom rules of `scope` (`zones/<id>` or `accounts/<id>`).
    pub fn set_custom_rules(&self, scope: &str, rules: Vec<Value>) {
        self.state().custom_rules.insert(scope.to_owned(), rules);
    }

    /// Every request that broke the published definition: a test asserts there are none.
    pub fn violations(&self) -> Vec<String> {
        self.state().violations.clone()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `{success: true, …, result}`.
fn ok(result: Value) -> Canned {
    Canned::json(
        200,
        &json!({ "success": true, "errors": [], "messages": [], "result": result }),
    )
}

/// `{success: false, errors: [{code, message}]}` with `status`.
pub fn refused(status: u16, code: i64, message: &str) -> Canned {
    Canned::json(
        status,
        &json!({
            "success": false,
            "errors": [{ "code": code, "message": message }],
            "messages": [],
            "result": null,
        }),
    )
}

fn respond(api: &OpenApi, state: &mut State, r: &Recorded) -> Canned {
    if r.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        return refused(401, 10000, "Authentication error");
    }
    let body = if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    };
    let route = match api.check_json(&r.method, &r.path, &body) {
        Ok(route) => route,
        Err(problems) => {
            let said = format!("{} {}: {}", r.method, r.path, problems.join("; "));
            state.violations.push(said.clone());
            return refused(400, 10026, &said);
        }
    };
    let query: Vec<(String, String)> = r
        .query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(&v.replace('+', " ")))
        })
        .collect();
    let declared: Vec<String> = api
        .parameters(&r.method, &route.template)
        .iter()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    if let Some((k, _)) = query.iter().find(|(k, _)| !declared.contains(k)) {
        let said = format!(
            "{} {}: unknown query parameter {k}",
            r.method, route.template
        );
        state.violations.push(said.clone());
        return refused(400, 10026, &said);
    }
    let q = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let p = |name: &str| route.params.get(name).cloned().unwrap_or_default();
    let scope = if route.template.starts_with("/zones") {
        format!("zones/{}", p("zone_id"))
    } else {
        format!("accounts/{}", p("account_id"))
    };
    match (r.method.as_str(), route.template.as_str()) {
        ("GET", t) if t.ends_with("/access_rules/rules") => {
            let found: Vec<Value> = state
                .rules
                .iter()
                .filter(|rule| rule.scope == scope)
                .filter(|rule| q("configuration.value").is_none_or(|v| v == rule.value))
                .filter(|rule| q("mode").is_none_or(|m| m == rule.mode))
                .map(rule_json)
                .collect();
            ok(Value::Array(found))
        }
        ("POST", t) if t.ends_with("/access_rules/rules") => create_rule(state, scope, &body),
        ("DELETE", _) if route.template.contains("/access_rules/rules/") => {
            let id = p("rule_id");
            match state
                .rules
                .iter()
                .position(|rule| rule.id == id && rule.scope == scope)
            {
                Some(at) => {
                    state.rules.remove(at);
                    ok(json!({ "id": id }))
                }
                None => refused(404, 10001, "firewallaccessrules.api.not_found"),
            }
        }
        ("GET", t) if t.ends_with("/entrypoint") => entrypoint(state, &scope, &p("ruleset_phase")),
        ("GET", "/accounts/{account_id}/rules/lists/{list_id}") if p("list_id") == LIST => {
            ok(json!({
                "id": LIST, "name": LIST_NAME, "kind": "ip", "num_items": state.items.len(),
                "num_referencing_filters": 0, "created_on": "2026-12-01T00:00:00Z",
                "modified_on": "2026-12-01T00:00:00Z",
            }))
        }
        ("GET", "/accounts/{account_id}/rules/lists/{list_id}") => {
            refused(404, 10000, "list not found")
        }
        _ => lists(state, &r.method, &route.template, &p, &q, &body),
    }
}

/// A phase's entry point ruleset; only the custom rules' phase holds any here.
fn entrypoint(state: &State, scope: &str, phase: &str) -> Canned {
    match state.custom_rules.get(scope) {
        Some(rules) if phase == "http_request_firewall_custom" => ok(json!({
            "id": "2f2feab2026849078ba485f918791bdc",
            "kind": if scope.starts_with("zones") { "zone" } else { "root" },
            "last_updated": "2026-12-01T00:00:00Z",
            "name": "default",
            "phase": phase,
            "rules": rules,
            "version": "1",
        })),
        _ => refused(
            404,
            10003,
            &format!("could not find entrypoint ruleset in the {phase} phase"),
        ),
    }
}

fn rule_json(rule: &Rule) -> Value {
    json!({
        "id": rule.id,
        "mode": rule.mode,
        "notes": rule.notes,
        "configuration": { "target": rule.target, "value": rule.value },
        "allowed_modes": ["block", "challenge", "whitelist", "js_challenge", "managed_challenge"],
        "scope": { "type": if rule.scope.starts_with("zones") { "zone" } else { "account" } },
    })
}

/// Cloudflare's checks on a new rule: the prefix lengths of a range, and no second rule for
/// the same value.
fn create_rule(state: &mut State, scope: String, body: &Value) -> Canned {
    let target = body["configuration"]["target"].as_str().unwrap_or_default();
    let value = body["configuration"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if target == "ip_range" {
        let len: u8 = value
            .split_once('/')
            .and_then(|(_, l)| l.parse().ok())
            .unwrap_or(0);
        let allowed: &[u8] = if value.contains(':') {
            &[32, 48, 64]
        } else {
            &[16, 24]
        };
        if !allowed.contains(&len) {
            return refused(
                400,
                10014,
                "firewallaccessrules.api.validation_error: invalid CIDR range",
            );
        }
    }
    if state
        .rules
        .iter()
        .any(|r| r.scope == scope && r.value == value)
    {
        return refused(400, 10009, "firewallaccessrules.api.duplicate_of_existing");
    }
    let rule = Rule {
        id: state.id(),
        scope,
        target: target.to_owned(),
        value,
        mode: body["mode"].as_str().unwrap_or_default().to_owned(),
        notes: body["notes"].as_str().unwrap_or_default().to_owned(),
    };
    let answer = ok(rule_json(&rule));
    state.rules.push(rule);
    answer
}

/// The list's routes: items listed at once, written by a bulk operation; one pending
/// operation per account, and a write meanwhile answered 429.
fn lists(
    state: &mut State,
    method: &str,
    template: &str,
    p: &dyn Fn(&str) -> String,
    q: &dyn Fn(&str) -> Option<String>,
    body: &Value,
) -> Canned {
    if template.contains("bulk_operations") {
        let id = p("operation_id");
        let Some(op) = state.operations.get_mut(&id) else {
            return refused(404, 10003, "operation not found");
        };
        op.polls += 1;
        if op.polls < 2 {
            return ok(json!({ "id": id, "status": "pending" }));
        }
        if !op.done {
            op.done = true;
            let op = op.clone();
            state.items.retain(|i| !op.remove.contains(&i.id));
            for item in op.add {
                state.items.retain(|i| i.ip != item.ip);
                state.items.push(item);
            }
        }
        return ok(json!({ "id": id, "status": "completed", "completed": "2026-12-06T00:00:00Z" }));
    }
    if p("list_id") != LIST {
        return refused(404, 10000, "list not found");
    }
    if method == "GET" {
        let search = q("search").unwrap_or_default();
        let found: Vec<Value> = state
            .items
            .iter()
            .filter(|i| i.ip.starts_with(&search))
            .map(|i| json!({ "id": i.id, "ip": i.ip, "comment": i.comment }))
            .collect();
        return ok(Value::Array(found));
    }
    if state.operations.values().any(|o| !o.done) {
        return refused(
            429,
            10045,
            "a bulk operation is already pending for this account",
        )
        .with_header("retry-after", "1");
    }
    let mut op = Operation {
        add: Vec::new(),
        remove: Vec::new(),
        polls: 0,
        done: false,
    };
    if method == "POST" {
        for item in body.as_array().into_iter().flatten() {
            let id = state.id();
            op.add.push(Item {
                id,
                ip: item["ip"].as_str().unwrap_or_default().to_owned(),
                comment: item["comment"].as_str().map(str::to_owned),
            });
        }
    } else {
        for item in body["items"].as_array().into_iter().flatten() {
            op.remove
                .push(item["id"].as_str().unwrap_or_default().to_owned());
        }
    }
    let id = state.id();
    state.operations.insert(id.clone(), op);
    ok(json!({ "operation_id": id }))
}
