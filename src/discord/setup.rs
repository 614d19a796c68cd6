//! One-token set-up on Discord: find the server the bot was invited to, check it may manage
//! channels and roles, then find by id or by name what the bot needs (two categories, the log,
//! alerts and status channels, four roles) and create only what is missing.

mod create;

use std::fmt;

use serenity::all as serenity;
use serenity::Http;

use create::Run;

use crate::config::ServerIds;
use crate::domain::{ChannelId, GuildId, RoleId};

/// The permissions docs/setup-and-configuration.md lists, as the invite URL's `permissions`
/// integer: View Channels, Manage Channels, Manage Server (a lockdown's incident actions),
/// Manage Roles, Send Messages, Embed Links, Attach Files, Read Message History, Mention
/// Everyone, Pin Messages, Add Reactions, Connect and Create Events (the post-mortem meeting).
pub const INVITE_PERMISSIONS: u64 = (1 << 4)
    | (1 << 5)
    | (1 << 6)
    | (1 << 10)
    | (1 << 11)
    | (1 << 14)
    | (1 << 15)
    | (1 << 16)
    | (1 << 17)
    | (1 << 20)
    | (1 << 28)
    | (1 << 44)
    | (1 << 51);

/// The invite URL that adds the bot with the permissions it needs (to `guild`, when known).
pub fn invite_url(application: u64, guild: Option<u64>) -> String {
    let mut url = format!(
        "https://discord.com/oauth2/authorize?client_id={application}\
         &scope=bot%20applications.commands&permissions={INVITE_PERMISSIONS}"
    );
    if let Some(guild) = guild {
        url.push_str(&format!("&guild_id={guild}&disable_guild_select=true"));
    }
    url
}

/// The names set-up gives what it creates, and looks for.
pub mod names {
    /// The category incident channels open under.
    pub const INCIDENTS: &str = "Incidents";
    /// The category closed incident channels move to.
    pub const ARCHIVE: &str = "Incident archive";
    /// The responders' private log channel.
    pub const LOG: &str = "incident-log";
    /// Where alerts' triage cards go.
    pub const ALERT_CARDS: &str = "alerts";
    /// The players' announcement channel.
    pub const STATUS: &str = "status";
    /// Members who declare and work incidents.
    pub const RESPONDER: &str = "Responder";
    /// Members who may also change severity, resolve and close.
    pub const COMMANDER: &str = "Incident Commander";
    /// Members who see security incidents.
    pub const SECURITY: &str = "Security";
    /// Players who opt in to P0 alert pings.
    pub const ALERTS: &str = "Incident Alerts";
}

/// Why set-up cannot go on until a person acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked {
    /// The bot is in no server yet.
    NoServer {
        /// The URL that invites it.
        invite: String,
    },
    /// The bot is in several servers and none is configured.
    SeveralServers {
        /// Each server: name and id.
        servers: Vec<(String, u64)>,
    },
    /// The configured server is not one the bot is in.
    NotInServer {
        /// The configured id.
        guild: u64,
        /// The URL that invites it there.
        invite: String,
    },
    /// A team channel set-up would adopt can be read by everyone.
    Exposed {
        /// Its name.
        channel: String,
        /// Its id.
        id: u64,
    },
    /// The bot may not manage channels or roles there.
    MissingPermissions {
        /// The server's name.
        server: String,
        /// What is missing, as Discord names it.
        missing: Vec<&'static str>,
        /// The URL that grants the permissions.
        invite: String,
    },
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Blocked::NoServer { invite } => write!(
                f,
                "the bot is in no server yet: invite it with {invite} and run this again"
            ),
            Blocked::SeveralServers { servers } => {
                writeln!(
                    f,
                    "the bot is in {} servers; say which one to run in with [discord] guild_id \
                     in the config file, or INCIDENT_BOT__DISCORD__GUILD_ID=<id>:",
                    servers.len()
                )?;
                for (name, id) in servers {
                    writeln!(f, "  - {name} ({id})")?;
                }
                Ok(())
            }
            Blocked::NotInServer { guild, invite } => write!(
                f,
                "the bot is not in the configured server {guild}: invite it there with {invite}"
            ),
            Blocked::Exposed { channel, id } => write!(
                f,
                "everyone can read #{channel} ({id}), which would hold the team's alerts and \
                 incident log: in its permissions, deny View Channel to @everyone and allow it to \
                 Responder and Incident Commander (or rename it, and set-up makes a new one), \
                 then run this again"
            ),
            Blocked::MissingPermissions {
                server,
                missing,
                invite,
            } => write!(
                f,
                "the bot lacks {} in {server}: re-invite it with the permissions it needs: {invite}",
                missing.join(" and ")
            ),
        }
    }
}

/// Why set-up failed.
#[derive(Debug)]
pub enum SetupError {
    /// A person must act first (invite the bot, pick a server, grant a permission).
    Blocked(Blocked),
    /// Discord refused or failed a call.
    Discord(anyhow::Error),
}

impl From<serenity::Error> for SetupError {
    fn from(e: serenity::Error) -> Self {
        Self::Discord(anyhow::anyhow!(super::error_chain(&anyhow::Error::new(e))))
    }
}

/// What set-up did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The server's name.
    pub server: String,
    /// The ids it used.
    pub ids: ServerIds,
    /// One line per thing: found, kept or created.
    pub lines: Vec<String>,
    /// How many things it created.
    pub created: usize,
    /// What a person should know (a text channel where an announcement channel was meant).
    pub notes: Vec<String>,
}

/// What set-up was told: the server and any ids already configured.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// `[discord] guild_id`.
    pub guild: Option<GuildId>,
    /// `[channels] announcements`.
    pub announcements: Option<ChannelId>,
    /// `[channels] incident_category`.
    pub incident_category: Option<ChannelId>,
    /// `[channels] archive_category`.
    pub archive_category: Option<ChannelId>,
    /// `[channels] log`.
    pub log: Option<ChannelId>,
    /// `[channels] alerts`.
    pub alerts: Option<ChannelId>,
    /// `[roles] responder`.
    pub responder: Option<RoleId>,
    /// `[roles] commander`.
    pub commander: Option<RoleId>,
    /// `[roles] security`.
    pub security: Option<RoleId>,
    /// `[roles] player_alerts`.
    pub player_alerts: Option<RoleId>,
}

/// The server to set up: the one named, or the only one the bot is in.
fn pick_guild<'a>(
    known: &Known,
    guilds: &'a [serenity::GuildInfo],
    application: u64,
) -> Result<&'a serenity::GuildInfo, SetupError> {
    match (known.guild, guilds) {
        (Some(id), _) => guilds
            .iter()
            .find(|g| g.id.get() == id.get())
            .ok_or_else(|| {
                SetupError::Blocked(Blocked::NotInServer {
                    guild: id.get(),
                    invite: invite_url(application, Some(id.get())),
                })
            }),
        (None, []) => Err(SetupError::Blocked(Blocked::NoServer {
            invite: invite_url(application, None),
        })),
        (None, [one]) => Ok(one),
        (None, several) => Err(SetupError::Blocked(Blocked::SeveralServers {
            servers: several
                .iter()
                .map(|g| (g.name.clone(), g.id.get()))
                .collect(),
        })),
    }
}

/// Refuses a server where the bot may not create channels and roles, naming what to grant.
fn may_set_up(guild: &serenity::GuildInfo, application: u64) -> Result<(), SetupError> {
    let mut missing = Vec::new();
    let all = guild.owner || guild.permissions.administrator();
    if !all && !guild.permissions.manage_channels() {
        missing.push("Manage Channels");
    }
    if !all && !guild.permissions.manage_roles() {
        missing.push("Manage Roles");
    }
    if !missing.is_empty() {
        return Err(SetupError::Blocked(Blocked::MissingPermissions {
            server: guild.name.clone(),
            missing,
            invite: invite_url(application, Some(guild.id.get())),
        }));
    }
    Ok(())
}

/// Picks the server, checks the bot's permissions there, then finds or creates each thing.
pub async fn set_up(http: &Http, known: &Known) -> Result<Report, SetupError> {
    let application = http.get_current_application_info().await?.id.get();
    let me = http.get_current_user().await?.id;
    let guilds = http.get_guilds(None, Some(200)).await?;
    let guild = pick_guild(known, &guilds, application)?;
    may_set_up(guild, application)?;
    let community = guild
        .features
        .iter()
        .any(|f| f == "COMMUNITY" || f == "NEWS");
    let mut run = Run {
        http,
        guild: guild.id,
        me,
        roles: http.get_guild_roles(guild.id).await?,
        channels: http.get_channels(guild.id).await?,
        lines: Vec::new(),
        notes: Vec::new(),
        created: 0,
    };
    if !(guild.owner || guild.permissions.administrator() || guild.permissions.manage_guild()) {
        run.notes.push(format!(
            "The bot lacks Manage Server, so /incident lockdown cannot pause invites or DMs: \
             grant it to the bot's role, or invite it again with {}",
            invite_url(application, Some(guild.id.get()))
        ));
    }
    let responder = run.role(known.responder, names::RESPONDER).await?;
    let commander = run.role(known.commander, names::COMMANDER).await?;
    let security = run.role(known.security, names::SECURITY).await?;
    let player_alerts = run.role(known.player_alerts, names::ALERTS).await?;
    run.keep_unmentionable(player_alerts).await?;
    let team = [responder, commander, security];
    let incident_category = run
        .category(known.incident_category, names::INCIDENTS, &team)
        .await?;
    let archive_category = run
        .category(known.archive_category, names::ARCHIVE, &team)
        .await?;
    let log = run.log(known.log, &[responder, commander]).await?;
    let alerts = run.alerts(known.alerts, &[responder, commander]).await?;
    let announcements = run.status(known.announcements, community).await?;
    let id = |what: &str, raw: u64| {
        ChannelId::new(raw)
            .ok_or_else(|| SetupError::Discord(anyhow::anyhow!("Discord returned {what} id 0")))
    };
    let role = |raw: serenity::RoleId| {
        RoleId::new(raw.get())
            .ok_or_else(|| SetupError::Discord(anyhow::anyhow!("Discord returned role id 0")))
    };
    let ids = ServerIds {
        guild: GuildId::new(guild.id.get())
            .ok_or_else(|| SetupError::Discord(anyhow::anyhow!("Discord returned guild id 0")))?,
        announcements: id("channel", announcements.get())?,
        incident_category: id("channel", incident_category.get())?,
        archive_category: id("channel", archive_category.get())?,
        log: id("channel", log.get())?,
        alerts: id("channel", alerts.get())?,
        responder: role(responder)?,
        commander: role(commander)?,
        security: role(security)?,
        player_alerts: role(player_alerts)?,
    };
    Ok(Report {
        server: guild.name.clone(),
        ids,
        lines: run.lines,
        created: run.created,
        notes: run.notes,
    })
}

/// Whether `@everyone` may view `channel` of `guild`: its role has View Channel (`roles` holds
/// it) and no overwrite of the channel takes it away, or one gives it.
pub(crate) fn everyone_can_view(
    guild: serenity::GuildId,
    roles: &[serenity::Role],
    channel: &serenity::GuildChannel,
) -> bool {
    use serenity::{PermissionOverwriteType, Permissions};
    let everyone = serenity::RoleId::new(guild.get());
    let own = channel
        .permission_overwrites
        .iter()
        .find(|o| o.kind == PermissionOverwriteType::Role(everyone));
    if own.is_some_and(|o| o.allow.contains(Permissions::VIEW_CHANNEL)) {
        return true;
    }
    if own.is_some_and(|o| o.deny.contains(Permissions::VIEW_CHANNEL)) {
        return false;
    }
    roles
        .iter()
        .find(|r| r.id == everyone)
        .is_some_and(|r| r.permissions.contains(Permissions::VIEW_CHANNEL))
}

/// Warns, at start, about each team place of `settings` that everyone can read: the incident
/// categories, the log and `#alerts`. Incident channels carry their own overwrites, but what
/// people make by hand under a public category, the log's lines and the triage cards would be
/// public. Warns too when members can ping the players' alert role, which only the bot should
/// ping. Says what to change; a failed look is only logged.
pub async fn warn_if_exposed(http: &Http, settings: &crate::config::Settings) {
    let guild = serenity::GuildId::new(settings.discord.guild_id.get());
    let (roles, channels) =
        match tokio::try_join!(http.get_guild_roles(guild), http.get_channels(guild)) {
            Ok(both) => both,
            Err(e) => {
                let error = super::error_chain(&anyhow::Error::new(e));
                tracing::warn!(%error, "could not check who can read the team's channels");
                return;
            }
        };
    let alerts = settings.roles.player_alerts.map(|r| r.get());
    if let Some(role) = roles
        .iter()
        .find(|r| Some(r.id.get()) == alerts && r.mentionable)
    {
        tracing::warn!(
            role = %role.name,
            key = "[roles] player_alerts",
            "members can ping {} ([roles] player_alerts), the players' alert role: in Server \
             Settings → Roles, turn off \"Allow anyone to @mention this role\" (or run \
             incident-bot setup); the bot pings it itself",
            role.name
        );
    }
    let c = &settings.channels;
    let places = [
        ("[channels] incident_category", Some(c.incident_category)),
        ("[channels] archive_category", Some(c.archive_category)),
        ("[channels] log", c.log),
        ("[channels] alerts", c.alerts),
    ];
    for (key, id) in places {
        let Some(id) = id else { continue };
        let Some(channel) = channels.iter().find(|ch| ch.id.get() == id.get()) else {
            continue;
        };
        if everyone_can_view(guild, &roles, channel) {
            tracing::warn!(
                channel = %channel.name,
                key,
                "everyone can read {} ({key}): in its permissions, deny View Channel to \
                 @everyone and allow it to the team's roles",
                channel.name
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invite_url_asks_for_both_scopes_and_the_listed_permissions() {
        assert_eq!(INVITE_PERMISSIONS, 2_269_392_269_462_640);
        assert_eq!(
            invite_url(7, Some(9)),
            "https://discord.com/oauth2/authorize?client_id=7&scope=bot%20applications.commands\
             &permissions=2269392269462640&guild_id=9&disable_guild_select=true"
        );
    }
}
