//! Why the bot did not do what a person asked, as data: a reason and the values it names. The
//! words are in `templates/refusal.hbs` (one case per `kind`), so operators can change them;
//! here are only the reasons. A domain refusal (a transition, a right, a text) is carried as it
//! is, and its case in the template is named after its own `kind`.

use serde::{Serialize, Serializer};

use super::{
    ChannelId, EtaError, IncidentNumber, MaintenanceError, MeetingError, NotAllowed, OutOfRange,
    RoleId, SinceError, SystemsError, TextError, TransitionError, UserId, WhenError,
};

/// Text a person typed, carried in a refusal: the template shows it as typed (escaped).
/// Every other text in a refusal is built by the bot (a mention, a `<t:…>` timestamp, a
/// field's name) and is shown as built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed(pub String);

impl Serialize for Typed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // A map with the one key `typed` is how the renderer tells typed text from the bot's.
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("typed", &self.0)?;
        map.end()
    }
}

/// Read back as it is written: a map with the one key `typed` (a stored job failure).
impl<'de> serde::Deserialize<'de> for Typed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Written {
            typed: String,
        }
        Written::deserialize(d).map(|w| Self(w.typed))
    }
}

/// An incident as a refusal names it: its number and, when it has one, its channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    /// `#12`, without the `#`.
    pub number: IncidentNumber,
    /// Its channel, when it opened.
    pub channel: Option<ChannelId>,
}

/// Why a command, a button or a form did nothing. `AppError::User` carries one; the Discord
/// adapter renders it with `refusal.hbs` for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Refusal {
    /// A domain rule refused the change.
    Transition(TransitionError),
    /// The asker lacks a right.
    NotAllowed(NotAllowed),
    /// A text they typed is not acceptable.
    Text(TextError),
    /// The systems they listed are not acceptable.
    Systems(SystemsError),
    /// A meeting time is not understood, or past.
    When(WhenError),
    /// An ETA is not acceptable.
    Eta(EtaError),
    /// A start time is not understood.
    Since(SinceError),
    /// A meeting time is refused.
    Meeting(MeetingError),
    /// A maintenance window refused.
    Maintenance(crate::domain::MaintenanceError),
    /// A service refused the bot for lack of a permission: what to grant, for the log channel.
    Forbidden(crate::domain::Forbidden),
    /// A number is out of its range.
    OutOfRange(OutOfRange),
    /// A severity typed in a form is not one.
    NotASeverity {
        /// What they typed.
        typed: Typed,
    },
    /// A button or a form from a version of the bot that no longer has it.
    StaleButton,
    /// A form from a version of the bot that no longer has it.
    StaleForm,
    /// A translations form whose draft waited too long between its steps.
    TranslationsExpired {
        /// How long a draft waits.
        minutes: i64,
    },
    /// A line of the translations form's titles that names none of the players' languages.
    TitleLine {
        /// The line, as typed.
        typed: Typed,
    },
    /// A severity button that names none.
    ButtonWithoutSeverity,
    /// A button whose incident is not known.
    ButtonWithoutIncident,
    /// A button whose alert is not known.
    ButtonWithoutAlert,
    /// A form that belongs to no message.
    FormWithoutMessage,
    /// A menu answered with no incident picked.
    PickAnIncident,
    /// Discord sent an id of 0 for the interaction.
    ZeroInteractionId,
    /// Discord sent an id of 0 in a message.
    ZeroMessageId,
    /// Discord sent a user id that is not valid.
    BadUserId,
    /// The alert of a card is no longer in the database.
    AlertUnknown,
    /// The alert was dismissed as not real.
    AlertDismissed,
    /// Dismissing an alert that is already an incident.
    AlertIsIncident,
    /// Attaching an alert that is already with an incident.
    AlertWithIncident {
        /// That incident's number, when it still exists.
        number: Option<IncidentNumber>,
    },
    /// Declaring from an alert that is already an incident.
    AlertDeclared {
        /// That incident's number, when it still exists.
        number: Option<IncidentNumber>,
    },
    /// Attaching an alert to an incident no longer worked.
    NotWorked {
        /// The incident picked.
        number: u64,
    },
    /// Attaching an alert card to a security incident.
    CardToSecurity {
        /// The incident picked.
        number: IncidentNumber,
    },
    /// A closed incident's timeline takes nothing more.
    TimelineFinal,
    /// Too many channels in the server or the incident category to open another.
    TooManyChannels {
        /// Channels in the server.
        guild: usize,
        /// Channels in the incident category.
        category: usize,
        /// Where the bot stops in the server.
        guild_budget: usize,
        /// Where the bot stops in the category.
        category_budget: usize,
    },
    /// `incident:` names another incident than the channel's.
    OtherIncidentsChannel {
        /// The channel's incident.
        here: IncidentNumber,
        /// The number typed.
        typed: u32,
    },
    /// `incident:` outside the log channel.
    IncidentOptionOutsideLog {
        /// The log channel, when one is configured.
        log: Option<ChannelId>,
    },
    /// `incident:` names no incident the asker may see.
    NoSuchIncident {
        /// The number typed.
        number: u32,
        /// The open incidents they may see.
        open: Vec<IncidentNumber>,
    },
    /// Not an incident channel.
    NotAnIncidentChannel {
        /// The open incidents the asker may see.
        open: Vec<Named>,
        /// The log channel, where `incident:` works, when one is configured.
        log: Option<ChannelId>,
    },
    /// The incident of a button is gone.
    IncidentGone,
    /// The step of a checklist button is no longer on its checklist.
    StepGone,
    /// Someone answered the question of this button already.
    AnsweredAlready,
    /// An answer to a fix check under an older message, once no fix is being verified (the
    /// fix held, or the incident was reopened).
    FixCheckOver {
        /// The incident.
        number: u32,
    },
    /// `/incident run` named an action that is not configured.
    NoSuchAction {
        /// What was typed.
        typed: String,
        /// The configured action ids.
        known: Vec<String>,
    },
    /// Actions run only in open incidents.
    ActionInClosedIncident,
    /// The action's `kinds` leave this incident's kind out.
    ActionNotForKind {
        /// The action's label, from the config.
        label: String,
        /// Whether the incident is a security one (else availability).
        security: bool,
    },
    /// `slowmode` without `channels`, or the reverse.
    SlowmodeNeedsChannels,
    /// A lockdown that locks nothing.
    NothingToLock,
    /// The incident's lockdown is in place already.
    LockdownInPlace,
    /// `/incident unlock` with no lockdown in place.
    NoLockdown,
    /// Close while the server is still locked down.
    StillLockedDown,
    /// A lockdown option refused by the domain (its sentence).
    Lockdown {
        /// What the domain said.
        said: String,
    },
    /// `/incident block` while `[cloudflare]` is not set up.
    WafOff,
    /// A containment command outside a security incident.
    SecurityOnly,
    /// A containment command in a closed incident.
    ContainmentClosed,
    /// `until` that is no time.
    Until(crate::domain::WhenError),
    /// `until` in the past or too far ahead.
    UntilOutOfRange {
        /// The most days ahead.
        max_days: i64,
    },
    /// Targets refused by the domain (its sentence).
    Targets {
        /// What the domain said.
        said: String,
    },
    /// The attached list of addresses is too large.
    ListTooLarge {
        /// Its size, in KB.
        kb: u32,
        /// The most taken, in KB.
        max_kb: u32,
    },
    /// The attached list is not text.
    ListNotText,
    /// Every target is blocked already.
    AllBlockedAlready,
    /// `/incident unblock` with nothing blocked.
    NothingBlocked,
    /// "End maintenance" in an incident with no window under way.
    NoMaintenanceUnderWay,
    /// `/incident flag` with a name `[players] flags` does not list.
    UnknownFlag {
        /// What was typed.
        typed: Typed,
        /// The configured flags.
        allowed: Vec<String>,
    },
    /// `/incident flag` in a security incident, which players never see.
    FlagInSecurity,
    /// `/incident flag` that changes nothing: set already, or not set.
    FlagUnchanged {
        /// The flag.
        name: String,
        /// Whether it is set.
        set: bool,
    },
    /// The service alert went out, or is going out, already.
    AlertAlreadySent {
        /// The channel it goes to.
        channel: ChannelId,
        /// Its message, as a link, once posted.
        link: Option<String>,
    },
    /// A post-mortem before the incident is resolved.
    PostmortemBeforeResolve {
        /// The incident.
        number: IncidentNumber,
    },
    /// The incident has a post-mortem already.
    PostmortemExists {
        /// The incident.
        number: IncidentNumber,
        /// Who started it, when someone did.
        started_by: Option<UserId>,
        /// Why the policy required it, when the policy started it (names typed systems).
        reason: Option<Typed>,
        /// When it was marked done (Unix seconds), when it was.
        done: Option<i64>,
        /// When it is due (Unix seconds).
        due: i64,
    },
    /// The incident has no post-mortem to track.
    NoPostmortem {
        /// The incident.
        number: IncidentNumber,
    },
    /// `/postmortem impact` with nothing to record.
    NoImpactGiven,
    /// The post-mortem's link is not a web address.
    LinkNotWeb,
    /// A meeting after the deadline set by someone who may not.
    LateMeeting {
        /// The commander role, which may.
        commander_role: RoleId,
        /// The deadline, in Unix seconds.
        due: i64,
    },
    /// `/postmortem done` while action items have no ticket in the tracker yet.
    ActionsWithoutTicket {
        /// How many have none.
        missing: usize,
    },
    /// A command this version of the bot does not define.
    UnknownCommand {
        /// Its name, as Discord sent it.
        name: String,
    },
    /// Options the command does not define.
    UnknownOptions {
        /// The command's name.
        command: String,
        /// The options' names, as Discord sent them.
        options: Vec<String>,
    },
    /// An option Discord sent is missing or not of its kind.
    UnreadableOption {
        /// The option's name.
        option: String,
    },
    /// The bot is shutting down (not strictly a refusal: the same request works in a moment).
    Restarting,
    /// This replica may have lost the gateway to another (not strictly a refusal either).
    HandingOver,
    /// The database is not answering (not strictly a refusal: the same request works later).
    Unavailable,
    /// Something broke on the bot's side; the error id is in the log.
    Broke {
        /// The error id.
        error_id: String,
    },
    /// Something broke behind a button or a form; the error id is in the log.
    ClickBroke {
        /// The error id.
        error_id: String,
    },
}

/// For logs only: what people read is rendered from `refusal.hbs`.
impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused: {self:?}")
    }
}

impl std::error::Error for Refusal {}

macro_rules! from_domain {
    ($($error:ty => $variant:ident),+) => {$(
        impl From<$error> for Refusal {
            fn from(e: $error) -> Self {
                Self::$variant(e)
            }
        }
    )+};
}

from_domain!(
    TransitionError => Transition,
    NotAllowed => NotAllowed,
    TextError => Text,
    SystemsError => Systems,
    WhenError => When,
    EtaError => Eta,
    SinceError => Since,
    MeetingError => Meeting,
    MaintenanceError => Maintenance,
    crate::domain::Forbidden => Forbidden,
    OutOfRange => OutOfRange
);
