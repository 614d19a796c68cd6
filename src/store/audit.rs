//! The audit log: who did what, when, to which incident.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{
    convert::{to_db_id, to_millis},
    Error,
};
use super::{Db, Tx};
use crate::domain::{GuildId, IncidentId, UserId};

/// One audited action.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// The guild.
    pub guild_id: GuildId,
    /// Who; `None` for the bot.
    pub actor: Option<UserId>,
    /// Which incident, if any.
    pub incident: Option<IncidentId>,
    /// What, as a short verb: `declare`, `resolve`.
    pub action: String,
    /// The details, as JSON.
    pub detail: Value,
}

impl Tx {
    /// Records an action.
    #[tracing::instrument(skip_all)]
    pub async fn audit(&mut self, e: &AuditEntry) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO audit_log (at, guild_id, actor_id, incident_id, action, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(to_millis(e.at))
        .bind(to_db_id(e.guild_id.get()))
        .bind(e.actor.map(|a| to_db_id(a.get())))
        .bind(e.incident.map(|i| i.0))
        .bind(&e.action)
        .bind(e.detail.to_string())
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

impl Db {
    /// The actions recorded for an incident, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn audit_actions(&self, incident: IncidentId) -> Result<Vec<String>, Error> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT action FROM audit_log WHERE incident_id = $1 ORDER BY at, id")
                .bind(incident.0)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(a,)| a).collect())
    }
}
