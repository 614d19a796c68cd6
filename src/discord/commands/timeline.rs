//! The message context-menu command "Add to timeline".

use super::super::ask::Ask;
use super::super::{noted, Error};
use super::spec::{BoxFuture, Invoked, Options, Spec};
use crate::app;

/// The message menu's "Add to timeline".
pub const SPEC: Spec = Spec {
    command: "Add to timeline",
    sub: None,
    invoked: Invoked::MessageMenu,
    description: "",
    params: &[],
    run: add_to_timeline,
};

/// Adds the message to its incident's timeline, with its author and original time.
fn add_to_timeline<'a>(ask: &'a Ask<'a>, _: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let message = super::report::target(ask)?;
        ask.defer().await?;
        let actor = ask.actor()?;
        let result = match noted(message) {
            Ok(m) => app::note_message(ask.app(), &actor, m)
                .await
                .and_then(|added| {
                    let already = !added;
                    app::answer(ask.app(), crate::render::TimelineAnswer { already })
                }),
            Err(e) => Err(e),
        };
        ask.outcome(result).await
    })
}
