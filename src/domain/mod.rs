//! The incident domain: pure types and rules, with no I/O and nothing of Discord's.

mod alert;
mod auth;
mod auto_declare;
mod checklist;
mod error_rate;
mod evidence;
mod facts;
mod flags;
mod forbidden;
mod ids;
mod impact;
mod incident;
mod locale;
mod lockdown;
mod maintenance;
mod meeting;
mod phase;
mod postmortem;
mod refusal;
mod reports;
mod role;
mod run_note;
mod runbook;
mod safety;
mod severity;
mod social;
mod text;
mod timeline;
mod waf;
mod web;
mod when;

pub use alert::{AlertBatch, AlertEvent, AlertSource, AlertStatus, SystemRules};
pub use auth::{Action, Actor, Candidate, NotAllowed, TeamRoles};
pub use auto_declare::{AutoDeclare, AutoDeclareRules};
pub use checklist::{
    steps, ChecklistItem, Checklists, Step, StepGroup, StepId, StepIdError, StepLabel, StepText,
    Tick,
};
pub use error_rate::{check_query, over, percent, Sample, Verdict};
pub use evidence::{fill as fill_link, EvidenceLink, LinkTemplate, PLACEHOLDERS};
pub use facts::{
    parse_duration, Eta, EtaError, EtaInput, SinceError, SinceInput, MAX_DETECTED_BEFORE, MAX_ETA,
};
pub use flags::{is_flag_name, GameFlag};
pub use forbidden::{Attempt, Denied, Forbidden, Permission, TokenRefused};
pub use ids::{
    ChannelId, EventId, GuildId, IdParseError, IncidentId, IncidentNumber, InteractionId,
    MessageId, RoleId, UserId,
};
pub use impact::{
    downtime_minutes, users_affected, OutOfRange, MAX_DOWNTIME_MINUTES, MAX_USERS_AFFECTED,
};
pub use incident::{Command, Declaration, Incident, PhaseSpan, Status, TransitionError};
pub use locale::{to_translate, Locale, Translations, UnknownLocale, DISCORD_LOCALES};
pub use lockdown::{
    parse_channels, parse_slowmode, LockdownError, MAX_CHANNELS, MAX_SLOWMODE_SECS,
};
pub use maintenance::{
    window_length, window_message, window_title, MaintenanceError, Window, WindowMessage,
    WindowStatus, WindowTitle, MAX_WINDOW, MIN_WINDOW,
};
pub use meeting::{
    is_staff, meeting_time, participants, ActionKind, EventStatus, LessonKind, MeetingError,
    MeetingPlace, PlaceError, PlaceKind,
};
pub use phase::{Phase, PhaseBudgets, PhaseParseError};
pub use postmortem::{EarlierIncident, PostmortemDecision, PostmortemPolicy, PostmortemReason};
pub use refusal::{Named, Refusal, Typed};
pub use reports::{mentions, PlayerMessage, ReportThreshold, ReportWatch};
pub use role::{IncidentRole, RoleParseError, Roles};
pub use run_note::{BotReason, RunNote};
pub use runbook::{
    ActionId, EnvSecret, RunState, RunbookAction, Runners, Shape, MAX_ACTION_TIMEOUT,
};
pub use safety::SafetySignal;
pub use severity::{IncidentKind, KindParseError, Severity, SeverityParseError};
pub use social::{fit, graphemes, inert, plain_from_discord, shorten, Network, Skipped};
pub use text::{
    parse_field, FreeText, IncidentTitle, ShortText, SystemName, Systems, SystemsError, TextError,
};
pub use timeline::{EntryKind, Happened, TimelineEntry, TimelineEvent};
pub use waf::{parse_target, parse_targets, BlockTarget, TargetError, MAX_TARGETS};
pub use web::{bracketed_web_address, host_of, web_address};
pub use when::{parse_when, WhenError};
