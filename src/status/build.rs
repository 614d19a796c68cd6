//! From what players were told to every route's bytes: pure, no IO.

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, Utc};

use super::atom;
use super::board::{Resource, Snapshot};
use super::game;
use super::maintenance::{self, PublicWindow};
use super::page::{self, PageTemplates};
use super::statuspage::Impact;
use crate::config::GameStatusSettings;
use crate::render::{ChartView, TemplateName, Templates, UPTIME_WORDS};

mod api;
mod incident;
mod systems;

use api::api_routes;
pub(super) use api::Docs;
pub(super) use incident::public_name;
pub use incident::{PublicIncident, PublicUpdate};
use systems::stable_id;
pub(super) use systems::{overall, systems, SystemState};

/// How many days the history strip and the feeds go back.
pub const HISTORY_DAYS: i64 = 90;
/// What a snapshot is built from.
#[derive(Debug)]
pub struct Inputs<'a> {
    /// The page's name.
    pub name: &'a str,
    /// The page's public address.
    pub url: &'a str,
    /// The systems of `[systems] catalogue`.
    pub catalogue: &'a [String],
    /// When it is built.
    pub now: DateTime<Utc>,
    /// The public incidents, newest first.
    pub incidents: &'a [PublicIncident],
    /// The maintenance windows players were told of, soonest first.
    pub maintenances: &'a [PublicWindow],
    /// `[status.game]`.
    pub game: &'a GameStatusSettings,
    /// `[players] locales`: the languages the feeds carry besides the seed's English.
    pub locales: &'a [crate::domain::Locale],
}

fn json(value: &impl serde::Serialize) -> anyhow::Result<Resource> {
    let body = serde_json::to_vec(value).context("serialising the status JSON")?;
    Ok(Resource::new(body, "application/json"))
}

/// Renders every route: the pages from `templates`, the feed's and the picture's words from
/// `words` (`labels.hbs`, `chart.hbs`).
pub fn build(
    inputs: &Inputs<'_>,
    templates: &PageTemplates,
    words: &Templates,
) -> anyhow::Result<Snapshot> {
    let systems = systems(inputs);
    let impact = overall(inputs.incidents);
    let docs = Docs::new(inputs, &systems);
    let mut routes = api_routes(inputs, &docs, impact)?;
    routes.insert(
        "/game-status.json".to_owned(),
        json(&game::feed(inputs, &docs.page_id))?,
    );
    let html = "text/html; charset=utf-8";
    let view = page::page_view(inputs, &systems, impact);
    routes.insert(
        "/".to_owned(),
        Resource::new(templates.render_page(&view)?, html),
    );
    for incident in inputs.incidents {
        let view = page::incident_view(inputs, incident);
        routes.insert(
            format!("/incidents/{}", incident.number),
            Resource::new(templates.render_incident(&view)?, html),
        );
    }
    routes.insert(
        "/uptime.png".to_owned(),
        Resource::new(uptime_png(inputs, &systems, words)?, "image/png"),
    );
    routes.insert(
        "/history.atom".to_owned(),
        Resource::new(
            atom::feed(inputs, docs.updated, words),
            "application/atom+xml; charset=utf-8",
        ),
    );
    Ok(Snapshot::new(routes))
}

/// A day's level in the picture: the page's colours, `none` and a quiet day alike.
fn level(impact: Option<Impact>) -> usize {
    match impact {
        None | Some(Impact::None) => 0,
        Some(Impact::Minor) => 1,
        Some(Impact::Major) => 2,
        Some(Impact::Critical) => 3,
    }
}

/// The history strips as a picture (`/uptime.png`), for embedding elsewhere: the same days and
/// colours as the page, titled with the page's name.
fn uptime_png(
    inputs: &Inputs<'_>,
    systems: &[SystemState],
    words: &Templates,
) -> anyhow::Result<Vec<u8>> {
    let mut legend = Vec::with_capacity(UPTIME_WORDS.len());
    for word in UPTIME_WORDS {
        legend.push(words.render(TemplateName::Chart, &ChartView::word(word, 0))?);
    }
    let rows: Vec<crate::chart::UptimeRow> = systems
        .iter()
        .map(|s| crate::chart::UptimeRow {
            name: s.name.clone(),
            days: s.days.iter().map(|(_, i)| level(*i)).collect(),
        })
        .collect();
    let day = |d: Option<&(NaiveDate, Option<Impact>)>| {
        d.map(|(day, _)| day.to_string()).unwrap_or_default()
    };
    let days = systems
        .first()
        .map(|s| s.days.as_slice())
        .unwrap_or_default();
    let (first, last) = (day(days.first()), day(days.last()));
    crate::chart::uptime_png(&crate::chart::UptimeChart {
        title: inputs.name,
        rows: &rows,
        span: (&first, &last),
        legend: [&legend[0], &legend[1], &legend[2], &legend[3]].map(String::as_str),
    })
}

/// What a status webhook carries: the page's id and state, and each incident and window as
/// `/api/v2` serves it.
pub fn feed(inputs: &Inputs<'_>) -> anyhow::Result<crate::app::PublicState> {
    let systems = systems(inputs);
    let docs = Docs::new(inputs, &systems);
    let impact = overall(inputs.incidents);
    let mut items = Vec::new();
    for i in inputs.incidents {
        let incident = docs.incident(i);
        items.push(crate::app::FeedItem {
            id: incident.id.clone(),
            current: i.unresolved(),
            json: serde_json::to_value(incident).context("serialising an incident")?,
        });
    }
    for w in inputs.maintenances {
        let window = maintenance::statuspage(&docs, w);
        items.push(crate::app::FeedItem {
            id: window.id.clone(),
            current: w.upcoming() || w.running(),
            json: serde_json::to_value(window).context("serialising a maintenance")?,
        });
    }
    Ok(crate::app::PublicState {
        page: crate::app::FeedPage {
            id: docs.page_id.clone(),
            status_indicator: impact.as_str().to_owned(),
            status_description: impact.description().to_owned(),
        },
        items,
    })
}
