//! Discord's safety signals, converted at the edge: the guild's `incidents_data` detections and
//! AutoMod's action executions become [`SafetySignal`]s for the intake.

use chrono::{DateTime, Utc};
use serenity::all as serenity;

use crate::app::App;
use crate::domain::{ChannelId, SafetySignal, UserId};

/// The detections the guild's incidents data carries (each at most once).
pub(super) fn detections(data: Option<&serenity::IncidentsData>) -> Vec<SafetySignal> {
    let Some(data) = data else {
        return vec![];
    };
    let at = |t: Option<serenity::Timestamp>| {
        t.and_then(|t| DateTime::<Utc>::from_timestamp(t.unix_timestamp(), 0))
    };
    let mut out = Vec::new();
    out.extend(at(data.raid_detected_at).map(|at| SafetySignal::Raid { at }));
    out.extend(at(data.dm_spam_detected_at).map(|at| SafetySignal::DmSpam { at }));
    out
}

/// AutoMod's action, heard at `now`.
pub(super) fn automod(e: &serenity::ActionExecution, now: DateTime<Utc>) -> Option<SafetySignal> {
    Some(SafetySignal::AutoMod {
        rule: e.rule_id.get(),
        user: UserId::new(e.user_id.get())?,
        channel: e.channel_id.and_then(|c| ChannelId::new(c.get())),
        at: now,
    })
}

/// Puts `signal` through the intake; a failure is logged (Discord does not send it again).
pub(super) async fn take(app: &App, signal: &SafetySignal) {
    if let Err(e) = crate::app::discord_signal(app, signal).await {
        tracing::warn!(error = %e, signal = signal.kind(), "could not take Discord's safety signal");
    }
}
