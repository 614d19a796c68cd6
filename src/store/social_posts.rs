//! Social posts: each player announcement as a post on Mastodon, Bluesky or X, with the key
//! made before the first call and what the network gave back; and each network's stored login.

use chrono::{DateTime, Utc};

use super::convert::{from_millis_opt, to_millis};
use super::{Db, Error, Tx};
use crate::domain::{IncidentId, Network};

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
    pub skipped: Option<String>,
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

fn from_row(r: Row) -> Result<SocialPost, Error> {
    let (id, announcement, incident, network, body, link, key, tried, rid, cid, posted, gone, skip) =
        r;
    Ok(SocialPost {
        id,
        announcement,
        incident: IncidentId(incident),
        network: Network::parse(&network)
            .ok_or_else(|| super::corrupt(format!("unknown network `{network}`")))?,
        body,
        link,
        key,
        first_tried_at: from_millis_opt(tried)?,
        remote: rid.map(|id| RemotePost { id, cid }),
        posted_at: from_millis_opt(posted)?,
        cancelled_at: from_millis_opt(gone)?,
        skipped: skip,
    })
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
        rows.into_iter().map(from_row).collect()
    }
}

impl Db {
    /// One post.
    pub async fn social_post(&self, id: i64) -> Result<Option<SocialPost>, Error> {
        let row: Option<Row> = sqlx::query_as(sql!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(from_row).transpose()
    }

    /// Every post of `incident` on `network`, in the order they were made.
    #[tracing::instrument(skip_all)]
    pub async fn social_thread(
        &self,
        incident: IncidentId,
        network: Network,
    ) -> Result<Vec<SocialPost>, Error> {
        let rows: Vec<Row> = sqlx::query_as(sql!(
            "{SELECT} WHERE incident_id = $1 AND network = $2 ORDER BY id"
        ))
        .bind(incident.0)
        .bind(network.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(from_row).collect()
    }

    /// Records that a post is about to be sent for the first time (a later attempt keeps the
    /// first time: how long the network may remember the key counts from it).
    pub async fn social_post_tried(&self, id: i64, at: DateTime<Utc>) -> Result<(), Error> {
        sqlx::query(
            "UPDATE social_posts SET first_tried_at = $1 WHERE id = $2 AND first_tried_at IS NULL",
        )
        .bind(to_millis(at))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records the post the network made.
    pub async fn social_post_made(
        &self,
        id: i64,
        remote: &RemotePost,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE social_posts SET remote_id = $1, remote_cid = $2, posted_at = $3 WHERE id = $4",
        )
        .bind(&remote.id)
        .bind(remote.cid.as_deref())
        .bind(to_millis(at))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records that a post is not sent, and why.
    pub async fn social_post_skipped(&self, id: i64, why: &str) -> Result<(), Error> {
        sqlx::query("UPDATE social_posts SET skipped = $1 WHERE id = $2")
            .bind(why)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many posts went out on `network` since `since`, and how many were skipped.
    pub async fn social_posts_since(
        &self,
        network: Network,
        since: DateTime<Utc>,
    ) -> Result<(u64, u64), Error> {
        let (made, skipped): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN posted_at >= $1 THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN skipped IS NOT NULL AND created_at >= $2 THEN 1 ELSE 0 END), 0) \
             FROM social_posts WHERE network = $3",
        )
        .bind(to_millis(since))
        .bind(to_millis(since))
        .bind(network.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok((made.max(0).unsigned_abs(), skipped.max(0).unsigned_abs()))
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
