//! The view of `refusal.hbs`: a [`Refusal`] as the template reads it, `kind` naming the case
//! and `value` holding what it names. A domain refusal nests its own `kind` and `value` under
//! `value`. The sentences are in the template; here are only the values, typed for escaping.

use serde::Serialize;
use serde_json::Value;

use super::{discord_escape, Markup};
use crate::domain::MaintenanceError;
use crate::domain::{
    Action, ChannelId, EtaError, IncidentKind, IncidentNumber, IncidentRole, MeetingError, Named,
    NotAllowed, OutOfRange, Phase, Refusal, RoleId, Severity, SinceError, SystemsError, TextError,
    TransitionError, Typed, UserId, WhenError,
};

/// `refusal.hbs`: why a command, a button or a form did nothing, for the one who asked (or,
/// with `in_log`, for the log channel, when a job's use case was refused).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct RefusalView(Value);

impl From<&Refusal> for RefusalView {
    fn from(refusal: &Refusal) -> Self {
        Self::new(refusal, false)
    }
}

impl RefusalView {
    /// The view for a line in the log channel: `in_log` is set, so no ⛔.
    pub fn in_log(refusal: &Refusal) -> Self {
        Self::new(refusal, true)
    }

    fn new(refusal: &Refusal, in_log: bool) -> Self {
        let mut value = typed_for_escaping(serde_json::to_value(refusal).unwrap_or_default());
        if let Value::Object(map) = &mut value {
            map.insert("in_log".into(), Value::Bool(in_log));
        }
        Self(value)
    }
}

/// Marks the refusal's texts for escaping by type. Text a person typed ([`Typed`], a map with
/// the one key `typed`) stays a plain string, escaped when printed. Every other text in a
/// refusal was built by the bot: what escaping would change in it (a link, a name with `_`)
/// becomes [`Markup`], shown as built; the rest stays a string a template can compare
/// (`eq value "security"`).
fn typed_for_escaping(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            if let (1, Some(Value::String(typed))) = (map.len(), map.get("typed")) {
                return Value::String(typed.clone());
            }
            let map = map
                .into_iter()
                .map(|(k, v)| {
                    let v = if k == "kind" {
                        v
                    } else {
                        typed_for_escaping(v)
                    };
                    (k, v)
                })
                .collect();
            Value::Object(map)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(typed_for_escaping).collect()),
        Value::String(s) if discord_escape(&s) != s => {
            serde_json::to_value(Markup::raw(s)).unwrap_or_default()
        }
        other => other,
    }
}

impl RefusalView {
    /// One view per case of the template, each naming the values it prints, to prove at start
    /// that every case renders.
    pub fn samples() -> Vec<Self> {
        samples().iter().map(Self::from).collect()
    }
}

/// A refusal of every kind, domain refusals of every kind too.
pub fn samples() -> Vec<Refusal> {
    let mut all: Vec<Refusal> = Vec::new();
    all.extend(transitions().into_iter().map(Refusal::Transition));
    all.extend(not_allowed().into_iter().map(Refusal::NotAllowed));
    all.extend(texts().into_iter().map(Refusal::Text));
    all.push(Refusal::Systems(SystemsError::TooMany(12)));
    all.extend(texts().into_iter().map(|t| Refusal::Systems(t.into())));
    all.push(Refusal::Eta(EtaError::Zero));
    all.push(Refusal::Eta(EtaError::TooFar));
    all.extend(texts().into_iter().map(|t| Refusal::Eta(t.into())));
    all.push(Refusal::Since(SinceError::Unreadable));
    all.push(Refusal::When(WhenError::Unreadable("soonish".into())));
    all.push(Refusal::When(WhenError::Past(
        "2026-11-30 09:31 UTC".into(),
    )));
    all.push(Refusal::Meeting(MeetingError::AfterDeadline {
        due: 1_800_000_000,
    }));
    all.push(Refusal::Meeting(MeetingError::Done));
    for e in [
        MaintenanceError::Duration,
        MaintenanceError::Length,
        MaintenanceError::NoSystems,
        MaintenanceError::NoneScheduled,
        MaintenanceError::NoneRunning,
        MaintenanceError::Security,
    ] {
        all.push(Refusal::Maintenance(e));
    }
    all.push(Refusal::Maintenance(MaintenanceError::Text(
        crate::domain::TextError::Empty { field: "title" },
    )));
    all.push(Refusal::OutOfRange(OutOfRange {
        field: "downtime_minutes",
        max: 525_600,
        meaning: "a year",
        given: 600_000,
    }));
    all.extend(own());
    all.extend(own_about_incidents());
    all.extend(own_about_actions_and_windows());
    all.extend(forbidden().into_iter().map(Refusal::Forbidden));
    all
}

/// A missing permission of every kind: each attempt, each permission, a refused token.
fn forbidden() -> Vec<crate::domain::Forbidden> {
    use crate::domain::{Attempt as A, Denied, Forbidden, Permission as P, TokenRefused};
    let attempts = [
        A::Rename,
        A::Open {
            name: "inc-4-login-down".into(),
        },
        A::Hide,
        A::Post,
        A::Edit,
        A::Attach,
        A::Pin,
        A::Publish,
        A::Archive,
        A::Look,
        A::Read,
        A::SlowMode,
        A::PauseInvites,
        A::CreateMeetingEvent,
        A::MoveMeetingEvent,
        A::EndMeetingEvent,
        A::CreateMaintenanceEvent,
        A::ChangeMaintenanceEvent,
    ];
    let needs = [
        vec![P::ViewChannel, P::ManageChannels, P::ManageRoles],
        vec![P::SendMessages, P::AttachFiles],
        vec![P::PinMessages],
        vec![P::ManageServer, P::CreateEvents, P::Connect],
        vec![P::MuteMembers, P::MoveMembers],
    ];
    let mut all: Vec<Forbidden> = attempts
        .into_iter()
        .zip(needs.iter().cycle())
        .map(|(attempt, needs)| {
            Forbidden::Discord(Denied {
                attempt,
                channel: ChannelId::new(42),
                needs: needs.clone(),
            })
        })
        .collect();
    all.push(Forbidden::Token(TokenRefused {
        service: "cloudflare".into(),
        var: "INCIDENT_BOT_CLOUDFLARE_TOKEN".into(),
        status: 403,
        said: Typed("Authentication error".into()),
        needs: "Account → Account Filter Lists → Edit".into(),
    }));
    all
}

fn transitions() -> Vec<TransitionError> {
    use TransitionError as T;
    vec![
        T::Closed,
        T::AlreadyResolved,
        T::AlreadyVerifying,
        T::NotResolved,
        T::NotVerified,
        T::NotVerifying,
        T::NotReopenable,
        T::PhaseNotForward {
            current: Phase::Investigation,
            requested: Phase::Containment,
        },
        T::RecoveryNeedsResolve,
        T::PhaseAfterResolve,
        T::SameSeverity(Severity::P1),
        T::SecurityNeverAnnounced,
        T::SecurityNotAlerted,
        T::AlertAfterFix,
        T::NothingToEdit,
        T::NothingChanged,
        T::SameKind(IncidentKind::Security),
        T::DetectedInFuture("2026-11-30 09:31 UTC".into()),
        T::DetectedAfterDeclared {
            declared: "2026-11-30 08:00 UTC".into(),
            given: "2026-11-30 09:31 UTC".into(),
        },
        T::DetectedTooEarly("2026-10-01 09:31 UTC".into()),
        T::AlreadyAssigned {
            role: IncidentRole::Commander,
            user: user(7),
        },
    ]
}

fn not_allowed() -> Vec<NotAllowed> {
    vec![
        NotAllowed::MissingRole {
            needed: role(2),
            action: Action::Command,
            or_incident_commander: true,
        },
        NotAllowed::HandOver {
            commander: user(7),
            commander_role: role(2),
        },
        NotAllowed::NotAResponder {
            user: user(8),
            responder: role(1),
        },
        NotAllowed::Bot { user: user(9) },
        NotAllowed::NoAccess,
        NotAllowed::Untick {
            ticked_by: user(7),
            commander_role: role(2),
        },
    ]
}

fn texts() -> Vec<TextError> {
    vec![
        TextError::Empty { field: "The title" },
        TextError::TooLong {
            field: "The title",
            len: 120,
            max: 100,
        },
        TextError::Hidden {
            field: "The title",
            code: "U+200B".into(),
        },
    ]
}

/// The bot's own refusals about buttons, forms and alerts.
fn own() -> Vec<Refusal> {
    let n = IncidentNumber(12);
    vec![
        Refusal::NotASeverity {
            typed: Typed("p_9".into()),
        },
        Refusal::StaleButton,
        Refusal::StaleForm,
        Refusal::TranslationsExpired { minutes: 30 },
        Refusal::TitleLine {
            typed: Typed("Anmeldung gestört".into()),
        },
        Refusal::ButtonWithoutSeverity,
        Refusal::ButtonWithoutIncident,
        Refusal::ButtonWithoutAlert,
        Refusal::FormWithoutMessage,
        Refusal::PickAnIncident,
        Refusal::ZeroInteractionId,
        Refusal::ZeroMessageId,
        Refusal::BadUserId,
        Refusal::AlertUnknown,
        Refusal::AlertDismissed,
        Refusal::AlertIsIncident,
        Refusal::AlertWithIncident { number: Some(n) },
        Refusal::AlertDeclared { number: Some(n) },
        Refusal::NotWorked { number: 12 },
        Refusal::CardToSecurity { number: n },
    ]
}

/// The bot's own refusals about incidents and post-mortems, and its answers while unwell.
fn own_about_actions_and_windows() -> Vec<Refusal> {
    vec![
        Refusal::NoMaintenanceUnderWay,
        Refusal::UnknownFlag {
            typed: crate::domain::Typed("chat_disabled".into()),
            allowed: vec!["ranked_disabled".into(), "store_disabled".into()],
        },
        Refusal::UnknownFlag {
            typed: crate::domain::Typed("chat_disabled".into()),
            allowed: vec![],
        },
        Refusal::FlagInSecurity,
        Refusal::FlagUnchanged {
            name: "ranked_disabled".into(),
            set: true,
        },
        Refusal::AnsweredAlready,
        Refusal::FixCheckOver { number: 12 },
        Refusal::SlowmodeNeedsChannels,
        Refusal::NothingToLock,
        Refusal::LockdownInPlace,
        Refusal::NoLockdown,
        Refusal::StillLockedDown,
        Refusal::Lockdown {
            said: "`#general` is not a channel of this server.".into(),
        },
        Refusal::WafOff,
        Refusal::SecurityOnly,
        Refusal::ContainmentClosed,
        Refusal::UntilOutOfRange { max_days: 30 },
        Refusal::Until(crate::domain::WhenError::Unreadable("soonish".into())),
        Refusal::Targets {
            said: "10.0.0.1 is a private address: block public addresses only.".into(),
        },
        Refusal::AllBlockedAlready,
        Refusal::ListTooLarge { kb: 80, max_kb: 64 },
        Refusal::ListNotText,
        Refusal::NothingBlocked,
        Refusal::NoSuchAction {
            typed: "snapshot".into(),
            known: vec!["snapshot-db".into(), "smoke".into()],
        },
        Refusal::NoSuchAction {
            typed: "snapshot".into(),
            known: vec![],
        },
        Refusal::ActionInClosedIncident,
        Refusal::ActionsWithoutTicket { missing: 2 },
        Refusal::ActionNotForKind {
            label: "Snapshot the database".into(),
            security: true,
        },
    ]
}

fn own_about_incidents() -> Vec<Refusal> {
    let n = IncidentNumber(12);
    vec![
        Refusal::TimelineFinal,
        Refusal::TooManyChannels {
            guild: 480,
            category: 45,
            guild_budget: 480,
            category_budget: 45,
        },
        Refusal::OtherIncidentsChannel { here: n, typed: 3 },
        Refusal::IncidentOptionOutsideLog {
            log: Some(channel(5)),
        },
        Refusal::NoSuchIncident {
            number: 3,
            open: vec![n, IncidentNumber(14)],
        },
        Refusal::NotAnIncidentChannel {
            open: vec![
                Named {
                    number: n,
                    channel: Some(channel(6)),
                },
                Named {
                    number: IncidentNumber(14),
                    channel: None,
                },
            ],
            log: Some(channel(5)),
        },
        Refusal::IncidentGone,
        Refusal::StepGone,
        Refusal::AlertAlreadySent {
            channel: channel(4),
            link: Some("https://discord.com/channels/1/4/9".into()),
        },
        Refusal::PostmortemBeforeResolve { number: n },
        Refusal::PostmortemExists {
            number: n,
            started_by: Some(user(7)),
            reason: None,
            done: None,
            due: 1_800_000_000,
        },
        Refusal::NoPostmortem { number: n },
        Refusal::NoImpactGiven,
        Refusal::LinkNotWeb,
        Refusal::LateMeeting {
            commander_role: role(2),
            due: 1_800_000_000,
        },
        Refusal::UnknownCommand {
            name: "incident page".into(),
        },
        Refusal::UnknownOptions {
            command: "incident declare".into(),
            options: vec!["urgency".into(), "team".into()],
        },
        Refusal::UnreadableOption {
            option: "severity".into(),
        },
        Refusal::Restarting,
        Refusal::HandingOver,
        Refusal::Unavailable,
        Refusal::Broke {
            error_id: "E1a2b".into(),
        },
        Refusal::ClickBroke {
            error_id: "E1a2c".into(),
        },
    ]
}

fn user(id: u64) -> UserId {
    UserId::new(id).unwrap_or_else(|| unreachable!("a sample id is not 0"))
}

fn role(id: u64) -> RoleId {
    RoleId::new(id).unwrap_or_else(|| unreachable!("a sample id is not 0"))
}

fn channel(id: u64) -> ChannelId {
    ChannelId::new(id).unwrap_or_else(|| unreachable!("a sample id is not 0"))
}

#[cfg(test)]
#[path = "refusal_tests.rs"]
mod tests;
