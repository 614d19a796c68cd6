//! The view of `reminder.hbs`: which reminder it is and the facts it states. The sentences
//! are in the template, one block per kind; here are only the values they print.

use serde::Serialize;

use super::Markup;

/// `reminder.hbs`: reminders, nudges and escalations. Exactly one kind is set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reminder {
    /// The roles or users pinged, built by the bot.
    pub ping: Option<Markup>,
    /// Set when nobody holds the role the reminder is for.
    pub nobody: Option<NobodyHolds>,
    /// Nobody has taken command.
    pub escalate: Option<EscalateReminder>,
    /// The update cadence ran out.
    pub update_due: Option<UpdateDueReminder>,
    /// A phase ran over its budget.
    pub nudge: Option<NudgeReminder>,
    /// Did the fix hold?
    pub verify_fix: Option<VerifyFixReminder>,
    /// An error rate crossed its threshold while the fix is verified.
    pub rate_over: Option<super::RateOverReminder>,
    /// An alert fired again, or players reported it again, while the fix is verified.
    pub came_back: Option<super::CameBackReminder>,
    /// The post-mortem is due soon.
    pub postmortem_due: Option<PostmortemDueReminder>,
    /// The post-mortem is overdue.
    pub postmortem_overdue: Option<PostmortemOverdueReminder>,
}

/// Nobody holds the role a reminder is for, so it went to the severity's page roles, if any.
#[derive(Debug, Clone, Serialize)]
pub struct NobodyHolds {
    /// The role's key (`IncidentRole::key`): `commander`, or `comms` for the comms lead, for
    /// whom the commander stands in. `reminder.hbs` words it.
    pub role: &'static str,
    /// Whether some role is paged for the severity (and got the reminder).
    pub paged: bool,
}

/// Nobody has taken command.
#[derive(Debug, Clone, Serialize)]
pub struct EscalateReminder {
    /// `P0`.
    pub severity: String,
    /// How long since the declaration: `10m`.
    pub after: String,
}

/// No update for longer than the severity's cadence.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateDueReminder {
    /// How long since the last update: `32m`.
    pub quiet_for: String,
    /// `P1`.
    pub severity: String,
    /// The cadence: `30m`.
    pub every: String,
}

/// A phase is over its budget.
#[derive(Debug, Clone, Serialize)]
pub struct NudgeReminder {
    /// The phase, by number (`labels.hbs` words it).
    pub phase: u8,
    /// By how much: `5m`.
    pub over: String,
    /// The budget, from detection: `30m`.
    pub budget: String,
    /// The first checklist step of the next phase, from the config; none past phase 4.
    pub next_checklist_step: Option<String>,
}

/// The verification window is over: did the fix hold?
#[derive(Debug, Clone, Serialize)]
pub struct VerifyFixReminder {
    /// How long ago the fix went in: `1h`.
    pub since: String,
    /// When the bot asks again if nobody answers: `1h`.
    pub ask_again_in: String,
    /// The error rates over the window, one verdict per system.
    pub rates: Vec<super::RateVerdict>,
    /// Why the error rates could not be read, if they could not.
    pub unread: Option<String>,
    /// A system whose rate had no data in the window, if one had none.
    pub no_data: Option<String>,
}

/// The post-mortem is due soon.
#[derive(Debug, Clone, Serialize)]
pub struct PostmortemDueReminder {
    /// The incident number.
    pub number: u32,
    /// When it is due (a timestamp tag, not "in 4 hours", which reads wrong to whoever
    /// scrolls back).
    pub due_at: Markup,
    /// Why one is required; it names systems people typed.
    pub reason: String,
}

/// The post-mortem is overdue.
#[derive(Debug, Clone, Serialize)]
pub struct PostmortemOverdueReminder {
    /// The incident number.
    pub number: u32,
    /// By how much: `2h`.
    pub over: String,
    /// When it was due (a timestamp tag).
    pub due_at: Markup,
}

impl Reminder {
    /// Every kind at once, so that loading proves each block of the template renders.
    pub(crate) fn sample() -> Self {
        Self {
            ping: Some(Markup::raw("<@&1>")),
            nobody: Some(NobodyHolds {
                role: "commander",
                paged: true,
            }),
            escalate: Some(EscalateReminder {
                severity: "P0".into(),
                after: "10m".into(),
            }),
            update_due: Some(UpdateDueReminder {
                quiet_for: "32m".into(),
                severity: "P1".into(),
                every: "30m".into(),
            }),
            nudge: Some(NudgeReminder {
                phase: 2,
                over: "5m".into(),
                budget: "30m".into(),
                next_checklist_step: Some("Find the root cause".into()),
            }),
            verify_fix: Some(VerifyFixReminder {
                since: "1h".into(),
                ask_again_in: "1h".into(),
                rates: vec![super::RateVerdict::sample()],
                unread: Some("Prometheus is unavailable".into()),
                no_data: None,
            }),
            rate_over: Some(super::RateOverReminder::sample()),
            came_back: Some(super::CameBackReminder::sample()),
            postmortem_due: Some(PostmortemDueReminder {
                number: 1,
                due_at: Markup::raw("<t:172800:f>"),
                reason: "Every P0 needs one".into(),
            }),
            postmortem_overdue: Some(PostmortemOverdueReminder {
                number: 1,
                over: "2h".into(),
                due_at: Markup::raw("<t:172800:f>"),
            }),
        }
    }
}
