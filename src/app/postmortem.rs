//! The post-mortem workflow: the decision at resolve, `/postmortem …`, and the fix check.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::lifecycle::incident_here;
use super::App;
use super::{audit, reminders, team, AppError, Effect, Outbox};
use crate::domain::{
    self, parse_field, Action, ActionKind, Actor, ChannelId, EarlierIncident, EntryKind, FreeText,
    LessonKind, PostmortemDecision, ShortText, TimelineEntry, UserId,
};
use crate::render::{mention, timestamp, Markup, Notice, PostmortemDecided, TemplateName};
use crate::store::{ActionItem, IncidentRecord, Lesson, Tx};

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
        /// Which of the plan's three groups.
        kind: ActionKind,
        /// What is to be done (for a fix: what was done).
        text: String,
        /// Who owns it (for a fix: who did it).
        owner: Option<UserId>,
    },
    /// Add a lesson learned.
    Lesson {
        /// Went well or badly.
        kind: LessonKind,
        /// What was learned.
        text: String,
    },
    /// Set or move the review meeting.
    Schedule {
        /// When, as typed.
        when: String,
        /// A commander allows a time after the post-mortem's deadline.
        after_deadline: bool,
    },
    /// Start a post-mortem the policy does not require.
    Start,
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
    let (decided, reply) = match &decision {
        PostmortemDecision::Required { reason, due_at } => {
            tx.insert_postmortem(record.id, reason, *due_at).await?;
            reminders::schedule_postmortem(app, tx, outbox, *due_at).await?;
            (
                PostmortemDecided {
                    due_at: Some(timestamp(*due_at)),
                    reason: reason.clone(),
                },
                format!("A post-mortem is due {}.", timestamp(*due_at)),
            )
        }
        PostmortemDecision::NotRequired { reason } => (
            PostmortemDecided {
                due_at: None,
                reason: reason.clone(),
            },
            String::new(),
        ),
    };
    let view = Notice::from(decided);
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
    match args {
        PostmortemArgs::Draft => return draft(app, &record, origin, now).await,
        PostmortemArgs::Start => {
            return super::postmortem_start::start(app, actor, &record, origin, now).await
        }
        _ => {}
    }
    let no_postmortem = || {
        AppError::user(format!(
            "Incident #{} has no post-mortem to track: one is required for every P0 and a recurring P1, decided at resolve. Start one anyway with `/postmortem start`; `/postmortem draft` works without one.",
            record.number
        ))
    };
    // Read, change and write the record in one transaction: `done` and `impact` at the same
    // time must not undo each other.
    let mut tx = app.db.begin().await?;
    let mut pm = tx.postmortem(record.id).await?.ok_or_else(no_postmortem)?;
    let mut outbox = Outbox::new(origin, record.id, now);
    let mut note = None;
    let mut detail = json!({});
    let (action, reply) = match args {
        PostmortemArgs::Draft | PostmortemArgs::Start => unreachable!("handled above"),
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
        PostmortemArgs::Action { kind, text, owner } => {
            let text = FreeText::parse(&text)?;
            // A TODO without an owner is nobody's: it is the asker's unless they name one.
            let owner = match kind {
                ActionKind::Fix => owner,
                ActionKind::Prevent | ActionKind::Process => Some(owner.unwrap_or(actor.user)),
            };
            tx.add_action(
                record.id,
                &ActionItem {
                    kind: Some(kind),
                    text: text.to_string(),
                    owner,
                    created_at: now,
                },
                actor.user,
            )
            .await?;
            detail = json!({ "kind": kind.as_str() });
            note = Some(format!(
                "Post-mortem: Action item added under \"{}\"",
                kind.heading()
            ));
            let reply = match (kind, owner) {
                (ActionKind::Fix, _) => {
                    format!("Recorded under \"{}\" in the draft.", kind.heading())
                }
                (_, Some(o)) if o == actor.user => format!(
                    "Added under \"{}\", owned by you (name someone else with `owner`).",
                    kind.heading()
                ),
                (_, o) => format!(
                    "Added under \"{}\", owned by {}.",
                    kind.heading(),
                    o.map_or_else(|| Markup::raw("nobody"), mention)
                ),
            };
            ("postmortem_action", reply)
        }
        PostmortemArgs::Lesson { kind, text } => {
            let text = FreeText::parse(&text)?;
            tx.add_lesson(
                record.id,
                &Lesson {
                    kind,
                    text: text.to_string(),
                    by: actor.user,
                    created_at: now,
                },
            )
            .await?;
            let half = match kind {
                LessonKind::WentWell => "What went well",
                LessonKind::WentBadly => "What didn't",
            };
            detail = json!({ "kind": kind.as_str() });
            note = Some(format!(
                "Post-mortem: Lesson learned added under \"{half}\""
            ));
            (
                "postmortem_lesson",
                format!("Added to \"Lessons learned\" under \"{half}\" in the draft."),
            )
        }
        PostmortemArgs::Schedule {
            when,
            after_deadline,
        } => {
            let done = super::meeting::schedule(
                app,
                &mut tx,
                &mut outbox,
                actor,
                &record,
                &mut pm,
                &when,
                after_deadline,
                now,
            )
            .await?;
            note = Some(done.note);
            detail = done.detail;
            ("postmortem_schedule", done.reply)
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
            let meeting = super::meeting::end_meeting(&mut tx, &mut outbox, &pm).await?;
            note = Some("Post-mortem: Marked done".to_owned());
            (
                "postmortem_done",
                if meeting {
                    "Post-mortem marked done; its reminders are cancelled, and the meeting's \
                     event is ended (completed if it ran, canceled if it never started)."
                } else {
                    "Post-mortem marked done; its reminders are cancelled."
                }
                .to_owned(),
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
        detail,
    )
    .await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(reply)
}

/// `/postmortem draft`: queues the job that renders the draft as it stands then, naming people
/// as the guild knows them, and posts it as a file in the channel.
async fn draft(
    app: &App,
    record: &IncidentRecord,
    origin: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let mut tx = app.db.begin().await?;
    let mut outbox = Outbox::new(origin, record.id, now);
    outbox.push(&mut tx, Effect::PostDraft).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(format!(
        "The draft `{}` is being posted in this channel.",
        super::postmortem_draft::filename(record)
    ))
}
