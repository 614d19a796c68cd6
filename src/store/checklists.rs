//! Checklist ticks: which steps of which phase people ticked, by whom and when.

use super::incidents::phase_of;
use super::{
    convert::{self, from_millis, to_db_id, to_millis},
    Error,
};
use super::{Db, Tx};
use crate::domain::{IncidentId, Phase, StepId, Tick};

/// phase, step, body, ticked_by, ticked_at
type Row = (i64, String, String, i64, i64);

const SELECT: &str = "SELECT phase, step, body, ticked_by, ticked_at FROM checklist_ticks";

fn tick_from_row((phase, step, text, by, at): Row) -> Result<Tick, Error> {
    Ok(Tick {
        phase: phase_of(phase)?,
        step: StepId::from_stored(step),
        text,
        by: convert::user_id(by)?,
        at: from_millis(at)?,
    })
}

impl Tx {
    /// Records a tick; a step ticked already keeps its first tick. Returns whether it was new.
    #[tracing::instrument(skip_all)]
    pub async fn tick(&mut self, incident: IncidentId, tick: &Tick) -> Result<bool, Error> {
        let done = sqlx::query(
            "INSERT INTO checklist_ticks (incident_id, phase, step, body, ticked_by, ticked_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(incident.0)
        .bind(i64::from(tick.phase.number()))
        .bind(tick.step.as_str())
        .bind(&tick.text)
        .bind(to_db_id(tick.by.get()))
        .bind(to_millis(tick.at))
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Undoes the tick of a step. Returns whether there was one.
    #[tracing::instrument(skip_all)]
    pub async fn untick(
        &mut self,
        incident: IncidentId,
        phase: Phase,
        step: &StepId,
    ) -> Result<bool, Error> {
        let done = sqlx::query(
            "DELETE FROM checklist_ticks WHERE incident_id = $1 AND phase = $2 AND step = $3",
        )
        .bind(incident.0)
        .bind(i64::from(phase.number()))
        .bind(step.as_str())
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The tick of one step, read inside this transaction.
    #[tracing::instrument(skip_all)]
    pub async fn tick_of(
        &mut self,
        incident: IncidentId,
        phase: Phase,
        step: &StepId,
    ) -> Result<Option<Tick>, Error> {
        let row: Option<Row> = sqlx::query_as(sql!(
            "{SELECT} WHERE incident_id = $1 AND phase = $2 AND step = $3"
        ))
        .bind(incident.0)
        .bind(i64::from(phase.number()))
        .bind(step.as_str())
        .fetch_optional(&mut *self.inner)
        .await?;
        row.map(tick_from_row).transpose()
    }

    /// Every tick of an incident, read inside this transaction, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn ticks(&mut self, incident: IncidentId) -> Result<Vec<Tick>, Error> {
        let rows: Vec<Row> = sqlx::query_as(sql!(
            "{SELECT} WHERE incident_id = $1 ORDER BY ticked_at, phase, step"
        ))
        .bind(incident.0)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter().map(tick_from_row).collect()
    }
}

impl Db {
    /// Every tick of an incident, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn ticks(&self, incident: IncidentId) -> Result<Vec<Tick>, Error> {
        let rows: Vec<Row> = sqlx::query_as(sql!(
            "{SELECT} WHERE incident_id = $1 ORDER BY ticked_at, phase, step"
        ))
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(tick_from_row).collect()
    }
}
