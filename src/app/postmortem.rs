//! The post-mortem workflow: the decision at resolve, `/postmortem …`, and the fix check.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::lifecycle::incident_here;
use super::App;
use super::{audit, reminders, team, AppError, Clicked, Effect, Outbox, Target, TextFile};
use crate::domain::{
    self, parse_field, parse_when, Action, Actor, ChannelId, EarlierIncident, EntryKind, FreeText,
    IncidentId, PostmortemDecision, ShortText, Status, TimelineEntry, UserId,
};
use crate::render::{
    full_date, human, mention, timestamp, ActionLine, Markup, Notice, PhaseLine, PostmortemDraft,
    TemplateName, TimelineLine,
};
use crate::store::{ActionItem, IncidentRecord, Tx};

/// `/postmortem …`, as parsed at the edge.
#[derive(Debug, Clone)]
pub enum PostmortemArgs {
    /// Render the draft and post it as a file.
    Draft,
    /// Record the impact.
    Impact {
        /// Users affected.
        users: Option<i64>,
        /// Downtime in minutes.
        downtime_minutes: Option<i64>,
        /// Revenue impact, as written.
        revenue: Option<String>,
    },
    /// Add an action item.
    Action {
        /// What is to be done.
        text: String,
        /// Who owns it.
        owner: Option<UserId>,
    },
    /// Record the review meeting.
    Schedule {
        /// When, as typed.
        when: String,
    },
    /// Mark it done.
    Done {
        /// Where it is written up.
        link: String,
    },
}

/// Decides at resolve whether a post-mortem is required, says why in the channel, and if so
/// records it and schedules its reminders. Returns a sentence for the resolver.
pub(super) async fn on_resolve(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    earlier: &[EarlierIncident],
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let i = &record.incident;
    let decision = app.settings.postmortem_policy().decide(
        i.severity,
        &i.systems,
        i.declared_at,
        now,
        earlier,
    );
    let (headline, reply) = match &decision {
        PostmortemDecision::Required { reason, due_at } => {
            tx.insert_postmortem(record.id, reason, *due_at).await?;
            reminders::schedule_postmortem(app, tx, outbox, *due_at).await?;
            (
                // The reason names the systems people typed: it goes in as text.
                Markup::raw(format!(
                    "Post-mortem required, due {}: ",
                    timestamp(*due_at)
                ))
                .text_then(reason),
                format!("A post-mortem is due {}.", timestamp(*due_at)),
            )
        }
        PostmortemDecision::NotRequired { reason } => (
            Markup::raw("No post-mortem required: ").text_then(reason),
            String::new(),
        ),
    };
    let view = Notice {
        ping: None,
        icon: "📝".to_owned(),
        headline,
        body: None,
    };
    outbox.say_here(super::render(app, TemplateName::Notice, &view)?, vec![]);
    Ok(reply)
}

/// Runs `/postmortem …` in the incident channel `channel`.
#[tracing::instrument(skip_all, fields(origin = origin))]
pub async fn postmortem(
    app: &App,
    actor: &Actor,
    channel: ChannelId,
    origin: &str,
    args: PostmortemArgs,
) -> Result<String, AppError> {
    let record = incident_here(app, actor, channel).await?;
    actor.may(Action::Work, &team(app), record.incident.roles.commander)?;
    let now = app.clock.now();
    if let PostmortemArgs::Draft = args {
        return draft(app, &record, origin, now).await;
    }
    let no_postmortem = || {
        AppError::user(format!(
            "Incident #{} has no post-mortem to track: one is required for every P0 and a recurring P1, decided at resolve. `/postmortem draft` still works if you want one.",
            record.number
        ))
    };
    // Read, change and write the record in one transaction: `done` and `impact` at the same
    // time must not undo each other.
    let mut tx = app.db.begin().await?;
    let mut pm = tx.postmortem(record.id).await?.ok_or_else(no_postmortem)?;
    let mut note = None;
    let (action, reply) = match args {
        PostmortemArgs::Draft => unreachable!("handled above"),
        PostmortemArgs::Impact {
            users,
            downtime_minutes,
            revenue,
        } => {
            if users.is_none() && downtime_minutes.is_none() && revenue.is_none() {
                return Err(AppError::user(
                    "Give at least one of users, downtime_minutes or revenue.",
                ));
            }
            let users = users.map(domain::users_affected).transpose()?;
            let downtime = downtime_minutes.map(domain::downtime_minutes).transpose()?;
            let revenue = revenue.as_deref().map(ShortText::parse).transpose()?;
            pm.users_affected = users.or(pm.users_affected);
            pm.downtime_minutes = downtime.or(pm.downtime_minutes);
            pm.revenue = revenue.map(String::from).or(pm.revenue);
            tx.save_postmortem(&pm).await?;
            (
                "postmortem_impact",
                "Impact recorded; it goes into the draft.".to_owned(),
            )
        }
        PostmortemArgs::Action { text, owner } => {
            let text = FreeText::parse(&text)?;
            tx.add_action(
                record.id,
                &ActionItem {
                    text: text.to_string(),
                    owner,
                    created_at: now,
                },
                actor.user,
            )
            .await?;
            ("postmortem_action", "Action item added.".to_owned())
        }
        PostmortemArgs::Schedule { when } => {
            let at = parse_when(&when, now)?;
            pm.meeting_at = Some(at);
            tx.save_postmortem(&pm).await?;
            // The timeline is read in the draft, a file: a full date, not a Discord tag.
            note = Some(format!(
                "Post-mortem: Review meeting set for {}",
                full_date(at)
            ));
            (
                "postmortem_schedule",
                format!("Review meeting set for {}.", timestamp(at)),
            )
        }
        PostmortemArgs::Done { link } => {
            let link = parse_field("The link", &link, 500, false)?;
            if !(link.starts_with("https://") || link.starts_with("http://"))
                || link.contains(char::is_whitespace)
            {
                return Err(AppError::user("The link must be a web address, such as https://wiki.example.com/postmortems/42."));
            }
            pm.done_at = Some(now);
            pm.link = Some(link);
            tx.save_postmortem(&pm).await?;
            tx.cancel_jobs(
                record.id,
                &[
                    super::kinds::POSTMORTEM_REMINDER,
                    super::kinds::POSTMORTEM_OVERDUE,
                ],
                now,
            )
            .await?;
            (
                "postmortem_done",
                "Post-mortem marked done; its reminders are cancelled.".to_owned(),
            )
        }
    };
    let entry = TimelineEntry::by(
        actor.user,
        now,
        EntryKind::Note,
        note.unwrap_or_else(|| format!("Post-mortem: {}", reply.trim_end_matches('.'))),
    );
    tx.append_timeline(record.id, &[entry]).await?;
    audit(
        &mut tx,
        app,
        record.guild_id,
        actor,
        record.id,
        action,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(reply)
}

/// Renders the draft from everything recorded, and queues it as a file in the channel.
async fn draft(
    app: &App,
    record: &IncidentRecord,
    origin: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let i = &record.incident;
    let pm = app.db.postmortem(record.id).await?;
    let timeline = app.db.timeline(record.id).await?;
    let actions = app.db.actions(record.id).await?;
    let ticks = app.db.ticks(record.id).await?;
    let end = i.resolved_at.unwrap_or(now);
    let view = PostmortemDraft {
        number: record.number.0,
        title: i.title.to_string(),
        severity: i.severity.to_string(),
        kind: i.kind.to_string(),
        systems: i.systems.display(),
        declared_at: full_date(i.declared_at),
        resolved_at: i
            .resolved_at
            .map_or_else(|| "not yet resolved".to_owned(), full_date),
        time_to_resolve: human(end - i.declared_at),
        due_at: pm
            .as_ref()
            .map_or_else(|| "not required".to_owned(), |p| full_date(p.due_at)),
        meeting_at: pm.as_ref().and_then(|p| p.meeting_at).map(full_date),
        summary: i.summary.as_ref().map(ToString::to_string),
        users_affected: pm.as_ref().and_then(|p| p.users_affected),
        downtime: pm
            .as_ref()
            .and_then(|p| p.downtime_minutes)
            // A row from before the bound may hold any number: never panic on it.
            .map(|m| {
                chrono::TimeDelta::try_minutes(m).map_or_else(|| format!("{m} minutes"), human)
            }),
        revenue: pm.as_ref().and_then(|p| p.revenue.clone()),
        timeline: timeline
            .iter()
            .map(|e| TimelineLine {
                at: full_date(e.at),
                actor: e.actor.map_or_else(|| Markup::raw("bot"), mention),
                text: if e.kind == EntryKind::RoleAssigned {
                    // Built by the domain from mentions and a role's name only.
                    Markup::raw(e.text.clone())
                } else {
                    Markup::text(&e.text)
                },
            })
            .collect(),
        phases: i
            .phases
            .iter()
            .map(|s| PhaseLine {
                title: s.phase.to_string(),
                duration: human(s.ended_at.unwrap_or(now) - s.started_at),
            })
            .collect(),
        checklists: super::checklists::reports(app, i, &ticks),
        root_cause: i.root_cause.as_ref().map(ToString::to_string),
        actions: actions
            .iter()
            .map(|a| ActionLine {
                text: a.text.clone(),
                owner: a.owner.map(mention),
            })
            .collect(),
    };
    let text = super::render(app, TemplateName::Postmortem, &view)?;
    let filename = format!("postmortem-incident-{}.md", record.number);
    let mut tx = app.db.begin().await?;
    let mut outbox = Outbox::new(origin, record.id, now);
    let content = format!("📝 Post-mortem draft for incident #{}: fill in the 5 whys, the action items and the lessons learned.", record.number);
    outbox
        .push(
            &mut tx,
            Effect::Post {
                to: Target::IncidentChannel,
                content,
                ping_roles: vec![],
                file: Some(TextFile {
                    filename: filename.clone(),
                    text,
                }),
                buttons: vec![],
            },
        )
        .await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(format!(
        "The draft `{filename}` is being posted in this channel."
    ))
}

/// Records that the fix held (the button under the fix check). Returns the new message text.
#[tracing::instrument(skip_all)]
pub async fn confirm_fix(
    app: &App,
    actor: &Actor,
    incident: IncidentId,
) -> Result<Clicked, AppError> {
    let record = app
        .db
        .incident(incident)
        .await?
        .ok_or_else(|| AppError::user("That incident no longer exists."))?;
    actor.may(Action::Work, &team(app), record.incident.roles.commander)?;
    let now = app.clock.now();
    let entry = TimelineEntry::by(
        actor.user,
        now,
        EntryKind::Note,
        "Fix verified: error rates and user reports are normal",
    );
    let mut tx = app.db.begin().await?;
    // Judged on what the transaction sees: a close that raced the click wins.
    let current = tx
        .incident(record.id)
        .await?
        .ok_or_else(|| AppError::user("That incident no longer exists."))?;
    if current.incident.status == Status::Closed {
        return Err(AppError::user(format!(
            "Incident #{} is closed, and its fix check ended with it: nothing was recorded. \
             Declare a new incident if the problem is back.",
            current.number
        )));
    }
    tx.append_timeline(record.id, &[entry]).await?;
    audit(
        &mut tx,
        app,
        record.guild_id,
        actor,
        record.id,
        "verify_fix",
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(Clicked {
        content: format!(
            "✅ Fix verified by {} at {}. It is on the timeline.",
            mention(actor.user),
            timestamp(now)
        ),
        buttons: vec![],
    })
}
