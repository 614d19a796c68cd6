//! The `Chat` port over serenity's Http: the only place the bot's side effects touch Discord.

use std::sync::Arc;
use std::time::Duration;

use serenity::all as serenity;
use serenity::{
    ChannelType, CreateAllowedMentions, CreateAttachment, CreateChannel, CreateMessage,
    EditChannel, Http, Nonce, PermissionOverwrite, PermissionOverwriteType, Permissions,
};
use tokio::sync::OnceCell;

mod roles;

use super::metered::{metered, route};
use crate::app::{
    ChannelAccess, ChannelLabel, Chat, ChatError, ExistingChannel, GuildMember, Meeting,
    NewChannel, NewExternalEvent, NewMeeting, Outgoing,
};
use crate::clock::BoxFuture;
use crate::domain::Permission as P;
use crate::domain::{
    Attempt, ChannelId, Denied, EventId, EventStatus, Forbidden, GuildId, MeetingPlace, MessageId,
    Permission, PlaceKind, RoleId, UserId,
};
use crate::metrics::Metrics;

/// [`Chat`] over serenity. Every REST call is counted by route in `metrics`.
pub struct SerenityChat {
    http: Arc<Http>,
    guild: serenity::GuildId,
    me: OnceCell<serenity::UserId>,
    metrics: Metrics,
}

impl SerenityChat {
    /// Posts through `http` in `guild`, counting each call in `metrics`.
    pub fn new(http: Arc<Http>, guild: GuildId, metrics: Metrics) -> Self {
        Self {
            http,
            guild: serenity::GuildId::new(guild.get()),
            me: OnceCell::new(),
            metrics,
        }
    }

    async fn me(&self) -> Result<serenity::UserId, ChatError> {
        self.me
            .get_or_try_init(|| async {
                metered(
                    &self.metrics,
                    "GET",
                    route::ME,
                    self.http.get_current_user(),
                )
                .await
                .map(|u| u.id)
                .map_err(classify)
            })
            .await
            .copied()
    }

    /// Awaits one REST call, counting it.
    async fn rest<T>(
        &self,
        method: &str,
        route: &str,
        call: impl std::future::Future<Output = Result<T, serenity::Error>>,
    ) -> Result<T, serenity::Error> {
        metered(&self.metrics, method, route, call).await
    }
}

impl SerenityChat {
    /// Every channel of the guild.
    async fn guild_channels(
        &self,
    ) -> Result<std::collections::HashMap<serenity::ChannelId, serenity::GuildChannel>, ChatError>
    {
        self.rest(
            "GET",
            route::GUILD_CHANNELS,
            self.guild.channels(&*self.http),
        )
        .await
        .map_err(classify)
    }

    /// The overwrites of a channel the bot opens: hidden from `@everyone`, open to `access`,
    /// and managed by the bot.
    async fn overwrites(
        &self,
        access: &ChannelAccess,
    ) -> Result<Vec<PermissionOverwrite>, ChatError> {
        let see = Permissions::VIEW_CHANNEL
            | Permissions::SEND_MESSAGES
            | Permissions::READ_MESSAGE_HISTORY;
        let me = self.me().await?;
        let mut overwrites = vec![PermissionOverwrite {
            allow: Permissions::empty(),
            deny: Permissions::VIEW_CHANNEL,
            kind: PermissionOverwriteType::Role(serenity::RoleId::new(self.guild.get())),
        }];
        overwrites.extend(access.roles.iter().map(|role| PermissionOverwrite {
            allow: see,
            deny: Permissions::empty(),
            kind: PermissionOverwriteType::Role(serenity::RoleId::new(role.get())),
        }));
        overwrites.extend(
            access
                .members
                .iter()
                .map(|m| serenity::UserId::new(m.get()))
                .filter(|m| *m != me)
                .map(|m| PermissionOverwrite {
                    allow: see,
                    deny: Permissions::empty(),
                    kind: PermissionOverwriteType::Member(m),
                }),
        );
        // Only what `@everyone`'s deny took away: the rest (Manage Channels, Pin Messages) the
        // bot has from its role, and Discord refuses an overwrite that grants what the bot lacks.
        overwrites.push(PermissionOverwrite {
            allow: see,
            deny: Permissions::empty(),
            kind: PermissionOverwriteType::Member(me),
        });
        Ok(overwrites)
    }
}

fn ch(id: ChannelId) -> serenity::ChannelId {
    serenity::ChannelId::new(id.get())
}

fn ours(id: serenity::ChannelId) -> Result<ChannelId, ChatError> {
    ChannelId::new(id.get())
        .ok_or_else(|| ChatError::Refused("Discord returned channel id 0".into()))
}

/// Sorts serenity's errors into passing ones (retry) and refusals. Never includes the URL: for
/// interaction webhooks it holds the interaction token.
pub(super) fn classify(e: serenity::Error) -> ChatError {
    use serenity::{Error, HttpError};
    match e {
        Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            let status = r.status_code.as_u16();
            let message = format!(
                "{} {} (code {}): {}",
                r.method, status, r.error.code, r.error.message
            );
            if status == 429 || status >= 500 {
                ChatError::Unavailable {
                    message,
                    after: None,
                }
            } else {
                ChatError::Refused(message)
            }
        }
        Error::Http(HttpError::RateLimitI64F64 | HttpError::RateLimitUtf8) => {
            ChatError::Unavailable {
                message: "rate limited".into(),
                after: Some(Duration::from_secs(1)),
            }
        }
        Error::Http(HttpError::Request(e)) => ChatError::Unavailable {
            message: format!("request failed: {}", e.without_url()),
            after: None,
        },
        Error::Model(e) => ChatError::Refused(e.to_string()),
        other => ChatError::Unavailable {
            message: other.to_string(),
            after: None,
        },
    }
}

/// A refusal for lack of permission (403 with Discord's 50001 Missing Access or 50013 Missing
/// Permissions) said as what to do: no retry fixes it, a server admin does. Anything else is
/// sorted by [`classify`].
pub(super) fn denied(
    attempt: Attempt,
    channel: Option<ChannelId>,
    needs: &[Permission],
) -> impl FnOnce(serenity::Error) -> ChatError {
    let needs = needs.to_vec();
    move |e| {
        if let serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r)) = &e {
            if r.status_code.as_u16() == 403 && matches!(r.error.code, 50001 | 50013) {
                return ChatError::Forbidden(Forbidden::Discord(Denied {
                    attempt,
                    channel,
                    needs,
                }));
            }
        }
        classify(e)
    }
}

/// What a locked channel denies.
fn locked() -> Permissions {
    Permissions::SEND_MESSAGES
        | Permissions::SEND_MESSAGES_IN_THREADS
        | Permissions::CREATE_PUBLIC_THREADS
        | Permissions::CREATE_PRIVATE_THREADS
        | Permissions::ADD_REACTIONS
}

impl Chat for SerenityChat {
    fn find_channel<'a>(
        &'a self,
        category: ChannelId,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Option<ExistingChannel>, ChatError>> {
        Box::pin(async move {
            let channels = self.guild_channels().await?;
            let Some(found) = channels
                .values()
                .find(|c| c.parent_id == Some(ch(category)) && c.name == name)
            else {
                return Ok(None);
            };
            let me = self.me().await?;
            let everyone = serenity::RoleId::new(self.guild.get());
            let sees = |o: &&PermissionOverwrite| o.allow.contains(Permissions::VIEW_CHANNEL);
            let overwrites = &found.permission_overwrites;
            Ok(Some(ExistingChannel {
                id: ours(found.id)?,
                hidden_from_everyone: overwrites.iter().any(|o| {
                    o.kind == PermissionOverwriteType::Role(everyone)
                        && o.deny.contains(Permissions::VIEW_CHANNEL)
                }),
                roles_allowed: overwrites
                    .iter()
                    .filter(sees)
                    .filter_map(|o| match o.kind {
                        PermissionOverwriteType::Role(r) => RoleId::new(r.get()),
                        _ => None,
                    })
                    .collect(),
                members_allowed: overwrites
                    .iter()
                    .filter(sees)
                    .filter_map(|o| match o.kind {
                        PermissionOverwriteType::Member(m) if m != me => UserId::new(m.get()),
                        _ => None,
                    })
                    .collect(),
                bot_allowed: overwrites
                    .iter()
                    .filter(sees)
                    .any(|o| o.kind == PermissionOverwriteType::Member(me)),
            }))
        })
    }

    fn channel_label(&self, channel: ChannelId) -> BoxFuture<'_, Result<ChannelLabel, ChatError>> {
        Box::pin(async move {
            let current = self
                .rest("GET", route::CHANNEL, ch(channel).to_channel(&*self.http))
                .await
                .map_err(classify)?;
            let Some(current) = current.guild() else {
                return Err(ChatError::Refused(format!(
                    "channel {channel} is not a guild channel"
                )));
            };
            Ok(ChannelLabel {
                name: current.name,
                topic: current.topic,
            })
        })
    }

    fn relabel_channel<'a>(
        &'a self,
        channel: ChannelId,
        label: &'a ChannelLabel,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            let mut edit = EditChannel::new().name(&label.name);
            if let Some(topic) = &label.topic {
                edit = edit.topic(topic);
            }
            self.rest("PATCH", route::CHANNEL, ch(channel).edit(&*self.http, edit))
                .await
                .map(|_| ())
                .map_err(denied(
                    Attempt::Rename,
                    Some(channel),
                    &[P::ViewChannel, P::ManageChannels],
                ))
        })
    }

    fn create_channel<'a>(
        &'a self,
        spec: &'a NewChannel,
    ) -> BoxFuture<'a, Result<ChannelId, ChatError>> {
        Box::pin(async move {
            // Every incident channel carries its own overwrites, whatever its category says.
            let builder = CreateChannel::new(&spec.name)
                .kind(ChannelType::Text)
                .category(ch(spec.category))
                .topic(&spec.topic)
                .permissions(self.overwrites(&spec.access).await?);
            let channel = self
                .rest(
                    "POST",
                    route::GUILD_CHANNELS,
                    self.guild.create_channel(&*self.http, builder),
                )
                .await
                .map_err(denied(
                    Attempt::Open {
                        name: spec.name.clone(),
                    },
                    Some(spec.category),
                    &[P::ManageChannels, P::ManageRoles],
                ))?;
            ours(channel.id)
        })
    }

    fn restrict<'a>(
        &'a self,
        channel: ChannelId,
        access: &'a ChannelAccess,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            let edit = EditChannel::new().permissions(self.overwrites(access).await?);
            self.rest("PATCH", route::CHANNEL, ch(channel).edit(&*self.http, edit))
                .await
                .map(|_| ())
                .map_err(denied(
                    Attempt::Hide,
                    Some(channel),
                    &[P::ViewChannel, P::ManageChannels, P::ManageRoles],
                ))
        })
    }

    fn bot_user(&self) -> BoxFuture<'_, Result<UserId, ChatError>> {
        Box::pin(async move {
            let me = self.me().await?;
            UserId::new(me.get())
                .ok_or_else(|| ChatError::Refused("Discord returned user id 0".into()))
        })
    }

    fn channel_counts(
        &self,
        category: ChannelId,
    ) -> BoxFuture<'_, Result<crate::app::ChannelCounts, ChatError>> {
        Box::pin(async move {
            let category = serenity::ChannelId::new(category.get());
            let channels = self.guild_channels().await?;
            Ok(crate::app::ChannelCounts {
                guild: channels.len(),
                category: channels
                    .values()
                    .filter(|c| c.parent_id == Some(category))
                    .count(),
            })
        })
    }

    fn post<'a>(&'a self, m: &'a Outgoing) -> BoxFuture<'a, Result<MessageId, ChatError>> {
        Box::pin(async move {
            let mentions = CreateAllowedMentions::new()
                .roles(m.ping_roles.iter().map(|r| serenity::RoleId::new(r.get())))
                .users(m.ping_users.iter().map(|u| serenity::UserId::new(u.get())));
            let mut builder = CreateMessage::new()
                .content(&m.content)
                .allowed_mentions(mentions)
                .nonce(Nonce::String(m.nonce.clone()))
                .enforce_nonce(true);
            if !m.buttons.is_empty() || m.menu.is_some() {
                builder = builder.components(component_rows(&m.buttons, m.menu.as_ref()));
            }
            if let Some(file) = &m.attachment {
                builder =
                    builder.add_file(CreateAttachment::bytes(file.bytes.clone(), &file.filename));
            }
            let message = self
                .rest(
                    "POST",
                    route::MESSAGES,
                    ch(m.channel).send_message(&*self.http, builder),
                )
                .await
                .map_err(denied(
                    Attempt::Post,
                    Some(m.channel),
                    &[P::ViewChannel, P::SendMessages, P::AttachFiles],
                ))?;
            MessageId::new(message.id.get())
                .ok_or_else(|| ChatError::Refused("Discord returned message id 0".into()))
        })
    }

    fn edit<'a>(
        &'a self,
        channel: ChannelId,
        message: MessageId,
        view: &'a crate::app::Clicked,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            let id = serenity::MessageId::new(message.get());
            let builder = serenity::EditMessage::new()
                .content(&view.content)
                .allowed_mentions(CreateAllowedMentions::new())
                .components(component_rows(&view.buttons, view.menu.as_ref()));
            self.rest(
                "PATCH",
                route::MESSAGE,
                ch(channel).edit_message(&*self.http, id, builder),
            )
            .await
            .map(|_| ())
            .map_err(denied(
                Attempt::Edit,
                Some(channel),
                &[P::ViewChannel, P::SendMessages],
            ))
        })
    }

    fn attach<'a>(
        &'a self,
        channel: ChannelId,
        message: MessageId,
        files: &'a [crate::app::Attachment],
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            let id = serenity::MessageId::new(message.get());
            // The list names only the new files: any the message had are dropped, so a
            // retried upload leaves one copy.
            let mut list = serenity::EditAttachments::new();
            for file in files {
                list = list.add(CreateAttachment::bytes(file.bytes.clone(), &file.filename));
            }
            let builder = serenity::EditMessage::new().attachments(list);
            self.rest(
                "PATCH",
                route::MESSAGE,
                ch(channel).edit_message(&*self.http, id, builder),
            )
            .await
            .map(|_| ())
            .map_err(denied(
                Attempt::Attach,
                Some(channel),
                &[P::ViewChannel, P::SendMessages, P::AttachFiles],
            ))
        })
    }

    fn pin(&self, channel: ChannelId, message: MessageId) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(async move {
            let id = serenity::MessageId::new(message.get());
            self.rest("PUT", route::PIN, ch(channel).pin(&*self.http, id))
                .await
                .map_err(denied(Attempt::Pin, Some(channel), &[P::PinMessages]))
        })
    }

    fn pinned(&self, channel: ChannelId) -> BoxFuture<'_, Result<Vec<MessageId>, ChatError>> {
        Box::pin(async move {
            let pins = self
                .rest("GET", route::PINS, self.http.get_pins(ch(channel)))
                .await
                .map_err(classify)?;
            Ok(pins
                .iter()
                .filter_map(|m| MessageId::new(m.id.get()))
                .collect())
        })
    }

    fn preferred_locale(&self) -> BoxFuture<'_, Result<Option<String>, ChatError>> {
        Box::pin(async move {
            let g = self
                .rest(
                    "GET",
                    route::GUILD,
                    self.guild.to_partial_guild(&*self.http),
                )
                .await
                .map_err(classify)?;
            Ok(Some(g.preferred_locale))
        })
    }

    fn is_announcement_channel(
        &self,
        channel: ChannelId,
    ) -> BoxFuture<'_, Result<bool, ChatError>> {
        Box::pin(async move {
            let c = self
                .rest("GET", route::CHANNEL, ch(channel).to_channel(&*self.http))
                .await
                .map_err(classify)?;
            Ok(c.guild().is_some_and(|g| g.kind == ChannelType::News))
        })
    }

    fn publish(
        &self,
        channel: ChannelId,
        message: MessageId,
    ) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(async move {
            let id = serenity::MessageId::new(message.get());
            // A retry after a crash may find it published already; Discord refuses a second
            // crosspost, so look first.
            let current = self
                .rest("GET", route::MESSAGE, ch(channel).message(&*self.http, id))
                .await
                .map_err(classify)?;
            if current
                .flags
                .is_some_and(|f| f.contains(serenity::MessageFlags::CROSSPOSTED))
            {
                return Ok(());
            }
            self.rest(
                "POST",
                route::CROSSPOST,
                ch(channel).crosspost(&*self.http, id),
            )
            .await
            .map(|_| ())
            .map_err(denied(
                Attempt::Publish,
                Some(channel),
                &[P::ViewChannel, P::SendMessages],
            ))
        })
    }

    fn archive(
        &self,
        channel: ChannelId,
        category: ChannelId,
    ) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(async move {
            let current = self
                .rest("GET", route::CHANNEL, ch(channel).to_channel(&*self.http))
                .await
                .map_err(classify)?;
            let Some(current) = current.guild() else {
                return Err(ChatError::Refused(format!(
                    "channel {channel} is not a guild channel"
                )));
            };
            let me = self.me().await?;
            let everyone = serenity::RoleId::new(self.guild.get());
            let mut overwrites: Vec<PermissionOverwrite> = current
                .permission_overwrites
                .into_iter()
                .filter(|o| o.kind != PermissionOverwriteType::Member(me))
                .map(|mut o| {
                    o.allow -= locked();
                    o.deny |= locked();
                    o
                })
                .collect();
            if !overwrites
                .iter()
                .any(|o| o.kind == PermissionOverwriteType::Role(everyone))
            {
                overwrites.push(PermissionOverwrite {
                    allow: Permissions::empty(),
                    deny: locked(),
                    kind: PermissionOverwriteType::Role(everyone),
                });
            }
            // The bot keeps its voice in the archive, for late reminders.
            overwrites.push(PermissionOverwrite {
                allow: Permissions::VIEW_CHANNEL
                    | Permissions::SEND_MESSAGES
                    | Permissions::MANAGE_CHANNELS,
                deny: Permissions::empty(),
                kind: PermissionOverwriteType::Member(me),
            });
            let edit = EditChannel::new()
                .category(Some(ch(category)))
                .permissions(overwrites);
            self.rest("PATCH", route::CHANNEL, ch(channel).edit(&*self.http, edit))
                .await
                .map(|_| ())
                .map_err(denied(
                    Attempt::Archive,
                    Some(channel),
                    &[P::ManageChannels, P::ManageRoles],
                ))
        })
    }

    fn meeting_place(&self, channel: ChannelId) -> BoxFuture<'_, Result<MeetingPlace, ChatError>> {
        Box::pin(async move {
            let found = self
                .rest("GET", route::CHANNEL, ch(channel).to_channel(&*self.http))
                .await
                .map_err(denied(Attempt::Look, Some(channel), &[P::ViewChannel]))?;
            let Some(found) = found.guild() else {
                return Ok(MeetingPlace {
                    kind: PlaceKind::Other,
                    hidden_from_everyone: false,
                    roles_allowed: vec![],
                });
            };
            let everyone = serenity::RoleId::new(self.guild.get());
            let overwrites = &found.permission_overwrites;
            Ok(MeetingPlace {
                kind: match found.kind {
                    ChannelType::Voice => PlaceKind::Voice,
                    ChannelType::Stage => PlaceKind::Stage,
                    _ => PlaceKind::Other,
                },
                hidden_from_everyone: overwrites.iter().any(|o| {
                    o.kind == PermissionOverwriteType::Role(everyone)
                        && o.deny.contains(Permissions::VIEW_CHANNEL)
                }),
                roles_allowed: overwrites
                    .iter()
                    .filter(|o| o.allow.contains(Permissions::VIEW_CHANNEL))
                    .filter_map(|o| match o.kind {
                        PermissionOverwriteType::Role(r) if r != everyone => RoleId::new(r.get()),
                        _ => None,
                    })
                    .collect(),
            })
        })
    }

    fn find_meeting<'a>(
        &'a self,
        marker: &'a str,
    ) -> BoxFuture<'a, Result<Option<Meeting>, ChatError>> {
        Box::pin(async move {
            let me = self.me().await?;
            let events = self
                .rest(
                    "GET",
                    route::GUILD_EVENTS,
                    self.guild.scheduled_events(&*self.http, false),
                )
                .await
                .map_err(classify)?;
            Ok(events
                .iter()
                .filter(|e| e.creator_id == Some(me))
                .filter(|e| e.description.as_deref().is_some_and(|d| d.contains(marker)))
                .filter_map(meeting)
                .find(|m| m.status.ending().is_some()))
        })
    }

    fn meeting(&self, id: EventId) -> BoxFuture<'_, Result<Option<Meeting>, ChatError>> {
        Box::pin(async move {
            let call = self.guild.scheduled_event(&*self.http, event(id), false);
            match self.rest("GET", route::GUILD_EVENT, call).await {
                Ok(e) => Ok(meeting(&e)),
                // 10070 Unknown Guild Scheduled Event: someone deleted it.
                Err(serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r)))
                    if r.error.code == 10070 =>
                {
                    Ok(None)
                }
                Err(e) => Err(classify(e)),
            }
        })
    }

    fn create_meeting<'a>(
        &'a self,
        m: &'a NewMeeting,
    ) -> BoxFuture<'a, Result<EventId, ChatError>> {
        Box::pin(async move {
            let kind = match m.place {
                PlaceKind::Stage => serenity::ScheduledEventType::StageInstance,
                _ => serenity::ScheduledEventType::Voice,
            };
            let builder = serenity::CreateScheduledEvent::new(kind, &m.name, stamp(m.start)?)
                .channel_id(ch(m.channel))
                .end_time(stamp(m.end)?)
                .description(&m.description);
            let call = self.guild.create_scheduled_event(&*self.http, builder);
            let created = self
                .rest("POST", route::GUILD_EVENTS, call)
                .await
                .map_err(denied(
                    Attempt::CreateMeetingEvent,
                    Some(m.channel),
                    event_rights(m.place),
                ))?;
            EventId::new(created.id.get())
                .ok_or_else(|| ChatError::Refused("Discord returned event id 0".into()))
        })
    }

    fn move_meeting<'a>(
        &'a self,
        id: EventId,
        m: &'a NewMeeting,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(async move {
            let edit = serenity::EditScheduledEvent::new()
                .channel_id(ch(m.channel))
                .name(&m.name)
                .description(&m.description)
                .start_time(stamp(m.start)?)
                .end_time(stamp(m.end)?);
            let call = self
                .guild
                .edit_scheduled_event(&*self.http, event(id), edit);
            self.rest("PATCH", route::GUILD_EVENT, call)
                .await
                .map(|_| ())
                .map_err(denied(
                    Attempt::MoveMeetingEvent,
                    Some(m.channel),
                    event_rights(m.place),
                ))
        })
    }

    fn set_meeting_status(
        &self,
        id: EventId,
        status: EventStatus,
    ) -> BoxFuture<'_, Result<(), ChatError>> {
        Box::pin(async move {
            let status = match status {
                EventStatus::Scheduled => serenity::ScheduledEventStatus::Scheduled,
                EventStatus::Active => serenity::ScheduledEventStatus::Active,
                EventStatus::Completed => serenity::ScheduledEventStatus::Completed,
                EventStatus::Canceled => serenity::ScheduledEventStatus::Canceled,
            };
            let edit = serenity::EditScheduledEvent::new().status(status);
            let call = self
                .guild
                .edit_scheduled_event(&*self.http, event(id), edit);
            self.rest("PATCH", route::GUILD_EVENT, call)
                .await
                .map(|_| ())
                .map_err(denied(
                    Attempt::EndMeetingEvent,
                    None,
                    &[P::CreateEvents, P::ViewChannel, P::Connect],
                ))
        })
    }

    fn member(&self, user: UserId) -> BoxFuture<'_, Result<Option<GuildMember>, ChatError>> {
        Box::pin(async move {
            let call = self
                .guild
                .member(&*self.http, serenity::UserId::new(user.get()));
            match self.rest("GET", route::GUILD_MEMBER, call).await {
                Ok(m) => Ok(Some(GuildMember {
                    roles: m
                        .roles
                        .iter()
                        .filter_map(|r| RoleId::new(r.get()))
                        .collect(),
                    name: m.display_name().to_owned(),
                })),
                // 10007 Unknown Member: they left the guild.
                Err(serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r)))
                    if r.error.code == 10007 =>
                {
                    Ok(None)
                }
                Err(e) => Err(classify(e)),
            }
        })
    }

    fn create_external_event<'a>(
        &'a self,
        e: &'a NewExternalEvent,
    ) -> BoxFuture<'a, Result<EventId, ChatError>> {
        Box::pin(self.create_external(e))
    }

    fn edit_external_event<'a>(
        &'a self,
        id: EventId,
        e: &'a NewExternalEvent,
        with_start: bool,
    ) -> BoxFuture<'a, Result<(), ChatError>> {
        Box::pin(self.edit_external(id, e, with_start))
    }

    fn event_interest(&self) -> BoxFuture<'_, Result<Vec<(EventId, u64)>, ChatError>> {
        Box::pin(self.interest())
    }

    fn change_member_role<'a>(
        &'a self,
        user: UserId,
        role: RoleId,
        change: crate::app::RoleChange,
        reason: &'a str,
    ) -> BoxFuture<'a, Result<(), crate::app::RoleError>> {
        Box::pin(self.member_role(user, role, change, reason))
    }
}

impl SerenityChat {
    async fn create_external(&self, e: &NewExternalEvent) -> Result<EventId, ChatError> {
        let builder = serenity::CreateScheduledEvent::new(
            serenity::ScheduledEventType::External,
            &e.name,
            stamp(e.start)?,
        )
        .end_time(stamp(e.end)?)
        .location(&e.location)
        .description(&e.description);
        let call = self.guild.create_scheduled_event(&*self.http, builder);
        let created = self
            .rest("POST", route::GUILD_EVENTS, call)
            .await
            .map_err(denied(
                Attempt::CreateMaintenanceEvent,
                None,
                &[P::CreateEvents],
            ))?;
        EventId::new(created.id.get())
            .ok_or_else(|| ChatError::Refused("Discord returned event id 0".into()))
    }

    async fn edit_external(
        &self,
        id: EventId,
        e: &NewExternalEvent,
        with_start: bool,
    ) -> Result<(), ChatError> {
        let mut edit = serenity::EditScheduledEvent::new()
            .name(&e.name)
            .description(&e.description)
            .location(&e.location)
            .end_time(stamp(e.end)?);
        if with_start {
            edit = edit.start_time(stamp(e.start)?);
        }
        let call = self
            .guild
            .edit_scheduled_event(&*self.http, event(id), edit);
        self.rest("PATCH", route::GUILD_EVENT, call)
            .await
            .map(|_| ())
            .map_err(denied(
                Attempt::ChangeMaintenanceEvent,
                None,
                &[P::CreateEvents],
            ))
    }

    async fn interest(&self) -> Result<Vec<(EventId, u64)>, ChatError> {
        let events = self
            .rest(
                "GET",
                route::GUILD_EVENTS,
                self.guild.scheduled_events(&*self.http, true),
            )
            .await
            .map_err(classify)?;
        Ok(events
            .iter()
            .filter_map(|e| Some((EventId::new(e.id.get())?, e.user_count.unwrap_or(0))))
            .collect())
    }
}

fn event(id: EventId) -> serenity::ScheduledEventId {
    serenity::ScheduledEventId::new(id.get())
}

/// What the bot needs to hold an event in a channel of this kind (Discord's docs, "Guild
/// Scheduled Event Permissions Requirements").
fn event_rights(place: PlaceKind) -> &'static [Permission] {
    use Permission as P;
    match place {
        PlaceKind::Stage => &[
            P::CreateEvents,
            P::ViewChannel,
            P::Connect,
            P::ManageChannels,
            P::MuteMembers,
            P::MoveMembers,
        ],
        _ => &[P::CreateEvents, P::ViewChannel, P::Connect],
    }
}

fn stamp(at: chrono::DateTime<chrono::Utc>) -> Result<serenity::Timestamp, ChatError> {
    serenity::Timestamp::from_unix_timestamp(at.timestamp())
        .map_err(|e| ChatError::Refused(format!("time out of range: {e}")))
}

/// An event's id and status as the port speaks of them; `None` for a status serenity does
/// not know.
pub(crate) fn event_status(e: &serenity::ScheduledEvent) -> Option<(EventId, EventStatus)> {
    meeting(e).map(|m| (m.id, m.status))
}

/// An event as the port speaks of it; `None` for a status serenity does not know.
fn meeting(e: &serenity::ScheduledEvent) -> Option<Meeting> {
    let status = match e.status {
        serenity::ScheduledEventStatus::Scheduled => EventStatus::Scheduled,
        serenity::ScheduledEventStatus::Active => EventStatus::Active,
        serenity::ScheduledEventStatus::Completed => EventStatus::Completed,
        serenity::ScheduledEventStatus::Canceled => EventStatus::Canceled,
        _ => return None,
    };
    Some(Meeting {
        id: EventId::new(e.id.get())?,
        status,
        start: chrono::DateTime::from_timestamp(e.start_time.unix_timestamp(), 0)?,
        name: e.name.clone(),
        channel: e.channel_id.and_then(|c| ChannelId::new(c.get())),
    })
}

/// Buttons laid out as Discord wants them, five to a row, then the menu on a row of its own.
pub(crate) fn component_rows(
    buttons: &[crate::app::Button],
    menu: Option<&crate::app::Menu>,
) -> Vec<serenity::CreateActionRow> {
    use crate::app::ButtonStyle;
    let mut rows: Vec<_> = buttons
        .chunks(5)
        .map(|row| {
            serenity::CreateActionRow::Buttons(
                row.iter()
                    .map(|b| {
                        let style = match b.style {
                            ButtonStyle::Primary => serenity::ButtonStyle::Primary,
                            ButtonStyle::Secondary => serenity::ButtonStyle::Secondary,
                            ButtonStyle::Success => serenity::ButtonStyle::Success,
                            ButtonStyle::Danger => serenity::ButtonStyle::Danger,
                            ButtonStyle::Link => {
                                return serenity::CreateButton::new_link(&b.custom_id)
                                    .label(&b.label);
                            }
                        };
                        serenity::CreateButton::new(&b.custom_id)
                            .label(&b.label)
                            .style(style)
                    })
                    .collect(),
            )
        })
        .collect();
    if let Some(menu) = menu.filter(|m| !m.choices.is_empty()) {
        let options = menu
            .choices
            .iter()
            .map(|c| serenity::CreateSelectMenuOption::new(&c.label, &c.value))
            .collect();
        let select = serenity::CreateSelectMenu::new(
            &menu.custom_id,
            serenity::CreateSelectMenuKind::String { options },
        )
        .placeholder(&menu.placeholder);
        rows.push(serenity::CreateActionRow::SelectMenu(select));
    }
    rows
}
