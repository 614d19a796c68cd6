//! The game's own maintenance mode (`[maintenance] hook`): a runbook action the bot runs with
//! `maintenance = "on"` when a window starts and `"off"` when it ends. The call is recorded
//! (`maintenance_hook_runs`, one per window and mode) in the transaction that moves the
//! window, so however many ways the bot learns of a start, the game hears it once; the job
//! ([`Effect::MaintenanceHook`]) sends it through the same [`crate::app::ports::actions`]
//! port as any run, and says in the incident's channel (or the log channel) when it failed.

use super::{on_timeline, staff_channel};
use crate::app::effects::enqueue;
use crate::app::ports::actions::{ActionCall, ActionOutcome};
use crate::app::{Effect, Performer, Target};
use crate::domain::{BotReason, RunNote, RunState, Window};
use crate::render::action_body::{ActionFacts, IncidentFacts};
use crate::render::{code_span, ActionNotice, HookFailed, HookOutcome, TemplateName, TimelineView};
use crate::scheduler::JobError;
use crate::store::{HookRun, IncidentRecord, Job, Tx};

/// Records the hook's call turning the game's maintenance `on` (or off) for `w`, and queues
/// it: nothing when no hook is configured.
pub(super) async fn queue_hook(
    app: &crate::app::App,
    tx: &mut Tx,
    w: &Window,
    on: bool,
) -> Result<(), crate::store::Error> {
    let Some(action) = &app.settings.maintenance.hook else {
        return Ok(());
    };
    let now = app.clock.now();
    let run = tx.record_hook_run(w.id, on, action, now).await?;
    let key = format!("maintenance_hook:{run}");
    enqueue(
        tx,
        &Effect::MaintenanceHook { run },
        w.incident,
        key,
        now,
        now,
    )
    .await
}

/// What the hook's templates name: the window's incident when it has one, else the window
/// itself as an incident numbered 0.
fn facts(w: &Window, record: Option<&IncidentRecord>, run: &HookRun) -> ActionFacts {
    let systems: Vec<String> = w.systems.names().map(str::to_owned).collect();
    let incident = match record {
        Some(r) => IncidentFacts {
            number: r.number.0,
            severity: r.incident.severity.to_string(),
            kind: "availability".to_owned(),
            title: r.incident.title.to_string(),
            systems_text: systems.join(", "),
            systems,
        },
        None => IncidentFacts {
            number: 0,
            severity: String::new(),
            kind: "availability".to_owned(),
            title: w.title.to_string(),
            systems_text: systems.join(", "),
            systems,
        },
    };
    ActionFacts {
        incident,
        by: "incident-bot".to_owned(),
        run_id: run.key.clone(),
        action: run.action.to_string(),
        maintenance: if run.on { "on" } else { "off" }.to_owned(),
    }
}

/// The state a call's outcome leaves it in, its status, and what it says. The bot stopping
/// before it recorded an answer leaves it unknown; its other reasons, failed.
fn settled(outcome: ActionOutcome) -> (RunState, Option<u16>, RunNote) {
    match outcome {
        ActionOutcome::Done { status, snippet } => {
            (RunState::Succeeded, Some(status), RunNote::Said(snippet))
        }
        ActionOutcome::Failed { status, what } => (RunState::Failed, status, RunNote::Said(what)),
        ActionOutcome::Unknown { what } | ActionOutcome::Later { what, .. } => {
            (RunState::Unknown, None, RunNote::Said(what))
        }
        ActionOutcome::NotSent(why @ BotReason::Interrupted) => {
            (RunState::Unknown, None, RunNote::Bot(why))
        }
        ActionOutcome::NotSent(why) => (RunState::Failed, None, RunNote::Bot(why)),
    }
}

impl Performer {
    /// Performs [`Effect::MaintenanceHook`]: sends the call `id` once (see the module's doc).
    pub(in crate::app) async fn maintenance_hook(
        &self,
        job: &Job,
        id: i64,
    ) -> Result<(), JobError> {
        let app = &self.app;
        let Some(run) = app.db.hook_run(id).await? else {
            return Ok(());
        };
        match run.state {
            RunState::Queued => {}
            RunState::Sending => {
                let outcome = ActionOutcome::NotSent(BotReason::Interrupted);
                return self.hook_finished(job, &run, outcome).await;
            }
            RunState::Succeeded | RunState::Failed | RunState::Unknown => return Ok(()),
        }
        let Some(w) = app.db.window(run.window).await? else {
            return Ok(());
        };
        if !app.db.start_hook_run(id).await? {
            return Err(JobError::retry_because(
                "the call changed while it was being taken",
            ));
        }
        let record = match w.incident {
            Some(i) => app.db.incident(i).await?,
            None => None,
        };
        let action = app.settings.actions.iter().find(|a| a.id == run.action);
        let outcome = match (action, &app.actions) {
            (Some(action), Some(runner)) => {
                let call = ActionCall {
                    action,
                    facts: facts(&w, record.as_ref(), &run),
                };
                runner.run(&call).await
            }
            (None, _) => ActionOutcome::NotSent(BotReason::NotConfigured {
                action: run.action.clone(),
            }),
            (Some(_), None) => ActionOutcome::NotSent(BotReason::NotSetUp),
        };
        if let ActionOutcome::Later { after, what } = outcome {
            app.db.requeue_hook_run(id).await?;
            return Err(JobError::Retry {
                after,
                error: anyhow::Error::msg(what),
            });
        }
        self.hook_finished(job, &run, outcome).await
    }

    /// Records what came back, puts it on the incident's timeline, and says a failure (or a
    /// missing answer) where the staff read it.
    async fn hook_finished(
        &self,
        job: &Job,
        run: &HookRun,
        outcome: ActionOutcome,
    ) -> Result<(), JobError> {
        let app = &self.app;
        let now = app.clock.now();
        let (state, status, note) = settled(outcome);
        let Some(w) = app.db.window(run.window).await? else {
            return Ok(());
        };
        let action = app.settings.actions.iter().find(|a| a.id == run.action);
        let label = action.map_or_else(|| run.action.to_string(), |a| a.label.clone());
        let mut tx = app.db.begin().await?;
        if !tx
            .finish_hook_run(run.id, state, status, &note, now)
            .await?
        {
            return Ok(());
        }
        let line = TimelineView::MaintenanceHook {
            on: run.on,
            label: label.clone(),
            outcome: match state {
                RunState::Succeeded => HookOutcome::Ran,
                RunState::Unknown => HookOutcome::Unknown,
                _ => HookOutcome::Failed,
            },
            status,
            what: note.said().unwrap_or_default().to_owned(),
            why: note.reason().cloned(),
        };
        let line = self.entry_text(&line)?;
        on_timeline(&mut tx, w.incident, None, now, line).await?;
        if state != RunState::Succeeded {
            let failed = HookFailed {
                on: run.on,
                label,
                window: w.title.to_string(),
                unknown: state == RunState::Unknown,
                status,
                what: note.said().filter(|w| !w.is_empty()).map(code_span),
                why: note.reason().cloned(),
            };
            self.say_hook_failed(&mut tx, job, &w, run.id, failed)
                .await?;
        }
        tx.commit().await?;
        app.waker.wake();
        Ok(())
    }

    /// Queues the message saying the hook did not work: in the incident's channel when the
    /// window is for one, else in the log channel (none configured: the timeline and the
    /// logs only).
    async fn say_hook_failed(
        &self,
        tx: &mut Tx,
        job: &Job,
        w: &Window,
        run: i64,
        failed: HookFailed,
    ) -> Result<(), JobError> {
        let app = &self.app;
        let to = match w.incident {
            Some(_) => Target::IncidentChannel,
            None => match staff_channel(app) {
                Some(c) => Target::Channel(c),
                None => return Ok(()),
            },
        };
        let view = ActionNotice {
            hook: Some(failed),
            ..ActionNotice::default()
        };
        let content = crate::app::render(app, TemplateName::Action, &view)
            .map_err(|e| crate::app::jobs::use_case_failed(&app.templates, e))?;
        let post = Effect::Post {
            to,
            content,
            ping_roles: vec![],
            file: None,
            buttons: vec![],
        };
        let key = format!("maintenance_hook:{run}:said@job:{}", job.id.0);
        let now = app.clock.now();
        enqueue(tx, &post, w.incident, key, now, now).await?;
        Ok(())
    }
}
