//! The message context-menu command "Add to timeline".

use poise::serenity_prelude as serenity;

use super::super::reply::{actor, outcome};
use super::super::{noted, Context, Error};
use crate::app;

/// Adds the message to its incident's timeline, with its author and original time.
#[poise::command(context_menu_command = "Add to timeline", guild_only)]
pub async fn add_to_timeline(ctx: Context<'_>, message: serenity::Message) -> Result<(), Error> {
    super::super::reply::defer(ctx).await?;
    let actor = actor(ctx).await?;
    let result = match noted(&message) {
        Ok(m) => app::note_message(&ctx.data().app, &actor, m)
            .await
            .map(|added| {
                if added {
                    "Added to the timeline.".to_owned()
                } else {
                    "That message is on the timeline already.".to_owned()
                }
            }),
        Err(e) => Err(e),
    };
    outcome(ctx, result).await
}
