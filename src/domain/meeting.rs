//! The post-mortem's review meeting and its contents: when it may be, where it may be held (a
//! Discord Scheduled Event players cannot see), who is asked to it, action items in the plan's
//! three groups, and lessons learned.

use chrono::{DateTime, Utc};

use super::{RoleId, TeamRoles, TimelineEntry, UserId};

/// The plan's three groups of action items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// An immediate fix, done already.
    Fix,
    /// A preventive measure, to do.
    Prevent,
    /// A process improvement, to do.
    Process,
}

impl ActionKind {
    /// Every kind, in the plan's order.
    pub const ALL: [Self; 3] = [Self::Fix, Self::Prevent, Self::Process];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fix => "fix",
            Self::Prevent => "prevent",
            Self::Process => "process",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether an item of this kind is done when it is recorded (the plan: immediate fixes).
    pub fn is_done(self) -> bool {
        self == Self::Fix
    }

    /// The plan's heading for the group.
    pub fn heading(self) -> &'static str {
        match self {
            Self::Fix => "Immediate fixes (done)",
            Self::Prevent => "Preventive measures (TODO)",
            Self::Process => "Process improvements (TODO)",
        }
    }
}

/// The two halves of the plan's "Lessons Learned".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LessonKind {
    /// What went well.
    WentWell,
    /// What didn't.
    WentBadly,
}

impl LessonKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WentWell => "went_well",
            Self::WentBadly => "went_badly",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::WentWell, Self::WentBadly]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// A Scheduled Event's status. Discord allows only SCHEDULED → ACTIVE → COMPLETED and
/// SCHEDULED → CANCELED; the last two are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// Not started.
    Scheduled,
    /// Started (Discord starts a voice event when someone starts it in the client).
    Active,
    /// Ended after it started.
    Completed,
    /// Called off before it started.
    Canceled,
}

impl EventStatus {
    /// The status that ends an event in this status, if it is not over: completed once it ran,
    /// canceled if it never started.
    pub fn ending(self) -> Option<Self> {
        match self {
            Self::Scheduled => Some(Self::Canceled),
            Self::Active => Some(Self::Completed),
            Self::Completed | Self::Canceled => None,
        }
    }
}

/// What sort of channel a meeting is held in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    /// A voice channel.
    Voice,
    /// A stage channel.
    Stage,
    /// Anything else: no meeting can be held there.
    Other,
}

/// A channel a meeting could be held in, with who its permission overwrites let view it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingPlace {
    /// What sort of channel it is.
    pub kind: PlaceKind,
    /// Whether an `@everyone` overwrite denies View Channel (players cannot see it, nor the
    /// event held in it).
    pub hidden_from_everyone: bool,
    /// The roles an overwrite allows to view it.
    pub roles_allowed: Vec<RoleId>,
}

/// Why no event can be held in a channel, as a sentence for the incident channel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceError {
    /// Not a voice or stage channel.
    #[error("<#{0}> is not a voice or stage channel")]
    NotVoice(super::ChannelId),
    /// Players can see it, and so the event.
    #[error("players can see <#{0}> and so any event in it: deny View Channel to @everyone there")]
    Public(super::ChannelId),
    /// A role other than the security role can see it.
    #[error(
        "<#{0}> is open to roles other than the security role, and this is a security incident"
    )]
    NotSecurityOnly(super::ChannelId),
}

impl MeetingPlace {
    /// Whether `channel`, described by `self`, may hold the meeting of an incident: a voice or
    /// stage channel players cannot view; for a security incident, one only the security role
    /// can view (an event is visible to everyone who can view its channel).
    pub fn check(
        &self,
        channel: super::ChannelId,
        security_role: Option<RoleId>,
    ) -> Result<(), PlaceError> {
        if self.kind == PlaceKind::Other {
            return Err(PlaceError::NotVoice(channel));
        }
        if !self.hidden_from_everyone {
            return Err(PlaceError::Public(channel));
        }
        if let Some(security) = security_role {
            if self.roles_allowed.iter().any(|r| *r != security) {
                return Err(PlaceError::NotSecurityOnly(channel));
            }
        }
        Ok(())
    }
}

/// Why a meeting time is refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum MeetingError {
    /// After the post-mortem's deadline, and nobody allowed it.
    #[error("That is after the post-mortem's deadline, <t:{due}:F>. Pick an earlier time, or a commander can allow it with `after_deadline:True`")]
    AfterDeadline {
        /// The deadline, in Unix seconds.
        due: i64,
    },
    /// The post-mortem is done; there is nothing to meet about.
    #[error("The post-mortem is done already: there is no meeting left to schedule")]
    Done,
}

/// Checks a meeting time against the post-mortem's deadline `due`: refused after it, unless
/// `allow_late` (a commander's explicit choice). Returns whether it is late.
pub fn meeting_time(
    at: DateTime<Utc>,
    due: DateTime<Utc>,
    allow_late: bool,
) -> Result<bool, MeetingError> {
    let late = at > due;
    if late && !allow_late {
        return Err(MeetingError::AfterDeadline {
            due: due.timestamp(),
        });
    }
    Ok(late)
}

/// The people asked to the meeting: everyone who acted on the timeline (the bot's own entries
/// aside), in the order they first acted.
pub fn participants(timeline: &[TimelineEntry]) -> Vec<UserId> {
    let mut people = Vec::new();
    for user in timeline.iter().filter_map(|e| e.actor) {
        if !people.contains(&user) {
            people.push(user);
        }
    }
    people
}

/// Whether a member with `roles` is staff, who may be called to a review meeting: a team role
/// (responder, commander, security) or one of the `[postmortem] participants` roles.
pub fn is_staff(roles: &[RoleId], team: &TeamRoles, participants: &[RoleId]) -> bool {
    roles.iter().any(|r| {
        [team.responder, team.commander, team.security].contains(r) || participants.contains(r)
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;
    use crate::domain::{ChannelId, EntryKind};

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, hour, 0, 0)
            .single()
            .expect("valid")
    }

    fn id<T>(raw: u64, make: fn(u64) -> Option<T>) -> T {
        make(raw).expect("non-zero")
    }

    #[test]
    fn a_meeting_after_the_deadline_needs_an_explicit_override() {
        let due = at(12);
        assert_eq!(meeting_time(at(11), due, false), Ok(false));
        assert_eq!(meeting_time(due, due, false), Ok(false));
        let late = due + TimeDelta::minutes(1);
        let refused = meeting_time(late, due, false).expect_err("late");
        assert!(
            refused.to_string().contains("after_deadline:True"),
            "{refused}"
        );
        assert_eq!(meeting_time(late, due, true), Ok(true));
    }

    #[test]
    fn participants_are_the_people_on_the_timeline_once_each_in_order() {
        let (a, b) = (id(1, UserId::new), id(2, UserId::new));
        let entry = |actor| TimelineEntry {
            at: at(1),
            actor,
            kind: EntryKind::Note,
            text: String::new(),
            source_message: None,
        };
        let timeline = [entry(Some(b)), entry(None), entry(Some(a)), entry(Some(b))];
        assert_eq!(participants(&timeline), [b, a]);
    }

    #[test]
    fn a_meeting_is_held_only_where_players_cannot_see_it() {
        let channel = id(9, ChannelId::new);
        let (security, staff) = (id(5, RoleId::new), id(6, RoleId::new));
        let place = |kind, hidden, roles: Vec<RoleId>| MeetingPlace {
            kind,
            hidden_from_everyone: hidden,
            roles_allowed: roles,
        };
        let text = place(PlaceKind::Other, true, vec![]);
        assert_eq!(
            text.check(channel, None),
            Err(PlaceError::NotVoice(channel))
        );
        let public = place(PlaceKind::Voice, false, vec![]);
        assert_eq!(
            public.check(channel, None),
            Err(PlaceError::Public(channel))
        );
        let staff_only = place(PlaceKind::Stage, true, vec![staff]);
        assert_eq!(staff_only.check(channel, None), Ok(()));
        assert_eq!(
            staff_only.check(channel, Some(security)),
            Err(PlaceError::NotSecurityOnly(channel))
        );
        let security_only = place(PlaceKind::Voice, true, vec![security]);
        assert_eq!(security_only.check(channel, Some(security)), Ok(()));
    }

    #[test]
    fn staff_hold_a_team_role_or_a_participants_role_and_players_neither() {
        let r = |n| id(n, RoleId::new);
        let team = TeamRoles {
            responder: r(1),
            commander: r(2),
            security: r(3),
        };
        let leads = [r(4)];
        for roles in [[r(1)], [r(2)], [r(3)], [r(4)]] {
            assert!(is_staff(&roles, &team, &leads), "{roles:?}");
        }
        assert!(!is_staff(&[r(9)], &team, &leads), "a player's role");
        assert!(!is_staff(&[], &team, &leads), "no role at all");
    }

    #[test]
    fn a_started_event_is_completed_and_one_never_started_is_canceled() {
        assert_eq!(EventStatus::Scheduled.ending(), Some(EventStatus::Canceled));
        assert_eq!(EventStatus::Active.ending(), Some(EventStatus::Completed));
        assert_eq!(EventStatus::Completed.ending(), None);
        assert_eq!(EventStatus::Canceled.ending(), None);
    }

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for k in ActionKind::ALL {
            assert_eq!(ActionKind::parse(k.as_str()), Some(k));
        }
        for k in [LessonKind::WentWell, LessonKind::WentBadly] {
            assert_eq!(LessonKind::parse(k.as_str()), Some(k));
        }
        assert!(ActionKind::Fix.is_done() && !ActionKind::Prevent.is_done());
    }
}
