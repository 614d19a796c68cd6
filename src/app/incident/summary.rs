//! `/incident status`: one incident in its channel, the open ones the asker may see elsewhere.

use super::App;
use super::{team, AppError, Place};
use crate::config::delta;
use crate::domain::{Actor, NotAllowed, Status};
use crate::render::{IncidentLine, IncidentList, Markup, StatusView, TemplateName};
use crate::store::IncidentRecord;

/// What to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReply {
    /// The rendered text.
    pub text: String,
    /// Buttons under it: **Timeline chart** for one incident.
    pub buttons: Vec<crate::app::Button>,
}

/// The status of the incident of `place`'s channel (whoever can read the channel may ask), or of
/// the one numbered in `incident:` from the log channel, or else the unclosed incidents `actor`
/// may see: none at all for people outside the response team, and security incidents only for
/// the security role and the incident's own members.
#[tracing::instrument(skip_all)]
pub async fn status(
    app: &App,
    actor: &Actor,
    place: impl Into<Place>,
) -> Result<StatusReply, AppError> {
    let place = place.into();
    let found = match place.incident {
        Some(_) => Some(super::lifecycle::incident_here(app, actor, place).await?),
        None => app.db.incident_by_channel(place.channel).await?,
    };
    let mut buttons = Vec::new();
    let text = match found {
        Some(r) => {
            if r.channel_id.is_some() {
                buttons.push(super::timeline_chart::button(app, &r)?);
            }
            let mut view =
                StatusView::new(r.number, &r.incident, &app.phase_budgets(), app.clock.now());
            if r.incident.status == Status::Verifying {
                view.verifying_until = r.incident.resolved_at.map(|at| {
                    crate::render::timestamp(at + delta(app.settings.resolution.verify_after))
                });
            }
            let ticks = app.db.ticks(r.id).await?;
            view.checklists = super::checklists::counts(app, &r.incident, &ticks);
            view.x_cap = crate::app::x_cap_reached(app, app.clock.now()).await?;
            super::render(app, TemplateName::Status, &view)?
        }
        None => {
            let open = visible_unclosed(app, actor).await?;
            let view = IncidentList {
                incidents: open
                    .iter()
                    .map(|r| IncidentLine {
                        channel: r.channel_id.map(|c| Markup::raw(format!("<#{c}>"))),
                        number: r.number.0,
                        severity: r.incident.severity.to_string(),
                        title: r.incident.title.to_string(),
                        phase_number: r.incident.phase.number(),
                        status: r.incident.status.as_str().to_owned(),
                    })
                    .collect(),
            };
            super::render(app, TemplateName::IncidentList, &view)?
        }
    };
    Ok(StatusReply { text, buttons })
}

/// The unclosed incidents `actor` may know of; refused outright for people outside the team,
/// so a player learns nothing, not even how many there are.
pub(in crate::app) async fn visible_unclosed(
    app: &App,
    actor: &Actor,
) -> Result<Vec<IncidentRecord>, AppError> {
    let team = team(app);
    if !actor.is_responder(&team) && !actor.roles.contains(&team.security) {
        return Err(NotAllowed::NoAccess.into());
    }
    let mut open = app
        .db
        .unclosed_incidents(app.settings.discord.guild_id)
        .await?;
    open.retain(|r| actor.can_see(&r.incident, &team));
    Ok(open)
}

/// `/incident help`: what each severity means and does, the phases with their budgets, and the
/// commands, from this studio's configuration. Anyone may read it.
pub fn help(app: &App) -> Result<String, AppError> {
    use crate::domain::{IncidentKind, Phase, Severity};
    use crate::render::{human, Help, HelpPhase, HelpSeverity};
    let severities = Severity::ALL
        .into_iter()
        .map(|severity| {
            let s = app.settings.severity.get(severity);
            HelpSeverity {
                key: severity.to_string(),
                definition: s.definition.trim().to_owned(),
                examples: s.examples.join(", "),
                pages: !app
                    .page_roles(IncidentKind::Availability, severity)
                    .is_empty(),
                announces: s.announce,
                escalates_after: s.commander_timeout.map(|after| human(delta(after))),
            }
        })
        .collect();
    let budgets = app.phase_budgets();
    let phases = Phase::ALL
        .into_iter()
        .map(|phase| HelpPhase {
            number: phase.number(),
            budget: budgets.deadline_offset(phase).map(human),
        })
        .collect();
    let view = Help {
        severities,
        phases,
        verify_after: human(delta(app.settings.resolution.verify_after)),
    };
    super::render(app, TemplateName::Help, &view)
}
