//! Which replica owns the Discord gateway: the one holding a PostgreSQL session-level advisory
//! lock on a connection of its own. When that process dies its connection drops, PostgreSQL
//! frees the lock, and the next replica to ask takes it.
//!
//! A dead owner's lock is only freed once PostgreSQL notices the session is gone: at once when
//! the process is killed (its kernel closes the socket), but after a power loss or a network
//! partition only by TCP keepalive, two hours by default. The lock connection therefore asks the
//! server for short keepalives and a user timeout, so that a silent owner loses the lock within
//! about [`SERVER_GIVES_UP_AFTER`], and the owner itself checks the connection every few seconds
//! and closes its gateway the moment a check fails (see `startup`).
//!
//! A *hung* owner (stopped, its VM paused, its disk frozen) keeps its connection, since its
//! kernel still answers keepalives, and with it the lock. So the owner also holds a lease, a row
//! of `gateway_leases` it renews every second over the lock connection, timed by the database's
//! clock so that replicas with skewed clocks agree. A standby that finds the lease not renewed
//! for `[replicas] lease` ends the holder's lock connection (`pg_terminate_backend`), which frees
//! the lock; taking the gateway bumps the lease's epoch, and the old owner's next renewal fails.
//!
//! A server restart ends every connection, the owner's lock connection too, while the owner
//! lives: the owner keeps its gateway session (acting on nothing) while its lease lasts,
//! reconnects, takes the lock again and resumes its lease ([`GatewayLock::resume_lease`]). A
//! standby that finds the lock free after a restart takes the lease only once it has run out;
//! one that finds it free otherwise takes it at once, and the owner's resumption then fails.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection};

use super::Error;
use crate::domain::GuildId;

/// How long the server waits on a silent lock connection before dropping it (and the lock):
/// keepalive after 10 s idle, then 3 probes 5 s apart; unacknowledged data for 25 s.
pub const SERVER_GIVES_UP_AFTER: Duration = Duration::from_secs(25);

/// The key of the gateway lock in PostgreSQL's advisory lock space: a fixed class, so that a
/// bot of another server sharing the database takes its own lock.
const LOCK_CLASS: i32 = 0x1b07_6a7e;

/// The database's clock, in milliseconds since 1970: the one clock every replica reads alike.
const DB_NOW: &str = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/// When the server last started, on the same scale as [`DB_NOW`].
const SERVER_STARTED: &str = "(extract(epoch FROM pg_postmaster_start_time()) * 1000)::bigint";

/// The gateway lock's own connection.
#[derive(Debug)]
pub struct GatewayLock {
    conn: PgConnection,
    /// The second key: the guild's low 32 bits.
    guild: u32,
}

impl GatewayLock {
    /// Opens the lock's connection to `url`, with keepalives that let the server notice a
    /// silent owner within [`SERVER_GIVES_UP_AFTER`]. Takes nothing yet.
    pub async fn connect(url: &str, guild: GuildId) -> Result<Self, Error> {
        let options = PgConnectOptions::from_str(url)?
            .application_name("incident-bot gateway lock")
            .options([
                ("tcp_keepalives_idle", "10"),
                ("tcp_keepalives_interval", "5"),
                ("tcp_keepalives_count", "3"),
                ("tcp_user_timeout", "25000"),
            ])
            .disable_statement_logging();
        let conn = options.connect().await?;
        // The low 32 bits of the guild id: a collision between two servers sharing one
        // database would only make one wait for the other's owner.
        let low = u32::try_from(guild.get() & u64::from(u32::MAX)).unwrap_or_default();
        Ok(Self { conn, guild: low })
    }

    /// Takes the lock if nobody holds it; true when this connection holds it now.
    pub async fn try_take(&mut self) -> Result<bool, Error> {
        let (taken,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1, $2)")
            .bind(LOCK_CLASS)
            .bind(i32::from_ne_bytes(self.guild.to_ne_bytes()))
            .fetch_one(&mut self.conn)
            .await?;
        Ok(taken)
    }

    /// Records this connection as the lease's holder, named `me`, once it holds the lock: a new
    /// epoch, renewed now. Returns the epoch. The lock is proof enough that the previous holder's
    /// connection is gone (it died, or a standby ended it), so no wait for its lease to run out,
    /// unless the server started after the lease's last renewal: then a restart ended every
    /// connection, the holder may be alive and reconnecting ([`GatewayLock::resume_lease`]), and
    /// the lease is taken only once it has not been renewed for `lease`. `None` when it is not
    /// taken: give the lock back then ([`GatewayLock::give_back`]).
    pub async fn take_lease(
        &mut self,
        me: &str,
        lease: std::time::Duration,
    ) -> Result<Option<i64>, Error> {
        let millis = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        let epoch: Option<(i64,)> = sqlx::query_as(sql!(
            "INSERT INTO gateway_leases (lock_key, epoch, holder, holder_pid, renewed_at) \
             VALUES ($1, 1, $2, pg_backend_pid(), {DB_NOW}) \
             ON CONFLICT (lock_key) DO UPDATE SET epoch = gateway_leases.epoch + 1, \
             holder = EXCLUDED.holder, holder_pid = EXCLUDED.holder_pid, \
             renewed_at = EXCLUDED.renewed_at \
             WHERE gateway_leases.renewed_at >= {SERVER_STARTED} \
             OR gateway_leases.renewed_at < {DB_NOW} - $3 \
             RETURNING epoch"
        ))
        .bind(i64::from(self.guild))
        .bind(me)
        .bind(millis)
        .fetch_optional(&mut self.conn)
        .await?;
        Ok(epoch.map(|(e,)| e))
    }

    /// Takes the lease of `epoch` back on this connection, which holds the lock, after the
    /// holder's lock connection was lost (the server restarted): true when the lease is still
    /// `epoch`'s, false when another replica took the gateway over meanwhile.
    pub async fn resume_lease(&mut self, epoch: i64) -> Result<bool, Error> {
        let done = sqlx::query(sql!(
            "UPDATE gateway_leases SET renewed_at = {DB_NOW}, holder_pid = pg_backend_pid() \
             WHERE lock_key = $1 AND epoch = $2"
        ))
        .bind(i64::from(self.guild))
        .bind(epoch)
        .execute(&mut self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lock back, keeping the connection, after [`GatewayLock::take_lease`] found the
    /// lease still its holder's.
    pub async fn give_back(&mut self) -> Result<(), Error> {
        sqlx::query("SELECT pg_advisory_unlock($1, $2)")
            .bind(LOCK_CLASS)
            .bind(i32::from_ne_bytes(self.guild.to_ne_bytes()))
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    /// Renews the lease of `epoch`: false when it is no longer this connection's (another
    /// replica took the gateway over), and an error when the connection is gone.
    pub async fn renew_lease(&mut self, epoch: i64) -> Result<bool, Error> {
        let done = sqlx::query(sql!(
            "UPDATE gateway_leases SET renewed_at = {DB_NOW} \
             WHERE lock_key = $1 AND epoch = $2 AND holder_pid = pg_backend_pid()"
        ))
        .bind(i64::from(self.guild))
        .bind(epoch)
        .execute(&mut self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// When the lease has not been renewed for `lease` by the database's clock, ends the
    /// connection that holds the lock (the hung owner's), so that the lock is free to take, and
    /// returns the name the holder gave. Only a holder in this database: `pg_locks` lists the
    /// whole server's, and another database's bot for the same guild has the same keys. `None` when the lease is fresh, or nobody holds the lock.
    pub async fn end_stale_holder(
        &mut self,
        lease: std::time::Duration,
    ) -> Result<Option<String>, Error> {
        let millis = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        let ended: Option<(String, bool)> = sqlx::query_as(sql!(
            "SELECT g.holder, pg_terminate_backend(l.pid) \
             FROM gateway_leases g JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted \
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
             AND l.classid::int8 = $2 AND l.objid::int8 = g.lock_key AND l.objsubid = 2 \
             WHERE g.lock_key = $1 AND g.renewed_at < {DB_NOW} - $3 \
             AND l.pid <> pg_backend_pid() LIMIT 1"
        ))
        .bind(i64::from(self.guild))
        .bind(i64::from(LOCK_CLASS))
        .bind(millis)
        .fetch_optional(&mut self.conn)
        .await?;
        Ok(ended.filter(|(_, ended)| *ended).map(|(holder, _)| holder))
    }

    /// Gives the lock up and closes the connection.
    pub async fn release(self) -> Result<(), Error> {
        Ok(self.conn.close().await?)
    }
}
