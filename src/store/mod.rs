//! The repository: the only place SQL lives. One file per aggregate.
//!
//! One [`Db`] over sqlx's `Any` driver serves two backends: SQLite (a file, the default) and
//! PostgreSQL (`[database] url`). Each query is written once, with `$N` placeholders, where the
//! two dialects agree (they almost always do: times and ids are i64, flags 0/1 integers); where
//! they differ the store asks [`Db::backend`]. Each backend has its own migrations, under
//! `migrations/sqlite` and `migrations/postgres`, with the same versions.
//!
//! Reads go through [`Db`]; every write of one use case goes through one [`Tx`]. On SQLite it
//! begins with `BEGIN IMMEDIATE` behind the in-process writer queue, so that concurrent writers
//! queue instead of failing; on PostgreSQL it is a plain transaction and rows read for a change
//! are locked (`FOR UPDATE`), as several processes may write at once.

/// Formats SQL assembled from this module's own constants (never from input), marking it safe.
macro_rules! sql {
    ($($arg:tt)*) => {
        sqlx::AssertSqlSafe(format!($($arg)*))
    };
}

mod action_runs;
mod alerts;
mod announcements;
mod audit;
mod channels;
mod checklists;
mod convert;
mod copy;
mod deliveries;
mod error;
mod file_lock;
mod flags;
mod gateway;
mod hook_runs;
mod incidents;
mod jobs;
mod lockdowns;
mod locks;
mod maintenance;
mod meta;
mod notices;
mod pages;
mod postgres;
mod postmortem_items;
mod postmortems;
mod recorded_calls;
mod social_notices;
mod social_posts;
mod status_webhooks;
mod tickets;
mod timeline;
mod translation_drafts;
mod translations;
mod waf_blocks;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyPool, ConnectOptions, Connection, Executor, Transaction};
use tokio::sync::{Mutex, MutexGuard, OwnedMutexGuard};

pub use action_runs::{ActionRun, NewActionRun};
pub use alerts::{AlertCard, NewCard, StoredAlert};
pub use announcements::{Announcement, AnnouncementKind, NewAnnouncement, PublishSlots};
pub use audit::AuditEntry;
pub use channels::RELABEL_WINDOW;
pub use convert::{from_db_id, from_millis, to_db_id, to_millis};
pub use copy::{CopyError, TableCopy};
pub use error::Error;
pub use file_lock::{lock_database, lock_path, DatabaseLock, DatabaseLockError};
pub use gateway::{GatewayLock, SERVER_GIVES_UP_AFTER};
pub use hook_runs::HookRun;
pub use incidents::{IncidentRecord, NewIncident};
pub use jobs::{Claimed, Job, JobCount, JobFailure, JobId, NewJob};
pub use lockdowns::{Lockdown, LockedChannel, NewLockdown};
pub use locks::NamedLock;
pub use notices::{Notice, Notices, EVENTS_CHANNEL, JOBS_CHANNEL, PUBLIC_CHANNEL};
pub use pages::PageState;
pub use postgres::{fresh_postgres_database, redacted_url};
pub use postmortem_items::{ActionItem, Lesson};
pub use postmortems::Postmortem;
pub use social_notices::{NewSocialNotice, SocialNotice};
pub use social_posts::{NewSocialPost, RemotePost, SocialPost};
pub use status_webhooks::{StatusDelivery, StatusWebhookState, EVERYTHING as ALL_PUBLIC};
pub use tickets::{ActionToExport, StoredTicket};
pub use translation_drafts::StoredDraft;
pub use waf_blocks::{NewBlock, WafBlock};

/// The settings of every SQLite connection, run when it opens: the `Any` driver connects by URL,
/// which carries none of them. WAL lets readers go on while one writes; `synchronous = FULL`
/// makes a commit survive power loss; SQLite leaves foreign keys off unless asked; a writer
/// waits up to 10 s (`busy_timeout`) for a writer of another process before SQLite reports
/// it busy.
const SQLITE_SETTINGS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

/// The embedded SQLite migrations, run at start.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The embedded PostgreSQL migrations: the same versions as [`MIGRATOR`], in PostgreSQL's words.
pub static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file (or memory, in tests): one process writes.
    Sqlite,
    /// A PostgreSQL server: several processes may share it.
    Postgres,
}

impl Backend {
    /// The migrations of this backend.
    pub fn migrator(self) -> &'static sqlx::migrate::Migrator {
        match self {
            Self::Sqlite => &MIGRATOR,
            Self::Postgres => &PG_MIGRATOR,
        }
    }

    /// What a read that is about to be changed in the same transaction appends: on PostgreSQL
    /// the row is locked until the commit, so that two processes changing one incident queue
    /// instead of one losing the other's change. SQLite has one writer at a time already.
    fn for_update(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR UPDATE",
        }
    }
}

/// How long a PostgreSQL request waits for a connection: while the server is down or
/// restarting, a command hears "try again in a moment" within Discord's 3 s instead of waiting.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// The database handle.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// Held by whoever writes, on SQLite only. SQLite admits one writer at a time; a writer
    /// that finds another one busy sleeps in steps (1, 2, 5, 10 ms…) and tries again, which
    /// turned every collision between a command and the job queue into milliseconds of
    /// waiting. Queueing here, in order, wakes the next writer the moment the last one
    /// commits. SQLite's `busy_timeout` still covers writers in other processes (`incident-bot
    /// migrate`). PostgreSQL does not use it: it locks rows, not the database, and other
    /// processes write to it too, which no in-process lock could order.
    writer: Arc<Mutex<()>>,
    /// The named locks of [`Db::lock_named`], on SQLite.
    locks: locks::LocalLocks,
}

/// One transaction: all the writes of one use case, committed together or not at all.
pub struct Tx {
    inner: Transaction<'static, Any>,
    backend: Backend,
    /// Released after the commit or rollback, when the transaction is dropped (SQLite only).
    _writer: Option<OwnedMutexGuard<()>>,
}

impl Db {
    /// Opens (creating if needed, readable by its owner only) the SQLite file at `path` and runs
    /// the migrations.
    #[tracing::instrument(skip_all, fields(path = %path.display()))]
    pub async fn open(path: &Path) -> Result<Self, Error> {
        sqlx::any::install_default_drivers();
        // Incidents (security ones too) and who worked them: the owner's alone. SQLite gives
        // the -wal and -shm files it creates beside it the database file's mode.
        match private_file(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(sqlx::Error::Io(e).into()),
        }
        let url = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .to_url_lossy();
        let options = AnyConnectOptions::from_url(&url)?;
        // Switching a new file to WAL takes a lock SQLite does not wait for: when two of the
        // pool's first connections do it at once, one fails with "database is locked". One
        // connection switches it first; the mode is kept in the file, so the pool's
        // connections then find it already set.
        let mut first = options.connect().await?;
        first.execute(SQLITE_SETTINGS).await?;
        first.close().await?;
        Self::connect_sqlite(options, 4).await
    }

    /// A fresh private in-memory SQLite database on one connection, for tests.
    pub async fn open_in_memory() -> Result<Self, Error> {
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str("sqlite::memory:")?;
        Self::connect_sqlite(options, 1).await
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user:password@host/db`) and
    /// runs its migrations.
    #[tracing::instrument(skip_all, fields(url = %redacted_url(url)))]
    pub async fn connect_postgres(url: &str) -> Result<Self, Error> {
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(url)?;
        if !matches!(options.database_url.scheme(), "postgres" | "postgresql") {
            return Err(sqlx::Error::Configuration(
                format!(
                    "{} is not a PostgreSQL URL: write it as postgres://user:password@host/database",
                    redacted_url(url)
                )
                .into(),
            )
            .into());
        }
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        Self::ready(pool, Backend::Postgres).await
    }

    async fn connect_sqlite(options: AnyConnectOptions, max: u32) -> Result<Self, Error> {
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            // In-memory databases vanish with their last connection; keep it.
            .idle_timeout(None)
            .max_lifetime(None)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(SQLITE_SETTINGS).await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Self::ready(pool, Backend::Sqlite).await
    }

    /// Runs the migrations and checks that the database takes a write.
    async fn ready(pool: AnyPool, backend: Backend) -> Result<Self, Error> {
        backend.migrator().run(&pool).await?;
        let db = Self {
            pool,
            backend,
            writer: Arc::new(Mutex::new(())),
            locks: locks::LocalLocks::default(),
        };
        db.probe_write().await?;
        Ok(db)
    }

    /// Which engine this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Writes one row and keeps it, so that a read-only file or a full disk is found at start
    /// rather than by the first responder.
    async fn probe_write(&self) -> Result<(), Error> {
        let _writer = self.writer().await;
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('write_probe', $1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(chrono::Utc::now().to_rfc3339())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Begins a write transaction.
    pub async fn begin(&self) -> Result<Tx, Error> {
        let (inner, writer) = match self.backend {
            Backend::Sqlite => {
                // The turn first, then a connection: waiting writers hold none of the pool's.
                let writer = Arc::clone(&self.writer).lock_owned().await;
                (self.pool.begin_with("BEGIN IMMEDIATE").await?, Some(writer))
            }
            Backend::Postgres => (self.pool.begin().await?, None),
        };
        Ok(Tx {
            inner,
            backend: self.backend,
            _writer: writer,
        })
    }

    /// The turn to write, for a single statement outside a [`Tx`] (SQLite only).
    async fn writer(&self) -> Option<MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.writer.lock().await),
            Backend::Postgres => None,
        }
    }

    /// Runs the migrations (already done by `open`; for the `migrate` command's report).
    pub async fn migrate(&self) -> Result<(), Error> {
        self.backend
            .migrator()
            .run(&self.pool)
            .await
            .map_err(Into::into)
    }

    /// Closes every connection, flushing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Tx {
    /// Commits every write of this transaction.
    pub async fn commit(self) -> Result<(), Error> {
        Ok(self.inner.commit().await?)
    }
}

/// Creates `path`, which must not exist, readable and writable by its owner only: the mode is
/// given at creation and set again, so a umask can neither widen nor narrow it.
pub fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

/// An error for a row that holds what the code cannot read (a bad enum name, a zero id).
fn corrupt(what: impl Into<String>) -> Error {
    Error::other(what.into())
}

#[cfg(test)]
pub(crate) mod tests;
