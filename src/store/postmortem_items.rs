//! What a post-mortem collects: action items in the plan's three groups, and lessons learned.

use chrono::{DateTime, Utc};

use super::{
    convert::{self, from_millis, to_db_id, to_millis},
    Error,
};
use super::{corrupt, Db, Tx};
use crate::domain::{ActionKind, IncidentId, LessonKind, UserId};

/// An action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    /// Its group; `None` for items added before groups existed.
    pub kind: Option<ActionKind>,
    /// What is to be done (or, for a fix, what was done).
    pub text: String,
    /// Who owns it.
    pub owner: Option<UserId>,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// A lesson learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    /// Went well or badly.
    pub kind: LessonKind,
    /// What was learned.
    pub text: String,
    /// Who wrote it.
    pub by: UserId,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl Tx {
    /// Adds an action item, written by `by`.
    #[tracing::instrument(skip_all)]
    pub async fn add_action(
        &mut self,
        incident: IncidentId,
        item: &ActionItem,
        by: UserId,
    ) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO postmortem_actions (incident_id, kind, body, owner_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(incident.0)
        .bind(item.kind.map(ActionKind::as_str))
        .bind(&item.text)
        .bind(item.owner.map(|o| to_db_id(o.get())))
        .bind(to_db_id(by.get()))
        .bind(to_millis(item.created_at))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Adds a lesson learned.
    #[tracing::instrument(skip_all)]
    pub async fn add_lesson(&mut self, incident: IncidentId, lesson: &Lesson) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO postmortem_lessons (incident_id, kind, body, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(incident.0)
        .bind(lesson.kind.as_str())
        .bind(&lesson.text)
        .bind(to_db_id(lesson.by.get()))
        .bind(to_millis(lesson.created_at))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

impl Db {
    /// The action items of an incident's post-mortem, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn actions(&self, incident: IncidentId) -> Result<Vec<ActionItem>, Error> {
        let rows: Vec<(Option<String>, String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT kind, body, owner_id, created_at FROM postmortem_actions \
             WHERE incident_id = $1 ORDER BY id",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(kind, text, owner, at)| {
                Ok(ActionItem {
                    kind: kind
                        .map(|k| {
                            ActionKind::parse(&k).ok_or_else(|| corrupt(format!("action kind {k}")))
                        })
                        .transpose()?,
                    text,
                    owner: owner.map(convert::user_id).transpose()?,
                    created_at: from_millis(at)?,
                })
            })
            .collect()
    }

    /// The lessons learned of an incident's post-mortem, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn lessons(&self, incident: IncidentId) -> Result<Vec<Lesson>, Error> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT kind, body, created_by, created_at FROM postmortem_lessons \
             WHERE incident_id = $1 ORDER BY id",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(kind, text, by, at)| {
                Ok(Lesson {
                    kind: LessonKind::parse(&kind)
                        .ok_or_else(|| corrupt(format!("lesson kind {kind}")))?,
                    text,
                    by: convert::user_id(by)?,
                    created_at: from_millis(at)?,
                })
            })
            .collect()
    }
}
