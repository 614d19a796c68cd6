//! What tests ask the fake: what a channel shows, who can see it, who got pinged, what was called.

use std::collections::BTreeMap;

use serde_json::Value;
use serenity::all::{ChannelId, InteractionId, MessageId, UserId};

use super::mentions::Pings;
use super::permissions::{channel_permissions, MENTION_EVERYONE, SEND_MESSAGES, VIEW_CHANNEL};
use super::state::{
    FakeChannel, FakeCommand, FakeMember, FakeMessage, FakeRole, InteractionRecord, RecordedRequest,
};
use super::FakeDiscord;

impl FakeDiscord {
    /// What everyone sees in `channel` now, oldest first (ephemeral messages excluded; system
    /// messages such as pin notices, `kind` 6, included).
    pub fn messages(&self, channel: ChannelId) -> Vec<FakeMessage> {
        self.shared.read(|s| {
            s.messages
                .values()
                .filter(|m| m.channel_id == channel && m.flags & 64 == 0)
                .cloned()
                .collect()
        })
    }

    /// What `user` sees in `channel`: everyone's messages plus the ephemeral ones meant for them.
    pub fn messages_seen_by(&self, channel: ChannelId, user: UserId) -> Vec<FakeMessage> {
        self.shared.read(|s| {
            s.messages
                .values()
                .filter(|m| m.channel_id == channel)
                .filter(|m| {
                    m.flags & 64 == 0 || m.interaction.as_ref().is_some_and(|t| t.user_id == user)
                })
                .cloned()
                .collect()
        })
    }

    /// One message by id (ephemeral ones included).
    pub fn message(&self, id: MessageId) -> Option<FakeMessage> {
        self.shared.read(|s| s.messages.get(&id.get()).cloned())
    }

    /// The `@original` response to an interaction, as it reads now.
    pub fn reply_to(&self, interaction: InteractionId) -> Option<FakeMessage> {
        self.shared.read(|s| {
            let original = s.interactions.get(&interaction.get())?.original?;
            s.messages.get(&original.get()).cloned()
        })
    }

    /// Every interaction dispatched so far, oldest first.
    pub fn interactions(&self) -> Vec<InteractionRecord> {
        let mut list = self
            .shared
            .read(|s| s.interactions.values().cloned().collect::<Vec<_>>());
        list.sort_by_key(|i| i.id);
        list
    }

    /// A channel by id.
    pub fn channel(&self, id: ChannelId) -> Option<FakeChannel> {
        self.shared.read(|s| s.channels.get(&id.get()).cloned())
    }

    /// Every channel, by id.
    pub fn channels(&self) -> Vec<FakeChannel> {
        self.shared.read(|s| s.channels.values().cloned().collect())
    }

    /// The channel with this exact name, if any.
    pub fn channel_named(&self, name: &str) -> Option<FakeChannel> {
        self.shared
            .read(|s| s.channels.values().find(|c| c.name == name).cloned())
    }

    /// The channels in a category, by position.
    pub fn channels_under(&self, category: ChannelId) -> Vec<FakeChannel> {
        let mut list: Vec<FakeChannel> = self.shared.read(|s| {
            s.channels
                .values()
                .filter(|c| c.parent_id == Some(category))
                .cloned()
                .collect()
        });
        list.sort_by_key(|c| (c.position, c.id));
        list
    }

    /// `user`'s effective permissions in `channel` (0 if either is unknown).
    pub fn permissions_in(&self, user: UserId, channel: ChannelId) -> u64 {
        let (guild, owner) = (
            self.shared.config.guild_id.get(),
            self.shared.config.owner_id.get(),
        );
        self.shared.read(
            |s| match (s.members.get(&user.get()), s.channels.get(&channel.get())) {
                (Some(m), Some(c)) => channel_permissions(s, guild, owner, m, c),
                _ => 0,
            },
        )
    }

    /// Whether `user` can see `channel` (VIEW_CHANNEL).
    pub fn can_see(&self, user: UserId, channel: ChannelId) -> bool {
        self.permissions_in(user, channel) & VIEW_CHANNEL != 0
    }

    /// Whether `user` can post in `channel` (VIEW_CHANNEL and SEND_MESSAGES).
    pub fn can_send(&self, user: UserId, channel: ChannelId) -> bool {
        let perms = self.permissions_in(user, channel);
        perms & VIEW_CHANNEL != 0 && perms & SEND_MESSAGES != 0
    }

    fn humans_with(&self, channel: ChannelId, bits: u64) -> Vec<UserId> {
        let humans: Vec<FakeMember> = self.shared.read(|s| {
            s.members
                .values()
                .filter(|m| !m.user.bot)
                .cloned()
                .collect()
        });
        humans
            .into_iter()
            .map(|m| m.user.id)
            .filter(|u| self.permissions_in(*u, channel) & bits == bits)
            .collect()
    }

    /// The human members who can see `channel` (bots left out), by id.
    pub fn who_can_see(&self, channel: ChannelId) -> Vec<UserId> {
        self.humans_with(channel, VIEW_CHANNEL)
    }

    /// The human members who can post in `channel`.
    pub fn who_can_send(&self, channel: ChannelId) -> Vec<UserId> {
        self.humans_with(channel, VIEW_CHANNEL | SEND_MESSAGES)
    }

    /// Whether `@everyone` (a member with no role) is kept from posting in `channel`.
    pub fn is_locked(&self, channel: ChannelId) -> bool {
        let (guild, owner) = (
            self.shared.config.guild_id.get(),
            self.shared.config.owner_id.get(),
        );
        self.shared.read(|s| {
            let nobody = FakeMember {
                user: super::state::FakeUser {
                    id: UserId::new(u64::MAX),
                    username: String::new(),
                    bot: false,
                },
                roles: vec![],
                joined_at: chrono::Utc::now(),
            };
            s.channels.get(&channel.get()).is_some_and(|c| {
                channel_permissions(s, guild, owner, &nobody, c) & SEND_MESSAGES == 0
            })
        })
    }

    /// The pinned messages of `channel`, most recently pinned first.
    pub fn pinned(&self, channel: ChannelId) -> Vec<FakeMessage> {
        let mut list: Vec<FakeMessage> = self
            .messages(channel)
            .into_iter()
            .filter(|m| m.pinned)
            .collect();
        list.sort_by_key(|m| std::cmp::Reverse(m.pinned_at));
        list
    }

    /// The messages of `channel` that were published (crossposted).
    pub fn crossposted(&self, channel: ChannelId) -> Vec<FakeMessage> {
        self.messages(channel)
            .into_iter()
            .filter(|m| m.crossposted)
            .collect()
    }

    /// Who a stored message pinged, by Discord's rules. A role members may not mention pings
    /// only when its author has Mention Everyone in the channel (Discord's permissions docs:
    /// MENTION_EVERYONE "allows for using the @everyone tag … and all roles, even if the
    /// role's 'Allow anyone to mention this role' permission is disabled").
    pub fn pings(&self, message: MessageId) -> Pings {
        let Some(m) = self.message(message) else {
            return Pings::default();
        };
        let mut pings = Pings::of(&m);
        let (guild, owner) = (
            self.shared.config.guild_id.get(),
            self.shared.config.owner_id.get(),
        );
        self.shared.read(|s| {
            let may_ping_all = s
                .members
                .get(&m.author.id.get())
                .zip(s.channels.get(&m.channel_id.get()))
                .is_some_and(|(author, channel)| {
                    channel_permissions(s, guild, owner, author, channel) & MENTION_EVERYONE != 0
                });
            pings.roles.retain(|r| {
                may_ping_all || s.roles.get(&r.get()).is_some_and(|role| role.mentionable)
            });
        });
        pings
    }

    /// The members a stored message notifies, by id: those it pings by name, those holding a
    /// role it pings, everyone for `@everyone`; only members who can see its channel, never its
    /// author.
    pub fn notified(&self, message: MessageId) -> Vec<UserId> {
        let Some(m) = self.message(message) else {
            return Vec::new();
        };
        let pings = self.pings(message);
        self.who_can_see(m.channel_id)
            .into_iter()
            .filter(|u| *u != m.author.id)
            .filter(|u| {
                let roles = self.member_roles(*u);
                pings.everyone
                    || pings.users.contains(u)
                    || pings.roles.iter().any(|r| roles.contains(r))
            })
            .collect()
    }

    /// Every REST request so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.read(|s| s.requests.clone())
    }

    /// The requests to `method` + spec `route` template.
    pub fn requests_to(&self, method: &str, route: &str) -> Vec<RecordedRequest> {
        self.shared.read(|s| {
            s.requests
                .iter()
                .filter(|r| r.method == method && r.route.as_deref() == Some(route))
                .cloned()
                .collect()
        })
    }

    /// How many requests went to `method` + spec `route` template.
    pub fn count(&self, method: &str, route: &str) -> usize {
        self.requests_to(method, route).len()
    }

    /// Request counts per `(method, route template)`.
    pub fn counts(&self) -> BTreeMap<(String, String), usize> {
        self.shared.read(|s| {
            let mut counts = BTreeMap::new();
            for r in &s.requests {
                let route = r.route.clone().unwrap_or_else(|| r.path.clone());
                *counts.entry((r.method.clone(), route)).or_insert(0) += 1;
            }
            counts
        })
    }

    /// The guild's roles, `@everyone` included, by id.
    pub fn roles(&self) -> Vec<FakeRole> {
        self.shared.read(|s| s.roles.values().cloned().collect())
    }

    /// Every registered application command.
    pub fn commands(&self) -> Vec<FakeCommand> {
        self.shared.read(|s| s.commands.clone())
    }

    /// Names of the commands registered for the guild (`guild = true`) or globally.
    pub fn command_names(&self, guild: bool) -> Vec<String> {
        self.commands()
            .into_iter()
            .filter(|c| c.guild_id.is_some() == guild)
            .map(|c| c.name().to_owned())
            .collect()
    }

    /// Every interaction POSTed to the Interactions Endpoint URL, with its answer.
    pub fn deliveries(&self) -> Vec<super::portal::Delivery> {
        self.shared.portal.deliveries()
    }

    /// The application's public key (hex), as the portal shows it.
    pub fn verify_key(&self) -> String {
        self.shared.portal.verify_key()
    }

    /// The signature Discord would send for `timestamp` and `body` (hex).
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        self.shared.portal.sign(timestamp, body)
    }

    /// Saves the Interactions Endpoint URL in the developer portal (several: a load balancer
    /// over replicas), after the portal's checks; from then on interactions go there.
    pub async fn set_interactions_url(&self, urls: Vec<String>) -> Result<(), String> {
        super::portal::save(&self.shared, urls).await
    }

    /// Saves the Interactions Endpoint URL without the portal's checks, as if another
    /// deployment had passed them: for a bot that does not serve it.
    pub fn set_interactions_url_unchecked(&self, urls: Vec<String>) {
        self.shared.portal.save(urls);
    }

    /// Clears the Interactions Endpoint URL: interactions go over the gateway again.
    pub fn clear_interactions_url(&self) {
        super::portal::clear(&self.shared);
    }

    /// The IDENTIFY frames received so far (`["d"]["token"]`, `["d"]["intents"]`, ...).
    pub fn identifies(&self) -> Vec<Value> {
        self.shared.read(|s| s.identifies.clone())
    }

    /// How many RESUME attempts were refused.
    pub fn resume_count(&self) -> usize {
        self.shared.read(|s| s.resumes)
    }

    /// How many heartbeats arrived.
    pub fn heartbeat_count(&self) -> usize {
        self.shared.read(|s| s.heartbeats)
    }

    /// The dispatches sent so far: event name and payload.
    pub fn events(&self) -> Vec<(String, Value)> {
        self.shared.read(|s| s.events.clone())
    }
}
