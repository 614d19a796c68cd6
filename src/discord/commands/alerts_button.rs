//! `/incident alerts-button`: posts the players' alerts buttons in the announcement channel
//! (or updates the message posted before). The rules are in `app::alerts_button`.

use super::super::ask::Ask;
use super::super::chat::SerenityChat;
use super::super::Error;
use super::spec::{BoxFuture, Options, Spec};
use crate::app;

/// `/incident alerts-button`.
pub const SPEC: Spec = Spec::sub(
    super::incident::GROUP.command,
    "alerts-button",
    "Post the players' Notify me of outages button in the announcement channel (commanders).",
    &[],
    post,
);

fn post<'a>(ask: &'a Ask<'a>, _: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        ask.defer().await?;
        let actor = ask.actor()?;
        let app = ask.app();
        let chat = SerenityChat::new(
            ask.reach.http.clone(),
            app.settings.discord.guild_id,
            app.metrics.clone(),
        );
        let result = app::post_alerts_button(app, &chat, &actor).await;
        ask.outcome(result).await
    })
}
