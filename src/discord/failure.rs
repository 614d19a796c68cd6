//! What the person sees when a command cannot run as sent: an ephemeral answer that says what
//! to do, never a public message and never silence that Discord shows as "did not respond".

use poise::FrameworkError;

use super::{error_chain, reply, Context, Data, Error};

/// The advice when Discord sent options the bot's definition of the command does not have.
const STALE: &str = "Discord may be showing an old version of this command: reload Discord \
    (Ctrl+R, or restart the app) and run it again. Nothing was changed.";

/// Refuses an invocation carrying options the command does not define, before any of it runs.
/// Discord only sends those from a client that still shows an older definition.
pub async fn known_options(ctx: Context<'_>) -> Result<bool, Error> {
    let poise::Context::Application(app) = ctx else {
        return Ok(true);
    };
    let unknown: Vec<String> = app
        .args
        .iter()
        .filter(|arg| !app.command().parameters.iter().any(|p| p.name == arg.name))
        .map(|arg| format!("`{}`", arg.name))
        .collect();
    if unknown.is_empty() {
        return Ok(true);
    }
    reply::say(
        ctx,
        format!(
            "⛔ `/{}` has no option {}. {STALE}",
            ctx.command().qualified_name,
            unknown.join(", ")
        ),
    )
    .await?;
    Ok(false)
}

/// Answers every framework error to the person who ran the command, visible to them only.
pub async fn on_error(error: FrameworkError<'_, Data, Error>) {
    let sent = match error {
        FrameworkError::Command { error, ctx, .. } => reply::apologise(ctx, &error).await,
        FrameworkError::ArgumentParse { error, ctx, .. } => {
            reply::say(
                ctx,
                format!("⛔ An option could not be read: {error}. {STALE}"),
            )
            .await
        }
        FrameworkError::CommandStructureMismatch {
            description, ctx, ..
        } => {
            reply::say(
                poise::Context::Application(ctx),
                format!("⛔ The options do not match this command ({description}). {STALE}"),
            )
            .await
        }
        // poise's own handler prints these with Display, which hides the cause (and a URL
        // with a token, should a later version print one); log the redacted chain instead.
        FrameworkError::EventHandler { error, event, .. } => {
            tracing::error!(event = event.snake_case_name(), error = %error_chain(&error), "event handler failed");
            Ok(())
        }
        FrameworkError::Setup { error, .. } => {
            tracing::error!(error = %error_chain(&error), "setup after connecting failed");
            Ok(())
        }
        FrameworkError::CommandCheckFailed {
            error: None, ctx, ..
        } => {
            // `known_options` has already answered.
            tracing::debug!(command = %ctx.command().qualified_name, "command refused by a check");
            Ok(())
        }
        other => poise::builtins::on_error(other).await.map_err(Into::into),
    };
    if let Err(why) = sent {
        tracing::warn!(error = %error_chain(&why), "could not tell the user their command failed");
    }
}
