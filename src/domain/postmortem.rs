//! The post-mortem policy: P0 always, a P1 when it recurs; due a fixed time after resolution.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{Severity, Systems};

/// When a post-mortem is required and when it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostmortemPolicy {
    /// Severities that always need one (the plan: P0).
    pub required_for: Vec<Severity>,
    /// Severities that need one when they recur (the plan: P1).
    pub required_if_recurring: Vec<Severity>,
    /// How far back an earlier incident on the same system counts as a recurrence.
    pub recurrence_window: TimeDelta,
    /// How long after resolution the post-mortem is due (the plan: 48 h).
    pub due_after: TimeDelta,
}

impl Default for PostmortemPolicy {
    fn default() -> Self {
        Self {
            required_for: vec![Severity::P0],
            required_if_recurring: vec![Severity::P1],
            recurrence_window: TimeDelta::days(30),
            due_after: TimeDelta::hours(48),
        }
    }
}

/// An earlier incident, as far as the recurrence rule cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierIncident {
    /// Its number, to name it.
    pub number: u32,
    /// Its severity at the end.
    pub severity: Severity,
    /// Its affected systems.
    pub systems: Systems,
    /// When it was declared.
    pub declared_at: DateTime<Utc>,
}

/// Why an incident has a post-mortem, or has none, as data: `templates/postmortem_reason.hbs`
/// words it wherever it is shown, and the store keeps it as its key and values
/// (`{"key":"optional","severity":"P2"}`), so a post-mortem's reason reads the same after the
/// words change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "key", rename_all = "snake_case")]
pub enum PostmortemReason {
    /// Every incident of this severity gets one (the plan: every P0).
    EverySeverity {
        /// The incident's severity.
        severity: Severity,
    },
    /// This incident recurs: a system of it had an earlier incident within the window.
    Recurrence {
        /// The incident's severity.
        severity: Severity,
        /// The system they share, as people typed it.
        system: String,
        /// The earlier incident's severity.
        earlier_severity: Severity,
        /// The earlier incident's number.
        earlier_number: u32,
        /// The recurrence window, in days.
        days: i64,
    },
    /// None is required at this severity: only if a team lead asks.
    OnlyIfAsked {
        /// The incident's severity.
        severity: Severity,
    },
    /// None is required: no earlier P0/P1 on these systems within the window.
    NoRecurrence {
        /// The incident's severity.
        severity: Severity,
        /// Its systems, as people typed them.
        systems: String,
        /// The recurrence window, in days.
        days: i64,
    },
    /// Not required, started anyway with `/postmortem start`.
    Optional {
        /// The incident's severity.
        severity: Severity,
    },
    /// A post-mortem stored before its reason was data: the sentence it was stored with.
    Said {
        /// The sentence.
        text: String,
    },
}

/// Whether a post-mortem is needed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostmortemDecision {
    /// One is required, due at `due_at`.
    Required {
        /// Why.
        reason: PostmortemReason,
        /// The deadline.
        due_at: DateTime<Utc>,
    },
    /// None is required.
    NotRequired {
        /// Why not.
        reason: PostmortemReason,
    },
}

impl PostmortemPolicy {
    /// Decides for an incident of `severity` on `systems`, declared at `declared_at` and resolved
    /// at `resolved_at`, given the guild's `earlier` incidents (any order, any age).
    pub fn decide(
        &self,
        severity: Severity,
        systems: &Systems,
        declared_at: DateTime<Utc>,
        resolved_at: DateTime<Utc>,
        earlier: &[EarlierIncident],
    ) -> PostmortemDecision {
        let due_at = resolved_at + self.due_after;
        if self.required_for.contains(&severity) {
            return PostmortemDecision::Required {
                reason: PostmortemReason::EverySeverity { severity },
                due_at,
            };
        }
        if !self.required_if_recurring.contains(&severity) {
            return PostmortemDecision::NotRequired {
                reason: PostmortemReason::OnlyIfAsked { severity },
            };
        }
        let since = declared_at - self.recurrence_window;
        let counts = |e: &&EarlierIncident| {
            (self.required_for.contains(&e.severity)
                || self.required_if_recurring.contains(&e.severity))
                && e.declared_at >= since
                && e.declared_at < declared_at
        };
        let recurrence = earlier.iter().filter(counts).find_map(|e| {
            e.systems
                .names()
                .find(|s| systems.names().any(|m| m.eq_ignore_ascii_case(s)))
                .map(|system| (e, system.to_owned()))
        });
        let days = self.recurrence_window.num_days();
        match recurrence {
            Some((e, system)) => PostmortemDecision::Required {
                reason: PostmortemReason::Recurrence {
                    severity,
                    system,
                    earlier_severity: e.severity,
                    earlier_number: e.number,
                    days,
                },
                due_at,
            },
            None => PostmortemDecision::NotRequired {
                reason: PostmortemReason::NoRecurrence {
                    severity,
                    systems: systems.display(),
                    days,
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0)
            .single()
            .expect("valid")
    }

    fn earlier(severity: Severity, system: &str, day: u32) -> EarlierIncident {
        EarlierIncident {
            number: 7,
            severity,
            systems: Systems::parse(system).expect("systems"),
            declared_at: at(day),
        }
    }

    fn login() -> Systems {
        Systems::parse("Login").expect("systems")
    }

    #[test]
    fn every_p0_needs_a_post_mortem_due_48_hours_after_resolution() {
        let d = PostmortemPolicy::default().decide(Severity::P0, &login(), at(20), at(21), &[]);
        assert!(matches!(d, PostmortemDecision::Required { due_at, .. } if due_at == at(23)));
    }

    #[test]
    fn a_p1_on_a_system_with_an_earlier_p1_is_a_recurrence() {
        let prior = [earlier(Severity::P1, "login", 10)];
        let d = PostmortemPolicy::default().decide(Severity::P1, &login(), at(20), at(20), &prior);
        match d {
            PostmortemDecision::Required { reason, .. } => assert_eq!(
                reason,
                PostmortemReason::Recurrence {
                    severity: Severity::P1,
                    system: "login".into(),
                    earlier_severity: Severity::P1,
                    earlier_number: 7,
                    days: 30,
                }
            ),
            other => panic!("expected a post-mortem, got {other:?}"),
        }
    }

    #[test]
    fn a_p1_on_a_fresh_system_or_after_a_p2_or_outside_the_window_is_not() {
        let policy = PostmortemPolicy::default();
        let cases = [
            earlier(Severity::P1, "Matchmaking", 10),
            earlier(Severity::P2, "Login", 10),
            EarlierIncident {
                declared_at: at(20) - TimeDelta::days(31),
                ..earlier(Severity::P0, "Login", 1)
            },
        ];
        for prior in cases {
            let d = policy.decide(
                Severity::P1,
                &login(),
                at(20),
                at(20),
                std::slice::from_ref(&prior),
            );
            assert!(
                matches!(d, PostmortemDecision::NotRequired { .. }),
                "{prior:?}"
            );
        }
    }

    #[test]
    fn p2_and_p3_never_need_one() {
        let prior = [earlier(Severity::P0, "Login", 19)];
        for severity in [Severity::P2, Severity::P3] {
            let d = PostmortemPolicy::default().decide(severity, &login(), at(20), at(20), &prior);
            assert_eq!(
                d,
                PostmortemDecision::NotRequired {
                    reason: PostmortemReason::OnlyIfAsked { severity }
                }
            );
        }
    }
}
