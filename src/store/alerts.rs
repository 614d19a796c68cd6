//! Alerts from the webhooks and their triage cards.

use chrono::{DateTime, Utc};

use super::{
    convert::{from_millis, from_millis_opt, to_db_id, to_millis},
    Error,
};
use super::{corrupt, Db, Tx};
use crate::domain::{AlertSource, AlertStatus, ChannelId, IncidentId, MessageId, UserId};

/// A triage card: one group of alerts of one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertCard {
    /// The row id (in button ids).
    pub id: i64,
    /// Where the alerts came from.
    pub source: AlertSource,
    /// The source's group.
    pub group_key: String,
    /// What fired.
    pub title: String,
    /// The system it maps to, if a rule names one.
    pub system: Option<String>,
    /// A link to the source.
    pub link: Option<String>,
    /// When the first alert began.
    pub started_at: DateTime<Utc>,
    /// When the bot first heard of it.
    pub first_seen: DateTime<Utc>,
    /// When it last heard of it.
    pub last_seen: DateTime<Utc>,
    /// Occurrences received.
    pub count: u64,
    /// Alerts firing now.
    pub firing: u64,
    /// When every alert was resolved, if they were.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The card's message, once posted.
    pub message: Option<(ChannelId, MessageId)>,
    /// The incident it was declared as or attached to.
    pub incident: Option<IncidentId>,
    /// Who dismissed it as not real, and why.
    pub dismissed: Option<(UserId, String)>,
}

/// A card to add.
#[derive(Debug, Clone)]
pub struct NewCard<'a> {
    /// The source.
    pub source: AlertSource,
    /// Its group.
    pub group_key: &'a str,
    /// What fired.
    pub title: &'a str,
    /// The mapped system.
    pub system: Option<&'a str>,
    /// The link.
    pub link: Option<&'a str>,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// Now.
    pub now: DateTime<Utc>,
    /// An incident it is attached to from the start.
    pub incident: Option<IncidentId>,
}

/// One alert as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAlert {
    /// The row id.
    pub id: i64,
    /// Its current firing's identity.
    pub occurrence: String,
    /// Firing or resolved.
    pub status: AlertStatus,
}

const CARD_COLUMNS: &str = "id, source, group_key, title, system, link, started_at, first_seen, \
     last_seen, count, firing, resolved_at, channel_id, message_id, incident_id, dismissed_by, \
     dismissed_reason";

#[derive(sqlx::FromRow)]
struct CardRow {
    id: i64,
    source: String,
    group_key: String,
    title: String,
    system: Option<String>,
    link: Option<String>,
    started_at: i64,
    first_seen: i64,
    last_seen: i64,
    count: i64,
    firing: i64,
    resolved_at: Option<i64>,
    channel_id: Option<i64>,
    message_id: Option<i64>,
    incident_id: Option<i64>,
    dismissed_by: Option<i64>,
    dismissed_reason: Option<String>,
}

fn card(row: CardRow) -> Result<AlertCard, Error> {
    let message = match (row.channel_id, row.message_id) {
        (Some(c), Some(m)) => Some((
            super::convert::channel_id(c)?,
            super::convert::message_id(m)?,
        )),
        _ => None,
    };
    let dismissed = match row.dismissed_by {
        Some(u) => Some((
            super::convert::user_id(u)?,
            row.dismissed_reason.unwrap_or_default(),
        )),
        None => None,
    };
    Ok(AlertCard {
        id: row.id,
        source: AlertSource::parse(&row.source)
            .ok_or_else(|| corrupt(format!("unknown alert source {}", row.source)))?,
        group_key: row.group_key,
        title: row.title,
        system: row.system,
        link: row.link,
        started_at: from_millis(row.started_at)?,
        first_seen: from_millis(row.first_seen)?,
        last_seen: from_millis(row.last_seen)?,
        count: u64::try_from(row.count).unwrap_or(0),
        firing: u64::try_from(row.firing).unwrap_or(0),
        resolved_at: from_millis_opt(row.resolved_at)?,
        message,
        incident: row.incident_id.map(IncidentId),
        dismissed,
    })
}

fn status(text: &str) -> Result<AlertStatus, Error> {
    match text {
        "firing" => Ok(AlertStatus::Firing),
        "resolved" => Ok(AlertStatus::Resolved),
        other => Err(corrupt(format!("unknown alert status {other}"))),
    }
}

fn i(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Db {
    /// One card.
    #[tracing::instrument(skip_all)]
    pub async fn alert_card(&self, id: i64) -> Result<Option<AlertCard>, Error> {
        let row: Option<CardRow> =
            sqlx::query_as(sql!("SELECT {CARD_COLUMNS} FROM alert_cards WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(card).transpose()
    }

    /// Every card, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn alert_cards(&self) -> Result<Vec<AlertCard>, Error> {
        let rows: Vec<CardRow> =
            sqlx::query_as(sql!("SELECT {CARD_COLUMNS} FROM alert_cards ORDER BY id"))
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(card).collect()
    }

    /// The cards declared as `incident` or attached to it, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn alert_cards_of(&self, incident: IncidentId) -> Result<Vec<AlertCard>, Error> {
        let rows: Vec<CardRow> = sqlx::query_as(sql!(
            "SELECT {CARD_COLUMNS} FROM alert_cards WHERE incident_id = $1 ORDER BY id"
        ))
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(card).collect()
    }

    /// How many alerts are stored.
    pub async fn alert_count(&self) -> Result<u64, Error> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM alerts")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

impl Tx {
    /// One card, in this transaction.
    pub async fn alert_card(&mut self, id: i64) -> Result<Option<AlertCard>, Error> {
        let lock = self.backend.for_update();
        let row: Option<CardRow> = sqlx::query_as(sql!(
            "SELECT {CARD_COLUMNS} FROM alert_cards WHERE id = $1{lock}"
        ))
        .bind(id)
        .fetch_optional(&mut *self.inner)
        .await?;
        row.map(card).transpose()
    }

    /// The posted cards nobody has answered yet (no incident, not dismissed) last seen at or
    /// after `since`, newest first: their attach menus change when incidents open or close.
    pub async fn undecided_cards(&mut self, since: DateTime<Utc>) -> Result<Vec<AlertCard>, Error> {
        let rows: Vec<CardRow> = sqlx::query_as(sql!(
            "SELECT {CARD_COLUMNS} FROM alert_cards WHERE incident_id IS NULL \
             AND dismissed_by IS NULL AND message_id IS NOT NULL AND last_seen >= $1 \
             ORDER BY id DESC LIMIT 50"
        ))
        .bind(to_millis(since))
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter().map(card).collect()
    }

    /// The newest card of `group_key` last seen at or after `since`.
    #[tracing::instrument(skip_all)]
    pub async fn alert_card_of_group(
        &mut self,
        source: AlertSource,
        group_key: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<AlertCard>, Error> {
        let row: Option<CardRow> = sqlx::query_as(sql!(
            "SELECT {CARD_COLUMNS} FROM alert_cards WHERE source = $1 AND group_key = $2 \
             AND last_seen >= $3 ORDER BY id DESC LIMIT 1"
        ))
        .bind(source.as_str())
        .bind(group_key)
        .bind(to_millis(since))
        .fetch_optional(&mut *self.inner)
        .await?;
        row.map(card).transpose()
    }

    /// The incidents of `guild` and `kind` being worked (open, not resolved) that list
    /// `system`, newest first.
    pub async fn open_incidents_with_system(
        &mut self,
        guild: crate::domain::GuildId,
        system: &str,
        kind: crate::domain::IncidentKind,
    ) -> Result<Vec<IncidentId>, Error> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM incidents WHERE guild_id = $1 AND status = 'open' AND kind = $2 \
             AND id IN (SELECT incident_id FROM incident_systems WHERE name_key = $3) \
             ORDER BY number DESC",
        )
        .bind(to_db_id(guild.get()))
        .bind(kind.as_str())
        .bind(system.to_lowercase())
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(|(id,)| IncidentId(id)).collect())
    }

    /// The availability incidents of `guild` whose fix is being verified (resolved, not yet
    /// verified) that list `system` or are `attached` (a card's own incident), with when
    /// their fix went in.
    #[tracing::instrument(skip_all)]
    pub async fn verifying_incidents_about(
        &mut self,
        guild: crate::domain::GuildId,
        system: Option<&str>,
        attached: Option<IncidentId>,
    ) -> Result<Vec<(IncidentId, DateTime<Utc>)>, Error> {
        let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, resolved_at FROM incidents WHERE guild_id = $1 AND status = 'resolved' \
             AND verified_at IS NULL AND kind = 'availability' AND (id = $2 \
             OR id IN (SELECT incident_id FROM incident_systems WHERE name_key = $3)) \
             ORDER BY number",
        )
        .bind(to_db_id(guild.get()))
        .bind(attached.map_or(0, |i| i.0))
        .bind(system.map(str::to_lowercase))
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter()
            .map(|(id, fixed)| {
                let fixed = fixed.ok_or_else(|| corrupt(format!("incident {id} resolved_at")))?;
                Ok((IncidentId(id), from_millis(fixed)?))
            })
            .collect()
    }

    /// Adds a card with no alerts yet; returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn insert_alert_card(&mut self, c: &NewCard<'_>) -> Result<i64, Error> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO alert_cards (source, group_key, title, system, link, started_at, \
             first_seen, last_seen, count, firing, incident_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, $9) RETURNING id",
        )
        .bind(c.source.as_str())
        .bind(c.group_key)
        .bind(c.title)
        .bind(c.system)
        .bind(c.link)
        .bind(to_millis(c.started_at))
        .bind(to_millis(c.now))
        .bind(to_millis(c.now))
        .bind(c.incident.map(|i| i.0))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// The alert `key` of `card`, if stored.
    pub async fn alert_of_card(
        &mut self,
        card: i64,
        key: &str,
    ) -> Result<Option<StoredAlert>, Error> {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT id, occurrence, status FROM alerts WHERE card_id = $1 AND dedup_key = $2",
        )
        .bind(card)
        .bind(key)
        .fetch_optional(&mut *self.inner)
        .await?;
        row.map(|(id, occurrence, s)| {
            Ok(StoredAlert {
                id,
                occurrence,
                status: status(&s)?,
            })
        })
        .transpose()
    }

    /// Adds an alert to `card`.
    #[expect(clippy::too_many_arguments, reason = "the alert's columns")]
    pub async fn insert_alert(
        &mut self,
        card: i64,
        key: &str,
        occurrence: &str,
        state: AlertStatus,
        title: &str,
        started_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO alerts (card_id, dedup_key, occurrence, status, title, started_at, \
             last_seen, count) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
        )
        .bind(card)
        .bind(key)
        .bind(occurrence)
        .bind(state.as_str())
        .bind(title)
        .bind(to_millis(started_at))
        .bind(to_millis(now))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Records a new delivery of a stored alert; `again` counts it as a new occurrence.
    pub async fn update_alert(
        &mut self,
        id: i64,
        occurrence: &str,
        state: AlertStatus,
        again: bool,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE alerts SET occurrence = $1, status = $2, last_seen = $3, \
             count = count + $4 WHERE id = $5",
        )
        .bind(occurrence)
        .bind(state.as_str())
        .bind(to_millis(now))
        .bind(i64::from(again))
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Brings a card's counts in line with its alerts after a delivery that added `new`
    /// occurrences; marks it resolved when none fires, and firing again when one does.
    pub async fn refresh_alert_card(
        &mut self,
        card: i64,
        new: u64,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE alert_cards SET count = count + $1, last_seen = $2, \
             firing = (SELECT COUNT(*) FROM alerts WHERE card_id = alert_cards.id AND status = 'firing'), \
             resolved_at = CASE WHEN (SELECT COUNT(*) FROM alerts WHERE card_id = alert_cards.id \
                 AND status = 'firing') = 0 THEN COALESCE(resolved_at, $3) ELSE NULL END \
             WHERE id = $4",
        )
        .bind(i(new))
        .bind(to_millis(now))
        .bind(to_millis(now))
        .bind(card)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Records where the card was posted.
    pub async fn alert_card_posted(
        &mut self,
        card: i64,
        channel: ChannelId,
        message: MessageId,
    ) -> Result<(), Error> {
        sqlx::query("UPDATE alert_cards SET channel_id = $1, message_id = $2 WHERE id = $3")
            .bind(to_db_id(channel.get()))
            .bind(to_db_id(message.get()))
            .bind(card)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Records the incident a card was declared as (by `by`) or attached to.
    pub async fn alert_card_incident(
        &mut self,
        card: i64,
        incident: IncidentId,
        by: Option<UserId>,
    ) -> Result<(), Error> {
        sqlx::query("UPDATE alert_cards SET incident_id = $1, declared_by = $2 WHERE id = $3")
            .bind(incident.0)
            .bind(by.map(|u| to_db_id(u.get())))
            .bind(card)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Detaches from `incident` the cards that joined it on arrival and were never posted
    /// (it became a security incident, which alerts never join): their next delivery posts a
    /// card in the alerts channel. Returns how many.
    pub async fn detach_unposted_cards(&mut self, incident: IncidentId) -> Result<u64, Error> {
        Ok(sqlx::query(
            "UPDATE alert_cards SET incident_id = NULL \
             WHERE incident_id = $1 AND message_id IS NULL AND declared_by IS NULL",
        )
        .bind(incident.0)
        .execute(&mut *self.inner)
        .await?
        .rows_affected())
    }

    /// Records who dismissed a card as not real, and why.
    pub async fn alert_card_dismissed(
        &mut self,
        card: i64,
        by: UserId,
        reason: &str,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE alert_cards SET dismissed_by = $1, dismissed_reason = $2 WHERE id = $3",
        )
        .bind(to_db_id(by.get()))
        .bind(reason)
        .bind(card)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}
