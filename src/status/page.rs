//! The HTML pages: handlebars templates in `templates/` with HTML escaping, from view models.

use std::path::Path;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use handlebars::template::Template;
use handlebars::Handlebars;
use serde::Serialize;

use super::build::{overall, Inputs, PublicIncident, SystemState};
use super::statuspage::{iso, Impact};
use crate::render::{include_loops, refuse_unescaped, TemplateProblem};

pub use crate::render::PAGE_TEMPLATES;

/// The status page's templates, with handlebars' HTML escaping (every value is text).
#[derive(Debug)]
pub struct PageTemplates {
    registry: Handlebars<'static>,
}

/// A time as `<time datetime>` shows it: the machine value and a UTC reading.
#[derive(Debug, Clone, Serialize)]
pub struct TimeView {
    iso: String,
    text: String,
}

fn time(at: DateTime<Utc>) -> TimeView {
    TimeView {
        iso: iso(at),
        text: at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// One day of a system's strip.
#[derive(Debug, Clone, Serialize)]
struct DayView {
    class: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct SystemView {
    name: String,
    status: &'static str,
    days: Vec<DayView>,
    /// The strip's text alternative, worded by the template: how many days it covers, and
    /// the days with an incident.
    day_count: usize,
    bad_count: usize,
    bad: Vec<BadDay>,
}

/// A day of a system's strip with an incident: the day, and the component's status then.
#[derive(Debug, Clone, Serialize)]
struct BadDay {
    day: String,
    status: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct UpdateView {
    /// `alert`, `update` or `all_clear`: the template words it.
    kind: &'static str,
    at: TimeView,
    text: String,
}

#[derive(Debug, Clone, Serialize)]
struct IncidentView {
    number: u32,
    name: String,
    /// Statuspage's incident status, `investigating`: the template words it.
    state: &'static str,
    impact: &'static str,
    updates: Vec<UpdateView>,
}

/// A maintenance window ahead or under way.
#[derive(Debug, Clone, Serialize)]
struct WindowView {
    id: i64,
    title: String,
    systems: String,
    /// The window's status, `in_progress`: the template words it.
    state: &'static str,
    start: TimeView,
    end: TimeView,
    message: Option<String>,
}

/// `/`.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    name: String,
    indicator: &'static str,
    built: TimeView,
    systems: Vec<SystemView>,
    open: Vec<IncidentView>,
    maintenance: Vec<WindowView>,
    past: Vec<IncidentView>,
    days: i64,
}

/// `/incidents/{number}`.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentPageView {
    name: String,
    indicator: &'static str,
    built: TimeView,
    incident: IncidentView,
}

fn class(impact: Option<Impact>) -> &'static str {
    match impact {
        None => "ok",
        Some(Impact::None) => "none",
        Some(Impact::Minor) => "minor",
        Some(Impact::Major) => "major",
        Some(Impact::Critical) => "critical",
    }
}

fn incident(i: &PublicIncident) -> IncidentView {
    IncidentView {
        number: i.number,
        name: i.name(),
        state: i.state().as_str(),
        impact: i.impact().as_str(),
        updates: i
            .updates
            .iter()
            .rev()
            .map(|u| UpdateView {
                kind: u.kind.as_str(),
                at: time(u.at),
                text: u.text.clone(),
            })
            .collect(),
    }
}

/// The days of `s`'s strip with an incident.
fn bad_days(s: &SystemState) -> Vec<BadDay> {
    s.days
        .iter()
        .filter_map(|(day, impact)| {
            impact.map(|i| BadDay {
                day: day.to_string(),
                status: i.component_status(),
            })
        })
        .collect()
}

pub(super) fn page_view(inputs: &Inputs<'_>, systems: &[SystemState], impact: Impact) -> PageView {
    PageView {
        name: inputs.name.to_owned(),
        indicator: impact.as_str(),
        built: time(inputs.now),
        systems: systems
            .iter()
            .map(|s| (s, bad_days(s)))
            .map(|(s, bad)| SystemView {
                name: s.name.clone(),
                status: if s.maintenance {
                    "under_maintenance"
                } else {
                    s.impact.component_status()
                },
                days: s
                    .days
                    .iter()
                    .map(|(_, i)| DayView { class: class(*i) })
                    .collect(),
                day_count: s.days.len(),
                bad_count: bad.len(),
                bad,
            })
            .collect(),
        open: inputs
            .incidents
            .iter()
            .filter(|i| i.unresolved())
            .map(incident)
            .collect(),
        maintenance: inputs
            .maintenances
            .iter()
            .filter(|w| w.upcoming() || w.running())
            .map(|w| WindowView {
                id: w.id,
                title: w.title.clone(),
                systems: w.systems.join(", "),
                state: w.status.as_str(),
                start: time(w.start),
                end: time(w.end),
                message: w.message.clone(),
            })
            .collect(),
        past: inputs
            .incidents
            .iter()
            .filter(|i| !i.unresolved())
            .map(incident)
            .collect(),
        days: super::HISTORY_DAYS,
    }
}

pub(super) fn incident_view(inputs: &Inputs<'_>, i: &PublicIncident) -> IncidentPageView {
    let impact = overall(inputs.incidents);
    IncidentPageView {
        name: inputs.name.to_owned(),
        indicator: impact.as_str(),
        built: time(inputs.now),
        incident: incident(i),
    }
}

fn builtin(name: &str) -> &'static str {
    match name {
        "status_page" => include_str!("../../templates/status_page.hbs"),
        _ => include_str!("../../templates/status_incident.hbs"),
    }
}

impl PageTemplates {
    /// The built-in page templates, each replaced by `dir/<name>.hbs` when that file exists.
    /// Every problem is reported, each naming its file and line: a template that does not
    /// parse, one that prints a value unescaped (in any spelling handlebars reads as one:
    /// `{{{…}}}`, `{{~{…}~}}`, `{{&…}}`, inside blocks and inline partials too), includes
    /// that form a loop (found before anything renders: rendering one would recurse until the
    /// stack overflows), and a template that does not render a full view.
    pub fn load(dir: Option<&Path>) -> Result<Self, Vec<TemplateProblem>> {
        let mut problems = Vec::new();
        let mut parsed = Vec::new();
        for name in PAGE_TEMPLATES {
            let custom = dir.map(|d| d.join(format!("{name}.hbs")));
            let (source, file) = match custom.filter(|p| p.exists()) {
                Some(path) => match std::fs::read_to_string(&path) {
                    Ok(source) => (source, path.display().to_string()),
                    Err(e) => {
                        problems.push(TemplateProblem {
                            file: path.display().to_string(),
                            line: None,
                            reason: format!("cannot read it: {e}"),
                        });
                        continue;
                    }
                },
                None => (builtin(name).to_owned(), format!("built-in {name}")),
            };
            // handlebars' own parser, so that what it would print raw is what is refused.
            match Template::compile(&source) {
                Ok(template) => {
                    problems.extend(refuse_unescaped(&file, &template));
                    parsed.push((name, file, template));
                }
                Err(e) => problems.push(TemplateProblem {
                    file,
                    line: e.pos().map(|(line, _)| line),
                    reason: e.reason().to_string(),
                }),
            }
        }
        let graph: Vec<(&str, String, &Template)> = parsed
            .iter()
            .map(|(name, file, t)| (*name, file.clone(), t))
            .collect();
        problems.extend(include_loops(&graph).problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        let mut files = Vec::new();
        for (name, file, template) in parsed {
            registry.register_template(name, template);
            files.push((name, file));
        }
        let templates = Self { registry };
        let file_of = |name: &str| {
            files
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, f)| f.clone())
                .unwrap_or_default()
        };
        let rendered = [
            ("status_page", templates.render_page(&PageView::sample())),
            (
                "status_incident",
                templates.render_incident(&IncidentPageView::sample()),
            ),
        ];
        for (name, result) in rendered {
            if let Err(e) = result {
                problems.push(TemplateProblem {
                    file: file_of(name),
                    line: e
                        .downcast_ref::<handlebars::RenderError>()
                        .and_then(|e| e.line_no),
                    reason: format!("{e:#}"),
                });
            }
        }
        if problems.is_empty() {
            Ok(templates)
        } else {
            Err(problems)
        }
    }

    /// Renders `/`.
    pub fn render_page(&self, view: &PageView) -> anyhow::Result<String> {
        self.registry
            .render("status_page", view)
            .context("rendering the status page")
    }

    /// Renders `/incidents/{number}`.
    pub fn render_incident(&self, view: &IncidentPageView) -> anyhow::Result<String> {
        self.registry
            .render("status_incident", view)
            .context("rendering an incident page")
    }
}

fn sample_incident() -> IncidentView {
    IncidentView {
        number: 7,
        name: "Problems with Login".into(),
        state: "investigating",
        impact: "critical",
        updates: vec![UpdateView {
            kind: "alert",
            at: time(DateTime::UNIX_EPOCH),
            text: "We are currently experiencing technical difficulties with Login.".into(),
        }],
    }
}

impl PageView {
    /// A view with every field filled, to prove the template renders.
    pub fn sample() -> Self {
        Self {
            name: "Service status".into(),
            indicator: "critical",
            built: time(DateTime::UNIX_EPOCH),
            systems: vec![SystemView {
                name: "Login".into(),
                status: "major_outage",
                days: vec![DayView { class: "critical" }],
                day_count: 1,
                bad_count: 1,
                bad: vec![BadDay {
                    day: "2026-03-14".into(),
                    status: "major_outage",
                }],
            }],
            open: vec![sample_incident()],
            maintenance: vec![WindowView {
                id: 1,
                title: "Database upgrade".into(),
                systems: "Login".into(),
                state: "scheduled",
                start: time(DateTime::UNIX_EPOCH),
                end: time(DateTime::UNIX_EPOCH),
                message: Some("Faster servers.".into()),
            }],
            past: vec![sample_incident()],
            days: 1,
        }
    }
}

impl IncidentPageView {
    /// A view with every field filled, to prove the template renders.
    pub fn sample() -> Self {
        Self {
            name: "Service status".into(),
            indicator: "critical",
            built: time(DateTime::UNIX_EPOCH),
            incident: sample_incident(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_templates_render_and_escape_text() {
        let t = PageTemplates::load(None).expect("built-in templates load");
        let mut view = PageView::sample();
        view.systems[0].name = "<script>alert(1)</script>\"' onload=x".into();
        let html = t.render_page(&view).expect("renders");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;"),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("<time datetime=\"1970-01-01T00:00:00.000Z\">"),
            "{html}"
        );
        let one = t
            .render_incident(&IncidentPageView::sample())
            .expect("renders");
        assert!(one.contains("technical difficulties with Login"), "{one}");
    }

    #[test]
    fn the_templates_word_the_states_and_kinds_the_views_carry_as_keys() {
        let t = PageTemplates::load(None).expect("built-in templates load");
        let html = t.render_page(&PageView::sample()).expect("renders");
        for words in [
            "Status: <strong>Investigating</strong>",
            "<strong>Service alert</strong>",
            "Status: <strong>Scheduled</strong>",
            "(Investigating)",
        ] {
            assert!(html.contains(words), "{words} in {html}");
        }
        let one = t
            .render_incident(&IncidentPageView::sample())
            .expect("renders");
        assert!(one.contains("<strong>Investigating</strong>"), "{one}");
        assert!(one.contains("<span>Service alert</span>"), "{one}");
    }

    /// The problems of loading the page templates with `files` as overrides.
    fn problems_with(files: &[(&str, &str)]) -> Vec<String> {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, body) in files {
            std::fs::write(dir.path().join(name), body).expect("write");
        }
        match PageTemplates::load(Some(dir.path())) {
            Ok(_) => Vec::new(),
            Err(list) => list.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn an_override_printing_a_value_raw_in_any_spelling_is_refused_at_its_line() {
        for (body, line) in [
            ("{{{name}}}", 1),
            ("<h1>\n{{~{name}~}}</h1>", 2),
            ("{{~{ name }}}", 1),
            ("{{&name}}", 1),
            ("{{~&name~}}", 1),
            (
                "{{#each systems}}\n{{#if name}}{{else}}{{{name}}}{{/if}}{{/each}}",
                2,
            ),
            ("{{#*inline \"x\"}}{{{name}}}{{/inline}}{{> x}}", 1),
            ("{{#> missing}}\n\n{{{name}}}{{/missing}}", 3),
        ] {
            let problems = problems_with(&[("status_page.hbs", body)]);
            assert_eq!(problems.len(), 1, "{body:?}: {problems:?}");
            assert!(
                problems[0].contains(&format!(
                    "status_page.hbs:{line}: `name` is written unescaped"
                )),
                "{body:?}: {problems:?}"
            );
        }
    }

    #[test]
    fn escaped_values_and_raw_blocks_of_template_text_are_accepted() {
        // A raw block prints its own text as written, never a value: not a way around escaping.
        let problems = problems_with(&[(
            "status_page.hbs",
            "{{name}} {{{{raw}}}}{{{name}}}{{{{/raw}}}} \\{{{name}}}",
        )]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn page_templates_including_each_other_in_a_loop_are_refused_before_rendering() {
        let problems = problems_with(&[("status_page.hbs", "{{name}}\n{{> status_page}}")]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("status_page.hbs:2: templates include each other in a loop"),
            "{problems:?}"
        );
        let problems = problems_with(&[
            ("status_page.hbs", "{{> status_incident}}"),
            (
                "status_incident.hbs",
                "{{#with incident}}{{/with}}{{> status_page}}",
            ),
        ]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("status_incident.hbs:1) includes `status_page`"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_page_template_that_does_not_parse_or_render_is_named() {
        let problems = problems_with(&[
            ("status_page.hbs", "{{#if name}}\nopen"),
            ("status_incident.hbs", "{{nosuchfield}}"),
        ]);
        assert_eq!(
            problems.len(),
            1,
            "parse problems stop before rendering: {problems:?}"
        );
        assert!(problems[0].contains("status_page.hbs"), "{problems:?}");
        let problems = problems_with(&[("status_incident.hbs", "{{nosuchfield}}")]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("status_incident.hbs:1: ") && problems[0].contains("nosuchfield"),
            "{problems:?}"
        );
    }
}
