//! The 🛠️ maintenance notices on social networks: each notice players were told in the
//! announcement channel is also queued as one post per configured network, one thread per
//! window (scheduled, started, extended, ended). A window of a security incident never
//! reaches them, and the job looks again when it runs.

use super::effects::enqueue;
use super::ports::social::{Draft, Thread};
use super::{App, Effect, Performer};
use crate::domain::{IncidentKind, Network, Window};
use crate::render::{Markup, SocialPostView, TemplateName};
use crate::scheduler::JobError;
use crate::store::{Job, NewSocialNotice, SocialNotice};

/// The job kind of [`Effect::SocialNotice`].
pub const SOCIAL_NOTICE: &str = "social_notice";

/// Whether `window` belongs to a security incident, which players never hear of.
async fn of_security(app: &App, window: &Window) -> Result<bool, crate::store::Error> {
    let Some(incident) = window.incident else {
        return Ok(false);
    };
    let record = app.db.incident(incident).await?;
    Ok(record.is_some_and(|r| r.incident.kind == IncidentKind::Security))
}

/// Whether `network` posts for `window`: a planned window always, an incident's window when
/// the network is on for the incident's severity.
async fn on_for(app: &App, window: &Window, network: Network) -> Result<bool, JobError> {
    let Some(incident) = window.incident else {
        return Ok(true);
    };
    let severity = app
        .db
        .incident(incident)
        .await?
        .map(|r| r.incident.severity);
    let on = app.settings.social.severities(network);
    Ok(severity.is_some_and(|s| on.is_some_and(|on| on.contains(&s))))
}

/// Queues the posts of the notice `job` just posted (its Discord text `content`) about
/// `window`: one per configured network, recorded once per job, so a retry adds nothing.
pub(super) async fn queue(
    app: &App,
    job: &Job,
    window: &Window,
    (content, translated): (&str, &[(crate::domain::Locale, String)]),
) -> Result<(), JobError> {
    if app.social.is_empty() || of_security(app, window).await? {
        return Ok(());
    }
    let site = app.settings.status.url.trim_end_matches('/');
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    for network in app.social.iter().map(|s| s.network()) {
        if !on_for(app, window, network).await? {
            continue;
        }
        // Each network in its own language, as for an incident's posts.
        let content = super::social::in_language(app, network, content, translated);
        let text = crate::domain::inert(&crate::domain::plain_from_discord(content, site));
        let view = SocialPostView {
            kind: "maintenance".into(),
            severity: String::new(),
            text: Markup::raw(text),
        };
        let body = super::render(app, TemplateName::social(network), &view)
            .map_err(|e| super::jobs::use_case_failed(&app.templates, e))?;
        let with_link = network != Network::X
            || app
                .settings
                .social
                .x
                .as_ref()
                .is_some_and(|x| x.include_link);
        let key = format!("incident-bot-maintenance-{}-{}", job.id.0, network.as_str());
        let key = match network {
            // Bluesky's record key must be a TID, made once here.
            Network::Bluesky => super::social::record_key(job.id.0, now),
            _ => key,
        };
        let notice = tx
            .insert_social_notice(&NewSocialNotice {
                window: window.id,
                job: job.id.0,
                network,
                body: &body,
                link: with_link.then_some(site),
                key: &key,
                at: now,
            })
            .await?;
        let effect = Effect::SocialNotice { notice };
        let key = format!("social_notice:{notice}");
        enqueue(&mut tx, &effect, window.incident, key, now, now).await?;
    }
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}

impl Performer {
    /// Posts one maintenance notice on its network, as a reply to the window's notices there.
    pub(super) async fn social_notice(&self, id: i64) -> Result<(), JobError> {
        let app = &self.app;
        let Some(notice) = app.db.social_notice(id).await? else {
            return Err(JobError::fatal(format!(
                "social notice {id} does not exist"
            )));
        };
        let Some(window) = app.db.window(notice.window).await? else {
            return Ok(());
        };
        if !notice.waiting() || of_security(app, &window).await? {
            return Ok(());
        }
        let Some(network) = app.social.iter().find(|s| s.network() == notice.network) else {
            return Err(JobError::fatal(format!(
                "{} is not configured any more: its post is not sent",
                notice.network.display()
            )));
        };
        let now = app.clock.now();
        if let Some(why) = super::social::skip_on(app, notice.network, now).await? {
            app.db.social_notice_done(id, Err(&why), now).await?;
            tracing::warn!(notice = id, ?why, "the post is skipped");
            return Ok(());
        }
        let draft = Draft {
            key: notice.key.clone(),
            body: notice.body.clone(),
            link: notice.link.clone(),
            thread: self.notice_thread(&notice, &window).await?,
            first_tried_at: notice.first_tried_at,
        };
        app.db.social_notice_tried(id, now).await?;
        let remote = network.post(&draft).await?;
        app.db
            .social_notice_done(id, Ok(&remote), app.clock.now())
            .await?;
        Ok(())
    }

    /// Where the notice goes: for an incident's window, in the incident's thread once it has
    /// one (after the newest of its posts and notices); otherwise in the window's own thread.
    async fn notice_thread(
        &self,
        notice: &SocialNotice,
        window: &Window,
    ) -> Result<Option<Thread>, JobError> {
        let db = &self.app.db;
        if let Some(incident) = window.incident {
            let posted = db
                .social_thread(incident, notice.network)
                .await?
                .into_iter()
                .filter_map(|p| p.posted_at.zip(p.remote))
                .collect();
            let notices = db.incident_notices(incident, notice.network).await?;
            if let Some(thread) = super::social::incident_thread(posted, notices) {
                return Ok(Some(thread));
            }
        }
        let thread = db
            .social_notice_thread(notice.window, notice.network)
            .await?;
        let posted: Vec<_> = thread
            .iter()
            .filter(|n| n.id < notice.id)
            .filter_map(|n| n.remote.clone())
            .collect();
        Ok(posted
            .first()
            .cloned()
            .zip(posted.last().cloned())
            .map(|(root, parent)| Thread { root, parent }))
    }
}
