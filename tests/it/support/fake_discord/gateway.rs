//! The gateway websocket: HELLO, IDENTIFY, READY, heartbeats, RESUME refusal, and dispatches.
//!
//! RESUME (op 6) is always answered with INVALID_SESSION (op 9, `d: false`), so after any
//! disconnect the client identifies again; events sent while no session is up are not replayed.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::content;
use super::shapes;
use super::shared::Shared;
use super::state::{FakeMessage, State as World};

/// Intent GUILDS: guild, channel and pin events.
pub const GUILDS: u64 = 1;
/// Intent GUILD_MESSAGES: message create/update/delete in guilds.
pub const GUILD_MESSAGES: u64 = 1 << 9;
/// Intent GUILD_MESSAGE_REACTIONS: reaction add/remove in guilds.
pub const GUILD_MESSAGE_REACTIONS: u64 = 1 << 10;
/// Intent GUILD_SCHEDULED_EVENTS: scheduled events created, updated, deleted, and members'
/// interest in them.
pub const GUILD_SCHEDULED_EVENTS: u64 = 1 << 16;
/// Intent MESSAGE_CONTENT (privileged): message content of other users' messages.
pub const MESSAGE_CONTENT: u64 = 1 << 15;

/// What the test side asks a session's socket task to do.
enum Outbound {
    Frame(String),
    Drop,
}

/// One websocket connection.
struct Session {
    id: u64,
    tx: mpsc::UnboundedSender<Outbound>,
    ready: bool,
    intents: u64,
    seq: u64,
}

/// The live sessions and the gateway's switches.
#[derive(Default)]
pub struct GatewayHub {
    sessions: Mutex<Vec<Session>>,
    next_id: AtomicU64,
    /// When set, heartbeats go unanswered (the client should then reconnect).
    pub mute_heartbeats: AtomicBool,
}

impl GatewayHub {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Session>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Intents of the newest identified session, if one is up.
    pub fn ready_intents(&self) -> Option<u64> {
        self.lock()
            .iter()
            .rev()
            .find(|s| s.ready)
            .map(|s| s.intents)
    }

    /// Cuts every connection without a close frame, like a network failure.
    pub fn drop_all(&self) {
        for session in self.lock().iter() {
            let _ = session.tx.send(Outbound::Drop);
        }
    }

    /// Sends a dispatch on session `id` (or the newest ready one); returns the frame sent.
    fn send(&self, id: Option<u64>, name: &str, d: &Value) -> Option<Value> {
        let mut sessions = self.lock();
        let session = match id {
            Some(id) => sessions.iter_mut().find(|s| s.id == id)?,
            None => sessions.iter_mut().rev().find(|s| s.ready)?,
        };
        session.seq += 1;
        let frame = json!({ "op": 0, "s": session.seq, "t": name, "d": d });
        session.tx.send(Outbound::Frame(frame.to_string())).ok()?;
        Some(frame)
    }
}

/// Sends an event caused by a REST call, if a session is up and subscribed to `intent`
/// (Discord sends nothing a client did not ask for).
pub fn notify_bot(shared: &Shared, world: &mut World, name: &str, d: Value, intent: u64) {
    if shared
        .gateway
        .ready_intents()
        .is_some_and(|i| i & intent == intent)
        && shared.gateway.send(None, name, &d).is_some()
    {
        world.events.push((name.to_owned(), d));
    }
}

/// Sends MESSAGE_CREATE/UPDATE for a non-ephemeral message; without MESSAGE_CONTENT the
/// content of other users' messages arrives empty unless they mention the bot (`content`).
pub fn notify_message(shared: &Shared, world: &mut World, name: &str, msg: &FakeMessage) {
    if msg.flags & 64 != 0 {
        return;
    }
    let mut d = shapes::message(shared, world, msg);
    if let Some(member) = world.members.get(&msg.author.id.get()) {
        let mut partial = shapes::member(member);
        partial.as_object_mut().map(|m| m.remove("user"));
        d["member"] = partial;
    }
    let intents = shared.gateway.ready_intents().unwrap_or(0);
    if !content::readable(shared, msg, intents & MESSAGE_CONTENT != 0) {
        content::redact(&mut d);
    }
    notify_bot(shared, world, name, d, GUILD_MESSAGES);
}

/// Sends an event the test asked for, waiting (up to 10 s) for an identified session.
/// Panics if the bot never connects or did not request the event's intent.
pub async fn dispatch(shared: &Arc<Shared>, name: &str, d: Value, intent: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mut changed = shared.subscribe();
        if let Some(intents) = shared.gateway.ready_intents() {
            assert!(
                intents & intent == intent,
                "fake Discord: {name} needs gateway intent bits {intent:#x}, but the bot identified with intents {intents:#x}"
            );
            if let Some(frame) = shared.gateway.send(None, name, &d) {
                shared.write(|s| s.events.push((name.to_owned(), frame["d"].clone())));
                return;
            }
        }
        if tokio::time::timeout_at(deadline, changed.changed())
            .await
            .is_err()
        {
            panic!("fake Discord: no identified gateway session within 10 s to deliver {name} (did the bot start?)");
        }
    }
}

/// axum handler for `/gateway`: upgrades to a websocket session.
pub async fn upgrade(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| run_session(shared, socket))
}

async fn run_session(shared: Arc<Shared>, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = shared.gateway.next_id.fetch_add(1, Ordering::Relaxed);
    shared.gateway.lock().push(Session {
        id,
        tx: tx.clone(),
        ready: false,
        intents: 0,
        seq: 0,
    });
    let hello = json!({ "op": 10, "s": null, "t": null,
        "d": { "heartbeat_interval": shared.config.heartbeat_interval.as_millis() } });
    let mut open = socket
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_ok();
    while open {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(message)) = incoming else { break };
                open = match handle_incoming(&shared, id, message) {
                    Incoming::Reply(frame) => socket.send(Message::Text(frame.to_string().into())).await.is_ok(),
                    Incoming::Nothing => true,
                    Incoming::Close(code, reason) => {
                        let frame = CloseFrame { code, reason: reason.into() };
                        let _ = socket.send(Message::Close(Some(frame))).await;
                        false
                    }
                };
            }
            outbound = rx.recv() => match outbound {
                Some(Outbound::Frame(text)) => open = socket.send(Message::Text(text.into())).await.is_ok(),
                Some(Outbound::Drop) | None => break,
            },
        }
    }
    shared.gateway.lock().retain(|s| s.id != id);
    shared.notify();
}

enum Incoming {
    Reply(Value),
    Nothing,
    Close(u16, &'static str),
}

fn handle_incoming(shared: &Arc<Shared>, id: u64, message: Message) -> Incoming {
    let text = match message {
        Message::Text(text) => text.as_str().to_owned(),
        Message::Close(_) => return Incoming::Close(1000, "bye"),
        Message::Ping(_) | Message::Pong(_) => return Incoming::Nothing,
        Message::Binary(_) => {
            shared.write(|s| s.violate("gateway", "gateway", "client sent a binary frame"));
            return Incoming::Close(4002, "Error while decoding payload.");
        }
    };
    let Ok(payload) = serde_json::from_str::<Value>(&text) else {
        shared.write(|s| s.violate("gateway", "gateway", format!("undecodable payload: {text}")));
        return Incoming::Close(4002, "Error while decoding payload.");
    };
    let identified = shared.gateway.lock().iter().any(|s| s.id == id && s.ready);
    match payload["op"].as_u64() {
        Some(1) => {
            shared.write(|s| s.heartbeats += 1);
            if shared.gateway.mute_heartbeats.load(Ordering::Relaxed) {
                Incoming::Nothing
            } else {
                Incoming::Reply(json!({ "op": 11, "s": null, "t": null, "d": null }))
            }
        }
        Some(2) if identified => Incoming::Close(4005, "Already authenticated."),
        Some(2) => identify(shared, id, &payload),
        Some(6) => {
            shared.write(|s| s.resumes += 1);
            Incoming::Reply(json!({ "op": 9, "s": null, "t": null, "d": false }))
        }
        Some(3 | 4 | 8) if identified => Incoming::Nothing,
        Some(3 | 4 | 8) => Incoming::Close(4003, "Not authenticated."),
        _ => {
            shared.write(|s| s.violate("gateway", "gateway", format!("unknown opcode in {text}")));
            Incoming::Close(4001, "Unknown opcode.")
        }
    }
}

/// Checks the token, then queues READY and GUILD_CREATE before the session counts as ready,
/// so nothing the test dispatches can overtake them.
fn identify(shared: &Arc<Shared>, id: u64, payload: &Value) -> Incoming {
    let d = &payload["d"];
    let token = d["token"].as_str().unwrap_or_default();
    let expected = &shared.config.token;
    shared.write(|s| s.identifies.push(payload.clone()));
    if token != format!("Bot {expected}") && token != expected.as_str() {
        shared.write(|s| s.violate("gateway", "gateway IDENTIFY", "wrong token"));
        return Incoming::Close(4004, "Authentication failed.");
    }
    let intents = d["intents"].as_u64().unwrap_or(0);
    if intents & MESSAGE_CONTENT != 0 && !shared.config.message_content_intent {
        let detail = "IDENTIFY asked for MESSAGE_CONTENT, which the app has not turned on";
        shared.write(|s| s.violate("disallowed-intent", "gateway IDENTIFY", detail));
        return Incoming::Close(4014, "Disallowed intent(s).");
    }
    let guild = shared.config.guild_id.to_string();
    let ready = json!({
        "v": 10,
        "user": shapes::current_user(shared),
        "guilds": [{ "id": guild, "unavailable": true }],
        "session_id": format!("fake-session-{id}"),
        "resume_gateway_url": shared.gateway_url(),
        "shard": [0, 1],
        "application": { "id": shared.config.application_id.to_string(), "flags": 0 },
        "private_channels": [],
        "presences": [],
        "relationships": [],
        "user_settings": {},
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": [],
    });
    shared.gateway.send(Some(id), "READY", &ready);
    let mut sent = vec![("READY".to_owned(), ready)];
    if intents & GUILDS != 0 {
        let guild_create = shared.read(|s| shapes::guild_create(shared, s));
        shared.gateway.send(Some(id), "GUILD_CREATE", &guild_create);
        sent.push(("GUILD_CREATE".to_owned(), guild_create));
    }
    if let Some(session) = shared.gateway.lock().iter_mut().find(|s| s.id == id) {
        session.ready = true;
        session.intents = intents;
    }
    shared.write(|s| s.events.extend(sent));
    Incoming::Nothing
}
