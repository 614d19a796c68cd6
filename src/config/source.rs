//! Where each setting came from: a line of the operator's file, an environment variable, or
//! the built-in defaults; so that every problem is blamed on what the operator wrote.

use std::fmt;
use std::path::Path;

use toml_edit::{ImDocument, Item, TableLike, Value};

use super::env::EnvVar;

/// Where a setting, or a problem with it, is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The operator's file, at a line when the key (or its table) is written there.
    File {
        /// The file, as the operator named it.
        path: String,
        /// The line of the key, else of its table.
        line: Option<usize>,
    },
    /// An environment variable, by name.
    Env(String),
    /// Nothing the operator wrote: the built-in defaults.
    Defaults,
}

impl Origin {
    /// The order problems are listed in: the file from top to bottom, then the environment.
    pub(super) fn sort_key(&self) -> (u8, usize, &str) {
        match self {
            Origin::File { line: Some(l), .. } => (0, *l, ""),
            Origin::File { line: None, .. } => (1, 0, ""),
            Origin::Env(name) => (2, 0, name),
            Origin::Defaults => (3, 0, ""),
        }
    }

    /// The same place without its line: the file, for a key the operator did not write.
    pub(super) fn without_line(self) -> Self {
        match self {
            Origin::File { path, .. } => Origin::File { path, line: None },
            other => other,
        }
    }

    /// `what`, prefixed with where it is.
    pub(super) fn blame(&self, what: &str) -> String {
        match self {
            Origin::Defaults => what.to_owned(),
            other => format!("{other}: {what}"),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File {
                path,
                line: Some(l),
            } => write!(f, "{path}:{l}"),
            Origin::File { path, line: None } => f.write_str(path),
            Origin::Env(name) => write!(f, "environment variable {name}"),
            Origin::Defaults => f.write_str("the built-in defaults"),
        }
    }
}

/// The operator's file, parsed with the position of every key.
#[derive(Debug)]
pub(super) struct FileDoc {
    path: String,
    doc: ImDocument<String>,
}

impl FileDoc {
    /// Parses `text`, read from `path`; a syntax error comes back as a sentence with its line.
    pub(super) fn parse(path: &Path, text: String) -> Result<Self, (Origin, String)> {
        let path = path.display().to_string();
        match ImDocument::parse(text.clone()) {
            Ok(doc) => Ok(Self { path, doc }),
            Err(e) => {
                let line = e.span().and_then(|s| line_of(&text, s.start));
                Err((
                    Origin::File { path, line },
                    format!("this is not valid TOML: {}", e.message().trim()),
                ))
            }
        }
    }

    /// Whether the file sets `key` (dotted), and the line of the deepest part of it the file
    /// has: the key itself, else the table it belongs in.
    fn find(&self, key: &str) -> (bool, Option<usize>) {
        let mut line = None;
        let mut at = At::Item(self.doc.as_item());
        for seg in key.split('.') {
            let next = match at {
                At::Item(item) => item
                    .as_table_like()
                    .and_then(|t| child(t, seg))
                    .or_else(|| item.as_array().and_then(|a| element(a, seg)))
                    .or_else(|| item.as_array_of_tables().and_then(|a| table(a, seg))),
                At::Table(table) => child(table, seg),
                At::Value(value) => value
                    .as_inline_table()
                    .and_then(|t| child(t, seg))
                    .or_else(|| value.as_array().and_then(|a| element(a, seg))),
            };
            let Some((span, inner)) = next else {
                return (false, line);
            };
            line = span.and_then(|s| line_of(self.doc.raw(), s)).or(line);
            at = inner;
        }
        (true, line)
    }
}

/// Where the walk of [`FileDoc::find`] is: a table's entry or an array's element.
#[derive(Clone, Copy)]
enum At<'a> {
    Item(&'a Item),
    Table(&'a toml_edit::Table),
    Value(&'a Value),
}

fn child<'a>(table: &'a dyn TableLike, key: &str) -> Option<(Option<usize>, At<'a>)> {
    let (k, item) = table.get_key_value(key)?;
    // `[severity.P1]` makes `severity` implicitly: its line is P1's, not the table's.
    let implicit = item.as_table().is_some_and(toml_edit::Table::is_implicit);
    let span = k.span().or_else(|| item.span()).filter(|_| !implicit);
    Some((span.map(|s| s.start), At::Item(item)))
}

fn element<'a>(array: &'a toml_edit::Array, index: &str) -> Option<(Option<usize>, At<'a>)> {
    let value = array.get(index.parse().ok()?)?;
    Some((value.span().map(|s| s.start), At::Value(value)))
}

/// One `[[table]]` of an array of tables, by index: its line is its header's.
fn table<'a>(tables: &'a toml_edit::ArrayOfTables, index: &str) -> Option<(Option<usize>, At<'a>)> {
    let item = tables.iter().nth(index.parse().ok()?)?;
    Some((item.span().map(|s| s.start), At::Table(item)))
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> Option<usize> {
    text.get(..offset)
        .map(|before| before.matches('\n').count() + 1)
}

/// What the operator wrote: the file, if any, and the variables that set keys.
#[derive(Debug, Default)]
pub(super) struct Sources {
    /// The file.
    pub file: Option<FileDoc>,
    /// The environment variables with the prefix.
    pub env: Vec<EnvVar>,
}

impl Sources {
    /// The variable that sets `key` or the table it is in, the longest match first.
    fn env_for(&self, key: &str) -> Option<&EnvVar> {
        self.env
            .iter()
            .filter(|v| key == v.key || key.starts_with(&format!("{}.", v.key)))
            .max_by_key(|v| v.key.len())
    }

    /// Where `key` (dotted) gets its value, or where it belongs when it has none.
    pub(super) fn locate(&self, key: &str) -> Origin {
        if let Some(var) = self.env_for(key) {
            return Origin::Env(var.name.clone());
        }
        match &self.file {
            Some(file) => Origin::File {
                path: file.path.clone(),
                line: file.find(key).1,
            },
            None => Origin::Defaults,
        }
    }

    /// Whether the operator set `key`, in the file or the environment.
    pub(super) fn is_set(&self, key: &str) -> bool {
        self.env_for(key).is_some() || self.file.as_ref().is_some_and(|f| f.find(key).0)
    }
}
