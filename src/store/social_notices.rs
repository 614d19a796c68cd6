//! Social notices: each 🛠️ maintenance notice players were told, as a post on Mastodon,
//! Bluesky or X, one thread per window, with the key made before the first call and what the
//! network gave back. Marking a notice tried and done is [`super::recorded_calls`]'s, shared
//! with the announcements' posts.

use chrono::{DateTime, Utc};

use super::convert::to_millis;
use super::recorded_calls::{skipped_from, Recorded, SocialColumns};
use super::{Db, Error, RemotePost, Tx};
use crate::domain::{IncidentId, Network, Skipped};

/// One maintenance notice on one network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocialNotice {
    /// The row id.
    pub id: i64,
    /// The maintenance window.
    pub window: i64,
    /// The network.
    pub network: Network,
    /// The text, before it is cut to the network's length.
    pub body: String,
    /// The status page, added at the end (never cut), if the post carries it.
    pub link: Option<String>,
    /// The key made once before the first call.
    pub key: String,
    /// When it was first sent, if it was.
    pub first_tried_at: Option<DateTime<Utc>>,
    /// The post, once the network has it.
    pub remote: Option<RemotePost>,
    /// Why it was not sent, when it was skipped (X's monthly cap).
    pub skipped: Option<Skipped>,
}

impl SocialNotice {
    /// Whether it is still to go out.
    pub fn waiting(&self) -> bool {
        self.remote.is_none() && self.skipped.is_none()
    }
}

/// A notice to record.
#[derive(Debug, Clone)]
pub struct NewSocialNotice<'a> {
    /// The window.
    pub window: i64,
    /// The job that told players in Discord: one notice per job and network.
    pub job: i64,
    /// The network.
    pub network: Network,
    /// The text.
    pub body: &'a str,
    /// The status page, if the post carries it.
    pub link: Option<&'a str>,
    /// The key, made now.
    pub key: &'a str,
    /// Now.
    pub at: DateTime<Utc>,
}

type Row = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const SELECT: &str = "SELECT id, window_id, network, body, link, post_key, first_tried_at, \
    remote_id, remote_cid, skipped FROM social_notices";

/// The table of notices.
const TABLE: &str = "social_notices";

impl Recorded for SocialNotice {
    const SELECT: &'static str = SELECT;
    type Row = Row;

    fn from_row(r: Row) -> Result<Self, Error> {
        let (id, window, network, body, link, key, tried, rid, cid, skipped) = r;
        let sent = SocialColumns::read(&network, tried, rid, cid)?;
        Ok(SocialNotice {
            id,
            window,
            network: sent.network,
            body,
            link,
            key,
            first_tried_at: sent.first_tried_at,
            remote: sent.remote,
            skipped: skipped_from(skipped),
        })
    }
}

impl Tx {
    /// Records a notice to post, unless the job recorded it already; returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn insert_social_notice(&mut self, n: &NewSocialNotice<'_>) -> Result<i64, Error> {
        sqlx::query(
            "INSERT INTO social_notices (window_id, job_id, network, body, link, post_key, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (job_id, network) DO NOTHING",
        )
        .bind(n.window)
        .bind(n.job)
        .bind(n.network.as_str())
        .bind(n.body)
        .bind(n.link)
        .bind(n.key)
        .bind(to_millis(n.at))
        .execute(&mut *self.inner)
        .await?;
        let (id,): (i64,) =
            sqlx::query_as("SELECT id FROM social_notices WHERE job_id = $1 AND network = $2")
                .bind(n.job)
                .bind(n.network.as_str())
                .fetch_one(&mut *self.inner)
                .await?;
        Ok(id)
    }
}

impl Db {
    /// One notice.
    #[tracing::instrument(skip_all)]
    pub async fn social_notice(&self, id: i64) -> Result<Option<SocialNotice>, Error> {
        super::recorded_calls::recorded(&self.pool, id).await
    }

    /// Every notice of `window` on `network`, in the order they were made.
    #[tracing::instrument(skip_all)]
    pub async fn social_notice_thread(
        &self,
        window: i64,
        network: Network,
    ) -> Result<Vec<SocialNotice>, Error> {
        self.recorded_of("window_id", window, Some(network)).await
    }

    /// The notices of `incident`'s windows that went out on `network`: when, and the post,
    /// oldest first. An incident's thread interleaves them with its announcements.
    #[tracing::instrument(skip_all)]
    pub async fn incident_notices(
        &self,
        incident: IncidentId,
        network: Network,
    ) -> Result<Vec<(DateTime<Utc>, RemotePost)>, Error> {
        let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT n.posted_at, n.remote_id, n.remote_cid FROM social_notices n \
             JOIN maintenance_windows w ON w.id = n.window_id \
             WHERE w.incident_id = $1 AND n.network = $2 AND n.remote_id IS NOT NULL \
             AND n.posted_at IS NOT NULL ORDER BY n.posted_at, n.id",
        )
        .bind(incident.0)
        .bind(network.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(at, id, cid)| Ok((super::convert::from_millis(at)?, RemotePost { id, cid })))
            .collect()
    }

    /// Records that a notice is about to be sent for the first time.
    pub async fn social_notice_tried(&self, id: i64, at: DateTime<Utc>) -> Result<(), Error> {
        self.social_tried(TABLE, id, at).await
    }

    /// Records the post the network made, or (`remote` None) why it was skipped.
    pub async fn social_notice_done(
        &self,
        id: i64,
        remote: Result<&RemotePost, &Skipped>,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.social_done(TABLE, id, remote.map(|r| (r, at))).await
    }

    /// How many notices went out on `network` since `since` (X's monthly cap counts them
    /// with the announcements' posts).
    pub async fn social_notices_since(
        &self,
        network: Network,
        since: DateTime<Utc>,
    ) -> Result<u64, Error> {
        Ok(self.social_since(TABLE, network, since).await?.0)
    }
}
