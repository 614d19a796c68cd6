//! Use cases: declare, change, note, status, and performing the side effects they queue.
//!
//! Each use case checks who is asking, applies the domain rules, and writes the new state, its
//! timeline entries, its audit entry and the jobs for every side effect in one transaction.
//! Nothing here knows serenity: Discord is reached through the [`Chat`] port, by jobs.

mod context;
mod effects;
mod incident;
mod intake;
pub mod interactions;
mod jobs;
mod ports;
mod postmortem;
mod tickets;

// The features' modules by their short names, for the use cases that call across features.
use incident::{channel, checklists, declare, lifecycle, notes, reminders, summary};
#[cfg(test)]
use ports::recording;
use ports::{chat, public};
use postmortem::{meeting, workflow};

use serde_json::Value;

pub use channel::{channel_name, channel_state, channel_topic, ChannelState};
pub use chat::{
    readable_error, readable_reason, Attachment, Button, ButtonStyle, ChannelAccess, ChannelLabel,
    Chat, ChatError, Choice, Clicked, ExistingChannel, GuildMember, Meeting, Menu, NewChannel,
    NewMeeting, Outgoing, TimedChat, MAX_BUTTONS, MAX_CHOICES,
};
pub use checklists::{tick, CheckClick, CHECK_BUTTON};
pub use context::{open_database, App, AppEvent};
pub use declare::{
    declare, ChannelCounts, DeclareArgs, Declared, CATEGORY_CHANNEL_BUDGET, GUILD_CHANNEL_BUDGET,
};
pub use effects::{kinds, Effect, MeetingCall, Outbox, Said, Target, TextFile};
pub use intake::{
    attach_card, card_of, card_view, declare_from_card, dismiss_card, player_said, receive,
    Received, ATTACH_MENU, DECLARE_BUTTON, DISMISS_BUTTON,
};
pub use jobs::{Performer, PUBLISH_BUDGET};
pub use lifecycle::{answer_fix_check, change, ChangeArgs, Changed, FixAnswer, Place};
pub use notes::{note_message, NotedMessage};
pub use ports::tracker::{NewTicket, Paragraph, Piece, Ticket, TicketKind, Tracker, TrackerError};
pub use public::PublicChanges;
pub use reminders::{FIX_FAILED_BUTTON, FIX_HELD_BUTTON};
pub use summary::{help, status, StatusReply};
pub use tickets::{marker, TicketStep};
pub use workflow::{postmortem, PostmortemArgs};

use crate::domain::{Actor, GuildId, IncidentId, TeamRoles};
use crate::store::{AuditEntry, Tx};

/// A refusal the person who asked should read: what is wrong and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request was refused; nothing was written.
    #[error(transparent)]
    User(#[from] UserError),
    /// Something broke; nothing was written. Logged with an error id.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
    /// The database is not answering (down, restarting, out of connections); nothing was
    /// written, and the same request will work once it answers again.
    #[error("the database is not answering: {0:#}")]
    Unavailable(anyhow::Error),
}

impl AppError {
    /// A refusal with this message.
    pub fn user(message: impl Into<String>) -> Self {
        Self::User(UserError(message.into()))
    }
}

/// Domain refusals whose message is already a sentence for the person who asked.
macro_rules! refusals {
    ($($error:ty),+) => {$(
        impl From<$error> for AppError {
            fn from(e: $error) -> Self {
                Self::user(e.to_string())
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
    crate::domain::MeetingError
);

impl From<crate::domain::OutOfRange> for AppError {
    fn from(e: crate::domain::OutOfRange) -> Self {
        Self::user(format!("{e}."))
    }
}

impl From<crate::domain::TransitionError> for AppError {
    fn from(e: crate::domain::TransitionError) -> Self {
        let text = e.to_string();
        let mut chars = text.chars();
        let first: String = chars
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        Self::user(format!("{first}{}.", chars.as_str()))
    }
}

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
    use crate::render::TemplateName;
    use crate::store::AnnouncementKind;
    let template = match kind {
        AnnouncementKind::Alert => TemplateName::ServiceAlert,
        AnnouncementKind::Update => TemplateName::StatusUpdate,
        AnnouncementKind::AllClear => TemplateName::AllClear,
    };
    let content = crate::render::unlink_for_players(
        &render(app, template, view)?,
        &app.settings.player_link_hosts(),
    );
    // The facts it tells are kept with it: the status page shows what players were told.
    let announcement = tx
        .insert_announcement(&crate::store::NewAnnouncement {
            incident: record.id,
            kind,
            channel: app.settings.channels.announcements,
            publish,
            content: &content,
            systems: &record.incident.systems,
            severity: record.incident.severity,
            at: app.clock.now(),
        })
        .await?;
    outbox
        .push(
            tx,
            Effect::Announce {
                announcement,
                content,
                ping_roles,
            },
        )
        .await?;
    Ok(())
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
