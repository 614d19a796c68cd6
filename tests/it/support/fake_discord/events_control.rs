//! What tests ask of the fake's scheduled events, and what they do as Discord would: start a
//! voice event when its time comes (someone starts it in the client), so the bot must complete
//! it; and start and complete an EXTERNAL event at its times on the fake's clock, as Discord
//! does by itself, telling the bot with GUILD_SCHEDULED_EVENT_UPDATE.

use serenity::all::UserId;

use super::gateway::{notify_bot, GUILD_SCHEDULED_EVENTS};
use super::permissions::{channel_permissions, VIEW_CHANNEL};
use super::rest_events::{event_json, ACTIVE, COMPLETED, SCHEDULED};
use super::shared::Shared;
use super::state::{FakeEvent, State};
use super::FakeDiscord;

/// EXTERNAL.
const EXTERNAL: u8 = 3;

/// Moves every EXTERNAL event whose time has come on the fake's clock: a scheduled one past
/// its start becomes ACTIVE, an active one past its end COMPLETED (one past both goes through
/// both, as Discord would over time). Each change is told to the bot.
pub(super) fn run_external_events(shared: &Shared, s: &mut State) {
    let now = shared.clock.wall();
    let ids: Vec<u64> = s.scheduled_events.keys().copied().collect();
    for id in ids {
        for _ in 0..2 {
            let Some(e) = s.scheduled_events.get_mut(&id) else {
                break;
            };
            let next = match e.status {
                SCHEDULED if e.entity_type == EXTERNAL && e.start <= now => ACTIVE,
                ACTIVE if e.entity_type == EXTERNAL && e.end.is_some_and(|end| end <= now) => {
                    COMPLETED
                }
                _ => break,
            };
            e.status = next;
            let e = e.clone();
            let json = event_json(shared, s, &e);
            notify_bot(
                shared,
                s,
                "GUILD_SCHEDULED_EVENT_UPDATE",
                json,
                GUILD_SCHEDULED_EVENTS,
            );
        }
    }
}

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

    /// `count` members mark the event `id` Interested.
    pub fn mark_interested(&self, id: u64, count: u64) {
        self.shared.write(|s| {
            let event = s
                .scheduled_events
                .get_mut(&id)
                .unwrap_or_else(|| panic!("fake Discord: no scheduled event {id}"));
            event.interested += count;
        });
    }
}
