//! What can be known of a template without rendering it: the partials it includes, so that
//! templates including each other in a loop are refused before rendering could recurse without
//! end (a stack overflow aborts the process), and where it writes a value unescaped.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use handlebars::template::{Parameter, Template, TemplateElement};

use super::TemplateProblem;

/// One `{{> name}}` or `{{#> name}}`: which template (or inline partial) includes what, where.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Include {
    from: String,
    to: String,
    file: String,
    line: Option<usize>,
}

/// The name a partial is included by, when it is written out (not computed at render time).
fn partial_name(p: &Parameter) -> Option<String> {
    match p {
        Parameter::Name(_) | Parameter::Path(_) => p.as_name().map(str::to_owned),
        Parameter::Literal(serde_json::Value::String(s)) => Some(s.clone()),
        Parameter::Literal(other) => Some(other.to_string()),
        _ => None,
    }
}

/// The nested templates of an element: a block's body and its `{{else}}`.
fn nested(el: &TemplateElement) -> Vec<&Template> {
    match el {
        TemplateElement::HelperBlock(h)
        | TemplateElement::Expression(h)
        | TemplateElement::HtmlExpression(h) => {
            [&h.template, &h.inverse].into_iter().flatten().collect()
        }
        TemplateElement::DecoratorBlock(d)
        | TemplateElement::DecoratorExpression(d)
        | TemplateElement::PartialBlock(d)
        | TemplateElement::PartialExpression(d) => d.template.iter().collect(),
        _ => Vec::new(),
    }
}

/// Calls `f` on every element of `t`, nested ones included, with its line.
fn visit<'a>(t: &'a Template, f: &mut dyn FnMut(&'a TemplateElement, Option<usize>)) {
    for (i, el) in t.elements.iter().enumerate() {
        f(el, t.mapping.get(i).map(|m| m.0));
        for inner in nested(el) {
            visit(inner, f);
        }
    }
}

/// Where `template` writes a value without escaping it (`{{{value}}}` or `{{&value}}`): the line
/// and the expression.
pub fn unescaped(template: &Template) -> Vec<(Option<usize>, String)> {
    let mut found = Vec::new();
    visit(template, &mut |el, line| {
        if let TemplateElement::HtmlExpression(h) = el {
            found.push((line, h.name.as_name().unwrap_or("…").to_owned()));
        }
    });
    found
}

/// A problem for each place `template`, read from `file`, writes a value unescaped. Overrides
/// may not: escaping is to be decided by each value's type (what the bot built or what a
/// person typed), not by the template.
pub(crate) fn refuse_unescaped(file: &str, template: &Template) -> Vec<TemplateProblem> {
    unescaped(template)
        .into_iter()
        .map(|(line, name)| TemplateProblem {
            file: file.to_owned(),
            line,
            reason: format!(
                "`{name}` is written unescaped (`{{{{{{…}}}}}}` or `{{{{&…}}}}`), which a template \
                 override may not do: write `{{{{{name}}}}}`"
            ),
        })
        .collect()
}

/// The includes of `t`, part of the template or inline partial `from` in `file`; partials
/// named only at render time are added to `dynamic` with their line.
fn includes(
    t: &Template,
    from: &str,
    file: &str,
    out: &mut Vec<Include>,
    dynamic: &mut Vec<(String, Option<usize>)>,
) {
    for (i, el) in t.elements.iter().enumerate() {
        let line = t.mapping.get(i).map(|m| m.0);
        let mut body_of = from;
        let inline_name;
        match el {
            TemplateElement::PartialExpression(d) | TemplateElement::PartialBlock(d) => {
                match partial_name(&d.name) {
                    // The caller's own block, already walked as part of the caller.
                    Some(to) if to == "@partial-block" => {}
                    Some(to) => out.push(Include {
                        from: from.to_owned(),
                        to,
                        file: file.to_owned(),
                        line,
                    }),
                    None => dynamic.push((from.to_owned(), line)),
                }
            }
            // `{{#*inline "name"}}…{{/inline}}`: its body runs when `name` is included.
            TemplateElement::DecoratorBlock(d) if d.name.as_name() == Some("inline") => {
                match d.params.first().and_then(partial_name) {
                    Some(name) => {
                        inline_name = name;
                        body_of = &inline_name;
                    }
                    None => dynamic.push((from.to_owned(), line)),
                }
            }
            _ => {}
        }
        for inner in nested(el) {
            includes(inner, body_of, file, out, dynamic);
        }
    }
}

/// The include loops among the templates, and the templates that must not be rendered.
#[derive(Debug, Default)]
pub(crate) struct Loops {
    /// One problem per loop, naming each file in it; one per partial named at render time.
    pub problems: Vec<TemplateProblem>,
    /// The templates in a loop, or including one: rendering them would never end.
    pub unsafe_to_render: BTreeSet<String>,
}

/// Finds every loop of includes among `templates` (name, file, parsed). Inline partials count
/// by name, wherever they are defined, since handlebars looks them up by name alone.
pub(crate) fn include_loops(templates: &[(&str, String, &Template)]) -> Loops {
    let mut edges = Vec::new();
    let mut dynamic = Vec::new();
    for (name, file, t) in templates {
        includes(t, name, file, &mut edges, &mut dynamic);
    }
    let mut graph: BTreeMap<&str, Vec<&Include>> = BTreeMap::new();
    for e in &edges {
        graph.entry(&e.from).or_default().push(e);
    }
    let reach = |start: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![start.to_owned()];
        while let Some(at) = todo.pop() {
            for e in graph.get(at.as_str()).into_iter().flatten() {
                if seen.insert(e.to.clone()) {
                    todo.push(e.to.clone());
                }
            }
        }
        seen
    };
    let nodes: BTreeSet<&str> = edges
        .iter()
        .flat_map(|e| [e.from.as_str(), e.to.as_str()])
        .collect();
    let reaches: BTreeMap<&str, BTreeSet<String>> = nodes.iter().map(|n| (*n, reach(n))).collect();
    let in_loop: BTreeSet<&str> = nodes
        .iter()
        .copied()
        .filter(|n| reaches[n].contains(*n))
        .collect();

    let mut loops = Loops::default();
    let file_of = |from: &str| {
        templates
            .iter()
            .find(|(n, _, _)| *n == from)
            .map(|(_, f, _)| f.clone())
    };
    for (from, line) in &dynamic {
        loops.problems.push(TemplateProblem {
            file: file_of(from).unwrap_or_else(|| from.clone()),
            line: *line,
            reason: "this partial is named only when rendering, so a loop of includes cannot \
                     be ruled out: write the partial's name"
                .to_owned(),
        });
    }
    let mut reported = BTreeSet::new();
    for start in &in_loop {
        if reported.contains(start) {
            continue;
        }
        let cycle = shortest_cycle(start, &graph);
        reported.extend(cycle.iter().map(|e| e.from.as_str()));
        loops.problems.push(describe(&cycle));
    }
    let stop: BTreeSet<&str> = in_loop
        .iter()
        .copied()
        .chain(dynamic.iter().map(|(from, _)| from.as_str()))
        .collect();
    for (name, _, _) in templates {
        let reached = reaches.get(name);
        if stop.contains(name)
            || reached.is_some_and(|r| r.iter().any(|n| stop.contains(n.as_str())))
        {
            loops.unsafe_to_render.insert((*name).to_owned());
        }
    }
    loops
}

/// The shortest loop from `start` back to it, as the includes that make it.
fn shortest_cycle<'a>(start: &str, graph: &BTreeMap<&str, Vec<&'a Include>>) -> Vec<&'a Include> {
    let mut came_by: BTreeMap<&str, &Include> = BTreeMap::new();
    let mut todo = VecDeque::from([start]);
    while let Some(at) = todo.pop_front() {
        for e in graph.get(at).into_iter().flatten() {
            if e.to == start {
                let mut path = vec![*e];
                let mut back = e.from.as_str();
                while back != start {
                    let Some(prev) = came_by.get(back) else { break };
                    path.push(*prev);
                    back = prev.from.as_str();
                }
                path.reverse();
                return path;
            }
            if !came_by.contains_key(e.to.as_str()) {
                came_by.insert(&e.to, e);
                todo.push_back(&e.to);
            }
        }
    }
    Vec::new()
}

/// The problem of one loop, blamed on its first include and naming every file in it.
fn describe(cycle: &[&Include]) -> TemplateProblem {
    let hops: Vec<String> = cycle
        .iter()
        .map(|e| {
            let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
            if e.from == e.to {
                format!("`{}` ({}{at}) includes itself", e.from, e.file)
            } else {
                format!("`{}` ({}{at}) includes `{}`", e.from, e.file, e.to)
            }
        })
        .collect();
    let first = cycle.first();
    TemplateProblem {
        file: first.map(|e| e.file.clone()).unwrap_or_default(),
        line: first.and_then(|e| e.line),
        reason: format!(
            "templates include each other in a loop that would never end: {}; the templates \
             in or leading to the loop are not rendered until it is broken",
            hops.join(", and ")
        ),
    }
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
