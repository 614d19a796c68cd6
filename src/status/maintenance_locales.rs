//! A maintenance window in the players' other languages, for the game status and the feed:
//! its 🛠️ notice rendered from each locale's template (`templates/players/<locale>/
//! maintenance.hbs`) at the stage it is at, read as plain text. The first line is its title
//! there; the rest is what players were told. A locale without that template has no
//! translation (the English text is not labelled as its language).

use crate::app::App;
use crate::domain::{to_translate, Locale, Window, WindowStatus};
use crate::render::{MaintenanceNotice, TemplateName};

/// A window's title and text in one language, plain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowText {
    /// Its title, as the notice's first line says it (`Wartung läuft: Patch 1.2`).
    pub title: String,
    /// The rest of the notice.
    pub body: String,
}

/// The notice's stage for a window that is `status`.
fn stage(status: WindowStatus) -> &'static str {
    match status {
        WindowStatus::Scheduled => "scheduled",
        WindowStatus::InProgress => "started",
        WindowStatus::Completed => "ended",
        WindowStatus::Cancelled => "cancelled",
    }
}

/// Window `w` in each locale of `[players] locales` but English.
pub(super) fn of(app: &App, w: &Window) -> anyhow::Result<Vec<(Locale, WindowText)>> {
    let view = MaintenanceNotice::of(w, stage(w.status), None, &app.settings.status.url);
    let hosts = app.settings.player_link_hosts();
    to_translate(&app.settings.players.locales)
        .into_iter()
        .filter(|locale| app.templates.has_in(*locale, TemplateName::Maintenance))
        .map(|locale| {
            let posted = app
                .templates
                .render_in(locale, TemplateName::Maintenance, &view)?;
            let posted = crate::render::unlink_for_players(&posted, &hosts);
            Ok((locale, split(&super::text::plain(&unbold(&posted)))))
        })
        .collect()
}

/// The title line (without the 🛠️) and the rest.
fn split(text: &str) -> WindowText {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    WindowText {
        title: first
            .trim_start_matches('🛠')
            .trim_start_matches('\u{FE0F}')
            .trim()
            .to_owned(),
        body: rest.trim().to_owned(),
    }
}

/// Drops the template's bold markers (`**`), keeping escaped stars, which are typed text.
fn unbold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                out.extend(chars.next());
            }
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_is_the_first_line_without_its_emoji_and_bold() {
        let posted = "🛠️ **Wartung läuft: Patch \\*\\*1.2\\*\\***\nLogin: Wartungsarbeiten.";
        let text = split(&crate::status::plain(&unbold(posted)));
        assert_eq!(text.title, "Wartung läuft: Patch **1.2**");
        assert_eq!(text.body, "Login: Wartungsarbeiten.");
    }
}
