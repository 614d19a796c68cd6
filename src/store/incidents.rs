//! Incidents: the row, its systems, its phase history and its role holders.

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, FromRow};

use super::{
    convert::{self, from_millis, from_millis_opt, to_db_id, to_millis},
    Error,
};
use super::{corrupt, Db, Tx};
use crate::domain::{
    ChannelId, EarlierIncident, Eta, FreeText, GuildId, Incident, IncidentId, IncidentKind,
    IncidentNumber, IncidentRole, IncidentTitle, InteractionId, Phase, PhaseSpan, Roles, Severity,
    ShortText, Status, Systems,
};

/// An incident with its identity: what the store hands out and takes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRecord {
    /// The row id.
    pub id: IncidentId,
    /// The guild it belongs to.
    pub guild_id: GuildId,
    /// Its number in the guild.
    pub number: IncidentNumber,
    /// Its Discord channel, once opened.
    pub channel_id: Option<ChannelId>,
    /// Its state.
    pub incident: Incident,
}

/// What `insert_incident` needs.
#[derive(Debug, Clone)]
pub struct NewIncident<'a> {
    /// The guild.
    pub guild_id: GuildId,
    /// The interaction that declared it, for idempotent re-delivery.
    pub interaction_id: Option<InteractionId>,
    /// The declared incident.
    pub incident: &'a Incident,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    guild_id: i64,
    number: i64,
    title: String,
    summary: Option<String>,
    kind: String,
    severity: String,
    phase: i64,
    status: String,
    channel_id: Option<i64>,
    declared_by: i64,
    declared_at: i64,
    last_update: Option<String>,
    last_update_at: Option<i64>,
    root_cause: Option<String>,
    compensation: Option<String>,
    resolved_at: Option<i64>,
    verified_at: Option<i64>,
    closed_at: Option<i64>,
    last_change_at: i64,
    detected_at: Option<i64>,
    eta_at: Option<i64>,
    eta_text: Option<String>,
}

/// The stored status: a fix being verified is `resolved` without `verified_at`, so every
/// query that tells open from closed incidents reads it as it did before verification existed.
fn status_column(status: Status) -> &'static str {
    match status {
        Status::Verifying => Status::Resolved.as_str(),
        other => other.as_str(),
    }
}

/// The status a row stands for: see [`status_column`].
fn status_of(row: &Row) -> Result<Status, Error> {
    match Status::parse(&row.status) {
        Some(Status::Resolved) if row.verified_at.is_none() => Ok(Status::Verifying),
        Some(Status::Verifying) | None => Err(corrupt(format!("status {}", row.status))),
        Some(status) => Ok(status),
    }
}

const SELECT: &str = "SELECT id, guild_id, number, title, summary, kind, severity, phase, status, \
    channel_id, declared_by, declared_at, last_update, last_update_at, root_cause, compensation, \
    resolved_at, verified_at, closed_at, last_change_at, detected_at, eta_at, eta_text FROM incidents";

/// The stored ETA: a time wins over words (only one is ever written).
fn eta_of(at: Option<i64>, text: Option<String>) -> Result<Option<Eta>, Error> {
    Ok(match (from_millis_opt(at)?, text) {
        (Some(at), _) => Some(Eta::At(at)),
        (None, Some(text)) => Some(Eta::Text(ShortText::from_stored(text))),
        (None, None) => None,
    })
}

/// The filter of [`Db::unclosed_incidents`]. The unary `+` keeps SQLite from walking the
/// `(guild_id, number)` index for the order, which reads every closed incident of the guild
/// (3.7 ms with 10,000 of them); the `incidents_open` index finds the few open ones instead.
const UNCLOSED: &str = "WHERE guild_id = $1 AND status IN ('open', 'resolved') ORDER BY +number";

async fn hydrate(conn: &mut AnyConnection, row: Row) -> Result<IncidentRecord, Error> {
    let systems: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM incident_systems WHERE incident_id = $1 ORDER BY position",
    )
    .bind(row.id)
    .fetch_all(&mut *conn)
    .await?;
    // Stored text is taken as written: see `IncidentTitle::from_stored`.
    let systems = Systems::from_stored(systems.into_iter().map(|(n,)| n));

    let spans: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT phase, started_at, ended_at FROM incident_phase_spans WHERE incident_id = $1 \
         ORDER BY position",
    )
    .bind(row.id)
    .fetch_all(&mut *conn)
    .await?;
    let phases = spans
        .into_iter()
        .map(|(phase, started, ended)| {
            Ok(PhaseSpan {
                phase: phase_of(phase)?,
                started_at: from_millis(started)?,
                ended_at: from_millis_opt(ended)?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;

    let holders: Vec<(String, i64)> =
        sqlx::query_as("SELECT role, user_id FROM role_assignments WHERE incident_id = $1")
            .bind(row.id)
            .fetch_all(&mut *conn)
            .await?;
    let mut roles = Roles::default();
    for (role, user) in holders {
        let role = IncidentRole::parse(&role).map_err(|e| corrupt(e.to_string()))?;
        roles.set(role, convert::user_id(user)?);
    }

    let status = status_of(&row)?;
    let incident = Incident {
        title: IncidentTitle::from_stored(row.title),
        summary: row.summary.map(FreeText::from_stored),
        kind: IncidentKind::parse(&row.kind).map_err(|e| corrupt(e.to_string()))?,
        severity: Severity::parse(&row.severity).map_err(|e| corrupt(e.to_string()))?,
        systems,
        phase: phase_of(row.phase)?,
        status,
        roles,
        declared_by: convert::user_id(row.declared_by)?,
        declared_at: from_millis(row.declared_at)?,
        detected_at: from_millis(row.detected_at.unwrap_or(row.declared_at))?,
        eta: eta_of(row.eta_at, row.eta_text)?,
        phases,
        last_update: row.last_update.map(FreeText::from_stored),
        last_update_at: from_millis_opt(row.last_update_at)?,
        root_cause: row.root_cause.map(FreeText::from_stored),
        compensation: row.compensation.map(FreeText::from_stored),
        resolved_at: from_millis_opt(row.resolved_at)?,
        verified_at: from_millis_opt(row.verified_at)?,
        closed_at: from_millis_opt(row.closed_at)?,
        last_change_at: from_millis(row.last_change_at)?,
    };
    Ok(IncidentRecord {
        id: IncidentId(row.id),
        guild_id: convert::guild_id(row.guild_id)?,
        number: IncidentNumber(u32::try_from(row.number).map_err(|_| corrupt("incident number"))?),
        channel_id: row.channel_id.map(convert::channel_id).transpose()?,
        incident,
    })
}

pub(super) fn phase_of(n: i64) -> Result<Phase, Error> {
    u8::try_from(n)
        .ok()
        .and_then(Phase::from_number)
        .ok_or_else(|| corrupt(format!("phase {n}")))
}

async fn load_one(
    conn: &mut AnyConnection,
    filter: &str,
    key: i64,
    lock: &str,
) -> Result<Option<IncidentRecord>, Error> {
    let row: Option<Row> = sqlx::query_as(sql!("{SELECT} WHERE {filter} = $1{lock}"))
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => hydrate(conn, row).await.map(Some),
        None => Ok(None),
    }
}

impl Db {
    /// The incident with that row id.
    #[tracing::instrument(skip_all)]
    pub async fn incident(&self, id: IncidentId) -> Result<Option<IncidentRecord>, Error> {
        let mut conn = self.pool.acquire().await?;
        load_one(&mut conn, "id", id.0, "").await
    }

    /// The incident whose channel this is.
    #[tracing::instrument(skip_all)]
    pub async fn incident_by_channel(
        &self,
        channel: ChannelId,
    ) -> Result<Option<IncidentRecord>, Error> {
        let mut conn = self.pool.acquire().await?;
        load_one(&mut conn, "channel_id", to_db_id(channel.get()), "").await
    }

    /// The incident of `guild` with that number.
    #[tracing::instrument(skip_all)]
    pub async fn incident_by_number(
        &self,
        guild: GuildId,
        number: u32,
    ) -> Result<Option<IncidentRecord>, Error> {
        let mut conn = self.pool.acquire().await?;
        let row: Option<Row> = sqlx::query_as(sql!("{SELECT} WHERE guild_id = $1 AND number = $2"))
            .bind(to_db_id(guild.get()))
            .bind(i64::from(number))
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            Some(row) => hydrate(&mut conn, row).await.map(Some),
            None => Ok(None),
        }
    }

    /// The incident declared by that interaction, if it was already handled.
    #[tracing::instrument(skip_all)]
    pub async fn incident_by_interaction(
        &self,
        interaction: InteractionId,
    ) -> Result<Option<IncidentRecord>, Error> {
        let mut conn = self.pool.acquire().await?;
        load_one(&mut conn, "interaction_id", to_db_id(interaction.get()), "").await
    }

    /// Every incident of the guild that is not closed, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn unclosed_incidents(&self, guild: GuildId) -> Result<Vec<IncidentRecord>, Error> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<Row> = sqlx::query_as(sql!("{SELECT} {UNCLOSED}"))
            .bind(to_db_id(guild.get()))
            .fetch_all(&mut *conn)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(hydrate(&mut conn, row).await?);
        }
        Ok(out)
    }

    /// The incidents players were told about: availability incidents with at least one
    /// announcement posted to the players' channel (and not withdrawn), still unclosed or
    /// changed since `since`, newest first. Security incidents are never among them.
    #[tracing::instrument(skip_all)]
    pub async fn public_incidents(
        &self,
        guild: GuildId,
        since: DateTime<Utc>,
    ) -> Result<Vec<IncidentRecord>, Error> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<Row> = sqlx::query_as(sql!(
            "{SELECT} WHERE guild_id = $1 AND kind = 'availability' \
             AND (status != 'closed' OR last_change_at >= $2) \
             AND EXISTS (SELECT 1 FROM announcements a WHERE a.incident_id = incidents.id \
                 AND a.posted_at IS NOT NULL AND a.withdrawn_at IS NULL) \
             ORDER BY number DESC"
        ))
        .bind(to_db_id(guild.get()))
        .bind(to_millis(since))
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(hydrate(&mut conn, row).await?);
        }
        Ok(out)
    }

    /// How many incidents of the guild are not over yet (being worked, or a fix being verified),
    /// by severity.
    #[tracing::instrument(skip_all)]
    pub async fn open_incidents_by_severity(
        &self,
        guild: GuildId,
    ) -> Result<Vec<(Severity, u64)>, Error> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            // Open means not over yet: being worked, or a fix being verified (stored as
            // resolved without `verified_at`, see `status_column`).
            "SELECT severity, COUNT(*) FROM incidents WHERE guild_id = $1 \
             AND (status = 'open' OR (status = 'resolved' AND verified_at IS NULL)) \
             GROUP BY severity",
        )
        .bind(to_db_id(guild.get()))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(severity, n)| {
                let severity = Severity::parse(&severity).map_err(|e| corrupt(e.to_string()))?;
                Ok((severity, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }

    /// Incidents of the guild declared in `[since, before)` that share a system with `systems`,
    /// for the post-mortem recurrence rule.
    #[tracing::instrument(skip_all)]
    pub async fn earlier_incidents(
        &self,
        guild: GuildId,
        systems: &Systems,
        since: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<Vec<EarlierIncident>, Error> {
        let mut out = Vec::new();
        let mut conn = self.pool.acquire().await?;
        for name in systems.names() {
            let rows: Vec<Row> = sqlx::query_as(sql!(
                "{SELECT} WHERE guild_id = $1 AND declared_at >= $2 AND declared_at < $3 AND id IN \
                 (SELECT incident_id FROM incident_systems WHERE name_key = $4)"
            ))
            .bind(to_db_id(guild.get()))
            .bind(to_millis(since))
            .bind(to_millis(before))
            .bind(name.to_lowercase())
            .fetch_all(&mut *conn)
            .await?;
            for row in rows {
                let rec = hydrate(&mut conn, row).await?;
                if out
                    .iter()
                    .all(|e: &EarlierIncident| e.number != rec.number.0)
                {
                    out.push(EarlierIncident {
                        number: rec.number.0,
                        severity: rec.incident.severity,
                        systems: rec.incident.systems,
                        declared_at: rec.incident.declared_at,
                    });
                }
            }
        }
        Ok(out)
    }
}

impl Tx {
    /// Inserts a declared incident, giving it the guild's next number: the guild's counter row
    /// is raised and read in one statement, which holds its lock until the commit, so two
    /// processes declaring at once get two numbers (and a declare rolled back gives its number
    /// back).
    #[tracing::instrument(skip_all)]
    pub async fn insert_incident(&mut self, new: NewIncident<'_>) -> Result<IncidentRecord, Error> {
        let i = new.incident;
        let guild = to_db_id(new.guild_id.get());
        let (number,): (i64,) = sqlx::query_as(
            "INSERT INTO incident_counters (guild_id, last_number) VALUES ($1, 1) \
             ON CONFLICT (guild_id) DO UPDATE SET last_number = incident_counters.last_number + 1 \
             RETURNING last_number",
        )
        .bind(guild)
        .fetch_one(&mut *self.inner)
        .await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO incidents (guild_id, number, title, summary, kind, severity, phase, status, \
             declared_by, declared_at, last_change_at, interaction_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(guild)
        .bind(number)
        .bind(i.title.as_str())
        .bind(i.summary.as_ref().map(FreeText::as_str))
        .bind(i.kind.as_str())
        .bind(i.severity.as_str())
        .bind(i64::from(i.phase.number()))
        .bind(status_column(i.status))
        .bind(to_db_id(i.declared_by.get()))
        .bind(to_millis(i.declared_at))
        .bind(to_millis(i.last_change_at))
        .bind(new.interaction_id.map(|x| to_db_id(x.get())))
        .fetch_one(&mut *self.inner)
        .await?;
        self.write_systems(id, &i.systems).await?;
        let record = IncidentRecord {
            id: IncidentId(id),
            guild_id: new.guild_id,
            number: IncidentNumber(u32::try_from(number).map_err(|_| corrupt("incident number"))?),
            channel_id: None,
            incident: i.clone(),
        };
        self.save_incident(&record).await?;
        Ok(record)
    }

    /// Reads an incident inside this transaction, for read-modify-write without lost updates
    /// (on PostgreSQL its row stays locked until the commit).
    pub async fn incident(&mut self, id: IncidentId) -> Result<Option<IncidentRecord>, Error> {
        let lock = self.backend.for_update();
        load_one(&mut self.inner, "id", id.0, lock).await
    }

    /// Replaces the incident's systems with `systems`, in their order.
    async fn write_systems(&mut self, id: i64, systems: &Systems) -> Result<(), Error> {
        sqlx::query("DELETE FROM incident_systems WHERE incident_id = $1")
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        for (position, name) in systems.names().enumerate() {
            sqlx::query("INSERT INTO incident_systems (incident_id, position, name, name_key) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .bind(name)
                .bind(name.to_lowercase())
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// Writes back every field a command can change: the facts, state, phases and role holders.
    #[tracing::instrument(skip_all)]
    pub async fn save_incident(&mut self, rec: &IncidentRecord) -> Result<(), Error> {
        let i = &rec.incident;
        let (eta_at, eta_text) = match &i.eta {
            Some(Eta::At(at)) => (Some(to_millis(*at)), None),
            Some(Eta::Text(text)) => (None, Some(text.as_str())),
            None => (None, None),
        };
        sqlx::query(
            "UPDATE incidents SET title = $1, kind = $2, detected_at = $3, eta_at = $4, eta_text = $5, \
             summary = $6, severity = $7, phase = $8, status = $9, last_update = $10, \
             last_update_at = $11, root_cause = $12, compensation = $13, resolved_at = $14, verified_at = $15, \
             closed_at = $16, last_change_at = $17, channel_id = $18 WHERE id = $19",
        )
        .bind(i.title.as_str())
        .bind(i.kind.as_str())
        .bind(to_millis(i.detected_at))
        .bind(eta_at)
        .bind(eta_text)
        .bind(i.summary.as_ref().map(FreeText::as_str))
        .bind(i.severity.as_str())
        .bind(i64::from(i.phase.number()))
        .bind(status_column(i.status))
        .bind(i.last_update.as_ref().map(FreeText::as_str))
        .bind(i.last_update_at.map(to_millis))
        .bind(i.root_cause.as_ref().map(FreeText::as_str))
        .bind(i.compensation.as_ref().map(FreeText::as_str))
        .bind(i.resolved_at.map(to_millis))
        .bind(i.verified_at.map(to_millis))
        .bind(i.closed_at.map(to_millis))
        .bind(to_millis(i.last_change_at))
        .bind(rec.channel_id.map(|c| to_db_id(c.get())))
        .bind(rec.id.0)
        .execute(&mut *self.inner)
        .await?;
        // Spans are only ever appended to, and only the last one's end changes.
        for (position, span) in i.phases.iter().enumerate() {
            sqlx::query(
                "INSERT INTO incident_phase_spans (incident_id, position, phase, started_at, ended_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (incident_id, position) DO UPDATE SET ended_at = excluded.ended_at",
            )
            .bind(rec.id.0)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(i64::from(span.phase.number()))
            .bind(to_millis(span.started_at))
            .bind(span.ended_at.map(to_millis))
            .execute(&mut *self.inner)
            .await?;
        }
        for role in IncidentRole::ALL {
            if let Some(user) = i.roles.get(role) {
                sqlx::query(
                    "INSERT INTO role_assignments (incident_id, role, user_id, assigned_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (incident_id, role) DO UPDATE SET user_id = excluded.user_id, \
                     assigned_at = excluded.assigned_at WHERE role_assignments.user_id <> excluded.user_id",
                )
                .bind(rec.id.0)
                .bind(role.key())
                .bind(to_db_id(user.get()))
                .bind(to_millis(i.last_change_at))
                .execute(&mut *self.inner)
                .await?;
            }
        }
        let stored: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM incident_systems WHERE incident_id = $1 ORDER BY position",
        )
        .bind(rec.id.0)
        .fetch_all(&mut *self.inner)
        .await?;
        // Rewritten only when they changed: most changes leave them alone.
        if !stored.iter().map(|(n,)| n.as_str()).eq(i.systems.names()) {
            self.write_systems(rec.id.0, &i.systems).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn listing_unclosed_incidents_does_not_read_the_closed_ones() {
        let db = Db::open_in_memory().await.expect("open");
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(sql!("EXPLAIN QUERY PLAN {SELECT} {UNCLOSED}"))
                .bind(1_i64)
                .fetch_all(&db.pool)
                .await
                .expect("plan");
        let steps: Vec<&str> = plan.iter().map(|(_, _, _, step)| step.as_str()).collect();
        assert!(
            steps
                .iter()
                .any(|s| s.contains("USING INDEX incidents_open")),
            "the query should search the open-incidents index, its plan is {steps:?}"
        );
    }
}
