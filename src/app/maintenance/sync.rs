//! The jobs of a window: its Discord event made to match the record, the 🛠️ posts to
//! players, and the staff reminder before it starts.

use chrono::TimeDelta;

use super::{line, marker, queue, staff_channel};
use crate::app::{
    render, AppError, ChatError, Effect, Meeting, NewExternalEvent, Outgoing, Performer,
};
use crate::domain::{to_translate, EventStatus, Locale, Window, WindowStatus};
use crate::render::{
    cap, relative, role_pings, unlink_for_players, MaintenanceNotice, MaintenanceReminder,
    MaintenanceStaff, TemplateName,
};
use crate::scheduler::JobError;
use crate::store::Job;

/// How far ahead of now an event must start: Discord refuses a start in the past.
const LEAD: TimeDelta = TimeDelta::seconds(10);

/// One window's events are looked up, then created: one job at a time.
const LOCK: &str = "maintenance";

/// Discord's limits on an event's description and location.
const DESCRIPTION_MAX: usize = 1000;
const LOCATION_MAX: usize = 100;

impl Performer {
    /// Performs [`Effect::SyncWindow`]: creates, edits or ends the window's event as the
    /// record says, then queues the post of `stage` to players. A refusal from Discord does
    /// not keep players from being told: the post is queued first, then the job fails (and
    /// the log channel hears why).
    pub(in crate::app) async fn sync_window(
        &self,
        job: &Job,
        id: i64,
        stage: Option<String>,
    ) -> Result<(), JobError> {
        let _one_at_a_time = self.one_at_a_time(LOCK).await?;
        let Some(w) = self.app.db.window(id).await? else {
            return Ok(());
        };
        let known = match w.event {
            Some(e) => self.chat.meeting(e).await?,
            None => self.chat.find_meeting(&marker(id)).await?,
        };
        let spec = self.external(&w, self.app.clock.now())?;
        let (event, refused) = match self.hold_window(&w, known, &spec).await {
            Ok(event) => (event, None),
            Err(e @ ChatError::Unavailable { .. }) => return Err(e.into()),
            Err(e) => (None, Some(e)),
        };
        let mut tx = self.app.db.begin().await?;
        if event.is_some() && event != w.event {
            if let Some(mut fresh) = tx.window(id).await? {
                fresh.event = event;
                tx.save_window(&fresh).await?;
            }
        }
        if let Some(stage) = stage {
            let origin = format!("job:{}", job.id.0);
            let effect = Effect::AnnounceWindow {
                window: id,
                stage: stage.clone(),
            };
            let now = self.app.clock.now();
            queue(
                &self.app,
                &mut tx,
                effect,
                &format!("mw:{id}:{stage}"),
                &origin,
                now,
            )
            .await?;
            // Each players' language with its own channel, after the announcement channel.
            let settings = &self.app.settings;
            let read = to_translate(&settings.players.locales);
            for (locale, channel) in &settings.channels.announcements_by_locale {
                if !read.contains(locale) {
                    continue;
                }
                let effect = Effect::AnnounceWindowIn {
                    window: id,
                    stage: stage.clone(),
                    locale: locale.code().to_owned(),
                    channel: *channel,
                };
                let about = format!("mw:{id}:{stage}:{locale}");
                queue(&self.app, &mut tx, effect, &about, &origin, now).await?;
            }
        }
        tx.commit().await?;
        self.app.waker.wake();
        refused.map_or(Ok(()), |e| Err(e.into()))
    }

    /// Makes the event `known` (or a new one) match `w`; returns its id, `None` when there is
    /// none (a window over before its event was made).
    async fn hold_window(
        &self,
        w: &Window,
        known: Option<Meeting>,
        spec: &NewExternalEvent,
    ) -> Result<Option<crate::domain::EventId>, ChatError> {
        let now = self.app.clock.now();
        let Some(m) = known else {
            if w.status.is_over() || w.end <= now + LEAD {
                return Ok(None);
            }
            // An unplanned window's event starts a few seconds ahead: Discord starts it itself.
            return self.chat.create_external_event(spec).await.map(Some);
        };
        let Some(ending) = m.status.ending() else {
            return Ok(Some(m.id));
        };
        if w.status.is_over() {
            self.chat.set_meeting_status(m.id, ending).await?;
            return Ok(Some(m.id));
        }
        let scheduled = m.status == EventStatus::Scheduled;
        self.chat.edit_external_event(m.id, spec, scheduled).await?;
        if scheduled && w.status == WindowStatus::InProgress && w.start <= now {
            self.chat
                .set_meeting_status(m.id, EventStatus::Active)
                .await?;
        }
        Ok(Some(m.id))
    }

    /// The event of `w` as Discord should show it.
    fn external(
        &self,
        w: &Window,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<NewExternalEvent, JobError> {
        let view = crate::render::EventText::MaintenanceDescription {
            message: w.message.as_ref().map(|m| m.as_str().to_owned()),
            systems: w.systems.display(),
        };
        let description = self
            .app
            .templates
            .render(crate::render::TemplateName::Event, &view)
            .map_err(|e| JobError::Fatal(e.into()))?;
        let tail = format!("\n\n{}", marker(w.id));
        let description = cap(&description, DESCRIPTION_MAX - tail.chars().count()) + &tail;
        Ok(NewExternalEvent {
            name: w.title.to_string(),
            description,
            location: cap(&self.app.settings.status.url, LOCATION_MAX),
            start: w.start.max(now + LEAD),
            end: w.end.max(now + LEAD + TimeDelta::minutes(1)),
        })
    }

    /// Performs [`Effect::AnnounceWindow`]: tells players of `stage`, unless the window moved
    /// past it meanwhile (a schedule cancelled before its post went out says nothing).
    pub(in crate::app) async fn announce_window(
        &self,
        job: &Job,
        id: i64,
        stage: &str,
    ) -> Result<(), JobError> {
        let Some(w) = self.app.db.window(id).await? else {
            return Ok(());
        };
        if stale(&w, stage) {
            return Ok(());
        }
        let settings = &self.app.settings;
        let (view, hosts) = self.notice(&w, stage);
        let failed = |e| crate::app::jobs::use_case_failed(&self.app.templates, e);
        let text = render(&self.app, TemplateName::Maintenance, &view).map_err(failed)?;
        let content = unlink_for_players(&text, &hosts);
        let mut translated = Vec::new();
        for locale in to_translate(&settings.players.locales) {
            let text = self
                .app
                .templates
                .render_in(locale, TemplateName::Maintenance, &view)
                .map_err(|e| failed(AppError::from(anyhow::Error::new(e))))?;
            translated.push((locale, unlink_for_players(&text, &hosts)));
        }
        let shown = self.in_guild_language(&content, &translated).await?;
        self.post(job, settings.channels.announcements, shown, vec![])
            .await?;
        // Players who follow the studio elsewhere read it too (the Discord post has a nonce,
        // and the posts are recorded once per job: a retry doubles neither).
        crate::app::social_notices::queue(&self.app, job, &w, (&content, &translated)).await
    }

    /// Performs [`Effect::AnnounceWindowIn`]: tells players of `stage` in `locale`'s own
    /// channel, from that locale's template, unless the window moved past it meanwhile.
    pub(in crate::app) async fn announce_window_in(
        &self,
        job: &Job,
        id: i64,
        stage: &str,
        (locale, channel): (&str, crate::domain::ChannelId),
    ) -> Result<(), JobError> {
        let Some(w) = self.app.db.window(id).await? else {
            return Ok(());
        };
        let Ok(locale) = Locale::parse(locale) else {
            return Err(JobError::fatal(format!("{locale} is not a Discord locale")));
        };
        if stale(&w, stage) {
            return Ok(());
        }
        let (view, hosts) = self.notice(&w, stage);
        let text = self
            .app
            .templates
            .render_in(locale, TemplateName::Maintenance, &view)
            .map_err(|e| {
                let e = AppError::from(anyhow::Error::new(e));
                crate::app::jobs::use_case_failed(&self.app.templates, e)
            })?;
        self.post(job, channel, unlink_for_players(&text, &hosts), vec![])
            .await?;
        Ok(())
    }

    /// The notice of `w` at `stage`, and the hosts players may see linked in it: the event's
    /// link is the bot's own; every other address, a typed discord.com one included, follows
    /// the players' rule.
    fn notice(&self, w: &Window, stage: &str) -> (MaintenanceNotice, Vec<String>) {
        let settings = &self.app.settings;
        let guild = settings.discord.guild_id;
        let event_link = w
            .event
            .filter(|_| !w.status.is_over())
            .map(|e| format!("https://discord.com/events/{guild}/{e}"));
        let view = MaintenanceNotice::of(w, stage, event_link.clone(), &settings.status.url);
        let mut hosts = settings.player_link_hosts();
        hosts.extend(event_link);
        (view, hosts)
    }

    /// `content` in the guild's preferred language, when players read it and it was rendered.
    async fn in_guild_language(
        &self,
        content: &str,
        translated: &[(Locale, String)],
    ) -> Result<String, JobError> {
        if translated.is_empty() {
            return Ok(content.to_owned());
        }
        let preferred = self.chat.preferred_locale().await?;
        let map = translated.iter().cloned().collect();
        Ok(crate::app::players::for_guild(
            preferred.as_deref(),
            &map,
            content.to_owned(),
        ))
    }

    /// Performs [`Effect::WindowReminder`]: reminds the staff in the log channel before a
    /// window starts, unless it moved (`start` is the start it was queued for) or is off.
    pub(in crate::app) async fn remind_window(
        &self,
        job: &Job,
        id: i64,
        start: i64,
    ) -> Result<(), JobError> {
        let Some(w) = self.app.db.window(id).await? else {
            return Ok(());
        };
        let Some(channel) = staff_channel(&self.app) else {
            return Ok(());
        };
        if w.status != WindowStatus::Scheduled || w.start.timestamp() != start {
            return Ok(());
        }
        let roles = &self.app.settings.roles;
        let ping = vec![roles.maintenance.unwrap_or(roles.commander)];
        let view = MaintenanceStaff {
            reminder: Some(MaintenanceReminder {
                ping: role_pings(&ping),
                window: line(&w, None, None),
                starts: relative(w.start),
            }),
            ..MaintenanceStaff::default()
        };
        let content = render(&self.app, TemplateName::MaintenanceStaff, &view)
            .map_err(|e| crate::app::jobs::use_case_failed(&self.app.templates, e))?;
        let message = Outgoing {
            channel,
            content,
            ping_roles: ping,
            ping_users: vec![],
            nonce: job.id.0.to_string(),
            attachment: None,
            buttons: vec![],
            menu: None,
        };
        self.chat.post(&message).await?;
        Ok(())
    }
}

/// Whether `w` moved past `stage` since it was queued (a schedule cancelled before its post
/// went out says nothing).
fn stale(w: &Window, stage: &str) -> bool {
    match stage {
        "scheduled" | "moved" => w.status != WindowStatus::Scheduled,
        "started" | "extended" => w.status.is_over(),
        _ => false,
    }
}
