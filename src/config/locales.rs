//! The rules of players' languages that span keys: a locale's own channel is for a locale
//! players read, and not an English one (the announcement channel has English).

use super::rules::Finding;
use super::Settings;

/// Every `[channels.announcements_by_locale]` entry that can never get a post.
pub(super) fn rules(s: &Settings, out: &mut Vec<Finding>) {
    for locale in s.channels.announcements_by_locale.keys() {
        let key = format!("channels.announcements_by_locale.{locale}");
        if locale.is_english() {
            out.push(Finding {
                keys: vec![key.clone()],
                message: format!(
                    "`{key}`: English is what the announcement channel posts; give channels \
                     only for the other languages of [players] locales"
                ),
            });
        } else if !s.players.locales.contains(locale) {
            out.push(Finding {
                keys: vec![key.clone(), "players.locales".into()],
                message: format!(
                    "`{key}` names a channel for {} ({locale}), which `players.locales` does \
                     not list: add \"{locale}\" there, or the channel never gets a post",
                    locale.language()
                ),
            });
        }
    }
}

/// Every `[social.*] locale` players do not read: no post would ever be in it.
pub(super) fn social_rules(s: &Settings, out: &mut Vec<Finding>) {
    for network in crate::domain::Network::ALL {
        let Some(locale) = s.social.locale(network) else {
            continue;
        };
        if locale.is_english() || s.players.locales.contains(&locale) {
            continue;
        }
        let key = format!("social.{}.locale", network.as_str());
        out.push(Finding {
            keys: vec![key.clone(), "players.locales".into()],
            message: format!(
                "`{key}` is {locale} ({}), which `players.locales` does not list: add \
                 \"{locale}\" there, or {} posts in English",
                locale.language(),
                network.display()
            ),
        });
    }
}
