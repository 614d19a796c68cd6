//! `/incident status`: one incident in its channel, the open ones elsewhere.

use super::AppError;
use crate::domain::ChannelId;
use crate::render::{IncidentLine, IncidentList, StatusView, TemplateName};
use crate::startup::App;

/// What to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReply {
    /// The rendered text.
    pub text: String,
}

/// The status of the incident of `channel`, or the list of open incidents.
#[tracing::instrument(skip_all)]
pub async fn status(app: &App, channel: ChannelId) -> Result<StatusReply, AppError> {
    let text = match app.db.incident_by_channel(channel).await? {
        Some(r) => {
            let view =
                StatusView::new(r.number, &r.incident, &app.phase_budgets(), app.clock.now());
            super::render(app, TemplateName::Status, &view)?
        }
        None => {
            let open = app
                .db
                .unclosed_incidents(app.settings.discord.guild_id)
                .await?;
            let view = IncidentList {
                incidents: open
                    .iter()
                    .map(|r| IncidentLine {
                        channel: r
                            .channel_id
                            .map_or_else(|| "(channel opening)".to_owned(), |c| format!("<#{c}>")),
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
    Ok(StatusReply { text })
}
