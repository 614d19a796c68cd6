//! Several replicas on one PostgreSQL database. Every replica serves HTTP and works the job
//! queue; exactly one owns the Discord gateway (slash commands and reactions arrive there): the
//! one holding the gateway lock ([`GatewayLock`]) and its lease. A standby asks for the lock
//! every [`TAKE_EVERY`], and when the owner has not renewed its lease for `[replicas] lease` (it
//! hangs: the lock alone never lets go of a live connection) ends the owner's lock connection
//! and takes the gateway with a new epoch. The owner renews its lease every [`RENEW_EVERY`],
//! acts on what the gateway delivers only while its lease surely holds ([`Fence`]), and stops
//! once it is not sure any more, so two owners never act at once. A renewal that fails (the
//! database restarting) suspends the owner's acting, and is tried again on a new connection
//! while the lease lasts: a short outage costs no failover. On SQLite there is one process and it owns the gateway without
//! asking.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::app::App;
use crate::domain::GuildId;
use crate::store::{GatewayLock, Notice, Notices};

/// The gateway as this process sees it, asked at each readiness check and scrape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayState {
    /// The session is ready; `replica` when this process is the owner among replicas.
    Connected {
        /// Whether other replicas stand by.
        replica: bool,
    },
    /// This process runs the gateway and is connecting or reconnecting.
    Connecting,
    /// Another replica owns the gateway; this one serves HTTP and works the queue.
    Standby,
}

/// Reads the [`GatewayState`]. The Discord adapter builds it over serenity's shard manager and
/// this replica's role.
pub type GatewayProbe =
    std::sync::Arc<dyn Fn() -> crate::clock::BoxFuture<'static, GatewayState> + Send + Sync>;

/// How often a standby asks for the gateway lock.
pub const TAKE_EVERY: Duration = Duration::from_secs(1);
pub use crate::config::{MIN_LEASE, RENEW_EVERY, RENEW_TIMEOUT};
/// How much sooner than the database the owner counts its lease as run out: the database's
/// clock starts the lease when the renewal arrives, the owner's when it sends it, and the two
/// may run at slightly different rates.
const MARGIN: Duration = Duration::from_secs(1);
/// Where the owner writes who it is, for the standbys' `/readyz`.
pub const OWNER_KEY: &str = "gateway_owner";

/// This process's part in the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The only process (SQLite): it owns the gateway.
    Single,
    /// A replica waiting for the gateway lock: it serves HTTP and works the queue.
    Standby,
    /// The replica holding the gateway lock.
    Owner,
}

/// This process's [`Role`], shared with `/readyz`.
#[derive(Debug, Clone, Default)]
pub struct GatewayRole(Arc<AtomicU8>);

impl GatewayRole {
    /// The role now.
    pub fn get(&self) -> Role {
        match self.0.load(Ordering::Relaxed) {
            1 => Role::Standby,
            2 => Role::Owner,
            _ => Role::Single,
        }
    }

    fn set(&self, role: Role) {
        let n = match role {
            Role::Single => 0,
            Role::Standby => 1,
            Role::Owner => 2,
        };
        self.0.store(n, Ordering::Relaxed);
    }
}

/// Whether this process may act on what its gateway session delivers. Open for good on SQLite
/// (one process); among replicas, open only until the owner's lease may have run out by its own
/// monotonic clock, which keeps counting while the process is stopped: an owner that wakes from
/// a hang finds it shut, and does nothing before its session is closed. Suspended, too, while a
/// renewal has failed and the owner is taking its lease back: the lease may not be its own any
/// more, so it acts on nothing until it knows.
#[derive(Debug, Clone, Default)]
pub struct Fence(Arc<Mutex<FenceState>>);

#[derive(Debug, Default)]
struct FenceState {
    /// When the lease may run out; `None` on SQLite.
    until: Option<Instant>,
    /// A renewal failed and the lease is not confirmed yet.
    suspended: bool,
}

impl Fence {
    fn state(&self) -> std::sync::MutexGuard<'_, FenceState> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the gateway's events may be acted on now.
    pub fn holds(&self) -> bool {
        let state = self.state();
        !state.suspended && state.until.is_none_or(|until| Instant::now() < until)
    }

    /// Whether the gateway is shut only while the owner takes its lease back after the
    /// database stopped answering (rather than for a lease run out or taken over).
    pub fn suspended(&self) -> bool {
        let state = self.state();
        state.suspended && state.until.is_none_or(|until| Instant::now() < until)
    }

    /// Whether the lease may still be this process's by its own clock.
    fn lease_left(&self) -> bool {
        self.state()
            .until
            .is_none_or(|until| Instant::now() < until)
    }

    fn hold_until(&self, until: Instant) {
        *self.state() = FenceState {
            until: Some(until),
            suspended: false,
        };
    }

    fn suspend(&self) {
        self.state().suspended = true;
    }

    fn shut(&self) {
        self.hold_until(Instant::now());
    }
}

/// The gateway, held: the lock's connection, the lease's epoch, and where to take the lock
/// again should its connection be lost.
#[derive(Debug)]
pub struct Held {
    lock: GatewayLock,
    epoch: i64,
    url: String,
    guild: GuildId,
}

/// How this replica is named in logs and in `/readyz`: `INCIDENT_BOT_REPLICA`, or the host
/// name and process id.
pub fn name() -> String {
    if let Some(name) = std::env::var("INCIDENT_BOT_REPLICA")
        .ok()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
    {
        return name;
    }
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host} (pid {})", std::process::id())
}

/// Waits until this replica holds the gateway lock of the database at `url` and its lease, as a
/// standby meanwhile, ending the owner's lock connection when its lease has run out. Returns
/// `None` when the bot is told to stop first. A database that cannot be reached is asked again,
/// every [`TAKE_EVERY`]. `fence` opens once the lease is taken.
pub async fn take_gateway(
    app: &App,
    url: &str,
    role: &GatewayRole,
    fence: &Fence,
    me: &str,
) -> Option<Held> {
    role.set(Role::Standby);
    fence.shut();
    let guild = app.settings.discord.guild_id;
    let lease = app.settings.replicas.lease;
    let mut lock: Option<GatewayLock> = None;
    let mut told = false;
    let held = loop {
        let asked = Instant::now();
        let attempt = match lock.as_mut() {
            Some(lock) => take(lock, lease, me).await,
            None => match GatewayLock::connect(url, guild).await {
                Ok(fresh) => take(lock.insert(fresh), lease, me).await,
                Err(e) => Err(e),
            },
        };
        match attempt {
            Ok(Some(epoch)) => {
                fence.hold_until(asked + lease.saturating_sub(MARGIN));
                if let Some(lock) = lock.take() {
                    break Held {
                        lock,
                        epoch,
                        url: url.to_owned(),
                        guild,
                    };
                }
            }
            Ok(None) if !told => {
                tracing::info!("standing by: another replica owns the gateway");
                told = true;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "could not ask for the gateway lock; asking again");
                lock = None;
            }
        }
        tokio::select! {
            () = tokio::time::sleep(TAKE_EVERY) => {}
            () = app.shutdown.triggered() => return None,
        }
    };
    role.set(Role::Owner);
    let since = app.clock.now().format("%Y-%m-%d %H:%M:%S UTC");
    if let Err(e) = app
        .db
        .set_meta(OWNER_KEY, &format!("{me}, since {since}"))
        .await
    {
        tracing::warn!(error = %e, "could not record this replica as the gateway's owner");
    }
    tracing::info!(
        replica = me,
        epoch = held.epoch,
        "this replica owns the gateway now"
    );
    Some(held)
}

/// One turn of a standby: the lock and a new lease epoch when the lock is free (and the lease
/// is not kept for an owner a server restart cut off); else, when the owner's lease has run out,
/// ends its lock connection, so that the next turn finds it free.
async fn take(
    lock: &mut GatewayLock,
    lease: Duration,
    me: &str,
) -> Result<Option<i64>, crate::store::Error> {
    if lock.try_take().await? {
        let epoch = lock.take_lease(me, lease).await?;
        if epoch.is_none() {
            lock.give_back().await?;
        }
        return Ok(epoch);
    }
    if let Some(owner) = lock.end_stale_holder(lease).await? {
        tracing::warn!(
            %owner,
            "the gateway's owner has not renewed its lease for {}: ended its lock connection \
             to take the gateway over",
            humantime::format_duration(lease)
        );
    }
    Ok(None)
}

/// Renews the lease every [`RENEW_EVERY`] and returns why it is lost, with `fence` shut: the
/// caller must close the gateway then, since another replica may take it over. A renewal that
/// fails or takes longer than [`RENEW_TIMEOUT`] (the database restarting, a connection cut)
/// suspends `fence` (its lock connection is gone, so a standby may take the lock): the gateway
/// stays open but acts on nothing, and each turn connects again, takes the lock and resumes the
/// lease, which opens `fence` again. The lease is lost once another replica has taken it over,
/// or once it has run out by this process's clock.
pub async fn watch(held: Held, lease: Duration, fence: &Fence) -> String {
    let Held {
        lock,
        epoch,
        url,
        guild,
    } = held;
    let mut lock = Some(lock);
    let mut cut_off = false;
    loop {
        tokio::time::sleep(RENEW_EVERY).await;
        let asked = Instant::now();
        let renewal = tokio::time::timeout(RENEW_TIMEOUT, renew(&mut lock, &url, guild, epoch))
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {RENEW_TIMEOUT:?}")));
        match renewal {
            Ok(true) => {
                fence.hold_until(asked + lease.saturating_sub(MARGIN));
                if std::mem::take(&mut cut_off) {
                    tracing::info!(epoch, "the gateway lease is renewed again");
                }
            }
            Ok(false) => {
                fence.shut();
                return format!("another replica took the gateway over from epoch {epoch}");
            }
            Err(why) => {
                fence.suspend();
                lock = None;
                if !fence.lease_left() {
                    fence.shut();
                    return format!(
                        "its connection failed ({why}) and the lease ran out before it came back"
                    );
                }
                if !std::mem::replace(&mut cut_off, true) {
                    tracing::warn!(
                        epoch,
                        error = %why,
                        "could not renew the gateway lease: acting on nothing and connecting \
                         again, while the lease lasts"
                    );
                }
            }
        }
    }
}

/// One renewal of the lease of `epoch`: over `lock`'s connection, or, when it was lost, over a
/// new one that takes the lock and resumes the lease. Ok(false) when another replica holds the
/// lease now; an error (a sentence) when the database cannot tell yet.
async fn renew(
    lock: &mut Option<GatewayLock>,
    url: &str,
    guild: GuildId,
    epoch: i64,
) -> Result<bool, String> {
    if let Some(held) = lock.as_mut() {
        return held.renew_lease(epoch).await.map_err(|e| e.to_string());
    }
    let mut fresh = GatewayLock::connect(url, guild)
        .await
        .map_err(|e| e.to_string())?;
    // A standby may hold the lock for a moment, finding the lease still this replica's.
    if !fresh.try_take().await.map_err(|e| e.to_string())? {
        return Err("another connection holds the gateway lock".to_owned());
    }
    let resumed = fresh.resume_lease(epoch).await.map_err(|e| e.to_string())?;
    if resumed {
        *lock = Some(fresh);
    }
    Ok(resumed)
}

/// What a replica keeps in step with the others through notices: its job queue, and (in a
/// running bot) its status page and the events commands wait for.
#[derive(Debug, Clone)]
pub struct Listeners {
    /// Woken when a job was queued.
    pub waker: crate::scheduler::Waker,
    /// Told when a public change was committed.
    pub status: Option<crate::app::PublicChanges>,
    /// Where the job queue's events from other replicas are sent again.
    pub events: Option<tokio::sync::broadcast::Sender<crate::app::AppEvent>>,
}

impl From<crate::scheduler::Waker> for Listeners {
    fn from(waker: crate::scheduler::Waker) -> Self {
        Self {
            waker,
            status: None,
            events: None,
        }
    }
}

impl From<&App> for Listeners {
    fn from(app: &App) -> Self {
        Self {
            waker: app.waker.clone(),
            status: Some(app.public.clone()),
            events: Some(app.events.clone()),
        }
    }
}

impl Listeners {
    /// Acts on one notice.
    fn hear(&self, notice: Notice) {
        match notice {
            Notice::Jobs => self.waker.wake(),
            Notice::Public => {
                if let Some(status) = &self.status {
                    status.changed();
                }
            }
            Notice::Event(payload) => match crate::app::AppEvent::from_notice(&payload) {
                Some(event) => {
                    if let Some(events) = &self.events {
                        // Nobody waiting is fine.
                        let _ = events.send(event);
                    }
                }
                None => tracing::warn!(payload, "ignored a notice this version does not know"),
            },
            // Whatever was said while nobody listened is looked at now: the queue, and the
            // page rebuilt. A waiting declare reads the database when its wait ends.
            Notice::Missed => self.look_again(),
        }
    }

    fn look_again(&self) {
        self.waker.wake();
        if let Some(status) = &self.status {
            status.changed();
        }
        if let Some(events) = &self.events {
            // A declare waiting for its channel reads where it stands now.
            let _ = events.send(crate::app::AppEvent::LookAgain);
        }
    }
}

/// Keeps this replica in step with the others (LISTEN/NOTIFY on the database at `url`, one
/// connection for every channel): wakes the job queue whenever another one commits a job,
/// rebuilds the status page whenever one commits a public change, and sends the events other
/// replicas' jobs announce on this one's `events`. After each reconnection, when notices may
/// have been missed, it looks again (queue and page). Runs until dropped.
pub async fn wake_on_notices(url: String, to: Listeners) {
    let mut notices: Option<Notices> = None;
    loop {
        let listening = match notices.as_mut() {
            Some(n) => n,
            None => match Notices::listen(&url).await {
                Ok(n) => {
                    to.look_again();
                    notices.insert(n)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for other replicas' notices; trying again");
                    tokio::time::sleep(TAKE_EVERY).await;
                    continue;
                }
            },
        };
        match listening.next().await {
            Ok(notice) => to.hear(notice),
            Err(e) => {
                tracing::warn!(error = %e, "lost the other replicas' notices; listening again");
                notices = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// After its listening connection came back, a replica cannot know what it missed: a
    /// declare waiting for its channel is told to look in the database, not left to time out.
    #[test]
    fn missed_notices_tell_waiting_commands_to_look_again() {
        let (events, mut heard) = tokio::sync::broadcast::channel(4);
        let listeners = Listeners {
            waker: crate::scheduler::Waker::default(),
            status: None,
            events: Some(events),
        };
        listeners.hear(Notice::Missed);
        assert_eq!(heard.try_recv().ok(), Some(crate::app::AppEvent::LookAgain));
        listeners.hear(Notice::Jobs);
        assert!(heard.try_recv().is_err(), "a queued job is not an event");
    }
}
