//! What players read, in each of their languages: an announcement rendered in the seed's
//! English and in every locale of `[players] locales`, from that locale's template (English
//! where it has none) with the text typed for that language (English where none was typed).

use super::{render, social, App, AppError, Effect, Outbox};
use crate::domain::{to_translate, Locale};
use crate::render::TemplateName;
use crate::store::{AnnouncementKind, IncidentRecord, Tx};

/// An announcement to queue.
pub(crate) struct ToPost<'a, V> {
    /// Which post.
    pub kind: AnnouncementKind,
    /// Its view, in English.
    pub view: &'a V,
    /// Its view per locale, where the person typed the text in that language.
    pub translated: Vec<(Locale, V)>,
    /// The incident's public title per locale, typed with it (none: the last one stays).
    pub titles: Vec<(Locale, String)>,
    /// The roles it pings.
    pub ping_roles: Vec<crate::domain::RoleId>,
    /// Whether it is published (crossposted).
    pub publish: bool,
}

fn template(kind: AnnouncementKind) -> TemplateName {
    match kind {
        AnnouncementKind::Alert => TemplateName::ServiceAlert,
        AnnouncementKind::Update => TemplateName::StatusUpdate,
        AnnouncementKind::AllClear => TemplateName::AllClear,
    }
}

/// The announcement in every configured locale but English.
fn translations<V: serde::Serialize>(
    app: &App,
    post: &ToPost<'_, V>,
) -> Result<Vec<(Locale, String)>, AppError> {
    let hosts = app.settings.player_link_hosts();
    to_translate(&app.settings.players.locales)
        .into_iter()
        .map(|locale| {
            let view = post
                .translated
                .iter()
                .find(|(l, _)| *l == locale)
                .map_or(post.view, |(_, v)| v);
            let text = app
                .templates
                .render_in(locale, template(post.kind), view)
                .map_err(anyhow::Error::new)?;
            Ok((locale, crate::render::unlink_for_players(&text, &hosts)))
        })
        .collect()
}

/// Renders, records (with its translations) and queues the post of one announcement.
pub(crate) async fn post<V: serde::Serialize>(
    app: &App,
    tx: &mut Tx,
    outbox: &mut Outbox<'_>,
    record: &IncidentRecord,
    post: ToPost<'_, V>,
) -> Result<(), AppError> {
    let content = crate::render::unlink_for_players(
        &render(app, template(post.kind), post.view)?,
        &app.settings.player_link_hosts(),
    );
    let translated = translations(app, &post)?;
    // The facts it tells are kept with it: the status page shows what players were told.
    let announcement = tx
        .insert_announcement(&crate::store::NewAnnouncement {
            incident: record.id,
            kind: post.kind,
            channel: app.settings.channels.announcements,
            publish: post.publish,
            content: &content,
            systems: &record.incident.systems,
            severity: record.incident.severity,
            at: app.clock.now(),
        })
        .await?;
    tx.insert_translations(announcement, &translated).await?;
    tx.set_translation_titles(announcement, &post.titles)
        .await?;
    // Every public message reaches the social networks from here, whatever its kind, each in
    // its network's language.
    let told = social::Told {
        announcement,
        kind: post.kind,
        content: &content,
        translated: &translated,
    };
    social::queue_posts(app, tx, outbox, record, told).await?;
    // Each locale's own channel after the announcement channel, in the order of the config.
    outbox
        .push(
            tx,
            Effect::Announce {
                announcement,
                content,
                ping_roles: post.ping_roles.clone(),
            },
        )
        .await?;
    for (locale, channel) in &app.settings.channels.announcements_by_locale {
        if !translated.iter().any(|(l, _)| l == locale) {
            continue;
        }
        let effect = Effect::AnnounceIn {
            announcement,
            locale: locale.code().to_owned(),
            channel: *channel,
            ping_roles: post.ping_roles.clone(),
        };
        outbox.push(tx, effect).await?;
    }
    Ok(())
}

/// The text the announcement channel shows: in the guild's preferred locale when players read
/// it and the announcement has it, else the English `content`.
pub(crate) fn for_guild(
    preferred: Option<&str>,
    translations: &std::collections::BTreeMap<Locale, String>,
    content: String,
) -> String {
    preferred
        .and_then(|code| Locale::parse(code).ok())
        .and_then(|l| translations.get(&l).cloned())
        .unwrap_or(content)
}
