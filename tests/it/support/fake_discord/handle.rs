//! A sent interaction, from the test's side: await its callback, its reply, its follow-ups.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use serenity::all::InteractionId;

use super::shared::Shared;
use super::state::{Ack, FakeMessage, InteractionRecord};
use super::wait::wait_until;

/// How long `ack` waits: past Discord's 3 s deadline, so a late answer shows up as a
/// recorded violation rather than a timeout.
const ACK_WAIT: Duration = Duration::from_secs(5);
/// How long `reply` waits for a deferred reply to be edited in.
const REPLY_WAIT: Duration = Duration::from_secs(15);

/// A handle on one dispatched interaction.
pub struct InteractionHandle {
    shared: Arc<Shared>,
    /// The interaction's id.
    pub id: InteractionId,
    /// The interaction's token (what the bot uses for webhook calls).
    pub token: String,
}

impl InteractionHandle {
    /// Wraps a recorded interaction.
    pub(super) fn new(shared: Arc<Shared>, id: InteractionId, token: String) -> Self {
        InteractionHandle { shared, id, token }
    }

    /// The fake's record of this interaction right now.
    pub fn record(&self) -> InteractionRecord {
        self.shared
            .read(|s| s.interactions.get(&self.id.get()).cloned())
            .expect("a sent interaction is always recorded")
    }

    /// When it was dispatched, on the fake's clock.
    pub fn dispatched_at(&self) -> Instant {
        self.record().dispatched_at
    }

    /// Waits for the bot's callback: its type, data and the time it took from dispatch.
    pub async fn ack(&self) -> Ack {
        let what = format!("the callback to interaction {}", self.id);
        wait_until(&self.shared, &what, ACK_WAIT, |s| {
            s.interactions
                .get(&self.id.get())
                .and_then(|i| i.ack.clone())
        })
        .await
    }

    /// Waits until the `@original` response exists and is no longer "thinking", and returns it.
    pub async fn reply(&self) -> FakeMessage {
        self.reply_where(|_| true).await
    }

    /// Waits until the `@original` response, no longer "thinking", satisfies `accept`
    /// (e.g. the second edit of a progress message).
    pub async fn reply_where(&self, accept: impl Fn(&FakeMessage) -> bool) -> FakeMessage {
        let what = format!("a final reply to interaction {}", self.id);
        wait_until(&self.shared, &what, REPLY_WAIT, |s| {
            let original = s.interactions.get(&self.id.get())?.original?;
            let msg = s.messages.get(&original.get())?;
            (msg.flags & 128 == 0 && accept(msg)).then(|| msg.clone())
        })
        .await
    }

    /// Every message this interaction produced (response first, then follow-ups), ephemeral
    /// ones included: what the invoking user saw.
    pub fn messages(&self) -> Vec<FakeMessage> {
        self.shared.read(|s| {
            let original = s.interactions.get(&self.id.get()).and_then(|i| i.original);
            let mut list: Vec<FakeMessage> = s
                .messages
                .values()
                .filter(|m| {
                    Some(m.id) == original
                        || m.interaction
                            .as_ref()
                            .is_some_and(|t| t.interaction_id == self.id)
                })
                .cloned()
                .collect();
            list.sort_by_key(|m| (Some(m.id) != original, m.id));
            list
        })
    }

    /// Waits until the interaction has produced at least `count` follow-ups, and returns them.
    pub async fn followups(&self, count: usize) -> Vec<FakeMessage> {
        let what = format!("{count} follow-up(s) to interaction {}", self.id);
        wait_until(&self.shared, &what, REPLY_WAIT, |s| {
            let list: Vec<FakeMessage> = s
                .messages
                .values()
                .filter(|m| {
                    m.interaction
                        .as_ref()
                        .is_some_and(|t| t.interaction_id == self.id && !t.original)
                })
                .cloned()
                .collect();
            (list.len() >= count).then_some(list)
        })
        .await
    }

    /// Waits for an autocomplete answer (callback type 8) and returns its choices.
    pub async fn choices(&self) -> Vec<Value> {
        let ack = self.ack().await;
        assert_eq!(
            ack.kind, 8,
            "fake Discord: expected an autocomplete answer (type 8), got type {}",
            ack.kind
        );
        ack.data["choices"].as_array().cloned().unwrap_or_default()
    }

    /// Waits for a modal (callback type 9) and returns its data (custom_id, title, components).
    pub async fn modal(&self) -> Value {
        let ack = self.ack().await;
        assert_eq!(
            ack.kind, 9,
            "fake Discord: expected a modal (type 9), got type {}",
            ack.kind
        );
        ack.data
    }
}
