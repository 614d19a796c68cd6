//! A recording in-memory [`Chat`]: what the use cases asked of Discord, so they are tested in
//! milliseconds without it. The end-to-end tests against the fake Discord cover the wiring.

use std::sync::{Mutex, PoisonError};

use super::{
    ChannelAccess, ChannelLabel, Chat, ChatError, Clicked, ExistingChannel, GuildMember, Meeting,
    NewChannel, NewExternalEvent, NewMeeting, Outgoing, RoleChange, RoleError,
};
use crate::clock::BoxFuture;
use crate::domain::{
    ChannelId, EventId, EventStatus, MeetingPlace, MessageId, PlaceKind, RoleId, UserId,
};

/// Everything asked of the recording chat, in order.
#[derive(Debug, Default, Clone)]
pub struct Recorded {
    /// Channels opened.
    pub channels: Vec<NewChannel>,
    /// Messages posted, with the id each got.
    pub posts: Vec<(MessageId, Outgoing)>,
    /// Messages edited, with their new text, in order.
    pub edits: Vec<(MessageId, String)>,
    /// Files set on a message after it was posted: their names.
    pub attached: Vec<(MessageId, Vec<String>)>,
    /// Messages pinned.
    pub pins: Vec<MessageId>,
    /// Messages published.
    pub published: Vec<MessageId>,
    /// Channels archived.
    pub archived: Vec<ChannelId>,
    /// Channels whose overwrites were replaced, with who may read them now.
    pub restricted: Vec<(ChannelId, ChannelAccess)>,
    /// Channels renamed, with their new name and topic.
    pub relabeled: Vec<(ChannelId, ChannelLabel)>,
    /// Scheduled Events created (ids count up from 9000), as they stand now.
    pub events: Vec<(EventId, NewMeeting, EventStatus)>,
    /// EXTERNAL Scheduled Events created (ids count up from 9500), as they stand now.
    pub external: Vec<(EventId, NewExternalEvent, EventStatus)>,
    /// Members' roles given or taken, with the audit log's reason.
    pub role_changes: Vec<(UserId, RoleId, RoleChange, String)>,
}

/// An external event as the port reads it back.
fn external_meeting((id, e, s): &(EventId, NewExternalEvent, EventStatus)) -> Meeting {
    Meeting {
        id: *id,
        status: *s,
        start: e.start,
        name: e.name.clone(),
        channel: None,
    }
}

/// A [`Chat`] that records and always succeeds; channel and message ids count up from 1000.
#[derive(Debug, Default)]
pub struct RecordingChat {
    recorded: Mutex<Recorded>,
    members: Mutex<std::collections::HashMap<UserId, GuildMember>>,
    role_failure: Mutex<Option<RoleError>>,
}

impl RecordingChat {
    /// What it was asked so far.
    pub fn recorded(&self) -> Recorded {
        self.recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Makes `user` a member of the guild with `roles`, named `user<id>` (anyone else is not
    /// a member).
    pub fn add_member(&self, user: UserId, roles: &[RoleId]) {
        let member = GuildMember {
            roles: roles.to_vec(),
            name: format!("user{user}"),
        };
        self.members
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(user, member);
    }

    /// Makes every later role change fail with `error` (Discord refusing it).
    pub fn fail_role_changes(&self, error: RoleError) {
        *self
            .role_failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(error);
    }

    fn with<T>(&self, f: impl FnOnce(&mut Recorded) -> T) -> T {
        f(&mut self.recorded.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn next_id(r: &Recorded) -> u64 {
        1000 + (r.channels.len() + r.posts.len()) as u64
    }
}

/// The bot's own user id, as this chat answers it.
pub const RECORDING_BOT: u64 = 999;

fn id<T>(n: u64, make: fn(u64) -> Option<T>) -> Result<T, ChatError> {
    make(n).ok_or_else(|| ChatError::Refused("id 0".into()))
}

impl Chat for RecordingChat {
    fn find_channel<'a>(
        &'a self,
        category: ChannelId,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Option<ExistingChannel>, ChatError>> {
        Box::pin(async move {
            self.with(|r| {
                let found = r
                    .channels
                    .iter()
                    .position(|c| c.category == category && c.name == name);
                found
                    .map(|i| {
                        Ok(ExistingChannel {
                            id: id(1000 + i as u64, ChannelId::new)?,
                            hidden_from_everyone: true,
                            roles_allowed: r.channels[i].access.roles.clone(),
                            members_allowed: r.channels[i].access.members.clone(),
                            bot_allowed: true,
                        })
                    })
                    .transpose()
            })
        })
    }

    fn restrict<'a>(
        &'a self,
        channel: ChannelId,
        access: &'a ChannelAccess,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            self.with(|r| r.restricted.push((channel, access.clone())));
            Ok(())
        })
    }

    fn channel_label(&self, channel: ChannelId) -> BoxFuture<'_, Result<ChannelLabel, ChatError>> {
        Box::pin(async move {
            self.with(|r| {
                let last = r.relabeled.iter().rev().find(|(c, _)| *c == channel);
                if let Some((_, label)) = last {
                    return Ok(label.clone());
                }
                let index =
                    usize::try_from(channel.get().saturating_sub(1000)).unwrap_or(usize::MAX);
                let opened = r
                    .channels
                    .get(index)
                    .ok_or_else(|| ChatError::Refused(format!("no channel {channel}")))?;
                Ok(ChannelLabel {
                    name: opened.name.clone(),
                    topic: Some(opened.topic.clone()),
                })
            })
        })
    }

    fn relabel_channel<'a>(
        &'a self,
        channel: ChannelId,
        label: &'a ChannelLabel,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            self.with(|r| r.relabeled.push((channel, label.clone())));
            Ok(())
        })
    }

    fn create_channel<'a>(
        &'a self,
        channel: &'a NewChannel,
    ) -> BoxFuture<'a, Result<ChannelId, ChatError>> {
        Box::pin(async move {
            self.with(|r| {
                let n = 1000 + r.channels.len() as u64;
                r.channels.push(channel.clone());
                id(n, ChannelId::new)
            })
        })
    }

    fn bot_user(&self) -> BoxFuture<'_, Result<UserId, ChatError>> {
        Box::pin(async move { id(RECORDING_BOT, UserId::new) })
    }

    fn channel_counts(
        &self,
        category: ChannelId,
    ) -> BoxFuture<'_, Result<super::ChannelCounts, ChatError>> {
        Box::pin(async move {
            Ok(self.with(|r| super::ChannelCounts {
                guild: r.channels.len(),
                category: r.channels.iter().filter(|c| c.category == category).count(),
            }))
        })
    }

    fn post<'a>(&'a self, message: &'a Outgoing) -> BoxFuture<'a, Result<MessageId, ChatError>> {
        Box::pin(async move {
            self.with(|r| {
                let n = 5000 + Self::next_id(r);
                let m = id(n, MessageId::new)?;
                r.posts.push((m, message.clone()));
                Ok(m)
            })
        })
    }

    fn edit<'a>(
        &'a self,
        _channel: ChannelId,
        message: MessageId,
        view: &'a Clicked,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            self.with(|r| r.edits.push((message, view.content.clone())));
            Ok(())
        })
    }

    fn attach<'a>(
        &'a self,
        _channel: ChannelId,
        message: MessageId,
        files: &'a [super::Attachment],
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            let names = files.iter().map(|f| f.filename.clone()).collect();
            self.with(|r| r.attached.push((message, names)));
            Ok(())
        })
    }

    fn pin(&self, _channel: ChannelId, message: MessageId) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(async move {
            self.with(|r| r.pins.push(message));
            Ok(())
        })
    }

    fn pinned(&self, _channel: ChannelId) -> BoxFuture<'_, Result<Vec<MessageId>, ChatError>> {
        Box::pin(async move { Ok(self.with(|r| r.pins.clone())) })
    }

    fn is_announcement_channel(
        &self,
        _channel: ChannelId,
    ) -> BoxFuture<'_, Result<bool, ChatError>> {
        Box::pin(async { Ok(true) })
    }

    fn publish(
        &self,
        _channel: ChannelId,
        message: MessageId,
    ) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(async move {
            self.with(|r| r.published.push(message));
            Ok(())
        })
    }

    fn archive(
        &self,
        channel: ChannelId,
        _category: ChannelId,
    ) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(async move {
            self.with(|r| r.archived.push(channel));
            Ok(())
        })
    }

    /// Every channel is a voice channel players cannot see, open to no role in particular.
    fn meeting_place(&self, _channel: ChannelId) -> BoxFuture<'_, Result<MeetingPlace, ChatError>> {
        Box::pin(async {
            Ok(MeetingPlace {
                kind: PlaceKind::Voice,
                hidden_from_everyone: true,
                roles_allowed: vec![],
            })
        })
    }

    fn find_meeting<'a>(
        &'a self,
        marker: &'a str,
    ) -> BoxFuture<'a, Result<Option<Meeting>, ChatError>> {
        Box::pin(async move {
            Ok(self.with(|r| {
                r.events
                    .iter()
                    .find(|(_, m, s)| m.description.contains(marker) && s.ending().is_some())
                    .map(|(id, m, s)| Meeting {
                        id: *id,
                        status: *s,
                        start: m.start,
                        name: m.name.clone(),
                        channel: Some(m.channel),
                    })
                    .or_else(|| {
                        r.external
                            .iter()
                            .find(|(_, e, s)| {
                                e.description.contains(marker) && s.ending().is_some()
                            })
                            .map(external_meeting)
                    })
            }))
        })
    }

    fn meeting(&self, id: EventId) -> BoxFuture<'_, Result<Option<Meeting>, ChatError>> {
        Box::pin(async move {
            Ok(self.with(|r| {
                r.events
                    .iter()
                    .find(|(e, _, _)| *e == id)
                    .map(|(id, m, s)| Meeting {
                        id: *id,
                        status: *s,
                        start: m.start,
                        name: m.name.clone(),
                        channel: Some(m.channel),
                    })
                    .or_else(|| {
                        r.external
                            .iter()
                            .find(|(e, _, _)| *e == id)
                            .map(external_meeting)
                    })
            }))
        })
    }

    fn create_meeting<'a>(
        &'a self,
        meeting: &'a NewMeeting,
    ) -> BoxFuture<'a, Result<EventId, ChatError>> {
        Box::pin(async move {
            self.with(|r| {
                let e = id(9000 + r.events.len() as u64, EventId::new)?;
                r.events.push((e, meeting.clone(), EventStatus::Scheduled));
                Ok(e)
            })
        })
    }

    fn move_meeting<'a>(
        &'a self,
        event: EventId,
        meeting: &'a NewMeeting,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            self.with(|r| {
                let found = r.events.iter_mut().find(|(e, _, _)| *e == event);
                let (_, m, _) = found.ok_or_else(|| ChatError::Refused("unknown event".into()))?;
                *m = meeting.clone();
                Ok(())
            })
        })
    }

    fn set_meeting_status(
        &self,
        event: EventId,
        status: EventStatus,
    ) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(async move {
            self.with(|r| {
                let found = r
                    .events
                    .iter_mut()
                    .find(|(e, _, _)| *e == event)
                    .map(|(_, _, s)| s)
                    .or_else(|| {
                        r.external
                            .iter_mut()
                            .find(|(e, _, _)| *e == event)
                            .map(|(_, _, s)| s)
                    });
                let s = found.ok_or_else(|| ChatError::Refused("unknown event".into()))?;
                *s = status;
                Ok(())
            })
        })
    }

    fn member(&self, user: UserId) -> BoxFuture<'_, Result<Option<GuildMember>, ChatError>> {
        Box::pin(async move {
            Ok(self
                .members
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&user)
                .cloned())
        })
    }

    fn create_external_event<'a>(
        &'a self,
        event: &'a NewExternalEvent,
    ) -> BoxFuture<'a, Result<EventId, ChatError>> {
        Box::pin(async move {
            self.with(|r| {
                let e = id(9500 + r.external.len() as u64, EventId::new)?;
                r.external.push((e, event.clone(), EventStatus::Scheduled));
                Ok(e)
            })
        })
    }

    fn edit_external_event<'a>(
        &'a self,
        id: EventId,
        event: &'a NewExternalEvent,
        with_start: bool,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            self.with(|r| {
                let found = r.external.iter_mut().find(|(e, _, _)| *e == id);
                let (_, e, _) = found.ok_or_else(|| ChatError::Refused("unknown event".into()))?;
                let start = if with_start { event.start } else { e.start };
                *e = NewExternalEvent {
                    start,
                    ..event.clone()
                };
                Ok(())
            })
        })
    }

    /// Nobody marks interest in a recorded event.
    fn event_interest(&self) -> BoxFuture<'_, Result<Vec<(EventId, u64)>, ChatError>> {
        Box::pin(
            async move { Ok(self.with(|r| r.external.iter().map(|(e, _, _)| (*e, 0)).collect())) },
        )
    }

    fn change_member_role<'a>(
        &'a self,
        user: UserId,
        role: RoleId,
        change: RoleChange,
        reason: &'a str,
    ) -> BoxFuture<'a, Result<(), RoleError>> {
        Box::pin(async move {
            let failure = self
                .role_failure
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            if let Some(e) = failure {
                return Err(e);
            }
            let mut members = self.members.lock().unwrap_or_else(PoisonError::into_inner);
            let member = members.get_mut(&user).ok_or(RoleError::UnknownMember)?;
            member.roles.retain(|r| *r != role);
            if change == RoleChange::Add {
                member.roles.push(role);
            }
            self.with(|r| r.role_changes.push((user, role, change, reason.to_owned())));
            Ok(())
        })
    }
}
