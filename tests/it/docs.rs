//! The documentation holds together: every relative link between README.md, ARCHITECTURE.md
//! and docs/ names a file that exists and, with a `#fragment`, a heading of that file (by the
//! anchor GitHub gives it), and the README still fits on a screen.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown files that link to each other.
fn documents() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md"), repo().join("ARCHITECTURE.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .expect("docs/")
        .map(|e| e.expect("a docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The lines outside code fences.
fn unfenced(text: &str) -> impl Iterator<Item = &str> {
    let mut fenced = false;
    text.lines().filter(move |line| {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            return false;
        }
        !fenced
    })
}

/// The text outside code fences and code spans, where links live.
fn prose(text: &str) -> String {
    unfenced(text)
        .map(|line| line.split('`').step_by(2).collect::<String>() + "\n")
        .collect()
}

/// GitHub's anchor for a heading: lower case, only letters, digits, `-`, `_` and spaces kept,
/// spaces as `-`; a repeated heading gets `-1`, `-2`, ….
fn anchors(text: &str) -> HashSet<String> {
    let mut bases: Vec<String> = Vec::new();
    let mut out = HashSet::new();
    for line in unfenced(text) {
        if !line.starts_with('#') {
            continue;
        }
        let Some(heading) = line.trim_start_matches('#').strip_prefix(' ') else {
            continue;
        };
        let slug: String = heading
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let repeats = bases.iter().filter(|s| **s == slug).count();
        bases.push(slug.clone());
        out.insert(if repeats == 0 {
            slug
        } else {
            format!("{slug}-{repeats}")
        });
    }
    out
}

/// Every `](target)` of a Markdown text.
fn link_targets(text: &str) -> Vec<String> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(t, _)| t.to_owned()))
        .collect()
}

#[test]
fn every_link_between_the_docs_resolves_to_a_file_and_a_heading() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in documents() {
        let text = std::fs::read_to_string(&file).expect("read");
        for target in link_targets(&prose(&text)) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, fragment) = target.split_once('#').unwrap_or((&target, ""));
            let dest = if path.is_empty() {
                file.clone()
            } else {
                file.parent().unwrap_or(Path::new(".")).join(path)
            };
            if !dest.exists() {
                broken.push(format!("{}: {target}: no such file", file.display()));
                continue;
            }
            if fragment.is_empty() || dest.is_dir() {
                continue;
            }
            let anchors = anchors(&std::fs::read_to_string(&dest).expect("read"));
            if !anchors.contains(fragment) {
                broken.push(format!("{}: {target}: no such heading", file.display()));
            }
        }
    }
    assert!(checked > 50, "only {checked} links found");
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn the_readme_fits_on_a_screen_and_the_manual_is_in_docs() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let lines = readme.lines().count();
    assert!(
        lines <= 150,
        "README.md has {lines} lines: move the detail to docs/"
    );
    for doc in documents().iter().skip(2) {
        let name = doc.strip_prefix(repo()).expect("in the repo");
        let name = name.to_string_lossy();
        assert!(readme.contains(name.as_ref()), "README.md links {name}");
    }
}
