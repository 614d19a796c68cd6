//! Wiring: [`Application::build`] builds everything the bot runs (the shared [`App`], the
//! Discord client, the job queue) for the binary and the tests alike, and
//! [`Application::run_until_stopped`] runs it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use serenity::all as serenity;

use crate::app::App;
use crate::clock::SharedClock;
use crate::config::{load_render_settings, DiscordToken, Loaded, Settings};
use crate::discord;
use crate::http::{HttpState, Listeners};
use crate::render::Templates;
use crate::replica::{self, Fence, GatewayRole};
use crate::scheduler::{RetryPolicy, Scheduler, DRAIN};
use crate::status::PageTemplates;

/// Jobs performed at once by default (`[jobs] workers`): enough to post to several channels in
/// parallel, few enough to stay well inside Discord's per-route rate limits.
pub const JOB_WORKERS: usize = 4;

/// The bot, built and not yet running.
pub struct Application {
    /// The shared state, as use cases see it.
    pub app: App,
    client: serenity::Client,
    scheduler: Scheduler,
    listeners: Listeners,
    pages: Option<Arc<PageTemplates>>,
    /// On SQLite, this process's hold on the database file, for as long as it runs.
    db_lock: Option<crate::store::DatabaseLock>,
    /// Whether the gateway's events may be acted on: among replicas, while the lease holds.
    fence: Fence,
    /// `POST /interactions`, when `[http] interactions` is on.
    interactions: Option<axum::Router>,
}

/// Sets the ports of the outside services that are configured, all on one shared client.
fn connect_outside(app: &mut App) -> anyhow::Result<()> {
    let outbound = crate::outbound::Outbound::new(app.metrics.clone())?;
    app.pagers = crate::outbound::pagers(&app.settings.page_out, &outbound);
    if !app.settings.actions.is_empty() {
        app.actions = Some(Arc::new(crate::outbound::actions::ActionClient::new(
            outbound.clone(),
        )));
    }
    app.social = social_networks(app)?;
    app.waf = crate::outbound::cloudflare::Cloudflare::from_settings(
        &app.settings.cloudflare,
        outbound.clone(),
    );
    app.metrics_source = metrics_source(app)?;
    app.tracker = tracker(app, &outbound)?;
    if !app.settings.status.webhooks.is_empty() {
        let hooks = crate::outbound::status_webhook::StatusWebhooks::new(
            outbound.clone(),
            &app.settings.status.webhooks,
        )?;
        app.status_hooks = Some(Arc::new(hooks));
        app.public_feed = Some(Arc::new(crate::status::WebhookFeed));
    }
    Ok(())
}

impl Application {
    /// Builds the bot from `settings`: the database, the templates, the Discord client (with
    /// `extend` applied to its builder, where tests add event handlers), the job queue, and the
    /// HTTP listeners (bound here, so that a port in use stops the start).
    pub async fn build(
        settings: Settings,
        clock: SharedClock,
        token: &DiscordToken,
        extend: impl FnOnce(serenity::ClientBuilder) -> serenity::ClientBuilder,
    ) -> anyhow::Result<Self> {
        let policy = RetryPolicy::from(&settings.jobs);
        // Before anything else: a second process on the file must not even release the claims.
        let db_lock = match settings.database.url {
            Some(_) => None,
            None => Some(crate::store::lock_database(&settings.database.path)?),
        };
        let listeners = Listeners::bind(&settings.http).await?;
        let pages = if settings.status.page && settings.http.public_listen.is_some() {
            let pages = PageTemplates::load(settings.templates.dir.as_deref()).map_err(|list| {
                let list: Vec<String> = list.iter().map(ToString::to_string).collect();
                anyhow::anyhow!(
                    "the status page templates have problems:\n  - {}",
                    list.join("\n  - ")
                )
            })?;
            Some(Arc::new(pages))
        } else {
            None
        };
        let mut app = App::build(settings, clock).await?;
        connect_outside(&mut app)?;
        let fence = Fence::default();
        let data = discord::Data::new(app.clone(), fence.clone());
        let client = extend(discord::client_builder(
            Arc::clone(&data),
            discord::http(&app, token)?,
        ))
        .await
        .context("cannot build the Discord client")?;
        let interactions = if app.settings.http.interactions {
            let verifier = discord::endpoint::public_key(&client.http, &app).await?;
            let reach = discord::Reach {
                http: client.http.clone(),
                cache: Some(client.cache.clone()),
            };
            Some(discord::endpoint::router(data, reach, verifier))
        } else {
            None
        };
        let handler = discord::performer(&app, client.http.clone());
        let scheduler = Scheduler::new(
            app.db.clone(),
            app.clock.clone(),
            handler,
            policy,
            app.settings.jobs.workers.max(1),
        )
        .with_waker(app.waker.clone())
        .with_lease(crate::config::delta(app.settings.jobs.lease))
        .with_metrics(app.metrics.clone())
        .with_shutdown(app.shutdown.clone());
        Ok(Self {
            app,
            client,
            scheduler,
            listeners,
            pages,
            db_lock,
            fence,
            interactions,
        })
    }

    /// Where `/livez`, `/readyz` and `/metrics` are served, when `[http] listen` is on.
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.listeners.private_addr()
    }

    /// Where the public listener is, when `[http] public_listen` is on.
    pub fn public_addr(&self) -> Option<SocketAddr> {
        self.listeners.public_addr()
    }

    /// The gateway URL the client will connect to.
    pub async fn gateway_url(&self) -> String {
        self.client.ws_url.lock().await.clone()
    }

    /// The handle that stops the gateway connection.
    pub fn shard_manager(&self) -> Arc<serenity::ShardManager> {
        self.client.shard_manager.clone()
    }

    /// Runs the client, the job queue and the HTTP listeners until `app.shutdown` is
    /// triggered or the gateway stops; dropping the future stops them all at once, as a crash
    /// would.
    ///
    /// On the shutdown signal: commands are answered "restarting" (the gateway stays up to say
    /// so), the queue claims nothing more, the jobs and commands in flight get up to [`DRAIN`]
    /// to finish, the rest are stopped and their claims released, then the gateway closes and
    /// the database is closed cleanly.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self {
            app,
            mut client,
            scheduler,
            listeners,
            pages,
            db_lock,
            fence,
            interactions,
        } = self;
        let shards = client.shard_manager.clone();
        let role = GatewayRole::default();
        let heartbeat = crate::watchdog::Heartbeat::default();
        heartbeat.tick_at(std::time::Instant::now());
        let board = crate::status::StatusBoard::default();
        let mut servers = listeners.serve(HttpState {
            board: board.clone(),
            app: app.clone(),
            gateway: discord::gateway_probe(shards.clone(), role.clone()),
            heartbeat: heartbeat.clone(),
            interactions,
        });
        servers.spawn(crate::watchdog::beat(heartbeat));
        // Under systemd (Type=notify): started. A standby replica is started too: it serves
        // HTTP and works the queue while it waits for the gateway.
        crate::watchdog::notify("READY=1");
        if let Some(pages) = pages {
            servers.spawn(crate::status::keep_fresh(app.clone(), pages, board));
        }
        if let Some(url) = &app.settings.database.url {
            servers.spawn(replica::wake_on_notices(
                url.expose().to_owned(),
                (&app).into(),
            ));
        }
        let shutdown = app.shutdown.clone();
        let commands = async {
            shutdown.triggered().await;
            crate::watchdog::notify("STOPPING=1");
            if tokio::time::timeout(DRAIN, shutdown.idle()).await.is_err() {
                tracing::warn!("commands still running after {DRAIN:?}: stopping anyway");
            }
        };
        let gateway = run_gateway(&app, &mut client, &role, &fence);
        // `[jobs] workers = 0` (replicas only): the other replicas work the queue.
        let queue = async {
            if app.settings.jobs.workers == 0 {
                shutdown.triggered().await;
            } else {
                scheduler.run().await;
            }
        };
        let outcome = tokio::select! {
            outcome = gateway => outcome,
            ((), ()) = async { tokio::join!(queue, commands) } => {
                tracing::info!("drained: closing the gateway and the database");
                Ok(())
            }
        };
        shards.shutdown_all().await;
        servers.abort_all();
        app.db.close().await;
        drop(db_lock);
        outcome
    }
}

/// Runs the gateway until it stops. On PostgreSQL, replicas may share the database: only the
/// holder of the gateway lock connects (two sessions would both receive every command); the
/// others stand by.
async fn run_gateway(
    app: &App,
    client: &mut serenity::Client,
    role: &GatewayRole,
    fence: &Fence,
) -> anyhow::Result<()> {
    let Some(url) = app.settings.database.url.clone() else {
        return client.start().await.map_err(connection_failed);
    };
    let me = replica::name();
    let Some(held) = replica::take_gateway(app, url.expose(), role, fence, &me).await else {
        // Told to stop while standing by: the queue's drain ends the run.
        return std::future::pending().await;
    };
    tokio::select! {
        outcome = client.start() => outcome.map_err(connection_failed),
        why = replica::watch(held, app.settings.replicas.lease, fence) => {
            Err(anyhow::anyhow!(
                "lost the gateway lock ({why}): stopping so that another replica takes \
                 the gateway over; start this one again to stand by"
            ))
        }
    }
}

/// Why the gateway connection ended, worded for the person starting the bot.
fn connection_failed(e: serenity::Error) -> anyhow::Error {
    use serenity::gateway::GatewayError;
    match e {
        serenity::Error::Gateway(GatewayError::DisallowedGatewayIntents) => anyhow::anyhow!(
            "Discord refused the Message Content intent that [intake] reports_channel needs to \
             read players' words. Turn it on in the developer portal (your app → Bot → \
             Privileged Gateway Intents → Message Content Intent), or remove reports_channel \
             from the config, then start again"
        ),
        other => anyhow::Error::new(other).context("the Discord connection failed"),
    }
}

/// What `incident-bot check` reports and `incident-bot run` refuses to start on: every problem
/// of the configuration and the templates, and the warnings.
#[derive(Debug)]
pub struct Preflight {
    /// The settings, when there is no problem.
    pub settings: Option<Settings>,
    /// Each problem, naming its file and line or its environment variable.
    pub problems: Vec<String>,
    /// What works but is probably not meant.
    pub warnings: Vec<String>,
}

/// Validates the configuration (defaults < `config` < environment) and the templates it names,
/// collecting every problem rather than stopping at the first.
pub fn preflight(config: Option<&Path>) -> Preflight {
    let (settings, mut problems, mut warnings, template_dir) = match Settings::check(config) {
        Ok(Loaded { settings, warnings }) => {
            let dir = settings.templates.dir.clone();
            (Some(settings), Vec::new(), warnings, dir)
        }
        Err(e) => {
            // The templates are still checked, from the folder the broken file names.
            let dir = load_render_settings(config).ok().and_then(|(t, _)| t.dir);
            (None, e.problems, e.warnings, dir)
        }
    };
    match Templates::load(template_dir.as_deref()) {
        Err(list) => problems.extend(list.iter().map(ToString::to_string)),
        Ok(templates) => {
            let locales = settings.as_ref().map(|s| s.players.locales.as_slice());
            warnings.extend(crate::render::locales::missing(
                &templates,
                locales.unwrap_or(&[]),
            ));
        }
    }
    // Checked whether or not the page is served: `run` loads them as soon as it is.
    if let Err(list) = PageTemplates::load(template_dir.as_deref()) {
        problems.extend(list.iter().map(ToString::to_string));
    }
    Preflight {
        settings: settings.filter(|_| problems.is_empty()),
        problems,
        warnings,
    }
}

/// The social networks `[social]` configures, each with its secret (`check` refused a
/// configured network without one), sharing one client of outside services.
fn social_networks(app: &App) -> anyhow::Result<Vec<Arc<dyn crate::app::Social>>> {
    let social = &app.settings.social;
    let mut out = Vec::new();
    if social.mastodon.is_none() && social.bluesky.is_none() && social.x.is_none() {
        return Ok(out);
    }
    let outbound = crate::outbound::Outbound::new(app.metrics.clone())?;
    if let Some(m) = &social.mastodon {
        if let Some(token) = m.token.clone() {
            let clock = app.clock.clone();
            out.push(crate::outbound::mastodon::Mastodon::social(
                outbound.clone(),
                m,
                token,
                clock,
            ));
        }
    }
    if let Some(b) = &social.bluesky {
        if let Some(password) = b.app_password.clone() {
            let sessions = Arc::new(crate::app::DbSessions::new(app));
            out.push(crate::outbound::bluesky::Bluesky::social(
                outbound.clone(),
                b,
                password,
                app.clock.clone(),
                sessions,
            ));
        }
    }
    if let Some(x) = &social.x {
        if let Some(keys) = x.keys.clone() {
            out.push(crate::outbound::x::X::social(
                outbound.clone(),
                x,
                keys,
                app.clock.clone(),
            ));
        }
    }
    Ok(out)
}

/// The `[prometheus]` server error rates are read from, when one is configured.
fn metrics_source(app: &App) -> anyhow::Result<Option<Arc<dyn crate::app::MetricsSource>>> {
    let outbound = crate::outbound::Outbound::new(app.metrics.clone())?;
    let source =
        crate::outbound::prometheus::Prometheus::from_settings(outbound, &app.settings.prometheus)?;
    Ok(source.map(|p| Arc::new(p) as Arc<dyn crate::app::MetricsSource>))
}

/// A custom list blocks nothing until a WAF custom rule uses it: Cloudflare is asked whether
/// one does (a problem, saying what to create, when none does; a warning when it cannot say).
async fn check_waf_rule(
    settings: &Settings,
    problems: &mut Vec<String>,
    warnings: &mut Vec<String>,
) {
    let outbound = match crate::outbound::Outbound::new(crate::metrics::Metrics::new()) {
        Ok(o) => o,
        Err(e) => return problems.push(format!("{e:#}")),
    };
    let Some(cloudflare) =
        crate::outbound::cloudflare::Cloudflare::for_check(&settings.cloudflare, outbound)
    else {
        return;
    };
    match cloudflare.list_unused().await {
        Ok(None) => {}
        Ok(Some(problem)) => problems.push(problem),
        Err(why) => warnings.push(format!(
            "[cloudflare] whether a WAF custom rule uses the list was not checked online: {why}"
        )),
    }
}

/// `incident-bot check --online`: asks the outside services what only they can say. Each
/// system's error-rate query goes to Prometheus' `/api/v1/query`: one it refuses (its PromQL
/// parser is the only full one) is a problem, named with Prometheus' own words; a server that
/// does not answer is a warning. Returns the problems and the warnings.
pub async fn check_online(settings: &Settings) -> (Vec<String>, Vec<String>) {
    let (mut problems, mut warnings) = (Vec::new(), Vec::new());
    check_waf_rule(settings, &mut problems, &mut warnings).await;
    let source = crate::outbound::Outbound::new(crate::metrics::Metrics::new()).and_then(|o| {
        crate::outbound::prometheus::Prometheus::from_settings(o, &settings.prometheus)
    });
    let source = match source {
        Ok(Some(source)) => source,
        Ok(None) => return (problems, warnings),
        Err(e) => {
            problems.push(format!("{e:#}"));
            return (problems, warnings);
        }
    };
    let now = chrono::Utc::now();
    for (name, system) in &settings.systems.each {
        let Some(query) = &system.error_rate else {
            continue;
        };
        match crate::app::MetricsSource::at(&source, query, now).await {
            Ok(_) => {}
            Err(crate::app::MetricsError::Refused(why)) => {
                problems.push(format!("`systems.{name}.error_rate`: {why}"));
            }
            Err(crate::app::MetricsError::Unavailable(why)) => warnings.push(format!(
                "`systems.{name}.error_rate` was not checked online: {why}"
            )),
        }
    }
    (problems, warnings)
}

/// The `[tracker]` adapter, when one is set up; its set-up (credentials, project, team) is
/// checked in the background, and what is wrong is logged in a sentence.
fn tracker(
    app: &App,
    outbound: &crate::outbound::Outbound,
) -> anyhow::Result<Option<Arc<dyn crate::app::Tracker>>> {
    let tracker = crate::outbound::tracker(app.settings.tracker.as_ref(), outbound)?;
    if let Some(t) = tracker.clone() {
        tokio::spawn(async move {
            match t.check().await {
                Ok(()) => tracing::info!(tracker = t.name(), "the tracker is set up"),
                Err(e) => tracing::error!(
                    tracker = t.name(),
                    error = %e,
                    "the tracker is not usable: no ticket will be opened until this is fixed"
                ),
            }
        });
    }
    Ok(tracker)
}
