//! Writing the ids set-up found into a config file: a new file with comments, or an existing one
//! edited in place (`toml_edit` keeps its comments, order and every other setting).

use std::path::{Path, PathBuf};

use figment::providers::{Format, Toml};
use figment::Figment;
use serde::Deserialize;
use toml_edit::{value, DocumentMut, Item, Table};

use super::{env, ConfigError, DEFAULT_TOML};
use crate::domain::{ChannelId, GuildId, RoleId};

/// The name of the file set-up writes next to the database.
pub const SETUP_FILE: &str = "incident-bot.toml";

/// Every id the bot needs from its server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerIds {
    /// `[discord] guild_id`.
    pub guild: GuildId,
    /// `[channels] announcements`.
    pub announcements: ChannelId,
    /// `[channels] incident_category`.
    pub incident_category: ChannelId,
    /// `[channels] archive_category`.
    pub archive_category: ChannelId,
    /// `[channels] log`.
    pub log: ChannelId,
    /// `[channels] alerts`.
    pub alerts: ChannelId,
    /// `[roles] responder`.
    pub responder: RoleId,
    /// `[roles] commander`.
    pub commander: RoleId,
    /// `[roles] security`.
    pub security: RoleId,
    /// `[roles] player_alerts`.
    pub player_alerts: RoleId,
}

impl ServerIds {
    /// Each key, dotted, with its id and the comment a new file gives it.
    fn entries(&self) -> [(&'static str, &'static str, u64, &'static str); 10] {
        [
            ("discord", "guild_id", self.guild.get(), "The server."),
            (
                "channels",
                "announcements",
                self.announcements.get(),
                "#status: players read service alerts, updates and all-clears here.",
            ),
            (
                "channels",
                "incident_category",
                self.incident_category.get(),
                "Incidents: new incident channels open under it.",
            ),
            (
                "channels",
                "archive_category",
                self.archive_category.get(),
                "Incident archive: closed incident channels move here.",
            ),
            (
                "channels",
                "log",
                self.log.get(),
                "#incident-log: one line per declared incident and failed job (responders only).",
            ),
            (
                "channels",
                "alerts",
                self.alerts.get(),
                "#alerts: triage cards of alerts from monitoring (responders only).",
            ),
            (
                "roles",
                "responder",
                self.responder.get(),
                "Responder: may declare and work incidents.",
            ),
            (
                "roles",
                "commander",
                self.commander.get(),
                "Incident Commander: may also change severity, resolve and close.",
            ),
            (
                "roles",
                "security",
                self.security.get(),
                "Security: sees security incidents' private channels.",
            ),
            (
                "roles",
                "player_alerts",
                self.player_alerts.get(),
                "Incident Alerts: players who take it are pinged by P0 alerts.",
            ),
        ]
    }
}

/// A new config file holding `ids`, with comments.
fn fresh(ids: &ServerIds, server: &str) -> String {
    let mut out = format!(
        "# Written by `incident-bot setup` for the server \"{}\": the ids it found or created.\n\
         # Edit freely (running setup again keeps your edits), then check the file with\n\
         #   incident-bot check --config <this file>\n\
         # Every other setting, with its default and meaning, is in config/default.toml; copy\n\
         # into this file only what you change. The token is never written here: it stays in\n\
         # DISCORD_TOKEN. Optional: [intake] reports_channel makes a triage card when many\n\
         # players name one system there; it needs the privileged Message Content intent,\n\
         # turned on in the developer portal (your app → Bot) before you set it.\n",
        server.replace(['\n', '\r'], " ")
    );
    let mut section = "";
    for (table, key, id, comment) in ids.entries() {
        if table != section {
            out.push_str(&format!("\n[{table}]\n"));
            section = table;
        }
        out.push_str(&format!("# {comment}\n{key} = \"{id}\"\n"));
    }
    out
}

/// Writes `ids` to `path`: a new commented file, or the keys changed in the existing one. Returns
/// whether the file changed.
pub fn write_server_ids(path: &Path, ids: &ServerIds, server: &str) -> anyhow::Result<bool> {
    use anyhow::Context as _;
    if !path.exists() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the folder {}", dir.display()))?;
        }
        write_whole(path, &fresh(ids, server))
            .with_context(|| format!("cannot write {}", path.display()))?;
        return Ok(true);
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut doc: DocumentMut = text.parse().with_context(|| {
        format!(
            "{} is not valid TOML: fix it (`incident-bot check` names the line), then run setup again",
            path.display()
        )
    })?;
    let mut changed = false;
    for (table, key, id, _) in ids.entries() {
        let wanted = id.to_string();
        let section = doc
            .entry(table)
            .or_insert_with(|| Item::Table(Table::new()))
            .as_table_like_mut()
            .with_context(|| format!("[{table}] in {} is not a table", path.display()))?;
        let current = section.get(key).and_then(|v| {
            v.as_str()
                .map(str::to_owned)
                .or_else(|| v.as_integer().map(|i| i.to_string()))
        });
        if current.as_deref() != Some(wanted.as_str()) {
            section.insert(key, value(wanted));
            changed = true;
        }
    }
    if changed {
        write_whole(path, &doc.to_string())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(changed)
}

/// Writes `text` to `path` whole or not at all: into a new file beside it, flushed to disk,
/// then renamed over it, so a crash or a full disk never leaves half a config (which `run`
/// would refuse) and a reader never sees one. A new file is readable by its owner only
/// (0600, whatever the umask); a file that was there keeps its mode, and its owner and group
/// where the process may set them, since the operator chose who reads it.
fn write_whole(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    // A link stays a link: the file it names is the one replaced.
    let target = std::fs::canonicalize(path).ok();
    let path = target.as_deref().unwrap_or(path);
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let before = std::fs::metadata(path).ok();
    let result = (|| {
        // A temp file left by a process of the same id that died is stale.
        let _ = std::fs::remove_file(&temp);
        let mut file = crate::store::private_file(&temp)?;
        #[cfg(unix)]
        if let Some(before) = &before {
            use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
            file.set_permissions(std::fs::Permissions::from_mode(before.mode() & 0o7777))?;
            // Only root may give a file away; anyone else keeps the file as theirs.
            let _ = std::os::unix::fs::fchown(&file, Some(before.uid()), Some(before.gid()));
        }
        #[cfg(not(unix))]
        let _ = &before;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result?;
    // The rename is durable once the folder's entry is on disk; some systems cannot sync a
    // folder, and the file itself is already whole.
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// What set-up reads before the server is known: where Discord is, any ids already configured,
/// and where the database is (the file it writes goes next to it). Every id is optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SetupSettings {
    /// `[discord]`.
    #[serde(default)]
    pub discord: SetupDiscord,
    /// `[channels]`.
    #[serde(default)]
    pub channels: SetupChannels,
    /// `[roles]`.
    #[serde(default)]
    pub roles: SetupRoles,
    /// `[database]`.
    pub database: SetupDatabase,
}

/// `[discord]`, as far as set-up needs it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SetupDiscord {
    /// The server, if configured.
    pub guild_id: Option<GuildId>,
    /// Another base URL for Discord.
    pub api_base: Option<String>,
}

/// `[channels]`, each optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SetupChannels {
    /// `announcements`.
    pub announcements: Option<ChannelId>,
    /// `incident_category`.
    pub incident_category: Option<ChannelId>,
    /// `archive_category`.
    pub archive_category: Option<ChannelId>,
    /// `log`.
    pub log: Option<ChannelId>,
    /// `alerts`.
    pub alerts: Option<ChannelId>,
}

/// `[roles]`, each optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SetupRoles {
    /// `responder`.
    pub responder: Option<RoleId>,
    /// `commander`.
    pub commander: Option<RoleId>,
    /// `security`.
    pub security: Option<RoleId>,
    /// `player_alerts`.
    pub player_alerts: Option<RoleId>,
}

/// `[database]`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SetupDatabase {
    /// The SQLite file.
    pub path: PathBuf,
}

impl SetupSettings {
    /// Reads defaults < `file` (when it exists) < environment, ignoring what set-up does not use.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut fig = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(path) = file.filter(|p| p.exists()) {
            let text = std::fs::read_to_string(path).map_err(|e| {
                ConfigError::one(format!(
                    "cannot read the config file {}: {e}",
                    path.display()
                ))
            })?;
            fig = fig.merge(Toml::string(&text));
        }
        fig.merge(env::provider())
            .extract()
            .map_err(|e| ConfigError {
                problems: e.into_iter().map(|e| e.to_string()).collect(),
                warnings: Vec::new(),
            })
    }

    /// Where set-up writes its file when no config file is named: next to the database.
    pub fn setup_file(&self) -> PathBuf {
        self.database
            .path
            .parent()
            .map_or_else(|| PathBuf::from(SETUP_FILE), |dir| dir.join(SETUP_FILE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> ServerIds {
        let c = |n| ChannelId::new(n).expect("id");
        let r = |n| RoleId::new(n).expect("id");
        ServerIds {
            guild: GuildId::new(1).expect("id"),
            announcements: c(10),
            incident_category: c(11),
            archive_category: c(12),
            log: c(13),
            alerts: c(14),
            responder: r(20),
            commander: r(21),
            security: r(22),
            player_alerts: r(23),
        }
    }

    #[test]
    fn a_new_file_has_every_id_with_a_comment_and_an_edited_one_keeps_the_rest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join(SETUP_FILE);
        assert!(write_server_ids(&path, &ids(), "Studio").expect("write"));
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("# The server.\nguild_id = \"1\"\n"), "{text}");
        assert!(text.contains("[roles]\n# Responder: "), "{text}");
        assert!(
            !write_server_ids(&path, &ids(), "Studio").expect("again"),
            "no change twice"
        );

        let edited = "# mine\n[status]\nurl = \"https://example.com\" # kept\n\n[roles]\nresponder = 99 # old\n";
        std::fs::write(&path, edited).expect("write");
        assert!(write_server_ids(&path, &ids(), "Studio").expect("edit"));
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.starts_with("# mine\n[status]\nurl = \"https://example.com\" # kept\n"),
            "{text}"
        );
        assert!(text.contains("responder = \"20\""), "{text}");
        assert!(text.contains("[discord]\nguild_id = \"1\""), "{text}");
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_the_owners_alone_and_every_write_replaces_it_whole() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(SETUP_FILE);
        assert!(write_server_ids(&path, &ids(), "Studio").expect("write"));
        assert_eq!(
            mode(&path),
            0o600,
            "a new file is readable by its owner only"
        );

        // An edit goes through a new file renamed over the old one, and keeps the mode the
        // operator gave it.
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o640))
            .expect("chmod");
        let inode = std::fs::metadata(&path).expect("metadata").ino();
        let mut other = ids();
        other.log = ChannelId::new(99).expect("id");
        assert!(write_server_ids(&path, &other, "Studio").expect("edit"));
        assert_ne!(
            std::fs::metadata(&path).expect("metadata").ino(),
            inode,
            "replaced by a rename, not rewritten in place"
        );
        assert_eq!(mode(&path), 0o640);
        assert!(std::fs::read_to_string(&path)
            .expect("read")
            .contains("log = \"99\""));
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(left, [SETUP_FILE], "no temp file is left behind");

        // A config reached through a link is replaced where the link points.
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&path, &link).expect("symlink");
        assert!(write_server_ids(&link, &ids(), "Studio").expect("through the link"));
        assert!(std::fs::symlink_metadata(&link)
            .expect("metadata")
            .file_type()
            .is_symlink());
        assert!(std::fs::read_to_string(&path)
            .expect("read")
            .contains("log = \"13\""));
    }

    #[test]
    fn the_setup_file_goes_next_to_the_database() {
        let mut s = SetupSettings::default();
        s.database.path = PathBuf::from("/var/lib/incident-bot/bot.db");
        assert_eq!(
            s.setup_file(),
            PathBuf::from("/var/lib/incident-bot/incident-bot.toml")
        );
        s.database.path = PathBuf::from("incident-bot.db");
        assert_eq!(s.setup_file(), PathBuf::from(SETUP_FILE));
    }
}
