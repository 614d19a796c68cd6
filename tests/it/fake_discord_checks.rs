//! Tests of the fake Discord itself: it refuses what Discord refuses, speaks the shapes serenity
//! parses, and answers the questions the bot's tests will ask.

mod access;
mod client;
mod content_intent;
mod events;
mod interactions;
mod limits;
mod models;
mod queries;
mod validation;
mod view;

use std::time::Duration;

use serenity::all::{ChannelId, Client, EventHandler, GatewayIntents, RoleId, UserId};
use serenity::http::HttpError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;

use crate::support::fake_discord::{FakeDiscord, FakeDiscordBuilder};

/// A responder with the Responders role.
pub const ALICE: UserId = UserId::new(1_200_000_000_000_000_001);
/// A member without roles.
pub const BOB: UserId = UserId::new(1_200_000_000_000_000_002);
/// The responders' role.
pub const RESPONDERS: RoleId = RoleId::new(1_300_000_000_000_000_001);
/// An ordinary text channel.
pub const GENERAL: ChannelId = ChannelId::new(1_400_000_000_000_000_001);
/// An announcement channel for players.
pub const STATUS: ChannelId = ChannelId::new(1_400_000_000_000_000_002);
/// The incidents category.
pub const INCIDENTS: ChannelId = ChannelId::new(1_400_000_000_000_000_003);

/// The guild most tests use: two members, one role, a text channel, an announcement channel
/// and a category.
pub fn studio() -> FakeDiscordBuilder {
    FakeDiscord::builder()
        .role(RESPONDERS, "Responders", 0)
        .member(ALICE, "alice", &[RESPONDERS])
        .member(BOB, "bob", &[])
        .text_channel(GENERAL, "general")
        .announcement_channel(STATUS, "status")
        .category(INCIDENTS, "Incidents")
}

/// The HTTP status and Discord error code of a failed serenity call.
pub fn discord_error<T: std::fmt::Debug>(result: serenity::Result<T>) -> (u16, isize) {
    match result {
        Err(serenity::Error::Http(HttpError::UnsuccessfulRequest(e))) => {
            (e.status_code.as_u16(), e.error.code)
        }
        other => panic!("expected Discord to refuse the request, got {other:?}"),
    }
}

/// An event handler that does nothing: for tests that act as the bot over REST themselves.
pub struct Idle;

impl EventHandler for Idle {}

/// Builds a serenity client against the fake, checks it took the fake's gateway URL (serenity
/// falls back to the real gateway silently when `GET /gateway` fails), and starts it.
pub async fn start_client(
    fake: &FakeDiscord,
    intents: GatewayIntents,
    handler: impl EventHandler + 'static,
) -> JoinHandle<()> {
    let mut client: Client = fake
        .client_builder(intents)
        .event_handler(handler)
        .await
        .expect("build the client");
    assert_eq!(
        *client.ws_url.lock().await,
        fake.gateway_url(),
        "the client must connect to the fake"
    );
    let task = tokio::spawn(async move {
        if let Err(why) = client.start().await {
            tracing::warn!(%why, "test client stopped");
        }
    });
    fake.wait_for_ready(Duration::from_secs(10)).await;
    task
}

/// A raw HTTP/1.1 exchange with the fake, for requests serenity will not build; returns the
/// status line, headers and body as text.
pub async fn raw_request(
    fake: &FakeDiscord,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, String, String) {
    let address = fake.rest_base().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect to the fake");
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bot {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        fake.token(),
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("send the request");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("read the response");
    let (head, rest) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), rest.to_owned())
}

/// Stops a test client (its task owns it).
pub fn stop(client: JoinHandle<()>) {
    client.abort();
}
