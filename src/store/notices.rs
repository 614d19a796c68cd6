//! What one replica tells the others through PostgreSQL's LISTEN/NOTIFY. A notice is sent inside
//! the transaction that commits what it announces (delivered at commit, never for a rollback),
//! and each replica listens on one connection of its own for every channel:
//!
//! - [`JOBS_CHANNEL`]: [`Tx::enqueue`](super::Tx::enqueue) queued a job, so every replica's
//!   queue wakes and no replica polls while idle (once per transaction);
//! - [`PUBLIC_CHANNEL`]: a change players may see was committed, so every replica rebuilds its
//!   status page;
//! - [`EVENTS_CHANNEL`]: something the job queue did that a command waiting on another replica
//!   may want to tell its user (a small payload, see `AppEvent`).
//!
//! SQLite has one process and needs none of this: those calls do nothing there.

use sqlx::postgres::PgListener;

use super::{Backend, Db, Error, Tx};

/// The channel a committed job is announced on.
pub const JOBS_CHANNEL: &str = "incident_bot_jobs";
/// The channel a committed public change is announced on.
pub const PUBLIC_CHANNEL: &str = "incident_bot_public";
/// The channel the job queue's events are announced on.
pub const EVENTS_CHANNEL: &str = "incident_bot_events";
/// The longest payload sent: PostgreSQL refuses one of 8000 bytes or more.
pub const MAX_PAYLOAD: usize = 1000;

/// One notice, by channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A job was queued.
    Jobs,
    /// A public change was committed.
    Public,
    /// An event of the job queue, as its payload.
    Event(String),
    /// The connection was lost and made again: notices sent meanwhile are gone, so the caller
    /// looks again at whatever it keeps in step.
    Missed,
}

/// A listening connection for every channel.
#[derive(Debug)]
pub struct Notices(PgListener);

impl Notices {
    /// Connects to `url` and listens on every channel.
    pub async fn listen(url: &str) -> Result<Self, Error> {
        let mut listener = PgListener::connect(url).await?;
        listener
            .listen_all([JOBS_CHANNEL, PUBLIC_CHANNEL, EVENTS_CHANNEL])
            .await?;
        Ok(Self(listener))
    }

    /// Waits for the next notice.
    pub async fn next(&mut self) -> Result<Notice, Error> {
        let Some(notice) = self.0.try_recv().await? else {
            return Ok(Notice::Missed);
        };
        Ok(match notice.channel() {
            JOBS_CHANNEL => Notice::Jobs,
            PUBLIC_CHANNEL => Notice::Public,
            _ => Notice::Event(notice.payload().to_owned()),
        })
    }
}

/// Cuts `payload` to [`MAX_PAYLOAD`] bytes, on a character boundary.
fn bounded(payload: &str) -> &str {
    let mut end = payload.len().min(MAX_PAYLOAD);
    while !payload.is_char_boundary(end) {
        end -= 1;
    }
    &payload[..end]
}

impl Tx {
    /// Tells every replica, at commit, that a change players may see was committed.
    pub async fn public_changed(&mut self) -> Result<(), Error> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, '')")
                .bind(PUBLIC_CHANNEL)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// Tells every replica, at commit, the job queue's event `payload` (cut to
    /// [`MAX_PAYLOAD`] bytes).
    pub async fn tell_replicas(&mut self, payload: &str) -> Result<(), Error> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(EVENTS_CHANNEL)
                .bind(bounded(payload))
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }
}

impl Db {
    /// Tells every replica the job queue's event `payload` now, outside any transaction (cut
    /// to [`MAX_PAYLOAD`] bytes).
    pub async fn tell_replicas(&self, payload: &str) -> Result<(), Error> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(EVENTS_CHANNEL)
                .bind(bounded(payload))
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_payload_is_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_PAYLOAD);
        let cut = bounded(&long);
        assert!(cut.len() <= MAX_PAYLOAD);
        assert!(cut.chars().all(|c| c == 'é'));
        assert_eq!(bounded("short"), "short");
    }
}
