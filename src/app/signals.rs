//! Discord's own safety signals (a raid or DM spam it detected, AutoMod's actions) start a
//! triage card through the intake, with the `discord` source: the card's title is worded by
//! `notice.hbs`, and the intake's dedup makes a burst one card.

use super::intake::{receive, Received};
use super::{render, App, AppError};
use crate::domain::SafetySignal;
use crate::render::{DiscordSignal, Notice, TemplateName};

/// Puts `signal` through the intake; `None` when it is an old detection said again (every
/// guild update carries the guild's last one).
#[tracing::instrument(skip_all, fields(signal = signal.kind()))]
pub async fn discord_signal(
    app: &App,
    signal: &SafetySignal,
) -> Result<Option<Received>, AppError> {
    let window = crate::config::delta(app.settings.intake.dedup_window);
    if signal.stale(app.clock.now(), window) {
        return Ok(None);
    }
    let view = Notice::from(DiscordSignal {
        kind: signal.kind().to_owned(),
        rule: match signal {
            SafetySignal::AutoMod { rule, .. } => Some(rule.to_string()),
            _ => None,
        },
    });
    let title = render(app, TemplateName::Notice, &view)?;
    receive(app, &signal.batch(title)).await.map(Some)
}
