//! Scale: the same commands against a bot on an empty database and a bot whose database holds
//! 10,000 closed incidents, alternating between them so that noise hits both alike.

use std::time::Duration;

use serenity::all::Http;

use crate::drive::{self, Landings, Shot, SETTLE};
use crate::mix::SYSTEMS;
use crate::support::bot::world;
use crate::support::fake_discord::FakeDiscord;

/// One bot's side of the comparison.
#[derive(Default)]
pub struct Side {
    /// `declare`: dispatch to callback.
    pub declare_ack: Vec<Duration>,
    /// `declare`: dispatch to channel open with the intro pinned.
    pub declare_effect: Vec<Duration>,
    /// `status` in the incident's channel: dispatch to callback.
    pub status_ack: Vec<Duration>,
    /// `status` in the incident's channel: dispatch to the final answer.
    pub status_answer: Vec<Duration>,
    /// `status` elsewhere (the open incidents): dispatch to callback.
    pub list_ack: Vec<Duration>,
    /// `status` elsewhere: dispatch to the final answer.
    pub list_answer: Vec<Duration>,
    /// `resolve` (not a target: it reads the earlier incidents of the same systems for the
    /// post-mortem recurrence rule): dispatch to the final answer.
    pub resolve_answer: Vec<Duration>,
    /// Answers that were not what the command gives when it works.
    pub odd: usize,
}

/// A bot under comparison: its fake and an admin connection to clear channels.
pub struct Bench<'a> {
    /// The fake the bot is connected to.
    pub fake: &'a FakeDiscord,
    /// An admin's REST client on that fake.
    pub admin: &'a Http,
}

/// Runs `cycles` rounds; each round works one incident on each bot, in alternating order.
pub async fn run(empty: &Bench<'_>, full: &Bench<'_>, cycles: usize) -> (Side, Side) {
    let mut shots: [Vec<Shot>; 2] = [Vec::new(), Vec::new()];
    let benches = [empty, full];
    for c in 0..cycles {
        let order = if c % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            round(benches[i], c, &mut shots[i]).await;
        }
    }
    let [e, f] = shots;
    (side(empty.fake, &e), side(full.fake, &f))
}

async fn round(bench: &Bench<'_>, c: usize, shots: &mut Vec<Shot>) {
    let (fake, who) = (bench.fake, world::RESPONDER);
    let system = SYSTEMS[c % SYSTEMS.len()];
    tokio::time::sleep(SETTLE).await;
    let declare = drive::declare(fake, who, &format!("Scale {c} {system} down"), system).await;
    let channel = drive::linked_channel(declare.text()).expect("checked by declare");
    shots.push(declare);
    for _ in 0..3 {
        tokio::time::sleep(SETTLE).await;
        shots.push(drive::incident(fake, "status", who, channel, "status", &[]).await);
    }
    tokio::time::sleep(SETTLE).await;
    let list = drive::incident(fake, "status (list)", who, world::GENERAL, "status", &[]).await;
    shots.push(list);
    drive::close_and_clear(fake, bench.admin, channel, shots).await;
}

fn side(fake: &FakeDiscord, shots: &[Shot]) -> Side {
    let landings = Landings::read(fake, shots);
    let mut side = Side::default();
    for shot in shots {
        side.odd += usize::from(!crate::mix::expected(shot));
        let ack = shot.ack_latency().unwrap_or(Duration::MAX);
        let answer = landings.answer(shot).unwrap_or(Duration::MAX);
        match shot.kind {
            "declare" => {
                side.declare_ack.push(ack);
                side.declare_effect
                    .push(landings.pinned(shot).unwrap_or(Duration::MAX));
            }
            "status" => {
                side.status_ack.push(ack);
                side.status_answer.push(answer);
            }
            "resolve" => side.resolve_answer.push(answer),
            "close" => {}
            _ => {
                side.list_ack.push(ack);
                side.list_answer.push(answer);
            }
        }
    }
    side
}
