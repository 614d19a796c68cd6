//! The builder for message context-menu commands (type 2 with `data.type` 3).

use std::sync::Arc;

use serde_json::{json, Value};
use serenity::all::{MessageId, UserId};

use super::builders::{find_command, names};
use super::handle::InteractionHandle;
use super::interaction::{preview, send, Outgoing};
use super::shapes;
use super::shared::Shared;
use super::state::{InteractionKind, State};

/// A message context-menu command (type 2 with `data.type` 3) on one message.
pub struct MessageCommandBuilder {
    pub(super) shared: Arc<Shared>,
    pub(super) user: UserId,
    pub(super) name: String,
    pub(super) target: MessageId,
}

impl MessageCommandBuilder {
    fn outgoing(&self, state: &State) -> Outgoing {
        let msg = state
            .messages
            .get(&self.target.get())
            .unwrap_or_else(|| panic!("fake Discord: message {} does not exist", self.target));
        let id = find_command(state, &self.name, 3)
            .and_then(|c| c["id"].as_str().and_then(|i| i.parse::<u64>().ok()));
        let data = json!({
            "id": id.unwrap_or(1).to_string(), "name": self.name, "type": 3,
            "target_id": self.target.to_string(),
            "resolved": { "messages": { self.target.to_string(): shapes::message(&self.shared, state, msg) } },
            "guild_id": self.shared.config.guild_id.to_string(),
        });
        Outgoing {
            kind: InteractionKind::Command,
            user: self.user,
            channel: msg.channel_id,
            data,
            source_message: Some(self.target),
            message: None,
        }
    }

    /// The INTERACTION_CREATE payload this would send (nothing is recorded).
    pub fn to_json(&self) -> Value {
        preview(&self.shared, &self.shared.read(|s| self.outgoing(s)))
    }

    /// Sends it; panics if no message command of that name is registered.
    pub async fn send(self) -> InteractionHandle {
        let out = self.shared.read(|s| {
            assert!(
                find_command(s, &self.name, 3).is_some(),
                "fake Discord: no message command {:?} is registered (registered: {:?})",
                self.name,
                names(s)
            );
            self.outgoing(s)
        });
        send(&self.shared, out).await
    }
}
