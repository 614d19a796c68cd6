//! Players' announcements on social networks: every announcement queued for players (the
//! alert, updates, the all-clear, any kind added later) is also queued as one post per network
//! configured for its severity, in the same transaction; the posts of an incident go out in
//! order, each replying to the one before, so each network has one thread per incident. A
//! security incident never reaches them, and a turn to security cancels what still waits.

use chrono::{DateTime, Datelike, TimeDelta, TimeZone, Utc};

use super::ports::social::{Draft, Sessions, Thread};
use super::{App, AppError, Effect, Outbox, Performer};
use crate::clock::BoxFuture;
use crate::domain::{IncidentKind, Network, Skipped};
use crate::render::{Markup, NetworkCount, SocialCancelled, SocialPostView, TemplateName};
use crate::scheduler::JobError;
use crate::store::{AnnouncementKind, IncidentRecord, NewSocialPost, RemotePost, SocialPost, Tx};

/// The job kind of [`Effect::SocialPost`].
pub const SOCIAL_POST: &str = "social_post";

/// The incident's page on the status site: what every post links to.
pub fn status_link(app: &App, record: &IncidentRecord) -> String {
    format!(
        "{}/incidents/{}",
        app.settings.status.url.trim_end_matches('/'),
        record.number
    )
}

/// An announcement as it was told to players, for the social networks.
pub(super) struct Told<'a> {
    /// Its row.
    pub announcement: i64,
    /// Which post.
    pub kind: AnnouncementKind,
    /// Its Discord text, in English.
    pub content: &'a str,
    /// Its Discord text in the players' other languages.
    pub translated: &'a [(crate::domain::Locale, String)],
}

/// The language `network` posts in: its own `locale`, else the studio's primary one (the
/// first of `[players] locales`), else the seed's English.
pub(super) fn locale_of(app: &App, network: Network) -> crate::domain::Locale {
    app.settings
        .social
        .locale(network)
        .or_else(|| app.settings.players.locales.first().copied())
        .unwrap_or(crate::domain::Locale::SEED)
}

/// `content` in `network`'s language, when there is a text in it; else the English.
pub(super) fn in_language<'a>(
    app: &App,
    network: Network,
    content: &'a str,
    translated: &'a [(crate::domain::Locale, String)],
) -> &'a str {
    let locale = locale_of(app, network);
    translated
        .iter()
        .find(|(l, _)| *l == locale)
        .map_or(content, |(_, text)| text.as_str())
}

/// Queues the posts of announcement `told`, one per network that is configured, running and
/// on for the incident's severity, each in the network's language. Called where every
/// announcement is made, so a new kind of public message reaches the networks too.
pub(super) async fn queue_posts(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    told: Told<'_>,
) -> Result<(), AppError> {
    if record.incident.kind == IncidentKind::Security {
        return Ok(());
    }
    let Told {
        announcement,
        kind,
        content,
        translated,
    } = told;
    let link = status_link(app, record);
    // The status site's lines go: the post ends with the incident's own page.
    let site = app.settings.status.url.trim_end_matches('/');
    for network in app.social.iter().map(|s| s.network()) {
        let on = app
            .settings
            .social
            .severities(network)
            .is_some_and(|s| s.contains(&record.incident.severity));
        if !on {
            continue;
        }
        let content = in_language(app, network, content, translated);
        let text = crate::domain::inert(&crate::domain::plain_from_discord(content, site));
        let view = SocialPostView {
            kind: kind.as_str().to_owned(),
            severity: record.incident.severity.as_str().to_owned(),
            text: Markup::raw(text),
        };
        let body = super::render(app, TemplateName::social(network), &view)?;
        let with_link = network != Network::X
            || app
                .settings
                .social
                .x
                .as_ref()
                .is_some_and(|x| x.include_link);
        let key = post_key(network, announcement, app.clock.now());
        let post = tx
            .insert_social_post(&NewSocialPost {
                announcement,
                incident: record.id,
                network,
                body: &body,
                link: with_link.then_some(link.as_str()),
                key: &key,
                at: app.clock.now(),
            })
            .await?;
        outbox.push(tx, Effect::SocialPost { post }).await?;
    }
    Ok(())
}

/// The key of a post, made once when it is queued: Bluesky's record key is a TID (a post under
/// another kind of key is not shown by the app), made from the time and the announcement; the
/// others send it as an idempotency key.
fn post_key(network: Network, announcement: i64, now: DateTime<Utc>) -> String {
    match network {
        Network::Bluesky => {
            let micros = u64::try_from(now.timestamp_micros()).unwrap_or(0);
            let clock_id = announcement.unsigned_abs() % 1024;
            tid(micros, clock_id)
        }
        _ => format!(
            "incident-bot-announcement-{announcement}-{}",
            network.as_str()
        ),
    }
}

/// A Bluesky record key (a TID) made now for item `item` of another kind than an
/// announcement (a maintenance notice's job).
pub(super) fn record_key(item: i64, now: DateTime<Utc>) -> String {
    let micros = u64::try_from(now.timestamp_micros()).unwrap_or(0);
    tid(micros, item.unsigned_abs() % 1024)
}

/// An AT Protocol TID: 53 bits of microseconds then 10 bits of clock id, in the sortable
/// base32 alphabet, 13 characters.
fn tid(micros: u64, clock_id: u64) -> String {
    const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
    let value = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 1023);
    (0..13)
        .rev()
        .map(|i| char::from(ALPHABET[usize::try_from((value >> (i * 5)) & 31).unwrap_or(0)]))
        .collect()
}

/// Cancels the posts of `record` still waiting (it became a security incident), and says in
/// its channel how many were cancelled and which went out already.
pub(super) async fn cancel_posts(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    tx.cancel_jobs(record.id, &[SOCIAL_POST], now).await?;
    let posts = tx.cancel_waiting_social_posts(record.id, now).await?;
    if posts.is_empty() {
        return Ok(());
    }
    // Stored to the millisecond: the ones cancelled now, not by an earlier turn to security.
    let now_ms = now.timestamp_millis();
    let cancelled = posts
        .iter()
        .filter(|p| p.cancelled_at.map(|t| t.timestamp_millis()) == Some(now_ms))
        .count() as u64;
    let went_out: Vec<NetworkCount> = Network::ALL
        .into_iter()
        .filter_map(|n| {
            let count = posts
                .iter()
                .filter(|p| p.network == n && p.remote.is_some())
                .count() as u64;
            (count > 0).then(|| NetworkCount {
                network: n.display().to_owned(),
                count,
            })
        })
        .collect();
    let out: u64 = went_out.iter().map(|n| n.count).sum();
    let view = SocialCancelled {
        cancelled,
        one_cancelled: cancelled == 1,
        went_out,
        one_out: out == 1,
    };
    outbox.say_here(
        super::render(app, TemplateName::SocialCancelled, &view)?,
        vec![],
    );
    Ok(())
}

/// The first day of the month of `now`, UTC: X's cap counts from it.
fn month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(now)
}

/// Whether X's monthly cap is reached at `now`: the posts made this month, and the cap.
pub async fn x_cap_reached(
    app: &App,
    now: DateTime<Utc>,
) -> Result<Option<u32>, crate::store::Error> {
    let Some(x) = &app.settings.social.x else {
        return Ok(None);
    };
    let (made, _) = app
        .db
        .social_posts_since(Network::X, month_start(now))
        .await?;
    // The maintenance notices count too.
    let notices = app
        .db
        .social_notices_since(Network::X, month_start(now))
        .await?;
    Ok((made + notices >= u64::from(x.monthly_cap)).then_some(x.monthly_cap))
}

/// Why a post on `network` is skipped at `now`, if it is: X past its monthly cap.
pub(super) async fn skip_on(
    app: &App,
    network: Network,
    now: DateTime<Utc>,
) -> Result<Option<Skipped>, crate::store::Error> {
    if network != Network::X {
        return Ok(None);
    }
    Ok(x_cap_reached(app, now)
        .await?
        .map(|cap| Skipped::XMonthlyCap { cap }))
}

impl Performer {
    /// Makes one social post, after the incident's earlier posts on the same network, as a
    /// reply to them.
    pub(super) async fn social_post(&self, id: i64) -> Result<(), JobError> {
        let Some(post) = self.app.db.social_post(id).await? else {
            return Err(JobError::fatal(format!("social post {id} does not exist")));
        };
        if !post.waiting() || self.became_security(&post).await? {
            return Ok(());
        }
        let Some(network) = self.app.social.iter().find(|s| s.network() == post.network) else {
            return Err(JobError::fatal(format!(
                "{} is not configured any more: its post is not sent",
                post.network.display()
            )));
        };
        let thread = self
            .app
            .db
            .social_thread(post.incident, post.network)
            .await?;
        let before: Vec<&SocialPost> = thread.iter().filter(|p| p.id < post.id).collect();
        if before.iter().any(|p| p.waiting()) {
            let given_up = self.app.db.job_failure(post.incident, SOCIAL_POST).await?;
            if given_up.is_none() {
                // One thread, in the order players were told: never overtake the alert.
                return Err(JobError::NotYet(
                    self.app.clock.now() + TimeDelta::seconds(1),
                ));
            }
        }
        let now = self.app.clock.now();
        if let Some(why) = skip_on(&self.app, post.network, now).await? {
            self.app.db.social_post_skipped(post.id, &why).await?;
            tracing::warn!(post = post.id, ?why, "the post is skipped");
            return Ok(());
        }
        let posted: Vec<(DateTime<Utc>, RemotePost)> = before
            .into_iter()
            .filter_map(|p| p.posted_at.zip(p.remote.clone()))
            .collect();
        let notices = self
            .app
            .db
            .incident_notices(post.incident, post.network)
            .await?;
        let thread = incident_thread(posted, notices);
        let draft = Draft {
            key: post.key.clone(),
            body: post.body.clone(),
            link: post.link.clone(),
            thread,
            first_tried_at: post.first_tried_at,
        };
        // Before the call: how long the network remembers the key counts from the first try.
        self.app.db.social_post_tried(post.id, now).await?;
        let remote = network.post(&draft).await?;
        self.app
            .db
            .social_post_made(post.id, &remote, self.app.clock.now())
            .await?;
        Ok(())
    }

    async fn became_security(&self, post: &SocialPost) -> Result<bool, JobError> {
        let record = self.app.db.incident(post.incident).await?;
        Ok(record.is_some_and(|r| r.incident.kind == IncidentKind::Security))
    }
}

/// An incident's thread on a network, from its announcements' posts (`posted`, oldest first)
/// and its windows' maintenance notices: the alert's post is the root, and the newest of
/// either the parent, so players read one thread in the order they were told.
pub(super) fn incident_thread(
    posted: Vec<(DateTime<Utc>, RemotePost)>,
    notices: Vec<(DateTime<Utc>, RemotePost)>,
) -> Option<Thread> {
    let root = posted.first()?.1.clone();
    let parent = posted
        .into_iter()
        .chain(notices)
        .max_by_key(|(at, _)| *at)
        .map(|(_, p)| p)?;
    Some(Thread { root, parent })
}

/// The adapters' logins, kept in the database.
#[derive(Debug, Clone)]
pub struct DbSessions {
    db: crate::store::Db,
    clock: crate::clock::SharedClock,
}

impl DbSessions {
    /// Sessions stored in `app`'s database.
    pub fn new(app: &App) -> Self {
        Self {
            db: app.db.clone(),
            clock: app.clock.clone(),
        }
    }
}

impl Sessions for DbSessions {
    fn load(&self, network: Network) -> BoxFuture<'_, anyhow::Result<Option<String>>> {
        Box::pin(async move { Ok(self.db.social_session(network).await?) })
    }

    fn save(&self, network: Network, session: String) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            let now = self.clock.now();
            Ok(self.db.save_social_session(network, &session, now).await?)
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_tid_is_thirteen_sortable_characters() {
        let early = super::tid(1_700_000_000_000_000, 5);
        let late = super::tid(1_700_000_000_000_001, 0);
        assert_eq!(early.len(), 13);
        assert!(early < late, "{early} {late}");
        assert!(early.starts_with(|c: char| ('2'..='7').contains(&c) || c <= 'j'));
    }
}
