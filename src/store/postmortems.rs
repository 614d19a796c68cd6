//! Post-mortems: the record, its impact fields and its action items.

use chrono::{DateTime, Utc};

use super::convert::{self, from_millis, from_millis_opt, to_db_id, to_millis};
use super::{Db, Tx};
use crate::domain::{IncidentId, UserId};

/// The post-mortem of one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postmortem {
    /// The incident.
    pub incident: IncidentId,
    /// Why it is required.
    pub reason: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// When the review meeting is.
    pub meeting_at: Option<DateTime<Utc>>,
    /// How many users were affected.
    pub users_affected: Option<i64>,
    /// How long the downtime was.
    pub downtime_minutes: Option<i64>,
    /// The revenue impact, as written.
    pub revenue: Option<String>,
    /// When it was marked done.
    pub done_at: Option<DateTime<Utc>>,
    /// The link to the written post-mortem.
    pub link: Option<String>,
}

/// An action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    /// What is to be done.
    pub text: String,
    /// Who owns it.
    pub owner: Option<UserId>,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

type Row = (
    i64,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

impl Tx {
    /// Creates the post-mortem record of an incident; a second call keeps the first.
    #[tracing::instrument(skip_all)]
    pub async fn insert_postmortem(
        &mut self,
        incident: IncidentId,
        reason: &str,
        due_at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        // A reopened incident that is resolved again gets a new deadline, unless it is done.
        sqlx::query(
            "INSERT INTO postmortems (incident_id, reason, due_at) VALUES (?, ?, ?) \
             ON CONFLICT (incident_id) DO UPDATE SET reason = excluded.reason, \
             due_at = excluded.due_at WHERE done_at IS NULL",
        )
        .bind(incident.0)
        .bind(reason)
        .bind(to_millis(due_at))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Writes back the editable fields of a post-mortem.
    #[tracing::instrument(skip_all)]
    pub async fn save_postmortem(&mut self, p: &Postmortem) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE postmortems SET meeting_at = ?, users_affected = ?, downtime_minutes = ?, revenue = ?, \
             done_at = ?, link = ? WHERE incident_id = ?",
        )
        .bind(p.meeting_at.map(to_millis))
        .bind(p.users_affected)
        .bind(p.downtime_minutes)
        .bind(&p.revenue)
        .bind(p.done_at.map(to_millis))
        .bind(&p.link)
        .bind(p.incident.0)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Adds an action item.
    pub async fn add_action(
        &mut self,
        incident: IncidentId,
        item: &ActionItem,
        by: UserId,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO postmortem_actions (incident_id, body, owner_id, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(incident.0)
        .bind(&item.text)
        .bind(item.owner.map(|o| to_db_id(o.get())))
        .bind(to_db_id(by.get()))
        .bind(to_millis(item.created_at))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

const SELECT_POSTMORTEM: &str = "SELECT incident_id, reason, due_at, meeting_at, users_affected, downtime_minutes, revenue, done_at, link \
     FROM postmortems WHERE incident_id = ?";

fn postmortem_from_row(row: Row) -> Result<Postmortem, sqlx::Error> {
    let (id, reason, due, meeting, users, downtime, revenue, done, link) = row;
    Ok(Postmortem {
        incident: IncidentId(id),
        reason,
        due_at: from_millis(due)?,
        meeting_at: from_millis_opt(meeting)?,
        users_affected: users,
        downtime_minutes: downtime,
        revenue,
        done_at: from_millis_opt(done)?,
        link,
    })
}

impl Tx {
    /// The post-mortem of an incident, read inside this transaction so that a read-modify-write
    /// cannot lose a concurrent change.
    #[tracing::instrument(skip_all)]
    pub async fn postmortem(
        &mut self,
        incident: IncidentId,
    ) -> Result<Option<Postmortem>, sqlx::Error> {
        let row: Option<Row> = sqlx::query_as(SELECT_POSTMORTEM)
            .bind(incident.0)
            .fetch_optional(&mut *self.inner)
            .await?;
        row.map(postmortem_from_row).transpose()
    }
}

impl Db {
    /// The post-mortem of an incident, if one is required.
    #[tracing::instrument(skip_all)]
    pub async fn postmortem(
        &self,
        incident: IncidentId,
    ) -> Result<Option<Postmortem>, sqlx::Error> {
        let row: Option<Row> = sqlx::query_as(SELECT_POSTMORTEM)
            .bind(incident.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(postmortem_from_row).transpose()
    }

    /// The action items of an incident's post-mortem, oldest first.
    pub async fn actions(&self, incident: IncidentId) -> Result<Vec<ActionItem>, sqlx::Error> {
        let rows: Vec<(String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT body, owner_id, created_at FROM postmortem_actions WHERE incident_id = ? ORDER BY id",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(text, owner, at)| {
                Ok(ActionItem {
                    text,
                    owner: owner.map(convert::user_id).transpose()?,
                    created_at: from_millis(at)?,
                })
            })
            .collect()
    }
}
