//! What the person sees when a command cannot run as sent: an ephemeral answer that says what
//! to do, never a public message and never silence that Discord shows as "did not respond".

use poise::FrameworkError;

use super::{error_chain, invocation, redact, reply, Context, Data, Error};
use crate::metrics::Outcome;

/// The answer while the bot is shutting down: it takes no new work, and will be back shortly.
pub const RESTARTING: &str =
    "⏳ The bot is restarting: try again in a few seconds. Nothing was changed.";

/// The answer from a replica whose lease on the gateway may have run out (it hung, or lost the
/// database): another replica takes the gateway over, or has already.
pub const HANDING_OVER: &str =
    "⏳ The bot is moving to another server: try again in a few seconds. Nothing was changed.";

/// The advice when Discord sent options the bot's definition of the command does not have.
const STALE: &str = "Discord may be showing an old version of this command: reload Discord \
    (Ctrl+R, or restart the app) and run it again. Nothing was changed.";

/// The check every command passes first: it starts tracking the invocation, refuses new work
/// while the bot shuts down, and refuses options the command does not define.
pub async fn command_check(ctx: Context<'_>) -> Result<bool, Error> {
    invocation::begin(ctx).await;
    let autocomplete = matches!(ctx, poise::Context::Application(a)
        if a.interaction_type == poise::CommandInteractionType::Autocomplete);
    let fence = &ctx.data().fence;
    if !fence.holds() {
        // Fenced: act on nothing, since another replica may be acting on the gateway now, or
        // may be about to while this one takes its lease back from a database that stopped
        // answering.
        if !autocomplete {
            if fence.suspended() {
                invocation::set_outcome(ctx, Outcome::Error).await;
                reply::say(ctx, reply::UNAVAILABLE).await?;
            } else {
                invocation::set_outcome(ctx, Outcome::Restarting).await;
                reply::say(ctx, HANDING_OVER).await?;
            }
        }
        return Ok(false);
    }
    if ctx.data().app.shutdown.is_triggered() && !autocomplete {
        invocation::set_outcome(ctx, Outcome::Restarting).await;
        reply::say(ctx, RESTARTING).await?;
        return Ok(false);
    }
    known_options(ctx).await
}

/// Refuses an invocation carrying options the command does not define, before any of it runs.
/// Discord only sends those from a client that still shows an older definition.
async fn known_options(ctx: Context<'_>) -> Result<bool, Error> {
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
    invocation::set_outcome(ctx, Outcome::Invalid).await;
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

/// Answers every framework error to the person who ran the command, visible to them only, and
/// counts the command with how it ended.
pub async fn on_error(error: FrameworkError<'_, Data, Error>) {
    let counted = error.ctx().map(|ctx| {
        let fallback = match &error {
            FrameworkError::ArgumentParse { .. }
            | FrameworkError::CommandStructureMismatch { .. }
            | FrameworkError::CommandCheckFailed { .. } => Outcome::Invalid,
            _ => Outcome::Error,
        };
        (ctx, fallback)
    });
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
        // A check that failed to run (its answer did not go through, say): poise's handler
        // would log the error's Display, which for reqwest's is the URL with the interaction's
        // token in it.
        FrameworkError::CommandCheckFailed {
            error: Some(error),
            ctx,
            ..
        } => reply::apologise(ctx, &error).await,
        other => unexpected(other).await,
    };
    if let Err(why) = sent {
        tracing::warn!(error = %error_chain(&why), "could not tell the user their command failed");
    }
    if let Some((ctx, fallback)) = counted {
        invocation::finish(ctx, fallback).await;
    }
}

/// Every other framework error, none of which poise's own handler is given: logged redacted
/// (poise's words for each name the command, never the cause), and the person who ran the
/// command, if any, told that nothing was done, with an error id.
async fn unexpected(error: FrameworkError<'_, Data, Error>) -> Result<(), Error> {
    let what = redact(&error.to_string());
    match error.ctx() {
        Some(ctx) => reply::apologise(ctx, &anyhow::anyhow!(what)).await,
        None => {
            // An interaction or message no command of this version knows, mostly.
            tracing::warn!(error = %what, "the command framework could not handle an event");
            Ok(())
        }
    }
}
