//! Concurrency: many responders working several open incidents at once with mixed commands,
//! then a check of every timeline against what the bot said it recorded.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use incident_bot::domain::{ChannelId as DomainChannelId, EntryKind, IncidentId};
use incident_bot::store::Db;
use serenity::all::{ChannelId, UserId};

use crate::drive::{self, Shot};
use crate::support::bot::world;
use crate::support::fake_discord::FakeDiscord;

/// A responder's id: a block of ids next to the standard guild's.
pub fn responder(i: usize) -> UserId {
    UserId::new(1_100_000_000_000_001_000 + i as u64)
}

/// What the crowd did and what the timelines say about it.
#[derive(Default)]
pub struct Crowd {
    /// Every command sent.
    pub shots: Vec<Shot>,
    /// From the first command to the last answer.
    pub wall: Duration,
    /// Answered as recorded, but not on the timeline.
    pub lost: usize,
    /// On the timeline more than once.
    pub duplicated: usize,
    /// On the timeline although the answer was not a success.
    pub orphaned: usize,
    /// Timeline entries checked.
    pub checked: usize,
}

/// One command a responder sends, with the timeline entry a success must leave.
struct Plan {
    kind: &'static str,
    sub: &'static str,
    opts: Vec<(&'static str, String)>,
    entry: Option<(EntryKind, String)>,
}

/// Command `j` of responder `r`: half notes, a quarter status, a quarter updates (every other
/// one public), each text unique so that every entry can be traced to its command.
fn plan(r: usize, j: usize) -> Plan {
    match j % 8 {
        1 | 5 => Plan {
            kind: "status",
            sub: "status",
            opts: vec![],
            entry: None,
        },
        2 | 6 => {
            let public = j % 8 == 6;
            let message = format!("Crowd update r{r} j{j}");
            let prefix = if public { "Public update" } else { "Update" };
            let mut opts = vec![("message", message.clone())];
            if public {
                opts.push(("public", "true".to_owned()));
            }
            Plan {
                kind: if public { "update public" } else { "update" },
                sub: "update",
                opts,
                entry: Some((EntryKind::Update, format!("{prefix}: {message}"))),
            }
        }
        _ => {
            let text = format!("Crowd note r{r} j{j}");
            Plan {
                kind: "note",
                sub: "note",
                opts: vec![("text", text.clone())],
                entry: Some((EntryKind::Note, text)),
            }
        }
    }
}

/// Declares `incidents` incidents, then lets `responders` responders (responder `r` works
/// incident `r % incidents`) send `each` commands apiece, all at once. With `db`, checks every
/// timeline afterwards.
pub async fn run(
    fake: &Arc<FakeDiscord>,
    db: Option<&Db>,
    incidents: usize,
    responders: usize,
    each: usize,
) -> Crowd {
    let mut channels = Vec::with_capacity(incidents);
    for i in 0..incidents {
        let title = format!("Crowd {i} servers lagging");
        let shot = drive::declare(fake, world::COMMANDER, &title, "Game servers").await;
        channels.push(drive::linked_channel(shot.text()).expect("checked by declare"));
    }
    let start = Instant::now();
    let barrier = Arc::new(tokio::sync::Barrier::new(responders));
    let mut tasks = tokio::task::JoinSet::new();
    for r in 0..responders {
        let (fake, barrier) = (Arc::clone(fake), Arc::clone(&barrier));
        let channel = channels[r % incidents];
        tasks.spawn(async move {
            barrier.wait().await;
            let mut sent = Vec::with_capacity(each);
            for j in 0..each {
                let p = plan(r, j);
                let opts: Vec<(&str, &str)> =
                    p.opts.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let shot =
                    drive::incident(&fake, p.kind, responder(r), channel, p.sub, &opts).await;
                sent.push((channel, shot, p.entry));
            }
            sent
        });
    }
    let mut all = Vec::new();
    while let Some(done) = tasks.join_next().await {
        all.extend(done.expect("a responder task does not panic"));
    }
    let wall = start.elapsed();
    let mut crowd = match db {
        Some(db) => check(db, &all).await,
        None => Crowd::default(),
    };
    crowd.wall = wall;
    crowd.shots = all.into_iter().map(|(_, shot, _)| shot).collect();
    crowd
}

type Sent = (ChannelId, Shot, Option<(EntryKind, String)>);

/// Compares each incident's notes and updates with the commands that should have left them.
async fn check(db: &Db, sent: &[Sent]) -> Crowd {
    // Jobs the last commands queued may still be running; entries are written before the
    // answer, so this is only to let the database settle before reading.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut ids: HashMap<ChannelId, IncidentId> = HashMap::new();
    for (channel, _, _) in sent {
        if ids.contains_key(channel) {
            continue;
        }
        let ours = DomainChannelId::new(channel.get()).expect("a real channel id");
        let record = db
            .incident_by_channel(ours)
            .await
            .expect("the database answers")
            .expect("each crowd channel has its incident");
        ids.insert(*channel, record.id);
    }
    // How often each traced text is on its incident's timeline.
    let mut seen: HashMap<(IncidentId, String), usize> = HashMap::new();
    let mut crowd = Crowd::default();
    for id in ids.values() {
        for e in db.timeline(*id).await.expect("the timeline reads") {
            if matches!(e.kind, EntryKind::Note | EntryKind::Update) {
                crowd.checked += 1;
                *seen.entry((*id, e.text)).or_default() += 1;
            }
        }
    }
    for (channel, shot, entry) in sent {
        let Some((_, text)) = entry else { continue };
        let n = seen
            .get(&(ids[channel], text.clone()))
            .copied()
            .unwrap_or(0);
        let succeeded = crate::mix::expected(shot);
        crowd.lost += usize::from(succeeded && n == 0);
        crowd.duplicated += n.saturating_sub(1);
        crowd.orphaned += usize::from(!succeeded && n > 0);
    }
    crowd
}

/// The standard guild plus `count` responders.
pub fn guild(count: usize) -> crate::support::fake_discord::FakeDiscordBuilder {
    (0..count).fold(world::fake(), |b, i| {
        b.member(
            responder(i),
            &format!("responder-{i}"),
            &[world::RESPONDER_ROLE],
        )
    })
}
