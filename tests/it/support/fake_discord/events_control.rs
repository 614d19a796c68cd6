//! What tests ask of the fake's scheduled events, and what they do as Discord would: start an
//! event when its time comes (someone starts it in the client), so the bot must complete it.

use serenity::all::UserId;

use super::permissions::{channel_permissions, VIEW_CHANNEL};
use super::rest_events::{ACTIVE, SCHEDULED};
use super::state::FakeEvent;
use super::FakeDiscord;

impl FakeDiscord {
    /// Every scheduled event, by id (creation order).
    pub fn scheduled_events(&self) -> Vec<FakeEvent> {
        self.shared
            .read(|s| s.scheduled_events.values().cloned().collect())
    }

    /// The events `user` sees in the server's event list: those in a channel they can view, and
    /// every external one.
    pub fn events_seen_by(&self, user: UserId) -> Vec<FakeEvent> {
        let (guild, owner) = (
            self.shared.config.guild_id.get(),
            self.shared.config.owner_id.get(),
        );
        self.shared.read(|s| {
            let Some(member) = s.members.get(&user.get()) else {
                return vec![];
            };
            s.scheduled_events
                .values()
                .filter(
                    |e| match e.channel_id.and_then(|c| s.channels.get(&c.get())) {
                        Some(c) => {
                            channel_permissions(s, guild, owner, member, c) & VIEW_CHANNEL != 0
                        }
                        None => e.channel_id.is_none(),
                    },
                )
                .cloned()
                .collect()
        })
    }

    /// Starts the event `id` (SCHEDULED → ACTIVE), as Discord does when its host starts it at
    /// its time. Panics for an event that is not scheduled: Discord would refuse.
    pub fn start_event(&self, id: u64) {
        self.shared.write(|s| {
            let event = s
                .scheduled_events
                .get_mut(&id)
                .unwrap_or_else(|| panic!("fake Discord: no scheduled event {id}"));
            assert_eq!(
                event.status, SCHEDULED,
                "fake Discord: only a SCHEDULED event can start"
            );
            event.status = ACTIVE;
        });
    }
}
