//! The snapshot served to players and the task that rebuilds it after each public change.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use anyhow::Context as _;
use axum::body::Bytes;

use super::build::{build, Inputs, PublicIncident, PublicUpdate, HISTORY_DAYS};
use super::maintenance::PublicWindow;
use super::page::PageTemplates;
use crate::app::App;

/// One route's answer, rendered once.
#[derive(Debug, Clone)]
pub struct Resource {
    /// The body.
    pub body: Bytes,
    /// Its strong validator, quoted.
    pub etag: String,
    /// Its media type.
    pub content_type: &'static str,
    /// An HTML page's `Content-Security-Policy`, admitting its inline style by hash.
    pub policy: Option<String>,
}

impl Resource {
    /// A resource with its ETag computed from its bytes.
    pub fn new(body: impl Into<Bytes>, content_type: &'static str) -> Self {
        let body = body.into();
        Self {
            etag: format!("\"{:016x}\"", fnv64(&body)),
            policy: content_type
                .starts_with("text/html")
                .then(|| super::policy::page_policy(&body)),
            body,
            content_type,
        }
    }
}

/// FNV-1a: stable across Rust versions and processes, so replicas agree on ETags.
pub(crate) fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Every public route's answer, by path. Immutable once built.
#[derive(Debug, Default)]
pub struct Snapshot {
    routes: HashMap<String, Resource>,
}

impl Snapshot {
    /// A snapshot of these routes.
    pub fn new(routes: HashMap<String, Resource>) -> Self {
        Self { routes }
    }

    /// The answer for `path`, if it is one.
    pub fn get(&self, path: &str) -> Option<&Resource> {
        self.routes.get(path)
    }

    /// Whether it was built: the board holds an empty one until the first build is done.
    pub fn is_built(&self) -> bool {
        !self.routes.is_empty()
    }

    /// Every path served.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.routes.keys().map(String::as_str)
    }
}

/// The current snapshot: swapped in by [`keep_fresh`], read by the public listener.
#[derive(Debug, Clone, Default)]
pub struct StatusBoard {
    current: Arc<RwLock<Arc<Snapshot>>>,
}

impl StatusBoard {
    /// The snapshot to answer from (cheap: one `Arc` clone under a read lock).
    pub fn current(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Puts `snapshot` in place of the current one.
    pub fn swap(&self, snapshot: Snapshot) {
        let snapshot = Arc::new(snapshot);
        match self.current.write() {
            Ok(mut guard) => *guard = snapshot,
            Err(poisoned) => *poisoned.into_inner() = snapshot,
        }
    }
}

/// Reads what players were told and renders every route.
pub async fn rebuild(app: &App, templates: &PageTemplates) -> anyhow::Result<Snapshot> {
    let (incidents, maintenances) = told(app).await?;
    build(
        &inputs(app, &incidents, &maintenances),
        templates,
        &app.templates,
    )
}

/// What players were told: the public incidents of the history window, newest first, and the
/// maintenance windows.
pub(super) async fn told(app: &App) -> anyhow::Result<(Vec<PublicIncident>, Vec<PublicWindow>)> {
    let since = app.clock.now() - chrono::TimeDelta::days(HISTORY_DAYS);
    let records = app
        .db
        .public_incidents(app.settings.discord.guild_id, since)
        .await
        .context("reading the public incidents")?;
    let mut incidents = Vec::with_capacity(records.len());
    for record in records {
        let mut updates = Vec::new();
        let told = app
            .db
            .announcements(record.id)
            .await
            .context("reading the announcements")?
            .into_iter()
            .filter(|a| a.withdrawn_at.is_none());
        for a in told {
            let (Some(at), Some(content)) = (a.posted_at, a.content.as_deref()) else {
                continue;
            };
            let translations = app
                .db
                .translations(a.id)
                .await
                .context("reading the translations")?
                .into_iter()
                .map(|(l, text)| (l, super::text::plain(&text)))
                .collect();
            let titles = app
                .db
                .translation_titles(a.id)
                .await
                .context("reading the translated titles")?
                .into_iter()
                .collect();
            updates.push(PublicUpdate {
                id: a.id,
                kind: a.kind,
                at,
                text: super::text::plain(content),
                systems: a.systems.names().map(str::to_owned).collect(),
                severity: a.severity,
                translations,
                titles,
            });
        }
        // Announcements posted before their text was stored have nothing to show.
        if let Some(mut incident) = PublicIncident::from_record(&record, updates) {
            incident.flags = app.db.flags(record.id).await.context("reading the flags")?;
            incidents.push(incident);
        }
    }
    let maintenances = windows(app, since).await?;
    Ok((incidents, maintenances))
}

/// The inputs of a build now, from what players were told.
pub(super) fn inputs<'a>(
    app: &'a App,
    incidents: &'a [PublicIncident],
    maintenances: &'a [PublicWindow],
) -> Inputs<'a> {
    let settings = &app.settings;
    Inputs {
        name: &settings.status.name,
        url: &settings.status.url,
        catalogue: &settings.systems.catalogue,
        now: app.clock.now(),
        incidents,
        maintenances,
        game: &settings.status.game,
        locales: &settings.players.locales,
    }
}

/// The maintenance windows players were told of since `since`, each in their languages.
async fn windows(
    app: &App,
    since: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Vec<PublicWindow>> {
    let mut maintenances = Vec::new();
    for w in app
        .db
        .public_windows(since)
        .await
        .context("reading the maintenance windows")?
    {
        let mut public = PublicWindow::from_window(&w);
        public.translations =
            super::maintenance_locales::of(app, &w).context("rendering a maintenance notice")?;
        maintenances.push(public);
    }
    Ok(maintenances)
}

/// Builds the first snapshot, then rebuilds after every public change (on PostgreSQL, any
/// replica's: see `replica::wake_on_notices`) and at least every `[status] rebuild_every`
/// (the fallback when a notice was missed, and the day strip's move at midnight) until
/// aborted. A failed rebuild is logged and counted, and the last good snapshot stays.
pub async fn keep_fresh(app: App, templates: Arc<PageTemplates>, board: StatusBoard) {
    loop {
        match rebuild(&app, &templates).await {
            Ok(snapshot) => {
                board.swap(snapshot);
                app.metrics.status_rebuilds.inc(&["ok"]);
            }
            Err(e) => {
                app.metrics.status_rebuilds.inc(&["failed"]);
                tracing::error!(
                    error = format!("{e:#}"),
                    "could not rebuild the status page"
                );
            }
        }
        // At most one rebuild per gap: changes during it are folded into the next one, so a
        // burst of declarations does not spend the CPU that serves the page (players' caches
        // keep an answer 15 s anyway).
        tokio::time::sleep(MIN_REBUILD_GAP).await;
        // Also without a change: a replica that missed a notice catches up, and the history
        // strip moves on a day.
        let every = app.settings.status.rebuild_every;
        // Changes that come while a rebuild runs are folded into one more rebuild.
        let _ = tokio::time::timeout(every, app.public.next()).await;
    }
}

/// The shortest time between two rebuilds.
pub const MIN_REBUILD_GAP: std::time::Duration = std::time::Duration::from_millis(250);
