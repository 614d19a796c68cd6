//! One process per SQLite file: `run` holds an exclusive lock on a file beside the database for
//! as long as it runs. A second `run` on the same file would connect to Discord too (every
//! command answered twice) and, at its start, release the first one's job claims; it refuses
//! to start instead, naming the process that holds the file.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

/// The lock on a database file, held until dropped (or the process ends, however it ends: the
/// kernel lets go of it with the file).
#[derive(Debug)]
pub struct DatabaseLock {
    _file: File,
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseLockError {
    /// Another process holds it.
    #[error(
        "another incident-bot ({holder}) is running on the database {database}: stop it first. \
         To run more than one replica, use PostgreSQL ([database] url) instead of a SQLite file"
    )]
    Held {
        /// The database file.
        database: String,
        /// Who holds it, as its lock file says (`pid 1234`).
        holder: String,
    },
    /// The lock file could not be opened or locked.
    #[error(
        "cannot write to the database {database}: its lock file {path} cannot be made \
         ({source}). It is read-only, its folder is missing or not writable, or the disk is \
         full. Fix that (or point [database] path elsewhere), then start again"
    )]
    Io {
        /// The database file.
        database: String,
        /// The lock file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The lock file of `database`: `bot.db` → `bot.db.lock`.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the exclusive lock beside `database`, writing this process's id in it; fails at once,
/// naming the holder, when another process has it.
pub fn lock_database(database: &Path) -> Result<DatabaseLock, DatabaseLockError> {
    let path = lock_path(database);
    let io = |source| DatabaseLockError::Io {
        database: database.display().to_string(),
        path: path.display().to_string(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut said = String::new();
            let _ = file.read_to_string(&mut said);
            let holder = match said.trim() {
                "" => "another process".to_owned(),
                pid => format!("pid {pid}"),
            };
            return Err(DatabaseLockError::Held {
                database: database.display().to_string(),
                holder,
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)?;
    Ok(DatabaseLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_database_is_refused_with_the_holders_pid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("bot.db");
        let first = lock_database(&db).expect("the first lock");
        let err = lock_database(&db).expect_err("held");
        assert_eq!(
            err.to_string(),
            format!(
                "another incident-bot (pid {}) is running on the database {}: stop it first. To \
                 run more than one replica, use PostgreSQL ([database] url) instead of a SQLite \
                 file",
                std::process::id(),
                db.display()
            )
        );
        drop(first);
        lock_database(&db).expect("free again once dropped");
    }
}
