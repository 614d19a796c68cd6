//! Discord's OpenAPI spec: route matching and request-body validation, shared by every fake.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

use jsonschema::Validator;
use serde_json::Value;

use super::schema;

/// The spec's text, compiled into the test binary so no test depends on the working directory.
const SPEC_TEXT: &str = include_str!("../../../fixtures/discord/openapi.json");

/// The parsed spec and the lazily built validators, one per operation and parameter.
pub struct Spec {
    pub(super) doc: Value,
    routes: Vec<RouteTemplate>,
    pub(super) validators: Mutex<HashMap<String, ValidatorCell>>,
}

/// A validator built at most once, on first use; a schema that does not compile is kept as
/// its error text so every use reports it.
pub(super) type ValidatorCell = Arc<OnceLock<Result<Validator, String>>>;

/// One path of the spec split into segments, with the methods it defines.
struct RouteTemplate {
    template: String,
    segments: Vec<Segment>,
    methods: BTreeSet<String>,
}

/// A path segment of a template: a fixed word or a named parameter.
enum Segment {
    Literal(String),
    Param(String),
}

/// What a request path resolved to.
pub enum RouteLookup {
    /// The path and method are an operation of the spec.
    Found(RouteMatch),
    /// The path exists but not with this method (Discord answers 405).
    WrongMethod(String),
    /// No path of the spec matches (Discord answers 404).
    NotFound,
}

/// A request matched to an operation of the spec.
#[derive(Clone, Debug)]
pub struct RouteMatch {
    /// The spec's path template, e.g. `/channels/{channel_id}/messages/{message_id}`.
    pub template: String,
    /// Path parameters by name, percent-decoded.
    pub params: HashMap<String, String>,
}

/// The process-wide spec; parsing 1 MB of JSON and building validators is done once per run.
pub static SPEC: LazyLock<Spec> = LazyLock::new(Spec::load);

impl Spec {
    fn load() -> Spec {
        let mut doc: Value = serde_json::from_str(SPEC_TEXT).expect("the fixture spec is JSON");
        schema::accept_permission_strings(&mut doc);
        schema::accept_numeric_attachment_ids(&mut doc);
        let paths = doc["paths"].as_object().expect("the spec has paths");
        let routes = paths
            .iter()
            .map(|(template, item)| RouteTemplate {
                template: template.clone(),
                segments: split_path(template)
                    .into_iter()
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Segment::Param(name.to_owned()),
                            None => Segment::Literal(s),
                        },
                    )
                    .collect(),
                methods: item
                    .as_object()
                    .map(|ops| {
                        ops.keys()
                            .filter(|k| *k != "parameters")
                            .map(|k| k.to_uppercase())
                    })
                    .into_iter()
                    .flatten()
                    .collect(),
            })
            .collect();
        Spec {
            doc,
            routes,
            validators: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `method` + `template` is an operation of the spec (used to check fault rules).
    pub fn has_operation(&self, method: &str, template: &str) -> bool {
        self.routes
            .iter()
            .any(|r| r.template == template && r.methods.contains(method))
    }

    /// Finds the operation for a path below `/api/v10`. Literal segments win over parameters,
    /// earliest first, so `/messages/pins` and `/messages/@original` beat `/messages/{message_id}`.
    pub fn lookup(&self, method: &str, path: &str) -> RouteLookup {
        let parts = split_path(path);
        let mut best: Option<(Vec<bool>, &RouteTemplate)> = None;
        for route in &self.routes {
            if route.segments.len() != parts.len() {
                continue;
            }
            let fits = route
                .segments
                .iter()
                .zip(&parts)
                .all(|(seg, part)| match seg {
                    Segment::Literal(word) => word == part,
                    Segment::Param(_) => !part.is_empty(),
                });
            if !fits {
                continue;
            }
            let rank: Vec<bool> = route
                .segments
                .iter()
                .map(|s| matches!(s, Segment::Literal(_)))
                .collect();
            if best.as_ref().is_none_or(|(r, _)| rank > *r) {
                best = Some((rank, route));
            }
        }
        let Some((_, route)) = best else {
            return RouteLookup::NotFound;
        };
        if !route.methods.contains(method) {
            return RouteLookup::WrongMethod(route.template.clone());
        }
        let params = route
            .segments
            .iter()
            .zip(parts)
            .filter_map(|(seg, part)| match seg {
                Segment::Param(name) => Some((name.clone(), percent_decode(&part))),
                Segment::Literal(_) => None,
            })
            .collect();
        RouteLookup::Found(RouteMatch {
            template: route.template.clone(),
            params,
        })
    }

    /// The operation object of the spec for a matched route.
    pub(super) fn operation(&self, method: &str, template: &str) -> &Value {
        &self.doc["paths"][template][method.to_lowercase()]
    }

    /// The declared parameters (path and query) of an operation, path-level ones included.
    pub(super) fn parameters(&self, method: &str, template: &str) -> Vec<Value> {
        let path_level = self.doc["paths"][template]["parameters"]
            .as_array()
            .cloned();
        let op_level = self.operation(method, template)["parameters"]
            .as_array()
            .cloned();
        path_level
            .into_iter()
            .chain(op_level)
            .flatten()
            .map(|p| self.resolve(&p).clone())
            .collect()
    }

    /// Whether the operation declares a request body, and whether it is required.
    pub fn body_required(&self, method: &str, template: &str) -> Option<bool> {
        let body = self.resolve(&self.operation(method, template)["requestBody"]);
        (!body.is_null()).then(|| body["required"].as_bool().unwrap_or(false))
    }

    /// Follows a local `$ref` (components are only referenced inside this document).
    pub(super) fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(pointer) => self
                .doc
                .pointer(pointer.trim_start_matches('#'))
                .unwrap_or(value),
            None => value,
        }
    }
}

/// Splits a path into its segments, ignoring a trailing slash.
fn split_path(path: &str) -> Vec<String> {
    path.trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect()
}

/// Decodes `%XX` escapes (reaction emoji travel percent-encoded in the path).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
