//! The jobs behind `/incident lockdown` and `/incident unlock`. What was there before is read
//! and recorded before each change (the guild's pauses, each channel's slow-mode), so a retry
//! never records the lockdown's own values as "before"; the pauses are re-armed before
//! Discord's 24 hours lapse while the lockdown is meant to hold.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::{Effect, Outbox, Performer};
use crate::app::{Pauses, ServerGuard, MAX_PAUSE};
use crate::render::{
    channel_link, full_date, mention, timestamp, LockdownLifted, LockdownSet, TimelineView,
};
use crate::scheduler::JobError;
use crate::store::{Job, Lockdown};

/// Lockdown jobs one at a time: each reads the guild's pauses, then writes both.
const LOCK: &str = "lockdown";

/// How long before a pause lapses it is re-armed.
const REARM_AHEAD: TimeDelta = TimeDelta::hours(1);

/// The pause to send for one field: the lockdown's end, capped at Discord's 24 h, while it
/// holds; the field as it is now when the lockdown does not pause it.
fn pause(
    asked: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    current: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    match asked {
        Some(until) if until > now => Some(until.min(now + MAX_PAUSE)),
        Some(_) => None,
        None => current,
    }
}

impl Performer {
    fn guard(&self) -> Result<Arc<dyn ServerGuard>, JobError> {
        self.app
            .guard
            .clone()
            .ok_or_else(|| JobError::fatal("this process cannot change the server"))
    }

    async fn the_lockdown(&self, id: i64) -> Result<Lockdown, JobError> {
        self.app
            .db
            .lockdown(id)
            .await?
            .ok_or_else(|| JobError::fatal(format!("lockdown {id} does not exist")))
    }

    /// Sets the pauses `l` asks for, keeping the field it does not pause as it is; records
    /// the pauses as they were before, first, once. Queues the re-arm a longer one needs.
    async fn arm(&self, job: &Job, l: &Lockdown) -> Result<(), JobError> {
        if l.asked.invites_until.is_none() && l.asked.dms_until.is_none() {
            return Ok(());
        }
        let guard = self.guard()?;
        let current = guard.pauses().await?;
        if l.before.is_none() {
            let mut tx = self.app.db.begin().await?;
            tx.set_lockdown_before(l.id, current.invites_until, current.dms_until)
                .await?;
            tx.commit().await?;
        }
        let now = self.app.clock.now();
        let want = Pauses {
            invites_until: pause(l.asked.invites_until, now, current.invites_until),
            dms_until: pause(l.asked.dms_until, now, current.dms_until),
        };
        guard.set_pauses(&want).await?;
        let ends = [l.asked.invites_until, l.asked.dms_until];
        if ends.iter().flatten().any(|end| *end > now + MAX_PAUSE) {
            let origin = format!("job:{}", job.id.0);
            let mut outbox = Outbox::new(&origin, l.incident, now);
            let effect = Effect::LockdownRearm { lockdown: l.id };
            let mut tx = self.app.db.begin().await?;
            outbox
                .push_at(&mut tx, effect, now + MAX_PAUSE - REARM_AHEAD)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// [`Effect::Lockdown`].
    pub(in crate::app) async fn lock_down(&self, job: &Job, id: i64) -> Result<(), JobError> {
        let guard = self.guard()?;
        let _one = self.one_at_a_time(LOCK).await?;
        let l = self.the_lockdown(id).await?;
        if !l.in_force() || l.set_at.is_some() {
            return Ok(());
        }
        let record = self.incident(job).await?;
        self.arm(job, &l).await?;
        let seconds = l.asked.slowmode.unwrap_or(0);
        for c in l.channels.iter().filter(|c| c.set_at.is_none()) {
            if c.previous.is_none() {
                let previous = guard.slowmode(c.channel).await?;
                let mut tx = self.app.db.begin().await?;
                tx.set_channel_previous(id, c.channel, previous).await?;
                tx.commit().await?;
            }
            guard.set_slowmode(c.channel, seconds).await?;
            let mut tx = self.app.db.begin().await?;
            tx.set_channel_time(id, c.channel, false, self.app.clock.now())
                .await?;
            tx.commit().await?;
        }
        let mut tx = self.app.db.begin().await?;
        tx.set_lockdown_time(id, false, self.app.clock.now())
            .await?;
        tx.commit().await?;
        let text = self.entry_text(&TimelineView::LockedDown {
            invites_until: l.asked.invites_until.map(full_date),
            dms_until: l.asked.dms_until.map(full_date),
            slowmode: seconds.into(),
            channels: l.channels.len(),
        })?;
        let view = LockdownSet {
            by: mention(l.asked.by),
            invites_until: l.asked.invites_until.map(timestamp),
            dms_until: l.asked.dms_until.map(timestamp),
            slowmode: l.asked.slowmode.map(|s| {
                humantime::format_duration(std::time::Duration::from_secs(s.into())).to_string()
            }),
            channels: l.channels.iter().map(|c| channel_link(c.channel)).collect(),
        };
        self.tell(job, &record, Some(l.asked.by), text, view.into())
            .await
    }

    /// [`Effect::LockdownRearm`]: the pauses again, before Discord's 24 h lapse.
    pub(in crate::app) async fn rearm(&self, job: &Job, id: i64) -> Result<(), JobError> {
        let _one = self.one_at_a_time(LOCK).await?;
        let l = self.the_lockdown(id).await?;
        if !l.in_force() {
            return Ok(());
        }
        self.arm(job, &l).await
    }

    /// [`Effect::Unlock`]: puts back what was there before the lockdown.
    pub(in crate::app) async fn unlock(&self, job: &Job, id: i64) -> Result<(), JobError> {
        let guard = self.guard()?;
        let _one = self.one_at_a_time(LOCK).await?;
        let l = self.the_lockdown(id).await?;
        let Some((_, by)) = l.lift_asked else {
            return Ok(());
        };
        if l.lifted_at.is_some() {
            return Ok(());
        }
        let record = self.incident(job).await?;
        let now = self.app.clock.now();
        let paused = (l.asked.invites_until.is_some(), l.asked.dms_until.is_some());
        if paused.0 || paused.1 {
            let current = guard.pauses().await?;
            let (inv, dms) = l.before.unwrap_or((None, None));
            // A pause someone had set before the lockdown comes back, if it still runs.
            let back = |was: Option<DateTime<Utc>>| was.filter(|t| *t > now);
            let want = Pauses {
                invites_until: if paused.0 {
                    back(inv)
                } else {
                    current.invites_until
                },
                dms_until: if paused.1 {
                    back(dms)
                } else {
                    current.dms_until
                },
            };
            guard.set_pauses(&want).await?;
        }
        let mut restored = Vec::new();
        for c in l.channels.iter().filter(|c| c.restored_at.is_none()) {
            if let Some(previous) = c.previous {
                guard.set_slowmode(c.channel, previous).await?;
                restored.push(channel_link(c.channel));
            }
            let mut tx = self.app.db.begin().await?;
            tx.set_channel_time(id, c.channel, true, self.app.clock.now())
                .await?;
            tx.commit().await?;
        }
        let mut tx = self.app.db.begin().await?;
        tx.set_lockdown_time(id, true, self.app.clock.now()).await?;
        tx.commit().await?;
        let view = LockdownLifted {
            by: mention(by),
            invites: paused.0,
            dms: paused.1,
            channels: restored,
        };
        let text = self.entry_text(&TimelineView::LockdownLifted)?;
        self.tell(job, &record, Some(by), text, view.into()).await
    }
}
