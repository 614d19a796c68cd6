//! Named locks that hold across every process sharing the database: what one process checks and
//! then does (a publish against the hourly budget, a rename against Discord's limit) is done by
//! one holder at a time. On SQLite, where one process serves the file, an in-process mutex per
//! name; on PostgreSQL a transaction-scoped advisory lock, released when the holder is dropped
//! (the transaction is rolled back, or its connection closes when the process dies).

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

use sqlx::{Any, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::{Backend, Db, Error};

/// The in-process locks of a SQLite [`Db`], one per name asked for.
pub(super) type LocalLocks = Arc<std::sync::Mutex<HashMap<String, Arc<Mutex<()>>>>>;

/// A held named lock. [`NamedLock::release`] frees it at once; dropping it frees it too, on
/// PostgreSQL a moment later (when the dropped transaction's rollback reaches the server).
#[must_use = "the lock is released as soon as this is dropped"]
pub struct NamedLock {
    held: Held,
}

enum Held {
    Local(#[expect(dead_code, reason = "held for its Drop")] OwnedMutexGuard<()>),
    Postgres(Transaction<'static, Any>),
}

impl NamedLock {
    /// Frees the lock now: the next holder may take it as soon as this returns.
    pub async fn release(self) -> Result<(), Error> {
        match self.held {
            Held::Local(_) => Ok(()),
            Held::Postgres(tx) => Ok(tx.rollback().await?),
        }
    }
}

impl std::fmt::Debug for NamedLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NamedLock")
    }
}

impl Db {
    fn local_lock(&self, name: &str) -> Arc<Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(locks.entry(name.to_owned()).or_default())
    }

    /// Waits for the lock `name`, then holds it until the returned value is dropped. On
    /// PostgreSQL it holds one of the pool's connections meanwhile.
    #[tracing::instrument(skip(self))]
    pub async fn lock_named(&self, name: &str) -> Result<NamedLock, Error> {
        let held = match self.backend {
            Backend::Sqlite => Held::Local(self.local_lock(name).lock_owned().await),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                Held::Postgres(tx)
            }
        };
        Ok(NamedLock { held })
    }

    /// The lock `name` if nobody holds it now; `None` when somebody does.
    pub async fn try_lock_named(&self, name: &str) -> Result<Option<NamedLock>, Error> {
        let held = match self.backend {
            Backend::Sqlite => match self.local_lock(name).try_lock_owned() {
                Ok(guard) => Held::Local(guard),
                Err(_) => return Ok(None),
            },
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                let (got,): (bool,) =
                    sqlx::query_as("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))")
                        .bind(name)
                        .fetch_one(&mut *tx)
                        .await?;
                if !got {
                    return Ok(None);
                }
                Held::Postgres(tx)
            }
        };
        Ok(Some(NamedLock { held }))
    }
}

impl super::Tx {
    /// Holds the lock `name` until this transaction ends, on the transaction's own connection
    /// (no second connection waits meanwhile). On SQLite the transaction already excludes every
    /// other writer, so there is nothing more to take.
    pub async fn lock_named(&mut self, name: &str) -> Result<(), Error> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(name)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }
}
