//! The known stories the charts are tested, snapshotted and measured with (the lib's tests and
//! `benches/charts.rs`), kept in one place so that the snapshot a reviewer looks at and the
//! bench draw the same picture.

use chrono::{DateTime, TimeDelta, Utc};

use super::UptimeRow;
use crate::domain::{
    Command, Declaration, FreeText, Incident, IncidentKind, IncidentTitle, Phase, Severity,
    Systems, TimelineEntry, UserId,
};

/// A P0 on Login declared at `t0`, seen 10 minutes before; contained late (+3 to +40); a
/// first fix at +60 that did not hold (+70), a second at +100 that held (+160); closed at
/// +180. Returns the incident and its timeline.
pub fn incident(t0: DateTime<Utc>) -> anyhow::Result<(Incident, Vec<TimelineEntry>)> {
    let user = UserId::new(1).ok_or_else(|| anyhow::anyhow!("user 0"))?;
    let at = |m: i64| t0 + TimeDelta::minutes(m);
    let (mut i, first) = Incident::declare(
        Declaration {
            title: IncidentTitle::parse("Login down")?,
            severity: Severity::P0,
            kind: IncidentKind::Availability,
            systems: Systems::parse("Login")?,
            summary: None,
            declared_by: user,
            eta: None,
            detected_at: Some(at(-10)),
        },
        t0,
    );
    let fix = |cause: &str| -> anyhow::Result<Command> {
        Ok(Command::Resolve {
            root_cause: FreeText::parse(cause)?,
            compensation: None,
            all_clear_now: false,
        })
    };
    let to = |phase| Command::AdvancePhase { to: phase };
    let steps = [
        (3, to(Phase::Containment)),
        (40, to(Phase::Investigation)),
        (60, fix("a bad deploy")?),
        (
            70,
            Command::Reopen {
                reason: FreeText::parse("errors are back")?,
            },
        ),
        (100, fix("the cache")?),
        (160, Command::FixHeld),
        (180, Command::Close),
    ];
    let mut happened = vec![first];
    for (m, command) in steps {
        happened.extend(i.apply(command, user, at(m))?);
    }
    // The chart reads each entry's kind and time, never its words: they stay empty here,
    // where no templates are loaded.
    let timeline = happened
        .into_iter()
        .map(|h| TimelineEntry::worded(h, String::new()))
        .collect();
    Ok((i, timeline))
}

/// Three systems' 90 days: Login with a major outage on day 41, a partial one on day 42 and
/// degraded performance on day 89; Store calm; Matchmaking a partial outage every 30 days.
pub fn uptime_rows() -> Vec<UptimeRow> {
    let mut login = vec![0; 90];
    login[40] = 3;
    login[41] = 2;
    login[88] = 1;
    vec![
        UptimeRow {
            name: "Login".into(),
            days: login,
        },
        UptimeRow {
            name: "Store".into(),
            days: vec![0; 90],
        },
        UptimeRow {
            name: "Matchmaking".into(),
            days: (0..90).map(|d| usize::from(d % 30 == 0) * 2).collect(),
        },
    ]
}
