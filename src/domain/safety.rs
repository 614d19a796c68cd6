//! Discord's own safety signals, parsed at the edge into our words: a raid or DM spam Discord
//! detected (the guild's `incidents_data`) and an AutoMod action. Each becomes an alert
//! delivery of the `discord` source, so it goes through the intake like any alert: one card
//! per group within the dedup window, however many times Discord says it.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::{AlertBatch, AlertEvent, AlertSource, AlertStatus, ChannelId, UserId};

/// One signal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SafetySignal {
    /// Discord detected a raid (`raid_detected_at`).
    Raid {
        /// When.
        at: DateTime<Utc>,
    },
    /// Discord detected unusual DM activity (`dm_spam_detected_at`).
    DmSpam {
        /// When.
        at: DateTime<Utc>,
    },
    /// AutoMod acted on a member's message or profile.
    AutoMod {
        /// The rule that fired (its id).
        rule: u64,
        /// Whose message it was.
        user: UserId,
        /// Where, when in a channel.
        channel: Option<ChannelId>,
        /// When the bot heard of it.
        at: DateTime<Utc>,
    },
}

impl SafetySignal {
    /// Its kind, as the templates and the card's group name it: `raid`, `dm_spam`, `automod`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Raid { .. } => "raid",
            Self::DmSpam { .. } => "dm_spam",
            Self::AutoMod { .. } => "automod",
        }
    }

    /// Whether Discord's detection is older than `window` at `now`: the guild's data keeps
    /// its last detection time, and every later guild update carries it again.
    pub fn stale(&self, now: DateTime<Utc>, window: TimeDelta) -> bool {
        match self {
            Self::Raid { at } | Self::DmSpam { at } => *at < now - window,
            Self::AutoMod { .. } => false,
        }
    }

    /// The delivery, titled `title` (its card's title, worded by a template). AutoMod's
    /// actions group per rule, so a burst on one rule is one card; a raid's detection time
    /// is its occurrence, so the same detection said again adds nothing.
    pub fn batch(&self, title: String) -> AlertBatch {
        let kind = self.kind();
        let (group_key, dedup_key, occurrence, at, mut labels) = match self {
            Self::Raid { at } | Self::DmSpam { at } => (
                format!("discord:{kind}"),
                kind.to_owned(),
                at.to_rfc3339(),
                *at,
                BTreeMap::new(),
            ),
            Self::AutoMod {
                rule,
                user,
                channel,
                at,
            } => {
                let mut labels = BTreeMap::from([("rule".to_owned(), rule.to_string())]);
                labels.extend(channel.map(|c| ("channel".to_owned(), c.to_string())));
                (
                    format!("discord:automod:{rule}"),
                    format!("automod:{rule}:{user}"),
                    at.timestamp_millis().to_string(),
                    *at,
                    labels,
                )
            }
        };
        labels.insert("signal".to_owned(), kind.to_owned());
        AlertBatch {
            source: AlertSource::Discord,
            group_key,
            title: title.clone(),
            link: None,
            labels: labels.clone(),
            alerts: vec![AlertEvent {
                dedup_key,
                occurrence,
                status: AlertStatus::Firing,
                title,
                started_at: at,
                labels,
                link: None,
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn automod_groups_per_rule_and_a_raid_said_again_is_the_same_occurrence() {
        let at = Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).unwrap();
        let user = |n| UserId::new(n).expect("an id");
        let hit = |u, s| SafetySignal::AutoMod {
            rule: 7,
            user: user(u),
            channel: None,
            at: at + TimeDelta::seconds(s),
        };
        let (a, b) = (hit(1, 0).batch("t".into()), hit(2, 1).batch("t".into()));
        assert_eq!(a.group_key, b.group_key, "one card per rule");
        assert_ne!(a.alerts[0].dedup_key, b.alerts[0].dedup_key);
        let raid = SafetySignal::Raid { at };
        assert_eq!(raid.batch("r".into()), raid.batch("r".into()));
        assert!(raid.stale(at + TimeDelta::hours(2), TimeDelta::hours(1)));
        assert!(!raid.stale(at + TimeDelta::minutes(5), TimeDelta::hours(1)));
    }
}
