//! Each system's state now and its history, and the page's overall impact.

use chrono::{NaiveDate, TimeDelta};

use super::{Inputs, PublicIncident, HISTORY_DAYS};
use crate::status::board::fnv64;
use crate::status::statuspage::Impact;

/// One system's current state and its history.
#[derive(Debug, Clone)]
pub(in crate::status) struct SystemState {
    pub name: String,
    pub id: String,
    pub impact: Impact,
    /// Whether a maintenance window under way holds it.
    pub maintenance: bool,
    /// Oldest day first: the worst impact of a public incident that day, if any.
    pub days: Vec<(NaiveDate, Option<Impact>)>,
}

pub(super) fn stable_id(kind: &str, name: &str) -> String {
    format!(
        "{:012x}",
        fnv64(format!("{kind}:{}", name.to_lowercase()).as_bytes()) & 0xffff_ffff_ffff
    )
}

/// The catalogue, then any other system an unresolved incident or a window under way names.
pub(in crate::status) fn systems(inputs: &Inputs<'_>) -> Vec<SystemState> {
    let mut names: Vec<String> = inputs.catalogue.to_vec();
    let open = inputs.incidents.iter().filter(|i| i.unresolved());
    let named = open.map(|i| &i.systems);
    let held = inputs.maintenances.iter().filter(|w| w.running());
    for systems in named.chain(held.map(|w| &w.systems)) {
        for s in systems {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(s)) {
                names.push(s.clone());
            }
        }
    }
    let today = inputs.now.date_naive();
    names
        .into_iter()
        .map(|name| {
            let impact = inputs
                .incidents
                .iter()
                .filter(|i| i.unresolved() && i.affects(&name))
                .map(PublicIncident::impact)
                .max()
                .unwrap_or(Impact::None);
            let days = (0..HISTORY_DAYS)
                .rev()
                .map(|back| {
                    let day = today - TimeDelta::days(back);
                    let worst = inputs
                        .incidents
                        .iter()
                        .filter(|i| i.affects(&name))
                        .filter(|i| {
                            let from = i.started().date_naive();
                            let to = i.over_at().unwrap_or(inputs.now).date_naive();
                            from <= day && day <= to
                        })
                        .map(PublicIncident::impact)
                        .max();
                    (day, worst)
                })
                .collect();
            SystemState {
                id: stable_id("component", &name),
                maintenance: inputs.maintenances.iter().any(|w| w.holds(&name)),
                name,
                impact,
                days,
            }
        })
        .collect()
}

/// The worst impact among unresolved incidents.
pub(in crate::status) fn overall(incidents: &[PublicIncident]) -> Impact {
    incidents
        .iter()
        .filter(|i| i.unresolved())
        .map(PublicIncident::impact)
        .max()
        .unwrap_or(Impact::None)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::config::GameStatusSettings;
    use crate::domain::{Phase, Severity, Status};
    use crate::status::build::PublicUpdate;
    use crate::store::AnnouncementKind;

    fn incident(number: u32, severity: Severity, status: Status, days_ago: i64) -> PublicIncident {
        let now = Utc::now();
        PublicIncident {
            number,
            severity,
            status,
            phase: Phase::Triage,
            systems: vec!["login".into()],
            resolved_at: None,
            ended_at: None,
            flags: vec![],
            updates: vec![PublicUpdate {
                id: i64::from(number),
                kind: AnnouncementKind::Alert,
                at: now - TimeDelta::days(days_ago),
                text: "🚨".into(),
                systems: vec!["login".into()],
                severity,
                translations: Vec::new(),
                titles: Vec::new(),
            }],
        }
    }

    #[test]
    fn systems_take_the_worst_open_impact_and_the_strip_marks_each_day() {
        let now = Utc::now();
        let incidents = [
            incident(2, Severity::P1, Status::Open, 0),
            incident(1, Severity::P0, Status::Closed, 3),
        ];
        let catalogue = ["Login".to_owned(), "Store".to_owned()];
        let inputs = Inputs {
            name: "S",
            url: "https://s.example/",
            catalogue: &catalogue,
            now,
            incidents: &incidents,
            maintenances: &[],
            locales: &[],
            game: &GameStatusSettings {
                platforms: vec!["windows".into()],
                severity: crate::config::GameSeverities {
                    p0: crate::config::GameSeverity::Critical,
                    p1: crate::config::GameSeverity::Critical,
                    p2: crate::config::GameSeverity::Warning,
                    p3: crate::config::GameSeverity::Info,
                },
            },
        };
        let systems = systems(&inputs);
        assert_eq!(
            systems[0].impact,
            Impact::Major,
            "matched case-insensitively"
        );
        assert_eq!(systems[1].impact, Impact::None);
        let days = &systems[0].days;
        assert_eq!(days.len(), 90);
        assert_eq!(days[89].1, Some(Impact::Major));
        assert_eq!(days[86].1, Some(Impact::Critical));
        assert_eq!(days[85].1, None);
        assert_eq!(overall(&incidents), Impact::Major);
    }
}
