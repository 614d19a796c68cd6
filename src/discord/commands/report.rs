//! The message context-menu command "Report as incident": a responder turns a player's message
//! (in #support, say) into an incident. A context-menu target carries its words without the
//! Message Content intent, so the form opens prefilled with them.

use serenity::all as serenity;

use super::super::ask::Ask;
use super::super::Error;
use super::spec::{BoxFuture, Invoked, Options, Spec};
use crate::domain::{FreeText, IncidentTitle};
use crate::render::{Label, Templates};

/// The custom id prefix of the report form: `report:<channel>:<message>`.
pub const REPORT_FORM: &str = "report";

/// The form's text inputs.
pub mod field {
    /// The incident's title.
    pub const TITLE: &str = "title";
    /// P0 … P3.
    pub const SEVERITY: &str = "severity";
    /// Comma-separated systems.
    pub const SYSTEMS: &str = "systems";
    /// What the report says.
    pub const SUMMARY: &str = "summary";
}

/// The message menu's "Report as incident".
pub const SPEC: Spec = Spec {
    command: "Report as incident",
    sub: None,
    invoked: Invoked::MessageMenu,
    description: "",
    params: &[],
    run: report_as_incident,
};

/// The message a context-menu command was run on.
pub(super) fn target<'a>(ask: &'a Ask<'a>) -> Result<&'a serenity::Message, Error> {
    match ask.interaction.data.target() {
        Some(serenity::ResolvedTarget::Message(message)) => Ok(message),
        _ => Err(super::spec::Mismatch("message").into()),
    }
}

/// Opens a form to declare an incident from a player's message, prefilled with its words. The
/// form is the first answer to the command: a modal cannot follow a defer.
fn report_as_incident<'a>(ask: &'a Ask<'a>, _: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let form = form(&ask.data.app.templates, target(ask)?);
        ask.modal(form).await
    })
}

/// The report form for `message`.
fn form(templates: &Templates, message: &serenity::Message) -> serenity::CreateModal {
    let said = |label| templates.label(&label);
    let words = message.content.trim();
    let title: String = words
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(IncidentTitle::MAX)
        .collect();
    let summary: String = words.chars().take(FreeText::MAX).collect();
    let input = |id, label, style| serenity::CreateInputText::new(style, label, id);
    let short = serenity::InputTextStyle::Short;
    let mut title_input = input(field::TITLE, said(Label::ReportTitleField), short)
        .max_length(u16::try_from(IncidentTitle::MAX).unwrap_or(u16::MAX))
        .required(true);
    if !title.is_empty() {
        title_input = title_input.value(title);
    }
    let mut summary_input = input(
        field::SUMMARY,
        said(Label::ReportSummaryField),
        serenity::InputTextStyle::Paragraph,
    )
    .max_length(u16::try_from(FreeText::MAX).unwrap_or(u16::MAX))
    .required(false);
    if !summary.is_empty() {
        summary_input = summary_input.value(summary);
    }
    let rows = vec![
        title_input,
        input(field::SEVERITY, said(Label::ReportSeverityField), short)
            .value("P2")
            .min_length(2)
            .max_length(2),
        input(field::SYSTEMS, said(Label::ReportSystemsField), short)
            .required(false)
            .placeholder(said(Label::ReportSystemsHint)),
        summary_input,
    ];
    serenity::CreateModal::new(
        format!("{REPORT_FORM}:{}:{}", message.channel_id, message.id),
        said(Label::ReportTitle),
    )
    .components(
        rows.into_iter()
            .map(serenity::CreateActionRow::InputText)
            .collect(),
    )
}
