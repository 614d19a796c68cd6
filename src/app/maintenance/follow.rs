//! The window follows its Discord event: Discord starts and completes an EXTERNAL event
//! itself at its times, and says so with `GUILD_SCHEDULED_EVENT_UPDATE`. A job at the start
//! and at the end ([`Effect::WindowDue`]) catches an update the bot missed, and moves the
//! window on by the clock when Discord is late or the event is gone.

use chrono::TimeDelta;

use super::{on_timeline, queue};
use crate::app::{App, AppError, Effect, Performer};
use crate::domain::{EventId, EventStatus, Window, WindowStatus};
use crate::scheduler::JobError;
use crate::store::{Job, Tx};

/// How long after its time the bot waits for Discord to start or complete an event before it
/// does so itself.
pub const GRACE: TimeDelta = TimeDelta::minutes(2);

/// How often a due window whose event lags is looked at again.
const LOOK_AGAIN: TimeDelta = TimeDelta::seconds(30);

/// The event `event` changed status on Discord: its window, if it has one, follows.
pub async fn event_changed(app: &App, event: EventId, status: EventStatus) -> Result<(), AppError> {
    let mut tx = app.db.begin().await?;
    let Some(mut w) = tx.window_of_event(event).await? else {
        return Ok(());
    };
    if let Some(next) = w.follow(status) {
        apply(app, &mut tx, &mut w, next).await?;
        tx.commit().await?;
        app.waker.wake();
        app.public.changed();
    }
    Ok(())
}

/// Moves `w` on to `next`, and queues the post that tells players: once per window and stage,
/// however many ways the bot learns of it (the gateway, the due job).
async fn apply(
    app: &App,
    tx: &mut Tx,
    w: &mut Window,
    next: WindowStatus,
) -> Result<(), crate::store::Error> {
    let now = app.clock.now();
    let stage = match next {
        WindowStatus::InProgress => {
            w.begin(now);
            "started"
        }
        WindowStatus::Completed => {
            w.begin(now);
            w.finish(now);
            "ended"
        }
        WindowStatus::Cancelled => {
            // Only a scheduled window follows a cancelled event; a refusal changes nothing.
            let _ = w.cancel(now);
            "cancelled"
        }
        WindowStatus::Scheduled => return Ok(()),
    };
    tx.save_window(w).await?;
    match next {
        WindowStatus::InProgress => super::hook::queue_hook(app, tx, w, true).await?,
        WindowStatus::Completed => super::hook::queue_hook(app, tx, w, false).await?,
        _ => {}
    }
    let effect = Effect::AnnounceWindow {
        window: w.id,
        stage: stage.to_owned(),
    };
    queue(
        app,
        tx,
        effect,
        &format!("mw:{}:{stage}", w.id),
        "event",
        now,
    )
    .await?;
    // A template that does not render is a fault like the database's: the change waits.
    let said = super::entry_text(app, stage, w, None).map_err(crate::store::Error::other)?;
    on_timeline(tx, w.incident, None, now, said).await?;
    crate::app::status_hooks::on_window(app, tx, w.id, now).await?;
    tx.public_changed().await
}

impl Performer {
    /// Performs [`Effect::WindowDue`]: at a window's start or end, makes sure it moved on.
    pub(in crate::app) async fn window_due(&self, job: &Job, id: i64) -> Result<(), JobError> {
        let app = &self.app;
        let Some(w) = app.db.window(id).await? else {
            return Ok(());
        };
        let now = app.clock.now();
        let (due, at) = if now >= w.end {
            (WindowStatus::Completed, w.end)
        } else if now >= w.start {
            (WindowStatus::InProgress, w.start)
        } else {
            // Moved later: the move queued its own checks.
            return Ok(());
        };
        if w.status.is_over() || w.status == due {
            return Ok(());
        }
        let event = match w.event {
            Some(e) => self.chat.meeting(e).await?.map(|m| m.status),
            None => None,
        };
        let next = match event.and_then(|s| w.follow(s)) {
            Some(next) => next,
            // Discord has not moved it yet: wait a little, then move on by the clock.
            None if event.is_some() && now < at + GRACE => {
                return Err(JobError::NotYet(now + LOOK_AGAIN));
            }
            None => due,
        };
        let mut tx = app.db.begin().await?;
        let Some(mut w) = tx.window(id).await? else {
            return Ok(());
        };
        if w.status != next && !w.status.is_over() {
            apply(app, &mut tx, &mut w, next).await?;
            if event.is_some_and(|s| s != next.event_status()) {
                // The event lags behind: it is brought along.
                let origin = format!("job:{}", job.id.0);
                let sync = Effect::SyncWindow {
                    window: id,
                    stage: None,
                };
                queue(app, &mut tx, sync, &format!("mw:{id}:sync"), &origin, now).await?;
            }
            tx.commit().await?;
            app.waker.wake();
            app.public.changed();
        }
        Ok(())
    }
}
