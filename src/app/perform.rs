//! Performs queued effects through the [`Chat`] port. Every step is safe to repeat: channels
//! are looked up before they are created, and every post carries its job id as a nonce.

use std::sync::Arc;

use chrono::TimeDelta;
use tokio::sync::Mutex;

use super::{App, AppEvent};
use super::{Attachment, Chat, ChatError, Effect, NewChannel, Outbox, Outgoing, Target};
use crate::clock::BoxFuture;
use crate::domain::{ChannelId, IncidentKind};
use crate::render::{role_pings, Intro, TemplateName};
use crate::scheduler::{JobError, JobHandler};
use crate::store::{IncidentRecord, Job};

/// Publishes allowed per announcement channel per hour (Discord allows about 10).
pub const PUBLISH_BUDGET: u32 = 8;

/// The job handler of the running bot.
pub struct Performer {
    pub(super) app: App,
    pub(super) chat: Arc<dyn Chat>,
    /// Publishing checks the hourly budget, then publishes: one at a time, or two could both
    /// see the last free slot.
    publishing: Mutex<()>,
}

impl From<ChatError> for JobError {
    fn from(e: ChatError) -> Self {
        match e {
            ChatError::Unavailable { message, after } => JobError::Retry {
                error: message,
                after,
            },
            ChatError::Refused(message) => JobError::Fatal(message),
            forbidden @ ChatError::Forbidden(_) => JobError::Fatal(forbidden.to_string()),
        }
    }
}

pub(super) fn internal(e: impl std::fmt::Display) -> JobError {
    JobError::retry(e)
}

impl Performer {
    /// A performer posting through `chat`.
    pub fn new(app: App, chat: Arc<dyn Chat>) -> Self {
        Self {
            app,
            chat,
            publishing: Mutex::new(()),
        }
    }

    async fn announcement(&self, id: i64) -> Result<crate::store::Announcement, JobError> {
        self.app
            .db
            .announcement(id)
            .await
            .map_err(internal)?
            .ok_or_else(|| JobError::Fatal(format!("announcement {id} does not exist")))
    }

    pub(super) async fn incident(&self, job: &Job) -> Result<IncidentRecord, JobError> {
        let id = job
            .incident
            .ok_or_else(|| JobError::Fatal("the job names no incident".into()))?;
        self.app
            .db
            .incident(id)
            .await
            .map_err(internal)?
            .ok_or_else(|| JobError::Fatal(format!("incident {id} does not exist")))
    }

    pub(super) fn channel_of(&self, record: &IncidentRecord) -> Result<ChannelId, JobError> {
        // Its channel job runs first; until it has, this one waits its turn without spending
        // attempts (a long Discord outage delays the channel, it must not fail the reminders).
        record
            .channel_id
            .ok_or_else(|| JobError::NotYet(self.app.clock.now() + TimeDelta::seconds(2)))
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
            button: None,
        };
        Ok(self.chat.post(&message).await?)
    }

    async fn open_channel(&self, job: &Job) -> Result<(), JobError> {
        let mut record = self.incident(job).await?;
        if record.channel_id.is_some() {
            return Ok(());
        }
        let s = &self.app.settings;
        let private = record.incident.kind == IncidentKind::Security;
        let name = channel_name(&record);
        let category = s.channels.incident_category;
        let mut exposed = false;
        let channel = match self.chat.find_channel(category, &name).await? {
            // A private channel is adopted only once it is private: someone may have made a
            // `sec-N` by hand, or opened up the one the bot made.
            Some(existing) if private && !existing.is_private_to(s.roles.security) => {
                self.chat
                    .make_private(existing.id, s.roles.security)
                    .await?;
                exposed = true;
                existing.id
            }
            Some(existing) => existing.id,
            None => {
                let topic = if private {
                    format!("Incident #{}: security, private", record.number)
                } else {
                    // Discord renders markdown, links and mentions in a channel's topic.
                    format!(
                        "Incident #{} · {} · {}",
                        record.number,
                        record.incident.severity,
                        crate::render::discord_escape(record.incident.title.as_str())
                    )
                };
                let spec = NewChannel {
                    name,
                    category,
                    topic,
                    private_to: private.then_some(s.roles.security),
                };
                self.chat.create_channel(&spec).await?
            }
        };
        record.channel_id = Some(channel);
        let now = self.app.clock.now();
        let mut tx = self.app.db.begin().await.map_err(internal)?;
        tx.save_incident(&record).await.map_err(internal)?;
        let origin = format!("job:{}", job.id.0);
        let mut outbox = Outbox::new(&origin, record.id, now);
        outbox
            .push(&mut tx, Effect::PostIntro)
            .await
            .map_err(internal)?;
        if let Some(log) = s.channels.log {
            if exposed {
                let content = format!(
                    "⚠️ <#{channel}> already existed and more than <@&{}> could see it. I replaced its \
                     permissions: only that role and I can see it now. Check who read it before.",
                    s.roles.security
                );
                outbox
                    .push(
                        &mut tx,
                        Effect::Post {
                            to: Target::Channel(log),
                            content,
                            ping_roles: vec![],
                            file: None,
                        },
                    )
                    .await
                    .map_err(internal)?;
            }
            let i = &record.incident;
            let title = if private {
                "security incident".to_owned()
            } else {
                crate::render::discord_escape(i.title.as_str())
            };
            let content = format!(
                "🚨 #{} **{}** declared by <@{}>: {title} → <#{channel}>",
                record.number, i.severity, i.declared_by
            );
            outbox
                .push(
                    &mut tx,
                    Effect::Post {
                        to: Target::Channel(log),
                        content,
                        ping_roles: vec![],
                        file: None,
                    },
                )
                .await
                .map_err(internal)?;
        }
        tx.commit().await.map_err(internal)?;
        self.app.waker.wake();
        let _ = self.app.events.send(AppEvent::ChannelOpened {
            incident: record.id,
            channel,
        });
        Ok(())
    }

    async fn post_intro(&self, job: &Job) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        let channel = self.channel_of(&record)?;
        let page = self
            .app
            .settings
            .severity
            .get(record.incident.severity)
            .page
            .clone();
        let view = Intro::new(
            record.number,
            &record.incident,
            &self.app.phase_budgets(),
            role_pings(&page),
        );
        let content = self
            .app
            .templates
            .render(TemplateName::Intro, &view)
            .map_err(|e| JobError::Fatal(e.to_string()))?;
        let message = self.post(job, channel, content, page).await?;
        self.chat.pin(channel, message).await?;
        Ok(())
    }

    async fn announce(
        &self,
        job: &Job,
        announcement: i64,
        content: String,
        ping_roles: Vec<crate::domain::RoleId>,
    ) -> Result<(), JobError> {
        let a = self.announcement(announcement).await?;
        if a.message_id.is_some() {
            return Ok(());
        }
        let message = self.post(job, a.channel_id, content, ping_roles).await?;
        let publish = a.publish && self.chat.is_announcement_channel(a.channel_id).await?;
        let now = self.app.clock.now();
        let mut tx = self.app.db.begin().await.map_err(internal)?;
        tx.announcement_posted(announcement, message, now)
            .await
            .map_err(internal)?;
        if publish {
            let origin = format!("job:{}", job.id.0);
            let mut outbox = Outbox::new(&origin, a.incident, now);
            outbox
                .push(&mut tx, Effect::Publish { announcement })
                .await
                .map_err(internal)?;
        }
        tx.commit().await.map_err(internal)?;
        self.app.waker.wake();
        Ok(())
    }

    async fn publish(&self, announcement: i64) -> Result<(), JobError> {
        let _one_at_a_time = self.publishing.lock().await;
        let a = self.announcement(announcement).await?;
        if a.published_at.is_some() {
            return Ok(());
        }
        let message = a
            .message_id
            .ok_or_else(|| JobError::retry("the announcement is not posted yet"))?;
        let now = self.app.clock.now();
        let since = now - TimeDelta::hours(1);
        if self
            .app
            .db
            .publishes_since(a.channel_id, since)
            .await
            .map_err(internal)?
            >= PUBLISH_BUDGET
        {
            let first = self
                .app
                .db
                .first_publish_since(a.channel_id, since)
                .await
                .map_err(internal)?
                .unwrap_or(now);
            return Err(JobError::NotYet(first + TimeDelta::hours(1)));
        }
        self.chat.publish(a.channel_id, message).await?;
        let mut tx = self.app.db.begin().await.map_err(internal)?;
        tx.announcement_published(announcement, self.app.clock.now())
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        Ok(())
    }

    async fn archive(&self, job: &Job, summary: String) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        let channel = self.channel_of(&record)?;
        self.post(job, channel, summary, vec![]).await?;
        self.chat
            .archive(channel, self.app.settings.channels.archive_category)
            .await?;
        Ok(())
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

impl JobHandler for Performer {
    fn perform<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let effect: Effect = serde_json::from_value(job.payload.clone())
                .map_err(|e| JobError::Fatal(format!("unreadable {} job: {e}", job.kind)))?;
            match effect {
                Effect::OpenChannel => self.open_channel(job).await,
                Effect::PostIntro => self.post_intro(job).await,
                Effect::Post {
                    to,
                    content,
                    ping_roles,
                    file,
                } => {
                    let channel = match to {
                        Target::Channel(c) => c,
                        Target::IncidentChannel => self.channel_of(&self.incident(job).await?)?,
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
                        button: None,
                    };
                    self.chat
                        .post(&message)
                        .await
                        .map(|_| ())
                        .map_err(Into::into)
                }
                Effect::Announce {
                    announcement,
                    content,
                    ping_roles,
                } => self.announce(job, announcement, content, ping_roles).await,
                Effect::Publish { announcement } => self.publish(announcement).await,
                Effect::Archive { summary } => self.archive(job, summary).await,
                reminder => self.remind(job, reminder).await,
            }
        })
    }

    fn gave_up<'a>(&'a self, job: &'a Job, error: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let Some(log) = self.app.settings.channels.log else {
                return;
            };
            let incident = match job.incident {
                Some(id) => match self.app.db.incident(id).await {
                    Ok(Some(r)) => format!(" for incident #{}", r.number),
                    _ => String::new(),
                },
                None => String::new(),
            };
            // A missing permission is the bot's own sentence, saying what to grant; anything
            // else may quote Discord and is shown as text.
            let content = match error.strip_prefix(super::chat::FORBIDDEN) {
                Some(what) => format!("⚠️ {what} (a `{}` job{incident})", job.kind),
                None => format!(
                    "⚠️ Gave up on a `{}` job{incident} after {} attempts: {}",
                    job.kind,
                    job.attempts,
                    crate::render::discord_escape(error)
                ),
            };
            let message = Outgoing {
                channel: log,
                content: crate::render::cap(&content, 2000),
                ping_roles: vec![],
                ping_users: vec![],
                nonce: format!("g{}", job.id.0),
                attachment: None,
                button: None,
            };
            if let Err(e) = self.chat.post(&message).await {
                tracing::error!(error = %e, "could not report a failed job in the log channel");
            }
        })
    }
}
