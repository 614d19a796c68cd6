//! Declare, split into the bot's time and the fake's: a bot whose REST goes through the timing
//! proxy declares incidents one at a time; for each, the window from dispatch to the pin
//! request's answer, less every moment in it when the fake was serving one of the bot's
//! requests, is the bot's work (and its waits on SQLite, which is the bot's too).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serenity::all::Http;

use crate::drive::{self, Landings, Shot};
use crate::mix::SYSTEMS;
use crate::proxy::{Exchange, TimingProxy};
use crate::spans::{Closed, Spans};
use crate::support::bot::world;
use crate::support::fake_discord::FakeDiscord;

/// The split of every declare, and the fake's time per route.
#[derive(Default)]
pub struct Breakdown {
    /// Dispatch to the pin answered, as the proxy saw it.
    pub window: Vec<Duration>,
    /// Time within the window when the fake was serving at least one request.
    pub fake: Vec<Duration>,
    /// The rest: the bot's work, SQLite included.
    pub bot: Vec<Duration>,
    /// Dispatch to pin from the fake's own log (through the proxy), for comparison.
    pub effect: Vec<Duration>,
    /// REST requests inside each window.
    pub requests: Vec<usize>,
    /// Per route seen in declare windows: how many, and their total time at the fake.
    pub routes: BTreeMap<String, (usize, Duration)>,
    /// Per instrumented call of the bot begun in declare windows: how many, total wall time.
    pub spans: BTreeMap<String, (usize, Duration)>,
}

/// Declares and clears `cycles` incidents through `proxy`.
pub async fn run(
    fake: &FakeDiscord,
    admin: &Http,
    proxy: &TimingProxy,
    spans: &Spans,
    cycles: usize,
) -> Breakdown {
    let mut declares = Vec::with_capacity(cycles);
    spans.record(true);
    for c in 0..cycles {
        let system = SYSTEMS[c % SYSTEMS.len()];
        tokio::time::sleep(drive::SETTLE).await;
        let title = format!("Split {c} {system} errors");
        let declare = drive::declare(fake, world::RESPONDER, &title, system).await;
        let channel = drive::linked_channel(declare.text()).expect("checked by declare");
        declares.push(declare);
        let mut closing = Vec::new();
        drive::close_and_clear(fake, admin, channel, &mut closing).await;
    }
    spans.record(false);
    split(fake, &declares, &proxy.exchanges(), &spans.closed())
}

fn split(
    fake: &FakeDiscord,
    declares: &[Shot],
    exchanges: &[Exchange],
    spans: &[Closed],
) -> Breakdown {
    let landings = Landings::read(fake, declares);
    let mut out = Breakdown::default();
    for declare in declares {
        let channel = drive::linked_channel(declare.text()).expect("checked by declare");
        let pin = format!("PUT /api/v10/channels/{channel}/");
        let end = exchanges
            .iter()
            .find(|e| e.line.starts_with(&pin) && e.line.contains("/pins/"))
            .and_then(|e| e.end)
            .expect("the proxy saw the pin answered");
        let start = declare.dispatched_at;
        let inside: Vec<(Instant, Instant, &Exchange)> = exchanges
            .iter()
            .filter_map(|e| {
                let (s, f) = (e.start.max(start), e.end?.min(end));
                (s < f).then_some((s, f, e))
            })
            .collect();
        let busy = union(inside.iter().map(|(s, f, _)| (*s, *f)).collect());
        let window = end.saturating_duration_since(start);
        out.window.push(window);
        out.fake.push(busy);
        out.bot.push(window.saturating_sub(busy));
        out.requests.push(inside.len());
        out.effect.push(
            landings
                .pinned(declare)
                .expect("every declare pinned its intro"),
        );
        for (s, f, e) in inside {
            let entry = out.routes.entry(route(&e.line)).or_default();
            entry.0 += 1;
            entry.1 += f.saturating_duration_since(s);
        }
        for span in spans.iter().filter(|c| c.start >= start && c.start < end) {
            let entry = out.spans.entry(span.name.clone()).or_default();
            entry.0 += 1;
            entry.1 += span.took;
        }
    }
    out
}

/// The total length of a set of intervals, overlaps counted once.
fn union(mut spans: Vec<(Instant, Instant)>) -> Duration {
    spans.sort_by_key(|(s, _)| *s);
    let mut total = Duration::ZERO;
    let mut current: Option<(Instant, Instant)> = None;
    for (s, f) in spans {
        current = match current {
            Some((cs, cf)) if s <= cf => Some((cs, cf.max(f))),
            Some((cs, cf)) => {
                total += cf.saturating_duration_since(cs);
                Some((s, f))
            }
            None => Some((s, f)),
        };
    }
    if let Some((cs, cf)) = current {
        total += cf.saturating_duration_since(cs);
    }
    total
}

/// `POST /channels/{id}/messages` from a request line: ids and tokens become placeholders.
fn route(line: &str) -> String {
    line.replace("/api/v10", "")
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
