//! A press on the players' alerts buttons: the use case gives or takes the alert role through
//! the `Chat` port, and the player reads the answer where only they see it.

use std::sync::Arc;
use std::time::Duration;

use serenity::all as serenity;

use super::{say_to_clicker, Arrival};
use crate::app::{self, TimedChat};
use crate::discord::ask::Reach;
use crate::discord::chat::SerenityChat;
use crate::discord::{Data, Error};
use crate::domain::UserId;

/// How long the role change may take: the answer must reach Discord within its 3 seconds.
const ROLE_TIMEOUT: Duration = Duration::from_millis(2_000);

/// Answers a press on **Notify me of outages** or **Stop notifying me**.
pub(super) async fn alerts_click(
    reach: &Reach,
    click: &serenity::ComponentInteraction,
    data: &Data,
    arrival: &Arrival<'_>,
    about: &str,
) -> Result<(), Error> {
    let app = &data.app;
    let user = UserId::new(click.user.id.get()).ok_or_else(|| anyhow::anyhow!("user id 0"))?;
    let chat = SerenityChat::new(
        reach.http.clone(),
        app.settings.discord.guild_id,
        app.metrics.clone(),
    );
    let chat = TimedChat::new(Arc::new(chat), ROLE_TIMEOUT);
    let result = app::alerts_click(app, &chat, user, about).await;
    say_to_clicker(reach, click, data, arrival, result).await
}
