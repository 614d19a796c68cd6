//! Use cases tested directly: an in-memory database, a stopped clock and a recording `Chat`, so
//! each rule is checked in milliseconds, without Discord.
#![expect(
    clippy::result_large_err,
    reason = "figment::Jail's closures must return figment::Error, which is large"
)]

mod actions;
mod alerts_button;
mod change;
mod checklists;
mod containment;
mod declare;
mod errors;
mod facts;
mod intake;
mod maintenance;
mod meeting;
mod paging;
mod postmortem;
mod reminders;
mod rights;
mod translation_drafts;

use std::path::Path;
use std::sync::Arc;

use chrono::TimeDelta;

use super::recording::{Recorded, RecordingChat};
use super::{App, ChangeArgs, ChannelCounts, DeclareArgs, Performer, PostmortemArgs};
use crate::clock::{Clock, ManualClock};
use crate::config::Settings;
use crate::domain::{
    Actor, Candidate, ChannelId, Command, IncidentKind, IncidentRole, InteractionId, RoleId,
    Severity, UserId,
};
use crate::render::Templates;
use crate::scheduler::{JobHandler, Waker};
use crate::store::{Db, IncidentRecord};
use crate::test_time::T0;

pub(super) const RESPONDER_ROLE: u64 = 20;
pub(super) const COMMANDER_ROLE: u64 = 21;
pub(super) const SECURITY_ROLE: u64 = 22;

const CONFIG: &str = r#"
[discord]
guild_id = "1"
[channels]
announcements = "10"
incident_category = "11"
archive_category = "12"
log = "13"
[roles]
responder = "20"
commander = "21"
security = "22"
[severity.P0]
page = ["20"]
escalate_to = ["21"]
[severity.P1]
page = ["20"]
escalate_to = ["21"]
[postmortem]
escalate_to = ["21"]
meeting_channel = "14"
participants = ["23"]
"#;

/// A use-case world: the app, its clock and the chat it posts through.
pub(super) struct World {
    pub app: App,
    pub clock: ManualClock,
    pub chat: Arc<RecordingChat>,
    performer: Performer,
    /// Stands for interaction ids: each change has its own origin.
    changes: std::sync::atomic::AtomicU64,
}

pub(crate) fn settings() -> Settings {
    let mut loaded = None;
    figment::Jail::expect_with(|jail| {
        jail.create_file("bot.toml", CONFIG)?;
        loaded = Some(Settings::load(Some(Path::new("bot.toml"))).map_err(|e| e.to_string())?);
        Ok(())
    });
    loaded.expect("the test config loads")
}

pub(super) fn user(n: u64) -> UserId {
    UserId::new(n).expect("non-zero")
}

/// What the person who asked reads for `err`: a refusal as `refusal.hbs` words it (without
/// its ⛔), anything else as it describes itself.
fn said(err: &super::AppError) -> String {
    match err {
        super::AppError::User(why) => Templates::load(None)
            .map_err(|p| format!("{p:?}"))
            .and_then(|t| t.refusal_in_log(why).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| e),
        other => other.to_string(),
    }
}

fn role(n: u64) -> RoleId {
    RoleId::new(n).expect("non-zero")
}

/// A member with these role numbers.
pub(super) fn actor(id: u64, roles: &[u64]) -> Actor {
    Actor {
        user: user(id),
        roles: roles.iter().map(|&r| role(r)).collect(),
    }
}

impl World {
    pub async fn new() -> Self {
        Self::with(settings(), crate::app::Pagers::default()).await
    }

    /// A world on `settings`, paging outside Discord through `pagers`.
    pub async fn with(settings: Settings, pagers: crate::app::Pagers) -> Self {
        Self::tweaked(settings, pagers, |_| {}).await
    }

    /// A world whose app `tweak` changed first (its settings, its ports).
    pub async fn tweaked(
        settings: Settings,
        pagers: crate::app::Pagers,
        tweak: impl FnOnce(&mut App),
    ) -> Self {
        let clock = ManualClock::new(T0);
        let mut app = App {
            settings: Arc::new(settings),
            db: Db::open_in_memory().await.expect("db"),
            templates: Arc::new(Templates::load(None).expect("templates")),
            clock: Arc::new(clock.clone()),
            waker: Waker::default(),
            events: tokio::sync::broadcast::channel(8).0,
            metrics: crate::metrics::Metrics::new(),
            shutdown: crate::shutdown::Shutdown::new(),
            public: crate::app::PublicChanges::default(),
            reports: Default::default(),
            alert_presses: Default::default(),
            actions: None,
            social: Vec::new(),
            pagers,
            waf: None,
            guard: None,
            metrics_source: None,
            tracker: None,
            status_hooks: None,
            public_feed: None,
        };
        tweak(&mut app);
        let chat = Arc::new(RecordingChat::default());
        let performer = Performer::new(app.clone(), chat.clone());
        Self {
            app,
            clock,
            chat,
            performer,
            changes: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Declares an incident as `by` and performs what it queued.
    pub async fn declare(
        &self,
        by: &Actor,
        severity: Severity,
        kind: IncidentKind,
    ) -> IncidentRecord {
        let args = DeclareArgs {
            detected_at: None,
            title: "Login down".into(),
            severity,
            kind,
            systems: Some("Login".into()),
            summary: None,
            eta: None,
        };
        let n = self.app.db.pending_jobs().await.expect("count") + 1;
        let interaction = InteractionId::new(n).expect("id");
        let counts = ChannelCounts {
            guild: 5,
            category: 0,
        };
        self.member(by);
        let declared = super::declare(&self.app, by, args, interaction, counts)
            .await
            .expect("declared");
        self.run_due().await;
        self.app
            .db
            .incident(declared.record.id)
            .await
            .expect("read")
            .expect("the incident")
    }

    /// Makes `who` a member of the guild the chat knows, with their roles.
    pub fn member(&self, who: &Actor) {
        self.chat.add_member(who.user, &who.roles);
    }

    /// Applies a change in the incident's channel as `by`, performing what it queued.
    pub async fn change(
        &self,
        by: &Actor,
        record: &IncidentRecord,
        args: ChangeArgs,
    ) -> Result<String, super::AppError> {
        let channel = record
            .channel_id
            .unwrap_or(ChannelId::new(1000).expect("id"));
        let n = self
            .changes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let origin = format!("test:{n}");
        self.member(by);
        let changed = super::change(&self.app, by, channel, &origin, args).await?;
        self.run_due().await;
        Ok(changed.reply)
    }

    /// Assigns `role` to `to` (a member with `roles`) as `by`.
    pub async fn assign(
        &self,
        by: &Actor,
        record: &IncidentRecord,
        role: IncidentRole,
        to: &Actor,
    ) -> Result<String, super::AppError> {
        let args = ChangeArgs {
            command: Command::Assign {
                role,
                user: to.user,
            },
            assignee: Some(Candidate {
                user: to.user,
                roles: to.roles.clone(),
                bot: false,
            }),
            translations: Default::default(),
        };
        self.change(by, record, args).await
    }

    /// Moves the clock and performs every job due by then.
    pub async fn advance(&self, by: TimeDelta) {
        self.clock.advance(by);
        self.run_due().await;
    }

    /// Performs every due job, and those they queue, as the queue would.
    pub async fn run_due(&self) {
        for _ in 0..50 {
            let jobs = self
                .app
                .db
                .claim_due_jobs(self.clock.now(), TimeDelta::minutes(5), 100, u32::MAX, "")
                .await
                .expect("claim");
            if jobs.is_empty() {
                return;
            }
            for job in jobs.jobs {
                match self.performer.perform(&job).await {
                    Ok(()) => assert!(self
                        .app
                        .db
                        .finish_job(&job, self.clock.now())
                        .await
                        .expect("finish")),
                    // A budget is spent: the job waits, as the queue would have it.
                    Err(crate::scheduler::JobError::NotYet(due)) => {
                        self.app.db.defer_job(&job, due).await.expect("defer");
                    }
                    Err(e) => panic!("{} failed: {e:?}", job.kind),
                }
            }
        }
        panic!("jobs kept queueing jobs");
    }

    /// The incident as it is stored now.
    pub async fn reload(&self, record: &IncidentRecord) -> IncidentRecord {
        self.app
            .db
            .incident(record.id)
            .await
            .expect("read")
            .expect("the incident")
    }

    pub fn recorded(&self) -> Recorded {
        self.chat.recorded()
    }
}

/// A resolved P0 whose commander is Rhea.
pub(super) async fn resolved(w: &World, rhea: &Actor) -> IncidentRecord {
    let record = w
        .declare(rhea, Severity::P0, IncidentKind::Availability)
        .await;
    w.assign(rhea, &record, IncidentRole::Commander, rhea)
        .await
        .expect("taken");
    let resolve = ChangeArgs::from(Command::Resolve {
        root_cause: crate::domain::FreeText::parse("a bad deploy").expect("text"),
        compensation: None,
        all_clear_now: true,
    });
    w.change(rhea, &record, resolve).await.expect("resolved");
    w.reload(&record).await
}

/// Runs `/postmortem` in the incident's channel as `by`, performing what it queued.
pub(super) async fn pm(
    w: &World,
    by: &Actor,
    record: &IncidentRecord,
    origin: &str,
    args: PostmortemArgs,
) {
    let channel = record.channel_id.expect("a channel");
    super::postmortem(&w.app, by, channel, origin, args)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    w.run_due().await;
}
