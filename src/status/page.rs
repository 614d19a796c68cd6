//! The HTML pages: handlebars templates in `templates/` with HTML escaping, from view models.

use std::path::Path;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use handlebars::Handlebars;
use serde::Serialize;

use super::build::{overall, Inputs, PublicIncident, SystemState};
use super::statuspage::{iso, Impact};
use crate::store::AnnouncementKind;

/// The page templates, by file stem: overridable from `[templates] dir` like the messages.
pub const PAGE_TEMPLATES: [&str; 2] = ["status_page", "status_incident"];

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
    words: &'static str,
    days: Vec<DayView>,
    /// The strip's text alternative.
    history: String,
}

#[derive(Debug, Clone, Serialize)]
struct UpdateView {
    label: &'static str,
    at: TimeView,
    text: String,
}

#[derive(Debug, Clone, Serialize)]
struct IncidentView {
    number: u32,
    name: String,
    state: &'static str,
    impact: &'static str,
    updates: Vec<UpdateView>,
}

/// `/`.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    name: String,
    headline: &'static str,
    indicator: &'static str,
    built: TimeView,
    systems: Vec<SystemView>,
    open: Vec<IncidentView>,
    past: Vec<IncidentView>,
    days: i64,
}

/// `/incidents/{number}`.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentPageView {
    name: String,
    headline: &'static str,
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

fn label(kind: AnnouncementKind) -> &'static str {
    match kind {
        AnnouncementKind::Alert => "Service alert",
        AnnouncementKind::Update => "Update",
        AnnouncementKind::AllClear => "All clear",
    }
}

fn incident(i: &PublicIncident) -> IncidentView {
    IncidentView {
        number: i.number,
        name: i.name(),
        state: i.state().words(),
        impact: i.impact().as_str(),
        updates: i
            .updates
            .iter()
            .rev()
            .map(|u| UpdateView {
                label: label(u.kind),
                at: time(u.at),
                text: u.text.clone(),
            })
            .collect(),
    }
}

fn history(s: &SystemState) -> String {
    let bad: Vec<String> = s
        .days
        .iter()
        .filter_map(|(day, impact)| {
            impact.map(|i| format!("{day}: {}", i.component_words().to_lowercase()))
        })
        .collect();
    if bad.is_empty() {
        format!("No incidents in the last {} days.", s.days.len())
    } else {
        format!(
            "Incidents on {} of the last {} days: {}.",
            bad.len(),
            s.days.len(),
            bad.join("; ")
        )
    }
}

pub(super) fn page_view(inputs: &Inputs<'_>, systems: &[SystemState], impact: Impact) -> PageView {
    PageView {
        name: inputs.name.to_owned(),
        headline: impact.headline(),
        indicator: impact.as_str(),
        built: time(inputs.now),
        systems: systems
            .iter()
            .map(|s| SystemView {
                name: s.name.clone(),
                status: s.impact.component_status(),
                words: s.impact.component_words(),
                days: s
                    .days
                    .iter()
                    .map(|(_, i)| DayView { class: class(*i) })
                    .collect(),
                history: history(s),
            })
            .collect(),
        open: inputs
            .incidents
            .iter()
            .filter(|i| i.unresolved())
            .map(incident)
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
        headline: impact.headline(),
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
    /// A template printing a value with `{{{ }}}` is refused: every value is text.
    pub fn load(dir: Option<&Path>) -> anyhow::Result<Self> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        for name in PAGE_TEMPLATES {
            let custom = dir.map(|d| d.join(format!("{name}.hbs")));
            let (source, file) = match custom.filter(|p| p.exists()) {
                Some(path) => (
                    std::fs::read_to_string(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?,
                    path.display().to_string(),
                ),
                None => (builtin(name).to_owned(), format!("built-in {name}")),
            };
            if source.contains("{{{") || source.contains("{{&") {
                anyhow::bail!(
                    "{file}: prints a value unescaped ({{{{{{ }}}}}} or {{{{& }}}}): write {{{{ }}}} instead"
                );
            }
            registry
                .register_template_string(name, source)
                .with_context(|| format!("{file} does not parse"))?;
        }
        let templates = Self { registry };
        templates
            .render_page(&PageView::sample())
            .context("the status page template does not render")?;
        templates
            .render_incident(&IncidentPageView::sample())
            .context("the incident page template does not render")?;
        Ok(templates)
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
        state: "Investigating",
        impact: "critical",
        updates: vec![UpdateView {
            label: "Service alert",
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
            headline: "Major outage",
            indicator: "critical",
            built: time(DateTime::UNIX_EPOCH),
            systems: vec![SystemView {
                name: "Login".into(),
                status: "major_outage",
                words: "Major outage",
                days: vec![DayView { class: "critical" }],
                history: "Incidents on 1 of the last 1 days.".into(),
            }],
            open: vec![sample_incident()],
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
            headline: "Major outage",
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
    fn an_override_printing_raw_values_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("status_page.hbs"), "{{{name}}}").expect("write");
        let err = PageTemplates::load(Some(dir.path())).expect_err("refused");
        assert!(err.to_string().contains("status_page.hbs"), "{err}");
    }
}
