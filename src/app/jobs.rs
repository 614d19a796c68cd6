//! Performs queued effects through the [`Chat`] port. Every step is safe to repeat: channels
//! are looked up before they are created (`super::channel`), and every post carries its job id
//! as a nonce.

use std::sync::Arc;

use chrono::TimeDelta;

use super::{App, AppError};
use super::{Attachment, Chat, ChatError, Effect, Outbox, Outgoing, Target, TimedChat};
use crate::clock::BoxFuture;
use crate::domain::ChannelId;
use crate::render::{JobFailedLog, LogPost, Markup, TemplateName, Templates};
use crate::scheduler::{JobError, JobHandler};
use crate::store::{IncidentRecord, Job, JobFailure};

/// How a job that needs the incident's channel is given up when the channel could not be
/// opened: with this, then why.
pub(super) const NO_CHANNEL: &str = "the incident's channel could not be opened";

/// Publishes allowed per announcement channel per hour (Discord allows about 10).
pub const PUBLISH_BUDGET: u32 = 8;

/// The job handler of the running bot.
pub struct Performer {
    pub(super) app: App,
    pub(super) chat: Arc<dyn Chat>,
}

/// The named locks of the check-then-act sections of jobs. They hold across every process
/// sharing the database (replicas on PostgreSQL), not only across this one's workers.
pub(super) mod locks {
    /// Publishing checks the hourly budget, then publishes: one at a time, or two could both
    /// see the last free slot.
    pub const PUBLISH: &str = "publish";
    /// Renames check Discord's limit, then rename: one at a time, for the same reason.
    pub const RELABEL: &str = "relabel";
    /// Meeting events are looked up, then created: one at a time, or two could both find none.
    pub const MEETINGS: &str = "meetings";
    /// A card is posted once, then edited: one job at a time per card (`alert_card:<id>`), or
    /// two could both post it.
    pub const CARDS: &str = "alert_card";
}

impl From<ChatError> for JobError {
    fn from(e: ChatError) -> Self {
        match e {
            ChatError::Unavailable { message, after } => JobError::Retry {
                error: anyhow::Error::msg(message),
                after,
            },
            ChatError::Refused(message) => JobError::Fatal(anyhow::Error::msg(message)),
            ChatError::Forbidden(refused) => JobError::Forbidden(refused),
        }
    }
}

/// A use case a job ran failed. Refused as a person would be (too many channels): retrying
/// will not help, and the log channel is told why, worded by `refusal.hbs`. Anything else is
/// passing, its cause chain kept.
pub(super) fn use_case_failed(templates: &Templates, e: AppError) -> JobError {
    match e {
        AppError::User(why) => match templates.refusal_in_log(&why) {
            Ok(text) => JobError::Fatal(anyhow::Error::msg(text)),
            Err(e) => JobError::Fatal(anyhow::Error::new(e).context(why)),
        },
        AppError::Internal(e) | AppError::Unavailable(e) => JobError::retry(e),
    }
}

/// The nonce of the `n`th message a job posts: the job's id, then `<id>.<n>`.
pub(super) fn nonce(job: &Job, n: usize) -> String {
    if n == 0 {
        job.id.0.to_string()
    } else {
        format!("{}.{n}", job.id.0)
    }
}

impl Performer {
    /// A performer posting through `chat`, each call bounded by `[jobs] discord_timeout`.
    pub fn new(app: App, chat: Arc<dyn Chat>) -> Self {
        let timeout = app.settings.jobs.discord_timeout;
        Self {
            app,
            chat: Arc::new(TimedChat::new(chat, timeout)),
        }
    }

    /// Holds the named lock `name` until the returned value is dropped.
    pub(super) async fn one_at_a_time(
        &self,
        name: &str,
    ) -> Result<crate::store::NamedLock, JobError> {
        Ok(self.app.db.lock_named(name).await?)
    }

    async fn announcement(&self, id: i64) -> Result<crate::store::Announcement, JobError> {
        self.app
            .db
            .announcement(id)
            .await?
            .ok_or_else(|| JobError::fatal(format!("announcement {id} does not exist")))
    }

    /// Whether an earlier announcement of the same incident, to the same channel, is still
    /// going out: not posted, not withdrawn, and no announcement job of the incident given up
    /// (one that failed for good must not hold the others back).
    async fn earlier_waiting(&self, a: &crate::store::Announcement) -> Result<bool, JobError> {
        let all = self.app.db.announcements(a.incident).await?;
        let waiting = all.iter().any(|e| {
            e.id < a.id
                && e.channel_id == a.channel_id
                && e.message_id.is_none()
                && e.withdrawn_at.is_none()
        });
        if !waiting {
            return Ok(false);
        }
        let given_up = self
            .app
            .db
            .job_failure(a.incident, super::kinds::ANNOUNCE)
            .await?;
        Ok(given_up.is_none())
    }

    /// Whether an announcement must not go out (any more): withdrawn, or its incident became a
    /// security one while its job was already running.
    async fn withdrawn(&self, a: &crate::store::Announcement) -> Result<bool, JobError> {
        if a.withdrawn_at.is_some() {
            return Ok(true);
        }
        let record = self.app.db.incident(a.incident).await?;
        Ok(record.is_some_and(|r| r.incident.kind == crate::domain::IncidentKind::Security))
    }

    pub(super) async fn incident(&self, job: &Job) -> Result<IncidentRecord, JobError> {
        let id = job
            .incident
            .ok_or_else(|| JobError::fatal("the job names no incident"))?;
        self.app
            .db
            .incident(id)
            .await?
            .ok_or_else(|| JobError::fatal(format!("incident {id} does not exist")))
    }

    pub(super) async fn channel_of(&self, record: &IncidentRecord) -> Result<ChannelId, JobError> {
        if let Some(channel) = record.channel_id {
            return Ok(channel);
        }
        // The channel job was given up: this one never can run. Its log line said so already.
        if let Some(why) = self
            .app
            .db
            .job_failure(record.id, Effect::OpenChannel.kind())
            .await?
        {
            return Err(JobError::fatal(format!("{NO_CHANNEL}: {why}")));
        }
        // Its channel job runs first; until it has, this one waits its turn without spending
        // attempts (a long Discord outage delays the channel, it must not fail the reminders).
        Err(JobError::NotYet(
            self.app.clock.now() + TimeDelta::seconds(2),
        ))
    }

    pub(super) async fn post(
        &self,
        job: &Job,
        channel: ChannelId,
        content: String,
        ping_roles: Vec<crate::domain::RoleId>,
    ) -> Result<crate::domain::MessageId, JobError> {
        let message = Outgoing {
            channel,
            content,
            ping_roles,
            ping_users: vec![],
            nonce: job.id.0.to_string(),
            attachment: None,
            buttons: vec![],
            menu: None,
        };
        Ok(self.chat.post(&message).await?)
    }

    async fn announce(
        &self,
        job: &Job,
        announcement: i64,
        content: String,
        ping_roles: Vec<crate::domain::RoleId>,
    ) -> Result<(), JobError> {
        let a = self.announcement(announcement).await?;
        if a.message_id.is_some() || self.withdrawn(&a).await? {
            return Ok(());
        }
        if self.earlier_waiting(&a).await? {
            // Players read an incident's announcements in the order they were made: an update
            // never overtakes the alert still going out.
            return Err(JobError::NotYet(
                self.app.clock.now() + TimeDelta::seconds(1),
            ));
        }
        let content = self.in_guild_locale(&a, content).await?;
        let message = self.post(job, a.channel_id, content, ping_roles).await?;
        // When players saw it: before the channel is looked at, so that two announcements
        // posted one after the other are recorded in that order (the feed and the page sort
        // by it).
        let now = self.app.clock.now();
        let publish = a.publish && self.chat.is_announcement_channel(a.channel_id).await?;
        let mut tx = self.app.db.begin().await?;
        tx.announcement_posted(announcement, message, now).await?;
        if publish {
            let origin = format!("job:{}", job.id.0);
            let mut outbox = Outbox::new(&origin, a.incident, now);
            outbox
                .push(&mut tx, Effect::Publish { announcement })
                .await?;
        }
        if let Some(record) = tx.incident(a.incident).await? {
            super::status_hooks::on_incident(&self.app, &mut tx, &record, now).await?;
        }
        // Every replica's status page shows it (this one's at once, below).
        tx.public_changed().await?;
        tx.commit().await?;
        self.app.waker.wake();
        self.app.public.changed();
        Ok(())
    }

    /// Posts announcement `id` in `locale`'s own channel, once: its message is recorded.
    async fn announce_in(
        &self,
        job: &Job,
        id: i64,
        locale: &str,
        (channel, ping_roles): (ChannelId, Vec<crate::domain::RoleId>),
    ) -> Result<(), JobError> {
        let a = self.announcement(id).await?;
        if self.withdrawn(&a).await? {
            return Ok(());
        }
        let Some((content, posted)) = self.app.db.translation_post(id, locale).await? else {
            return Err(JobError::fatal(
                "the announcement has no text in that locale",
            ));
        };
        if posted {
            return Ok(());
        }
        let message = self.post(job, channel, content, ping_roles).await?;
        self.app.db.translation_posted(id, locale, message).await?;
        Ok(())
    }

    /// `content` in the guild's preferred locale, when players read it and `a` has it.
    async fn in_guild_locale(
        &self,
        a: &crate::store::Announcement,
        content: String,
    ) -> Result<String, JobError> {
        if crate::domain::to_translate(&self.app.settings.players.locales).is_empty() {
            return Ok(content);
        }
        let preferred = self.chat.preferred_locale().await?;
        let translations = self.app.db.translations(a.id).await?;
        Ok(super::players::for_guild(
            preferred.as_deref(),
            &translations,
            content,
        ))
    }

    async fn publish(&self, announcement: i64) -> Result<(), JobError> {
        let _one_at_a_time = self.one_at_a_time(locks::PUBLISH).await?;
        let a = self.announcement(announcement).await?;
        if a.published_at.is_some() || self.withdrawn(&a).await? {
            return Ok(());
        }
        let message = a
            .message_id
            .ok_or_else(|| JobError::retry_because("the announcement is not posted yet"))?;
        let now = self.app.clock.now();
        let since = now - TimeDelta::hours(1);
        // An attempt that began before a crash holds its slot already: no second count.
        if a.publish_started_at.is_none()
            && self.app.db.publishes_since(a.channel_id, since).await? >= PUBLISH_BUDGET
        {
            let first = self
                .app
                .db
                .first_publish_since(a.channel_id, since)
                .await?
                .unwrap_or(now);
            return Err(JobError::NotYet(first + TimeDelta::hours(1)));
        }
        // The slot is taken before Discord is asked: a crash after the crosspost and before it
        // is recorded must not let another publish take the same slot. The retry finds the
        // message crossposted already and records it.
        self.app.db.publish_started(announcement, now).await?;
        if let Err(e) = self.chat.publish(a.channel_id, message).await {
            // Refused, Discord did nothing: the slot goes back. Unanswered (a timeout), it may
            // have published: the slot stays taken, and the retry looks first.
            if !matches!(e, ChatError::Unavailable { .. }) {
                if let Err(undo) = self.app.db.publish_failed(announcement).await {
                    tracing::warn!(error = %undo, "could not give a publish slot back");
                }
            }
            return Err(e.into());
        }
        let mut tx = self.app.db.begin().await?;
        tx.announcement_published(announcement, self.app.clock.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Posts `messages` in the incident channel one after the other. Each carries its own
    /// nonce (the job's id, then `<id>.<n>`), so a retry gets back the ones already posted.
    async fn post_in_order(&self, job: &Job, messages: Vec<super::Said>) -> Result<(), JobError> {
        let channel = self.channel_of(&self.incident(job).await?).await?;
        for (n, m) in messages.into_iter().enumerate() {
            let message = Outgoing {
                channel,
                content: m.content,
                ping_roles: m.ping_roles,
                ping_users: vec![],
                nonce: nonce(job, n),
                attachment: None,
                buttons: m.buttons,
                menu: None,
            };
            self.chat.post(&message).await?;
        }
        Ok(())
    }

    /// Posts the card, or edits it to how it stands now.
    async fn alert_card(&self, id: i64) -> Result<(), JobError> {
        let _one_at_a_time = self
            .one_at_a_time(&format!("{}:{id}", locks::CARDS))
            .await?;
        let card = self
            .app
            .db
            .alert_card(id)
            .await?
            .ok_or_else(|| JobError::fatal(format!("alert card {id} does not exist")))?;
        let view = super::intake::card_view_now(&self.app, &card)
            .await
            .map_err(|e| use_case_failed(&self.app.templates, e))?;
        if let Some((channel, message)) = card.message {
            self.chat.edit(channel, message, &view).await?;
            return Ok(());
        }
        let channels = &self.app.settings.channels;
        let channel = channels.alerts.or(channels.log).ok_or_else(|| {
            JobError::fatal("no channel for alert cards: set [channels] alerts (or [channels] log)")
        })?;
        let message = Outgoing {
            channel,
            content: view.content.clone(),
            ping_roles: vec![],
            ping_users: vec![],
            // One card, one message: a retry gets back the one already posted.
            nonce: format!("card{id}"),
            attachment: None,
            buttons: view.buttons.clone(),
            menu: view.menu.clone(),
        };
        let posted = self.chat.post(&message).await?;
        super::intake::card_posted(&self.app, &card, channel, posted)
            .await
            .map_err(|e| use_case_failed(&self.app.templates, e))?;
        // An incident declared or closed between the view and the record queued no edit of
        // this card (it had no message yet): its menu is brought up to date now.
        let fresh = super::intake::card_view_now(&self.app, &card)
            .await
            .map_err(|e| use_case_failed(&self.app.templates, e))?;
        if fresh != view {
            self.chat.edit(channel, posted, &fresh).await?;
        }
        Ok(())
    }

    async fn auto_declare(
        &self,
        card: i64,
        severity: crate::domain::Severity,
        rule: &str,
    ) -> Result<(), JobError> {
        let bot = self.chat.bot_user().await?;
        let counts = self
            .chat
            .channel_counts(self.app.settings.channels.incident_category)
            .await?;
        super::intake::auto_declare(&self.app, card, severity, rule, bot, counts)
            .await
            .map_err(|e| use_case_failed(&self.app.templates, e))?;
        Ok(())
    }

    async fn archive(&self, job: &Job, summary: String) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        let channel = self.channel_of(&record).await?;
        // The summary goes out without its chart rather than not at all.
        let chart = super::incident::timeline_chart::attachment(&self.app, &record)
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "could not draw the timeline chart"))
            .ok();
        let message = Outgoing {
            channel,
            content: summary,
            ping_roles: vec![],
            ping_users: vec![],
            nonce: job.id.0.to_string(),
            attachment: chart,
            buttons: vec![],
            menu: None,
        };
        self.chat.post(&message).await?;
        self.chat
            .archive(channel, self.app.settings.channels.archive_category)
            .await?;
        Ok(())
    }
}

impl Performer {
    /// [`Effect::Post`]: one message, where it says, with its file and buttons.
    async fn post_effect(&self, job: &Job, post: Effect) -> Result<(), JobError> {
        let Effect::Post {
            to,
            content,
            ping_roles,
            file,
            buttons,
        } = post
        else {
            return Err(JobError::fatal("not a post"));
        };
        let channel = match to {
            Target::Channel(c) => c,
            Target::IncidentChannel => self.channel_of(&self.incident(job).await?).await?,
        };
        let message = Outgoing {
            channel,
            content,
            ping_roles,
            ping_users: vec![],
            nonce: job.id.0.to_string(),
            attachment: file.map(|f| Attachment {
                filename: f.filename,
                bytes: f.text.into_bytes(),
            }),
            buttons,
            menu: None,
        };
        self.chat
            .post(&message)
            .await
            .map(|_| ())
            .map_err(Into::into)
    }
}

impl JobHandler for Performer {
    fn perform<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let effect: Effect = serde_json::from_value(job.payload.clone())
                .map_err(|e| JobError::fatal(format!("unreadable {} job: {e}", job.kind)))?;
            match effect {
                Effect::OpenChannel => self.open_channel(job).await,
                Effect::PostIntro => self.post_intro(job).await,
                post @ Effect::Post { .. } => self.post_effect(job, post).await,
                Effect::PostInOrder { messages } => self.post_in_order(job, messages).await,
                Effect::Announce {
                    announcement,
                    content,
                    ping_roles,
                } => self.announce(job, announcement, content, ping_roles).await,
                Effect::Publish { announcement } => self.publish(announcement).await,
                Effect::AnnounceIn {
                    announcement,
                    locale,
                    channel,
                    ping_roles,
                } => {
                    let to = (channel, ping_roles);
                    self.announce_in(job, announcement, &locale, to).await
                }
                Effect::Archive { summary } => self.archive(job, summary).await,
                Effect::MakePrivate => self.make_private(job).await,
                Effect::Relabel => self.relabel(job).await,
                Effect::SyncMeeting { notice } => self.sync_meeting(job, notice).await,
                Effect::PostDraft => self.post_draft(job).await,
                Effect::AlertCard { card } => self.alert_card(card).await,
                Effect::AutoDeclare {
                    card,
                    severity,
                    rule,
                } => self.auto_declare(card, severity, &rule).await,
                Effect::RunAction { run } => self.run_action(job, run).await,
                Effect::MaintenanceHook { run } => self.maintenance_hook(job, run).await,
                Effect::SocialPost { post } => self.social_post(post).await,
                Effect::SocialNotice { notice } => self.social_notice(notice).await,
                Effect::StatusWebhook { delivery } => self.status_webhook(job, delivery).await,
                Effect::Page {
                    service,
                    action,
                    round,
                } => super::paging::perform(self, job, service, action, round).await,
                Effect::SyncWindow { window, stage } => self.sync_window(job, window, stage).await,
                Effect::AnnounceWindow { window, stage } => {
                    self.announce_window(job, window, &stage).await
                }
                Effect::AnnounceWindowIn {
                    window,
                    stage,
                    locale,
                    channel,
                } => {
                    let to = (locale.as_str(), channel);
                    self.announce_window_in(job, window, &stage, to).await
                }
                Effect::WindowDue { window } => self.window_due(job, window).await,
                Effect::WindowReminder { window, start } => {
                    self.remind_window(job, window, start).await
                }
                Effect::WafBlock { blocks } => self.waf_block(job, &blocks).await,
                Effect::WafUnblock { blocks, expired } => {
                    self.waf_unblock(job, &blocks, expired).await
                }
                Effect::Lockdown { lockdown } => self.lock_down(job, lockdown).await,
                Effect::LockdownRearm { lockdown } => self.rearm(job, lockdown).await,
                Effect::Unlock { lockdown } => self.unlock(job, lockdown).await,
                Effect::ErrorRatesAtFix => self.error_rates_at_fix(job).await,
                Effect::WatchErrorRates { above } => self.watch_error_rates(job, above).await,
                Effect::ErrorRateCharts { message } => self.error_rate_charts(job, message).await,
                Effect::CameBack { news } => self.came_back(job, &news).await,
                Effect::Ticket { step } => self.ticket(job, step).await,
                Effect::ActionTicket { item } => self.action_ticket(job, item).await,
                Effect::TimelineChart => self.timeline_chart(job).await,
                reminder => self.remind(job, reminder).await,
            }
        })
    }

    fn gave_up<'a>(&'a self, job: &'a Job, error: &'a JobFailure) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if job.kind == Effect::OpenChannel.kind() && self.channel_failed(job, error).await {
                return;
            }
            if error.text().starts_with(NO_CHANNEL) {
                // Told once, when the channel job was given up.
                return;
            }
            let Some(log) = self.app.settings.channels.log else {
                return;
            };
            let incident = match job.incident {
                Some(id) => match self.app.db.incident(id).await {
                    Ok(Some(r)) => Some(r.number.0),
                    _ => None,
                },
                None => None,
            };
            let post = LogPost {
                job_failed: Some(JobFailedLog {
                    kind: Markup::raw(job.kind.as_str()),
                    incident,
                    attempts: job.attempts,
                    reason: Markup::raw(super::readable_error(&self.app.templates, error)),
                    // A missing permission says what to grant, and retrying never helped it.
                    forbidden: matches!(error, JobFailure::Forbidden(_)),
                }),
                ..LogPost::default()
            };
            self.report_post(log, job, &post).await;
        })
    }
}

impl Performer {
    /// Tells the log channel `post`, worded by `log.hbs`, about `job` (see [`Self::report`]).
    pub(super) async fn report_post(&self, log: ChannelId, job: &Job, post: &LogPost) {
        match self.app.templates.render(TemplateName::Log, post) {
            Ok(content) => self.report(log, job, content).await,
            Err(e) => tracing::error!(error = %e, kind = %job.kind, "could not word a log post"),
        }
    }

    /// Tells the log channel that `job` failed, once (its nonce is the job's), pinging nobody.
    /// A report that cannot be posted is only logged: the job's failure is already recorded.
    pub(super) async fn report(&self, log: ChannelId, job: &Job, content: String) {
        let message = Outgoing {
            channel: log,
            content: crate::render::cap(&content, crate::render::MESSAGE_LIMIT),
            ping_roles: vec![],
            ping_users: vec![],
            nonce: format!("g{}", job.id.0),
            attachment: None,
            buttons: vec![],
            menu: None,
        };
        if let Err(e) = self.chat.post(&message).await {
            tracing::error!(error = %e, kind = %job.kind, "could not report a failed job in the log channel");
        }
    }
}
