//! Any service's OpenAPI description, loaded from a fixture: route matching and request-body
//! validation, for the fakes of Discord and of the outside services alike. A fake looks a
//! request up, validates its body against the operation's schema, and answers as its service
//! does when either fails.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use jsonschema::{Draft, ValidationError, Validator};
use serde_json::{json, Map, Value};

/// A parsed description and the lazily built validators, one per operation and parameter.
pub struct OpenApi {
    /// The document.
    pub doc: Value,
    routes: Vec<RouteTemplate>,
    validators: Mutex<HashMap<String, ValidatorCell>>,
}

/// A validator built at most once, on first use; a schema that does not compile is kept as
/// its error text so every use reports it.
type ValidatorCell = Arc<OnceLock<Result<Validator, String>>>;

/// One path of the description split into segments, with the methods it defines.
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
    /// The path and method are an operation of the description.
    Found(RouteMatch),
    /// The path exists but not with this method.
    WrongMethod(String),
    /// No path matches.
    NotFound,
}

/// A request matched to an operation.
#[derive(Clone, Debug)]
pub struct RouteMatch {
    /// The path template, e.g. `/repos/{owner}/{repo}/issues`.
    pub template: String,
    /// Path parameters by name, percent-decoded.
    pub params: HashMap<String, String>,
}

impl OpenApi {
    /// The description in `tests/fixtures/<path>` (JSON).
    pub fn fixture(path: &str) -> Self {
        let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
        let doc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full} is not JSON: {e}"));
        Self::new(doc)
    }

    /// A description from its document. An OpenAPI 3.0 document's `nullable: true` becomes a
    /// `null` type, as 3.1 writes it, so that one JSON Schema draft validates both.
    pub fn new(mut doc: Value) -> Self {
        if doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.0"))
        {
            nullable_as_type(&mut doc);
        }
        let routes = doc["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .iter()
                    .map(|(t, item)| RouteTemplate::new(t, item))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            doc,
            routes,
            validators: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `method` + `template` is an operation.
    pub fn has_operation(&self, method: &str, template: &str) -> bool {
        self.routes
            .iter()
            .any(|r| r.template == template && r.methods.contains(method))
    }

    /// Finds the operation for `path` (below the description's server). Literal segments win
    /// over parameters, earliest first.
    pub fn lookup(&self, method: &str, path: &str) -> RouteLookup {
        let parts = split_path(path);
        let best = self
            .routes
            .iter()
            .filter(|route| route.fits(&parts))
            .max_by_key(|route| route.rank());
        let Some(route) = best else {
            return RouteLookup::NotFound;
        };
        if !route.methods.contains(method) {
            return RouteLookup::WrongMethod(route.template.clone());
        }
        RouteLookup::Found(RouteMatch {
            template: route.template.clone(),
            params: route.params(parts),
        })
    }

    /// The operation object for a matched route.
    pub fn operation(&self, method: &str, template: &str) -> &Value {
        &self.doc["paths"][template][method.to_lowercase()]
    }

    /// The declared parameters (path, query, header) of an operation, path-level ones included.
    pub fn parameters(&self, method: &str, template: &str) -> Vec<Value> {
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

    /// The schema of the operation's body in `media` (`application/json`), if declared.
    pub fn body_schema(&self, method: &str, template: &str, media: &str) -> Option<&Value> {
        let body = self.resolve(&self.operation(method, template)["requestBody"]);
        let schema = &body["content"][media]["schema"];
        (!schema.is_null()).then_some(schema)
    }

    /// Follows a local `$ref`.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(pointer) => self
                .doc
                .pointer(pointer.trim_start_matches('#'))
                .unwrap_or(value),
            None => value,
        }
    }

    /// Validates `body` against the JSON body schema of the operation `path` reaches; each
    /// problem as `pointer: message`. A request the description does not know is a problem too.
    pub fn check_json(
        &self,
        method: &str,
        path: &str,
        body: &Value,
    ) -> Result<RouteMatch, Vec<String>> {
        let route = match self.lookup(method, path) {
            RouteLookup::Found(route) => route,
            RouteLookup::WrongMethod(t) => {
                return Err(vec![format!("{method} is not an operation of {t}")])
            }
            RouteLookup::NotFound => {
                return Err(vec![format!("no operation matches {method} {path}")])
            }
        };
        let Some(schema) = self.body_schema(method, &route.template, "application/json") else {
            return Ok(route);
        };
        let key = format!("body {method} {}", route.template);
        self.validate_with(&key, schema, body, |e| {
            format!("{}: {e}", e.instance_path().as_str())
        })
        .map(|()| route)
    }

    /// Runs the cached validator for `key` (built from `schema` on first use), mapping each
    /// error with `map`.
    pub fn validate_with<T>(
        &self,
        key: &str,
        schema: &Value,
        instance: &Value,
        map: impl Fn(ValidationError<'_>) -> T,
    ) -> Result<(), Vec<T>> {
        let cell = {
            let mut cells = self
                .validators
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            Arc::clone(cells.entry(key.to_owned()).or_default())
        };
        let validator = match cell.get_or_init(|| self.build_validator(schema)) {
            Ok(v) => v,
            Err(why) => panic!("could not compile the schema for {key}: {why}"),
        };
        let errors: Vec<T> = validator.iter_errors(instance).map(map).collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// A validator for one schema, carrying only the components it reaches: compiling a whole
    /// large document for every operation would cost seconds in a debug build.
    fn build_validator(&self, schema: &Value) -> Result<Validator, String> {
        let mut wanted = BTreeSet::new();
        self.collect_refs(schema, &mut wanted);
        let mut schemas = Map::new();
        for name in wanted {
            schemas.insert(
                name.clone(),
                self.doc["components"]["schemas"][&name].clone(),
            );
        }
        let root = json!({ "allOf": [schema], "components": { "schemas": schemas } });
        jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .map_err(|e| e.to_string())
    }

    /// Adds every component schema reachable from `value` to `seen`.
    fn collect_refs(&self, value: &Value, seen: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(name) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    if seen.insert(name.to_owned()) {
                        self.collect_refs(&self.doc["components"]["schemas"][name], seen);
                    }
                }
                map.values().for_each(|v| self.collect_refs(v, seen));
            }
            Value::Array(items) => items.iter().for_each(|v| self.collect_refs(v, seen)),
            _ => {}
        }
    }
}

impl RouteTemplate {
    fn new(template: &str, item: &Value) -> Self {
        let segments = split_path(template)
            .into_iter()
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Param(name.to_owned()),
                    None => Segment::Literal(s),
                },
            )
            .collect();
        let methods = item
            .as_object()
            .map(|ops| {
                ops.keys()
                    .filter(|k| *k != "parameters")
                    .map(|k| k.to_uppercase())
            })
            .into_iter()
            .flatten()
            .collect();
        Self {
            template: template.to_owned(),
            segments,
            methods,
        }
    }

    fn fits(&self, parts: &[String]) -> bool {
        self.segments.len() == parts.len()
            && self
                .segments
                .iter()
                .zip(parts)
                .all(|(seg, part)| match seg {
                    Segment::Literal(word) => word == part,
                    Segment::Param(_) => !part.is_empty(),
                })
    }

    /// Literal segments first: `/messages/pins` beats `/messages/{message_id}`.
    fn rank(&self) -> Vec<bool> {
        self.segments
            .iter()
            .map(|s| matches!(s, Segment::Literal(_)))
            .collect()
    }

    fn params(&self, parts: Vec<String>) -> HashMap<String, String> {
        self.segments
            .iter()
            .zip(parts)
            .filter_map(|(seg, part)| match seg {
                Segment::Param(name) => Some((name.clone(), percent_decode(&part))),
                Segment::Literal(_) => None,
            })
            .collect()
    }
}

/// Rewrites OpenAPI 3.0's `"nullable": true` beside a `type` into a type that admits `null`.
fn nullable_as_type(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = map.get("type").cloned() {
                    map.insert("type".into(), json!([t, "null"]));
                }
            }
            map.values_mut().for_each(nullable_as_type);
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_as_type),
        _ => {}
    }
}

/// Splits a path into its segments, ignoring a trailing slash.
fn split_path(path: &str) -> Vec<String> {
    path.trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect()
}

/// Decodes `%XX` escapes.
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
