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
    pub no_event: Option<Markup>,
    /// Set when it is after the deadline.
    pub late: Option<MeetingLate>,
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
            no_event: Some(Markup::raw("`[postmortem] meeting_channel` is not set")),
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
