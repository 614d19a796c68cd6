//! The post-mortem workflow: the decision at resolve, `/postmortem …`, and the fix check.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::lifecycle::incident_here;
use super::App;
use super::{audit, reminders, team, AppError, Effect, Outbox};
use crate::domain::{
    self, parse_field, Action, ActionKind, Actor, ChannelId, EarlierIncident, EntryKind, FreeText,
    LessonKind, PostmortemDecision, Refusal, ShortText, TimelineEntry, UserId,
};
use crate::render::{
    mention, timestamp, ActionAnswer, Answer, DoneAnswer, DraftAnswer, ImpactAnswer, LessonAnswer,
    Markup, Notice, PostmortemDecided, PostmortemDid, PostmortemDue, TemplateName, TimelineView,
};
use crate::store::{ActionItem, IncidentRecord, Lesson, Postmortem, Tx};

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
        /// Mark it done even while action items have no ticket in the tracker yet.
        without_tickets: bool,
    },
}

/// Decides at resolve whether a post-mortem is required, says why in the channel, and if so
/// records it and schedules its reminders. Returns a sentence for the resolver.
pub(in crate::app) async fn on_resolve(
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
            let reason = super::render(app, TemplateName::PostmortemReason, reason)?;
            reminders::schedule_postmortem(app, tx, outbox, *due_at).await?;
            (
                PostmortemDecided {
                    due_at: Some(timestamp(*due_at)),
                    reason,
                },
                super::answer(
                    app,
                    Answer {
                        postmortem_due: Some(PostmortemDue {
                            due_at: timestamp(*due_at),
                        }),
                        ..Answer::default()
                    },
                )?,
            )
        }
        PostmortemDecision::NotRequired { reason } => (
            PostmortemDecided {
                due_at: None,
                reason: super::render(app, TemplateName::PostmortemReason, reason)?,
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
    let tracked = || Tracked::open(app, actor, &record, origin, now);
    match args {
        PostmortemArgs::Draft => draft(app, &record, origin, now).await,
        PostmortemArgs::Start => super::start::start(app, actor, &record, origin, now).await,
        PostmortemArgs::Impact {
            users,
            downtime_minutes,
            revenue,
        } => impact(tracked().await?, users, downtime_minutes, revenue).await,
        PostmortemArgs::Action { kind, text, owner } => {
            add_action(tracked().await?, kind, text, owner).await
        }
        PostmortemArgs::Lesson { kind, text } => add_lesson(tracked().await?, kind, text).await,
        PostmortemArgs::Schedule {
            when,
            after_deadline,
        } => schedule(tracked().await?, when, after_deadline).await,
        PostmortemArgs::Done {
            link,
            without_tickets,
        } => {
            let missing = crate::app::tickets::actions_without_ticket(app, &record).await?;
            if missing > 0 && !without_tickets {
                return Err(AppError::User(Refusal::ActionsWithoutTicket { missing }));
            }
            done(tracked().await?, link).await
        }
    }
}

/// A `/postmortem …` run that changes the post-mortem the incident tracks. It reads, changes
/// and writes the record in one transaction: `done` and `impact` at the same time must not undo
/// each other.
struct Tracked<'a> {
    app: &'a App,
    actor: &'a Actor,
    record: &'a IncidentRecord,
    now: DateTime<Utc>,
    tx: Tx,
    pm: Postmortem,
    outbox: Outbox<'a>,
}

/// What a change to the post-mortem did: for the audit log, the timeline and the reply.
struct Recorded {
    /// The audit log's action.
    action: &'static str,
    /// The answer to whoever ran the command.
    reply: String,
    /// The timeline's note; without one, the reply says it.
    note: Option<PostmortemDid>,
    /// The audit log's detail.
    detail: serde_json::Value,
}

impl<'a> Tracked<'a> {
    /// Begins the transaction and reads the post-mortem, refusing when there is none.
    async fn open(
        app: &'a App,
        actor: &'a Actor,
        record: &'a IncidentRecord,
        origin: &'a str,
        now: DateTime<Utc>,
    ) -> Result<Self, AppError> {
        let no_postmortem = Refusal::NoPostmortem {
            number: record.number,
        };
        let mut tx = app.db.begin().await?;
        let pm = tx.postmortem(record.id).await?.ok_or(no_postmortem)?;
        let outbox = Outbox::new(origin, record.id, now);
        Ok(Self {
            app,
            actor,
            record,
            now,
            tx,
            pm,
            outbox,
        })
    }

    /// Notes the change in the timeline and the audit log, commits, and returns the reply.
    async fn close(self, done: Recorded) -> Result<String, AppError> {
        let Self {
            app,
            actor,
            record,
            now,
            mut tx,
            ..
        } = self;
        let Recorded {
            action,
            reply,
            note,
            detail,
        } = done;
        let did = note.unwrap_or_else(|| PostmortemDid::Noted {
            said: reply.trim_end_matches('.').to_owned(),
        });
        let text = super::render(
            app,
            TemplateName::Timeline,
            &TimelineView::Postmortem { did },
        )?;
        let entry = TimelineEntry::by(actor.user, now, EntryKind::Note, text);
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
}

/// `/postmortem impact`: records the users affected, the downtime and the revenue impact.
async fn impact(
    mut t: Tracked<'_>,
    users: Option<i64>,
    downtime_minutes: Option<i64>,
    revenue: Option<String>,
) -> Result<String, AppError> {
    let Tracked { tx, pm, .. } = &mut t;
    if users.is_none() && downtime_minutes.is_none() && revenue.is_none() {
        return Err(Refusal::NoImpactGiven.into());
    }
    let given = ImpactAnswer {
        users,
        downtime_minutes,
        revenue: revenue.clone(),
    };
    let users = users.map(domain::users_affected).transpose()?;
    let downtime = downtime_minutes.map(domain::downtime_minutes).transpose()?;
    let revenue = revenue.as_deref().map(ShortText::parse).transpose()?;
    pm.users_affected = users.or(pm.users_affected);
    pm.downtime_minutes = downtime.or(pm.downtime_minutes);
    pm.revenue = revenue.map(String::from).or(pm.revenue.take());
    tx.save_postmortem(pm).await?;
    let reply = super::answer(t.app, given)?;
    t.close(Recorded {
        action: "postmortem_impact",
        reply,
        note: None,
        detail: json!({}),
    })
    .await
}

/// `/postmortem action`: adds an action item, owned by the asker unless they name someone.
async fn add_action(
    mut t: Tracked<'_>,
    kind: ActionKind,
    text: String,
    owner: Option<UserId>,
) -> Result<String, AppError> {
    let Tracked {
        app,
        actor,
        record,
        now,
        tx,
        outbox,
        ..
    } = &mut t;
    let (actor, now) = (*actor, *now);
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
    crate::app::tickets::on_action(app, tx, outbox, record, kind).await?;
    let detail = json!({ "kind": kind.as_str() });
    let note = Some(PostmortemDid::ActionAdded {
        heading: kind.heading().to_owned(),
    });
    let added = ActionAnswer {
        heading: Markup::raw(kind.heading()),
        fix: kind == ActionKind::Fix,
        yours: owner == Some(actor.user),
        owner: owner.map(mention),
    };
    let reply = super::answer(t.app, added)?;
    t.close(Recorded {
        action: "postmortem_action",
        reply,
        note,
        detail,
    })
    .await
}

/// `/postmortem lesson`: adds a lesson learned, under what went well or what didn't.
async fn add_lesson(
    mut t: Tracked<'_>,
    kind: LessonKind,
    text: String,
) -> Result<String, AppError> {
    let Tracked {
        actor,
        record,
        now,
        tx,
        ..
    } = &mut t;
    let text = FreeText::parse(&text)?;
    tx.add_lesson(
        record.id,
        &Lesson {
            kind,
            text: text.to_string(),
            by: actor.user,
            created_at: *now,
        },
    )
    .await?;
    let half = match kind {
        LessonKind::WentWell => "What went well",
        LessonKind::WentBadly => "What didn't",
    };
    let detail = json!({ "kind": kind.as_str() });
    let note = Some(PostmortemDid::LessonAdded {
        went_well: kind == LessonKind::WentWell,
    });
    let reply = super::answer(t.app, LessonAnswer { half: half.into() })?;
    t.close(Recorded {
        action: "postmortem_lesson",
        reply,
        note,
        detail,
    })
    .await
}

/// `/postmortem schedule`: sets or moves the review meeting.
async fn schedule(
    mut t: Tracked<'_>,
    when: String,
    after_deadline: bool,
) -> Result<String, AppError> {
    let Tracked {
        app,
        actor,
        record,
        now,
        tx,
        pm,
        outbox,
    } = &mut t;
    let done = super::meeting::schedule(
        app,
        tx,
        outbox,
        actor,
        record,
        pm,
        &when,
        after_deadline,
        *now,
    )
    .await?;
    t.close(Recorded {
        action: "postmortem_schedule",
        reply: done.reply,
        note: Some(done.note),
        detail: done.detail,
    })
    .await
}

/// `/postmortem done`: marks the post-mortem done, cancels its reminders and ends its meeting.
async fn done(mut t: Tracked<'_>, link: String) -> Result<String, AppError> {
    let Tracked {
        record,
        now,
        tx,
        pm,
        outbox,
        ..
    } = &mut t;
    let now = *now;
    let link = parse_field("The link", &link, 500, false)?;
    if !(link.starts_with("https://") || link.starts_with("http://"))
        || link.contains(char::is_whitespace)
    {
        return Err(Refusal::LinkNotWeb.into());
    }
    pm.done_at = Some(now);
    pm.link = Some(link);
    tx.save_postmortem(pm).await?;
    tx.cancel_jobs(
        record.id,
        &[
            super::kinds::POSTMORTEM_REMINDER,
            super::kinds::POSTMORTEM_OVERDUE,
        ],
        now,
    )
    .await?;
    let meeting = super::meeting::end_meeting(tx, outbox, pm).await?;
    let ended = DoneAnswer {
        meeting_ended: meeting,
    };
    let reply = super::answer(t.app, ended)?;
    t.close(Recorded {
        action: "postmortem_done",
        reply,
        note: Some(PostmortemDid::Done),
        detail: json!({}),
    })
    .await
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
    let file = super::draft::filename(record);
    super::answer(app, DraftAnswer { file })
}
