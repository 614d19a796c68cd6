//! Finding each thing set-up needs by its configured id or by name, and creating it when it
//! is missing: roles with no permissions, the categories, `#incident-log` and `#status`.

use serenity::all as serenity;
use serenity::{
    ChannelType, CreateChannel, EditRole, GuildChannel, Http, PermissionOverwrite,
    PermissionOverwriteType, Permissions,
};

use super::names;
use super::{Blocked, SetupError};
use crate::domain::{ChannelId, RoleId};

/// One set-up pass over a server, with what it has.
pub(super) struct Run<'a> {
    pub(super) http: &'a Http,
    pub(super) guild: serenity::GuildId,
    pub(super) me: serenity::UserId,
    pub(super) roles: Vec<serenity::Role>,
    pub(super) channels: Vec<GuildChannel>,
    pub(super) lines: Vec<String>,
    pub(super) notes: Vec<String>,
    pub(super) created: usize,
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b)
}

impl Run<'_> {
    /// The role configured, else the one named `name`, else a new one with no permissions.
    pub(super) async fn role(
        &mut self,
        configured: Option<RoleId>,
        name: &str,
    ) -> Result<serenity::RoleId, SetupError> {
        let by_id = configured.and_then(|id| self.roles.iter().find(|r| r.id.get() == id.get()));
        if let Some(role) = by_id.or_else(|| self.roles.iter().find(|r| same_name(&r.name, name))) {
            self.lines
                .push(format!("found the role {} ({})", role.name, role.id));
            return Ok(role.id);
        }
        let builder = EditRole::new()
            .name(name)
            .permissions(Permissions::empty())
            .mentionable(false)
            .audit_log_reason("incident-bot setup");
        let role = self.guild.create_role(self.http, builder).await?;
        self.lines
            .push(format!("created the role {} ({})", role.name, role.id));
        self.created += 1;
        let id = role.id;
        self.roles.push(role);
        Ok(id)
    }

    /// Makes `id` unmentionable by members when it is not: the players' alert role is pinged
    /// by the bot alone (it has Mention Everyone), never by a member at will. When Discord
    /// refuses (the role sits above the bot's), says where to turn it off by hand.
    pub(super) async fn keep_unmentionable(
        &mut self,
        id: serenity::RoleId,
    ) -> Result<(), SetupError> {
        let Some(role) = self.roles.iter().find(|r| r.id == id && r.mentionable) else {
            return Ok(());
        };
        let name = role.name.clone();
        let edit = EditRole::new()
            .mentionable(false)
            .audit_log_reason("incident-bot setup");
        match self.guild.edit_role(self.http, id, edit).await {
            Ok(role) => {
                self.lines.push(format!(
                    "made the role {name} ({id}) unmentionable: only the bot pings it"
                ));
                self.roles.retain(|r| r.id != id);
                self.roles.push(role);
            }
            Err(e) => self.notes.push(format!(
                "Members can ping the role {name} ({id}) and the bot could not change that ({}): \
                 in Server Settings → Roles → {name}, turn off \"Allow anyone to @mention this \
                 role\"",
                super::super::error_chain(&anyhow::Error::new(e))
            )),
        }
        Ok(())
    }

    /// The channel configured or named `name` of one of `kinds`.
    fn find(
        &self,
        configured: Option<ChannelId>,
        name: &str,
        kinds: &[ChannelType],
    ) -> Option<&GuildChannel> {
        let fits = |c: &&GuildChannel| kinds.contains(&c.kind);
        configured
            .and_then(|id| {
                self.channels
                    .iter()
                    .filter(fits)
                    .find(|c| c.id.get() == id.get())
            })
            .or_else(|| {
                self.channels
                    .iter()
                    .filter(fits)
                    .find(|c| same_name(&c.name, name))
            })
    }

    async fn create(&mut self, builder: CreateChannel<'_>) -> Result<GuildChannel, SetupError> {
        let channel = self.guild.create_channel(self.http, builder).await?;
        self.created += 1;
        self.channels.push(channel.clone());
        Ok(channel)
    }

    /// A category, found or created hidden from `@everyone` and open to `team` and the bot.
    /// One found that players can read is kept, with a note: incident channels carry their own
    /// overwrites, but people browsing the server see what the category holds.
    pub(super) async fn category(
        &mut self,
        configured: Option<ChannelId>,
        name: &str,
        team: &[serenity::RoleId],
    ) -> Result<serenity::ChannelId, SetupError> {
        if let Some(found) = self.find(configured, name, &[ChannelType::Category]) {
            let line = format!("found the category {} ({})", found.name, found.id);
            let (id, open) = (found.id, self.everyone_can_view(found));
            let found_name = found.name.clone();
            self.lines.push(line);
            if open {
                self.notes.push(format!(
                    "Everyone can see the category {found_name}: in its permissions, deny View \
                     Channel to @everyone and allow it to Responder, Incident Commander and \
                     Security. Incident channels carry their own permissions, but channels \
                     made there by hand would be public."
                ));
            }
            return Ok(id);
        }
        let builder = CreateChannel::new(name)
            .kind(ChannelType::Category)
            .permissions(self.staff_overwrites(team, Permissions::empty()))
            .audit_log_reason("incident-bot setup");
        let created = self.create(builder).await?;
        self.lines.push(format!(
            "created the category {} ({}), hidden from everyone but the team",
            created.name, created.id
        ));
        Ok(created.id)
    }

    /// Whether `@everyone` may view `channel`.
    fn everyone_can_view(&self, channel: &GuildChannel) -> bool {
        super::everyone_can_view(self.guild, &self.roles, channel)
    }

    /// Hidden from `@everyone`; `team` and the bot read it, and the bot also gets `bot_extra`.
    fn staff_overwrites(
        &self,
        team: &[serenity::RoleId],
        bot_extra: Permissions,
    ) -> Vec<PermissionOverwrite> {
        let read = Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY;
        let mut overwrites = vec![Self::overwrite(
            PermissionOverwriteType::Role(serenity::RoleId::new(self.guild.get())),
            Permissions::empty(),
            Permissions::VIEW_CHANNEL,
        )];
        for role in team {
            overwrites.push(Self::overwrite(
                PermissionOverwriteType::Role(*role),
                read,
                Permissions::empty(),
            ));
        }
        overwrites.push(Self::overwrite(
            PermissionOverwriteType::Member(self.me),
            read | bot_extra,
            Permissions::empty(),
        ));
        overwrites
    }

    fn overwrite(
        kind: PermissionOverwriteType,
        allow: Permissions,
        deny: Permissions,
    ) -> PermissionOverwrite {
        PermissionOverwrite { allow, deny, kind }
    }

    /// `#incident-log`: hidden from `@everyone`, open to `team` and the bot.
    pub(super) async fn log(
        &mut self,
        configured: Option<ChannelId>,
        team: &[serenity::RoleId],
    ) -> Result<serenity::ChannelId, SetupError> {
        let topic =
            "What incident-bot did: one line per declared incident, and every job it gave up.";
        self.team_channel(configured, names::LOG, topic, team).await
    }

    /// `#alerts`: the triage cards of alerts from monitoring, for `team` and the bot.
    pub(super) async fn alerts(
        &mut self,
        configured: Option<ChannelId>,
        team: &[serenity::RoleId],
    ) -> Result<serenity::ChannelId, SetupError> {
        let topic = "Alerts from monitoring and players' reports: declare, attach or dismiss each.";
        self.team_channel(configured, names::ALERT_CARDS, topic, team)
            .await
    }

    /// A text channel hidden from `@everyone`, open to `team` and the bot.
    async fn team_channel(
        &mut self,
        configured: Option<ChannelId>,
        name: &str,
        topic: &str,
        team: &[serenity::RoleId],
    ) -> Result<serenity::ChannelId, SetupError> {
        let text = [ChannelType::Text, ChannelType::News];
        if let Some(found) = self.find(configured, name, &text) {
            if self.everyone_can_view(found) {
                return Err(SetupError::Blocked(Blocked::Exposed {
                    channel: found.name.clone(),
                    id: found.id.get(),
                }));
            }
            let line = format!("found #{} ({})", found.name, found.id);
            let id = found.id;
            self.lines.push(line);
            return Ok(id);
        }
        let overwrites = self.staff_overwrites(team, Permissions::SEND_MESSAGES);
        let builder = CreateChannel::new(name)
            .kind(ChannelType::Text)
            .topic(topic)
            .permissions(overwrites)
            .audit_log_reason("incident-bot setup");
        let created = self.create(builder).await?;
        self.lines.push(format!(
            "created #{} ({}), visible to Responder and Incident Commander only",
            created.name, created.id
        ));
        Ok(created.id)
    }

    /// `#status`: where players read alerts; an announcement channel on a Community server.
    /// Players may read it, not write in it.
    pub(super) async fn status(
        &mut self,
        configured: Option<ChannelId>,
        community: bool,
    ) -> Result<serenity::ChannelId, SetupError> {
        let text = [ChannelType::Text, ChannelType::News];
        if let Some(found) = self.find(configured, names::STATUS, &text) {
            let line = format!("found #{} ({})", found.name, found.id);
            let (id, kind) = (found.id, found.kind);
            self.lines.push(line);
            if kind == ChannelType::Text && community {
                self.notes.push(format!(
                    "#{} is a text channel: change it to an Announcement channel (its settings, \
                     Overview) so that alerts are published to the servers that follow it.",
                    names::STATUS
                ));
            }
            return Ok(id);
        }
        let kind = if community {
            ChannelType::News
        } else {
            ChannelType::Text
        };
        let overwrites = vec![
            Self::overwrite(
                PermissionOverwriteType::Role(serenity::RoleId::new(self.guild.get())),
                Permissions::empty(),
                Permissions::SEND_MESSAGES,
            ),
            Self::overwrite(
                PermissionOverwriteType::Member(self.me),
                Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES,
                Permissions::empty(),
            ),
        ];
        let builder = CreateChannel::new(names::STATUS)
            .kind(kind)
            .topic("Service alerts, status updates and all-clears.")
            .permissions(overwrites)
            .audit_log_reason("incident-bot setup");
        let created = self.create(builder).await?;
        if community {
            self.lines.push(format!(
                "created #{} ({}), an announcement channel players can follow",
                created.name, created.id
            ));
        } else {
            self.lines.push(format!(
                "created #{} ({}) as a text channel",
                created.name, created.id
            ));
            self.notes.push(format!(
                "#{} is a text channel because this server is not a Community server: players \
                 cannot follow it, and alerts are not published to other servers. To allow \
                 that, enable Community (Server Settings → Enable Community), then change #{} \
                 to an Announcement channel.",
                names::STATUS,
                names::STATUS
            ));
        }
        Ok(created.id)
    }
}
