//! The job that sends one run of an action and records what came back. The run is moved to
//! `sending` (committed) before the call; a job that finds it there was preceded by an attempt
//! that may have sent it and never recorded an answer, and asks the channel instead of sending.

use std::time::Instant;

use super::answers::question_buttons;
use super::{bound_steps, target};
use crate::app::jobs::Performer;
use crate::app::ports::actions::{ActionCall, ActionOutcome};
use crate::app::{Effect, Outbox, Target};
use crate::domain::{BotReason, EntryKind, RunNote, RunState, RunbookAction, Tick, TimelineEntry};
use crate::render::action_body::{ActionFacts, IncidentFacts};
use crate::render::{
    mention, ActionFinished, ActionNotice, ActionUnknown, TemplateName, TimelineView,
};
use crate::scheduler::JobError;
use crate::store::{ActionRun, IncidentRecord, Job};

/// What a finished call recorded.
struct Finished<'a> {
    ok: bool,
    status: Option<u16>,
    note: RunNote,
    took: std::time::Duration,
    action: Option<&'a RunbookAction>,
}

/// What the templates of a run name.
fn facts(record: &IncidentRecord, run: &ActionRun) -> ActionFacts {
    let i = &record.incident;
    let systems: Vec<String> = i.systems.names().map(str::to_owned).collect();
    ActionFacts {
        incident: IncidentFacts {
            number: record.number.0,
            severity: i.severity.to_string(),
            kind: match i.kind {
                crate::domain::IncidentKind::Availability => "availability",
                crate::domain::IncidentKind::Security => "security",
            }
            .to_owned(),
            title: i.title.to_string(),
            systems_text: systems.join(", "),
            systems,
        },
        by: run.by_name.clone(),
        run_id: run.key.clone(),
        action: run.action.to_string(),
        maintenance: String::new(),
    }
}

impl Performer {
    /// Sends the run `id`, once: see the module's doc.
    pub(in crate::app) async fn run_action(&self, job: &Job, id: i64) -> Result<(), JobError> {
        let app = &self.app;
        let run = app
            .db
            .action_run(id)
            .await?
            .ok_or_else(|| JobError::fatal(format!("action run {id} does not exist")))?;
        match run.state {
            RunState::Queued => {}
            RunState::Sending => {
                let why = RunNote::Bot(BotReason::Interrupted);
                return self.action_unknown(job, &run, &why).await;
            }
            RunState::Succeeded | RunState::Failed | RunState::Unknown => return Ok(()),
        }
        if !app.db.start_action_run(id, app.clock.now()).await? {
            return Err(JobError::retry_because(
                "the run changed while it was being taken",
            ));
        }
        let record = self.incident(job).await?;
        let action = app.settings.actions.iter().find(|a| a.id == run.action);
        let started = Instant::now();
        let outcome = match (action, &app.actions) {
            (Some(action), Some(runner)) => {
                let call = ActionCall {
                    action,
                    facts: facts(&record, &run),
                };
                runner.run(&call).await
            }
            (None, _) => ActionOutcome::NotSent(BotReason::NotConfigured {
                action: run.action.clone(),
            }),
            (Some(_), None) => ActionOutcome::NotSent(BotReason::NotSetUp),
        };
        let took = started.elapsed();
        let (ok, status, note) = match outcome {
            ActionOutcome::Later { after, what } => {
                app.db.requeue_action_run(id).await?;
                return Err(JobError::Retry {
                    after,
                    error: anyhow::Error::msg(what),
                });
            }
            ActionOutcome::Unknown { what } => {
                return self.action_unknown(job, &run, &RunNote::Said(what)).await
            }
            ActionOutcome::Done { status, snippet } => (true, Some(status), RunNote::Said(snippet)),
            ActionOutcome::Failed { status, what } => (false, status, RunNote::Said(what)),
            ActionOutcome::NotSent(why) => (false, None, RunNote::Bot(why)),
        };
        let done = Finished {
            ok,
            status,
            note,
            took,
            action,
        };
        self.action_finished(job, &record, &run, done).await
    }

    /// Records what came back, ticks the bound steps on success, and says it in the channel.
    async fn action_finished(
        &self,
        job: &Job,
        record: &IncidentRecord,
        run: &ActionRun,
        done: Finished<'_>,
    ) -> Result<(), JobError> {
        let app = &self.app;
        let now = app.clock.now();
        let state = if done.ok {
            RunState::Succeeded
        } else {
            RunState::Failed
        };
        let label = done
            .action
            .map_or_else(|| run.action.to_string(), |a| a.label.clone());
        let mut tx = app.db.begin().await?;
        if !tx
            .finish_action_run(run.id, state, done.status, &done.note, now)
            .await?
        {
            return Ok(());
        }
        let mut ticked = None;
        if done.ok {
            for (phase, item) in bound_steps(app, record.incident.kind, &run.action) {
                let tick = Tick {
                    phase,
                    step: item.id.clone(),
                    text: item.text.to_string(),
                    by: run.by,
                    at: now,
                };
                if tx.tick(record.id, &tick).await? {
                    ticked.get_or_insert_with(|| item.text.to_string());
                }
            }
        }
        let duration = format!("{:.1}s", done.took.as_secs_f64());
        let said = done.note.said().filter(|w| !w.is_empty());
        let text = TimelineView::ActionFinished {
            ok: done.ok,
            label: label.clone(),
            status: done.status,
            duration: duration.clone(),
            what: said.map(str::to_owned),
            why: done.note.reason().cloned(),
        };
        let text = crate::app::render(app, TemplateName::Timeline, &text)
            .map_err(|e| crate::app::jobs::use_case_failed(&app.templates, e))?;
        let entry = TimelineEntry {
            actor: None,
            ..TimelineEntry::by(run.by, now, EntryKind::Action, text)
        };
        tx.append_timeline(record.id, &[entry]).await?;
        let view = ActionNotice {
            finished: Some(ActionFinished {
                ok: done.ok,
                label,
                by: mention(run.by),
                status: done.status,
                duration,
                ticked,
                snippet: said.map(crate::render::code_span),
                why: done.note.reason().cloned(),
            }),
            ..ActionNotice::default()
        };
        let content = crate::app::render(app, TemplateName::Action, &view)
            .map_err(|e| crate::app::jobs::use_case_failed(&app.templates, e))?;
        self.say_about_run(&mut tx, job, record, content, vec![])
            .await?;
        tx.commit().await?;
        app.waker.wake();
        Ok(())
    }

    /// The run was sent and no answer was recorded: asks the channel whether it ran.
    async fn action_unknown(
        &self,
        job: &Job,
        run: &ActionRun,
        note: &RunNote,
    ) -> Result<(), JobError> {
        let app = &self.app;
        let record = self.incident(job).await?;
        let now = app.clock.now();
        let action = app.settings.actions.iter().find(|a| a.id == run.action);
        let label = action.map_or_else(|| run.action.to_string(), |a| a.label.clone());
        let mut tx = app.db.begin().await?;
        if !tx
            .finish_action_run(run.id, RunState::Unknown, None, note, now)
            .await?
        {
            return Ok(());
        }
        let what = note.said().unwrap_or_default().to_owned();
        let text = TimelineView::ActionUnknown {
            label: label.clone(),
            what: what.clone(),
            why: note.reason().cloned(),
        };
        let text = crate::app::render(app, TemplateName::Timeline, &text)
            .map_err(|e| crate::app::jobs::use_case_failed(&app.templates, e))?;
        let entry = TimelineEntry {
            actor: None,
            ..TimelineEntry::by(run.by, now, EntryKind::Action, text)
        };
        tx.append_timeline(record.id, &[entry]).await?;
        let view = ActionNotice {
            unknown: Some(ActionUnknown {
                label,
                target: action.map(target),
                what,
                why: note.reason().cloned(),
                run_id: run.key.clone(),
            }),
            ..ActionNotice::default()
        };
        let content = crate::app::render(app, TemplateName::Action, &view)
            .map_err(|e| crate::app::jobs::use_case_failed(&app.templates, e))?;
        let buttons = question_buttons(&app.templates, run.id);
        self.say_about_run(&mut tx, job, &record, content, buttons)
            .await?;
        tx.commit().await?;
        app.waker.wake();
        Ok(())
    }

    async fn say_about_run(
        &self,
        tx: &mut crate::store::Tx,
        job: &Job,
        record: &IncidentRecord,
        content: String,
        buttons: Vec<crate::app::Button>,
    ) -> Result<(), JobError> {
        let origin = format!("job:{}", job.id.0);
        let mut outbox = Outbox::new(&origin, record.id, self.app.clock.now());
        let post = Effect::Post {
            to: Target::IncidentChannel,
            content,
            ping_roles: vec![],
            file: None,
            buttons,
        };
        outbox.push(tx, post).await?;
        Ok(())
    }
}
