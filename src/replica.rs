//! Several replicas on one PostgreSQL database. Every replica serves HTTP and works the job
//! queue; exactly one owns the Discord gateway (slash commands and reactions arrive there): the
//! one holding the gateway lock ([`GatewayLock`]). A standby asks for the lock every
//! [`TAKE_EVERY`]; the owner checks its lock connection every [`CHECK_EVERY`] and stops at once
//! when a check fails, so two owners never overlap for long. On SQLite there is one process and
//! it owns the gateway without asking.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::app::App;
use crate::store::{GatewayLock, Notice, Notices};

/// How often a standby asks for the gateway lock.
pub const TAKE_EVERY: Duration = Duration::from_secs(1);
/// How often the owner checks that it still holds the lock.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);
/// How long a check may take before the owner counts the lock as lost.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(3);
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

/// Waits until this replica holds the gateway lock of the database at `url`, as a standby
/// meanwhile. Returns `None` when the bot is told to stop first. A database that cannot be
/// reached is asked again, every [`TAKE_EVERY`].
pub async fn take_gateway(
    app: &App,
    url: &str,
    role: &GatewayRole,
    me: &str,
) -> Option<GatewayLock> {
    role.set(Role::Standby);
    let guild = app.settings.discord.guild_id;
    let mut lock: Option<GatewayLock> = None;
    let mut told = false;
    loop {
        let attempt = match lock.as_mut() {
            Some(held) => held.try_take().await,
            None => match GatewayLock::connect(url, guild).await {
                Ok(fresh) => {
                    let held = lock.insert(fresh);
                    held.try_take().await
                }
                Err(e) => Err(e),
            },
        };
        match attempt {
            Ok(true) => break,
            Ok(false) if !told => {
                tracing::info!("standing by: another replica owns the gateway");
                told = true;
            }
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "could not ask for the gateway lock; asking again");
                lock = None;
            }
        }
        tokio::select! {
            () = tokio::time::sleep(TAKE_EVERY) => {}
            () = app.shutdown.triggered() => return None,
        }
    }
    role.set(Role::Owner);
    let since = app.clock.now().format("%Y-%m-%d %H:%M:%S UTC");
    if let Err(e) = app
        .db
        .set_meta(OWNER_KEY, &format!("{me}, since {since}"))
        .await
    {
        tracing::warn!(error = %e, "could not record this replica as the gateway's owner");
    }
    tracing::info!(replica = me, "this replica owns the gateway now");
    lock
}

/// Returns why the lock is lost, as soon as a check fails or takes longer than
/// [`CHECK_TIMEOUT`]: the caller must close the gateway then, since another replica may take
/// the lock.
pub async fn watch(mut lock: GatewayLock) -> String {
    loop {
        tokio::time::sleep(CHECK_EVERY).await;
        match tokio::time::timeout(CHECK_TIMEOUT, lock.held()).await {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => return "the database no longer lists it".to_owned(),
            Ok(Err(e)) => return format!("its connection failed: {e}"),
            Err(_) => return format!("its connection did not answer within {CHECK_TIMEOUT:?}"),
        }
    }
}

/// What a replica keeps in step with the others through notices: its job queue, and (in a
/// running bot) its status page and the events commands wait for.
#[derive(Debug, Clone)]
pub struct Listeners {
    /// Woken when a job was queued.
    pub waker: crate::scheduler::Waker,
    /// Told when a public change was committed.
    pub status: Option<crate::status::StatusBoard>,
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
            status: Some(app.status.clone()),
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
