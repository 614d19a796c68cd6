//! Just enough of GraphQL to check a request against a published schema (Linear's): every
//! field selected exists on its type, every argument on its field, every key of an input
//! object (written inline or sent as a variable) on its input type. Types of scalars are not
//! checked; an unknown name is.

use std::collections::BTreeMap;

use serde_json::Value;

/// A field: its arguments (name -> type) and its type, both as base names.
#[derive(Debug, Clone, Default)]
struct Field {
    args: BTreeMap<String, String>,
    kind: String,
}

/// The object and input types of a schema, by name.
#[derive(Debug, Default)]
pub struct Schema {
    types: BTreeMap<String, BTreeMap<String, Field>>,
}

fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() || c == ',' => {}
            '#' => while chars.next_if(|c| *c != '\n').is_some() {},
            '"' => {
                let mut s = String::from("\"");
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    s.push(c);
                }
                out.push(s);
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' || c == '-' => {
                let mut s = c.to_string();
                while let Some(c) = chars.next_if(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                {
                    s.push(c);
                }
                out.push(s);
            }
            c => out.push(c.to_string()),
        }
    }
    out
}

/// The base name of a type written `[Name!]!`.
fn base(tokens: &[String], at: &mut usize) -> String {
    let mut name = String::new();
    while *at < tokens.len() {
        let t = &tokens[*at];
        match t.as_str() {
            "[" | "]" | "!" => {}
            _ if name.is_empty() => name = t.clone(),
            _ => break,
        }
        *at += 1;
    }
    name
}

/// Skips directives (`@deprecated(reason: "…")`).
fn directives(t: &[String], i: &mut usize) {
    while *i < t.len() && t[*i] == "@" {
        *i += 2;
        if t.get(*i).map(String::as_str) == Some("(") {
            while *i < t.len() && t[*i] != ")" {
                *i += 1;
            }
            *i += 1;
        }
    }
}

impl Schema {
    /// The schema in `tests/fixtures/<path>`.
    pub fn fixture(path: &str) -> Self {
        let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
        Self::parse(&std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}")))
    }

    /// Reads the `type` and `input` definitions of `text`.
    pub fn parse(text: &str) -> Self {
        let t = tokens(text);
        let mut schema = Self::default();
        let mut i = 0;
        while i < t.len() {
            if (t[i] == "type" || t[i] == "input") && i + 1 < t.len() {
                let name = t[i + 1].clone();
                i += 2;
                while i < t.len() && t[i] != "{" {
                    i += 1;
                }
                i += 1;
                let mut fields = BTreeMap::new();
                while i < t.len() && t[i] != "}" {
                    let fname = t[i].clone();
                    i += 1;
                    let mut field = Field::default();
                    if t[i] == "(" {
                        i += 1;
                        while t[i] != ")" {
                            let arg = t[i].clone();
                            i += 2; // the name and ':'
                            field.args.insert(arg, base(&t, &mut i));
                            if t[i] == "=" {
                                i += 2;
                            }
                            directives(&t, &mut i);
                        }
                        i += 1;
                    }
                    i += 1; // ':'
                    field.kind = base(&t, &mut i);
                    directives(&t, &mut i);
                    fields.insert(fname, field);
                }
                schema.types.insert(name, fields);
            }
            i += 1;
        }
        schema
    }

    /// Every problem of `query` with `variables`, as sentences.
    pub fn check(&self, query: &str, variables: &Value) -> Vec<String> {
        let t = tokens(query);
        let mut problems = Vec::new();
        let root = match t.first().map(String::as_str) {
            Some("mutation") => "Mutation",
            Some("query") => "Query",
            _ => return vec!["a document starts with query or mutation".into()],
        };
        let mut i = 1;
        let mut vars = BTreeMap::new();
        if t.get(i).is_some_and(|s| s != "(" && s != "{") {
            i += 1;
        }
        if t.get(i).map(String::as_str) == Some("(") {
            i += 1;
            while t[i] != ")" {
                let var = t[i].trim_start_matches('$').to_owned();
                i += 2;
                vars.insert(var, base(&t, &mut i));
            }
            i += 1;
        }
        for (name, kind) in &vars {
            self.check_value(kind, &variables[name], &format!("${name}"), &mut problems);
        }
        self.selection(&t, &mut i, root, &mut problems);
        problems
    }

    fn selection(&self, t: &[String], i: &mut usize, on: &str, problems: &mut Vec<String>) {
        *i += 1; // '{'
        while *i < t.len() && t[*i] != "}" {
            let name = t[*i].clone();
            *i += 1;
            let field = self.types.get(on).and_then(|f| f.get(&name)).cloned();
            if field.is_none() {
                problems.push(format!("{on} has no field {name}"));
            }
            let field = field.unwrap_or_default();
            if t.get(*i).map(String::as_str) == Some("(") {
                *i += 1;
                while t[*i] != ")" {
                    let arg = t[*i].clone();
                    *i += 2;
                    match field.args.get(&arg) {
                        Some(kind) => self.inline(t, i, kind, problems),
                        None => {
                            problems.push(format!("{on}.{name} has no argument {arg}"));
                            self.inline(t, i, "", problems);
                        }
                    }
                }
                *i += 1;
            }
            if t.get(*i).map(String::as_str) == Some("{") {
                self.selection(t, i, &field.kind, problems);
            }
        }
        *i += 1;
    }

    /// An argument's value written inline: a variable, a literal, or an input object.
    fn inline(&self, t: &[String], i: &mut usize, kind: &str, problems: &mut Vec<String>) {
        if t[*i] != "{" {
            *i += 1;
            return;
        }
        *i += 1;
        while t[*i] != "}" {
            let key = t[*i].clone();
            *i += 2;
            let inner = self
                .types
                .get(kind)
                .and_then(|f| f.get(&key))
                .map(|f| f.kind.clone());
            if inner.is_none() && !kind.is_empty() {
                problems.push(format!("{kind} has no field {key}"));
            }
            self.inline(t, i, &inner.unwrap_or_default(), problems);
        }
        *i += 1;
    }

    fn check_value(&self, kind: &str, value: &Value, at: &str, problems: &mut Vec<String>) {
        let (Some(fields), Some(object)) = (self.types.get(kind), value.as_object()) else {
            return;
        };
        for (key, v) in object {
            match fields.get(key) {
                Some(f) => self.check_value(&f.kind, v, &format!("{at}.{key}"), problems),
                None => problems.push(format!("{at}: {kind} has no field {key}")),
            }
        }
    }
}
