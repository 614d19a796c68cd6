//! The `ServerGuard` port over serenity's Http: the guild's incident actions (`PUT
//! /guilds/{id}/incident-actions`, both fields always sent) and channels' slow-mode.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;
use serenity::all as serenity;

use super::chat::{classify, denied};
use super::metered::metered;
use crate::app::{ChatError, Pauses, ServerGuard};
use crate::clock::BoxFuture;
use crate::domain::{Attempt, ChannelId, GuildId, Permission};
use crate::metrics::Metrics;

/// The server's guard, as the bot's own Http sees it.
pub struct SerenityGuard {
    http: Arc<serenity::Http>,
    guild: serenity::GuildId,
    metrics: Metrics,
}

impl std::fmt::Debug for SerenityGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerenityGuard")
            .field("guild", &self.guild)
            .finish_non_exhaustive()
    }
}

impl SerenityGuard {
    /// The guard of `guild` through `http`, counting each call in `metrics`.
    pub fn new(http: Arc<serenity::Http>, guild: GuildId, metrics: Metrics) -> Self {
        Self {
            http,
            guild: serenity::GuildId::new(guild.get()),
            metrics,
        }
    }
}

fn time(t: Option<serenity::Timestamp>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.unix_timestamp(), 0))
}

fn text(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

impl ServerGuard for SerenityGuard {
    fn pauses(&self) -> BoxFuture<'_, Result<Pauses, ChatError>> {
        Box::pin(async move {
            let guild = metered(
                &self.metrics,
                "GET",
                "/guilds/{guild_id}",
                self.http.get_guild(self.guild),
            )
            .await
            .map_err(classify)?;
            let data = guild.incidents_data;
            Ok(Pauses {
                invites_until: time(data.and_then(|d| d.invites_disabled_until)),
                dms_until: time(data.and_then(|d| d.dms_disabled_until)),
            })
        })
    }

    fn set_pauses<'a>(&'a self, pauses: &'a Pauses) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            // Both fields, always: one left out is cleared, which would lift that pause.
            let body = json!({
                "invites_disabled_until": text(pauses.invites_until),
                "dms_disabled_until": text(pauses.dms_until),
            });
            metered(
                &self.metrics,
                "PUT",
                "/guilds/{guild_id}/incident-actions",
                self.http.edit_guild_incident_actions(self.guild, &body),
            )
            .await
            .map(|_| ())
            .map_err(denied(
                Attempt::PauseInvites,
                None,
                &[Permission::ManageServer],
            ))
        })
    }

    fn slowmode(&self, channel: ChannelId) -> BoxFuture<'_, Result<u16, ChatError>> {
        Box::pin(async move {
            let found = metered(
                &self.metrics,
                "GET",
                super::metered::route::CHANNEL,
                self.http
                    .get_channel(serenity::ChannelId::new(channel.get())),
            )
            .await
            .map_err(denied(
                Attempt::Read,
                Some(channel),
                &[Permission::ViewChannel],
            ))?;
            Ok(found
                .guild()
                .and_then(|c| c.rate_limit_per_user)
                .unwrap_or(0))
        })
    }

    fn set_slowmode(
        &self,
        channel: ChannelId,
        seconds: u16,
    ) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(async move {
            let body = json!({ "rate_limit_per_user": seconds });
            metered(
                &self.metrics,
                "PATCH",
                super::metered::route::CHANNEL,
                self.http.edit_channel(
                    serenity::ChannelId::new(channel.get()),
                    &body,
                    Some("incident lockdown"),
                ),
            )
            .await
            .map(|_| ())
            .map_err(denied(
                Attempt::SlowMode,
                Some(channel),
                &[Permission::ManageChannels],
            ))
        })
    }
}
