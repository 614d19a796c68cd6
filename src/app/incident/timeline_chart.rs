//! The incident's timeline chart (`crate::chart::timeline_png`), worded by `chart.hbs`: attached
//! to the close summary, posted after the post-mortem draft, and posted when someone presses
//! **Timeline chart** under `/incident status`. Its series come from the incident, its
//! timeline, what players were told and the alerts attached to it.

use chrono::{DateTime, Utc};

use super::{App, AppError, Attachment, Button, ButtonStyle, Effect, Outbox, Outgoing, Performer};
use crate::chart::{Marker, TimelineStory, TimelineWords};
use crate::domain::{Actor, ChannelId, IncidentId, Phase, Refusal};
use crate::render::{ChartView, Label, Markup, TemplateName};
use crate::scheduler::JobError;
use crate::store::{IncidentRecord, Job};

/// The prefix of the **Timeline chart** button's custom id: `timeline_chart:<incident id>`.
pub const TIMELINE_CHART_BUTTON: &str = "timeline_chart";

/// One word of `chart.hbs` for incident `number`.
fn word(app: &App, word: &'static str, number: u32) -> Result<String, AppError> {
    super::render(app, TemplateName::Chart, &ChartView::word(word, number))
}

/// The chart's words for incident `number`.
fn words(app: &App, number: u32) -> Result<TimelineWords, AppError> {
    let markers = Marker::ALL.map(|m| word(app, m.key(), number));
    let mut said = Vec::with_capacity(markers.len());
    for m in markers {
        said.push(m?);
    }
    Ok(TimelineWords {
        title: word(app, "title", number)?,
        axis: word(app, "axis", number)?,
        budget: word(app, "budget", number)?,
        within: word(app, "within", number)?,
        over: word(app, "over", number)?,
        markers: said
            .try_into()
            .map_err(|_| anyhow::anyhow!("a word per marker"))?,
        phases: Phase::ALL.map(|p| app.templates.label(&Label::Phase { number: p.number() })),
    })
}

/// The **Timeline chart** button of incident `id`, worded by `chart.hbs`.
pub(in crate::app) fn button(app: &App, record: &IncidentRecord) -> Result<Button, AppError> {
    Ok(Button {
        custom_id: format!("{TIMELINE_CHART_BUTTON}:{}", record.id),
        label: word(app, "button", record.number.0)?,
        style: ButtonStyle::Secondary,
    })
}

/// The chart of `record` as it stands, as a PNG file, read from the store.
pub(in crate::app) async fn attachment(
    app: &App,
    record: &IncidentRecord,
) -> Result<Attachment, AppError> {
    let timeline = app.db.timeline(record.id).await?;
    let public_updates: Vec<DateTime<Utc>> = app
        .db
        .announcements(record.id)
        .await?
        .into_iter()
        .filter(|a| a.withdrawn_at.is_none())
        .filter_map(|a| a.posted_at)
        .collect();
    let alerts: Vec<DateTime<Utc>> = app
        .db
        .alert_cards_of(record.id)
        .await?
        .into_iter()
        .map(|c| c.first_seen)
        .collect();
    let words = words(app, record.number.0)?;
    let filename = word(app, "file", record.number.0)?;
    let (incident, budgets, now) = (
        record.incident.clone(),
        app.phase_budgets(),
        app.clock.now(),
    );
    // Drawing takes tens of milliseconds: off the runtime's workers.
    let bytes = tokio::task::spawn_blocking(move || {
        let story = TimelineStory {
            incident: &incident,
            timeline: &timeline,
            public_updates: &public_updates,
            alerts: &alerts,
            budgets,
            now,
        };
        crate::chart::timeline_png(&story, &words)
    })
    .await
    .map_err(anyhow::Error::new)??;
    Ok(Attachment { filename, bytes })
}

/// A press on **Timeline chart**: queues the chart's post in the incident channel, and says so
/// to the one who pressed. Someone who may not see the incident learns nothing of it.
pub async fn timeline_chart_click(
    app: &App,
    actor: &Actor,
    incident: IncidentId,
    origin: &str,
) -> Result<String, AppError> {
    let record = app
        .db
        .incident(incident)
        .await?
        .filter(|r| actor.can_see(&r.incident, &super::team(app)))
        .ok_or(Refusal::IncidentGone)?;
    let channel = record.channel_id.ok_or(Refusal::IncidentGone)?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let mut outbox = Outbox::new(origin, record.id, now);
    outbox.push(&mut tx, Effect::TimelineChart).await?;
    tx.commit().await?;
    app.waker.wake();
    let view = ChartView {
        channel: Some(Markup::raw(format!("<#{channel}>"))),
        ..ChartView::word("posting", record.number.0)
    };
    super::render(app, TemplateName::Chart, &view)
}

impl Performer {
    /// Performs [`Effect::TimelineChart`]: the chart as it stands, with its caption, in the
    /// incident channel.
    pub(in crate::app) async fn timeline_chart(&self, job: &Job) -> Result<(), JobError> {
        let record = self.incident(job).await?;
        let channel = self.channel_of(&record).await?;
        self.post_timeline_chart(job, &record, channel, 0).await
    }

    /// Posts the chart of `record` with its caption in `channel`, as message `n` of `job`.
    pub(in crate::app) async fn post_timeline_chart(
        &self,
        job: &Job,
        record: &IncidentRecord,
        channel: ChannelId,
        n: usize,
    ) -> Result<(), JobError> {
        let failed = |e| crate::app::jobs::use_case_failed(&self.app.templates, e);
        let file = attachment(&self.app, record).await.map_err(failed)?;
        let message = Outgoing {
            channel,
            content: word(&self.app, "caption", record.number.0).map_err(failed)?,
            ping_roles: vec![],
            ping_users: vec![],
            nonce: crate::app::jobs::nonce(job, n),
            attachment: Some(file),
            buttons: vec![],
            menu: None,
        };
        self.chat.post(&message).await?;
        Ok(())
    }
}
