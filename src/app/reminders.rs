//! Reminders: escalation when nobody takes command, the update cadence, phase budget nudges,
//! the fix check an hour after resolve, and the post-mortem deadline. Each is a job scheduled
//! in the transaction of the change that calls for it, under a key naming what it is about and
//! that change (or job), and cancelled in the transaction of the change that ends the need.

use chrono::{DateTime, Utc};

use super::effects::kinds;
use super::perform::internal;
use super::{Button, Effect, Outbox, Outgoing, Performer};
use crate::config::delta;
use crate::domain::{Command, Incident, Status};
use crate::render::{human, mention, role_pings, Markup, Reminder, TemplateName};
use crate::scheduler::JobError;
use crate::startup::App;
use crate::store::{IncidentRecord, Job, Tx};

/// The button custom id prefix of "the fix held".
pub const VERIFY_BUTTON: &str = "verify_fix";

/// Schedules the reminders a new incident needs.
pub(super) async fn on_declare(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    schedule_escalation(app, tx, outbox, record, 1, now).await?;
    schedule_update_due(app, tx, outbox, record, now).await?;
    schedule_nudge(app, tx, outbox, record).await
}

async fn schedule_escalation(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    attempt: u32,
    from: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let Some(timeout) = app
        .settings
        .severity
        .get(record.incident.severity)
        .commander_timeout
    else {
        return Ok(());
    };
    let about = format!("escalate:{}:{attempt}", record.incident.severity);
    outbox
        .push_reminder(
            tx,
            Effect::EscalateCommander { attempt },
            from + delta(timeout),
            &about,
        )
        .await
}

async fn schedule_update_due(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    from: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let Some(every) = app
        .settings
        .severity
        .get(record.incident.severity)
        .update_every
    else {
        return Ok(());
    };
    outbox
        .push_reminder(tx, Effect::UpdateDue, from + delta(every), "update_due")
        .await
}

async fn schedule_nudge(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
) -> Result<(), sqlx::Error> {
    let i = &record.incident;
    let Some(offset) = app.phase_budgets().deadline_offset(i.phase) else {
        return Ok(());
    };
    let about = format!("nudge:{}", i.phase.key());
    outbox
        .push_reminder(
            tx,
            Effect::PhaseNudge { phase: i.phase },
            i.declared_at + offset,
            &about,
        )
        .await
}

/// Reschedules and cancels reminders after `command` changed the incident from `before`.
pub(super) async fn on_change(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    before: &Incident,
    record: &IncidentRecord,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let id = record.id;
    let i = &record.incident;
    match command {
        Command::Assign { .. }
            if i.roles.commander.is_some() && before.roles.commander.is_none() =>
        {
            tx.cancel_jobs(id, &[kinds::ESCALATE], now).await?;
        }
        Command::Update { .. } if i.status == Status::Open => {
            tx.cancel_jobs(id, &[kinds::UPDATE_DUE], now).await?;
            schedule_update_due(app, tx, outbox, record, now).await?;
        }
        Command::AdvancePhase { .. } => {
            tx.cancel_jobs(id, &[kinds::PHASE_NUDGE], now).await?;
            schedule_nudge(app, tx, outbox, record).await?;
        }
        Command::ChangeSeverity { .. } => {
            // The new level has its own cadence and timeout.
            tx.cancel_jobs(id, &[kinds::UPDATE_DUE, kinds::ESCALATE], now)
                .await?;
            schedule_update_due(
                app,
                tx,
                outbox,
                record,
                i.last_update_at.unwrap_or(now).max(now),
            )
            .await?;
            if i.roles.commander.is_none() {
                schedule_escalation(app, tx, outbox, record, 1, now).await?;
            }
        }
        Command::Resolve { .. } => {
            tx.cancel_jobs(
                id,
                &[kinds::ESCALATE, kinds::UPDATE_DUE, kinds::PHASE_NUDGE],
                now,
            )
            .await?;
            outbox
                .push_reminder(
                    tx,
                    Effect::VerifyFix,
                    now + delta(app.settings.resolution.verify_after),
                    "verify_fix",
                )
                .await?;
        }
        Command::Close => {
            // Nothing is asked of a closed incident, the fix check included.
            tx.cancel_jobs(
                id,
                &[
                    kinds::ESCALATE,
                    kinds::UPDATE_DUE,
                    kinds::PHASE_NUDGE,
                    kinds::VERIFY_FIX,
                ],
                now,
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Schedules the post-mortem's reminders and its overdue escalation.
pub(super) async fn schedule_postmortem(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    due: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for before in &app.settings.postmortem.remind_before {
        let about = format!("pm_remind:{}", before.as_secs());
        outbox
            .push_reminder(
                tx,
                Effect::PostmortemReminder {
                    before_secs: before.as_secs(),
                },
                due - delta(*before),
                &about,
            )
            .await?;
    }
    outbox
        .push_reminder(
            tx,
            Effect::PostmortemOverdue { round: 1 },
            due,
            "pm_overdue:1",
        )
        .await
}

fn reminder(app: &App, view: &Reminder) -> Result<String, JobError> {
    app.templates
        .render(TemplateName::Reminder, view)
        .map_err(|e| JobError::Fatal(e.to_string()))
}

impl Performer {
    /// Performs a reminder job, if the incident still calls for it.
    pub(super) async fn remind(&self, job: &Job, effect: Effect) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        let i = &record.incident;
        let app = &self.app;
        let now = app.clock.now();
        let open = i.status == Status::Open;
        let who = i.roles.comms.or(i.roles.commander).map(mention);
        let (content, ping, follow_up, button) = match effect {
            Effect::EscalateCommander { attempt } => {
                if !open || i.roles.commander.is_some() {
                    return Ok(());
                }
                let roles = app.settings.severity.get(i.severity).escalate_to.clone();
                let view = Reminder {
                    ping: role_pings(&roles),
                    headline: Markup::raw(format!(
                        "Nobody has taken command of this {} incident after {}",
                        i.severity,
                        human(now - i.declared_at)
                    )),
                    body: Markup::raw("An incident without a commander drifts."),
                    next_step: Some(Markup::raw(
                        "take it with `/incident assign role:commander`",
                    )),
                };
                let next = (attempt < app.settings.escalation.max_repeats).then_some(attempt + 1);
                (
                    reminder(app, &view)?,
                    roles,
                    next.map(FollowUp::Escalate),
                    None,
                )
            }
            Effect::UpdateDue => {
                let Some(every) = app.settings.severity.get(i.severity).update_every else {
                    return Ok(());
                };
                let quiet_since = i.last_update_at.unwrap_or(i.declared_at);
                if !open || now - quiet_since < delta(every) - chrono::TimeDelta::seconds(1) {
                    return Ok(());
                }
                let view = Reminder {
                    ping: None,
                    headline: Markup::raw(format!("No update for {}", human(now - quiet_since))),
                    body: Markup::raw(format!(
                        "{} the {} cadence is an update every {}.",
                        who.map(|w| format!("{w}:")).unwrap_or_default(),
                        i.severity,
                        human(delta(every))
                    )),
                    next_step: Some(Markup::raw(
                        "post one with `/incident update` (add `public:true` to tell players)",
                    )),
                };
                (
                    reminder(app, &view)?,
                    vec![],
                    Some(FollowUp::UpdateDue),
                    None,
                )
            }
            Effect::PhaseNudge { phase } => {
                if !open || i.phase != phase {
                    return Ok(());
                }
                let Some(offset) = app.phase_budgets().deadline_offset(phase) else {
                    return Ok(());
                };
                let over = now - (i.declared_at + offset);
                let next = phase
                    .next()
                    .and_then(|p| p.checklist(i.kind).first().copied())
                    .map_or_else(
                        || Markup::raw("resolve with `/incident resolve`"),
                        Markup::text,
                    );
                let view = Reminder {
                    ping: None,
                    headline: Markup::raw(format!("{phase} is over its budget by {}", human(over))),
                    body: Markup::raw(format!(
                        "The plan gives it until {} after declaration.",
                        human(offset)
                    )),
                    next_step: Some(next),
                };
                (reminder(app, &view)?, vec![], None, None)
            }
            Effect::VerifyFix => {
                let view = Reminder {
                    ping: None,
                    headline: Markup::raw(format!(
                        "{} since resolve: did the fix hold?",
                        human(delta(app.settings.resolution.verify_after))
                    )),
                    body: Markup::raw("Check the error rates and the user reports."),
                    next_step: Some(Markup::raw(
                        "press the button once they are normal; it goes on the timeline",
                    )),
                };
                let button = Button {
                    custom_id: format!("{VERIFY_BUTTON}:{}", record.id),
                    label: "The fix held".to_owned(),
                };
                (reminder(app, &view)?, vec![], None, Some(button))
            }
            Effect::PostmortemReminder { .. } | Effect::PostmortemOverdue { .. } => {
                let Some(pm) = app.db.postmortem(record.id).await.map_err(internal)? else {
                    return Ok(());
                };
                if pm.done_at.is_some() {
                    return Ok(());
                }
                let commander = i
                    .roles
                    .commander
                    .map_or_else(|| Markup::raw("Commander"), mention);
                if let Effect::PostmortemOverdue { round } = effect {
                    let roles = app.settings.postmortem.escalate_to.clone();
                    let view = Reminder {
                        ping: role_pings(&roles),
                        headline: Markup::raw(format!(
                            "The post-mortem of incident #{} is overdue by {}",
                            record.number,
                            human(now - pm.due_at)
                        )),
                        body: Markup::raw(format!(
                            "{commander}: it was due {}.",
                            crate::render::timestamp(pm.due_at)
                        )),
                        next_step: Some(Markup::raw(
                            "draft it with `/postmortem draft`, then `/postmortem done link:<url>`",
                        )),
                    };
                    (
                        reminder(app, &view)?,
                        roles,
                        Some(FollowUp::Overdue(round + 1)),
                        None,
                    )
                } else {
                    let view = Reminder {
                        ping: None,
                        headline: Markup::raw(format!(
                            "The post-mortem of incident #{} is due {}",
                            record.number,
                            crate::render::relative(pm.due_at)
                        )),
                        body: commander.raw_then(": ").text_then(&pm.reason).raw_then("."),
                        next_step: Some(Markup::raw("draft it with `/postmortem draft`")),
                    };
                    (reminder(app, &view)?, vec![], None, None)
                }
            }
            other => {
                return Err(JobError::Fatal(format!(
                    "{} is not a reminder",
                    other.kind()
                )))
            }
        };
        let channel = self.channel_of(&record)?;
        let message = Outgoing {
            channel,
            content,
            ping_roles: ping,
            nonce: job.id.0.to_string(),
            attachment: None,
            button,
        };
        self.chat.post(&message).await?;
        if let Some(follow_up) = follow_up {
            self.follow_up(job, &record, follow_up, now).await?;
        }
        Ok(())
    }

    async fn follow_up(
        &self,
        job: &Job,
        record: &IncidentRecord,
        follow_up: FollowUp,
        now: DateTime<Utc>,
    ) -> Result<(), JobError> {
        let app = &self.app;
        let mut tx = app.db.begin().await.map_err(internal)?;
        let origin = format!("job:{}", job.id.0);
        let mut outbox = Outbox::new(&origin, record.id, now);
        match follow_up {
            FollowUp::Escalate(attempt) => {
                schedule_escalation(app, &mut tx, &mut outbox, record, attempt, now).await
            }
            FollowUp::UpdateDue => {
                schedule_update_due(app, &mut tx, &mut outbox, record, now).await
            }
            FollowUp::Overdue(round) => {
                let at = now + delta(app.settings.postmortem.overdue_every);
                let about = format!("pm_overdue:{round}");
                outbox
                    .push_reminder(&mut tx, Effect::PostmortemOverdue { round }, at, &about)
                    .await
            }
        }
        .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        app.waker.wake();
        Ok(())
    }
}

/// What a reminder schedules after it fired.
enum FollowUp {
    Escalate(u32),
    UpdateDue,
    Overdue(u32),
}
