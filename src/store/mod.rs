//! The SQLite repository: the only place SQL lives. One file per aggregate.
//!
//! Reads go through [`Db`]; every write of one use case goes through one [`Tx`], begun with
//! `BEGIN IMMEDIATE` so that concurrent writers queue on the busy timeout instead of failing.

/// Formats SQL assembled from this module's own constants (never from input), marking it safe.
macro_rules! sql {
    ($($arg:tt)*) => {
        sqlx::AssertSqlSafe(format!($($arg)*))
    };
}

mod alerts;
mod announcements;
mod audit;
mod channels;
mod checklists;
mod convert;
mod incidents;
mod jobs;
mod meta;
mod postmortem_items;
mod postmortems;
mod timeline;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, MutexGuard, OwnedMutexGuard};

pub use alerts::{AlertCard, NewCard, StoredAlert};
pub use announcements::{Announcement, AnnouncementKind, PublishSlots};
pub use audit::AuditEntry;
pub use channels::RELABEL_WINDOW;
pub use convert::{from_db_id, from_millis, to_db_id, to_millis};
pub use incidents::{IncidentRecord, NewIncident};
pub use jobs::{Claimed, Job, JobCount, JobId, NewJob};
pub use postmortem_items::{ActionItem, Lesson};
pub use postmortems::Postmortem;

/// How long a writer waits for another writer before SQLite reports it busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The embedded migrations, run at start.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The database handle.
#[derive(Debug, Clone)]
pub struct Db {
    pool: SqlitePool,
    /// Held by whoever writes. SQLite admits one writer at a time; a writer that finds another
    /// one busy sleeps in steps (1, 2, 5, 10 ms…) and tries again, which turned every collision
    /// between a command and the job queue into milliseconds of waiting. Queueing here, in
    /// order, wakes the next writer the moment the last one commits. `BUSY_TIMEOUT` still
    /// covers writers in other processes (`incident-bot migrate`).
    writer: Arc<Mutex<()>>,
}

/// One transaction: all the writes of one use case, committed together or not at all.
pub struct Tx {
    inner: Transaction<'static, Sqlite>,
    /// Released after the commit or rollback, when the transaction is dropped.
    _writer: OwnedMutexGuard<()>,
}

impl Db {
    /// Opens (creating if needed) the SQLite file at `path` and runs the migrations.
    #[tracing::instrument(skip_all, fields(path = %path.display()))]
    pub async fn open(path: &Path) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        // Switching a new file to WAL takes a lock SQLite does not wait for: when two of the
        // pool's first connections do it at once, one fails with "database is locked". One
        // connection switches it first; the mode is kept in the file, so the pool's
        // connections then find it already set.
        let first = Self::tune(options.clone()).connect().await?;
        first.close().await?;
        Self::connect(options, 4).await
    }

    /// A fresh private in-memory database on one connection, for tests.
    pub async fn open_in_memory() -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
        Self::connect(options, 1).await
    }

    /// The settings of every connection.
    fn tune(options: SqliteConnectOptions) -> SqliteConnectOptions {
        options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
    }

    async fn connect(options: SqliteConnectOptions, max: u32) -> Result<Self, sqlx::Error> {
        let options = Self::tune(options);
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            // In-memory databases vanish with their last connection; keep it.
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        let db = Self {
            pool,
            writer: Arc::new(Mutex::new(())),
        };
        db.probe_write().await?;
        Ok(db)
    }

    /// Writes one row and keeps it, so that a read-only file or a full disk is found at start
    /// rather than by the first responder.
    async fn probe_write(&self) -> Result<(), sqlx::Error> {
        let _writer = self.writer().await;
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('write_probe', datetime('now')) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Begins a write transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        // The turn first, then a connection: waiting writers hold none of the pool's.
        let writer = Arc::clone(&self.writer).lock_owned().await;
        let inner = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Tx {
            inner,
            _writer: writer,
        })
    }

    /// The turn to write, for a single statement outside a [`Tx`].
    async fn writer(&self) -> MutexGuard<'_, ()> {
        self.writer.lock().await
    }

    /// Runs the migrations (already done by `open`; for the `migrate` command's report).
    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        MIGRATOR.run(&self.pool).await.map_err(Into::into)
    }

    /// Closes every connection, flushing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Tx {
    /// Commits every write of this transaction.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }
}

/// An error for a row that holds what the code cannot read (a bad enum name, a zero id).
fn corrupt(what: impl Into<String>) -> sqlx::Error {
    sqlx::Error::Decode(what.into().into())
}

#[cfg(test)]
mod tests;
