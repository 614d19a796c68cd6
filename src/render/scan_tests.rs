//! Tests of what is read from a template before rendering: include loops, unescaped values.

use super::unescaped;
use crate::render::{TemplateName, Templates};

fn load_overrides_from(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).expect("write");
    }
    let problems = match Templates::load(Some(dir.path())) {
        Ok(_) => Vec::new(),
        Err(list) => list.iter().map(ToString::to_string).collect(),
    };
    (dir, problems)
}

#[test]
fn overrides_that_include_each_other_are_a_problem_naming_both_files_not_a_crash() {
    let (_dir, problems) = load_overrides_from(&[
        ("checklist.hbs", "Checklist\n{{> reminder}}\n"),
        ("reminder.hbs", "{{#if ping}}x{{/if}}{{> checklist}}"),
    ]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = &problems[0];
    assert!(
        p.contains("checklist.hbs:2: templates include each other in a loop"),
        "{p}"
    );
    assert!(p.contains("reminder.hbs:1) includes `checklist`"), "{p}");
}

#[test]
fn a_template_including_itself_directly_or_through_an_inline_partial_is_a_problem() {
    let (_dir, problems) = load_overrides_from(&[
        ("notice.hbs", "{{> notice}}"),
        (
            "status.hbs",
            "{{#*inline \"again\"}}\n{{> again}}{{/inline}}{{> again}}",
        ),
    ]);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains("notice.hbs:1")
            && p.contains("`notice`")
            && p.contains("includes itself")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("status.hbs:2") && p.contains("`again`")),
        "{problems:?}"
    );
}

#[test]
fn a_partial_named_only_when_rendering_is_a_problem() {
    let (_dir, problems) = load_overrides_from(&[("notice.hbs", "{{> (lookup this \"body\")}}")]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("notice.hbs:1: this partial is named only when rendering"));
}

#[test]
fn an_override_may_include_another_template_without_a_loop() {
    let (_dir, problems) = load_overrides_from(&[(
        "status.hbs",
        "{{#*inline \"head\"}}#{{number}}{{/inline}}{{> head}} {{title}}",
    )]);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn an_override_writing_a_value_unescaped_is_a_problem_at_its_line() {
    let (_dir, problems) = load_overrides_from(&[(
        "service_alert.hbs",
        // Text fields only: printing bot markup unescaped is a fourth problem (its wrapping leaks).
        "🚨\n{{{system}}} {{eta}}\n{{#if eta}}{{~{ status_url }~}}{{/if}}{{&system}}",
    )]);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[0].contains("service_alert.hbs:2: `system` is written unescaped"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("service_alert.hbs:3: `status_url`"),
        "{problems:?}"
    );
    assert!(
        problems[2].contains("service_alert.hbs:3: `system`"),
        "{problems:?}"
    );
}

#[test]
fn no_built_in_template_writes_a_value_unescaped() {
    // Escaping is decided by each value's type, so the built-ins need no triple braces either.
    let registries = Templates::load(None).expect("built-ins load").registries;
    for t in TemplateName::ALL {
        let template = registries.of(*t).get_template(t.name()).expect("built in");
        let found: Vec<_> = unescaped(template)
            .into_iter()
            .map(|(_, name)| name)
            .collect();
        assert!(found.is_empty(), "{}: {found:?}", t.name());
    }
}
