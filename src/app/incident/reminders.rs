//! Reminders: escalation when nobody takes command, the update cadence, phase budget nudges,
//! the fix check an hour after resolve, and the post-mortem deadline. Each is a job scheduled
//! in the transaction of the change that calls for it, under a key naming what it is about and
//! that change (or job), and cancelled in the transaction of the change that ends the need.

use chrono::{DateTime, Utc};

use super::effects::kinds;
use super::App;
use super::{Button, ButtonStyle, Effect, Outbox, Outgoing, Performer};
use crate::config::delta;
use crate::domain::{Command, Incident, Status};
use crate::domain::{IncidentRole, MessageId, Phase, RoleId, UserId};
use crate::render::{
    human, mention, role_pings, timestamp, EscalateReminder, Label, Markup, NobodyHolds,
    NudgeReminder, PostmortemDueReminder, PostmortemOverdueReminder, Reminder, TemplateName,
    UpdateDueReminder, VerifyFixReminder,
};
use crate::scheduler::JobError;
use crate::store::{IncidentRecord, Job, Postmortem, Tx};

/// The button custom id prefix of "The fix held" (the name predates the second button).
pub const FIX_HELD_BUTTON: &str = "verify_fix";

/// The button custom id prefix of "It did not hold".
pub const FIX_FAILED_BUTTON: &str = "fix_failed";

/// Schedules the reminders a new incident needs.
pub(in crate::app) async fn on_declare(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
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
) -> Result<(), crate::store::Error> {
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
) -> Result<(), crate::store::Error> {
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
) -> Result<(), crate::store::Error> {
    let phase = record.incident.phase;
    schedule_nudge_round(app, tx, outbox, record, phase, 1).await
}

/// Round 1 fires when `phase` runs out of its budget; round 2 when it has run twice as long
/// from detection, and pings `escalate_to` too.
async fn schedule_nudge_round(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    phase: Phase,
    round: u32,
) -> Result<(), crate::store::Error> {
    let i = &record.incident;
    let Some(offset) = app.phase_budgets().deadline_offset(phase) else {
        return Ok(());
    };
    let about = match round {
        1 => format!("nudge:{}", phase.key()),
        n => format!("nudge:{}:{n}", phase.key()),
    };
    let due = i.detected_at + offset * i32::try_from(round).unwrap_or(2);
    outbox
        .push_reminder(tx, Effect::PhaseNudge { phase, round }, due, &about)
        .await
}

/// Reschedules and cancels reminders after `command` changed the incident from `before`.
pub(in crate::app) async fn on_change(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    before: &Incident,
    record: &IncidentRecord,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
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
        // The budgets count from detection: a new start moves the deadline of the phase.
        Command::Edit { .. } if i.detected_at != before.detected_at && i.status == Status::Open => {
            tx.cancel_jobs(id, &[kinds::PHASE_NUDGE], now).await?;
            schedule_nudge(app, tx, outbox, record).await?;
        }
        Command::ChangeSeverity { .. } => severity_changed(app, tx, outbox, record, now).await?,
        Command::Resolve { all_clear_now, .. } => {
            tx.cancel_jobs(
                id,
                &[kinds::ESCALATE, kinds::UPDATE_DUE, kinds::PHASE_NUDGE],
                now,
            )
            .await?;
            if !all_clear_now {
                schedule_fix_check(app, tx, outbox, now).await?;
                super::error_rates::on_fix(app, tx, outbox, record, now).await?;
            }
        }
        Command::FixHeld => {
            tx.cancel_jobs(id, &[kinds::VERIFY_FIX, kinds::WATCH_ERROR_RATES], now)
                .await?;
        }
        Command::Reopen { .. } => reopened(app, tx, outbox, record, now).await?,
        Command::Close => {
            // Nothing is asked of a closed incident, the fix check included.
            tx.cancel_jobs(
                id,
                &[
                    kinds::ESCALATE,
                    kinds::UPDATE_DUE,
                    kinds::PHASE_NUDGE,
                    kinds::VERIFY_FIX,
                    kinds::WATCH_ERROR_RATES,
                ],
                now,
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}

/// The new level has its own cadence and timeout.
async fn severity_changed(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    let i = &record.incident;
    tx.cancel_jobs(record.id, &[kinds::UPDATE_DUE, kinds::ESCALATE], now)
        .await?;
    let from = i.last_update_at.unwrap_or(now).max(now);
    schedule_update_due(app, tx, outbox, record, from).await?;
    escalate_if_nobody_commands(app, tx, outbox, record, now).await
}

/// Escalation starts again from its first round while nobody holds command.
async fn escalate_if_nobody_commands(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    if record.incident.roles.commander.is_none() {
        schedule_escalation(app, tx, outbox, record, 1, now).await?;
    }
    Ok(())
}

/// Work resumes: the fix check and the post-mortem clock stop, the cadence and the phase
/// budget run again.
async fn reopened(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    let stopped = [
        kinds::VERIFY_FIX,
        kinds::WATCH_ERROR_RATES,
        kinds::POSTMORTEM_REMINDER,
        kinds::POSTMORTEM_OVERDUE,
    ];
    tx.cancel_jobs(record.id, &stopped, now).await?;
    schedule_update_due(app, tx, outbox, record, now).await?;
    schedule_nudge(app, tx, outbox, record).await?;
    escalate_if_nobody_commands(app, tx, outbox, record, now).await
}

/// Asks whether the fix held once the verification window is over.
async fn schedule_fix_check(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    from: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    let at = from + delta(app.settings.resolution.verify_after);
    outbox
        .push_reminder(tx, Effect::VerifyFix, at, "verify_fix")
        .await
}

/// Schedules the post-mortem's reminders and its overdue escalation.
pub(in crate::app) async fn schedule_postmortem(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    due: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
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

/// A reminder ready to post: what it says, whom it wakes, what it schedules next.
struct ReminderPost {
    /// The rendered message.
    content: String,
    /// The roles it pings.
    ping_roles: Vec<RoleId>,
    /// The people it pings: the one it is for.
    ping_users: Vec<UserId>,
    /// What to schedule once it is posted.
    follow_up: Option<FollowUp>,
    /// Buttons under it.
    buttons: Vec<Button>,
}

/// Who a reminder is for: the holder of an incident role, or, when nobody holds it, the
/// severity's page roles, and the reminder says so.
pub(in crate::app) struct Recipient {
    /// The people pinged.
    pub users: Vec<UserId>,
    /// The roles pinged.
    pub roles: Vec<RoleId>,
    nobody: Option<NobodyHolds>,
}

impl Recipient {
    /// The holder of `role` (for the comms lead, the commander stands in), or the severity's
    /// page roles when nobody holds it.
    pub(in crate::app) fn of(
        app: &App,
        i: &Incident,
        holder: Option<UserId>,
        role: IncidentRole,
    ) -> Self {
        match holder {
            Some(user) => Self {
                users: vec![user],
                roles: vec![],
                nobody: None,
            },
            None => {
                let roles = app.page_roles(i.kind, i.severity);
                let nobody = NobodyHolds {
                    role: role.key(),
                    paged: !roles.is_empty(),
                };
                Self {
                    users: vec![],
                    roles,
                    nobody: Some(nobody),
                }
            }
        }
    }

    /// The ping line: the person or the page roles, plus `extra` roles.
    fn ping(&self, extra: &[RoleId]) -> Option<Markup> {
        let mut roles = self.roles.clone();
        roles.extend(extra.iter().copied().filter(|r| !self.roles.contains(r)));
        let people = self.users.iter().map(|u| mention(*u).to_string());
        let roles_line = role_pings(&roles).map(|m| m.to_string());
        let line: Vec<String> = people.chain(roles_line).collect();
        (!line.is_empty()).then(|| Markup::raw(line.join(" ")))
    }

    /// The reminder's view: who it pings (`extra` roles too) and whether it says nobody
    /// holds the role; the caller sets its kind.
    pub(in crate::app) fn view(&self, extra: &[RoleId]) -> Reminder {
        Reminder {
            ping: self.ping(extra),
            nobody: self.nobody.clone(),
            ..Reminder::default()
        }
    }

    fn post(
        self,
        app: &App,
        view: Reminder,
        extra_roles: Vec<RoleId>,
        follow_up: Option<FollowUp>,
        buttons: Vec<Button>,
    ) -> Result<ReminderPost, JobError> {
        let content = app
            .templates
            .render(TemplateName::Reminder, &view)
            .map_err(|e| JobError::Fatal(e.into()))?;
        let mut ping_roles = self.roles;
        for role in extra_roles {
            if !ping_roles.contains(&role) {
                ping_roles.push(role);
            }
        }
        Ok(ReminderPost {
            content,
            ping_roles,
            ping_users: self.users,
            follow_up,
            buttons,
        })
    }
}

impl Performer {
    /// Performs a reminder job, if the incident still calls for it.
    pub(in crate::app) async fn remind(&self, job: &Job, effect: Effect) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        let Some(post) = self.reminder(&record, effect).await? else {
            return Ok(());
        };
        let channel = self.channel_of(&record).await?;
        let message = Outgoing {
            channel,
            content: post.content,
            ping_roles: post.ping_roles,
            ping_users: post.ping_users,
            nonce: job.id.0.to_string(),
            attachment: None,
            buttons: post.buttons,
            menu: None,
        };
        let posted = self.chat.post(&message).await?;
        if let Some(follow_up) = post.follow_up {
            self.follow_up(job, &record, follow_up, posted, self.app.clock.now())
                .await?;
        }
        Ok(())
    }

    /// The reminder `effect` calls for now, or `None` when the need has passed.
    async fn reminder(
        &self,
        record: &IncidentRecord,
        effect: Effect,
    ) -> Result<Option<ReminderPost>, JobError> {
        let app = &self.app;
        let now = app.clock.now();
        match effect {
            // Someone answered the page in PagerDuty: Discord stops escalating.
            Effect::EscalateCommander { .. } if app.db.page_acknowledged(record.id).await? => {
                Ok(None)
            }
            Effect::EscalateCommander { attempt } => escalate(app, record, attempt, now),
            Effect::UpdateDue => update_due(app, record, now),
            Effect::PhaseNudge { phase, round } => nudge(app, record, phase, round, now),
            Effect::VerifyFix => {
                let rates = super::error_rates::verdicts(app, record, now).await;
                verify_fix(app, record, now, rates)
            }
            Effect::PostmortemReminder { .. } | Effect::PostmortemOverdue { .. } => {
                let Some(pm) = app.db.postmortem(record.id).await? else {
                    return Ok(None);
                };
                if pm.done_at.is_some() {
                    return Ok(None);
                }
                match effect {
                    Effect::PostmortemOverdue { round } => {
                        postmortem_overdue(app, record, &pm, round, now).map(Some)
                    }
                    _ => postmortem_due(app, record, &pm).map(Some),
                }
            }
            other => Err(JobError::fatal(format!(
                "{} is not a reminder",
                other.kind()
            ))),
        }
    }

    async fn follow_up(
        &self,
        job: &Job,
        record: &IncidentRecord,
        follow_up: FollowUp,
        posted: MessageId,
        now: DateTime<Utc>,
    ) -> Result<(), JobError> {
        let app = &self.app;
        let mut tx = app.db.begin().await?;
        let origin = format!("job:{}", job.id.0);
        let mut outbox = Outbox::new(&origin, record.id, now);
        match follow_up {
            FollowUp::Escalate(attempt) => {
                schedule_escalation(app, &mut tx, &mut outbox, record, attempt, now).await
            }
            FollowUp::UpdateDue => {
                schedule_update_due(app, &mut tx, &mut outbox, record, now).await
            }
            FollowUp::Nudge(phase, round) => {
                schedule_nudge_round(app, &mut tx, &mut outbox, record, phase, round).await
            }
            FollowUp::VerifyAgain => {
                schedule_fix_check(app, &mut tx, &mut outbox, now).await?;
                super::error_rates::queue_charts(app, &mut tx, &mut outbox, record, posted, now)
                    .await
            }
            FollowUp::Overdue(round) => {
                let at = now + delta(app.settings.postmortem.overdue_every);
                let about = format!("pm_overdue:{round}");
                outbox
                    .push_reminder(&mut tx, Effect::PostmortemOverdue { round }, at, &about)
                    .await
            }
        }?;
        tx.commit().await?;
        app.waker.wake();
        Ok(())
    }
}

/// Nobody has taken command: the severity's escalation roles are told, up to
/// `[escalation] max_repeats` times.
fn escalate(
    app: &App,
    record: &IncidentRecord,
    attempt: u32,
    now: DateTime<Utc>,
) -> Result<Option<ReminderPost>, JobError> {
    let i = &record.incident;
    if i.status != Status::Open || i.roles.commander.is_some() {
        return Ok(None);
    }
    let roles = app.settings.severity.get(i.severity).escalate_to.clone();
    let nobody = Recipient {
        users: vec![],
        roles,
        nobody: None,
    };
    let view = Reminder {
        escalate: Some(EscalateReminder {
            severity: i.severity.to_string(),
            after: human(now - i.declared_at),
        }),
        ..nobody.view(&[])
    };
    let next = (attempt < app.settings.escalation.max_repeats).then_some(attempt + 1);
    nobody
        .post(app, view, vec![], next.map(FollowUp::Escalate), vec![])
        .map(Some)
}

/// The severity's update cadence ran out: the comms lead (or commander) is asked for one.
fn update_due(
    app: &App,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<Option<ReminderPost>, JobError> {
    let i = &record.incident;
    let Some(every) = app.settings.severity.get(i.severity).update_every else {
        return Ok(None);
    };
    let quiet_since = i.last_update_at.unwrap_or(i.declared_at);
    if i.status != Status::Open || now - quiet_since < delta(every) - chrono::TimeDelta::seconds(1)
    {
        return Ok(None);
    }
    let holder = i.roles.comms.or(i.roles.commander);
    let to = Recipient::of(app, i, holder, IncidentRole::Comms);
    let view = Reminder {
        update_due: Some(UpdateDueReminder {
            quiet_for: human(now - quiet_since),
            severity: i.severity.to_string(),
            every: human(delta(every)),
        }),
        ..to.view(&[])
    };
    to.post(app, view, vec![], Some(FollowUp::UpdateDue), vec![])
        .map(Some)
}

/// `phase` ran over its budget: the commander is nudged, and the second time the severity's
/// escalation roles too, as for command.
fn nudge(
    app: &App,
    record: &IncidentRecord,
    phase: Phase,
    round: u32,
    now: DateTime<Utc>,
) -> Result<Option<ReminderPost>, JobError> {
    let i = &record.incident;
    if i.status != Status::Open || i.phase != phase {
        return Ok(None);
    }
    let Some(offset) = app.phase_budgets().deadline_offset(phase) else {
        return Ok(None);
    };
    let next_step = phase
        .next()
        .and_then(|p| app.settings.checklists.first(p, i.kind, i.severity))
        .map(|step| step.text.to_string());
    let to = Recipient::of(app, i, i.roles.commander, IncidentRole::Commander);
    let escalate = if round >= 2 {
        app.settings.severity.get(i.severity).escalate_to.clone()
    } else {
        vec![]
    };
    let view = Reminder {
        nudge: Some(NudgeReminder {
            phase: phase.number(),
            over: human(now - (i.detected_at + offset)),
            budget: human(offset),
            next_checklist_step: next_step,
        }),
        ..to.view(&escalate)
    };
    let again = (round < 2).then_some(FollowUp::Nudge(phase, round + 1));
    to.post(app, view, escalate, again, vec![]).map(Some)
}

/// The verification window is over: the commander is asked whether the fix held, with a
/// button for each answer (under the error rates' verdict, when there are rates), and asked
/// again while nobody answers.
fn verify_fix(
    app: &App,
    record: &IncidentRecord,
    now: DateTime<Utc>,
    rates: super::error_rates::FixRates,
) -> Result<Option<ReminderPost>, JobError> {
    let i = &record.incident;
    if i.status != Status::Verifying {
        return Ok(None);
    }
    let to = Recipient::of(app, i, i.roles.commander, IncidentRole::Commander);
    let view = Reminder {
        verify_fix: Some(VerifyFixReminder {
            since: i.resolved_at.map_or_else(String::new, |at| human(now - at)),
            ask_again_in: human(delta(app.settings.resolution.verify_after)),
            rates: rates.rates,
            unread: rates.unread,
            no_data: rates.no_data,
        }),
        ..to.view(&[])
    };
    let buttons = vec![
        Button {
            custom_id: format!("{FIX_HELD_BUTTON}:{}", record.id),
            label: app.templates.label(&Label::FixHeld),
            style: ButtonStyle::Success,
        },
        Button {
            custom_id: format!("{FIX_FAILED_BUTTON}:{}", record.id),
            label: app.templates.label(&Label::FixFailed),
            style: ButtonStyle::Danger,
        },
    ];
    to.post(app, view, vec![], Some(FollowUp::VerifyAgain), buttons)
        .map(Some)
}

/// The post-mortem is due soon: the commander is reminded of the date and the reason.
fn postmortem_due(
    app: &App,
    record: &IncidentRecord,
    pm: &Postmortem,
) -> Result<ReminderPost, JobError> {
    let i = &record.incident;
    let to = Recipient::of(app, i, i.roles.commander, IncidentRole::Commander);
    let view = Reminder {
        postmortem_due: Some(PostmortemDueReminder {
            number: record.number.0,
            due_at: timestamp(pm.due_at),
            reason: app
                .templates
                .postmortem_reason(&pm.reason)
                .map_err(|e| JobError::Fatal(e.into()))?,
        }),
        ..to.view(&[])
    };
    to.post(app, view, vec![], None, vec![])
}

/// The post-mortem is overdue: the commander and `[postmortem] escalate_to` are told, again
/// every `overdue_every`.
fn postmortem_overdue(
    app: &App,
    record: &IncidentRecord,
    pm: &Postmortem,
    round: u32,
    now: DateTime<Utc>,
) -> Result<ReminderPost, JobError> {
    let i = &record.incident;
    let to = Recipient::of(app, i, i.roles.commander, IncidentRole::Commander);
    let escalate = app.settings.postmortem.escalate_to.clone();
    let view = Reminder {
        postmortem_overdue: Some(PostmortemOverdueReminder {
            number: record.number.0,
            over: human(now - pm.due_at),
            due_at: timestamp(pm.due_at),
        }),
        ..to.view(&escalate)
    };
    let next = Some(FollowUp::Overdue(round + 1));
    to.post(app, view, escalate, next, vec![])
}

/// What a reminder schedules after it fired.
enum FollowUp {
    Escalate(u32),
    UpdateDue,
    Overdue(u32),
    /// The next overrun nudge of a phase, and which round it is.
    Nudge(Phase, u32),
    /// The fix check again, while nobody answered it.
    VerifyAgain,
}
