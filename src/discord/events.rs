//! What the gateway delivers: the first READY registers the commands; interactions go to the
//! same handler as `POST /interactions`; 📌 reactions, the reports channel's messages and
//! scheduled events' changes (maintenance windows) and Discord's safety signals (raids, DM
//! spam, AutoMod) go to their use cases. Nothing is acted on while this replica's gateway lease may have run out.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use serenity::all as serenity;

use super::ask::Reach;
use super::{error_chain, Data, TIMELINE_EMOJI};
use crate::discord::commands::Via;

/// The bot's serenity event handler.
pub struct Events {
    data: Arc<Data>,
}

impl Events {
    /// Handles events with `data`.
    pub fn new(data: Arc<Data>) -> Self {
        Self { data }
    }

    /// Whether this replica may act on an event; says so in the log when it may not.
    fn may_act(&self, event: &str) -> bool {
        let holds = self.data.fence.holds();
        if !holds {
            // Another replica may own the gateway by now: this one does nothing until it stops.
            tracing::info!(
                event,
                "ignored a gateway event: this replica's lease on the gateway may have run out"
            );
        }
        holds
    }
}

#[serenity::async_trait]
impl serenity::EventHandler for Events {
    async fn ready(&self, ctx: serenity::Context, ready: serenity::Ready) {
        let app = &self.data.app;
        // The first READY is the start; every later one is a session begun again (counted
        // first: the session is ready, whatever the portal check below takes).
        if self.data.connected_once.swap(true, Ordering::Relaxed) {
            app.metrics.gateway_reconnects.inc(&[]);
            // The portal's setting may have changed while the session was down.
            super::endpoint::check_portal(&ctx.http, app).await;
            return;
        }
        tracing::info!(user = %ready.user.name, "connected to Discord");
        // A registration that fails (Discord slow or down) must not leave the bot deaf: the
        // commands registered last time still arrive, and the next start tries again (the
        // definitions are remembered only once registered).
        if let Err(e) = super::register_if_changed(&ctx.http, app).await {
            tracing::error!(
                error = %error_chain(&e),
                "could not register the commands; serving those registered before"
            );
        }
        super::setup::warn_if_exposed(&ctx.http, &app.settings).await;
        super::endpoint::check_portal(&ctx.http, app).await;
    }

    async fn resume(&self, _: serenity::Context, _: serenity::ResumedEvent) {
        self.data.app.metrics.gateway_reconnects.inc(&[]);
    }

    async fn interaction_create(&self, ctx: serenity::Context, interaction: serenity::Interaction) {
        let reach = Reach {
            http: ctx.http.clone(),
            cache: Some(ctx.cache.clone()),
        };
        // A command is answered even when fenced (it is told to try again); the rest is not.
        let command = matches!(interaction, serenity::Interaction::Command(_));
        if command || self.may_act("interaction_create") {
            super::endpoint::handle(&self.data, &reach, interaction, Via::Gateway).await;
        }
    }

    async fn reaction_add(&self, ctx: serenity::Context, reaction: serenity::Reaction) {
        if reaction.emoji.unicode_eq(TIMELINE_EMOJI) && self.may_act("reaction_add") {
            if let Err(e) = super::note_reaction(&ctx, &reaction, &self.data).await {
                tracing::warn!(error = %error_chain(&e), "could not add a 📌 message to the timeline");
            }
        }
    }

    /// Discord starts and completes a maintenance window's EXTERNAL event itself at its
    /// times (or someone ends or cancels it in the client): the window follows.
    async fn guild_scheduled_event_update(
        &self,
        _: serenity::Context,
        event: serenity::ScheduledEvent,
    ) {
        if !self.may_act("guild_scheduled_event_update") {
            return;
        }
        let Some((id, status)) = super::chat::event_status(&event) else {
            return;
        };
        if let Err(e) = crate::app::event_changed(&self.data.app, id, status).await {
            tracing::warn!(error = %e, "could not follow a scheduled event's change");
        }
    }

    /// Discord's own raid and DM-spam detections arrive in the guild's `incidents_data`.
    async fn guild_update(
        &self,
        _: serenity::Context,
        _: Option<serenity::Guild>,
        guild: serenity::PartialGuild,
    ) {
        if guild.id.get() != self.data.app.settings.discord.guild_id.get()
            || !self.may_act("guild_update")
        {
            return;
        }
        for signal in super::signals::detections(guild.incidents_data.as_ref()) {
            super::signals::take(&self.data.app, &signal).await;
        }
    }

    /// AutoMod acted on a member: a triage card, one per rule within the dedup window.
    async fn auto_moderation_action_execution(
        &self,
        _: serenity::Context,
        execution: serenity::ActionExecution,
    ) {
        if execution.guild_id.get() != self.data.app.settings.discord.guild_id.get()
            || !self.may_act("auto_moderation_action_execution")
        {
            return;
        }
        if let Some(signal) = super::signals::automod(&execution, self.data.app.clock.now()) {
            super::signals::take(&self.data.app, &signal).await;
        }
    }

    async fn message(&self, _: serenity::Context, message: serenity::Message) {
        if self.data.app.settings.intake.reports_channel.is_some() && self.may_act("message") {
            super::player_message(&message, &self.data).await;
        }
    }
}
