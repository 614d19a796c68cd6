//! The layering rules of ARCHITECTURE.md, read from the source: no import cycle between
//! top-level modules, SQL's crate only in `store/`, and a domain that imports nothing else of
//! ours. A change that breaks one fails here, not in a reviewer's memory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every production source file under `src/` (tests excluded), with its text up to its test
/// module.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("src/ reads") {
            let path = entry.expect("an entry").path();
            let name = path.to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.ends_with("/tests") {
                    walk(&path, out);
                }
            } else if name.ends_with(".rs")
                && !name.ends_with("_tests.rs")
                && !name.ends_with("/tests.rs")
            {
                let text = std::fs::read_to_string(&path).expect("a source file");
                out.push((name, production(&text)));
            }
        }
    }
    let mut out = Vec::new();
    walk(Path::new("src"), &mut out);
    out
}

/// `text` up to its test module: a `#[cfg(test)]` whose item is a `mod` (other test-only items,
/// such as an import, are kept).
fn production(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() != "#[cfg(test)]" {
            continue;
        }
        let item = lines[i + 1..]
            .iter()
            .find(|l| !l.trim_start().starts_with("#["))
            .map_or("", |l| l.trim_start());
        if item.starts_with("mod ") || item.starts_with("pub(crate) mod ") {
            end = i;
            break;
        }
    }
    lines[..end].join("\n")
}

/// `src/app/context.rs` → `app`.
fn top(path: &str) -> String {
    let rest = path.trim_start_matches("src/");
    let first = rest.split('/').next().unwrap_or(rest);
    first.trim_end_matches(".rs").to_owned()
}

/// The top-level modules each one names through `crate::`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in sources() {
        let from = top(&path);
        if from == "lib" || from == "main" {
            continue;
        }
        let uses = graph.entry(from.clone()).or_default();
        for piece in text.split("crate::").skip(1) {
            let name: String = piece
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() && name != from {
                uses.insert(name);
            }
        }
    }
    graph
}

#[test]
fn no_top_level_module_reaches_itself_through_its_imports() {
    let graph = graph();
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = graph[start].iter().collect();
        let mut path = Vec::new();
        while let Some(next) = todo.pop() {
            if next == start {
                path.push(next.clone());
                break;
            }
            if seen.insert(next.clone()) {
                todo.extend(graph.get(next).into_iter().flatten());
            }
        }
        assert!(
            path.is_empty(),
            "`{start}` reaches itself through its imports ({:?}): a cycle between top-level \
             modules; the graph: {graph:#?}",
            graph[start]
        );
    }
}

/// The production functions longer than `limit` lines, from `fn` to the brace that closes it,
/// as `(lines, file, name)`.
fn longer_than(limit: usize) -> Vec<(usize, String, String)> {
    let mut long = Vec::new();
    for (path, text) in sources() {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(at) = line.find("fn ") else { continue };
            let head = line[..at].trim();
            let words = [
                "",
                "pub",
                "async",
                "const",
                "unsafe",
                "pub(crate)",
                "pub(super)",
            ];
            let is_fn = head
                .split_whitespace()
                .all(|w| words.contains(&w) || w.starts_with("pub(in"));
            if !is_fn || line.trim_start().starts_with("//") {
                continue;
            }
            let indent = &line[..line.len() - line.trim_start().len()];
            // A declaration without a body (a trait's) ends with `;` before any `{`.
            let opening = lines[i..]
                .iter()
                .position(|l| l.contains('{') || l.trim_end().ends_with(';'));
            if opening.is_none_or(|o| !lines[i + o].contains('{')) {
                continue;
            }
            let close = format!("{indent}}}");
            if let Some(len) = lines[i + 1..].iter().position(|l| *l == close) {
                let name: String = line[at + 3..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if len + 2 > limit {
                    long.push((len + 2, path.clone(), name));
                }
            }
        }
    }
    long
}

#[test]
fn no_production_function_is_over_80_lines() {
    let long = longer_than(80);
    assert!(
        long.is_empty(),
        "split these into named parts (one function per case): {long:?}"
    );
    // The counter counts: the longest function of the crate is found at a lower limit.
    assert!(!longer_than(40).is_empty());
}

#[test]
fn sqlx_is_named_only_in_the_store_and_the_domain_only_names_itself() {
    for (path, text) in sources() {
        let module = top(&path);
        if module != "store" && module != "main" {
            assert!(
                !text.contains("sqlx::"),
                "{path} names sqlx: SQL lives in store/"
            );
        }
        if module == "domain" {
            let others: Vec<&str> = text
                .split("crate::")
                .skip(1)
                .filter(|p| !p.starts_with("domain"))
                .collect();
            assert!(
                others.is_empty(),
                "{path}: the domain is pure, it imports {others:?}"
            );
        }
    }
}

/// The string literal a call's arguments start with (after `format!(`, if any), when they do.
fn first_literal(args: &str) -> Option<&str> {
    let args = args.trim_start();
    let args = args.strip_prefix("format!(").unwrap_or(args).trim_start();
    let rest = args.strip_prefix('"')?;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(&rest[..i]),
            _ => escaped = false,
        }
    }
    None
}

/// Whether `literal` reads as words: three or more, each of letters only (and a closing
/// punctuation mark). Markup the bot builds (`<t:{}:F> (`, `<#{c}>`, a link) has none.
fn is_wording(literal: &str) -> bool {
    literal
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', '.', ';', ':', '!', '?']))
        .filter(|w| w.len() >= 2 && w.chars().all(|c| c.is_alphabetic() || c == '\''))
        .count()
        >= 3
}

/// What, in the statement of a `format!`, says its text is not for people in Discord or on the
/// page: an operator's error (its context or message), a log line, a header's value.
const FOR_OPERATORS: [&str; 15] = [
    "map_err(",
    "default-src 'none'",
    "tracing::",
    "context(",
    "anyhow!",
    "JobError",
    "fatal(",
    "Refused(",
    "Unavailable",
    "corrupt(",
    "expect(",
    "Error::msg",
    "ChatError",
    "Err(",
    "reason: format!(\"cannot read it",
];

/// The wording literals of the `format!`s in `text` that build a sentence for people: not in
/// a statement that makes an operator's error or a log line.
fn formatted_wording(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("format!(").map(|i| from + i) {
        from = at + "format!(".len();
        let Some(literal) = first_literal(&text[at..]).filter(|l| is_wording(l)) else {
            continue;
        };
        let before = &text[..at];
        // From the statement before: a closure's `{` (`with_context(|| {`) is inside it.
        let start = [";", "}\n"]
            .iter()
            .filter_map(|end| before.rfind(end))
            .max()
            .unwrap_or(0);
        let statement = &text[start..from + literal.len() + 2];
        if !FOR_OPERATORS.iter().any(|o| statement.contains(o)) {
            found.push(literal.to_owned());
        }
    }
    found
}

#[test]
fn no_sentence_for_people_is_built_with_format_in_the_modules_they_read() {
    let probe = "let said = format!(\"Blocked at the WAF: {}\", a);\n\
                 tracing::warn!(\"{}\", format!(\"could not read it at all\"));";
    assert_eq!(formatted_wording(probe), ["Blocked at the WAF: {}"]);
    let mut found = Vec::new();
    for (path, text) in sources() {
        // `setup` is a command an operator runs in a terminal, before the bot is in Discord.
        let read_by_people = ["app", "discord", "status", "chart"].contains(&top(&path).as_str())
            && !path.starts_with("src/discord/setup");
        if read_by_people {
            found.extend(
                formatted_wording(&text)
                    .into_iter()
                    .map(|l| (path.clone(), l)),
            );
        }
    }
    assert!(
        found.is_empty(),
        "sentences people read, built with format!: word them in a template under \
         templates/ (a timeline.hbs, notice.hbs or answer.hbs case) and pass only values: \
         {found:?}"
    );
}

/// Where words a person reads used to be built in Rust, with what comes before the words:
/// a timeline entry's text, a button's label, a menu's or a field's hint, a form's title, a
/// permission sentence. A literal of three words or more after one of these is wording.
const WORDED_AT: [&str; 9] = [
    "text: format!(",
    "let text = format!(",
    "let said = format!(",
    "label: ",
    "placeholder: ",
    ".placeholder(",
    "CreateModal::new(",
    "Forbidden(",
    "EntryKind::",
];

/// The wording literals after [`WORDED_AT`] in `text`: the first literal of the call or
/// value, and for a call with the words second (`CreateModal::new(id, "title")`, an entry
/// kind followed by its text) the literal after the first comma.
fn worded_at(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for at in WORDED_AT {
        for rest in text.split(at).skip(1) {
            // After `EntryKind::`, the variant's name.
            let rest = if at.ends_with("::") {
                rest.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_')
            } else {
                rest
            };
            let second = rest.split_once(',').map(|(_, after)| after);
            let head = rest.strip_prefix("format!(").unwrap_or(rest);
            let literals = [first_literal(head), second.and_then(first_literal)];
            found.extend(
                literals
                    .into_iter()
                    .flatten()
                    .filter(|l| is_wording(l))
                    .map(str::to_owned),
            );
        }
    }
    found
}

#[test]
fn no_sentence_a_person_reads_is_built_in_rust_outside_the_templates() {
    assert!(is_wording("This incident is closed.") && !is_wording("<t:{}:F> ("));
    assert!(!is_wording("https://discord.com/events/{guild}/{id}"));
    let mut found = Vec::new();
    for (path, text) in sources() {
        assert!(
            !text.contains("AppError::user("),
            "{path} refuses with a sentence: return a domain::Refusal, worded in refusal.hbs"
        );
        for args in text.split("AppError::User(").skip(1) {
            assert!(
                first_literal(args).is_none(),
                "{path} refuses with a sentence: return a domain::Refusal, worded in refusal.hbs"
            );
        }
        if top(&path) == "render" {
            continue;
        }
        for args in text.split("Markup::raw(").skip(1) {
            if let Some(literal) = first_literal(args).filter(|l| is_wording(l)) {
                found.push((path.clone(), literal.to_owned()));
            }
        }
        found.extend(worded_at(&text).into_iter().map(|l| (path.clone(), l)));
    }
    assert!(
        found.is_empty(),
        "words a person reads, built in Rust: put them in a template under templates/ and \
         pass only values (Markup::raw is for mentions, <t:…> tags, links): {found:?}"
    );
}

/// The functions that once gave phases, roles and the status page's states their names in
/// Rust. Those names are worded in `labels.hbs`, `chart.hbs` and the status templates now,
/// and the code passes a number or a key (`Phase::number`, `IncidentRole::key`, `as_str`).
const NAME_FUNCTIONS: [&str; 8] = [
    "fn title(self) -> &'static str",
    "fn words(self) -> &'static str",
    "fn words(status: WindowStatus)",
    "fn component_words(self)",
    "fn kind_words(",
    "fn label(kind: AnnouncementKind)",
    "Display for Phase",
    "Display for IncidentRole",
];

#[test]
fn no_phase_role_or_status_is_named_by_a_function_in_rust() {
    let found: Vec<String> = sources()
        .into_iter()
        .flat_map(|(path, text)| {
            NAME_FUNCTIONS
                .iter()
                .filter(|f| text.contains(**f))
                .map(|f| format!("{path}: {f}"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        found.is_empty(),
        "a name people read is worded in Rust: word it in a template (a labels.hbs case, a \
         chart.hbs word, a status template's inline partial) and pass a number or key: {found:?}"
    );
}
