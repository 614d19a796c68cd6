//! An acknowledgement in PagerDuty, heard through its webhook: said on the timeline once,
//! escalation inside Discord stopped, and command offered when nobody holds it.

use chrono::{DateTime, Utc};

use super::parse_page_key;
use crate::app::effects::{Outbox, Target};
use crate::app::{kinds, App, AppError, Button, ButtonStyle, Clicked, Effect};
use crate::domain::{
    Actor, Candidate, Command, EntryKind, IncidentId, IncidentRole, TimelineEntry, UserId,
};
use crate::render::{mention, Markup, PageAckEntry, PageAcknowledged, PageView, TemplateName};

/// An acknowledgement, as PagerDuty's webhook tells it (parsed at the edge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledged {
    /// The webhook event's id: taken once.
    pub event: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The page's key (PagerDuty's incident key), which names our incident and round.
    pub key: String,
    /// Who acknowledged: their PagerDuty user id, when a user did.
    pub user: Option<String>,
    /// Their name in PagerDuty, when the webhook gives one.
    pub name: Option<String>,
}

/// What became of an acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckOutcome {
    /// Written on the timeline.
    Taken,
    /// This event was taken before: nothing changed.
    Duplicate,
    /// Not a page of ours, or one acknowledged already: nothing changed.
    Ignored,
}

/// Takes an acknowledgement: once per event id (remembered until `until`), once per page.
pub async fn acknowledged(
    app: &App,
    ack: &Acknowledged,
    until: DateTime<Utc>,
) -> Result<AckOutcome, AppError> {
    let Some((incident, round)) = parse_page_key(&ack.key) else {
        return Ok(AckOutcome::Ignored);
    };
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !tx.take_event("pagerduty", &ack.event, now, until).await? {
        return Ok(AckOutcome::Duplicate);
    }
    let (Some(record), Some(mut state)) =
        (tx.incident(incident).await?, tx.page_state(incident).await?)
    else {
        tx.commit().await?;
        return Ok(AckOutcome::Ignored);
    };
    if state.round != round || state.acknowledged_at.is_some() {
        tx.commit().await?;
        return Ok(AckOutcome::Ignored);
    }
    state.acknowledged_at = Some(ack.at);
    state.acknowledged_by = ack.user.clone();
    tx.save_page_state(incident, &state).await?;
    let member = mapped(app, ack);
    let who = member
        .map(mention)
        .or_else(|| ack.name.as_deref().map(Markup::text));
    // The timeline keeps plain text (escaped where it is shown): the name goes as PagerDuty
    // gave it.
    let plain = member
        .map(mention)
        .or_else(|| ack.name.as_deref().map(Markup::raw));
    let entry = TimelineEntry {
        at: ack.at,
        actor: member,
        kind: EntryKind::Bot,
        text: words(
            app,
            PageView {
                ack_entry: Some(PageAckEntry { who: plain }),
                ..PageView::default()
            },
        )?,
        source_message: None,
    };
    tx.append_timeline(incident, &[entry]).await?;
    // Someone answered the page: Discord stops escalating.
    tx.cancel_jobs(incident, &[kinds::ESCALATE], now).await?;
    let origin = format!("pagerduty:{}", ack.event);
    let mut outbox = Outbox::new(&origin, incident, now);
    let post = notice(app, incident, &record, who)?;
    outbox.push(&mut tx, post).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(AckOutcome::Taken)
}

/// The notice in the incident channel: who acknowledged, and **Take command** when nobody
/// holds it.
fn notice(
    app: &App,
    incident: IncidentId,
    record: &crate::store::IncidentRecord,
    who: Option<Markup>,
) -> Result<Effect, AppError> {
    let view = PageView {
        acknowledged: Some(PageAcknowledged {
            who,
            nobody_commands: record.incident.roles.commander.is_none(),
        }),
        ..PageView::default()
    };
    let content = words(app, view)?;
    let buttons = if record.incident.roles.commander.is_none() {
        vec![Button {
            custom_id: format!("{}:{}", super::TAKE_COMMAND_BUTTON, incident.0),
            label: app.templates.label(&crate::render::Label::TakeCommand),
            style: ButtonStyle::Primary,
        }]
    } else {
        vec![]
    };
    let post = Effect::Post {
        to: Target::IncidentChannel,
        content,
        ping_roles: vec![],
        file: None,
        buttons,
    };
    Ok(post)
}

/// The Discord member `[page_out.pagerduty] users` maps the acknowledging user to.
fn mapped(app: &App, ack: &Acknowledged) -> Option<UserId> {
    let users = &app.settings.page_out.pagerduty.as_ref()?.users;
    users.get(ack.user.as_deref()?).copied()
}

/// `page.hbs` with `view`.
fn words(app: &App, view: PageView) -> Result<String, AppError> {
    crate::app::render(app, TemplateName::Page, &view)
}

/// **Take command**, pressed under an acknowledgement: the presser becomes the commander, as
/// `/incident assign` would make them.
pub async fn take_command(
    app: &App,
    actor: &Actor,
    incident: IncidentId,
    origin: &str,
) -> Result<Clicked, AppError> {
    let found = app
        .db
        .incident(incident)
        .await?
        .ok_or(crate::domain::Refusal::IncidentGone)?;
    let args = crate::app::ChangeArgs {
        command: Command::Assign {
            role: IncidentRole::Commander,
            user: actor.user,
        },
        assignee: Some(Candidate {
            user: actor.user,
            roles: actor.roles.clone(),
            bot: false,
        }),
        translations: Default::default(),
    };
    let changed = crate::app::lifecycle::change_incident(app, actor, found, origin, args).await?;
    let view = PageView {
        took_command: Some(crate::render::TookCommand {
            who: mention(actor.user),
            number: changed.record.number.0,
        }),
        ..PageView::default()
    };
    Ok(Clicked {
        content: crate::app::render(app, TemplateName::Page, &view)?,
        buttons: vec![],
        menu: None,
    })
}
