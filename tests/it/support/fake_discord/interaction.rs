//! The common part of every INTERACTION_CREATE and sending one: record, dispatch, hand back.

use std::sync::Arc;

use serde_json::{json, Value};
use serenity::all::{ChannelId, InteractionId, MessageId, UserId};

use super::gateway;
use super::guard;
use super::handle::InteractionHandle;
use super::permissions::channel_permissions;
use super::shapes;
use super::shared::Shared;
use super::state::{snowflake, InteractionKind, InteractionRecord, State};

/// Discord's interaction type numbers.
fn type_number(kind: InteractionKind) -> u8 {
    match kind {
        InteractionKind::Command => 2,
        InteractionKind::Component => 3,
        InteractionKind::Autocomplete => 4,
        InteractionKind::Modal => 5,
    }
}

/// The channel an interaction happens in: the one asked for, or the guild's first text channel.
pub fn pick_channel(state: &State, wanted: Option<ChannelId>) -> ChannelId {
    match wanted {
        Some(id) => {
            assert!(
                state.channels.contains_key(&id.get()),
                "fake Discord: channel {id} does not exist"
            );
            id
        }
        None => state
            .channels
            .values()
            .find(|c| c.kind == 0)
            .map(|c| c.id)
            .expect(
            "fake Discord: the guild has no text channel; give the interaction one with in_channel",
        ),
    }
}

/// A member's JSON with their permissions in `channel`, as interactions carry it.
pub fn member_with_permissions(
    shared: &Shared,
    state: &State,
    user: UserId,
    channel: ChannelId,
) -> Value {
    let member = state.members.get(&user.get()).unwrap_or_else(|| {
        panic!("fake Discord: user {user} is not a member of the guild; add them with .member(...)")
    });
    let (guild, owner) = (shared.config.guild_id.get(), shared.config.owner_id.get());
    let perms = state
        .channels
        .get(&channel.get())
        .map_or(0, |c| channel_permissions(state, guild, owner, member, c));
    let mut json = shapes::member(member);
    json["permissions"] = json!(perms.to_string());
    json
}

/// The full interaction object around `data` (fields serenity requires included).
#[expect(
    clippy::too_many_arguments,
    reason = "one field each of the interaction object"
)]
pub fn interaction_json(
    shared: &Shared,
    state: &State,
    id: u64,
    token: &str,
    kind: InteractionKind,
    user: UserId,
    channel: ChannelId,
    data: Value,
) -> Value {
    let ch = state.channels.get(&channel.get());
    let member = member_with_permissions(shared, state, user, channel);
    json!({
        "id": id.to_string(),
        "application_id": shared.config.application_id.to_string(),
        "type": type_number(kind),
        "data": data,
        "guild": { "id": shared.config.guild_id.to_string(), "locale": "en-US", "features": [] },
        "guild_id": shared.config.guild_id.to_string(),
        "channel_id": channel.to_string(),
        "channel": {
            "id": channel.to_string(),
            "type": ch.map_or(0, |c| c.kind),
            "name": ch.map(|c| c.name.clone()),
            "guild_id": shared.config.guild_id.to_string(),
            "parent_id": ch.and_then(|c| c.parent_id).map(|p| p.to_string()),
            "permissions": member["permissions"],
            "flags": 0,
        },
        "member": member,
        "token": token,
        "version": 1,
        "app_permissions": ch.map_or(0, |c| guard::bot_in(shared, state, c)).to_string(),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": { "0": shared.config.guild_id.to_string() },
        "context": 0,
        "attachment_size_limit": 26_214_400,
    })
}

/// What a builder hands over to be sent.
pub struct Outgoing {
    /// Interaction kind.
    pub kind: InteractionKind,
    /// Invoking user.
    pub user: UserId,
    /// Channel it happens in.
    pub channel: ChannelId,
    /// The `data` object.
    pub data: Value,
    /// The message a component or context-menu command refers to.
    pub source_message: Option<MessageId>,
    /// The top-level `message` object of a component interaction.
    pub message: Option<Value>,
}

/// The interaction JSON for `out` with the given id and token.
fn build(shared: &Shared, state: &State, id: u64, token: &str, out: &Outgoing) -> Value {
    let mut json = interaction_json(
        shared,
        state,
        id,
        token,
        out.kind,
        out.user,
        out.channel,
        out.data.clone(),
    );
    if let Some(message) = &out.message {
        json["message"] = message.clone();
    }
    json
}

/// Builds the JSON with fresh id and token, without recording or sending anything.
pub fn preview(shared: &Shared, out: &Outgoing) -> Value {
    shared.read(|s| build(shared, s, snowflake(&shared.clock), "preview-token", out))
}

/// Records the interaction (the 3 s clock starts now) and sends it: to the developer portal's
/// Interactions Endpoint URL when one is saved, else over the bot's gateway session (waited
/// for).
pub async fn send(shared: &Arc<Shared>, out: Outgoing) -> InteractionHandle {
    let over_http = !shared.portal.urls().is_empty();
    if !over_http {
        super::wait::wait_until(
            shared,
            "an identified gateway session",
            std::time::Duration::from_secs(10),
            |_| shared.gateway.ready_intents(),
        )
        .await;
    }
    let id = snowflake(&shared.clock);
    let token = format!("fake-interaction-token-{id}-{}", "x".repeat(120));
    let payload = shared.write(|s| {
        let payload = build(shared, s, id, &token, &out);
        s.interactions.insert(
            id,
            InteractionRecord {
                id: InteractionId::new(id),
                token: token.clone(),
                kind: out.kind,
                user_id: out.user,
                channel_id: out.channel,
                source_message: out.source_message,
                dispatched_at: shared.clock.now(),
                ack: None,
                original: None,
            },
        );
        payload
    });
    if over_http {
        super::portal::deliver(shared, id, &payload).await;
    } else {
        gateway::dispatch(shared, "INTERACTION_CREATE", payload, 0).await;
    }
    InteractionHandle::new(Arc::clone(shared), InteractionId::new(id), token)
}
