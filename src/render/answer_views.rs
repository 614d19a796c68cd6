//! The view of `answer.hbs`: what a command answers the person who ran it, only them. The
//! sentences are in the template, one block per kind; here are only the values they print.

use serde::Serialize;

use super::{Markup, NoEvent};
use crate::domain::Severity;

/// `answer.hbs`: the reply to whoever ran a command. Exactly one kind is set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Answer {
    /// `/incident declare`, and where to work it.
    pub declared: Option<DeclareAnswer>,
    /// `/incident severity`.
    pub severity: Option<SeverityAnswer>,
    /// `/incident phase`.
    pub phase: Option<PhaseAnswer>,
    /// `/incident assign`.
    pub assigned: Option<AssignAnswer>,
    /// `/incident update`.
    pub update: Option<UpdateAnswer>,
    /// `/incident announce`.
    pub announced: Option<AnnounceAnswer>,
    /// A translations form sent, more languages to go.
    pub translations: Option<TranslationsAnswer>,
    /// `/incident note`, or a message added to the timeline.
    pub timeline: Option<TimelineAnswer>,
    /// `/incident edit`.
    pub edited: Option<EditAnswer>,
    /// `/incident kind to:security`.
    pub now_security: Option<SecurityAnswer>,
    /// `/incident kind to:availability`.
    pub now_availability: Option<AvailabilityAnswer>,
    /// `/incident resolve`: the fix is in and being verified.
    pub fix: Option<FixRecordedAnswer>,
    /// The fix held, or `/incident resolve all_clear:now`.
    pub resolved: Option<ResolveAnswer>,
    /// `/incident reopen`, or the fix did not hold.
    pub reopened: Option<ReopenAnswer>,
    /// `/incident close`.
    pub closed: Option<CloseAnswer>,
    /// The fix held and the policy requires a post-mortem: said after the resolve answer.
    pub postmortem_due: Option<PostmortemDue>,
    /// `/postmortem start`.
    pub postmortem_started: Option<PostmortemDue>,
    /// `/postmortem impact`.
    pub impact: Option<ImpactAnswer>,
    /// `/postmortem action`.
    pub action: Option<ActionAnswer>,
    /// `/postmortem lesson`.
    pub lesson: Option<LessonAnswer>,
    /// `/postmortem schedule`.
    pub meeting: Option<MeetingAnswer>,
    /// `/postmortem draft`.
    pub draft: Option<DraftAnswer>,
    /// `/postmortem done`.
    pub postmortem_done: Option<DoneAnswer>,
    /// `/incident block`, `/incident unblock`.
    pub waf: Option<super::WafAnswer>,
    /// `/incident lockdown`, `/incident unlock`.
    pub lockdown: Option<super::LockdownAnswer>,
    /// `/incident flag`.
    pub flag: Option<super::FlagAnswer>,
}

/// An incident was declared.
#[derive(Debug, Clone, Serialize)]
pub struct DeclareAnswer {
    /// The incident number.
    pub number: u32,
    /// `P1`.
    pub severity: String,
    /// Its channel (a channel mention), when it is open.
    pub channel: Option<Markup>,
    /// The incident category (a channel mention), when its channel is still opening.
    pub opening_under: Option<Markup>,
    /// Why its channel could not open, escaped where it needs to be, when it could not.
    pub failed: Option<Markup>,
    /// Declared from a report in a message: the category its channel opens under (a channel
    /// mention).
    pub from_report: Option<Markup>,
}

impl DeclareAnswer {
    /// Incident `number` declared at `severity`, its channel not told of yet.
    pub fn new(number: u32, severity: Severity) -> Self {
        Self {
            number,
            severity: severity.to_string(),
            channel: None,
            opening_under: None,
            failed: None,
            from_report: None,
        }
    }
}

/// The severity is changed.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityAnswer {
    /// `P0`.
    pub to: String,
    /// The raise sent the service alert to players.
    pub alert: bool,
}

/// The incident moved to another phase.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseAnswer {
    /// The phase, by number (`labels.hbs` words it).
    pub to: u8,
}

/// A role was given.
#[derive(Debug, Clone, Serialize)]
pub struct AssignAnswer {
    /// Who holds it now (a mention).
    pub user: Markup,
    /// The role's key, `commander` (`labels.hbs` words it).
    pub role: &'static str,
}

/// An update was posted in the channel, and maybe to players.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateAnswer {
    /// How it went to players too, when it did.
    pub players: Option<ToPlayers>,
}

/// An update that went to players.
#[derive(Debug, Clone, Serialize)]
pub struct ToPlayers {
    /// The announcements channel (a channel mention).
    pub channel: Markup,
    /// Publishes an hour the announcements channel allows.
    pub budget: u32,
    /// Published, with this many publishes left this hour.
    pub published: Option<Published>,
    /// Meant to be published, but the hour's publishes are taken.
    pub refused: Option<PublishRefused>,
}

/// An update was published.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    /// Publishes left this hour.
    pub left: u32,
}

/// An update was not published: the hour's publishes are taken.
#[derive(Debug, Clone, Serialize)]
pub struct PublishRefused {
    /// When the next publish frees up (a relative timestamp tag), if known.
    pub frees: Option<Markup>,
}

/// Some languages of a translations form are in; more forms follow.
#[derive(Debug, Clone, Serialize)]
pub struct TranslationsAnswer {
    /// Languages given so far.
    pub done: usize,
    /// Languages asked for in all.
    pub total: usize,
}

/// The service alert is queued.
#[derive(Debug, Clone, Serialize)]
pub struct AnnounceAnswer {
    /// The announcements channel (a channel mention).
    pub channel: Markup,
}

/// Something was added to the timeline, or was on it already.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineAnswer {
    /// It was on the timeline already.
    pub already: bool,
}

/// Facts were corrected.
#[derive(Debug, Clone, Serialize)]
pub struct EditAnswer {
    /// The facts corrected: `title, systems`.
    pub facts: String,
    /// The channel's new name, when it is renamed.
    pub renamed: Option<String>,
}

/// Now a security incident.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityAnswer {
    /// The incident number.
    pub number: u32,
    /// The security role (a role mention).
    pub role: Markup,
    /// The channel's new name.
    pub name: String,
    /// How many announcements still waiting were withdrawn.
    pub withdrawn: u64,
    /// The one who ran it has the security role.
    pub member: bool,
}

/// An availability incident again.
#[derive(Debug, Clone, Serialize)]
pub struct AvailabilityAnswer {
    /// The incident number.
    pub number: u32,
    /// The channel's new name.
    pub name: String,
}

/// The fix is recorded and verified until a time.
#[derive(Debug, Clone, Serialize)]
pub struct FixRecordedAnswer {
    /// Until when (a timestamp tag).
    pub until: Markup,
    /// The commander asked whether it held (a mention), if there is one.
    pub commander: Option<Markup>,
}

/// Resolved.
#[derive(Debug, Clone, Serialize)]
pub struct ResolveAnswer {
    /// Time to resolve: `1h 5m`.
    pub after: String,
    /// The all-clear is going out to players.
    pub all_clear: bool,
}

/// Reopened.
#[derive(Debug, Clone, Serialize)]
pub struct ReopenAnswer {
    /// The announcements channel (a channel mention), when players had the all-clear there.
    pub told_in: Option<Markup>,
}

/// Closed.
#[derive(Debug, Clone, Serialize)]
pub struct CloseAnswer {
    /// It had a channel, which is being archived.
    pub archived: bool,
}

/// When a post-mortem is due.
#[derive(Debug, Clone, Serialize)]
pub struct PostmortemDue {
    /// When (a timestamp tag).
    pub due_at: Markup,
}

/// The impact was recorded: the values given, unset for those not given.
#[derive(Debug, Clone, Serialize)]
pub struct ImpactAnswer {
    /// Users affected.
    pub users: Option<i64>,
    /// Minutes of downtime.
    pub downtime_minutes: Option<i64>,
    /// The revenue impact, as typed.
    pub revenue: Option<String>,
}

/// An action item was added.
#[derive(Debug, Clone, Serialize)]
pub struct ActionAnswer {
    /// The draft's heading it is under, as the bot names it: `Preventive measures (TODO)`.
    pub heading: Markup,
    /// A fix already made, which nobody needs to own.
    pub fix: bool,
    /// It is owned by whoever added it.
    pub yours: bool,
    /// Who owns it (a mention), if someone does.
    pub owner: Option<Markup>,
}

/// A lesson learned was added.
#[derive(Debug, Clone, Serialize)]
pub struct LessonAnswer {
    /// The half of "Lessons learned" it is under: `What went well`.
    pub half: String,
}

/// The review meeting was set or moved.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingAnswer {
    /// When (a timestamp tag).
    pub at: Markup,
    /// It was set before, and is moved.
    pub moved: bool,
    /// The channel its Discord event is in (a channel mention), when it has one.
    pub channel: Option<Markup>,
    /// Why it has no Discord event, when it has none (the bot's words, with code spans).
    pub no_event: Option<NoEvent>,
}

/// The draft is being posted.
#[derive(Debug, Clone, Serialize)]
pub struct DraftAnswer {
    /// Its file name: `postmortem-incident-4.md`.
    pub file: String,
}

/// The post-mortem is marked done.
#[derive(Debug, Clone, Serialize)]
pub struct DoneAnswer {
    /// Its meeting's event is being ended.
    pub meeting_ended: bool,
}

impl Answer {
    /// Every kind at once, so that loading proves each block of the template renders.
    pub(crate) fn sample() -> Self {
        Self {
            declared: Some(DeclareAnswer {
                channel: Some(Markup::raw("<#3>")),
                ..DeclareAnswer::new(1, Severity::P1)
            }),
            severity: Some(SeverityAnswer {
                to: "P0".into(),
                alert: true,
            }),
            phase: Some(PhaseAnswer { to: 3 }),
            assigned: Some(AssignAnswer {
                user: Markup::raw("<@3>"),
                role: "commander",
            }),
            update: Some(UpdateAnswer {
                players: Some(ToPlayers {
                    channel: Markup::raw("<#2>"),
                    budget: 8,
                    published: Some(Published { left: 7 }),
                    refused: None,
                }),
            }),
            announced: Some(AnnounceAnswer {
                channel: Markup::raw("<#2>"),
            }),
            translations: Some(TranslationsAnswer { done: 5, total: 7 }),
            timeline: Some(TimelineAnswer { already: false }),
            edited: Some(EditAnswer {
                facts: "title, systems".into(),
                renamed: Some("inc-1-login-down".into()),
            }),
            ..Self::end_samples()
        }
    }

    /// A sample of every kind about the kind and the end of an incident, for [`Answer::sample`].
    fn end_samples() -> Self {
        Self {
            now_security: Some(SecurityAnswer {
                number: 1,
                role: Markup::raw("<@&4>"),
                name: "sec-1".into(),
                withdrawn: 2,
                member: false,
            }),
            now_availability: Some(AvailabilityAnswer {
                number: 1,
                name: "inc-1-login".into(),
            }),
            fix: Some(FixRecordedAnswer {
                until: Markup::raw("<t:0:f>"),
                commander: Some(Markup::raw("<@1>")),
            }),
            resolved: Some(ResolveAnswer {
                after: "1h".into(),
                all_clear: true,
            }),
            reopened: Some(ReopenAnswer {
                told_in: Some(Markup::raw("<#2>")),
            }),
            closed: Some(CloseAnswer { archived: true }),
            ..Self::postmortem_samples()
        }
    }

    /// A sample of every kind about the post-mortem, for [`Answer::sample`].
    fn postmortem_samples() -> Self {
        let due = || PostmortemDue {
            due_at: Markup::raw("<t:0:f>"),
        };
        Self {
            postmortem_due: Some(due()),
            postmortem_started: Some(due()),
            impact: Some(ImpactAnswer {
                users: Some(1200),
                downtime_minutes: Some(45),
                revenue: Some("about $300".into()),
            }),
            action: Some(ActionAnswer {
                heading: Markup::raw("Preventive measures (TODO)"),
                fix: false,
                yours: false,
                owner: Some(Markup::raw("<@2>")),
            }),
            lesson: Some(LessonAnswer {
                half: "What went well".into(),
            }),
            meeting: Some(MeetingAnswer {
                at: Markup::raw("<t:0:f>"),
                moved: false,
                channel: Some(Markup::raw("<#5>")),
                no_event: None,
            }),
            draft: Some(DraftAnswer {
                file: "postmortem-incident-1.md".into(),
            }),
            postmortem_done: Some(DoneAnswer {
                meeting_ended: true,
            }),
            ..Self::containment_samples()
        }
    }
}

/// `Answer::from(kind)`: an answer of that one kind.
macro_rules! answer_kinds {
    ($($kind:ident => $field:ident),* $(,)?) => {
        $(impl From<$kind> for Answer {
            fn from(kind: $kind) -> Self {
                Self {
                    $field: Some(kind),
                    ..Self::default()
                }
            }
        })*
    };
}

answer_kinds! {
    DeclareAnswer => declared,
    SeverityAnswer => severity,
    PhaseAnswer => phase,
    AssignAnswer => assigned,
    UpdateAnswer => update,
    AnnounceAnswer => announced,
    TranslationsAnswer => translations,
    TimelineAnswer => timeline,
    EditAnswer => edited,
    SecurityAnswer => now_security,
    AvailabilityAnswer => now_availability,
    FixRecordedAnswer => fix,
    ResolveAnswer => resolved,
    ReopenAnswer => reopened,
    CloseAnswer => closed,
    ImpactAnswer => impact,
    ActionAnswer => action,
    LessonAnswer => lesson,
    MeetingAnswer => meeting,
    DraftAnswer => draft,
    DoneAnswer => postmortem_done,
}
