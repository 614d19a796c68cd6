//! Answers to the person who ran a command: ephemeral, never pinging anyone, and for internal
//! errors an apology with an error id that is also in the log.

use poise::serenity_prelude as serenity;
use poise::CreateReply;

use super::invocation;
use super::metered::{metered, route};
use super::{Context, Error};
use crate::app::AppError;
use crate::domain::{Actor, RoleId, UserId};
use crate::metrics::Outcome;

/// Whether Discord has had no answer to this interaction yet.
fn unanswered(ctx: Context<'_>) -> bool {
    match ctx {
        poise::Context::Application(a) => !a
            .has_sent_initial_response
            .load(std::sync::atomic::Ordering::SeqCst),
        poise::Context::Prefix(_) => false,
    }
}

/// Acknowledges the interaction with "thinking…", visible to its user only: the first answer,
/// for commands that call Discord or wait on the queue before they know what to say.
pub async fn defer(ctx: Context<'_>) -> Result<(), Error> {
    let first = unanswered(ctx);
    let metrics = &ctx.data().app.metrics;
    metered(metrics, "POST", route::CALLBACK, ctx.defer_ephemeral()).await?;
    if first {
        invocation::acked(ctx).await;
    }
    Ok(())
}

/// Sends `text` to the user who ran the command, visible to them only.
pub async fn say(ctx: Context<'_>, text: impl Into<String>) -> Result<(), Error> {
    let reply = CreateReply::default()
        .content(crate::render::cap(
            &text.into(),
            crate::render::MESSAGE_LIMIT,
        ))
        .ephemeral(true)
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    let first = unanswered(ctx);
    let route = if first {
        route::CALLBACK
    } else {
        route::FOLLOWUP
    };
    metered(&ctx.data().app.metrics, "POST", route, ctx.send(reply)).await?;
    if first {
        invocation::acked(ctx).await;
    }
    Ok(())
}

/// Answers with the outcome of a use case: its text, the refusal, or an apology with an id.
pub async fn outcome(ctx: Context<'_>, result: Result<String, AppError>) -> Result<(), Error> {
    match result {
        Ok(text) => say(ctx, text).await,
        Err(AppError::User(e)) => {
            invocation::set_outcome(ctx, Outcome::Refused).await;
            say(ctx, format!("⛔ {e}")).await
        }
        Err(AppError::Internal(e)) => apologise(ctx, &e).await,
        Err(AppError::Unavailable(e)) => {
            invocation::set_outcome(ctx, Outcome::Error).await;
            tracing::warn!(
                command = %ctx.command().qualified_name,
                error = %super::error_chain(&e),
                "command met the database down"
            );
            say(ctx, UNAVAILABLE.to_owned()).await
        }
    }
}

/// What a person hears while the database is not answering.
pub const UNAVAILABLE: &str =
    "⏳ The database is not answering right now. Try again in a moment (if you see the change \
     after all, it went through before the database stopped answering).";

/// Logs an internal error under a new error id and gives the user that id.
pub async fn apologise(ctx: Context<'_>, error: &anyhow::Error) -> Result<(), Error> {
    invocation::set_outcome(ctx, Outcome::Error).await;
    let id = error_id(ctx.id());
    tracing::error!(
        error_id = %id,
        command = %ctx.command().qualified_name,
        error = %super::error_chain(error),
        "command failed"
    );
    say(ctx, format!("Something went wrong on our side and nothing was changed. Error id: `{id}` (give it to whoever runs the bot).")).await
}

/// A short id for an error, unique per interaction.
pub fn error_id(interaction: u64) -> String {
    format!("E{interaction:x}")
}

/// The person running the command, with their roles, from the interaction's member data.
pub async fn actor(ctx: Context<'_>) -> Result<Actor, Error> {
    let user = UserId::new(ctx.author().id.get()).ok_or_else(|| anyhow::anyhow!("user id 0"))?;
    let roles = match ctx.author_member().await {
        Some(member) => member
            .roles
            .iter()
            .filter_map(|r| RoleId::new(r.get()))
            .collect(),
        None => Vec::new(),
    };
    Ok(Actor { user, roles })
}
