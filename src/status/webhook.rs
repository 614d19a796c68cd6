//! What the status webhooks carry, read afresh each time from what players were told (the
//! same reads and the same Statuspage objects as `/api/v2`): `status`'s side of the app's
//! `PublicFeed` port.

use crate::app::{App, PublicFeed, PublicState};
use crate::clock::BoxFuture;

/// The public view for the status webhooks.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebhookFeed;

impl PublicFeed for WebhookFeed {
    fn read<'a>(&'a self, app: &'a App) -> BoxFuture<'a, anyhow::Result<PublicState>> {
        Box::pin(async move {
            let (incidents, maintenances) = super::board::told(app).await?;
            super::build::feed(&super::board::inputs(app, &incidents, &maintenances))
        })
    }
}
