//! Use cases: declare, change, note, status, and performing the side effects they queue.
//!
//! Each use case checks who is asking, applies the domain rules, and writes the new state, its
//! timeline entries, its audit entry and the jobs for every side effect in one transaction.
//! Nothing here knows serenity: Discord is reached through the [`Chat`] port, by jobs.

mod actions;
mod alerts_button;
mod context;
mod effects;
mod incident;
mod intake;
pub mod interactions;
mod jobs;
mod maintenance;
mod paging;
pub(crate) mod players;
mod ports;
mod postmortem;
mod signals;
mod social;
mod social_notices;
pub mod status_hooks;
mod tickets;
mod translation_drafts;

// The features' modules by their short names, for the use cases that call across features.
use incident::timeline_chart;
use incident::{
    channel, checklists, declare, flags, lifecycle, lockdown, notes, reminders, summary, waf,
};
#[cfg(test)]
use ports::recording;
use ports::{chat, public};
use postmortem::{meeting, workflow};

use serde_json::Value;

pub use actions::{
    answer_unknown, confirm_run, press_step, request_run, run_action, runnable, RunAsked,
    StepPress, AGAIN_BUTTON, RAN_BUTTON, RUN_BUTTON,
};
pub use alerts_button::{
    alerts_click, post_alerts_button, AlertPresses, ALERTS_BUTTON, LOG_EVERY, PRESSES, WINDOW,
};
pub use channel::{channel_name, channel_state, channel_topic, ChannelState};
pub use chat::{
    readable_error, readable_reason, said_forbidden, Attachment, Button, ButtonStyle,
    ChannelAccess, ChannelLabel, Chat, ChatError, Choice, Clicked, ExistingChannel, GuildMember,
    Meeting, Menu, NewChannel, NewExternalEvent, NewMeeting, Outgoing, TimedChat, MAX_BUTTONS,
    MAX_CHOICES,
};
pub use checklists::{tick, CheckClick, CHECK_BUTTON};
pub use context::{open_database, App, AppEvent};
pub use declare::{
    declare, ChannelCounts, DeclareArgs, Declared, CATEGORY_CHANNEL_BUDGET, GUILD_CHANNEL_BUDGET,
};
pub use effects::{kinds, Effect, MeetingCall, Outbox, Said, Target, TextFile};
pub use flags::{flag, FlagArgs};
pub use intake::{
    attach_card, card_of, card_view, declare_from_card, dismiss_card, player_said, receive,
    Received, ATTACH_MENU, DECLARE_BUTTON, DISMISS_BUTTON,
};
pub use jobs::{Performer, PUBLISH_BUDGET};
pub use lifecycle::{answer_fix_check, change, ChangeArgs, Changed, FixAnswer, Place};
pub use lockdown::{lockdown, unlock, unlock_click, LockdownArgs, UNLOCK_BUTTON};
pub use maintenance::{
    event_changed, maintenance, maintenance_click, MaintenanceArgs, MAINTENANCE_BUTTON,
};
pub use notes::{note_message, NotedMessage};
pub use paging::{
    acknowledged, page_key, take_command, AckOutcome, Acknowledged, TAKE_COMMAND_BUTTON,
};
pub use ports::actions::{ActionCall, ActionOutcome, ActionRunner};
pub use ports::lockdown::{Pauses, ServerGuard, MAX_PAUSE};
pub use ports::metrics_source::{MetricsError, MetricsSource, Series};
pub use ports::pager::{Page, PageAction, PageLink, Pager, Pagers};
pub use ports::roles::{RoleChange, RoleError};
pub use ports::social::{Draft, Sessions, Social, Thread};
pub use ports::status_hooks::{
    FeedItem, FeedPage, HookCall, PublicFeed, PublicState, StatusHookSender,
};
pub use ports::tracker::{NewTicket, Paragraph, Piece, Ticket, TicketKind, Tracker, TrackerError};
pub use ports::waf::{BlockRequest, Waf};
pub use public::PublicChanges;
pub use reminders::{FIX_FAILED_BUTTON, FIX_HELD_BUTTON};
pub use signals::discord_signal;
pub use social::{status_link, x_cap_reached, DbSessions, SOCIAL_POST};
pub use summary::{help, status, StatusReply};
pub use tickets::{marker, TicketStep};
pub use timeline_chart::{timeline_chart_click, TIMELINE_CHART_BUTTON};
pub use translation_drafts::{held_draft, hold_draft, keep_draft, release_draft, Gone, LIFETIME};
pub use waf::{block, unblock, BlockArgs};
pub use workflow::{postmortem, PostmortemArgs};

use crate::domain::{Actor, GuildId, IncidentId, Refusal, TeamRoles};
use crate::store::{AuditEntry, Tx};

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request was refused; nothing was written. The reason is rendered with
    /// `refusal.hbs` for the person who asked.
    #[error(transparent)]
    User(#[from] Refusal),
    /// Something broke; nothing was written. Logged with an error id.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
    /// The database is not answering (down, restarting, out of connections); nothing was
    /// written, and the same request will work once it answers again.
    #[error("the database is not answering: {0:#}")]
    Unavailable(anyhow::Error),
}

/// Domain refusals, carried as they are: the template words each.
macro_rules! refusals {
    ($($error:ty),+) => {$(
        impl From<$error> for AppError {
            fn from(e: $error) -> Self {
                Self::User(e.into())
            }
        }
    )+};
}

refusals!(
    crate::domain::NotAllowed,
    crate::domain::TextError,
    crate::domain::SystemsError,
    crate::domain::WhenError,
    crate::domain::EtaError,
    crate::domain::SinceError,
    crate::domain::MeetingError,
    crate::domain::OutOfRange,
    crate::domain::TransitionError,
    crate::domain::MaintenanceError
);

/// The database not answering is [`AppError::Unavailable`] (try again in a moment); any other
/// store failure is internal. Either keeps the store's error as its source.
impl From<crate::store::Error> for AppError {
    fn from(e: crate::store::Error) -> Self {
        let busy = matches!(e, crate::store::Error::Busy(_));
        let e = anyhow::Error::new(e).context("database");
        if busy {
            Self::Unavailable(e)
        } else {
            Self::Internal(e)
        }
    }
}

/// The configured roles that grant rights.
pub fn team(app: &App) -> TeamRoles {
    TeamRoles {
        responder: app.settings.roles.responder,
        commander: app.settings.roles.commander,
        security: app.settings.roles.security,
    }
}

/// Renders a template for a use case; a template error is internal.
pub(crate) fn render<V: serde::Serialize>(
    app: &App,
    name: crate::render::TemplateName,
    view: &V,
) -> Result<String, AppError> {
    Ok(app
        .templates
        .render(name, view)
        .map_err(anyhow::Error::new)?)
}

/// Words what happened with `timeline.hbs`, as the timeline stores it; a template error is
/// internal.
pub(crate) fn worded(
    app: &App,
    happened: impl IntoIterator<Item = crate::domain::Happened>,
) -> Result<Vec<crate::domain::TimelineEntry>, AppError> {
    happened
        .into_iter()
        .map(|h| app.templates.timeline_entry(h))
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::Error::new(e).into())
}

/// The answer to the person who ran a command, from `answer.hbs`: `kind` says which.
pub(crate) fn answer(
    app: &App,
    kind: impl Into<crate::render::Answer>,
) -> Result<String, AppError> {
    render(app, crate::render::TemplateName::Answer, &kind.into())
}

/// Queues a player announcement: renders it, records it, and queues its post (and its publish,
/// except for status updates, which are not published to keep the hourly publish budget for
/// alerts and all-clears).
pub(crate) async fn announce<V: serde::Serialize>(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &crate::store::IncidentRecord,
    kind: crate::store::AnnouncementKind,
    view: &V,
    ping_roles: Vec<crate::domain::RoleId>,
) -> Result<(), AppError> {
    let publish = kind != crate::store::AnnouncementKind::Update;
    post_announcement(app, tx, outbox, record, kind, view, ping_roles, publish).await
}

/// Queues a player announcement, published (crossposted) when `publish` says so.
#[expect(
    clippy::too_many_arguments,
    reason = "the announcement's parts, each needed, none of them related"
)]
pub(crate) async fn post_announcement<V: serde::Serialize>(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &crate::store::IncidentRecord,
    kind: crate::store::AnnouncementKind,
    view: &V,
    ping_roles: Vec<crate::domain::RoleId>,
    publish: bool,
) -> Result<(), AppError> {
    let post = players::ToPost {
        kind,
        view,
        translated: Vec::new(),
        titles: Vec::new(),
        ping_roles,
        publish,
    };
    players::post(app, tx, outbox, record, post).await
}

/// Writes an audit entry in `tx`.
async fn audit(
    tx: &mut Tx,
    app: &App,
    guild: GuildId,
    actor: &Actor,
    incident: IncidentId,
    action: &str,
    detail: Value,
) -> Result<(), crate::store::Error> {
    tx.audit(&AuditEntry {
        at: app.clock.now(),
        guild_id: guild,
        actor: Some(actor.user),
        incident: Some(incident),
        action: action.to_owned(),
        detail,
    })
    .await
}

#[cfg(test)]
pub(crate) mod tests;
