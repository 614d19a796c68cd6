//! What the status webhooks carry, read afresh each time from what players were told (the
//! same reads and the same Statuspage objects as `/api/v2`): `status`'s side of the app's
//! `PublicFeed` port. A cancelled window, which the page drops, is sent `completed` (as the
//! page's JSON words one), so that a receiver told of it hears it is off.

use anyhow::Context as _;

use super::build::HISTORY_DAYS;
use super::maintenance::PublicWindow;
use crate::app::{App, PublicFeed, PublicState};
use crate::clock::BoxFuture;

/// The public view for the status webhooks.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebhookFeed;

impl PublicFeed for WebhookFeed {
    fn read<'a>(&'a self, app: &'a App) -> BoxFuture<'a, anyhow::Result<PublicState>> {
        Box::pin(async move {
            let (incidents, mut maintenances) = super::board::told(app).await?;
            let since = app.clock.now() - chrono::TimeDelta::days(HISTORY_DAYS);
            let cancelled = app
                .db
                .cancelled_windows(since)
                .await
                .context("reading the cancelled maintenance windows")?;
            maintenances.extend(cancelled.iter().map(PublicWindow::from_window));
            super::build::feed(&super::board::inputs(app, &incidents, &maintenances))
        })
    }
}
