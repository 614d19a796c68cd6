//! Sending commands as people do and timing them on the fake's clock: when the fake dispatched
//! the interaction, when the callback reached it, and when a side effect landed.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serenity::all::{ChannelId, Http, UserId};

use crate::support::bot::{world, STEP};
use crate::support::fake_discord::{Ack, FakeDiscord, InteractionHandle, RecordedRequest};
use crate::support::story;

/// How long the bench waits for a callback: past Discord's 3 s (a later one is refused by the
/// fake and recorded as a violation), short of the handle's own 5 s, which would panic.
const ACK_WAIT: Duration = Duration::from_secs(4);
/// How long it waits for the final answer, short of the handle's own 15 s.
const REPLY_WAIT: Duration = Duration::from_secs(14);
/// A quiet gap before every measured command, for two reasons. The jobs the last command
/// queued (posts in its channel) are done and do not land on the next measurement, whichever
/// kind it is. And the fake's gateway socket is quiet: the fake serves without TCP_NODELAY, so
/// a gateway frame written while the previous one is unacknowledged waits for the bot's
/// delayed ACK, up to 40 ms on Linux; after 50 ms of quiet none is pending. That hold is the
/// fake's time, not the bot's (a bare `/ping` right after an archived channel is deleted shows
/// it: 30 ms after a 10 ms gap, 16 ms after 25 ms, under 1 ms after 50 ms).
pub const SETTLE: Duration = Duration::from_millis(50);

/// One command sent and what became of it.
#[derive(Debug, Clone)]
pub struct Shot {
    /// What the tables call it: `ping`, `declare`, `update public`, ...
    pub kind: &'static str,
    /// The interaction id.
    pub interaction: u64,
    /// When the fake dispatched INTERACTION_CREATE (the fake's clock is the real monotonic
    /// clock: the bench never advances it).
    pub dispatched_at: Instant,
    /// The callback, if one arrived within [`ACK_WAIT`].
    pub ack: Option<Ack>,
    /// The final answer the user saw, if it came.
    pub answer: Option<String>,
}

impl Shot {
    /// Time from dispatch to the callback.
    pub fn ack_latency(&self) -> Option<Duration> {
        self.ack.as_ref().map(|a| a.latency)
    }

    /// The answer, or an empty string.
    pub fn text(&self) -> &str {
        self.answer.as_deref().unwrap_or_default()
    }

    /// Whether the bot answered with its apology for an internal error.
    pub fn failed(&self) -> bool {
        self.text().contains("Something went wrong")
    }
}

/// `/ping` in `channel` as `user`.
pub async fn ping(fake: &FakeDiscord, user: UserId, channel: ChannelId) -> Shot {
    let handle = fake
        .slash(user)
        .in_channel(channel)
        .command("ping")
        .send()
        .await;
    finish("ping", handle).await
}

/// `/incident <sub>` in `channel` as `user`, options as a person types them.
pub async fn incident(
    fake: &FakeDiscord,
    kind: &'static str,
    user: UserId,
    channel: ChannelId,
    sub: &str,
    opts: &[(&str, &str)],
) -> Shot {
    let handle = story::incident(fake, user, channel, sub, opts).await;
    finish(kind, handle).await
}

async fn finish(kind: &'static str, handle: InteractionHandle) -> Shot {
    let dispatched_at = handle.dispatched_at();
    let ack = tokio::time::timeout(ACK_WAIT, handle.ack()).await.ok();
    let answer = match ack {
        Some(_) => tokio::time::timeout(REPLY_WAIT, handle.reply())
            .await
            .ok()
            .map(|m| m.content),
        None => None,
    };
    Shot {
        kind,
        interaction: handle.id.get(),
        dispatched_at,
        ack,
        answer,
    }
}

/// The channel a declare's answer links (`… Work it in <#123>.`).
pub fn linked_channel(answer: &str) -> Option<ChannelId> {
    let start = answer.find("<#")? + 2;
    let digits: String = answer[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok().map(ChannelId::new)
}

/// Declares a P2 incident from #general and waits until its channel shows the pinned intro
/// (read from the channel itself, a cheap probe that does not hold up the fake).
pub async fn declare(fake: &FakeDiscord, user: UserId, title: &str, systems: &str) -> Shot {
    let shot = incident(
        fake,
        "declare",
        user,
        world::GENERAL,
        "declare",
        &[("title", title), ("severity", "P2"), ("systems", systems)],
    )
    .await;
    let channel = linked_channel(shot.text())
        .unwrap_or_else(|| panic!("the declare answer links no channel: {:?}", shot.answer));
    fake.wait_for("the pinned intro", STEP, |f| {
        f.channel(channel)
            .is_some_and(|c| c.last_pin_timestamp.is_some())
    })
    .await;
    shot
}

/// Resolves and closes the incident of `channel` as the commander, then clears its channel.
pub async fn close_and_clear(
    fake: &FakeDiscord,
    admin: &Http,
    channel: ChannelId,
    shots: &mut Vec<Shot>,
) {
    tokio::time::sleep(SETTLE).await;
    let resolve = resolve(fake, channel).await;
    shots.push(resolve);
    tokio::time::sleep(SETTLE).await;
    let close = close(fake, channel).await;
    shots.push(close);
    clear(fake, admin, channel).await;
}

/// `/incident resolve` by the commander.
pub async fn resolve(fake: &FakeDiscord, channel: ChannelId) -> Shot {
    let shot = incident(
        fake,
        "resolve",
        world::COMMANDER,
        channel,
        "resolve",
        // The verification window would keep close waiting an hour: the bench times the
        // resolve that ends the work at once.
        &[
            ("root_cause", "A bad deploy, rolled back"),
            ("all_clear", "now"),
        ],
    )
    .await;
    assert!(shot.text().contains("Resolved"), "{:?}", shot.answer);
    shot
}

/// `/incident close` by the commander.
pub async fn close(fake: &FakeDiscord, channel: ChannelId) -> Shot {
    let shot = incident(fake, "close", world::COMMANDER, channel, "close", &[]).await;
    assert!(shot.text().contains("Closed"), "{:?}", shot.answer);
    shot
}

/// Waits until the bot has moved a closed incident's channel to the archive, then deletes it
/// as a server admin would: Discord allows 50 channels per category, and the bench opens
/// hundreds of incidents. Nothing of the bot touches a closed P2 incident's channel again
/// (it was resolved with all_clear:now, so no fix check is waiting), so the deletion cannot
/// surface as a bot error while the bench runs.
pub async fn clear(fake: &FakeDiscord, admin: &Http, channel: ChannelId) {
    fake.wait_for("the channel archived", STEP, |f| {
        f.channel(channel)
            .is_some_and(|c| c.parent_id == Some(world::ARCHIVE))
    })
    .await;
    admin
        .delete_channel(channel, Some("benchmark cleanup"))
        .await
        .expect("the fake deletes an archived channel");
}

/// Waits until an announcement containing `text` is in the players' channel. It sleeps first
/// and then probes, because the probe scans every message under the fake's lock.
pub async fn wait_announced(fake: &FakeDiscord, text: &str) {
    tokio::time::sleep(Duration::from_millis(15)).await;
    fake.wait_for("the public update", STEP, |f| {
        f.messages(world::ANNOUNCEMENTS)
            .iter()
            .any(|m| m.content.contains(text))
    })
    .await;
}

/// When things landed at the fake, from its request log: answers, pins, announcements.
pub struct Landings {
    answered: HashMap<u64, Instant>,
    pinned: HashMap<u64, Instant>,
    announced: Vec<(String, Instant)>,
}

impl Landings {
    /// Reads the fake's request log once (it holds every request of the run) and indexes it.
    pub fn read(fake: &FakeDiscord, shots: &[Shot]) -> Self {
        let requests = fake.requests();
        let epoch = epoch(&requests, shots);
        let mut landings = Self {
            answered: HashMap::new(),
            pinned: HashMap::new(),
            announced: Vec::new(),
        };
        let announcements = format!("/channels/{}/messages", world::ANNOUNCEMENTS);
        for r in requests.iter().filter(|r| r.status < 300) {
            let at = epoch + r.at;
            let segments: Vec<&str> = r.path.split('/').collect();
            match (r.method.as_str(), segments.as_slice()) {
                // The last answer to an interaction is when the user saw it.
                ("POST", ["", "interactions", id, _, "callback"]) => {
                    if let Ok(id) = id.parse() {
                        landings.answered.insert(id, at);
                    }
                }
                // A deferred command answers with a follow-up, which Discord shows in place
                // of the "thinking…" response, or with an edit of `@original`.
                ("POST", ["", "webhooks", _, token])
                | ("PATCH", ["", "webhooks", _, token, "messages", "@original"]) => {
                    if let Some(id) = interaction_of(token) {
                        landings.answered.insert(id, at);
                    }
                }
                ("PUT", ["", "channels", channel, .., "pins", _]) => {
                    if let Ok(channel) = channel.parse() {
                        landings.pinned.entry(channel).or_insert(at);
                    }
                }
                ("POST", _) if r.path == announcements => {
                    let content = r.body.as_ref().and_then(|b| b["content"].as_str());
                    landings
                        .announced
                        .push((content.unwrap_or_default().to_owned(), at));
                }
                _ => {}
            }
        }
        landings
    }

    /// From dispatch to the final answer the user saw.
    pub fn answer(&self, shot: &Shot) -> Option<Duration> {
        let at = self.answered.get(&shot.interaction)?;
        Some(at.saturating_duration_since(shot.dispatched_at))
    }

    /// From a declare's dispatch to its channel existing with the intro pinned.
    pub fn pinned(&self, declare: &Shot) -> Option<Duration> {
        let channel = linked_channel(declare.text())?;
        let at = self.pinned.get(&channel.get())?;
        Some(at.saturating_duration_since(declare.dispatched_at))
    }

    /// From an update's dispatch to the announcement containing `text` being posted.
    pub fn announced(&self, update: &Shot, text: &str) -> Option<Duration> {
        let (_, at) = self.announced.iter().find(|(c, _)| c.contains(text))?;
        Some(at.saturating_duration_since(update.dispatched_at))
    }
}

/// The interaction id in one of the fake's interaction tokens (`fake-interaction-token-<id>-…`).
fn interaction_of(token: &str) -> Option<u64> {
    token
        .strip_prefix("fake-interaction-token-")?
        .split('-')
        .next()?
        .parse()
        .ok()
}

/// The fake's start on the monotonic clock, which its request log counts from. The fake stamps
/// a callback's arrival on the monotonic clock (`Ack::at`) and logs the request a few
/// microseconds later as a duration since its start, so `ack.at - logged` is at most the start,
/// and the largest such value is within microseconds of it.
fn epoch(requests: &[RecordedRequest], shots: &[Shot]) -> Instant {
    let acks: HashMap<u64, Instant> = shots
        .iter()
        .filter_map(|s| s.ack.as_ref().map(|a| (s.interaction, a.at)))
        .collect();
    requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/callback"))
        .filter_map(|r| {
            let id: u64 = r.path.split('/').nth(2)?.parse().ok()?;
            acks.get(&id)?.checked_sub(r.at)
        })
        .max()
        .expect("at least one acknowledged command to calibrate against")
}
