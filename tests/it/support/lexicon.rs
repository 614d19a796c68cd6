//! A small checker of AT Protocol lexicons, for the fields the bot sends: required fields,
//! types, unknown fields, `maxLength` (UTF-8 bytes for strings, items for arrays),
//! `maxGraphemes`, `minimum`, unions by `$type`, refs across files, and the formats the bot
//! uses (`datetime`, `at-uri`, `uri`, `did`, `cid`, `nsid`, `record-key`, `at-identifier`).
//! The lexicons are Bluesky's own, copied into `tests/fixtures/bluesky/` (see its SOURCE.md).

use std::collections::HashMap;

use serde_json::Value;
use unicode_segmentation::UnicodeSegmentation;

/// The lexicons of `tests/fixtures/bluesky/`, by NSID.
pub struct Lexicons(HashMap<String, Value>);

impl Lexicons {
    /// Loads every `*.json` lexicon of `tests/fixtures/bluesky/`.
    pub fn load() -> Self {
        let mut all = HashMap::new();
        for entry in std::fs::read_dir("tests/fixtures/bluesky").expect("the fixtures") {
            let path = entry.expect("an entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                let doc: Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).expect("read"))
                        .expect("a lexicon is JSON");
                let id = doc["id"].as_str().expect("an id").to_owned();
                all.insert(id, doc);
            }
        }
        Self(all)
    }

    /// The problems of `value` as the input of procedure `nsid`.
    pub fn check_input(&self, nsid: &str, value: &Value) -> Vec<String> {
        let schema = &self.def(nsid, "main")["input"]["schema"];
        let mut out = Vec::new();
        self.check(nsid, schema, value, "input", &mut out);
        out
    }

    /// The problems of `value` as a record of collection `nsid`.
    pub fn check_record(&self, nsid: &str, value: &Value) -> Vec<String> {
        let schema = &self.def(nsid, "main")["record"];
        let mut out = Vec::new();
        if value["$type"] != nsid {
            out.push(format!("record: `$type` is {}, not {nsid}", value["$type"]));
        }
        self.check(nsid, schema, value, "record", &mut out);
        out
    }

    /// The problems of query `params` (name to value) of query `nsid`.
    pub fn check_params(&self, nsid: &str, params: &HashMap<String, String>) -> Vec<String> {
        let schema = &self.def(nsid, "main")["parameters"];
        let mut out = Vec::new();
        let object: serde_json::Map<String, Value> = params
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        self.check(nsid, schema, &Value::Object(object), "params", &mut out);
        out
    }

    fn def(&self, nsid: &str, name: &str) -> &Value {
        let doc = self
            .0
            .get(nsid)
            .unwrap_or_else(|| panic!("no lexicon {nsid} in the fixtures"));
        &doc["defs"][name]
    }

    /// The lexicon and definition a `ref` names, from inside lexicon `base`.
    fn resolve<'a>(&'a self, base: &'a str, reference: &'a str) -> (&'a str, &'a Value) {
        let (nsid, name) = match reference.split_once('#') {
            Some(("", name)) => (base, name),
            Some((nsid, name)) => (nsid, name),
            None => (reference, "main"),
        };
        (nsid, self.def(nsid, name))
    }

    fn check(&self, base: &str, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
        match schema["type"].as_str().unwrap_or_default() {
            "object" | "params" => self.object(base, schema, value, at, out),
            "ref" => {
                let (nsid, def) = self.resolve(base, schema["ref"].as_str().unwrap_or_default());
                self.check(nsid, def, value, at, out);
            }
            "union" => {
                let kind = value["$type"].as_str().unwrap_or_default();
                let refs: Vec<&str> = schema["refs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let full = |r: &str| {
                    if r.starts_with('#') {
                        format!("{base}{r}")
                    } else {
                        r.to_owned()
                    }
                };
                match refs
                    .iter()
                    .find(|r| full(r) == kind || full(r) == format!("{kind}#main"))
                {
                    Some(r) => {
                        let (nsid, def) = self.resolve(base, r);
                        self.check(nsid, def, value, at, out);
                    }
                    None => out.push(format!("{at}: `$type` {kind:?} is none of {refs:?}")),
                }
            }
            "string" => string(schema, value, at, out),
            "integer" => {
                let min = schema["minimum"].as_i64().unwrap_or(i64::MIN);
                if value.as_i64().is_none_or(|n| n < min) {
                    out.push(format!("{at}: {value} is not an integer ≥ {min}"));
                }
            }
            "boolean" if !value.is_boolean() => out.push(format!("{at}: not a boolean")),
            "array" => {
                let Some(items) = value.as_array() else {
                    return out.push(format!("{at}: not an array"));
                };
                if let Some(max) = schema["maxLength"].as_u64() {
                    if items.len() as u64 > max {
                        out.push(format!("{at}: {} items, at most {max}", items.len()));
                    }
                }
                for (i, item) in items.iter().enumerate() {
                    self.check(base, &schema["items"], item, &format!("{at}[{i}]"), out);
                }
            }
            _ => {}
        }
    }

    fn object(&self, base: &str, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
        let Some(fields) = value.as_object() else {
            return out.push(format!("{at}: not an object"));
        };
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            if !fields.contains_key(name) {
                out.push(format!("{at}: `{name}` is required"));
            }
        }
        let properties = &schema["properties"];
        for (name, field) in fields {
            if name == "$type" {
                continue;
            }
            match properties.get(name) {
                Some(s) => self.check(base, s, field, &format!("{at}.{name}"), out),
                None => out.push(format!("{at}: `{name}` is not in the lexicon")),
            }
        }
    }
}

fn string(schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let Some(text) = value.as_str() else {
        return out.push(format!("{at}: not a string"));
    };
    if let Some(max) = schema["maxLength"].as_u64() {
        if text.len() as u64 > max {
            out.push(format!("{at}: {} bytes, at most {max}", text.len()));
        }
    }
    if let Some(max) = schema["maxGraphemes"].as_u64() {
        let count = text.graphemes(true).count() as u64;
        if count > max {
            out.push(format!("{at}: {count} graphemes, at most {max}"));
        }
    }
    let ok = match schema["format"].as_str().unwrap_or_default() {
        "datetime" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        "at-uri" => text.starts_with("at://"),
        "uri" => text.contains("://"),
        "did" => text.starts_with("did:"),
        "at-identifier" => text.starts_with("did:") || text.contains('.'),
        "cid" => text.len() > 8 && text.chars().all(|c| c.is_ascii_alphanumeric()),
        "nsid" => text.split('.').count() >= 3,
        "record-key" => !text.is_empty() && text != "." && text != "..",
        _ => true,
    };
    if !ok {
        out.push(format!("{at}: {text:?} is not a {}", schema["format"]));
    }
}
