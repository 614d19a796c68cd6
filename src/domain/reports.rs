//! Players' messages in the reports channel (`[intake] reports_channel`): when enough distinct
//! players name one system within a few minutes, that is worth a triage card.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, TimeDelta, Utc};

use super::{AlertBatch, AlertEvent, AlertSource, AlertStatus, MessageId, UserId};

/// A player's message, as the watch needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayerMessage {
    /// Who wrote it.
    pub author: UserId,
    /// The message, for its link and as the alert's key.
    pub id: MessageId,
    /// When it was posted.
    pub at: DateTime<Utc>,
    /// Its words.
    pub text: String,
    /// A link to it.
    pub link: String,
}

/// How many players within how long make a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportThreshold {
    /// Distinct players.
    pub players: usize,
    /// Within this window.
    pub within: TimeDelta,
    /// After a card, more mentions of the system join it for this long (the dedup window).
    pub follow_for: TimeDelta,
}

/// The recent mentions of each system, and when each last made a card. Kept in memory: it
/// covers minutes, and a restart only means counting again.
#[derive(Debug, Default)]
pub struct ReportWatch {
    systems: BTreeMap<String, Mentions>,
}

#[derive(Debug, Default)]
struct Mentions {
    recent: VecDeque<PlayerMessage>,
    carded_at: Option<DateTime<Utc>>,
}

/// Whether `text` names `system` as a word of its own, ignoring case: "login" in "Login is
/// down" and "can't log in (login)" but not in "loginserver".
pub fn mentions(text: &str, system: &str) -> bool {
    let system = system.trim();
    if system.is_empty() {
        return false;
    }
    let haystack = text.to_lowercase();
    let needle = system.to_lowercase();
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    haystack.match_indices(&needle).any(|(at, found)| {
        !word(haystack[..at].chars().next_back())
            && !word(haystack[at + found.len()..].chars().next())
    })
}

impl ReportWatch {
    /// Counts `message` for each of `systems` it names. Returns the deliveries to store: a new
    /// card when a system reaches the threshold (with every message that counted), or the
    /// message alone when that system's card is recent enough to take it.
    pub fn observe(
        &mut self,
        message: &PlayerMessage,
        systems: &[&str],
        threshold: ReportThreshold,
    ) -> Vec<AlertBatch> {
        let mut out = Vec::new();
        for system in systems.iter().filter(|s| mentions(&message.text, s)) {
            let m = self.systems.entry(system.to_lowercase()).or_default();
            let since = message.at - threshold.within;
            m.recent.retain(|r| r.at >= since && r.id != message.id);
            m.recent.push_back(message.clone());
            if m.carded_at
                .is_some_and(|at| message.at - at < threshold.follow_for)
            {
                out.push(batch(system, std::slice::from_ref(message), None));
                continue;
            }
            let mut players: Vec<UserId> = m.recent.iter().map(|r| r.author).collect();
            players.sort_unstable();
            players.dedup();
            if players.len() >= threshold.players.max(1) {
                m.carded_at = Some(message.at);
                let minutes = threshold.within.num_minutes().max(1);
                let title = format!(
                    "{} players mention {system} in {minutes} min",
                    players.len()
                );
                out.push(batch(system, m.recent.make_contiguous(), Some(title)));
            }
        }
        out
    }
}

impl ReportWatch {
    /// Forgets that `system` made a card: storing the card failed, so the next mention that
    /// meets the threshold offers every counted message again.
    pub fn forget_card(&mut self, system: &str) {
        if let Some(m) = self.systems.get_mut(&system.to_lowercase()) {
            m.carded_at = None;
        }
    }
}

/// One delivery of player messages about `system`: the card's group is the system.
fn batch(system: &str, messages: &[PlayerMessage], title: Option<String>) -> AlertBatch {
    let labels: BTreeMap<String, String> = [("system".to_owned(), system.to_owned())].into();
    AlertBatch {
        source: AlertSource::Players,
        group_key: format!("players:{}", system.to_lowercase()),
        title: title.unwrap_or_else(|| format!("Players mention {system}")),
        link: messages.first().map(|m| m.link.clone()),
        labels: labels.clone(),
        alerts: messages
            .iter()
            .map(|m| AlertEvent {
                dedup_key: m.id.to_string(),
                occurrence: m.id.to_string(),
                status: AlertStatus::Firing,
                title: m.text.chars().take(200).collect(),
                started_at: m.at,
                labels: labels.clone(),
                link: Some(m.link.clone()),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
            .single()
            .expect("time")
            + TimeDelta::minutes(minute)
    }

    fn said(id: u64, author: u64, minute: i64, text: &str) -> PlayerMessage {
        PlayerMessage {
            author: UserId::new(author).expect("id"),
            id: MessageId::new(id).expect("id"),
            at: at(minute),
            text: text.to_owned(),
            link: format!("https://discord.com/channels/1/2/{id}"),
        }
    }

    const THREE_IN_FIVE: ReportThreshold = ReportThreshold {
        players: 3,
        within: TimeDelta::minutes(5),
        follow_for: TimeDelta::hours(1),
    };

    #[test]
    fn a_system_is_named_as_a_word_of_its_own() {
        assert!(mentions("LOGIN is down again", "Login"));
        assert!(mentions("can't get past the login screen!", "login"));
        assert!(mentions("is the shop broken?", "Shop"));
        assert!(!mentions("my loginserver plugin", "Login"));
        assert!(!mentions("workshop is fine", "Shop"));
        assert!(mentions("Is Match making slow", "match making"));
        assert!(!mentions("anything", " "));
    }

    #[test]
    fn enough_distinct_players_within_the_window_make_one_card_and_later_ones_join_it() {
        let mut watch = ReportWatch::default();
        let systems = ["Login", "Shop"];
        let mut seen = |m: PlayerMessage| watch.observe(&m, &systems, THREE_IN_FIVE);
        assert!(seen(said(1, 10, 0, "login broken")).is_empty());
        // The same player twice is one player.
        assert!(seen(said(2, 10, 1, "LOGIN STILL BROKEN")).is_empty());
        assert!(seen(said(3, 11, 2, "cannot login")).is_empty());
        // Another system's mentions count apart.
        assert!(seen(said(4, 12, 3, "the shop is slow")).is_empty());
        let card = seen(said(5, 12, 4, "login?? shop too"));
        assert_eq!(card.len(), 1, "only Login has three players");
        let card = &card[0];
        assert_eq!(card.title, "3 players mention Login in 5 min");
        assert_eq!(card.group_key, "players:login");
        assert_eq!(card.alerts.len(), 4, "every message that counted");
        assert_eq!(
            card.link.as_deref(),
            Some("https://discord.com/channels/1/2/1")
        );
        // A fourth player joins the card instead of making another.
        let more = seen(said(6, 13, 30, "login down for me too"));
        assert_eq!(more.len(), 1);
        assert_eq!(more[0].alerts.len(), 1);
        assert_eq!(more[0].group_key, "players:login");
    }

    #[test]
    fn a_card_that_could_not_be_stored_is_offered_again_with_every_message() {
        let mut watch = ReportWatch::default();
        let systems = ["Login"];
        for (id, author) in [(1, 10), (2, 11), (3, 12)] {
            watch.observe(&said(id, author, 0, "login down"), &systems, THREE_IN_FIVE);
        }
        watch.forget_card("LOGIN");
        let again = watch.observe(&said(4, 13, 1, "login?"), &systems, THREE_IN_FIVE);
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].title, "4 players mention Login in 5 min");
        assert_eq!(
            again[0].alerts.len(),
            4,
            "the messages of the lost card too"
        );
    }

    #[test]
    fn mentions_spread_wider_than_the_window_make_no_card() {
        let mut watch = ReportWatch::default();
        let systems = ["Login"];
        for (i, minute) in [0, 6, 12, 18].into_iter().enumerate() {
            let id = u64::try_from(i).expect("small") + 1;
            let m = said(id, 10 + id, minute, "login is down");
            assert!(watch.observe(&m, &systems, THREE_IN_FIVE).is_empty());
        }
    }
}
