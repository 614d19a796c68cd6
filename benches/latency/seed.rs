//! Fills a database with closed incidents through the store's own API, as the bot would have
//! left them: the incident with its systems, phases and roles, its timeline, audit entries and
//! the finished jobs of its side effects.

use anyhow::Context as _;
use chrono::{DateTime, TimeDelta, Utc};
use incident_bot::app::{Effect, Target};
use incident_bot::domain::{
    ChannelId, Command, Declaration, FreeText, GuildId, Incident, IncidentKind, IncidentRole,
    IncidentTitle, Phase, Severity, Systems, UserId,
};
use incident_bot::render::Templates;
use incident_bot::store::{AuditEntry, Db, NewIncident, NewJob};
use serde_json::json;

use crate::mix::SYSTEMS;

/// Incidents per transaction: small enough that a writer of the bot waiting on the busy
/// timeout gets its turn between two.
const BATCH: usize = 50;
/// How far back the seeded incidents go: 10,000 over three years is about nine a day.
const SPAN_DAYS: i64 = 3 * 365;
/// Where seeded channel ids start: far from the fake's own snowflakes.
const CHANNEL_BASE: u64 = 900_000_000_000_000_000;

fn text(s: &str) -> anyhow::Result<FreeText> {
    FreeText::parse(s).context("seed text")
}

/// Adds `count` closed incidents to the guild's history, declared over the last three years.
pub async fn closed_incidents(db: &Db, guild: GuildId, count: usize) -> anyhow::Result<()> {
    let responder = UserId::new(1_100_000_000_000_000_300).context("id")?;
    let commander = UserId::new(1_100_000_000_000_000_301).context("id")?;
    let now = Utc::now();
    let templates = Templates::load(None).map_err(|p| anyhow::anyhow!("templates: {p:?}"))?;
    let step = TimeDelta::days(SPAN_DAYS) / i32::try_from(count.max(1)).context("count")?;
    let mut done = 0;
    while done < count {
        let mut tx = db.begin().await?;
        for i in done..(done + BATCH).min(count) {
            let declared_at = now - TimeDelta::days(SPAN_DAYS) - TimeDelta::hours(3)
                + step * i32::try_from(i).context("index")?;
            let declaration = Declaration {
                title: IncidentTitle::parse(&format!("Seeded incident {i}: players disconnected"))
                    .context("seed title")?,
                severity: [Severity::P1, Severity::P2, Severity::P2, Severity::P3][i % 4],
                kind: IncidentKind::Availability,
                systems: Systems::parse(SYSTEMS[i % SYSTEMS.len()]).context("seed systems")?,
                summary: Some(text("Error rates up after a deploy")?),
                declared_by: responder,
                eta: None,
                detected_at: None,
            };
            let (mut incident, first) = Incident::declare(declaration, declared_at);
            let mut record = tx
                .insert_incident(NewIncident {
                    guild_id: guild,
                    interaction_id: None,
                    incident: &incident,
                })
                .await?;
            let mut entries = vec![first];
            for (minutes, who, command) in life(commander)? {
                let at = declared_at + TimeDelta::minutes(minutes);
                entries.extend(incident.apply(command, who, at).context("seed lifecycle")?);
            }
            record.incident = incident;
            record.channel_id = ChannelId::new(CHANNEL_BASE + i as u64);
            tx.save_incident(&record).await?;
            let entries = entries
                .into_iter()
                .map(|h| templates.timeline_entry(h))
                .collect::<Result<Vec<_>, _>>()?;
            tx.append_timeline(record.id, &entries).await?;
            for (k, entry) in entries.iter().enumerate() {
                let audit = AuditEntry {
                    at: entry.at,
                    guild_id: guild,
                    actor: entry.actor,
                    incident: Some(record.id),
                    action: entry.kind.as_str().to_owned(),
                    detail: json!({ "timeline": [entry.text] }),
                };
                tx.audit(&audit).await?;
                let job = NewJob {
                    kind: "post".to_owned(),
                    payload: serde_json::to_value(Effect::Post {
                        to: Target::IncidentChannel,
                        content: entry.text.clone(),
                        ping_roles: vec![],
                        file: None,
                        buttons: vec![],
                    })?,
                    incident: Some(record.id),
                    idempotency_key: format!("seed:{i}:{k}"),
                    due_at: entry.at,
                };
                if let Some(id) = tx.enqueue(&job, entry.at).await? {
                    tx.finish_job(id, entry.at).await?;
                }
            }
        }
        tx.commit().await?;
        done = (done + BATCH).min(count);
    }
    Ok(())
}

/// An ordinary incident's life after its declaration: minutes after it, who, what.
fn life(commander: UserId) -> anyhow::Result<Vec<(i64, UserId, Command)>> {
    Ok(vec![
        (
            2,
            commander,
            Command::Assign {
                role: IncidentRole::Commander,
                user: commander,
            },
        ),
        (
            4,
            commander,
            Command::AdvancePhase {
                to: Phase::Containment,
            },
        ),
        (
            10,
            commander,
            Command::Note {
                text: text("Rolled back the deploy on half the fleet")?,
            },
        ),
        (
            20,
            commander,
            Command::Update {
                message: text("Most players can log in again")?,
                public: false,
                publish: false,
                eta: None,
            },
        ),
        (
            45,
            commander,
            Command::Resolve {
                root_cause: text("A bad config push")?,
                compensation: None,
                all_clear_now: true,
            },
        ),
        (90, commander, Command::Close),
    ])
}

/// Seeding time for the report.
pub fn describe(count: usize, took: std::time::Duration, at: DateTime<Utc>) -> String {
    format!(
        "{count} closed incidents seeded in {:.1} s (declared over the {SPAN_DAYS} days before {}), \
         each with 8 timeline entries, 7 audit entries and 7 finished jobs",
        took.as_secs_f64(),
        at.format("%Y-%m-%d")
    )
}
