//! Social posts: each player announcement as a post on Mastodon, Bluesky or X, with the key
//! made before the first call and what the network gave back; and each network's stored login.
//! Marking a post tried and done is [`super::recorded_calls`]'s, shared with the maintenance
//! notices' posts.

use chrono::{DateTime, Utc};

use super::convert::{from_millis_opt, to_millis};
use super::recorded_calls::{skipped_from, Recorded, SocialColumns};
use super::{Db, Error, Tx};
use crate::domain::{IncidentId, Network, Skipped};

/// A post as the network knows it: its id (a status id, an `at://` URI, a post id) and, on
/// Bluesky, the content hash a reply must name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePost {
    /// The network's id of the post.
    pub id: String,
    /// Bluesky's CID of the record.
    pub cid: Option<String>,
}

/// One social post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocialPost {
    /// The row id.
    pub id: i64,
    /// The announcement it carries.
    pub announcement: i64,
    /// The incident.
    pub incident: IncidentId,
    /// The network.
    pub network: Network,
    /// The text, before it is cut to the network's length.
    pub body: String,
    /// The incident's status page, added at the end (never cut), if the post carries it.
    pub link: Option<String>,
    /// The key made once before the first call: the Idempotency-Key, or the record key.
    pub key: String,
    /// When it was first sent, if it was.
    pub first_tried_at: Option<DateTime<Utc>>,
    /// The post, once the network has it.
    pub remote: Option<RemotePost>,
    /// When it went out.
    pub posted_at: Option<DateTime<Utc>>,
    /// When it was cancelled unsent (its incident became a security one).
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was not sent, when it was skipped (X's monthly cap).
    pub skipped: Option<Skipped>,
}

impl SocialPost {
    /// Whether it is still to go out: not posted, cancelled or skipped.
    pub fn waiting(&self) -> bool {
        self.remote.is_none() && self.cancelled_at.is_none() && self.skipped.is_none()
    }
}

/// A social post to record with its announcement.
#[derive(Debug, Clone)]
pub struct NewSocialPost<'a> {
    /// The announcement.
    pub announcement: i64,
    /// The incident.
    pub incident: IncidentId,
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
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

const SELECT: &str = "SELECT id, announcement_id, incident_id, network, body, link, post_key, \
    first_tried_at, remote_id, remote_cid, posted_at, cancelled_at, skipped FROM social_posts";

/// The table of posts.
const TABLE: &str = "social_posts";

impl Recorded for SocialPost {
    const SELECT: &'static str = SELECT;
    type Row = Row;

    fn from_row(r: Row) -> Result<Self, Error> {
        let (id, announcement, incident, network, body, link, key, tried, rid, cid, posted) =
            (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10);
        let sent = SocialColumns::read(&network, tried, rid, cid)?;
        Ok(SocialPost {
            id,
            announcement,
            incident: IncidentId(incident),
            network: sent.network,
            body,
            link,
            key,
            first_tried_at: sent.first_tried_at,
            remote: sent.remote,
            posted_at: from_millis_opt(posted)?,
            cancelled_at: from_millis_opt(r.11)?,
            skipped: skipped_from(r.12),
        })
    }
}

impl Tx {
    /// Records a post to make; returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn insert_social_post(&mut self, p: &NewSocialPost<'_>) -> Result<i64, Error> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO social_posts (announcement_id, incident_id, network, body, link, \
             post_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(p.announcement)
        .bind(p.incident.0)
        .bind(p.network.as_str())
        .bind(p.body)
        .bind(p.link)
        .bind(p.key)
        .bind(to_millis(p.at))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// Cancels every post of `incident` still to go out, and returns every post of it (the
    /// ones that went out say so).
    #[tracing::instrument(skip_all)]
    pub async fn cancel_waiting_social_posts(
        &mut self,
        incident: IncidentId,
        at: DateTime<Utc>,
    ) -> Result<Vec<SocialPost>, Error> {
        sqlx::query(
            "UPDATE social_posts SET cancelled_at = $1 WHERE incident_id = $2 \
             AND remote_id IS NULL AND cancelled_at IS NULL AND skipped IS NULL",
        )
        .bind(to_millis(at))
        .bind(incident.0)
        .execute(&mut *self.inner)
        .await?;
        let rows: Vec<Row> = sqlx::query_as(sql!("{SELECT} WHERE incident_id = $1 ORDER BY id"))
            .bind(incident.0)
            .fetch_all(&mut *self.inner)
            .await?;
        rows.into_iter().map(SocialPost::from_row).collect()
    }
}

impl Db {
    /// One post.
    pub async fn social_post(&self, id: i64) -> Result<Option<SocialPost>, Error> {
        super::recorded_calls::recorded(&self.pool, id).await
    }

    /// Every post of `incident` on `network`, in the order they were made.
    #[tracing::instrument(skip_all)]
    pub async fn social_thread(
        &self,
        incident: IncidentId,
        network: Network,
    ) -> Result<Vec<SocialPost>, Error> {
        self.recorded_of("incident_id", incident.0, Some(network))
            .await
    }

    /// Records that a post is about to be sent for the first time (a later attempt keeps the
    /// first time: how long the network may remember the key counts from it).
    pub async fn social_post_tried(&self, id: i64, at: DateTime<Utc>) -> Result<(), Error> {
        self.social_tried(TABLE, id, at).await
    }

    /// Records the post the network made.
    pub async fn social_post_made(
        &self,
        id: i64,
        remote: &RemotePost,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.social_done(TABLE, id, Ok((remote, at))).await
    }

    /// Records that a post is not sent, and why (it was never sent: there is no post to keep).
    pub async fn social_post_skipped(&self, id: i64, why: &Skipped) -> Result<(), Error> {
        self.social_done(TABLE, id, Err(why)).await
    }

    /// How many posts went out on `network` since `since`, and how many were skipped.
    pub async fn social_posts_since(
        &self,
        network: Network,
        since: DateTime<Utc>,
    ) -> Result<(u64, u64), Error> {
        self.social_since(TABLE, network, since).await
    }

    /// The login stored for `network`, as its adapter wrote it.
    pub async fn social_session(&self, network: Network) -> Result<Option<String>, Error> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT session FROM social_sessions WHERE network = $1")
                .bind(network.as_str())
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(s,)| s))
    }

    /// Stores the login of `network`, replacing the one before.
    pub async fn save_social_session(
        &self,
        network: Network,
        session: &str,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO social_sessions (network, session, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (network) DO UPDATE SET session = excluded.session, \
             updated_at = excluded.updated_at",
        )
        .bind(network.as_str())
        .bind(session)
        .bind(to_millis(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
