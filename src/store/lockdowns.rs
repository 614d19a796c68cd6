//! The lockdowns of `/incident lockdown`: what was asked, the guild's pauses as they were
//! before (read once, before the first change), each slowed channel's slow-mode before, and
//! when each part was set, asked to be lifted and lifted: so that `/incident unlock` restores
//! what was there, and a retried job goes on where the last attempt stopped.

use chrono::{DateTime, Utc};

use super::convert::{self, from_millis, from_millis_opt, to_db_id, to_millis};
use super::{Db, Error, Tx};
use crate::domain::{ChannelId, IncidentId, UserId};

/// A lockdown being asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLockdown {
    /// Who asked.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// Invites paused until then (may be more than Discord's 24 h: re-armed).
    pub invites_until: Option<DateTime<Utc>>,
    /// DMs paused until then.
    pub dms_until: Option<DateTime<Utc>>,
    /// The slow-mode to set, in seconds.
    pub slowmode: Option<u16>,
    /// The channels to set it on.
    pub channels: Vec<ChannelId>,
}

/// One slowed channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedChannel {
    /// The channel.
    pub channel: ChannelId,
    /// Its slow-mode before, in seconds, once read.
    pub previous: Option<u16>,
    /// When the lockdown's slow-mode was set on it.
    pub set_at: Option<DateTime<Utc>>,
    /// When its slow-mode was put back.
    pub restored_at: Option<DateTime<Utc>>,
}

/// The guild's pauses before a lockdown: invites, DMs (each `None` when not paused).
pub type PausesBefore = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// A slowed channel's row: channel, previous, set, restored.
type ChannelRow = (i64, Option<i64>, Option<i64>, Option<i64>);

/// A stored lockdown and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockdown {
    /// Its row.
    pub id: i64,
    /// The incident it was asked in.
    pub incident: IncidentId,
    /// What was asked (its `channels` empty: see [`Lockdown::channels`]).
    pub asked: NewLockdown,
    /// The guild's pauses before it (invites, DMs), once read.
    pub before: Option<PausesBefore>,
    /// When it was in place.
    pub set_at: Option<DateTime<Utc>>,
    /// When it was asked to be lifted, and by whom.
    pub lift_asked: Option<(DateTime<Utc>, UserId)>,
    /// When it was lifted.
    pub lifted_at: Option<DateTime<Utc>>,
    /// The channels it slows.
    pub channels: Vec<LockedChannel>,
}

impl Lockdown {
    /// Whether it holds, or is about to: asked, and not asked to be lifted.
    pub fn in_force(&self) -> bool {
        self.lift_asked.is_none()
    }
}

type Row = (
    i64,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

macro_rules! lockdown_columns {
    () => {
        "SELECT id, incident_id, asked_by, asked_at, invites_until, dms_until, slowmode, \
         before_read, before_invites, before_dms, set_at, lift_asked_at, lifted_by, lifted_at \
         FROM lockdowns "
    };
}

fn read(row: Row, channels: Vec<LockedChannel>) -> Result<Lockdown, Error> {
    let (id, incident, by, at, invites, dms, slowmode, read, b_inv, b_dms, set, asked, lby, lifted) =
        row;
    let lift_asked = match (asked, lby) {
        (Some(at), Some(by)) => Some((from_millis(at)?, convert::user_id(by)?)),
        _ => None,
    };
    Ok(Lockdown {
        id,
        incident: IncidentId(incident),
        asked: NewLockdown {
            by: convert::user_id(by)?,
            at: from_millis(at)?,
            invites_until: from_millis_opt(invites)?,
            dms_until: from_millis_opt(dms)?,
            slowmode: slowmode.and_then(|s| u16::try_from(s).ok()),
            channels: Vec::new(),
        },
        before: if read == 1 {
            Some((from_millis_opt(b_inv)?, from_millis_opt(b_dms)?))
        } else {
            None
        },
        set_at: from_millis_opt(set)?,
        lift_asked,
        lifted_at: from_millis_opt(lifted)?,
        channels,
    })
}

impl Tx {
    /// Records a lockdown asked in `incident`, with its channels; returns its row.
    #[tracing::instrument(skip_all)]
    pub async fn add_lockdown(
        &mut self,
        incident: IncidentId,
        l: &NewLockdown,
    ) -> Result<i64, Error> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO lockdowns (incident_id, asked_by, asked_at, invites_until, dms_until, \
             slowmode) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(incident.0)
        .bind(to_db_id(l.by.get()))
        .bind(to_millis(l.at))
        .bind(l.invites_until.map(to_millis))
        .bind(l.dms_until.map(to_millis))
        .bind(l.slowmode.map(i64::from))
        .fetch_one(&mut *self.inner)
        .await?;
        for channel in &l.channels {
            sqlx::query("INSERT INTO lockdown_channels (lockdown_id, channel_id) VALUES ($1, $2)")
                .bind(id)
                .bind(to_db_id(channel.get()))
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(id)
    }

    /// Marks lockdown `id` to be lifted by `by`, unless it was already; true when it marked it.
    #[tracing::instrument(skip_all)]
    pub async fn ask_unlock(
        &mut self,
        id: i64,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let done = sqlx::query(
            "UPDATE lockdowns SET lift_asked_at = $1, lifted_by = $2 \
             WHERE id = $3 AND lift_asked_at IS NULL",
        )
        .bind(to_millis(at))
        .bind(to_db_id(by.get()))
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the guild's pauses as they were before the lockdown, once.
    #[tracing::instrument(skip_all)]
    pub async fn set_lockdown_before(
        &mut self,
        id: i64,
        invites: Option<DateTime<Utc>>,
        dms: Option<DateTime<Utc>>,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE lockdowns SET before_read = 1, before_invites = $1, before_dms = $2 \
             WHERE id = $3 AND before_read = 0",
        )
        .bind(invites.map(to_millis))
        .bind(dms.map(to_millis))
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Records a time column of lockdown `id` (`set_at` or `lifted_at`), once.
    #[tracing::instrument(skip_all)]
    pub async fn set_lockdown_time(
        &mut self,
        id: i64,
        lifted: bool,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let sql = if lifted {
            "UPDATE lockdowns SET lifted_at = $1 WHERE id = $2 AND lifted_at IS NULL"
        } else {
            "UPDATE lockdowns SET set_at = $1 WHERE id = $2 AND set_at IS NULL"
        };
        sqlx::query(sql)
            .bind(to_millis(at))
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Records a slowed channel's slow-mode before the lockdown, once.
    #[tracing::instrument(skip_all)]
    pub async fn set_channel_previous(
        &mut self,
        id: i64,
        channel: ChannelId,
        previous: u16,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE lockdown_channels SET previous = $1 \
             WHERE lockdown_id = $2 AND channel_id = $3 AND previous IS NULL",
        )
        .bind(i64::from(previous))
        .bind(id)
        .bind(to_db_id(channel.get()))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Records when a channel's slow-mode was set (`restored`: put back), once.
    #[tracing::instrument(skip_all)]
    pub async fn set_channel_time(
        &mut self,
        id: i64,
        channel: ChannelId,
        restored: bool,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let sql = if restored {
            "UPDATE lockdown_channels SET restored_at = $1 \
             WHERE lockdown_id = $2 AND channel_id = $3 AND restored_at IS NULL"
        } else {
            "UPDATE lockdown_channels SET set_at = $1 \
             WHERE lockdown_id = $2 AND channel_id = $3 AND set_at IS NULL"
        };
        sqlx::query(sql)
            .bind(to_millis(at))
            .bind(id)
            .bind(to_db_id(channel.get()))
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

impl Db {
    /// The lockdowns of an incident, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn lockdowns(&self, incident: IncidentId) -> Result<Vec<Lockdown>, Error> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            lockdown_columns!(),
            "WHERE incident_id = $1 ORDER BY id"
        ))
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let channels = self.locked_channels(row.0).await?;
            out.push(read(row, channels)?);
        }
        Ok(out)
    }

    /// One lockdown.
    #[tracing::instrument(skip_all)]
    pub async fn lockdown(&self, id: i64) -> Result<Option<Lockdown>, Error> {
        let row: Option<Row> = sqlx::query_as(concat!(lockdown_columns!(), "WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => {
                let channels = self.locked_channels(id).await?;
                Ok(Some(read(row, channels)?))
            }
            None => Ok(None),
        }
    }

    async fn locked_channels(&self, id: i64) -> Result<Vec<LockedChannel>, Error> {
        let rows: Vec<ChannelRow> = sqlx::query_as(
            "SELECT channel_id, previous, set_at, restored_at FROM lockdown_channels \
             WHERE lockdown_id = $1 ORDER BY channel_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(channel, previous, set, restored)| {
                Ok(LockedChannel {
                    channel: convert::channel_id(channel)?,
                    previous: previous.and_then(|p| u16::try_from(p).ok()),
                    set_at: from_millis_opt(set)?,
                    restored_at: from_millis_opt(restored)?,
                })
            })
            .collect()
    }
}
