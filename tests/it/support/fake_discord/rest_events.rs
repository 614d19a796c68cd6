//! REST: guild scheduled events, with the rules Discord's docs state and its spec does not
//! (`developers/resources/guild-scheduled-event.mdx`): a voice or stage event needs a channel of
//! its kind; an external one needs no channel, an end time and a 1–100 character location; the
//! end comes after the start; at most 100 SCHEDULED or ACTIVE events per guild (30038); status
//! moves only SCHEDULED → ACTIVE → COMPLETED and SCHEDULED → CANCELED, and a finished event
//! cannot be updated at all (180000). Every change is told to the bot as
//! GUILD_SCHEDULED_EVENT_UPDATE (with the GUILD_SCHEDULED_EVENTS intent).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use serenity::all::ChannelId;

use super::gateway::{notify_bot, GUILD_SCHEDULED_EVENTS};
use super::reply::Reply;
use super::rest::Ctx;
use super::rest_guild::wrong_guild;
use super::shapes;
use super::shared::Shared;
use super::state::{snowflake, FakeEvent, State};

/// SCHEDULED.
pub const SCHEDULED: u8 = 1;
/// ACTIVE.
pub const ACTIVE: u8 = 2;
/// COMPLETED.
pub const COMPLETED: u8 = 3;
/// CANCELED.
pub const CANCELED: u8 = 4;
/// Discord's limit of uncompleted events per guild.
pub const MAX_OPEN_EVENTS: usize = 100;

fn unknown_event() -> Reply {
    Reply::error(404, 10070, "Unknown Guild Scheduled Event", "unknown-event")
}

fn invalid(field: &str, code: &str, message: &str) -> Reply {
    let err = json!({ "code": code, "message": message });
    Reply::invalid_form(&[(format!("/{field}"), err)], "invalid-body")
}

/// The event as Discord returns it.
pub fn event_json(shared: &Shared, s: &State, e: &FakeEvent) -> Value {
    let creator = s.user(e.creator.get()).map(|u| shapes::user(&u));
    json!({
        "id": e.id.to_string(),
        "guild_id": shared.config.guild_id.to_string(),
        "channel_id": e.channel_id.map(|c| c.to_string()),
        "creator_id": e.creator.to_string(),
        "creator": creator,
        "name": e.name,
        "description": e.description,
        "scheduled_start_time": shapes::timestamp(e.start),
        "scheduled_end_time": e.end.map(shapes::timestamp),
        "privacy_level": 2,
        "status": e.status,
        "entity_type": e.entity_type,
        "entity_id": null,
        "entity_metadata": e.location.as_ref().map(|l| json!({ "location": l })),
        "user_count": null,
        "image": null,
    })
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn channel_id(v: &Value) -> Option<u64> {
    v.as_str().and_then(|c| c.parse().ok())
}

/// Checks where the event is held: a channel of the entity type's kind, or for an external
/// event no channel, an end time and a location of 1–100 characters; and the end after the
/// start.
fn check_place(s: &State, e: &FakeEvent) -> Option<Reply> {
    match e.entity_type {
        1 | 2 => {
            let want = if e.entity_type == 1 { 13 } else { 2 };
            let kind = e
                .channel_id
                .and_then(|c| s.channels.get(&c.get()))
                .map(|c| c.kind);
            if kind != Some(want) {
                return Some(invalid(
                    "channel_id",
                    "GUILD_SCHEDULED_EVENT_CHANNEL_INVALID",
                    "The channel must be a voice channel for a voice event and a stage channel for a stage event.",
                ));
            }
        }
        _ => {
            if e.channel_id.is_some() {
                return Some(invalid(
                    "channel_id",
                    "GUILD_SCHEDULED_EVENT_CHANNEL_INVALID",
                    "An external event has no channel.",
                ));
            }
            if e.end.is_none() {
                return Some(invalid(
                    "scheduled_end_time",
                    "BASE_TYPE_REQUIRED",
                    "An external event needs an end time.",
                ));
            }
            let length = e.location.as_deref().map_or(0, |l| l.chars().count());
            if !(1..=100).contains(&length) {
                return Some(invalid(
                    "entity_metadata/location",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                ));
            }
        }
    }
    if e.end.is_some_and(|end| end <= e.start) {
        return Some(invalid(
            "scheduled_end_time",
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
            "The end time must be after the start time.",
        ));
    }
    None
}

/// `GET /guilds/{guild_id}/scheduled-events`, with each event's interested count when
/// `with_user_count=true`.
pub fn list(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    let counts = ctx.query("with_user_count") == Some("true");
    shared.read(|s| {
        let list = s
            .scheduled_events
            .values()
            .map(|e| {
                let mut json = event_json(shared, s, e);
                if counts {
                    json["user_count"] = json!(e.interested);
                }
                json
            })
            .collect();
        Reply::ok(list)
    })
}

/// `GET /guilds/{guild_id}/scheduled-events/{id}`.
pub fn get(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    shared.read(
        |s| match s.scheduled_events.get(&ctx.id("guild_scheduled_event_id")) {
            Some(e) => Reply::ok(event_json(shared, s, e)),
            None => unknown_event(),
        },
    )
}

/// `POST /guilds/{guild_id}/scheduled-events`.
pub fn create(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    let body = &ctx.body;
    let Some(start) = time(&body["scheduled_start_time"]) else {
        return invalid(
            "scheduled_start_time",
            "DATE_TIME_TYPE_PARSE",
            "Invalid date.",
        );
    };
    let event = FakeEvent {
        id: snowflake(&shared.clock),
        creator: shared.config.bot.id,
        name: body["name"].as_str().unwrap_or_default().to_owned(),
        description: body["description"].as_str().map(str::to_owned),
        channel_id: channel_id(&body["channel_id"]).map(ChannelId::new),
        entity_type: u8::try_from(body["entity_type"].as_u64().unwrap_or(0)).unwrap_or(0),
        location: body["entity_metadata"]["location"]
            .as_str()
            .map(str::to_owned),
        start,
        end: time(&body["scheduled_end_time"]),
        status: SCHEDULED,
        interested: 0,
    };
    if event.name.is_empty() {
        return invalid(
            "name",
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 100 in length.",
        );
    }
    shared.write(|s| {
        if let Some(reply) = check_place(s, &event) {
            return reply;
        }
        let open = s
            .scheduled_events
            .values()
            .filter(|e| matches!(e.status, SCHEDULED | ACTIVE))
            .count();
        if open >= MAX_OPEN_EVENTS {
            return Reply::error(
                400,
                30038,
                "Maximum number of uncompleted guild scheduled events reached (100)",
                "limit",
            );
        }
        let json = event_json(shared, s, &event);
        s.scheduled_events.insert(event.id, event);
        Reply::ok(json)
    })
}

/// Whether Discord lets an event go from `from` to `to`.
pub fn may_move(from: u8, to: u8) -> bool {
    from == to
        || matches!(
            (from, to),
            (SCHEDULED, ACTIVE | CANCELED) | (ACTIVE, COMPLETED)
        )
}

/// `PATCH /guilds/{guild_id}/scheduled-events/{id}`.
pub fn update(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    let body = &ctx.body;
    shared.write(|s| {
        let Some(current) = s
            .scheduled_events
            .get(&ctx.id("guild_scheduled_event_id"))
            .cloned()
        else {
            return unknown_event();
        };
        if matches!(current.status, COMPLETED | CANCELED) {
            return Reply::error(
                400,
                180000,
                "Cannot update a finished event",
                "invalid-body",
            );
        }
        let mut next = current.clone();
        if let Some(status) = body["status"].as_u64() {
            let status = u8::try_from(status).unwrap_or(0);
            if !may_move(current.status, status) {
                return invalid(
                    "status",
                    "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                    "Only SCHEDULED to ACTIVE or CANCELED, and ACTIVE to COMPLETED.",
                );
            }
            next.status = status;
        }
        if let Some(name) = body["name"].as_str() {
            next.name = name.to_owned();
        }
        if body.get("description").is_some() {
            next.description = body["description"].as_str().map(str::to_owned);
        }
        if body.get("scheduled_start_time").is_some() {
            match time(&body["scheduled_start_time"]) {
                Some(t) => next.start = t,
                None => {
                    return invalid(
                        "scheduled_start_time",
                        "DATE_TIME_TYPE_PARSE",
                        "Invalid date.",
                    )
                }
            }
        }
        if body.get("scheduled_end_time").is_some() {
            next.end = time(&body["scheduled_end_time"]);
        }
        if let Some(kind) = body["entity_type"].as_u64() {
            next.entity_type = u8::try_from(kind).unwrap_or(0);
        }
        if body.get("channel_id").is_some() {
            next.channel_id = channel_id(&body["channel_id"]).map(ChannelId::new);
        }
        // Discord drops entity_metadata for events that are not external.
        if next.entity_type == 3 && body.get("entity_metadata").is_some() {
            next.location = body["entity_metadata"]["location"]
                .as_str()
                .map(str::to_owned);
        }
        if let Some(reply) = check_place(s, &next) {
            return reply;
        }
        let json = event_json(shared, s, &next);
        s.scheduled_events.insert(next.id, next);
        // Discord tells the guild of every change, the bot's own included.
        notify_bot(
            shared,
            s,
            "GUILD_SCHEDULED_EVENT_UPDATE",
            json.clone(),
            GUILD_SCHEDULED_EVENTS,
        );
        Reply::ok(json)
    })
}

/// `DELETE /guilds/{guild_id}/scheduled-events/{id}`.
pub fn delete(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    shared.write(|s| {
        match s
            .scheduled_events
            .remove(&ctx.id("guild_scheduled_event_id"))
        {
            Some(_) => Reply::no_content(),
            None => unknown_event(),
        }
    })
}
