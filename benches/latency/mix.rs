//! The sequential mix: incidents worked from declare to close, one command at a time, each
//! command preceded by a `/ping` so that the floor is measured under the same conditions.

use std::time::Duration;

use serenity::all::{ChannelId, Http, UserId};

use crate::drive::{self, Landings, Shot, SETTLE};
use crate::support::bot::world;
use crate::support::fake_discord::FakeDiscord;

/// The systems incidents rotate through (the default catalogue).
pub const SYSTEMS: [&str; 6] = [
    "Login",
    "Matchmaking",
    "Game servers",
    "Store",
    "Database",
    "Website",
];

/// Commands one incident's life sends, pings excluded.
pub const COMMANDS_PER_CYCLE: usize = 12;

/// What the mix measured.
pub struct Mix {
    /// Every command, pings included, in order.
    pub shots: Vec<Shot>,
    /// Dispatch to final answer, per shot index.
    pub answered: Vec<Option<Duration>>,
    /// Declare: dispatch to channel open with the intro pinned.
    pub declare_effect: Vec<Duration>,
    /// `update public:true`: dispatch to the announcement posted.
    pub announce_effect: Vec<Duration>,
    /// Answers that were not what the command should say (kind and answer).
    pub odd: Vec<(&'static str, String)>,
}

/// Runs `cycles` incident lives against `fake`; `admin` clears archived channels.
pub async fn run(fake: &FakeDiscord, admin: &Http, cycles: usize) -> Mix {
    let mut shots = Vec::with_capacity(cycles * COMMANDS_PER_CYCLE * 2);
    let mut public = Vec::new();
    let who = world::RESPONDER;
    for c in 0..cycles {
        let system = SYSTEMS[c % SYSTEMS.len()];
        floor(fake, world::GENERAL, &mut shots).await;
        let title = format!("Bench {c} {system} degraded");
        let declare = drive::declare(fake, who, &title, system).await;
        let channel = drive::linked_channel(declare.text()).expect("checked by declare");
        shots.push(declare);
        let mut step = async |kind: &'static str,
                              user: UserId,
                              at: ChannelId,
                              sub: &str,
                              opts: &[(&str, &str)]| {
            floor(fake, at, &mut shots).await;
            tokio::time::sleep(SETTLE).await;
            shots.push(drive::incident(fake, kind, user, at, sub, opts).await);
        };
        step("status", who, channel, "status", &[]).await;
        let note = format!("Bench note {c}a");
        step("note", who, channel, "note", &[("text", &note)]).await;
        let update = format!("Bench update {c}");
        step("update", who, channel, "update", &[("message", &update)]).await;
        step("status (list)", who, world::GENERAL, "status", &[]).await;
        let text = format!("Bench public update {c}");
        let opts = [
            ("message", text.as_str()),
            ("public", "true"),
            ("eta", "30 minutes"),
        ];
        step("update public", who, channel, "update", &opts).await;
        drive::wait_announced(fake, &text).await;
        public.push(text.clone());
        let to = [("to", "containment")];
        step("phase", who, channel, "phase", &to).await;
        let note = format!("Bench note {c}b");
        step("note", who, channel, "note", &[("text", &note)]).await;
        step("status", who, channel, "status", &[]).await;
        let to = [("to", "investigation")];
        step("phase", who, channel, "phase", &to).await;
        floor(fake, channel, &mut shots).await;
        tokio::time::sleep(SETTLE).await;
        shots.push(drive::resolve(fake, channel).await);
        floor(fake, channel, &mut shots).await;
        tokio::time::sleep(SETTLE).await;
        shots.push(drive::close(fake, channel).await);
        drive::clear(fake, admin, channel).await;
    }
    measure(fake, shots, &public)
}

/// A `/ping` in `channel` after the settle gap.
async fn floor(fake: &FakeDiscord, channel: ChannelId, shots: &mut Vec<Shot>) {
    tokio::time::sleep(SETTLE).await;
    shots.push(drive::ping(fake, world::RESPONDER, channel).await);
}

fn measure(fake: &FakeDiscord, shots: Vec<Shot>, public: &[String]) -> Mix {
    let landings = Landings::read(fake, &shots);
    let answered = shots.iter().map(|s| landings.answer(s)).collect();
    let declare_effect = shots
        .iter()
        .filter(|s| s.kind == "declare")
        .map(|s| landings.pinned(s).expect("every declare pinned its intro"))
        .collect();
    let updates: Vec<&Shot> = shots.iter().filter(|s| s.kind == "update public").collect();
    let announce_effect = updates
        .iter()
        .zip(public)
        .map(|(s, text)| {
            landings
                .announced(s, text)
                .expect("every public update was announced")
        })
        .collect();
    let odd = shots
        .iter()
        .filter(|s| !expected(s))
        .map(|s| (s.kind, s.answer.clone().unwrap_or_else(|| "(none)".into())))
        .collect();
    Mix {
        shots,
        answered,
        declare_effect,
        announce_effect,
        odd,
    }
}

/// Whether a shot got the answer its command gives when it works.
pub fn expected(shot: &Shot) -> bool {
    let text = shot.text();
    match shot.kind {
        "ping" => text == "ok",
        "declare" => text.contains("declared"),
        "status" => text.contains("Phase"),
        "status (list)" => !text.is_empty() && !text.starts_with('⛔') && !shot.failed(),
        "note" => text.contains("Added to the timeline"),
        "update" => text.starts_with("Update posted"),
        "update public" => text.contains("Update posted here and to"),
        "phase" => text.starts_with("Moved to"),
        "resolve" => text.contains("Resolved"),
        "close" => text.contains("Closed"),
        _ => !shot.failed(),
    }
}
