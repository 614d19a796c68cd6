//! The job that sends a page: its words from `page.hbs`, its links, through the service's pager.

use chrono::TimeDelta;

use super::page_key;
use crate::app::{App, AppError, PageAction, PageLink};
use crate::config::PageService;
use crate::domain::IncidentKind;
use crate::render::{Markup, PageDetails, PageTitle, PageView, TemplateName};
use crate::scheduler::JobError;
use crate::store::{IncidentRecord, Job};

/// How long a page waits for the incident's channel, to carry its link, before it goes without.
const WAIT_FOR_CHANNEL: TimeDelta = TimeDelta::seconds(30);

fn render(app: &App, view: &PageView) -> Result<String, JobError> {
    crate::app::render(app, TemplateName::Page, view).map_err(|e| match e {
        AppError::User(why) => JobError::Fatal(why.into()),
        AppError::Internal(e) | AppError::Unavailable(e) => JobError::Fatal(e),
    })
}

/// The links a page carries: the incident channel, and for an availability incident the
/// status page.
async fn links(
    performer: &crate::app::Performer,
    record: &IncidentRecord,
) -> Result<Vec<PageLink>, JobError> {
    let app = &performer.app;
    let mut out = Vec::new();
    match performer.channel_of(record).await {
        Ok(channel) => {
            let href = format!("https://discord.com/channels/{}/{channel}", record.guild_id);
            if let Ok(href) = url::Url::parse(&href) {
                let view = PageView {
                    channel_link: Some(record.number.0),
                    ..PageView::default()
                };
                out.push(PageLink {
                    href,
                    text: render(app, &view)?,
                });
            }
        }
        // Waking on-call never waits long on Discord: past a short wait, the page goes
        // without the channel's link.
        Err(JobError::NotYet(at))
            if record.incident.declared_at + WAIT_FOR_CHANNEL > app.clock.now() =>
        {
            return Err(JobError::NotYet(at));
        }
        Err(_) => {}
    }
    if record.incident.kind == IncidentKind::Availability {
        if let Ok(href) = url::Url::parse(&app.settings.status.url) {
            let view = PageView {
                status_link: true,
                ..PageView::default()
            };
            out.push(PageLink {
                href,
                text: render(app, &view)?,
            });
        }
    }
    Ok(out)
}

/// The page of `record` for `action` of `round`, its words from `page.hbs`.
fn page_of(
    app: &App,
    record: &IncidentRecord,
    action: PageAction,
    round: u32,
    links: Vec<PageLink>,
    tried_before: bool,
) -> Result<crate::app::Page, JobError> {
    let i = &record.incident;
    let security = i.kind == IncidentKind::Security;
    let head = PageTitle {
        security,
        number: record.number.0,
        severity: i.severity.to_string(),
        // PagerDuty and ntfy show plain text: the title goes as typed.
        title: Markup::raw(i.title.as_str()),
    };
    let title = render(
        app,
        &PageView {
            title: Some(head.clone()),
            ..PageView::default()
        },
    )?;
    let body = match action {
        PageAction::Resolve => PageView {
            all_clear: Some(head),
            ..PageView::default()
        },
        PageAction::Trigger | PageAction::Acknowledge => PageView {
            details: Some(PageDetails {
                security,
                severity: i.severity.to_string(),
                systems: (!i.systems.is_empty()).then(|| Markup::raw(i.systems.display())),
            }),
            ..PageView::default()
        },
    };
    Ok(crate::app::Page {
        action,
        key: page_key(record.id, round),
        title,
        body: render(app, &body)?,
        severity: i.severity,
        security,
        links,
        tried_before,
    })
}

/// Performs an [`Effect::Page`].
pub(in crate::app) async fn perform(
    performer: &crate::app::Performer,
    job: &Job,
    service: PageService,
    action: PageAction,
    round: u32,
) -> Result<(), JobError> {
    let app = &performer.app;
    let pager = app.pagers.of(service).ok_or_else(|| {
        JobError::fatal(format!(
            "[page_out.{}] is not configured any more: the page was not sent",
            service.as_str()
        ))
    })?;
    let record = performer.incident(job).await?;
    let links = links(performer, &record).await?;
    let page = page_of(app, &record, action, round, links, job.attempts > 1)?;
    pager.send(&page).await?;
    Ok(())
}
