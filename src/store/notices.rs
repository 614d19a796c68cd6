//! Waking every replica's job queue when one of them queues a job: PostgreSQL's LISTEN/NOTIFY.
//! [`Tx::enqueue`](super::Tx::enqueue) notifies [`JOBS_CHANNEL`] in its transaction (delivered
//! at commit, once per transaction); each replica listens on a connection of its own and wakes
//! its queue, so no replica polls while idle. SQLite has one process and needs none of this.

use sqlx::postgres::PgListener;

/// The channel a committed job is announced on.
pub const JOBS_CHANNEL: &str = "incident_bot_jobs";

/// A listening connection for [`JOBS_CHANNEL`].
#[derive(Debug)]
pub struct JobNotices(PgListener);

impl JobNotices {
    /// Connects to `url` and listens.
    pub async fn listen(url: &str) -> Result<Self, sqlx::Error> {
        let mut listener = PgListener::connect(url).await?;
        listener.listen(JOBS_CHANNEL).await?;
        Ok(Self(listener))
    }

    /// Waits for the next notice. `Ok(false)` when the connection was lost and made again:
    /// notices sent meanwhile are gone, so the caller looks at the queue anyway.
    pub async fn next(&mut self) -> Result<bool, sqlx::Error> {
        self.0.try_recv().await.map(|n| n.is_some())
    }
}
