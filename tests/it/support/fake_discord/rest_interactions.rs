//! REST: interaction callbacks (3 s, once) and the interaction webhook (@original, follow-ups).

use serde_json::{json, Value};
use serenity::all::MessageId;

use super::gateway::notify_message;
use super::limits::{ACK_DEADLINE, TOKEN_LIFETIME};
use super::reply::Reply;
use super::rest::Ctx;
use super::rest_messages::{apply_edit, check_payload, new_message, unknown_message};
use super::shapes;
use super::shared::Shared;
use super::state::{Ack, InteractionKind, InteractionRecord, InteractionTag, State};

fn unknown_interaction() -> Reply {
    Reply::error(404, 10062, "Unknown interaction", "interaction")
}

fn unknown_webhook() -> Reply {
    Reply::error(404, 10015, "Unknown Webhook", "interaction")
}

/// Callback types Discord accepts for each kind of interaction.
fn allowed_callbacks(kind: InteractionKind) -> &'static [u8] {
    match kind {
        InteractionKind::Command => &[4, 5, 9],
        InteractionKind::Component => &[4, 5, 6, 7, 9],
        InteractionKind::Autocomplete => &[8],
        InteractionKind::Modal => &[4, 5, 6, 7],
    }
}

/// The message type of a response: 20 for slash commands, 23 for context menus, 0 otherwise.
fn response_kind(rec: &InteractionRecord) -> u8 {
    match (rec.kind, rec.source_message) {
        (InteractionKind::Command, Some(_)) => 23,
        (InteractionKind::Command, None) => 20,
        _ => 0,
    }
}

/// Stores an interaction's response or follow-up message in its channel, tagged.
fn post(
    shared: &Shared,
    s: &mut State,
    rec: &InteractionRecord,
    body: &Value,
    files: &[(String, Vec<u8>)],
    original: bool,
) -> MessageId {
    let mut msg = new_message(
        shared,
        rec.channel_id.get(),
        shared.config.bot.clone(),
        body,
        files,
        response_kind(rec),
    );
    msg.interaction = Some(InteractionTag {
        interaction_id: rec.id,
        user_id: rec.user_id,
        ephemeral: msg.flags & 64 != 0,
        original,
    });
    let id = msg.id;
    s.messages.insert(id.get(), msg.clone());
    notify_message(shared, s, "MESSAGE_CREATE", &msg);
    id
}

/// `POST /interactions/{id}/{token}/callback`: refused after 3 s (10062) or when sent twice (40060).
pub fn callback(shared: &Shared, ctx: &Ctx) -> Reply {
    let id = ctx.id("interaction_id");
    let kind = u8::try_from(ctx.body["type"].as_u64().unwrap_or(0)).unwrap_or(0);
    let data = ctx.body["data"].clone();
    shared.write(|s| {
        let Some(rec) = s.interactions.get(&id).filter(|r| r.token == ctx.param("interaction_token")).cloned()
        else {
            return unknown_interaction();
        };
        if rec.ack.is_some() {
            return Reply::error(400, 40060, "Interaction has already been acknowledged.", "interaction");
        }
        let latency = shared.clock.now().duration_since(rec.dispatched_at);
        if latency > ACK_DEADLINE {
            let mut reply = unknown_interaction();
            reply.violation = Some(("interaction", format!("callback {latency:?} after dispatch (limit 3 s)")));
            return reply;
        }
        if !allowed_callbacks(rec.kind).contains(&kind) {
            let err = json!({ "code": "INTERACTION_RESPONSE_TYPE_INVALID",
                "message": format!("Callback type {kind} is not valid for a {:?} interaction", rec.kind) });
            return Reply::invalid_form(&[("/type".to_owned(), err)], "interaction");
        }
        if matches!(kind, 4 | 7) {
            if let Some(reply) = check_payload(&data, ctx.files.len(), kind == 4) {
                return reply;
            }
        }
        let original = match kind {
            4 => Some(post(shared, s, &rec, &data, &ctx.files, true)),
            5 => {
                let flags = data["flags"].as_u64().unwrap_or(0) & 64;
                let placeholder = post(shared, s, &rec, &json!({ "flags": flags }), &[], true);
                if let Some(msg) = s.messages.get_mut(&placeholder.get()) {
                    msg.flags |= 128;
                    msg.history.clear();
                }
                Some(placeholder)
            }
            6 => rec.source_message,
            7 => {
                let source = rec.source_message.and_then(|m| s.messages.get_mut(&m.get()));
                let Some(msg) = source else { return unknown_message() };
                apply_edit(shared, msg, &data, &ctx.files);
                let msg = msg.clone();
                notify_message(shared, s, "MESSAGE_UPDATE", &msg);
                Some(msg.id)
            }
            _ => None,
        };
        if let Some(stored) = s.interactions.get_mut(&id) {
            stored.ack = Some(Ack { kind, data, latency, at: shared.clock.now() });
            stored.original = original;
        }
        if ctx.query("with_response") != Some("true") {
            return Reply::no_content();
        }
        let message = original.and_then(|m| s.messages.get(&m.get())).map(|m| shapes::message(shared, s, m));
        Reply::ok(json!({
            "interaction": { "id": id.to_string(), "type": 2, "response_message_id": original.map(|m| m.to_string()),
                "response_message_loading": kind == 5, "response_message_ephemeral": message.as_ref().is_some_and(|m| m["flags"].as_u64().unwrap_or(0) & 64 != 0) },
            "resource": { "type": kind, "message": message },
        }))
    })
}

/// Finds the interaction behind a webhook call and checks the token is usable.
fn webhook_target(shared: &Shared, s: &State, ctx: &Ctx) -> Result<InteractionRecord, Reply> {
    if ctx.id("webhook_id") != shared.config.application_id {
        return Err(unknown_webhook());
    }
    let token = ctx.param("webhook_token");
    let Some(rec) = s.interactions.values().find(|r| r.token == token) else {
        return Err(unknown_webhook());
    };
    if shared.clock.now().duration_since(rec.dispatched_at) > TOKEN_LIFETIME {
        return Err(Reply::error(
            401,
            50027,
            "Invalid Webhook Token",
            "interaction",
        ));
    }
    if rec.ack.is_none() {
        let mut reply = unknown_webhook();
        reply.violation = Some((
            "interaction",
            "webhook call before the interaction was acknowledged".into(),
        ));
        return Err(reply);
    }
    Ok(rec.clone())
}

/// `GET`/`PATCH`/`DELETE /webhooks/{app}/{token}/messages/@original` or `/{message_id}`.
pub fn webhook_message(shared: &Shared, ctx: &Ctx) -> Reply {
    if ctx.method == "PATCH" {
        if let Some(reply) = check_payload(&ctx.body, ctx.files.len(), false) {
            return reply;
        }
    }
    shared.write(|s| {
        let rec = match webhook_target(shared, s, ctx) {
            Ok(rec) => rec,
            Err(reply) => return reply,
        };
        let target = if ctx.template.ends_with("@original") {
            rec.original.map(MessageId::get)
        } else {
            let id = ctx.id("message_id");
            s.messages
                .get(&id)
                .filter(|m| {
                    m.interaction
                        .as_ref()
                        .is_some_and(|t| t.interaction_id == rec.id)
                })
                .map(|m| m.id.get())
        };
        let Some(target) = target.filter(|t| s.messages.contains_key(t)) else {
            return unknown_message();
        };
        match ctx.method.as_str() {
            "DELETE" => {
                s.messages.remove(&target);
                Reply::no_content()
            }
            "PATCH" => {
                let Some(msg) = s.messages.get_mut(&target) else {
                    return unknown_message();
                };
                apply_edit(shared, msg, &ctx.body, &ctx.files);
                let msg = msg.clone();
                notify_message(shared, s, "MESSAGE_UPDATE", &msg);
                Reply::ok(shapes::message(shared, s, &msg))
            }
            _ => s.messages.get(&target).map_or_else(unknown_message, |m| {
                Reply::ok(shapes::message(shared, s, m))
            }),
        }
    })
}

/// `POST /webhooks/{app}/{token}`: a follow-up (Discord always waits and returns the message).
/// After a deferral, the first follow-up replaces the "thinking" message, as on Discord.
pub fn followup(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = check_payload(&ctx.body, ctx.files.len(), true) {
        return reply;
    }
    shared.write(|s| {
        let rec = match webhook_target(shared, s, ctx) {
            Ok(rec) => rec,
            Err(reply) => return reply,
        };
        let loading = rec
            .original
            .and_then(|m| s.messages.get_mut(&m.get()))
            .filter(|m| m.flags & 128 != 0);
        let id = match loading {
            Some(msg) => {
                apply_edit(shared, msg, &ctx.body, &ctx.files);
                msg.edited_timestamp = None;
                msg.id
            }
            None => post(shared, s, &rec, &ctx.body, &ctx.files, false),
        };
        s.messages.get(&id.get()).map_or_else(unknown_message, |m| {
            Reply::ok(shapes::message(shared, s, m))
        })
    })
}
