//! `/history.atom`: every public update as an Atom (RFC 4287) entry, newest first.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::build::Inputs;
use super::statuspage::iso;
use crate::store::AnnouncementKind;

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

fn kind_words(kind: AnnouncementKind) -> &'static str {
    match kind {
        AnnouncementKind::Alert => "Service alert",
        AnnouncementKind::Update => "Update",
        AnnouncementKind::AllClear => "All clear",
    }
}

/// The feed document.
pub(super) fn feed(inputs: &Inputs<'_>, updated: DateTime<Utc>) -> String {
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
    let mut entries: Vec<_> = inputs
        .incidents
        .iter()
        .flat_map(|i| i.updates.iter().map(move |u| (i, u)))
        .collect();
    entries.sort_by(|a, b| b.1.at.cmp(&a.1.at).then(b.1.id.cmp(&a.1.id)));
    for (incident, update) in entries {
        let link = format!("{url}/incidents/{}", incident.number);
        let _ = write!(
            out,
            "<entry>\n<id>{id}</id>\n<title>{title}</title>\n<updated>{at}</updated>\n\
             <published>{at}</published>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{link}\"/>\n\
             <content type=\"text\">{content}</content>\n</entry>\n",
            id = xml(&format!("{link}#update-{}", update.id)),
            // Each entry as it was announced: the systems it named then.
            title = xml(&format!(
                "{}: {}",
                kind_words(update.kind),
                super::build::public_name(&update.systems)
            )),
            at = iso(update.at),
            link = xml(&link),
            content = xml(&update.text),
        );
    }
    out.push_str("</feed>\n");
    out
}
