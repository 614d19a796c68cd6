//! The ticket jobs: open (or adopt after a lost answer), comment, close, reopen; and the
//! export of an action item. Each records what the tracker answered, so a retry finds it.

use chrono::TimeDelta;

use super::{action_item, marker, reachable, text, TicketStep, TICKET_ITEM};
use crate::app::jobs::{use_case_failed, Performer};
use crate::app::{Effect, NewTicket, Paragraph, Piece, Target, Ticket, TicketKind, Tracker};
use crate::domain::{IncidentKind, UserId};
use crate::render::{Markup, Notice, TemplateName, TicketOpened};
use crate::scheduler::JobError;
use crate::store::{IncidentRecord, Job, StoredTicket};

/// Plain paragraphs as a ticket's text.
fn paragraphs(text: Vec<String>) -> Vec<Paragraph> {
    text.into_iter().map(|t| vec![Piece::Text(t)]).collect()
}

/// Comments `text` once per job: a retry after a lost answer looks for the job's marker first.
async fn comment_once(
    job: &Job,
    tracker: &dyn Tracker,
    ticket: &Ticket,
    text: Vec<String>,
    said: &str,
) -> Result<(), JobError> {
    if job.attempts > 1 && tracker.has_comment(ticket, said).await? {
        return Ok(());
    }
    Ok(tracker.comment(ticket, &paragraphs(text), said).await?)
}

impl Performer {
    /// Performs a step of the incident's ticket.
    pub(in crate::app) async fn ticket(&self, job: &Job, step: TicketStep) -> Result<(), JobError> {
        // A tracker taken out of the config since: nothing to keep in step.
        let Some(tracker) = self.app.tracker.clone() else {
            return Ok(());
        };
        let record = self.incident(job).await?;
        if !reachable(tracker.as_ref(), &record.incident) {
            return Ok(());
        }
        if step == TicketStep::Open {
            return self.open_ticket(job, tracker.as_ref(), &record).await;
        }
        let ticket = self.incident_ticket(&record).await?;
        let said = format!("{}:job-{}", marker(record.number, TICKET_ITEM), job.id.0);
        let t = tracker.as_ref();
        match step {
            TicketStep::Open => Ok(()),
            TicketStep::Comment { text } => comment_once(job, t, &ticket, text, &said).await,
            TicketStep::Close { summary } => {
                comment_once(job, t, &ticket, summary, &said).await?;
                Ok(tracker.close(&ticket).await?)
            }
            TicketStep::Reopen { text } => {
                tracker.reopen(&ticket).await?;
                comment_once(job, t, &ticket, text, &said).await
            }
        }
    }

    /// The incident's ticket once opened; until then the job waits its turn (the opening runs
    /// first), and gives up when the opening was given up.
    async fn incident_ticket(&self, record: &IncidentRecord) -> Result<Ticket, JobError> {
        if let Some(t) = self.app.db.ticket(record.id, TICKET_ITEM).await? {
            return Ok(Ticket {
                key: t.key,
                url: t.url,
            });
        }
        if let Some(why) = self.app.db.job_failure(record.id, "ticket").await? {
            return Err(JobError::fatal(format!(
                "the ticket could not be opened: {why}"
            )));
        }
        Err(JobError::NotYet(
            self.app.clock.now() + TimeDelta::seconds(2),
        ))
    }

    async fn open_ticket(
        &self,
        job: &Job,
        tracker: &dyn Tracker,
        record: &IncidentRecord,
    ) -> Result<(), JobError> {
        if self.app.db.ticket(record.id, TICKET_ITEM).await?.is_some() {
            return Ok(());
        }
        // The body links the channel: it is opened first.
        let channel = self.channel_of(record).await?;
        let private = record.incident.kind == IncidentKind::Security;
        let marker = marker(record.number, TICKET_ITEM);
        let ticket = self
            .find_or_open(job, tracker, &marker, private, || {
                self.incident_ticket_text(record, channel, marker.clone())
            })
            .await?;
        let stored = StoredTicket {
            key: ticket.key.clone(),
            url: ticket.url.clone(),
        };
        let now = self.app.clock.now();
        self.app
            .db
            .record_ticket(record.id, TICKET_ITEM, &stored, now)
            .await?;
        let view = Notice::from(TicketOpened {
            tracker: tracker.name().to_owned(),
            key: Markup::text(&ticket.key),
            url: url::Url::parse(&ticket.url)
                .map(|u| Markup::raw(format!("<{u}>")))
                .unwrap_or_else(|_| Markup::text(&ticket.url)),
        });
        let content = crate::app::render(&self.app, TemplateName::Notice, &view)
            .map_err(|e| use_case_failed(&self.app.templates, e))?;
        let mut tx = self.app.db.begin().await?;
        let origin = format!("job:{}", job.id.0);
        let mut outbox = crate::app::Outbox::new(&origin, record.id, now);
        let post = Effect::Post {
            to: Target::IncidentChannel,
            content,
            ping_roles: vec![],
            file: None,
            buttons: vec![],
        };
        outbox.push(&mut tx, post).await?;
        tx.commit().await?;
        self.app.waker.wake();
        Ok(())
    }

    /// The ticket a lost answer opened (looked for on a retry only), or a new one.
    async fn find_or_open(
        &self,
        job: &Job,
        tracker: &dyn Tracker,
        marker: &str,
        private: bool,
        ticket: impl FnOnce() -> Result<NewTicket, JobError>,
    ) -> Result<Ticket, JobError> {
        if job.attempts > 1 {
            if let Some(found) = tracker.find(marker, private).await? {
                return Ok(found);
            }
        }
        Ok(tracker.open(&ticket()?).await?)
    }

    fn incident_ticket_text(
        &self,
        record: &IncidentRecord,
        channel: crate::domain::ChannelId,
        marker: String,
    ) -> Result<NewTicket, JobError> {
        let i = &record.incident;
        let mut labels = vec![format!("severity:{}", i.severity)];
        labels.extend(i.systems.names().map(|s| format!("system:{s}")));
        let guild = self.app.settings.discord.guild_id;
        let channel = format!("https://discord.com/channels/{guild}/{channel}");
        // A security incident's ticket never points at the public page.
        let status = (i.kind == IncidentKind::Availability).then(|| {
            let page = self.app.settings.status.url.trim_end_matches('/');
            format!("{page}/incidents/{}", record.number.0)
        });
        let failed = |e| use_case_failed(&self.app.templates, e);
        Ok(NewTicket {
            kind: TicketKind::Incident,
            title: text::title(&self.app, record).map_err(failed)?,
            body: text::body(&self.app, record, channel, status).map_err(failed)?,
            labels,
            marker,
            assignee: None,
            private: i.kind == IncidentKind::Security,
        })
    }

    /// Opens the issue of an action item (or adopts the one a lost answer opened).
    pub(in crate::app) async fn action_ticket(&self, job: &Job, item: i64) -> Result<(), JobError> {
        let Some(tracker) = self.app.tracker.clone() else {
            return Ok(());
        };
        let action = self
            .app
            .db
            .action_to_export(item)
            .await?
            .ok_or_else(|| JobError::fatal(format!("action item {item} does not exist")))?;
        let record = self.incident(job).await?;
        if !reachable(tracker.as_ref(), &record.incident) {
            return Ok(());
        }
        let key = action_item(item);
        if self.app.db.ticket(record.id, &key).await?.is_some() {
            return Ok(());
        }
        let marker = marker(record.number, &key);
        let private = record.incident.kind == IncidentKind::Security;
        let ticket = self
            .find_or_open(job, tracker.as_ref(), &marker, private, || {
                self.action_ticket_text(&record, &action, marker.clone(), private)
            })
            .await?;
        let stored = StoredTicket {
            key: ticket.key,
            url: ticket.url,
        };
        let now = self.app.clock.now();
        self.app
            .db
            .record_ticket(record.id, &key, &stored, now)
            .await?;
        Ok(())
    }

    fn action_ticket_text(
        &self,
        record: &IncidentRecord,
        action: &crate::store::ActionToExport,
        marker: String,
        private: bool,
    ) -> Result<NewTicket, JobError> {
        let title: String = action.text.chars().take(200).collect();
        let owner = action.owner.and_then(|o| self.tracker_user(o));
        let mut labels = vec!["postmortem".to_owned()];
        if let Some(kind) = action.kind {
            labels.push(format!("action:{}", kind.as_str()));
        }
        let body = text::action(&self.app, record, action)
            .map_err(|e| use_case_failed(&self.app.templates, e))?;
        Ok(NewTicket {
            kind: TicketKind::ActionItem,
            title,
            body,
            labels,
            marker,
            assignee: owner,
            private,
        })
    }

    /// The tracker's user for a Discord user, from `[tracker.users]`.
    fn tracker_user(&self, user: UserId) -> Option<String> {
        let users = &self.app.settings.tracker.as_ref()?.users;
        users.get(&user.get().to_string()).cloned()
    }
}
