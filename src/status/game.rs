//! `/game-status.json`: what players were told, in the shape of Riot's platform data, for a
//! game client's banner. Pure: built with the rest of the snapshot from the same inputs.
//!
//! Incidents keep `incident_severity` (from `[status.game.severity]`) apart from maintenances'
//! `maintenance_status`; every title and update carries its text per locale. Its JSON Schema is
//! tests/fixtures/game-status.schema.json (documented in docs/status-page.md).

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::build::{Inputs, PublicIncident};
use super::maintenance::PublicWindow;
use super::statuspage::iso;
use crate::config::GameSeverity;
use crate::domain::{to_translate, Locale, WindowStatus};

/// The locale of the seed's English text, as Discord writes it: every announcement has it.
pub const SEED_LOCALE: &str = "en-US";

/// How long an incident stays in the feed after players were told it was over, so a client
/// that polls shows the all-clear before the banner goes.
pub const KEEP_AFTER_OVER: TimeDelta = TimeDelta::hours(1);

/// Where each update was published, in the feed's words.
const PUBLISHED_IN: [&str; 3] = ["discord", "status_page", "game"];

/// A maintenance's progress (the feed's `maintenance_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MaintenanceStatus {
    /// Announced, not begun.
    Scheduled,
    /// Under way.
    InProgress,
    /// Over.
    Complete,
}

/// Text in one locale.
#[derive(Debug, Clone, Serialize)]
struct Translation {
    locale: &'static str,
    content: String,
}

/// One thing players were told.
#[derive(Debug, Clone, Serialize)]
struct Update {
    id: i64,
    publish: bool,
    publish_locations: [&'static str; 3],
    translations: Vec<Translation>,
    created_at: String,
    updated_at: String,
}

/// An incident or a maintenance (Riot's `StatusDto`).
#[derive(Debug, Clone, Serialize)]
struct Status {
    id: i64,
    maintenance_status: Option<MaintenanceStatus>,
    incident_severity: Option<GameSeverity>,
    titles: Vec<Translation>,
    updates: Vec<Update>,
    platforms: Vec<String>,
    /// What the client should turn off while this lasts (e.g. `ranked_disabled`).
    flags: Vec<String>,
    created_at: String,
    updated_at: String,
    archive_at: Option<String>,
}

/// The whole feed (Riot's `PlatformDataDto`).
#[derive(Debug, Serialize)]
pub(super) struct GameStatus {
    id: String,
    name: String,
    locales: Vec<&'static str>,
    maintenances: Vec<Status>,
    incidents: Vec<Status>,
}

fn seed(content: String) -> Vec<Translation> {
    vec![Translation {
        locale: SEED_LOCALE,
        content,
    }]
}

fn update(id: i64, at: DateTime<Utc>, text: &str, more: &[(Locale, String)]) -> Update {
    let mut translations = seed(text.to_owned());
    translations.extend(more.iter().map(|(l, content)| Translation {
        locale: l.code(),
        content: content.clone(),
    }));
    Update {
        id,
        publish: true,
        publish_locations: PUBLISHED_IN,
        translations,
        created_at: iso(at),
        updated_at: iso(at),
    }
}

/// The incident's public name in English, then in each of the players' languages the newest
/// title typed for it (a language nobody typed one for has none: the client shows English).
fn incident_titles(inputs: &Inputs<'_>, i: &PublicIncident) -> Vec<Translation> {
    let mut titles = seed(i.name());
    for locale in to_translate(inputs.locales) {
        let typed = i
            .updates
            .iter()
            .rev()
            .find_map(|u| u.titles.iter().find(|(l, _)| *l == locale));
        titles.extend(typed.map(|(l, title)| Translation {
            locale: l.code(),
            content: title.clone(),
        }));
    }
    titles
}

fn incident(inputs: &Inputs<'_>, i: &PublicIncident) -> Status {
    // Newest first, as Riot lists them.
    let updates: Vec<Update> = i
        .updates
        .iter()
        .rev()
        .map(|u| update(u.id, u.at, &u.text, &u.translations))
        .collect();
    Status {
        id: i64::from(i.number),
        maintenance_status: None,
        incident_severity: Some(inputs.game.severity.of(i.severity)),
        titles: incident_titles(inputs, i),
        updates,
        platforms: inputs.game.platforms.clone(),
        // A client turns things back on when players are told it is over.
        flags: if i.over_at().is_none() {
            i.flags.clone()
        } else {
            Vec::new()
        },
        created_at: iso(i.started()),
        updated_at: iso(i.updated()),
        archive_at: i.over_at().map(|at| iso(at + KEEP_AFTER_OVER)),
    }
}

fn maintenance(inputs: &Inputs<'_>, w: &PublicWindow) -> Option<Status> {
    let (status, archive_at) = match w.status {
        WindowStatus::Scheduled => (MaintenanceStatus::Scheduled, None),
        WindowStatus::InProgress => (MaintenanceStatus::InProgress, None),
        WindowStatus::Completed => {
            let over = w.ended_at.unwrap_or(w.end) + KEEP_AFTER_OVER;
            (inputs.now < over).then_some((MaintenanceStatus::Complete, Some(iso(over))))?
        }
        // Called off: a client has nothing to show.
        WindowStatus::Cancelled => return None,
    };
    let told = w.message.clone().unwrap_or_else(|| w.title.clone());
    let mut titles = seed(w.title.clone());
    titles.extend(w.translations.iter().map(|(l, t)| Translation {
        locale: l.code(),
        content: t.title.clone(),
    }));
    let bodies: Vec<(Locale, String)> = w
        .translations
        .iter()
        .map(|(l, t)| (*l, t.body.clone()))
        .collect();
    Some(Status {
        id: w.id,
        maintenance_status: Some(status),
        incident_severity: None,
        titles,
        updates: vec![update(w.id, w.created_at, &told, &bodies)],
        platforms: inputs.game.platforms.clone(),
        flags: Vec::new(),
        created_at: iso(w.created_at),
        updated_at: iso(w.updated()),
        archive_at,
    })
}

/// The feed: ongoing incidents, and those told over within [`KEEP_AFTER_OVER`], newest first.
pub(super) fn feed(inputs: &Inputs<'_>, page_id: &str) -> GameStatus {
    let recent = |i: &&PublicIncident| {
        i.over_at()
            .is_none_or(|at| inputs.now < at + KEEP_AFTER_OVER)
    };
    GameStatus {
        id: page_id.to_owned(),
        name: inputs.name.to_owned(),
        locales: std::iter::once(SEED_LOCALE)
            .chain(to_translate(inputs.locales).into_iter().map(Locale::code))
            .collect(),
        maintenances: inputs
            .maintenances
            .iter()
            .filter_map(|w| maintenance(inputs, w))
            .collect(),
        incidents: inputs
            .incidents
            .iter()
            .filter(recent)
            .map(|i| incident(inputs, i))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{GameSeverities, GameStatusSettings};
    use crate::domain::{Phase, Severity, Status as Lifecycle};
    use crate::status::PublicUpdate;
    use crate::store::AnnouncementKind;

    fn told(id: i64, kind: AnnouncementKind, at: DateTime<Utc>, text: &str) -> PublicUpdate {
        PublicUpdate {
            id,
            kind,
            at,
            text: text.into(),
            systems: vec!["Login".into()],
            severity: Severity::P2,
            translations: Vec::new(),
            titles: Vec::new(),
        }
    }

    fn incident(number: u32, status: Lifecycle, updates: Vec<PublicUpdate>) -> PublicIncident {
        PublicIncident {
            number,
            severity: Severity::P2,
            status,
            phase: Phase::Triage,
            systems: vec!["Login".into()],
            resolved_at: None,
            ended_at: None,
            updates,
            flags: vec!["ranked_disabled".into()],
        }
    }

    fn schema_errors(doc: &serde_json::Value) -> Vec<String> {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/game-status.schema.json"))
                .expect("the schema parses");
        let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
        validator.iter_errors(doc).map(|e| e.to_string()).collect()
    }

    #[test]
    fn the_feed_maps_severity_by_config_keeps_the_recent_all_clear_and_lists_maintenances() {
        let now = Utc::now();
        let hour = TimeDelta::hours(1);
        let alert = |id, at| told(id, AnnouncementKind::Alert, at, "🚨 Login is down");
        let clear = |id, at| told(id, AnnouncementKind::AllClear, at, "✅ Login is back");
        let incidents = [
            incident(3, Lifecycle::Open, vec![alert(30, now)]),
            incident(
                2,
                Lifecycle::Closed,
                vec![alert(20, now - hour), clear(21, now - hour / 2)],
            ),
            incident(
                1,
                Lifecycle::Closed,
                vec![alert(10, now - hour * 3), clear(11, now - hour * 2)],
            ),
        ];
        let window = |id, status| PublicWindow {
            id,
            title: "Patch 1.2".into(),
            systems: vec!["Login".into()],
            message: Some("Patch 1.2 is being deployed".into()),
            created_at: now - hour,
            start: now - hour / 2,
            end: now + hour,
            status,
            started_at: Some(now - hour / 2),
            ended_at: None,
            translations: Vec::new(),
        };
        let maintenances = [
            window(7, WindowStatus::InProgress),
            window(8, WindowStatus::Cancelled),
        ];
        let game = GameStatusSettings {
            platforms: vec!["windows".into(), "ps5".into()],
            severity: GameSeverities {
                p0: GameSeverity::Critical,
                p1: GameSeverity::Critical,
                p2: GameSeverity::Info,
                p3: GameSeverity::Info,
            },
        };
        let inputs = Inputs {
            name: "S",
            url: "https://s.example",
            catalogue: &[],
            now,
            locales: &[],
            incidents: &incidents,
            maintenances: &maintenances,
            game: &game,
        };
        let doc = serde_json::to_value(feed(&inputs, "p")).expect("serialises");
        assert_eq!(schema_errors(&doc), Vec::<String>::new(), "{doc}");
        let listed = doc["incidents"].as_array().expect("incidents");
        let ids: Vec<&serde_json::Value> = listed.iter().map(|i| &i["id"]).collect();
        assert_eq!(ids, [3, 2], "the one over two hours ago is archived: {doc}");
        assert_eq!(listed[0]["incident_severity"], "info", "P2 by config");
        assert_eq!(listed[0]["maintenance_status"], serde_json::Value::Null);
        assert_eq!(listed[0]["archive_at"], serde_json::Value::Null);
        assert_eq!(
            listed[0]["platforms"],
            serde_json::json!(["windows", "ps5"])
        );
        assert_eq!(
            listed[0]["titles"],
            serde_json::json!([{"locale": "en-US", "content": "Problems with Login"}])
        );
        assert_eq!(
            listed[1]["updates"][0]["translations"][0]["content"], "✅ Login is back",
            "newest first"
        );
        assert!(listed[1]["archive_at"].is_string(), "{doc}");
        assert_eq!(listed[0]["flags"], serde_json::json!(["ranked_disabled"]));
        assert_eq!(
            listed[1]["flags"],
            serde_json::json!([]),
            "players were told it is over: the client turns things back on"
        );
        assert_eq!(
            doc["maintenances"].as_array().map(Vec::len),
            Some(1),
            "not the called-off one"
        );
        let m = &doc["maintenances"][0];
        assert_eq!(
            m["updates"][0]["translations"][0]["content"],
            "Patch 1.2 is being deployed"
        );
        assert_eq!(m["maintenance_status"], "in_progress");
        assert_eq!(m["incident_severity"], serde_json::Value::Null);
    }

    #[test]
    fn the_schema_refuses_an_incident_with_a_maintenance_status() {
        let doc = serde_json::json!({
            "id": "p", "name": "S", "locales": ["en-US"], "maintenances": [],
            "incidents": [{
                "id": 1, "maintenance_status": "scheduled", "incident_severity": "info",
                "titles": [{"locale": "en-US", "content": "x"}], "updates": [],
                "platforms": [], "flags": [], "created_at": "2026-01-01T00:00:00.000Z",
                "updated_at": "2026-01-01T00:00:00.000Z", "archive_at": null
            }]
        });
        assert!(!schema_errors(&doc).is_empty());
    }
}
