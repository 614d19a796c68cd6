//! `/history.atom`: every public update and maintenance window's moment as an Atom (RFC 4287)
//! entry, newest first.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::build::Inputs;
use super::maintenance::PublicWindow;
use super::statuspage::iso;
use crate::render::{Label, Templates};

/// Escapes text for XML character data and attribute values.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c < ' ' && !matches!(c, '\n' | '\r' | '\t'))
                || c == '\u{FFFE}'
                || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// One entry of the feed.
struct Entry {
    id: String,
    title: String,
    at: DateTime<Utc>,
    /// Orders entries of the same instant.
    order: i64,
    link: String,
    content: String,
}

/// A maintenance window's moments players saw, as entries. Its translations say where it
/// stands now, so they go with the newest moment only.
fn window_entries(url: &str, w: &PublicWindow, words: &Templates) -> Vec<Entry> {
    let link = format!("{url}/#maintenance-{}", w.id);
    let moments = w.moments();
    let newest = moments.len().saturating_sub(1);
    moments
        .into_iter()
        .enumerate()
        .map(|(n, (status, at))| Entry {
            id: format!("{link}-{status}"),
            title: words.label(&Label::FeedWindow {
                moment: status,
                title: w.title.clone(),
            }),
            at,
            order: w.id,
            link: link.clone(),
            content: format!(
                "{} ({}), {} to {}. {}{}",
                w.title,
                w.systems.join(", "),
                w.start.format("%Y-%m-%d %H:%M UTC"),
                w.end.format("%Y-%m-%d %H:%M UTC"),
                w.body(),
                w.translations
                    .iter()
                    .filter(|_| n == newest)
                    .map(|(l, t)| format!("\n\n[{l}]\n{}\n{}", t.title, t.body))
                    .collect::<String>()
            ),
        })
        .collect()
}

/// An update's text, then its text in each of the players' other languages, each under its
/// locale code: a feed reader shows the entry's one text, so every language is in it.
fn with_translations(update: &super::PublicUpdate) -> String {
    let mut text = update.text.clone();
    for (locale, translated) in &update.translations {
        text.push_str(&format!("\n\n[{locale}]\n{translated}"));
    }
    text
}

/// The feed document; `words` words the entries' titles (`labels.hbs`).
pub(super) fn feed(inputs: &Inputs<'_>, updated: DateTime<Utc>, words: &Templates) -> String {
    let url = inputs.url.trim_end_matches('/');
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <id>{id}</id>\n<title>{title}</title>\n<updated>{updated}</updated>\n\
         <author><name>{title}</name></author>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{url_attr}/\"/>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{url_attr}/history.atom\"/>\n",
        id = xml(&format!("{url}/history.atom")),
        title = xml(inputs.name),
        updated = iso(updated),
        url_attr = xml(url),
    );
    let mut entries: Vec<Entry> = inputs
        .incidents
        .iter()
        .flat_map(|i| i.updates.iter().map(move |u| (i, u)))
        .map(|(incident, update)| {
            let link = format!("{url}/incidents/{}", incident.number);
            Entry {
                id: format!("{link}#update-{}", update.id),
                // Each entry as it was announced: the systems it named then.
                title: words.label(&Label::FeedUpdate {
                    kind: update.kind.as_str(),
                    systems: super::build::public_name(&update.systems),
                }),
                at: update.at,
                order: update.id,
                link,
                content: with_translations(update),
            }
        })
        .collect();
    entries.extend(
        inputs
            .maintenances
            .iter()
            .flat_map(|w| window_entries(url, w, words)),
    );
    entries.sort_by(|a, b| b.at.cmp(&a.at).then(b.order.cmp(&a.order)));
    for e in entries {
        let _ = write!(
            out,
            "<entry>\n<id>{id}</id>\n<title>{title}</title>\n<updated>{at}</updated>\n\
             <published>{at}</published>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{link}\"/>\n\
             <content type=\"text\">{content}</content>\n</entry>\n",
            id = xml(&e.id),
            title = xml(&e.title),
            at = iso(e.at),
            link = xml(&e.link),
            content = xml(&e.content),
        );
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Locale, WindowStatus};
    use crate::status::WindowText;

    #[test]
    fn a_windows_translation_goes_with_the_moment_it_was_made_at_only() {
        let now = crate::test_time::T0;
        let hour = chrono::TimeDelta::hours(1);
        let started = WindowText {
            title: "Wartung läuft: Patch 1.2".into(),
            body: "Login: nicht verfügbar".into(),
        };
        let w = PublicWindow {
            id: 7,
            title: "Patch 1.2".into(),
            systems: vec!["Login".into()],
            message: None,
            created_at: now - hour,
            start: now,
            end: now + hour,
            status: WindowStatus::InProgress,
            started_at: Some(now),
            ended_at: None,
            translations: vec![(Locale::parse("de").expect("de"), started)],
        };
        let templates = Templates::load(None).expect("templates");
        let entries = window_entries("https://status.example", &w, &templates);
        let said: Vec<(&str, bool)> = entries
            .iter()
            .map(|e| (e.title.as_str(), e.content.contains("[de]\nWartung läuft")))
            .collect();
        assert_eq!(
            said,
            [
                ("Scheduled maintenance: Patch 1.2", false),
                ("Maintenance in progress: Patch 1.2", true)
            ]
        );
    }
}
