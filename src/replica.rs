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
use crate::store::GatewayLock;

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

/// Wakes this replica's job queue whenever another one commits a job (LISTEN/NOTIFY on the
/// database at `url`), and once after each reconnection, when notices may have been missed.
/// Runs until dropped.
pub async fn wake_on_notices(url: String, waker: crate::scheduler::Waker) {
    let mut notices: Option<crate::store::JobNotices> = None;
    loop {
        let listening = match notices.as_mut() {
            Some(n) => n,
            None => match crate::store::JobNotices::listen(&url).await {
                Ok(n) => {
                    // Whatever was queued while nobody listened is looked at now.
                    waker.wake();
                    notices.insert(n)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for other replicas' jobs; trying again");
                    tokio::time::sleep(TAKE_EVERY).await;
                    continue;
                }
            },
        };
        match listening.next().await {
            Ok(_) => waker.wake(),
            Err(e) => {
                tracing::warn!(error = %e, "lost the job notices; listening again");
                notices = None;
            }
        }
    }
}
