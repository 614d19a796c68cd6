//! View models of the post-mortem's meeting notice and the draft's action items and lessons.

use serde::Serialize;

use super::{ActionLine, Markup};

/// `meeting.hbs`: the review meeting, posted in the incident channel, pinging its participants.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingNotice {
    /// The participants' mentions and the participant roles, built by the bot.
    pub ping: Option<Markup>,
    /// Whether the meeting was moved (rescheduled) rather than set.
    pub moved: bool,
    /// When: Discord timestamps.
    pub at: Markup,
    /// Where and the event's link, when there is an event.
    pub event: Option<MeetingEvent>,
    /// Why there is no event, when there is none: the bot's reason, or Discord's refusal.
    pub no_event: Option<NoEvent>,
    /// Set when it is after the deadline.
    pub late: Option<MeetingLate>,
}

/// Why a review meeting has no Discord event, worded by `no_event.hbs` (which `meeting.hbs`
/// and `answer.hbs` include).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum NoEvent {
    /// A security incident, and `[postmortem] security_meeting_channel` is not set.
    SecurityChannelUnset,
    /// `[postmortem] meeting_channel` is not set.
    ChannelUnset,
    /// The channel is not a voice or stage channel.
    NotVoice {
        /// The channel (a channel link).
        channel: Markup,
    },
    /// Players can see the channel, and so the event.
    Public {
        /// The channel (a channel link).
        channel: Markup,
    },
    /// Roles other than the security role can see the channel of a security incident's meeting.
    NotSecurityOnly {
        /// The channel (a channel link).
        channel: Markup,
    },
    /// The meeting's time passed before the event could be created.
    TimePassed,
    /// Discord refused: the bot's sentence about a missing permission, or Discord's words.
    Refused {
        /// Why, escaped where it needs to be, without a closing period.
        why: Markup,
    },
}

impl NoEvent {
    /// Every reason, to prove at start that each one renders.
    pub(crate) fn samples() -> Vec<Self> {
        let channel = || Markup::raw("<#3>");
        vec![
            Self::SecurityChannelUnset,
            Self::ChannelUnset,
            Self::NotVoice { channel: channel() },
            Self::Public { channel: channel() },
            Self::NotSecurityOnly { channel: channel() },
            Self::TimePassed,
            Self::Refused {
                why: Markup::raw("I need **Create Events** in <#3>"),
            },
        ]
    }
}

/// The Discord event of a review meeting.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingEvent {
    /// The voice channel (a channel mention).
    pub channel: Markup,
    /// The event's link.
    pub link: Markup,
}

/// A review meeting after the post-mortem's deadline.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingLate {
    /// The deadline (a timestamp tag).
    pub due_at: Markup,
    /// Who allowed it (a mention).
    pub allowed_by: Markup,
}

/// The draft's action items, under the plan's three headings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ActionGroups {
    /// Immediate fixes (done).
    pub fixes: Vec<ActionLine>,
    /// Preventive measures (TODO).
    pub prevent: Vec<ActionLine>,
    /// Process improvements (TODO).
    pub process: Vec<ActionLine>,
    /// Items added before the groups existed.
    pub unsorted: Vec<ActionLine>,
}

/// The draft's lessons learned.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Lessons {
    /// What went well.
    pub went_well: Vec<String>,
    /// What didn't.
    pub went_badly: Vec<String>,
}

impl MeetingNotice {
    pub(crate) fn sample() -> Self {
        Self {
            ping: Some(Markup::raw("<@1> <@&2>")),
            moved: false,
            at: Markup::raw("<t:1764255600:F> (<t:1764255600:R>)"),
            event: Some(MeetingEvent {
                channel: Markup::raw("<#3>"),
                link: Markup::raw("https://discord.com/events/4/5"),
            }),
            no_event: Some(NoEvent::ChannelUnset),
            late: Some(MeetingLate {
                due_at: Markup::raw("<t:1764255600:F>"),
                allowed_by: Markup::raw("<@1>"),
            }),
        }
    }
}

impl ActionGroups {
    pub(crate) fn sample() -> Self {
        let line = |text: &str| ActionLine {
            text: text.into(),
            owner: Some(Markup::raw("<@2>")),
            ticket: Some(Markup::raw("https://github.com/studio/incidents/issues/43")),
        };
        Self {
            fixes: vec![line("Renewed the certificate")],
            prevent: vec![line("Alert 14 days before certificates expire")],
            process: vec![line("Add certificate expiry to the on-call checklist")],
            unsorted: vec![line("Add a canary")],
        }
    }
}

impl Lessons {
    pub(crate) fn sample() -> Self {
        Self {
            went_well: vec!["The rollback took two minutes".into()],
            went_badly: vec!["Nobody owned the certificate".into()],
        }
    }
}
