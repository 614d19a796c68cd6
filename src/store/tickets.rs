//! The tickets the bot opened in the issue tracker, per incident and item (`ticket`,
//! `action:<id>`), and the action items still to export.

use chrono::{DateTime, Utc};

use super::convert::{self, to_millis};
use super::{corrupt, Db, Error, Tx};
use crate::domain::{ActionKind, IncidentId, UserId};

/// A ticket as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTicket {
    /// The tracker's key.
    pub key: String,
    /// Its address.
    pub url: String,
}

/// An action item, as its export job reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionToExport {
    /// Its row id.
    pub id: i64,
    /// Its incident.
    pub incident: IncidentId,
    /// Its group.
    pub kind: Option<ActionKind>,
    /// What is to be done.
    pub text: String,
    /// Who owns it.
    pub owner: Option<UserId>,
}

impl Db {
    /// The ticket of `item` of `incident`, once recorded.
    #[tracing::instrument(skip_all)]
    pub async fn ticket(
        &self,
        incident: IncidentId,
        item: &str,
    ) -> Result<Option<StoredTicket>, Error> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT ticket_key, url FROM tracker_tickets WHERE incident_id = $1 AND item = $2",
        )
        .bind(incident.0)
        .bind(item)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(key, url)| StoredTicket { key, url }))
    }

    /// Every ticket of `incident`, by item.
    #[tracing::instrument(skip_all)]
    pub async fn tickets(
        &self,
        incident: IncidentId,
    ) -> Result<Vec<(String, StoredTicket)>, Error> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT item, ticket_key, url FROM tracker_tickets WHERE incident_id = $1 ORDER BY item",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(item, key, url)| (item, StoredTicket { key, url }))
            .collect())
    }

    /// Records the ticket of `item`; a second record of the same item keeps the first.
    #[tracing::instrument(skip_all)]
    pub async fn record_ticket(
        &self,
        incident: IncidentId,
        item: &str,
        ticket: &StoredTicket,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO tracker_tickets (incident_id, item, ticket_key, url, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident_id, item) DO NOTHING",
        )
        .bind(incident.0)
        .bind(item)
        .bind(&ticket.key)
        .bind(&ticket.url)
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The action item `id`, for its export.
    #[tracing::instrument(skip_all)]
    pub async fn action_to_export(&self, id: i64) -> Result<Option<ActionToExport>, Error> {
        let row: Option<(i64, Option<String>, String, Option<i64>)> = sqlx::query_as(
            "SELECT incident_id, kind, body, owner_id FROM postmortem_actions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(incident, kind, text, owner)| {
            Ok(ActionToExport {
                id,
                incident: IncidentId(incident),
                kind: kind
                    .map(|k| {
                        ActionKind::parse(&k).ok_or_else(|| corrupt(format!("action kind {k}")))
                    })
                    .transpose()?,
                text,
                owner: owner.map(convert::user_id).transpose()?,
            })
        })
        .transpose()
    }

    /// The ids of `incident`'s action items to do (prevent, process), oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn actions_to_do(&self, incident: IncidentId) -> Result<Vec<i64>, Error> {
        let ids: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM postmortem_actions WHERE incident_id = $1 \
             AND kind IN ('prevent', 'process') ORDER BY id",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(|(id,)| id).collect())
    }
}

impl Db {
    /// The ticket address of each action item of `incident`, in the order of
    /// [`Db::actions`] (`None` where it has none).
    #[tracing::instrument(skip_all)]
    pub async fn action_tickets(&self, incident: IncidentId) -> Result<Vec<Option<String>>, Error> {
        let rows: Vec<(Option<String>,)> = sqlx::query_as(
            "SELECT t.url FROM postmortem_actions a LEFT JOIN tracker_tickets t \
             ON t.incident_id = a.incident_id AND t.item = 'action:' || CAST(a.id AS TEXT) \
             WHERE a.incident_id = $1 ORDER BY a.id",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(url,)| url).collect())
    }
}

impl Tx {
    /// The id of the action item added last to `incident` (in this transaction, the one just
    /// added).
    #[tracing::instrument(skip_all)]
    pub async fn last_action_id(&mut self, incident: IncidentId) -> Result<Option<i64>, Error> {
        let row: (Option<i64>,) =
            sqlx::query_as("SELECT MAX(id) FROM postmortem_actions WHERE incident_id = $1")
                .bind(incident.0)
                .fetch_one(&mut *self.inner)
                .await?;
        Ok(row.0)
    }
}
