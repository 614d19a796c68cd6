//! The bodies of runbook actions: a `[[actions]]` body is a handlebars template of JSON, filled
//! from the incident and the person who pressed. Every value is escaped for a JSON string
//! (`{{incident.title}}` between quotes), or written as a whole JSON value with
//! `{{json incident.systems}}`; `{{{…}}}` is refused, and what renders must parse as JSON, so
//! a hostile title can never add a field or end the document. The inputs of a workflow and
//! the variables of a pipeline are plain text templates, put into JSON built from typed values.

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};
use serde::Serialize;
use serde_json::Value;

/// What an action's templates can name.
#[derive(Debug, Clone, Serialize)]
pub struct ActionFacts {
    /// The incident.
    pub incident: IncidentFacts,
    /// Who pressed, by their display name.
    pub by: String,
    /// The run's idempotency key, the same on every retry of this run.
    pub run_id: String,
    /// The action's id.
    pub action: String,
    /// `on` or `off` when the bot runs it as `[maintenance] hook` (a window starts or ends),
    /// else empty.
    pub maintenance: String,
}

/// The incident, as an action's templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentFacts {
    /// Its number.
    pub number: u32,
    /// `P0` … `P3`.
    pub severity: String,
    /// `availability` or `security`.
    pub kind: String,
    /// Its title, as typed.
    pub title: String,
    /// The affected systems.
    pub systems: Vec<String>,
    /// The same, joined with `, `.
    pub systems_text: String,
}

impl ActionFacts {
    /// Facts with quotes, backslashes, braces and a line break in every text: what `check`
    /// renders each template with, so a template that would break on them is refused then.
    pub fn hostile_sample() -> Self {
        let nasty = "a \"quoted\" \\ {brace} </script>\nline";
        Self {
            incident: IncidentFacts {
                number: 42,
                severity: "P0".into(),
                kind: "availability".into(),
                title: nasty.into(),
                systems: vec![nasty.into(), "Login".into()],
                systems_text: format!("{nasty}, Login"),
            },
            by: nasty.into(),
            run_id: "inc-42-snapshot-db-1".into(),
            action: "snapshot-db".into(),
            maintenance: "on".into(),
        }
    }
}

/// `s` escaped for the inside of a JSON string.
fn json_escape(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len().saturating_sub(1)].to_owned()
}

/// `{{json value}}`: the value as a whole JSON document (an array, a number, a quoted string).
fn json_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let value = h
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("json", 0))?;
    let text = serde_json::to_string(value.value())
        .map_err(|e| RenderErrorReason::Other(e.to_string()))?;
    out.write(&text)?;
    Ok(())
}

fn registry(json: bool) -> Handlebars<'static> {
    let mut h = Handlebars::new();
    h.set_strict_mode(true);
    if json {
        h.register_escape_fn(json_escape);
        h.register_helper("json", Box::new(json_helper));
    } else {
        h.register_escape_fn(handlebars::no_escape);
    }
    h
}

/// Renders a JSON body template; the result is parsed, so only JSON comes out.
pub fn render_json_body(template: &str, facts: &ActionFacts) -> Result<Value, String> {
    if template.contains("{{{") {
        return Err(
            "the body prints a value with {{{ }}}, which is not escaped for JSON: \
                    write {{ }} (inside quotes) or {{json …}}"
                .into(),
        );
    }
    let text = registry(true)
        .render_template(template, facts)
        .map_err(|e| format!("the body does not render: {}", e.reason()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "the body is not JSON once rendered ({e}): put each {{{{value}}}} inside quotes, \
             or write {{{{json value}}}}"
        )
    })
}

/// Renders a plain text template (a workflow input, a pipeline variable).
pub fn render_text(template: &str, facts: &ActionFacts) -> Result<String, String> {
    registry(false)
        .render_template(template, facts)
        .map_err(|e| format!("`{template}` does not render: {}", e.reason()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_title_stays_inside_its_string() {
        let facts = ActionFacts::hostile_sample();
        let body = render_json_body(
            r#"{"title": "{{incident.title}}", "n": {{incident.number}}, "systems": {{json incident.systems}}}"#,
            &facts,
        )
        .expect("renders");
        assert_eq!(body["title"], facts.incident.title.as_str());
        assert_eq!(body["n"], 42);
        assert_eq!(body["systems"][1], "Login");
        assert_eq!(body.as_object().map(|o| o.len()), Some(3));
    }

    #[test]
    fn a_template_that_is_not_json_or_names_nothing_known_is_refused() {
        let facts = ActionFacts::hostile_sample();
        assert!(render_json_body(r#"{"t": {{incident.title}}}"#, &facts).is_err());
        assert!(render_json_body(r#"{"t": "{{incident.nope}}"}"#, &facts).is_err());
        assert!(render_json_body(r#"{"t": "{{{incident.title}}}"}"#, &facts).is_err());
        assert_eq!(
            render_text("inc-{{incident.number}}", &facts).as_deref(),
            Ok("inc-42")
        );
    }
}
