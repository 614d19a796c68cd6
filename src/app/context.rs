//! The bot's shared state: settings, database, templates, clock, the queue's waker and events.

use std::sync::Arc;

use anyhow::Context as _;

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::metrics::Metrics;
use crate::render::Templates;
use crate::scheduler::Waker;
use crate::shutdown::Shutdown;
use crate::store::Db;

/// The bot's shared state: what every command handler and job needs.
#[derive(Debug, Clone)]
pub struct App {
    /// The validated settings.
    pub settings: Arc<Settings>,
    /// The database.
    pub db: Db,
    /// The loaded templates.
    pub templates: Arc<Templates>,
    /// The clock.
    pub clock: SharedClock,
    /// Wakes the job queue after a use case committed jobs.
    pub waker: Waker,
    /// What the job queue did, for anyone waiting on it (the declare reply waits for the channel).
    pub events: tokio::sync::broadcast::Sender<AppEvent>,
    /// What `/metrics` reports; recorded at the adapters, the queue and committed changes.
    pub metrics: Metrics,
    /// The stop signal: once given, commands answer "restarting" and the queue drains.
    pub shutdown: Shutdown,
    /// Told after each committed change players may see (the status page rebuilds on it).
    pub public: super::PublicChanges,
    /// Players' recent mentions of each system in `[intake] reports_channel`.
    pub reports: Arc<std::sync::Mutex<crate::domain::ReportWatch>>,
    /// Sends runbook actions (`[[actions]]`); `None` when none is configured.
    pub actions: Option<Arc<dyn super::ports::actions::ActionRunner>>,
    /// The social networks players' announcements are posted to (none when none is
    /// configured): set by `startup` from `[social]`.
    pub social: Vec<Arc<dyn super::Social>>,
    /// The services that page on-call outside Discord (none until `startup` sets them).
    pub pagers: super::Pagers,
    /// The WAF `/incident block` reaches (`[cloudflare]`); `None` when not configured.
    pub waf: Option<Arc<dyn super::Waf>>,
    /// What a lockdown changes on the server; set on the job queue's copy by
    /// `discord::performer`, `None` elsewhere (commands only queue jobs).
    pub guard: Option<Arc<dyn super::ServerGuard>>,
    /// Where error rates are read (`[prometheus]`); `None` when not configured.
    pub metrics_source: Option<Arc<dyn super::MetricsSource>>,
    /// The issue tracker of `[tracker]`, when one is configured (set by `startup`).
    pub tracker: Option<Arc<dyn super::Tracker>>,
    /// Members' recent presses of the players' alerts button (rate-limited per member).
    pub alert_presses: Arc<super::AlertPresses>,
    /// Sends `[[status.webhooks]]` deliveries; `None` when none is configured (set by
    /// `startup`).
    pub status_hooks: Option<Arc<dyn super::StatusHookSender>>,
    /// What players were told, in Statuspage's shape, for the status webhooks (set by
    /// `startup` from `status`).
    pub public_feed: Option<Arc<dyn super::PublicFeed>>,
}

/// Something the job queue did that a waiting command may want to tell its user. On
/// PostgreSQL the replica that did it also tells the others ([`AppEvent::notice`]), whose
/// listener sends it on their own `events` ([`AppEvent::from_notice`]): the command may be
/// waiting on any replica. A waiter may so see an event twice, and takes the first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AppEvent {
    /// An incident's channel is open.
    ChannelOpened {
        /// The incident.
        incident: crate::domain::IncidentId,
        /// Its channel.
        channel: crate::domain::ChannelId,
    },
    /// An incident's channel could not be opened, for good.
    ChannelFailed {
        /// The incident.
        incident: crate::domain::IncidentId,
        /// Why.
        reason: crate::store::JobFailure,
    },
    /// The other replicas' notices may have been missed (this replica's listening connection
    /// was down): whoever waits on an event looks in the database instead. Never a notice.
    LookAgain,
}

/// The longest reason a [`AppEvent::ChannelFailed`] notice carries, in characters: notices
/// are small (PostgreSQL caps them at 8000 bytes), and Discord's reasons are short.
const NOTICE_REASON_CHARS: usize = 300;

impl AppEvent {
    /// This event as a notice's payload, for the other replicas: JSON of a few dozen bytes.
    pub fn notice(&self) -> String {
        let small = match self {
            Self::ChannelFailed { incident, reason } => Self::ChannelFailed {
                incident: *incident,
                reason: cut(reason),
            },
            other => other.clone(),
        };
        serde_json::to_string(&small).unwrap_or_default()
    }

    /// The event a notice's payload carries, if it is one.
    pub fn from_notice(payload: &str) -> Option<Self> {
        serde_json::from_str(payload).ok()
    }
}

/// `reason` with at most [`NOTICE_REASON_CHARS`] characters of text.
fn cut(reason: &crate::store::JobFailure) -> crate::store::JobFailure {
    use crate::store::JobFailure;
    match reason {
        // Small already: what was tried, where, and a few permissions.
        JobFailure::Forbidden(_) => reason.clone(),
        JobFailure::Error(text) => {
            JobFailure::Error(text.chars().take(NOTICE_REASON_CHARS).collect())
        }
    }
}

impl std::fmt::Debug for dyn crate::clock::Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

impl App {
    /// The roles paged for an incident at `severity`: the severity's `page` roles, or for a
    /// security incident the security role, the only one that can see its channel.
    pub fn page_roles(
        &self,
        kind: crate::domain::IncidentKind,
        severity: crate::domain::Severity,
    ) -> Vec<crate::domain::RoleId> {
        match kind {
            crate::domain::IncidentKind::Security => vec![self.settings.roles.security],
            crate::domain::IncidentKind::Availability => {
                self.settings.severity.get(severity).page.clone()
            }
        }
    }

    /// The phase budgets from the settings.
    pub fn phase_budgets(&self) -> crate::domain::PhaseBudgets {
        self.settings.phase_budgets()
    }

    /// Opens the database (running migrations) and loads the templates. Fails with a message
    /// that names the file when either cannot be used.
    pub async fn build(settings: Settings, clock: SharedClock) -> anyhow::Result<Self> {
        let templates = Templates::load(settings.templates.dir.as_deref()).map_err(|problems| {
            let list: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
            anyhow::anyhow!(
                "the templates have {} problem(s):\n{}",
                problems.len(),
                list.join("\n")
            )
        })?;
        let db = open_database(&settings.database).await?;
        Ok(Self {
            settings: Arc::new(settings),
            db,
            templates: Arc::new(templates),
            clock,
            waker: Waker::default(),
            events: tokio::sync::broadcast::channel(64).0,
            metrics: Metrics::new(),
            shutdown: Shutdown::new(),
            public: super::PublicChanges::default(),
            reports: Default::default(),
            alert_presses: Default::default(),
            actions: None,
            social: Vec::new(),
            pagers: super::Pagers::default(),
            waf: None,
            guard: None,
            metrics_source: None,
            tracker: None,
            status_hooks: None,
            public_feed: None,
        })
    }
}

/// Opens the database `[database]` names: the PostgreSQL one of `url` when set, else the SQLite
/// file of `path`. A failure names it (never with the URL's password).
pub async fn open_database(settings: &crate::config::DatabaseSettings) -> anyhow::Result<Db> {
    match &settings.url {
        Some(url) => {
            tracing::info!(database = %url.redacted(), "using PostgreSQL");
            Db::connect_postgres(url.expose()).await.with_context(|| {
                format!(
                    "cannot use the PostgreSQL database {}: check that the server is up and \
                     reachable, that the user and password are right and that the user may \
                     create tables there, then start again",
                    url.redacted()
                )
            })
        }
        None => {
            let path = &settings.path;
            Db::open(path).await.with_context(|| {
                format!(
                    "cannot write to the database {}: it is read-only, its folder is missing or not writable, or the disk is full. \
                     Fix that (or point [database] path elsewhere), then start again",
                    path.display()
                )
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AppEvent;
    use crate::domain::{ChannelId, IncidentId};

    #[test]
    fn an_event_survives_the_trip_through_a_notice_and_a_long_reason_is_cut() {
        let opened = AppEvent::ChannelOpened {
            incident: IncidentId(7),
            channel: ChannelId::new(1_234_567_890_123).expect("an id"),
        };
        assert_eq!(AppEvent::from_notice(&opened.notice()), Some(opened));
        let failed = AppEvent::ChannelFailed {
            incident: IncidentId(7),
            reason: crate::store::JobFailure::Error("x".repeat(10_000)),
        };
        let payload = failed.notice();
        assert!(payload.len() < 1000, "{}", payload.len());
        assert!(matches!(
            AppEvent::from_notice(&payload),
            Some(AppEvent::ChannelFailed {
                incident: IncidentId(7),
                ..
            })
        ));
        assert_eq!(AppEvent::from_notice("{\"event\":\"unknown\"}"), None);
    }
}
