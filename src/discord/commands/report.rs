//! The message context-menu command "Report as incident": a responder turns a player's message
//! (in #support, say) into an incident. A context-menu target carries its words without the
//! Message Content intent, so the form opens prefilled with them.

use poise::serenity_prelude as serenity;

use super::super::metered::{metered, route};
use super::super::{Context, Error};
use crate::domain::{FreeText, IncidentTitle};

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

/// Opens a form to declare an incident from a player's message, prefilled with its words. The
/// form is the first answer to the command: a modal cannot follow a defer.
#[poise::command(context_menu_command = "Report as incident", guild_only)]
pub async fn report_as_incident(ctx: Context<'_>, message: serenity::Message) -> Result<(), Error> {
    let poise::Context::Application(app_ctx) = ctx else {
        return Ok(());
    };
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
    let mut title_input = input(field::TITLE, "Title: what is broken, in a few words", short)
        .max_length(u16::try_from(IncidentTitle::MAX).unwrap_or(u16::MAX))
        .required(true);
    if !title.is_empty() {
        title_input = title_input.value(title);
    }
    let mut summary_input = input(
        field::SUMMARY,
        "What the report says",
        serenity::InputTextStyle::Paragraph,
    )
    .max_length(u16::try_from(FreeText::MAX).unwrap_or(u16::MAX))
    .required(false);
    if !summary.is_empty() {
        summary_input = summary_input.value(summary);
    }
    let rows = vec![
        title_input,
        input(field::SEVERITY, "Severity: P0, P1, P2 or P3", short)
            .value("P2")
            .min_length(2)
            .max_length(2),
        input(field::SYSTEMS, "Affected systems, comma-separated", short)
            .required(false)
            .placeholder("Login, Matchmaking"),
        summary_input,
    ];
    let modal = serenity::CreateModal::new(
        format!("{REPORT_FORM}:{}:{}", message.channel_id, message.id),
        "Report as incident",
    )
    .components(
        rows.into_iter()
            .map(serenity::CreateActionRow::InputText)
            .collect(),
    );
    let answer = app_ctx
        .interaction
        .create_response(ctx, serenity::CreateInteractionResponse::Modal(modal));
    metered(&ctx.data().app.metrics, "POST", route::CALLBACK, answer).await?;
    app_ctx
        .has_sent_initial_response
        .store(true, std::sync::atomic::Ordering::SeqCst);
    Ok(())
}
