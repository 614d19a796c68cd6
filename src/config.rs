//! Typed settings: the embedded `config/default.toml`, then the operator's file, then
//! `INCIDENT_BOT__SECTION__KEY` environment variables; validated once, at load, with every
//! problem named at its line of the file or by its variable.

mod action_rules;
mod cloudflare;
mod duration;
mod env;
mod extract;
mod listen;
mod load;
mod locales;
mod metrics_source;
mod page_out;
mod rules;
mod social;
mod source;
mod status_webhooks;
mod suggest;
pub mod tracker;
mod write;

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono::TimeDelta;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::domain::{
    ChannelId, Checklists, GuildId, PhaseBudgets, PostmortemPolicy, RoleId, Severity, SystemRules,
};

pub use cloudflare::{CloudflareSettings, WafMode, CLOUDFLARE_TOKEN_VAR};
pub use duration::MAX_DURATION;
pub use load::{load_render_settings, log_format};
pub use metrics_source::{LinkSettings, PrometheusSettings, SystemSettings, MAX_LINKS};
pub use page_out::{
    NtfySettings, PageOutSettings, PageService, PagerDutySecrets, PagerDutySettings,
};
pub use social::{
    BlueskySettings, MastodonSettings, SocialSettings, XKeys, XSettings, BLUESKY_PASSWORD_VAR,
    MASTODON_TOKEN_VAR, X_VARS,
};
pub use status_webhooks::{secret_var as status_webhook_secret_var, StatusWebhookSettings};
pub use write::{write_server_ids, ServerIds, SetupSettings, SETUP_FILE};

/// The defaults, documented key by key, compiled into the binary.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// The environment variable prefix for overrides: `INCIDENT_BOT__DATABASE__PATH`.
pub const ENV_PREFIX: &str = "INCIDENT_BOT__";

/// Everything the bot can be told, as the operator wrote it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Where Discord is.
    pub discord: DiscordSettings,
    /// The channels the bot posts to.
    pub channels: ChannelSettings,
    /// The server roles that decide who may do what.
    pub roles: RoleSettings,
    /// The SQLite database.
    pub database: DatabaseSettings,
    /// What each severity triggers.
    pub severity: SeverityTable,
    /// The phase budgets.
    pub phases: PhaseSettings,
    /// Each phase's checklist: the steps people tick.
    pub checklists: Checklists,
    /// Escalation when nobody takes command.
    pub escalation: EscalationSettings,
    /// What happens after resolve.
    pub resolution: ResolutionSettings,
    /// The post-mortem rules.
    pub postmortem: PostmortemSettings,
    /// Maintenance windows.
    pub maintenance: MaintenanceSettings,
    /// The catalogue of affected systems.
    pub systems: SystemsSettings,
    /// Template overrides.
    pub templates: TemplateSettings,
    /// The public status page.
    pub status: StatusSettings,
    /// What players read.
    pub players: PlayersSettings,
    /// The durable job queue.
    pub jobs: JobSettings,
    /// Replicas sharing one PostgreSQL database.
    pub replicas: ReplicaSettings,
    /// The HTTP listeners.
    pub http: HttpSettings,
    /// The alert webhooks.
    pub intake: IntakeSettings,
    /// How the bot logs.
    pub log: LogSettings,
    /// Runbook actions: the HTTP calls a checklist step or `/incident run` performs.
    #[serde(default)]
    pub actions: Vec<crate::domain::RunbookAction>,
    /// The social networks players' announcements are also posted to (none by default).
    #[serde(default)]
    pub social: SocialSettings,
    /// Paging on-call outside Discord: PagerDuty, ntfy.
    #[serde(default)]
    pub page_out: PageOutSettings,
    /// Cloudflare's WAF, for `/incident block`.
    pub cloudflare: CloudflareSettings,
    /// Where the error rates of the fix check are read.
    pub prometheus: PrometheusSettings,
    /// The issue tracker, when one is set up.
    pub tracker: Option<tracker::TrackerSettings>,
}

/// `[discord]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordSettings {
    /// The one guild the bot serves.
    pub guild_id: GuildId,
    /// Another base URL for every REST and gateway call (a proxy or a local fake).
    pub api_base: Option<String>,
}

/// `[channels]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSettings {
    /// The players' announcement channel.
    pub announcements: ChannelId,
    /// The category for open incident channels.
    pub incident_category: ChannelId,
    /// The category for closed incident channels.
    pub archive_category: ChannelId,
    /// The internal log channel, if any.
    pub log: Option<ChannelId>,
    /// Where alert triage cards go; the log channel when unset.
    #[serde(default)]
    pub alerts: Option<ChannelId>,
    /// `[channels.announcements_by_locale]`: a players' channel per language. Each announcement
    /// is also posted in each of them, in its language.
    #[serde(default)]
    pub announcements_by_locale: std::collections::BTreeMap<crate::domain::Locale, ChannelId>,
}

/// `[roles]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSettings {
    /// May declare and work incidents.
    pub responder: RoleId,
    /// May also change severity, resolve and close.
    pub commander: RoleId,
    /// Sees security incidents.
    pub security: RoleId,
    /// Players who opted in to P0 alert pings.
    pub player_alerts: Option<RoleId>,
    /// May open, move, extend and end maintenance windows (commanders may too).
    #[serde(default)]
    pub maintenance: Option<RoleId>,
}

/// `[maintenance]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceSettings {
    /// How long before a scheduled window starts the staff are reminded in the log channel;
    /// `None` never reminds.
    #[serde(deserialize_with = "duration::optional_positive")]
    pub remind_before: Option<Duration>,
    /// How long the window that a checklist's "Enable maintenance mode" starts is expected to
    /// last (`/maintenance extend` pushes it back).
    #[serde(deserialize_with = "duration::positive")]
    pub default_length: Duration,
    /// The runbook action (`[[actions]]` id) that turns the game's own maintenance mode on and
    /// off: run with `maintenance = "on"` when a window starts and `"off"` when it ends.
    #[serde(default)]
    pub hook: Option<crate::domain::ActionId>,
}

/// `[database]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// The SQLite file, unless `url` is set.
    pub path: PathBuf,
    /// A PostgreSQL server's database (`postgres://user:password@host/db`): when set, the bot
    /// keeps everything there instead of in `path`.
    #[serde(default)]
    pub url: Option<DatabaseUrl>,
}

/// A database URL, which may hold a password: shown (`Debug`, logs) without it.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a URL.
    pub fn new(url: String) -> Self {
        Self(url)
    }

    /// The whole URL, password included, to connect with.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL without its password, for logs and messages.
    pub fn redacted(&self) -> String {
        crate::store::redacted_url(&self.0)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// `[severity.P0]` … `[severity.P3]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityTable {
    /// P0.
    #[serde(rename = "P0")]
    pub p0: SeveritySettings,
    /// P1.
    #[serde(rename = "P1")]
    pub p1: SeveritySettings,
    /// P2.
    #[serde(rename = "P2")]
    pub p2: SeveritySettings,
    /// P3.
    #[serde(rename = "P3")]
    pub p3: SeveritySettings,
}

impl SeverityTable {
    /// The settings of one severity.
    pub fn get(&self, severity: Severity) -> &SeveritySettings {
        match severity {
            Severity::P0 => &self.p0,
            Severity::P1 => &self.p1,
            Severity::P2 => &self.p2,
            Severity::P3 => &self.p3,
        }
    }

    /// The settings of one severity, to change.
    pub fn get_mut(&mut self, severity: Severity) -> &mut SeveritySettings {
        match severity {
            Severity::P0 => &mut self.p0,
            Severity::P1 => &mut self.p1,
            Severity::P2 => &mut self.p2,
            Severity::P3 => &mut self.p3,
        }
    }
}

/// What one severity triggers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeveritySettings {
    /// What makes an incident this severe, in a phrase: shown in the severity choices and in
    /// `/incident help`.
    pub definition: String,
    /// Incidents of this severity, for `/incident help`.
    pub examples: Vec<String>,
    /// Roles pinged in the incident channel on declare (or on a raise to this level).
    pub page: Vec<RoleId>,
    /// Whether the service alert goes to players automatically.
    pub announce: bool,
    /// Escalate when nobody took command within this time (and again as often); `None` never
    /// escalates.
    #[serde(deserialize_with = "duration::optional_positive")]
    pub commander_timeout: Option<Duration>,
    /// Roles pinged when nobody takes command.
    pub escalate_to: Vec<RoleId>,
    /// Remind the comms lead when no update came within this time; `None` never reminds.
    #[serde(deserialize_with = "duration::optional_positive")]
    pub update_every: Option<Duration>,
    /// The services outside Discord that page on-call (`["pagerduty", "ntfy"]`); left out,
    /// every configured one for P0 and P1, none below.
    #[serde(default)]
    pub page_out: Option<Vec<PageService>>,
    /// Whether incidents of this severity get a ticket in the `[tracker]`.
    pub ticket: bool,
}

/// `[phases]`: when each phase should be over, from detection (the declaration unless corrected).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseSettings {
    /// Detection & Triage.
    #[serde(deserialize_with = "duration::positive")]
    pub triage: Duration,
    /// Containment.
    #[serde(deserialize_with = "duration::positive")]
    pub containment: Duration,
    /// Investigation.
    #[serde(deserialize_with = "duration::positive")]
    pub investigation: Duration,
    /// Resolution.
    #[serde(deserialize_with = "duration::positive")]
    pub resolution: Duration,
}

/// `[escalation]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationSettings {
    /// How many times to ping again while nobody takes command.
    pub max_repeats: u32,
}

/// `[resolution]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionSettings {
    /// When to ask for confirmation that the fix held.
    #[serde(deserialize_with = "duration::positive")]
    pub verify_after: Duration,
    /// How often the error rate is read through the verification window.
    #[serde(deserialize_with = "duration::positive")]
    pub check_every: Duration,
}

/// `[postmortem]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostmortemSettings {
    /// Severities that always need one.
    pub required_for: Vec<Severity>,
    /// Severities that need one when they recur.
    pub required_if_recurring: Vec<Severity>,
    /// How far back a recurrence counts; zero counts none.
    #[serde(deserialize_with = "duration::duration")]
    pub recurrence_window: Duration,
    /// Due this long after resolution.
    #[serde(deserialize_with = "duration::positive")]
    pub due_after: Duration,
    /// Reminders this long before the deadline.
    #[serde(deserialize_with = "duration::positive_list")]
    pub remind_before: Vec<Duration>,
    /// Roles pinged when it is overdue.
    pub escalate_to: Vec<RoleId>,
    /// Remind again this often once overdue.
    #[serde(deserialize_with = "duration::positive")]
    pub overdue_every: Duration,
    /// The voice or stage channel review meetings are held in, as Discord Scheduled Events;
    /// players must not be able to view it. `None`: meetings get no event.
    pub meeting_channel: Option<ChannelId>,
    /// The voice or stage channel of security incidents' review meetings, viewable by the
    /// security role only. `None`: their meetings get no event.
    pub security_meeting_channel: Option<ChannelId>,
    /// Roles asked to every review meeting besides the responders (team leads, product owner).
    pub participants: Vec<RoleId>,
    /// How long a review meeting is planned for (the event's end time).
    #[serde(deserialize_with = "duration::positive")]
    pub meeting_length: Duration,
}

/// `[systems]`. Not `deny_unknown_fields`: serde cannot with a flattened map. Every key but
/// `catalogue` is a system's table, whose own keys are checked.
#[derive(Debug, Clone, Deserialize)]
pub struct SystemsSettings {
    /// The systems offered by autocomplete.
    pub catalogue: Vec<String>,
    /// `[systems.<name>]`: what the bot reads about each system.
    #[serde(flatten)]
    pub each: std::collections::BTreeMap<String, SystemSettings>,
}

/// `[templates]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateSettings {
    /// A folder of `.hbs` files overriding the built-in templates.
    pub dir: Option<PathBuf>,
}

/// `[players]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlayersSettings {
    /// The hosts whose web addresses stay links in what players read; none listed means the
    /// status page's host alone.
    pub link_hosts: Vec<String>,
    /// The flags `/incident flag` may set (`ranked_disabled`): names the game client acts on,
    /// shown in `/game-status.json`.
    pub flags: Vec<String>,
    /// The languages players read, as Discord's locale codes; the seed's English is always one.
    #[serde(default)]
    pub locales: Vec<crate::domain::Locale>,
}

/// `[status]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusSettings {
    /// The status page named in the service alert.
    pub url: String,
    /// Whether the bot serves the status page on the public listener.
    pub page: bool,
    /// The page's name.
    pub name: String,
    /// The longest the page goes without a rebuild (it is rebuilt after each public change).
    #[serde(deserialize_with = "duration::positive")]
    pub rebuild_every: Duration,
    /// `[status.game]`: the in-game status feed.
    pub game: GameStatusSettings,
    /// `[[status.webhooks]]`: where each public change is POSTed, signed (none by default).
    #[serde(default)]
    pub webhooks: Vec<StatusWebhookSettings>,
}

/// `[status.game]`: `/game-status.json`, the feed a game client polls for its banner.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GameStatusSettings {
    /// The platforms an incident is shown on (the feed's `platforms`, e.g. `"windows"`).
    pub platforms: Vec<String>,
    /// The in-game severity of each incident severity.
    pub severity: GameSeverities,
}

/// `[status.game.severity]`: P0–P3 to the feed's `incident_severity`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GameSeverities {
    /// P0's.
    #[serde(rename = "P0")]
    pub p0: GameSeverity,
    /// P1's.
    #[serde(rename = "P1")]
    pub p1: GameSeverity,
    /// P2's.
    #[serde(rename = "P2")]
    pub p2: GameSeverity,
    /// P3's.
    #[serde(rename = "P3")]
    pub p3: GameSeverity,
}

impl GameSeverities {
    /// The in-game severity of `severity`.
    pub fn of(&self, severity: Severity) -> GameSeverity {
        match severity {
            Severity::P0 => self.p0,
            Severity::P1 => self.p1,
            Severity::P2 => self.p2,
            Severity::P3 => self.p3,
        }
    }
}

/// An incident's severity as a game client shows it (Riot's `incident_severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GameSeverity {
    /// A notice.
    Info,
    /// Some players are affected.
    Warning,
    /// The game is down for many.
    Critical,
}

/// `[jobs]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSettings {
    /// Attempts before a job is given up.
    pub max_attempts: u32,
    /// The first retry delay.
    #[serde(deserialize_with = "duration::positive")]
    pub retry_base: Duration,
    /// The longest retry delay.
    #[serde(deserialize_with = "duration::positive")]
    pub retry_max: Duration,
    /// How long a job waits for one Discord call before it counts as failed and is retried.
    #[serde(deserialize_with = "duration::positive")]
    pub discord_timeout: Duration,
    /// How long a claim on a job holds: a job claimed by a process that died runs again once
    /// its lease is over (on PostgreSQL with several replicas, the only way back).
    #[serde(deserialize_with = "duration::positive")]
    pub lease: Duration,
    /// How many jobs this process performs at once; 0 (replicas on PostgreSQL only) leaves the
    /// queue to the other replicas.
    pub workers: usize,
}

/// How often the gateway's owner renews its lease.
pub const RENEW_EVERY: Duration = Duration::from_secs(1);
/// How long a renewal may take before the owner counts the lease as lost.
pub const RENEW_TIMEOUT: Duration = Duration::from_secs(2);
/// The shortest `[replicas] lease`: a renewal and its timeout, and as long again for a loaded
/// machine.
pub const MIN_LEASE: Duration = Duration::from_secs(5);

/// `[replicas]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicaSettings {
    /// How long the gateway's owner may go without renewing its lease before a standby takes
    /// the gateway over (PostgreSQL only).
    #[serde(deserialize_with = "duration::positive")]
    pub lease: Duration,
}

/// `[http]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// The private listener (`/livez`, `/readyz`, `/metrics`); `None` when off.
    #[serde(deserialize_with = "listen::optional")]
    pub listen: Option<SocketAddr>,
    /// The public listener (the status page, feeds and webhooks); `None` when off.
    #[serde(deserialize_with = "listen::optional")]
    pub public_listen: Option<SocketAddr>,
    /// How long a client may take to send a request's headers (and how long an idle
    /// connection stays open) before the connection is closed.
    #[serde(deserialize_with = "duration::positive")]
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body: past it, 408.
    #[serde(deserialize_with = "duration::positive")]
    pub body_timeout: Duration,
    /// How long a whole request may take, body and answer included: past it, 408.
    #[serde(deserialize_with = "duration::positive")]
    pub request_timeout: Duration,
    /// Connections each listener holds open at once; more wait in the kernel's queue.
    #[serde(deserialize_with = "listen::positive_count")]
    pub max_connections: usize,
    /// The reverse proxies whose forwarding header names the client (IPs or networks); from
    /// any other peer it is ignored.
    #[serde(deserialize_with = "listen::networks")]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The one header those proxies set: the other is the client's own, and ignored.
    pub forwarded_header: ForwardedHeader,
    /// Serve Discord's HTTP interactions at `POST /interactions` on the public listener.
    pub interactions: bool,
}

/// Which header a trusted proxy names the client in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardedHeader {
    /// `X-Forwarded-For` (nginx's `$proxy_add_x_forwarded_for`, most load balancers).
    XForwardedFor,
    /// `Forwarded` (RFC 7239).
    Forwarded,
}

/// `[intake]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeSettings {
    /// Repeats of one alert within this window update its card.
    #[serde(deserialize_with = "duration::positive")]
    pub dedup_window: Duration,
    /// Requests each source may make a minute.
    pub rate_per_minute: u32,
    /// Requests with a missing or wrong secret, or replaying a delivery, each client address
    /// may make a minute.
    pub unauthenticated_per_minute: u32,
    /// How old a signed delivery may be: older ones are refused, and the digest of each one
    /// taken is kept this long, so a replay is answered "duplicate" and changes nothing.
    #[serde(deserialize_with = "duration::positive")]
    pub replay_window: Duration,
    /// `[intake.grafana]`.
    pub grafana: GrafanaSettings,
    /// `[intake.systems]`: the system an alert is about, from its labels.
    #[serde(deserialize_with = "system_rules")]
    pub systems: SystemRules,
    /// `[[intake.auto_declare]]`: alerts that declare an incident without a press. None by
    /// default.
    #[serde(default, deserialize_with = "auto_declare_rules")]
    pub auto_declare: crate::domain::AutoDeclareRules,
    /// A channel where players report problems: enough players naming one system there make
    /// a triage card. Off when unset; on, it needs the privileged Message Content intent.
    #[serde(default)]
    pub reports_channel: Option<ChannelId>,
    /// Distinct players naming one system that make a card.
    #[serde(default = "default_reports_players")]
    pub reports_players: usize,
    /// Within this long.
    #[serde(
        default = "default_reports_window",
        deserialize_with = "duration::positive"
    )]
    pub reports_window: Duration,
    /// Each source's secret, from the environment only.
    #[serde(skip)]
    pub secrets: IntakeSecrets,
}

/// `[intake.grafana]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrafanaSettings {
    /// Whether deliveries without a signed timestamp (a signature over the body alone, or the
    /// secret as bearer credentials) are taken: such a captured request can be sent again.
    pub allow_untimestamped: bool,
}

fn default_reports_players() -> usize {
    5
}

fn default_reports_window() -> Duration {
    Duration::from_secs(5 * 60)
}

impl IntakeSettings {
    /// How many players within how long make a card from the reports channel.
    pub fn report_threshold(&self) -> crate::domain::ReportThreshold {
        crate::domain::ReportThreshold {
            players: self.reports_players.max(1),
            within: delta(self.reports_window),
            follow_for: delta(self.dedup_window),
        }
    }
}

fn system_rules<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SystemRules, D::Error> {
    let raw = std::collections::BTreeMap::<String, Vec<String>>::deserialize(d)?;
    SystemRules::parse(&raw).map_err(serde::de::Error::custom)
}

/// One `[[intake.auto_declare]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AutoDeclareTable {
    source: String,
    #[serde(default)]
    labels: Vec<String>,
    severity: String,
}

fn auto_declare_rules<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<crate::domain::AutoDeclareRules, D::Error> {
    let tables = Vec::<AutoDeclareTable>::deserialize(d)?;
    tables
        .iter()
        .map(|t| crate::domain::AutoDeclare::parse(&t.source, &t.labels, &t.severity))
        .collect::<Result<Vec<_>, _>>()
        .map(crate::domain::AutoDeclareRules::new)
        .map_err(serde::de::Error::custom)
}

/// The secret in the environment variable `var`, when it is set and not blank: how every
/// secret is read (webhook secrets, outside services' tokens), never from the config file.
pub fn secret_from_env(var: &str) -> Option<SecretString> {
    std::env::var(var)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .map(SecretString::from)
}

/// The webhook secrets. Read only from the environment, never printed.
#[derive(Clone, Default)]
pub struct IntakeSecrets {
    /// `INCIDENT_BOT_ALERTMANAGER_TOKEN`: the bearer token Alertmanager sends.
    pub alertmanager: Option<SecretString>,
    /// `INCIDENT_BOT_SENTRY_SECRET`: the integration's client secret (signs each body).
    pub sentry: Option<SecretString>,
    /// `INCIDENT_BOT_CLOUDFLARE_SECRET`: the webhook's secret (`cf-webhook-auth`).
    pub cloudflare: Option<SecretString>,
    /// `INCIDENT_BOT_GRAFANA_SECRET`: the contact point's HMAC secret (or bearer credentials).
    pub grafana: Option<SecretString>,
}

impl IntakeSecrets {
    /// The variable of the Alertmanager token.
    pub const ALERTMANAGER_VAR: &'static str = "INCIDENT_BOT_ALERTMANAGER_TOKEN";
    /// The variable of the Sentry client secret.
    pub const SENTRY_VAR: &'static str = "INCIDENT_BOT_SENTRY_SECRET";
    /// The variable of the Cloudflare webhook secret.
    pub const CLOUDFLARE_VAR: &'static str = "INCIDENT_BOT_CLOUDFLARE_SECRET";
    /// The variable of the Grafana secret.
    pub const GRAFANA_VAR: &'static str = "INCIDENT_BOT_GRAFANA_SECRET";

    /// Reads the secrets that are set (and not blank).
    pub fn from_env() -> Self {
        let read = secret_from_env;
        Self {
            alertmanager: read(Self::ALERTMANAGER_VAR),
            sentry: read(Self::SENTRY_VAR),
            cloudflare: read(Self::CLOUDFLARE_VAR),
            grafana: read(Self::GRAFANA_VAR),
        }
    }

    /// The shortest secret taken: a shorter one could be guessed, or found by trying.
    pub const MIN_LEN: usize = 32;

    /// A sentence for each secret that is set but shorter than [`Self::MIN_LEN`] bytes, with
    /// the variable it is in (the value is never shown).
    pub fn too_short(&self) -> Vec<(&'static str, String)> {
        [
            (Self::ALERTMANAGER_VAR, &self.alertmanager),
            (Self::SENTRY_VAR, &self.sentry),
            (Self::CLOUDFLARE_VAR, &self.cloudflare),
            (Self::GRAFANA_VAR, &self.grafana),
        ]
        .into_iter()
        .filter_map(|(var, secret)| {
            let len = secret.as_ref()?.expose_secret().len();
            (len < Self::MIN_LEN).then(|| {
                (
                    var,
                    format!(
                        "the webhook secret is {len} bytes long; it must be at least {} bytes, \
                         or it can be guessed: make one with `openssl rand -hex 32` and set it \
                         both here and at the sender",
                        Self::MIN_LEN
                    ),
                )
            })
        })
        .collect()
    }

    /// The secret of `source`, when that source is on.
    pub fn of(&self, source: crate::domain::AlertSource) -> Option<&str> {
        use crate::domain::AlertSource;
        let secret = match source {
            AlertSource::Alertmanager => &self.alertmanager,
            AlertSource::Sentry => &self.sentry,
            AlertSource::Cloudflare => &self.cloudflare,
            AlertSource::Grafana => &self.grafana,
            AlertSource::Players | AlertSource::Discord => return None,
        };
        secret.as_ref().map(|s| s.expose_secret())
    }
}

impl fmt::Debug for IntakeSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntakeSecrets")
            .field(
                "alertmanager",
                &self.alertmanager.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// `[log]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// Lines for people, or JSON objects for log shippers.
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One line per event for a person, coloured only on a terminal.
    #[default]
    Text,
    /// One JSON object per line, with the fields of the spans the event happened in.
    Json,
}

/// A configuration that cannot be used, with every problem found.
#[derive(Debug)]
pub struct ConfigError {
    /// Each problem, naming where it is: `bot.toml:3: …` or the environment variable.
    pub problems: Vec<String>,
    /// What looked wrong but would work, found on the way.
    pub warnings: Vec<String>,
}

impl ConfigError {
    fn one(problem: String) -> Self {
        Self {
            problems: vec![problem],
            warnings: Vec::new(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the configuration has {} problem(s):",
            self.problems.len()
        )?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Settings that can be used, and what looked wrong but works (`[severity.P0] page = []`).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The settings.
    pub settings: Settings,
    /// Each warning, naming where it is.
    pub warnings: Vec<String>,
}

impl Settings {
    /// The phase budgets as the domain uses them.
    pub fn phase_budgets(&self) -> PhaseBudgets {
        PhaseBudgets {
            triage: delta(self.phases.triage),
            containment: delta(self.phases.containment),
            investigation: delta(self.phases.investigation),
            resolution: delta(self.phases.resolution),
        }
    }

    /// The post-mortem policy as the domain uses it.
    pub fn postmortem_policy(&self) -> PostmortemPolicy {
        PostmortemPolicy {
            required_for: self.postmortem.required_for.clone(),
            required_if_recurring: self.postmortem.required_if_recurring.clone(),
            recurrence_window: delta(self.postmortem.recurrence_window),
            due_after: delta(self.postmortem.due_after),
        }
    }

    /// The hosts whose web addresses stay links in what players read: `[players] link_hosts`,
    /// or the status page's host.
    pub fn player_link_hosts(&self) -> Vec<String> {
        if !self.players.link_hosts.is_empty() {
            return self.players.link_hosts.clone();
        }
        vec![crate::domain::host_of(&self.status.url)]
    }

    /// The roles that work incidents, and so may read every availability incident's channel:
    /// responders, commanders, the security role, and every role a severity pages or escalates
    /// to (a ping in a channel its people cannot read would wake nobody). Players are never
    /// among them.
    pub fn staff_roles(&self) -> Vec<RoleId> {
        let mut roles = vec![
            self.roles.responder,
            self.roles.commander,
            self.roles.security,
        ];
        for severity in Severity::ALL {
            let s = self.severity.get(severity);
            roles.extend(s.page.iter().chain(&s.escalate_to).copied());
        }
        let mut seen = std::collections::HashSet::new();
        // Never the players' opt-in role, whatever a list says (`check` refuses it there).
        roles.retain(|r| Some(*r) != self.roles.player_alerts && seen.insert(*r));
        roles
    }
}

/// Converts a configured duration to chrono's, saturating at chrono's range.
pub fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// The bot token. Comes only from `DISCORD_TOKEN`, and never prints.
#[derive(Clone)]
pub struct DiscordToken(SecretString);

impl DiscordToken {
    /// The environment variable the token is read from.
    pub const VAR: &'static str = "DISCORD_TOKEN";

    /// Reads the token from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        match std::env::var(Self::VAR) {
            Ok(t) if !t.trim().is_empty() => Ok(Self::new(t.trim().to_owned())),
            _ => Err(ConfigError::one(format!(
                "{} is not set: put the bot token from the Discord developer portal in it",
                Self::VAR
            ))),
        }
    }

    /// Wraps a token.
    pub fn new(token: String) -> Self {
        Self(SecretString::from(token))
    }

    /// The token, for the one call that sends it to Discord.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for DiscordToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DiscordToken([redacted])")
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
