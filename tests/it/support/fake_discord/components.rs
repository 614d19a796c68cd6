//! Builders for component interactions (buttons, selects) and modal submits.

use std::sync::Arc;

use serde_json::{json, Value};
use serenity::all::{ChannelId, MessageId, UserId};

use super::handle::InteractionHandle;
use super::interaction::{pick_channel, preview, send, Outgoing};
use super::shapes;
use super::shared::Shared;
use super::state::{InteractionKind, State};

/// A click on a button (or a choice in a select menu) of a message the bot sent.
pub struct ComponentBuilder {
    pub(super) shared: Arc<Shared>,
    pub(super) user: UserId,
    pub(super) message: MessageId,
    pub(super) custom_id: String,
    pub(super) values: Option<Vec<String>>,
}

/// Whether a component with this custom id sits anywhere in the message's component tree.
fn has_component(components: &[Value], custom_id: &str) -> bool {
    components.iter().any(|c| {
        c["custom_id"] == custom_id
            || c["components"]
                .as_array()
                .is_some_and(|inner| has_component(inner, custom_id))
    })
}

impl ComponentBuilder {
    /// Chooses these values in a string select (component type 3) instead of clicking a button.
    pub fn select(mut self, values: &[&str]) -> Self {
        self.values = Some(values.iter().map(|v| (*v).to_owned()).collect());
        self
    }

    fn outgoing(&self, state: &State) -> Outgoing {
        let msg = state
            .messages
            .get(&self.message.get())
            .unwrap_or_else(|| panic!("fake Discord: message {} does not exist", self.message));
        let data = match &self.values {
            Some(values) => {
                json!({ "custom_id": self.custom_id, "component_type": 3, "values": values })
            }
            None => json!({ "custom_id": self.custom_id, "component_type": 2 }),
        };
        Outgoing {
            kind: InteractionKind::Component,
            user: self.user,
            channel: msg.channel_id,
            data,
            source_message: Some(self.message),
            message: Some(shapes::message(&self.shared, state, msg)),
        }
    }

    /// The INTERACTION_CREATE payload this would send (nothing is recorded).
    pub fn to_json(&self) -> Value {
        preview(&self.shared, &self.shared.read(|s| self.outgoing(s)))
    }

    /// Sends it; panics unless the message carries a component with this custom id.
    pub async fn send(self) -> InteractionHandle {
        let out = self.shared.read(|s| {
            let msg = s.messages.get(&self.message.get());
            assert!(
                msg.is_some_and(|m| has_component(&m.components, &self.custom_id)),
                "fake Discord: message {} has no component {:?}",
                self.message,
                self.custom_id
            );
            self.outgoing(s)
        });
        send(&self.shared, out).await
    }
}

/// Submitting a modal the bot opened (callback type 9) with text in its inputs.
pub struct ModalBuilder {
    pub(super) shared: Arc<Shared>,
    pub(super) user: UserId,
    pub(super) custom_id: String,
    pub(super) channel: Option<ChannelId>,
    pub(super) fields: Vec<(String, String)>,
}

impl ModalBuilder {
    /// The channel it is submitted in (default: where the modal was opened).
    pub fn in_channel(mut self, channel: ChannelId) -> Self {
        self.channel = Some(channel);
        self
    }

    /// Types `value` into the text input `custom_id`.
    pub fn field(mut self, custom_id: &str, value: &str) -> Self {
        self.fields.push((custom_id.to_owned(), value.to_owned()));
        self
    }

    fn outgoing(&self, state: &State) -> Outgoing {
        let opener = state
            .interactions
            .values()
            .filter(|i| i.user_id == self.user)
            .find(|i| {
                i.ack
                    .as_ref()
                    .is_some_and(|a| a.kind == 9 && a.data["custom_id"] == self.custom_id)
            });
        let opened_in = opener.map(|i| i.channel_id);
        // A modal opened by a button carries that button's message, as on Discord, so that its
        // submission may update the message (callback type 7).
        let source_message = opener
            .filter(|i| i.kind == InteractionKind::Component)
            .and_then(|i| i.source_message);
        let message = source_message
            .and_then(|m| state.messages.get(&m.get()))
            .map(|m| shapes::message(&self.shared, state, m));
        let rows: Vec<Value> = self
            .fields
            .iter()
            .map(|(id, value)| json!({ "type": 1, "components": [{ "type": 4, "custom_id": id, "value": value }] }))
            .collect();
        Outgoing {
            kind: InteractionKind::Modal,
            user: self.user,
            channel: pick_channel(state, self.channel.or(opened_in)),
            data: json!({ "custom_id": self.custom_id, "components": rows }),
            source_message,
            message,
        }
    }

    /// The INTERACTION_CREATE payload this would send (nothing is recorded).
    pub fn to_json(&self) -> Value {
        preview(&self.shared, &self.shared.read(|s| self.outgoing(s)))
    }

    /// Sends it; panics unless the bot answered an interaction of this user with this modal.
    pub async fn send(self) -> InteractionHandle {
        let out = self.shared.read(|s| {
            let opened = s.interactions.values().any(|i| {
                i.user_id == self.user
                    && i.ack
                        .as_ref()
                        .is_some_and(|a| a.kind == 9 && a.data["custom_id"] == self.custom_id)
            });
            assert!(
                opened,
                "fake Discord: the bot never showed modal {:?} to user {}",
                self.custom_id, self.user
            );
            self.outgoing(s)
        });
        send(&self.shared, out).await
    }
}
