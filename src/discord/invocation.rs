//! One command invocation, from its first check to its end: when it arrived (for the
//! acknowledgement latency), how it ended (for the command count), and a guard that keeps a
//! shutdown waiting until it is answered. Kept in poise's per-invocation data.

use std::time::Instant;

use super::Context;
use crate::metrics::Outcome;
use crate::shutdown::Busy;

/// What is known about the invocation so far.
struct Invocation {
    received: Instant,
    outcome: Option<Outcome>,
    acked: bool,
    _busy: Busy,
}

fn is_autocomplete(ctx: Context<'_>) -> bool {
    matches!(ctx, poise::Context::Application(a)
        if a.interaction_type == poise::CommandInteractionType::Autocomplete)
}

/// Starts tracking the invocation (once: checks run for each level of a subcommand).
/// Autocomplete requests are not commands and are not tracked.
pub(super) async fn begin(ctx: Context<'_>) {
    if is_autocomplete(ctx) || ctx.invocation_data::<Invocation>().await.is_some() {
        return;
    }
    let app = &ctx.data().app;
    ctx.set_invocation_data(Invocation {
        received: Instant::now(),
        outcome: None,
        acked: false,
        _busy: app.shutdown.busy(),
    })
    .await;
}

/// Records how the invocation ended, for [`finish`].
pub(super) async fn set_outcome(ctx: Context<'_>, outcome: Outcome) {
    if let Some(mut inv) = ctx.invocation_data::<Invocation>().await {
        inv.outcome = Some(outcome);
    }
}

/// Discord accepted the first answer: observes the latency since arrival, once.
pub(super) async fn acked(ctx: Context<'_>) {
    if let Some(mut inv) = ctx.invocation_data::<Invocation>().await {
        if !inv.acked {
            inv.acked = true;
            let took = inv.received.elapsed().as_secs_f64();
            ctx.data().app.metrics.ack.observe(&[], took);
        }
    }
}

/// Counts the command with the outcome recorded, or `fallback` when none was.
pub(super) async fn finish(ctx: Context<'_>, fallback: Outcome) {
    let outcome = match ctx.invocation_data::<Invocation>().await {
        Some(inv) => inv.outcome.unwrap_or(fallback),
        None => return,
    };
    let name = &ctx.command().qualified_name;
    ctx.data().app.metrics.command(name, outcome);
}
