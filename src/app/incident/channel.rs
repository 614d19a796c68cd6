//! Opening an incident's channel: one job finds or creates the channel, posts and pins the
//! intro, and records the channel (queueing the log line) while the intro goes out. Safe to
//! repeat: the channel is looked up by name before it is created, the intro carries the job's
//! id as a nonce, and on a retry the pins are looked at before pinning. When the channel cannot
//! be opened for good, every job that needs it is given up at once, and people are told once.

use super::jobs::{nonce, NO_CHANNEL};
use super::{
    App, AppError, AppEvent, ChannelAccess, Effect, NewChannel, Outbox, Outgoing, Performer, Target,
};
use crate::config::Settings;
use crate::domain::{ChannelId, IncidentId, IncidentKind, Phase};
use crate::render::{
    channel_link, mention, role_mention, role_pings, ChannelFailedLog, DeclaredLog, ExposedLog,
    Intro, LogPost, Markup, TemplateName,
};
use crate::scheduler::JobError;
use crate::store::{IncidentRecord, Job, JobFailure};

/// Where an incident's channel stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelState {
    /// It is open.
    Open(ChannelId),
    /// Its job is still trying.
    Opening,
    /// It could not be opened, for this reason.
    Failed(JobFailure),
}

/// Where the channel of `incident` stands: for a declare that stopped waiting for it.
pub async fn channel_state(app: &App, incident: IncidentId) -> Result<ChannelState, AppError> {
    if let Some(channel) = app.db.incident(incident).await?.and_then(|r| r.channel_id) {
        return Ok(ChannelState::Open(channel));
    }
    Ok(
        match app
            .db
            .job_failure(incident, Effect::OpenChannel.kind())
            .await?
        {
            Some(reason) => ChannelState::Failed(reason),
            None => ChannelState::Opening,
        },
    )
}

/// The incident's channel, as this attempt found it.
struct Opened {
    channel: ChannelId,
    /// This attempt created it: nothing can be in it yet.
    created: bool,
    /// It existed and more than the security role could see it, until now.
    exposed: bool,
}

impl Performer {
    /// Opens the incident's channel and posts and pins its intro, in one job.
    pub(in crate::app) async fn open_channel(&self, job: &Job) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        if let Some(channel) = record.channel_id {
            // A retry after the channel was recorded: only the intro may be missing.
            return self.intro(job, &record, channel, false).await;
        }
        let opened = self.find_or_create(&record).await?;
        // Recording the channel lets commands run in it and the declare answer; the intro does
        // not wait for that commit, nor the commit for Discord.
        let (saved, intro) = tokio::join!(
            self.record_channel(job, &record, &opened),
            self.intro(job, &record, opened.channel, opened.created),
        );
        saved?;
        intro
    }

    /// Posts and pins the intro of a channel opened by an earlier job: a job queued by a
    /// version of the bot that opened channels and posted intros in two jobs.
    pub(in crate::app) async fn post_intro(&self, job: &Job) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        let channel = self.channel_of(&record).await?;
        self.intro(job, &record, channel, false).await
    }

    async fn find_or_create(&self, record: &IncidentRecord) -> Result<Opened, JobError> {
        let s = &self.app.settings;
        let access = channel_access(s, record);
        let name = channel_name(record);
        let category = s.channels.incident_category;
        Ok(match self.chat.find_channel(category, &name).await? {
            // A channel is adopted only once nobody else can read it: someone may have made an
            // `inc-N-…` or `sec-N` by hand (open to a "Member" role, say), or opened up the one
            // the bot made.
            Some(existing) if !existing.admits_only(&access) => {
                self.chat.restrict(existing.id, &access).await?;
                Opened {
                    channel: existing.id,
                    created: false,
                    exposed: true,
                }
            }
            Some(existing) => Opened {
                channel: existing.id,
                created: false,
                exposed: false,
            },
            None => {
                let spec = NewChannel {
                    name,
                    category,
                    topic: channel_topic(&self.app, record)?,
                    access,
                };
                Opened {
                    channel: self.chat.create_channel(&spec).await?,
                    created: true,
                    exposed: false,
                }
            }
        })
    }

    /// Records the channel and queues the log line (and the warning about an exposed channel),
    /// then tells a waiting declare.
    async fn record_channel(
        &self,
        job: &Job,
        record: &IncidentRecord,
        opened: &Opened,
    ) -> Result<(), JobError> {
        let s = &self.app.settings;
        let channel = opened.channel;
        let mut record = record.clone();
        record.channel_id = Some(channel);
        let now = self.app.clock.now();
        let mut tx = self.app.db.begin().await?;
        tx.save_incident(&record).await?;
        let origin = format!("job:{}", job.id.0);
        let mut outbox = Outbox::new(&origin, record.id, now);
        if let Some(log) = s.channels.log {
            let i = &record.incident;
            let security = i.kind == IncidentKind::Security;
            let mut posts = Vec::new();
            if opened.exposed {
                posts.push(LogPost {
                    exposed: Some(ExposedLog {
                        channel: channel_link(channel),
                        security_role: security.then(|| role_mention(s.roles.security)),
                    }),
                    ..LogPost::default()
                });
            }
            posts.push(LogPost {
                declared: Some(DeclaredLog {
                    number: record.number.0,
                    severity: i.severity.to_string(),
                    by: mention(i.declared_by),
                    title: (!security).then(|| i.title.as_str().to_owned()),
                    channel: channel_link(channel),
                }),
                ..LogPost::default()
            });
            for post in posts {
                let content = self
                    .app
                    .templates
                    .render(TemplateName::Log, &post)
                    .map_err(JobError::fatal)?;
                let post = Effect::Post {
                    to: Target::Channel(log),
                    content,
                    ping_roles: vec![],
                    file: None,
                    buttons: vec![],
                };
                outbox.push(&mut tx, post).await?;
            }
        }
        // The declare may wait on another replica: it hears of the channel at commit.
        let opened = AppEvent::ChannelOpened {
            incident: record.id,
            channel,
        };
        tx.tell_replicas(&opened.notice()).await?;
        tx.commit().await?;
        self.app.waker.wake();
        let _ = self.app.events.send(opened);
        Ok(())
    }

    /// Posts the intro, paging the severity's roles, then the triage checklist as a message of
    /// its own (its buttons edit only it), and pins the intro. Each post carries a nonce from
    /// the job's id, so a retry gets the same messages back; in a channel this attempt did not
    /// create, the pins are looked at first, so a pin that went through is not made again.
    async fn intro(
        &self,
        job: &Job,
        record: &IncidentRecord,
        channel: ChannelId,
        created: bool,
    ) -> Result<(), JobError> {
        let page = self
            .app
            .page_roles(record.incident.kind, record.incident.severity);
        let view = Intro::new(record.number, &record.incident, role_pings(&page));
        let content = self
            .app
            .templates
            .render(TemplateName::Intro, &view)
            .map_err(|e| JobError::Fatal(e.into()))?;
        let message = self.post(job, channel, content, page).await?;
        let ticks = self.app.db.ticks(record.id).await?;
        let checklist = super::checklists::message(&self.app, record, Phase::Triage, &ticks)
            .map_err(|e| JobError::Fatal(e.into()))?;
        if checklist.has_steps {
            let post = Outgoing {
                channel,
                content: checklist.content,
                ping_roles: vec![],
                ping_users: vec![],
                nonce: nonce(job, 1),
                attachment: None,
                buttons: checklist.buttons,
                menu: None,
            };
            self.chat.post(&post).await?;
        }
        if !created && self.chat.pinned(channel).await?.contains(&message) {
            return Ok(());
        }
        self.chat.pin(channel, message).await?;
        Ok(())
    }
}

impl Performer {
    /// The channel job was given up before the channel was recorded: gives up every pending job
    /// that needs the channel, tells the log channel once what to do, and tells a declare still
    /// waiting for the channel. Returns false, and does nothing, when the channel was recorded
    /// (only its intro failed): that is reported as any other job.
    pub(in crate::app) async fn channel_failed(&self, job: &Job, error: &JobFailure) -> bool {
        let Some(incident) = job.incident else {
            return false;
        };
        let record = match self.app.db.incident(incident).await {
            Ok(Some(r)) if r.channel_id.is_some() => return false,
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "could not read the incident of a failed channel");
                None
            }
        };
        if let Err(e) = self.give_up_channel_work(incident, error).await {
            // Each of them gives up by itself when it next runs (see `channel_of`).
            tracing::error!(error = %e, "could not give up the jobs that need the channel");
        }
        let failed = AppEvent::ChannelFailed {
            incident,
            reason: error.clone(),
        };
        // The declare may wait on another replica; it reads the database when its wait ends.
        if let Err(e) = self.app.db.tell_replicas(&failed.notice()).await {
            tracing::warn!(error = %e, "could not tell the other replicas the channel failed");
        }
        let _ = self.app.events.send(failed);
        let Some(log) = self.app.settings.channels.log else {
            return true;
        };
        let number = record.map_or_else(|| incident.to_string(), |r| r.number.to_string());
        let post = LogPost {
            channel_failed: Some(ChannelFailedLog {
                number,
                reason: Markup::raw(super::readable_reason(&self.app.templates, error)),
            }),
            ..LogPost::default()
        };
        self.report_post(log, job, &post).await;
        true
    }

    async fn give_up_channel_work(
        &self,
        incident: IncidentId,
        error: &JobFailure,
    ) -> Result<(), crate::store::Error> {
        let doomed: Vec<_> = self
            .app
            .db
            .jobs_of(Some(incident))
            .await?
            .into_iter()
            .filter(|j| j.finished_at.is_none())
            .filter(|j| {
                serde_json::from_value::<Effect>(j.payload.clone())
                    .is_ok_and(|e| e.needs_incident_channel())
            })
            .map(|j| j.id)
            .collect();
        let reason = format!("{NO_CHANNEL}: {error}");
        let n = self
            .app
            .db
            .give_up_jobs(&doomed, &reason, self.app.clock.now())
            .await?;
        tracing::warn!(
            jobs = n,
            "gave up the jobs that needed the incident's channel"
        );
        Ok(())
    }
}

/// The topic of an incident's channel: its number, severity and title, or for a security
/// incident only that it is one.
/// Worded in `topic.hbs`; a template error is the job's.
pub fn channel_topic(app: &App, record: &IncidentRecord) -> Result<String, JobError> {
    let security = record.incident.kind == IncidentKind::Security;
    // Discord renders markdown, links and mentions in a channel's topic: the title is escaped.
    let view = crate::render::TopicView {
        number: record.number.0,
        severity: record.incident.severity.to_string(),
        title: (!security).then(|| record.incident.title.to_string()),
    };
    app.templates
        .render(crate::render::TemplateName::Topic, &view)
        .map_err(|e| super::jobs::use_case_failed(&app.templates, anyhow::Error::new(e).into()))
}

/// Who may read an incident's channel: the staff roles for an availability incident; for a
/// security one the security role, and whoever declared it (it is their incident, with or
/// without the role). Players never.
pub fn channel_access(settings: &Settings, record: &IncidentRecord) -> ChannelAccess {
    match record.incident.kind {
        IncidentKind::Availability => ChannelAccess {
            roles: settings.staff_roles(),
            members: vec![],
        },
        IncidentKind::Security => ChannelAccess {
            roles: vec![settings.roles.security],
            members: vec![record.incident.declared_by],
        },
    }
}

/// `inc-4-login-down`, or `sec-4` for a security incident (its name gives nothing away).
pub fn channel_name(record: &IncidentRecord) -> String {
    if record.incident.kind == IncidentKind::Security {
        return format!("sec-{}", record.number);
    }
    let mut slug = String::new();
    for c in record
        .incident
        .title
        .as_str()
        .chars()
        .flat_map(char::to_lowercase)
    {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("inc-{}", record.number)
    } else {
        format!("inc-{}-{slug}", record.number)
    }
}
