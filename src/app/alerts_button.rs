//! The players' alerts button: a message in the announcement channel with **Notify me of
//! outages** / **Stop notifying me**, which give or take the `[roles] player_alerts` role of
//! the member who presses (and nothing else), answered where only they see it.
//!
//! Presses are limited per member ([`PRESSES`] in [`WINDOW`]) so that nobody makes the bot
//! hammer Discord's role routes. When Discord refuses the role (the bot lacks Manage Roles,
//! or the role sits above the bot's), the member is told it could not be done and the log
//! channel what to fix, at most once per [`LOG_EVERY`]. Posting the message again edits the
//! one posted before (its id is kept in the database) instead of adding a second.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, TimeDelta, Utc};

use super::{render, team, App, AppError, Button, ButtonStyle, Chat, ChatError, Clicked, Outgoing};
use super::{RoleChange, RoleError};
use crate::domain::{Action, Actor, ChannelId, MessageId, Refusal, RoleId, UserId};
use crate::render::{channel_link, role_mention, AlertsButtonView, Label, Markup, TemplateName};

/// The custom id prefix of the two buttons: `alerts:on` and `alerts:off`.
pub const ALERTS_BUTTON: &str = "alerts";
/// What follows the prefix on **Notify me of outages**.
const ON: &str = "on";
/// What follows the prefix on **Stop notifying me**.
const OFF: &str = "off";
/// Where the posted message's channel and id are kept (`<channel>/<message>`), or, while a
/// post is under way, its nonce (`nonce:<nonce>`).
const POSTED_KEY: &str = "players:alerts_button";
/// What a kept nonce starts with.
const PENDING: &str = "nonce:";

/// How many presses a member gets in [`WINDOW`].
pub const PRESSES: usize = 4;
/// The window [`PRESSES`] are counted over.
pub const WINDOW: TimeDelta = TimeDelta::seconds(60);
/// How often the log channel is told about the same kind of refusal, at most: one broken
/// permission must not flood it with one line per press.
pub const LOG_EVERY: TimeDelta = TimeDelta::minutes(10);

/// Members' recent presses, and when the log was last told of a refusal. Kept in memory: a
/// restart forgets them, which only lets a member press a few more times.
#[derive(Debug, Default)]
pub struct AlertPresses {
    inner: Mutex<Presses>,
}

#[derive(Debug, Default)]
struct Presses {
    recent: HashMap<UserId, VecDeque<DateTime<Utc>>>,
    logged: HashMap<&'static str, DateTime<Utc>>,
}

impl AlertPresses {
    /// Counts a press by `user` at `now`: `Ok` when within the limit, else how long until
    /// their oldest counted press leaves the window (the press is not counted).
    pub fn admit(&self, user: UserId, now: DateTime<Utc>) -> Result<(), TimeDelta> {
        let mut p = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget everyone's presses that left the window, so the map stays small.
        p.recent.retain(|_, presses| {
            presses.retain(|at| now - *at < WINDOW);
            !presses.is_empty()
        });
        let presses = p.recent.entry(user).or_default();
        if presses.len() >= PRESSES {
            let oldest = presses.front().copied().unwrap_or(now);
            return Err(WINDOW - (now - oldest));
        }
        presses.push_back(now);
        Ok(())
    }

    /// Whether the log should hear about `what` at `now` (not told in the last [`LOG_EVERY`]);
    /// if so, notes that it was.
    fn log_due(&self, what: &'static str, now: DateTime<Utc>) -> bool {
        let mut p = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let due = p.logged.get(what).is_none_or(|at| now - *at >= LOG_EVERY);
        if due {
            p.logged.insert(what, now);
        }
        due
    }
}

/// One block of `alerts_button.hbs`, for the role `role`.
fn say(app: &App, view: AlertsButtonView) -> Result<String, AppError> {
    render(app, TemplateName::AlertsButton, &view)
}

fn with_role(word: &'static str, role: RoleId) -> AlertsButtonView {
    AlertsButtonView {
        role: Some(role_mention(role)),
        role_id: Some(role.to_string()),
        ..AlertsButtonView::word(word)
    }
}

fn in_channel(word: &'static str, channel: ChannelId) -> AlertsButtonView {
    AlertsButtonView {
        channel: Some(channel_link(channel)),
        ..AlertsButtonView::word(word)
    }
}

/// A press on **Notify me of outages** (`about` = `on`) or **Stop notifying me** (`off`) by
/// `user`: gives or takes the alert role through `chat`. Returns what only they read.
pub async fn alerts_click(
    app: &App,
    chat: &dyn Chat,
    user: UserId,
    about: &str,
) -> Result<String, AppError> {
    let (change, done, audit) = match about {
        ON => (RoleChange::Add, "on", "audit_on"),
        OFF => (RoleChange::Remove, "off", "audit_off"),
        _ => return Err(Refusal::StaleButton.into()),
    };
    let Some(role) = app.settings.roles.player_alerts else {
        return say(app, AlertsButtonView::word("not_set"));
    };
    let now = app.clock.now();
    if let Err(wait) = app.alert_presses.admit(user, now) {
        let wait = (wait.num_milliseconds() + 999) / 1000;
        let view = AlertsButtonView {
            wait: wait.max(1),
            ..AlertsButtonView::word("too_fast")
        };
        return say(app, view);
    }
    let reason = say(app, AlertsButtonView::word(audit))?;
    match chat.change_member_role(user, role, change, &reason).await {
        Ok(()) => say(app, with_role(done, role)),
        Err(RoleError::Forbidden) => refused(app, chat, "log_forbidden", role, now).await,
        Err(RoleError::UnknownRole) => refused(app, chat, "log_unknown_role", role, now).await,
        Err(RoleError::UnknownMember) => say(app, with_role("could_not", role)),
        Err(RoleError::Chat(ChatError::Unavailable { message, .. })) => {
            tracing::warn!(error = %message, "Discord did not change a player's alert role");
            say(app, AlertsButtonView::word("busy"))
        }
        Err(RoleError::Chat(e)) => Err(AppError::Internal(
            anyhow::Error::new(e).context("changing a player's alert role"),
        )),
    }
}

/// Discord refused the role for a reason a server admin fixes: the log channel is told what
/// (`log` names the block), at most once per [`LOG_EVERY`], and the member that it could not
/// be done.
async fn refused(
    app: &App,
    chat: &dyn Chat,
    log: &'static str,
    role: RoleId,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    tracing::warn!(%role, refusal = log, "Discord refused to change a player's alert role");
    if let Some(channel) = app.settings.channels.log {
        if app.alert_presses.log_due(log, now) {
            let post = Outgoing {
                channel,
                content: say(app, with_role(log, role))?,
                ping_roles: Vec::new(),
                ping_users: Vec::new(),
                nonce: format!("alerts-{}", now.timestamp()),
                attachment: None,
                buttons: Vec::new(),
                menu: None,
            };
            if let Err(e) = chat.post(&post).await {
                tracing::warn!(error = %e, "could not tell the log channel about the alert role");
            }
        }
    }
    say(app, with_role("could_not", role))
}

/// The message the buttons sit under, and the buttons.
fn alerts_message(app: &App, role: RoleId) -> Result<Clicked, AppError> {
    let button = |label, about, style| Button {
        custom_id: format!("{ALERTS_BUTTON}:{about}"),
        label: app.templates.label(&label),
        style,
    };
    Ok(Clicked {
        content: say(app, with_role("message", role))?,
        buttons: vec![
            button(Label::AlertsOn, ON, ButtonStyle::Primary),
            button(Label::AlertsOff, OFF, ButtonStyle::Secondary),
        ],
        menu: None,
    })
}

/// What the database says of the message.
enum Posted {
    /// It was posted there.
    At(ChannelId, MessageId),
    /// A post with this nonce was sent, and its answer never recorded (the bot stopped, or
    /// Discord's answer was lost): Discord may have posted it.
    Pending(String),
}

/// Where the message was posted before, if it was.
async fn posted(app: &App) -> Result<Option<Posted>, AppError> {
    let stored = app.db.meta(POSTED_KEY).await?;
    Ok(stored.and_then(|s| {
        if let Some(nonce) = s.strip_prefix(PENDING) {
            return Some(Posted::Pending(nonce.to_owned()));
        }
        let (channel, message) = s.split_once('/')?;
        Some(Posted::At(
            ChannelId::new(channel.parse().ok()?)?,
            MessageId::new(message.parse().ok()?)?,
        ))
    }))
}

/// `/incident alerts-button`: posts the alerts buttons in the announcement channel, or edits
/// the message posted before when it is still there. Returns the answer to `actor`, who must
/// be a commander (it speaks to players).
pub async fn post_alerts_button(
    app: &App,
    chat: &dyn Chat,
    actor: &Actor,
) -> Result<String, AppError> {
    actor.may(Action::Announce, &team(app), None)?;
    let Some(role) = app.settings.roles.player_alerts else {
        return say(app, AlertsButtonView::word("not_set"));
    };
    let channel = app.settings.channels.announcements;
    let message = alerts_message(app, role)?;
    let fresh = || format!("alerts-{}", app.clock.now().timestamp());
    let nonce = match posted(app).await? {
        Some(Posted::At(at, id)) if at == channel => match chat.edit(at, id, &message).await {
            Ok(()) => return say(app, in_channel("updated", channel)),
            // Deleted (Unknown Message), or no longer editable: post a new one.
            Err(ChatError::Refused(why)) => {
                tracing::info!(error = %why, "the alerts buttons' message is gone: posting again");
                fresh()
            }
            Err(e) => return cannot_post(app, channel, e),
        },
        // The same nonce again: Discord returns the message it posted then, if it did.
        Some(Posted::Pending(nonce)) => nonce,
        _ => fresh(),
    };
    // Kept before the call, so that a post whose answer is lost is not posted twice.
    let pending = format!("{PENDING}{nonce}");
    app.db.set_meta(POSTED_KEY, &pending).await?;
    let post = Outgoing {
        channel,
        content: message.content,
        ping_roles: Vec::new(),
        ping_users: Vec::new(),
        nonce,
        attachment: None,
        buttons: message.buttons,
        menu: None,
    };
    let id = match chat.post(&post).await {
        Ok(id) => id,
        Err(e) => return cannot_post(app, channel, e),
    };
    app.db
        .set_meta(POSTED_KEY, &format!("{channel}/{id}"))
        .await?;
    say(app, in_channel("posted", channel))
}

/// A post or edit Discord refused: the bot's own sentence about a missing permission is told
/// to the one who asked; anything else is an error with an id.
fn cannot_post(app: &App, channel: ChannelId, e: ChatError) -> Result<String, AppError> {
    match e {
        ChatError::Forbidden(refused) => say(
            app,
            AlertsButtonView {
                why: Some(Markup::raw(super::said_forbidden(&app.templates, &refused))),
                ..in_channel("cannot_post", channel)
            },
        ),
        other => Err(AppError::Internal(
            anyhow::Error::new(other).context("posting the alerts buttons"),
        )),
    }
}
