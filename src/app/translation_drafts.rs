//! The translations forms between their steps (`translations:true`), held in the database for
//! at most [`LIFETIME`] by the app's clock. In the database rather than in one process: with
//! HTTP interactions behind a load balancer, the next form or **More languages** press may
//! reach another replica than the command did, and a restart between two forms loses nothing.
//! An expired draft loses its typed text; its row stays a day, so that a late form is told
//! that its draft expired and what to do, rather than that the form is unknown.

use chrono::TimeDelta;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{App, AppError};

/// How long a draft waits for its next form. Discord's interaction tokens last 15 minutes;
/// the forms after the first open from a button, so a draft may outlive one token, not two.
pub const LIFETIME: TimeDelta = TimeDelta::minutes(30);

/// How long an expired draft is remembered as expired.
const TOMBSTONE: TimeDelta = TimeDelta::hours(24);

/// Why a draft is not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// It waited longer than [`LIFETIME`].
    Expired,
    /// No draft has this id (another version's form, or its command ran).
    Unknown,
}

/// Holds `draft` as `id` (the id of the command that opened it) from now.
pub async fn hold_draft<D: Serialize>(app: &App, id: u64, draft: &D) -> Result<(), AppError> {
    let now = app.clock.now();
    let body = serde_json::to_string(draft).map_err(anyhow::Error::from)?;
    let bounds = (now - LIFETIME, now - LIFETIME - TOMBSTONE);
    app.db
        .hold_translation_draft(id, &body, now, bounds)
        .await?;
    Ok(())
}

/// Draft `id`, if it is still held now. A draft found past its lifetime loses its text.
pub async fn held_draft<D: DeserializeOwned>(
    app: &App,
    id: u64,
) -> Result<Result<D, Gone>, AppError> {
    let Some(stored) = app.db.translation_draft(id).await? else {
        return Ok(Err(Gone::Unknown));
    };
    let Some(body) = stored.body else {
        return Ok(Err(Gone::Expired));
    };
    if stored.opened_at + LIFETIME <= app.clock.now() {
        app.db.set_translation_draft(id, None).await?;
        return Ok(Err(Gone::Expired));
    }
    let draft = serde_json::from_str(&body)
        .map_err(|e| anyhow::anyhow!("translation draft {id} does not read back: {e}"))?;
    Ok(Ok(draft))
}

/// Keeps `draft` as draft `id`'s new state, if it is still held.
pub async fn keep_draft<D: Serialize>(
    app: &App,
    id: u64,
    draft: &D,
) -> Result<Result<(), Gone>, AppError> {
    let body = serde_json::to_string(draft).map_err(anyhow::Error::from)?;
    if app.db.set_translation_draft(id, Some(&body)).await? {
        return Ok(Ok(()));
    }
    // Taken meanwhile: expired (a row without its text), or its command ran (no row).
    match app.db.translation_draft(id).await? {
        Some(_) => Ok(Err(Gone::Expired)),
        None => Ok(Err(Gone::Unknown)),
    }
}

/// Lets draft `id` go: its command ran.
pub async fn release_draft(app: &App, id: u64) -> Result<(), AppError> {
    app.db.drop_translation_draft(id).await?;
    Ok(())
}
