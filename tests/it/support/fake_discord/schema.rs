//! Validation against the spec's schemas, the two documented exceptions, and Discord's error shape.

use jsonschema::error::ValidationErrorKind;
use serde_json::{json, Map, Value};

use super::spec::{RouteMatch, Spec};

/// Properties that carry a permission bit set. Discord sends (and serenity serializes) these as
/// decimal strings, while the spec types some of them as integers; both forms are accepted. This
/// is the one place where validation is looser than the spec, and only for these names.
const PERMISSION_FIELDS: [&str; 4] = ["allow", "deny", "permissions", "default_member_permissions"];

/// Discord takes a new upload's attachment `id` as the index of its `files[n]` part and accepts
/// it as a number, which is what serenity sends (`"id": 0`); the spec types it as a snowflake
/// string. This one property of this one schema also accepts a non-negative integer.
const ATTACHMENT_SCHEMA: &str = "MessageAttachmentRequest";

impl Spec {
    /// Validates path and query parameters; returns Discord-shaped field errors, if any.
    pub fn check_params(
        &self,
        method: &str,
        route: &RouteMatch,
        query: &[(String, String)],
    ) -> Option<Value> {
        let mut errors = Map::new();
        for param in self.api.parameters(method, &route.template) {
            let (Some(name), Some(place)) = (param["name"].as_str(), param["in"].as_str()) else {
                continue;
            };
            let raw = match place {
                "path" => route.params.get(name).cloned(),
                "query" => query
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone()),
                _ => None,
            };
            let Some(raw) = raw else { continue };
            let schema = &param["schema"];
            let value = coerce_query_value(self.api.resolve(schema), &raw);
            let key = format!("param {method} {} {name}", route.template);
            if let Err(field_errors) = self.validate_with(&key, schema, &value) {
                let list = field_errors.into_iter().map(|(_, e)| e).collect::<Vec<_>>();
                errors.insert(name.to_owned(), json!({ "_errors": list }));
            }
        }
        (!errors.is_empty()).then_some(Value::Object(errors))
    }

    /// Validates a JSON body against the operation's `application/json` schema (the multipart
    /// form's `payload_json` is validated against the same schema).
    pub fn check_body(&self, method: &str, template: &str, body: &Value) -> Option<Value> {
        let request_body = self
            .api
            .resolve(&self.api.operation(method, template)["requestBody"]);
        let schema = &request_body["content"]["application/json"]["schema"];
        if schema.is_null() {
            return None;
        }
        let key = format!("body {method} {template}");
        self.validate_with(&key, schema, body)
            .err()
            .map(|errs| nest_errors(&errs))
    }

    /// Runs the cached validator for `key`, Discord's way of naming each error.
    fn validate_with(
        &self,
        key: &str,
        schema: &Value,
        instance: &Value,
    ) -> Result<(), Vec<(String, Value)>> {
        self.api.validate_with(key, schema, instance, discord_error)
    }
}

/// Rewrites integer-typed permission properties to also accept decimal strings (see
/// [`PERMISSION_FIELDS`]); every other property keeps the spec's exact type.
pub(super) fn accept_permission_strings(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                for name in PERMISSION_FIELDS {
                    if let Some(prop) = props.get_mut(name) {
                        let typed_integer = match &prop["type"] {
                            Value::String(t) => t == "integer",
                            Value::Array(ts) => ts.iter().any(|t| t == "integer"),
                            _ => false,
                        };
                        if typed_integer {
                            let original = prop.take();
                            *prop = json!({ "anyOf": [original,
                                { "type": "string", "pattern": "^[0-9]{1,20}$" }] });
                        }
                    }
                }
            }
            map.values_mut().for_each(accept_permission_strings);
        }
        Value::Array(items) => items.iter_mut().for_each(accept_permission_strings),
        _ => {}
    }
}

/// See [`ATTACHMENT_SCHEMA`].
pub(super) fn accept_numeric_attachment_ids(doc: &mut Value) {
    let id = &mut doc["components"]["schemas"][ATTACHMENT_SCHEMA]["properties"]["id"];
    assert!(!id.is_null(), "the spec still has {ATTACHMENT_SCHEMA}.id");
    let original = id.take();
    *id = json!({ "anyOf": [original, { "type": "integer", "minimum": 0 }] });
}

/// Query strings carry text; a parameter typed integer or boolean is parsed before validation.
fn coerce_query_value(schema: &Value, raw: &str) -> Value {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if types.contains(&"integer") {
        if let Ok(n) = raw.parse::<i64>() {
            return json!(n);
        }
    }
    if types.contains(&"boolean") {
        match raw {
            "true" | "True" | "1" => return json!(true),
            "false" | "False" | "0" => return json!(false),
            _ => {}
        }
    }
    Value::String(raw.to_owned())
}

/// One schema error as Discord words it: the field path and a `{code, message}` object.
fn discord_error(error: jsonschema::ValidationError<'_>) -> (String, Value) {
    let mut path = error.instance_path().as_str().to_owned();
    let (code, message) = match error.kind() {
        ValidationErrorKind::Required { property } => {
            path = format!("{path}/{}", property.as_str().unwrap_or("?"));
            ("BASE_TYPE_REQUIRED", "This field is required".to_owned())
        }
        ValidationErrorKind::MaxLength { limit } | ValidationErrorKind::MaxItems { limit } => (
            "BASE_TYPE_MAX_LENGTH",
            format!("Must be {limit} or fewer in length."),
        ),
        ValidationErrorKind::MinLength { limit } | ValidationErrorKind::MinItems { limit } => (
            "BASE_TYPE_MIN_LENGTH",
            format!("Must be {limit} or more in length."),
        ),
        ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => (
            "BASE_TYPE_CHOICES",
            format!("Value must be one of the allowed choices ({error})."),
        ),
        ValidationErrorKind::Maximum { .. } => ("NUMBER_TYPE_MAX", error.to_string()),
        ValidationErrorKind::Minimum { .. } => ("NUMBER_TYPE_MIN", error.to_string()),
        ValidationErrorKind::Pattern { .. } => ("STRING_TYPE_REGEX", error.to_string()),
        ValidationErrorKind::Format { .. } => ("URL_TYPE_INVALID_URL", error.to_string()),
        _ => ("BASE_TYPE_BAD_TYPE", error.to_string()),
    };
    (path, json!({ "code": code, "message": message }))
}

/// Nests `(pointer, error)` pairs into Discord's `{"field": {"_errors": [...]}}` tree.
pub fn nest_errors(errors: &[(String, Value)]) -> Value {
    let mut root = Value::Object(Map::new());
    for (pointer, error) in errors {
        let mut node = &mut root;
        for key in pointer.split('/').filter(|k| !k.is_empty()) {
            node = node
                .as_object_mut()
                .expect("error tree nodes are objects")
                .entry(key)
                .or_insert_with(|| json!({}));
        }
        let list = node
            .as_object_mut()
            .expect("error tree nodes are objects")
            .entry("_errors")
            .or_insert_with(|| json!([]));
        if let Value::Array(items) = list {
            items.push(error.clone());
        }
    }
    root
}
