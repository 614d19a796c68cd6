//! The port through which use cases and jobs say "players may see something new": a committed
//! announcement, all-clear, kind change or correction. The app owns it; whoever shows players
//! anything (the status page's rebuild task, through `status::keep_fresh`) waits on it. Changes
//! told while nobody waits are folded into one wake-up.

use std::sync::Arc;

use tokio::sync::Notify;

/// The signal that a change players may see was committed.
#[derive(Debug, Clone, Default)]
pub struct PublicChanges(Arc<Notify>);

impl PublicChanges {
    /// Says that a change players may see was committed.
    pub fn changed(&self) {
        self.0.notify_one();
    }

    /// Waits for the next change (or one told since the last wait ended).
    pub async fn next(&self) {
        self.0.notified().await;
    }
}
