//! Opening an incident's channel: one job finds or creates the channel, posts and pins the
//! intro, and records the channel (queueing the log line) while the intro goes out. Safe to
//! repeat: the channel is looked up by name before it is created, the intro carries the job's
//! id as a nonce, and on a retry the pins are looked at before pinning.

use super::{AppEvent, Effect, NewChannel, Outbox, Performer, Target};
use crate::domain::{ChannelId, IncidentKind};
use crate::render::{role_pings, Intro, TemplateName};
use crate::scheduler::JobError;
use crate::store::{IncidentRecord, Job};

use super::perform::internal;

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
    pub(super) async fn open_channel(&self, job: &Job) -> Result<(), JobError> {
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
    pub(super) async fn post_intro(&self, job: &Job) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        let channel = self.channel_of(&record)?;
        self.intro(job, &record, channel, false).await
    }

    async fn find_or_create(&self, record: &IncidentRecord) -> Result<Opened, JobError> {
        let s = &self.app.settings;
        let private = record.incident.kind == IncidentKind::Security;
        let name = channel_name(record);
        let category = s.channels.incident_category;
        Ok(match self.chat.find_channel(category, &name).await? {
            // A private channel is adopted only once it is private: someone may have made a
            // `sec-N` by hand, or opened up the one the bot made.
            Some(existing) if private && !existing.is_private_to(s.roles.security) => {
                self.chat
                    .make_private(existing.id, s.roles.security)
                    .await?;
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
        let mut tx = self.app.db.begin().await.map_err(internal)?;
        tx.save_incident(&record).await.map_err(internal)?;
        let origin = format!("job:{}", job.id.0);
        let mut outbox = Outbox::new(&origin, record.id, now);
        if let Some(log) = s.channels.log {
            let mut lines = Vec::new();
            if opened.exposed {
                lines.push(format!(
                    "⚠️ <#{channel}> already existed and more than <@&{}> could see it. I replaced its \
                     permissions: only that role and I can see it now. Check who read it before.",
                    s.roles.security
                ));
            }
            let i = &record.incident;
            let title = if i.kind == IncidentKind::Security {
                "security incident".to_owned()
            } else {
                crate::render::discord_escape(i.title.as_str())
            };
            lines.push(format!(
                "🚨 #{} **{}** declared by <@{}>: {title} → <#{channel}>",
                record.number, i.severity, i.declared_by
            ));
            for content in lines {
                let post = Effect::Post {
                    to: Target::Channel(log),
                    content,
                    ping_roles: vec![],
                    file: None,
                };
                outbox.push(&mut tx, post).await.map_err(internal)?;
            }
        }
        tx.commit().await.map_err(internal)?;
        self.app.waker.wake();
        let _ = self.app.events.send(AppEvent::ChannelOpened {
            incident: record.id,
            channel,
        });
        Ok(())
    }

    /// Posts and pins the intro, paging the severity's roles. The post carries the job's id as
    /// a nonce, so a retry gets the same message back; in a channel this attempt did not create,
    /// the pins are looked at first, so a pin that went through is not made again.
    async fn intro(
        &self,
        job: &Job,
        record: &IncidentRecord,
        channel: ChannelId,
        created: bool,
    ) -> Result<(), JobError> {
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
        if !created && self.chat.pinned(channel).await?.contains(&message) {
            return Ok(());
        }
        self.chat.pin(channel, message).await?;
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
