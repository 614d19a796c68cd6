//! The post-mortem's review meeting: `/postmortem schedule`, and the job that keeps its Discord
//! Scheduled Event in step with the record and calls the participants.
//!
//! The event is created by a job ([`super::Effect::SyncMeeting`]) that reads what the record
//! wants and makes Discord match it, one job at a time: a retry, a restart or a reschedule that
//! races the first run converges on one event. An event the bot created but could not record
//! (it died in between) is found again by the marker at the end of its description.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{team, App, AppError, ChatError, Effect, MeetingCall, Outbox, Outgoing};
use super::{Meeting, NewMeeting, Performer};
use crate::config::delta;
use crate::domain::{
    is_staff, meeting_time, parse_when, participants, Action, Actor, ChannelId, EventId,
    EventStatus, Incident, IncidentKind, MeetingError, MessageId, PlaceError, Refusal, UserId,
};
use crate::render::{
    cap, channel_link, full_date, mention, relative, timestamp, EventText, Markup, MeetingAnswer,
    MeetingEvent, MeetingLate, MeetingNotice, NoEvent, TemplateName,
};
use crate::scheduler::JobError;
use crate::store::{IncidentRecord, Job, Postmortem, Tx};

/// What `/postmortem schedule` did: the answer, the timeline's words and the audit's detail.
pub(in crate::app) struct Scheduled {
    /// The answer to the person who ran it.
    pub reply: String,
    /// The timeline entry (read in the draft, a file: a written date).
    pub note: crate::render::PostmortemDid,
    /// The audit detail.
    pub detail: Value,
}

/// `/postmortem schedule when [after_deadline]`: refuses a time after the post-mortem's
/// deadline unless a commander allows it, records the time, and queues the event and the call
/// to everyone who acted on the timeline and the `participants` roles.
#[expect(
    clippy::too_many_arguments,
    reason = "one use case step, all of it needed"
)]
pub(in crate::app) async fn schedule(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    actor: &Actor,
    record: &IncidentRecord,
    pm: &mut Postmortem,
    when: &str,
    after_deadline: bool,
    now: DateTime<Utc>,
) -> Result<Scheduled, AppError> {
    if pm.done_at.is_some() {
        return Err(MeetingError::Done.into());
    }
    let at = parse_when(when, now)?;
    let late = meeting_time(at, pm.due_at, after_deadline)?;
    if late {
        actor
            .may(Action::Command, &team(app), record.incident.roles.commander)
            .map_err(|_| Refusal::LateMeeting {
                commander_role: app.settings.roles.commander,
                due: pm.due_at.timestamp(),
            })?;
    }
    let moved = pm.meeting_at.is_some();
    pm.meeting_at = Some(at);
    tx.save_postmortem(pm).await?;
    let mut users = participants(&tx.timeline(record.id).await?);
    // Whoever schedules it acts on the timeline with this very change.
    if !users.contains(&actor.user) {
        users.push(actor.user);
    }
    let call = MeetingCall {
        users,
        roles: app.settings.postmortem.participants.clone(),
        moved,
        late_by: late.then_some(actor.user),
    };
    outbox
        .push(tx, Effect::SyncMeeting { notice: Some(call) })
        .await?;
    let channel = meeting_channel(app, &record.incident);
    let answer = MeetingAnswer {
        at: timestamp(at),
        moved,
        channel: channel.as_ref().ok().map(|c| channel_link(*c)),
        no_event: channel.err(),
    };
    Ok(Scheduled {
        reply: super::answer(app, answer)?,
        note: crate::render::PostmortemDid::Meeting {
            moved,
            at: full_date(at),
            late,
        },
        detail: json!({ "at": at.to_rfc3339(), "after_deadline": late }),
    })
}

/// The channel the meeting of `incident` is held in, or why it has none: security incidents use
/// their own channel (an event shows its name to everyone who can view its channel).
fn meeting_channel(app: &App, incident: &Incident) -> Result<ChannelId, NoEvent> {
    let pm = &app.settings.postmortem;
    match incident.kind {
        IncidentKind::Security => pm
            .security_meeting_channel
            .ok_or(NoEvent::SecurityChannelUnset),
        IncidentKind::Availability => pm.meeting_channel.ok_or(NoEvent::ChannelUnset),
    }
}

/// The line at the end of an event's description that finds it again.
fn marker(record: &IncidentRecord) -> String {
    format!("(ref: incident-bot post-mortem #{})", record.number)
}

/// The event's name and description, from `event.hbs`: a security incident's say nothing but
/// its number. The marker that finds the event again ends the description.
fn event_text(app: &App, record: &IncidentRecord) -> Result<(String, String), JobError> {
    let i = &record.incident;
    let number = record.number.0;
    let open = i.kind == IncidentKind::Availability;
    let name = EventText::MeetingName {
        number,
        title: open.then(|| i.title.to_string()),
    };
    let description = EventText::MeetingDescription {
        number,
        severity: open.then(|| i.severity.to_string()),
        systems: cap(&i.systems.display(), 600),
    };
    let said = |view: &EventText| {
        app.templates
            .render(TemplateName::Event, view)
            .map_err(|e| JobError::Fatal(e.into()))
    };
    Ok((
        cap(&said(&name)?, 100),
        format!("{}\n\n{}", said(&description)?, marker(record)),
    ))
}

/// A refusal from Discord as the notice says it: the bot's own sentence about a missing
/// permission as written (its links work), anything else, which quotes Discord, as text.
fn refusal(app: &App, e: &ChatError) -> NoEvent {
    let why = match e {
        ChatError::Forbidden(refused) => {
            let said = crate::app::said_forbidden(&app.templates, refused);
            Markup::raw(said.trim_end_matches('.'))
        }
        other => Markup::text(&other.to_string()),
    };
    NoEvent::Refused { why }
}

/// Why no event can be held in a channel.
fn unfit(why: PlaceError) -> NoEvent {
    match why {
        PlaceError::NotVoice(c) => NoEvent::NotVoice {
            channel: channel_link(c),
        },
        PlaceError::Public(c) => NoEvent::Public {
            channel: channel_link(c),
        },
        PlaceError::NotSecurityOnly(c) => NoEvent::NotSecurityOnly {
            channel: channel_link(c),
        },
    }
}

/// Where the meeting is held: its event and channel, or why there is no event.
type Held = Result<(EventId, ChannelId), NoEvent>;

impl Performer {
    /// Performs [`Effect::SyncMeeting`].
    pub(in crate::app) async fn sync_meeting(
        &self,
        job: &Job,
        call: Option<MeetingCall>,
    ) -> Result<(), JobError> {
        let _one_at_a_time = self.one_at_a_time(super::jobs::locks::MEETINGS).await?;
        let record = self.incident(job).await?;
        let pm = self
            .app
            .db
            .postmortem(record.id)
            .await?
            .ok_or_else(|| JobError::fatal("the incident has no post-mortem"))?;
        let known = match pm.meeting_event {
            Some(id) => self.chat.meeting(id).await?,
            None => self.chat.find_meeting(&marker(&record)).await?,
        };
        if pm.done_at.is_some() {
            if let Some(m) = known {
                if let Some(end) = m.status.ending() {
                    self.chat.set_meeting_status(m.id, end).await?;
                }
            }
            return Ok(());
        }
        let Some(at) = pm.meeting_at else {
            return Ok(());
        };
        let held = self.hold(&record, at, known).await?;
        if let Ok((event, _)) = &held {
            if pm.meeting_event != Some(*event) {
                let mut tx = self.app.db.begin().await?;
                tx.set_meeting_event(record.id, Some(*event)).await?;
                tx.commit().await?;
            }
        }
        if let Some(call) = call {
            self.call(job, &record, &pm, at, held, call).await?;
        }
        Ok(())
    }

    /// Creates or moves the event, or says why there is none; a passing Discord failure is a
    /// retry.
    async fn hold(
        &self,
        record: &IncidentRecord,
        at: DateTime<Utc>,
        known: Option<Meeting>,
    ) -> Result<Held, JobError> {
        let settings = &self.app.settings;
        let security = record.incident.kind == IncidentKind::Security;
        let channel = match meeting_channel(&self.app, &record.incident) {
            Ok(c) => c,
            Err(why) => {
                self.call_off_if(security, known).await?;
                return Ok(Err(why));
            }
        };
        let place = match self.chat.meeting_place(channel).await {
            Ok(p) => p,
            Err(e @ ChatError::Unavailable { .. }) => return Err(e.into()),
            Err(e) => return Ok(Err(refusal(&self.app, &e))),
        };
        if let Err(why) = place.check(channel, security.then_some(settings.roles.security)) {
            self.call_off_if(security, known).await?;
            return Ok(Err(unfit(why)));
        }
        let (name, description) = event_text(&self.app, record)?;
        let spec = NewMeeting {
            name,
            description,
            channel,
            place: place.kind,
            start: at,
            end: at + delta(settings.postmortem.meeting_length),
        };
        let outcome = match known.filter(|m| m.status.ending().is_some()) {
            // A meeting under way is not moved.
            Some(m) if m.status == EventStatus::Active => Ok(m.id),
            // Moved, renamed or taken to another channel (an incident that became a security
            // one): the event is edited in place.
            Some(m) if m.start == at && m.name == spec.name && m.channel == Some(channel) => {
                Ok(m.id)
            }
            Some(m) => self.chat.move_meeting(m.id, &spec).await.map(|()| m.id),
            None if at <= self.app.clock.now() => return Ok(Err(NoEvent::TimePassed)),
            None => self.chat.create_meeting(&spec).await,
        };
        match outcome {
            Ok(id) => Ok(Ok((id, channel))),
            Err(e @ ChatError::Unavailable { .. }) => Err(e.into()),
            Err(e) => Ok(Err(refusal(&self.app, &e))),
        }
    }

    /// Ends the event `known` of a security incident that has nowhere private to meet: its name
    /// and channel were chosen for an availability incident, and people the security channel
    /// excludes can see it.
    async fn call_off_if(&self, security: bool, known: Option<Meeting>) -> Result<(), JobError> {
        let Some(m) = known.filter(|_| security) else {
            return Ok(());
        };
        if let Some(end) = m.status.ending() {
            self.chat.set_meeting_status(m.id, end).await?;
        }
        Ok(())
    }

    /// The people of `users` who are staff now (a team role, or a `[postmortem] participants`
    /// role): the timeline lists the authors of pinned messages too, who may be players.
    /// Asked through the port when the call is made, since only the guild knows a member's
    /// roles, and they change.
    async fn staff(&self, users: &[UserId]) -> Result<Vec<UserId>, JobError> {
        let team = team(&self.app);
        let extra = &self.app.settings.postmortem.participants;
        let mut staff = Vec::new();
        for user in users {
            if let Some(member) = self.chat.member(*user).await? {
                if is_staff(&member.roles, &team, extra) {
                    staff.push(*user);
                }
            }
        }
        Ok(staff)
    }

    /// Posts the call to the meeting in the incident channel, pinging the participants.
    async fn call(
        &self,
        job: &Job,
        record: &IncidentRecord,
        pm: &Postmortem,
        at: DateTime<Utc>,
        held: Held,
        call: MeetingCall,
    ) -> Result<MessageId, JobError> {
        let guild = self.app.settings.discord.guild_id;
        let users = self.staff(&call.users).await?;
        let mentions: Vec<String> = users
            .iter()
            .map(|u| mention(*u).to_string())
            .chain(call.roles.iter().map(|r| format!("<@&{r}>")))
            .collect();
        let (event, no_event) = match held {
            Ok((id, channel)) => (
                Some(MeetingEvent {
                    channel: Markup::raw(format!("<#{channel}>")),
                    link: Markup::raw(format!("https://discord.com/events/{guild}/{id}")),
                }),
                None,
            ),
            Err(why) => (None, Some(why)),
        };
        let view = MeetingNotice {
            ping: (!mentions.is_empty()).then(|| Markup::raw(mentions.join(" "))),
            moved: call.moved,
            at: Markup::raw(format!("<t:{}:F> (", at.timestamp()))
                .push(relative(at))
                .raw_then(")"),
            event,
            no_event,
            late: call.late_by.map(|by| MeetingLate {
                due_at: timestamp(pm.due_at),
                allowed_by: mention(by),
            }),
        };
        let content = super::render(&self.app, TemplateName::Meeting, &view)
            .map_err(|e| JobError::Fatal(e.into()))?;
        let message = Outgoing {
            channel: self.channel_of(record).await?,
            content,
            ping_roles: call.roles,
            ping_users: users,
            nonce: job.id.0.to_string(),
            attachment: None,
            buttons: vec![],
            menu: None,
        };
        Ok(self.chat.post(&message).await?)
    }
}

/// Queues a sync of the meeting's event after the incident's kind changed, when a meeting is
/// set and not done: its name, description and channel follow the kind (a security incident's
/// event says only its number and meets in `[postmortem] security_meeting_channel`, or is
/// called off).
pub(in crate::app) async fn kind_changed(
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
) -> Result<(), crate::store::Error> {
    let pending = tx
        .postmortem(record.id)
        .await?
        .is_some_and(|pm| pm.meeting_at.is_some() && pm.done_at.is_none());
    if pending {
        outbox
            .push(tx, Effect::SyncMeeting { notice: None })
            .await?;
    }
    Ok(())
}

/// Queues the end of the meeting's event (completed if it ran, canceled if it never started),
/// when a meeting was set.
pub(in crate::app) async fn end_meeting(
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    pm: &Postmortem,
) -> Result<bool, crate::store::Error> {
    if pm.meeting_at.is_none() {
        return Ok(false);
    }
    outbox
        .push(tx, Effect::SyncMeeting { notice: None })
        .await?;
    Ok(true)
}
