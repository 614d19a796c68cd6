//! Every message a person reads, rendered from the handlebars templates in `templates/`.
//!
//! The templates are embedded in the binary and may be overridden from a folder. Handlebars
//! runs in strict mode, and its HTML escaping is replaced by escaping decided by the value's
//! type (see [`markup`]): text people typed shows as typed, with no markdown and no mention,
//! and [`Markup`] the bot built (pings, mentions, `<t:…>` timestamps) shows as built. Every
//! value is written with `{{…}}`; `{{{…}}}` is refused, and templates may not include one
//! another in a loop.

pub mod action_body;
mod action_views;
mod alerts_button_views;
mod answer_views;
mod chart_views;
mod checklist;
mod containment_views;
mod escape;
mod event_views;
mod help;
mod label_views;
pub mod locales;
mod log_views;
mod maintenance_views;
mod markup;
mod meeting_views;
mod notice_views;
mod page_views;
mod rate_views;
mod reason_views;
mod refusal_views;
mod reminder_views;
mod scan;
mod social_views;
mod ticket_views;
mod timeline_samples;
mod timeline_views;
mod views;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use handlebars::Handlebars;
use serde::Serialize;

pub use action_views::*;
pub use alerts_button_views::{AlertsButtonView, ALERTS_BUTTON_WORDS};
pub use answer_views::*;
pub use chart_views::{ChartView, CHART_WORDS, UPTIME_WORDS};
pub use checklist::{
    Checklist, ChecklistCount, ChecklistReport, ChecklistReportStep, ChecklistStep,
    ChecklistSummary,
};
pub use containment_views::*;
pub use escape::{cap, discord_escape, unlink_for_players, MESSAGE_LIMIT};
pub use event_views::EventText;
pub use help::{Help, HelpPhase, HelpSeverity};
pub use label_views::{Label, TopicView};
pub use log_views::*;
pub use maintenance_views::*;
pub use markup::Markup;
pub use meeting_views::*;
pub use notice_views::*;
pub use page_views::*;
pub use rate_views::*;
pub use refusal_views::RefusalView;
pub use reminder_views::*;
pub use scan::unescaped;
pub(crate) use scan::{include_loops, refuse_unescaped};
pub use social_views::{NetworkCount, SocialCancelled, SocialPostView};
pub use ticket_views::*;
pub use timeline_views::{ActionDid, HookOutcome, PostmortemDid, TimelineView};
pub use views::*;

/// The status page's templates, by file stem: rendered by `status`, overridable from
/// `[templates] dir` like the messages, and never rendered as messages.
pub const PAGE_TEMPLATES: [&str; 2] = ["status_page", "status_incident"];

/// A template the bot uses, by the name of its file (`service_alert.hbs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateName {
    /// The plan's 🚨 service alert, for players.
    ServiceAlert,
    /// The plan's ✅ all-clear, for players.
    AllClear,
    /// A status update, for players.
    StatusUpdate,
    /// The pinned intro of an incident channel.
    Intro,
    /// A phase's checklist with its deadline.
    Checklist,
    /// The summary posted at close.
    CloseSummary,
    /// Reminders, nudges and escalations.
    Reminder,
    /// The post-mortem draft, a Markdown document.
    Postmortem,
    /// A notice in an incident channel: severity changed, role assigned, resolved.
    Notice,
    /// `/incident status` in an incident channel.
    Status,
    /// `/incident status` elsewhere: the open incidents.
    IncidentList,
    /// The facts corrected by `/incident edit`, in the incident channel.
    FactsChanged,
    /// `/incident help`: severities, phases and commands on one page.
    Help,
    /// The post-mortem's review meeting, pinging its participants.
    Meeting,
    /// An alert's triage card, in the alerts channel.
    AlertCard,
    /// What a command answers the person who ran it.
    Answer,
    /// A runbook action: its confirmation, its result, the question when it is unknown.
    Action,
    /// A player announcement as a Mastodon post.
    SocialMastodon,
    /// A player announcement as a Bluesky post.
    SocialBluesky,
    /// A player announcement as a post on X.
    SocialX,
    /// What a turn to security did to the social posts, in the incident channel.
    SocialCancelled,
    /// A page outside Discord (PagerDuty, ntfy), and an acknowledgement coming back.
    Page,
    /// Why a command, a button or a form did nothing.
    Refusal,
    /// What the bot tells responders in the log channel.
    Log,
    /// Why a review meeting has no Discord event; included by `meeting` and `answer`.
    NoEvent,
    /// A 🛠️ maintenance window, for players.
    Maintenance,
    /// Maintenance windows for the staff: answers, the list, the reminder.
    MaintenanceStaff,
    /// A timeline entry's words, stored as plain text.
    Timeline,
    /// The words on buttons, menus and forms.
    Labels,
    /// An incident channel's topic.
    Topic,
    /// What the bot writes on an issue tracker's ticket: titles, bodies, comments.
    Ticket,
    /// The incident's timeline chart: its title and legend, its caption and button.
    Chart,
    /// The players' alerts button: its message, the answers to a press, the log's warning.
    AlertsButton,
    /// A Discord scheduled event's name and description, as plain text.
    Event,
    /// Why an incident has a post-mortem or none, as plain text.
    PostmortemReason,
}

impl TemplateName {
    /// Every template.
    pub const ALL: &[TemplateName] = &[
        Self::ServiceAlert,
        Self::AllClear,
        Self::StatusUpdate,
        Self::Intro,
        Self::Checklist,
        Self::CloseSummary,
        Self::Reminder,
        Self::Postmortem,
        Self::Notice,
        Self::Status,
        Self::IncidentList,
        Self::FactsChanged,
        Self::Help,
        Self::Meeting,
        Self::AlertCard,
        Self::Answer,
        Self::Action,
        Self::SocialMastodon,
        Self::SocialBluesky,
        Self::SocialX,
        Self::SocialCancelled,
        Self::Page,
        Self::Refusal,
        Self::Log,
        Self::NoEvent,
        Self::Maintenance,
        Self::MaintenanceStaff,
        Self::Timeline,
        Self::Labels,
        Self::Topic,
        Self::Ticket,
        Self::Chart,
        Self::AlertsButton,
        Self::Event,
        Self::PostmortemReason,
    ];

    /// The name, which is also the file stem.
    pub fn name(self) -> &'static str {
        match self {
            Self::ServiceAlert => "service_alert",
            Self::AllClear => "all_clear",
            Self::StatusUpdate => "status_update",
            Self::Intro => "intro",
            Self::Checklist => "checklist",
            Self::CloseSummary => "close_summary",
            Self::Reminder => "reminder",
            Self::Postmortem => "postmortem",
            Self::Notice => "notice",
            Self::Status => "status",
            Self::IncidentList => "incident_list",
            Self::FactsChanged => "facts_changed",
            Self::Help => "help",
            Self::Meeting => "meeting",
            Self::AlertCard => "alert_card",
            Self::Answer => "answer",
            Self::Action => "action",
            Self::SocialMastodon => "social/mastodon",
            Self::SocialBluesky => "social/bluesky",
            Self::SocialX => "social/x",
            Self::SocialCancelled => "social_cancelled",
            Self::Page => "page",
            Self::Refusal => "refusal",
            Self::Log => "log",
            Self::NoEvent => "no_event",
            Self::Maintenance => "maintenance",
            Self::MaintenanceStaff => "maintenance_staff",
            Self::Timeline => "timeline",
            Self::Labels => "labels",
            Self::Topic => "topic",
            Self::Ticket => "ticket",
            Self::Chart => "chart",
            Self::AlertsButton => "alerts_button",
            Self::Event => "event",
            Self::PostmortemReason => "postmortem_reason",
        }
    }

    /// What it is, in one line, for `incident-bot render --list`.
    pub fn about(self) -> &'static str {
        match self {
            Self::ServiceAlert => "the plan's 🚨 service alert, for players",
            Self::AllClear => "the plan's ✅ all-clear, for players",
            Self::StatusUpdate => "a status update, for players",
            Self::Intro => "the pinned intro of an incident channel",
            Self::Checklist => "a phase's checklist with its deadline",
            Self::CloseSummary => "the summary posted at close",
            Self::Reminder => {
                "reminders: no commander, update due, phase over budget, did the fix hold, \
                 post-mortem due or overdue"
            }
            Self::Postmortem => "the post-mortem draft, a Markdown document",
            Self::Notice => {
                "what changed, in an incident channel: severity, phase, roles, updates, \
                 resolve, reopen, kind, post-mortem, alerts"
            }
            Self::Status => "/incident status in an incident channel",
            Self::IncidentList => "/incident status elsewhere: the open incidents",
            Self::FactsChanged => "the facts corrected by /incident edit",
            Self::Help => "/incident help: severities, phases and commands",
            Self::Meeting => "the post-mortem's review meeting, pinging its participants",
            Self::AlertCard => "an alert's triage card, in the alerts channel",
            Self::Answer => {
                "what a command answers the one who ran it: declare, severity, phase, role, \
                 update, announce, timeline, edit, kind, resolve, reopen, close, post-mortem"
            }
            Self::Action => {
                "a runbook action: run it?, queued, its result, did it run? and its answer"
            }
            Self::SocialMastodon => "a player announcement as a Mastodon post",
            Self::SocialBluesky => "a player announcement as a Bluesky post",
            Self::SocialX => "a player announcement as a post on X",
            Self::SocialCancelled => {
                "which social posts a turn to security cancelled, and which went out already"
            }
            Self::Page => {
                "a page outside Discord (PagerDuty's summary, ntfy's title, message and \
                 all-clear), and an acknowledgement in PagerDuty"
            }
            Self::Refusal => {
                "why a command, button or form did nothing: refusals, the database not \
                 answering, an error id"
            }
            Self::Log => {
                "the log channel: an incident declared, a channel that could not open or was \
                 exposed, a job that gave up"
            }
            Self::NoEvent => {
                "why a review meeting has no Discord event (part of meeting and answer)"
            }
            Self::Maintenance => {
                "a 🛠️ maintenance window, for players: scheduled, moved, started, extended, \
                 ended, cancelled"
            }
            Self::MaintenanceStaff => {
                "maintenance for the staff: what /maintenance did, its list, the reminder"
            }
            Self::Timeline => {
                "a timeline entry, stored as plain text: declared, severity, phase, role, \
                 update, alert, kind, fix, reopen, close, corrections, note"
            }
            Self::Labels => "the words on buttons, menus and forms (titles, questions, hints)",
            Self::Topic => "an incident channel's topic: number, severity and title",
            Self::Ticket => {
                "an issue tracker's ticket: the incident's title and body, its comments \
                 (severity, resolved, closed, reopened), an action item's issue"
            }
            Self::Chart => "the charts' words: titles, axes, legends, captions, a button",
            Self::AlertsButton => "the players' alerts button: its message, answers, warnings",
            Self::Event => "a Discord scheduled event's name and description, as plain text",
            Self::PostmortemReason => {
                "why an incident has a post-mortem or none, as plain text: in the resolve \
                 notice, the reminders, the timeline and a refused /postmortem start"
            }
        }
    }

    /// Looks a template up by name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.name() == name)
    }

    fn builtin(self) -> &'static str {
        match self {
            Self::ServiceAlert => include_str!("../templates/service_alert.hbs"),
            Self::AllClear => include_str!("../templates/all_clear.hbs"),
            Self::StatusUpdate => include_str!("../templates/status_update.hbs"),
            Self::Intro => include_str!("../templates/intro.hbs"),
            Self::Checklist => include_str!("../templates/checklist.hbs"),
            Self::CloseSummary => include_str!("../templates/close_summary.hbs"),
            Self::Reminder => include_str!("../templates/reminder.hbs"),
            Self::Postmortem => include_str!("../templates/postmortem.hbs"),
            Self::Notice => include_str!("../templates/notice.hbs"),
            Self::Status => include_str!("../templates/status.hbs"),
            Self::IncidentList => include_str!("../templates/incident_list.hbs"),
            Self::FactsChanged => include_str!("../templates/facts_changed.hbs"),
            Self::Help => include_str!("../templates/help.hbs"),
            Self::Meeting => include_str!("../templates/meeting.hbs"),
            Self::AlertCard => include_str!("../templates/alert_card.hbs"),
            Self::Answer => include_str!("../templates/answer.hbs"),
            Self::Action => include_str!("../templates/action.hbs"),
            Self::SocialMastodon => include_str!("../templates/social/mastodon.hbs"),
            Self::SocialBluesky => include_str!("../templates/social/bluesky.hbs"),
            Self::SocialX => include_str!("../templates/social/x.hbs"),
            Self::SocialCancelled => include_str!("../templates/social_cancelled.hbs"),
            Self::Page => include_str!("../templates/page.hbs"),
            Self::Refusal => include_str!("../templates/refusal.hbs"),
            Self::Log => include_str!("../templates/log.hbs"),
            Self::NoEvent => include_str!("../templates/no_event.hbs"),
            Self::Maintenance => include_str!("../templates/maintenance.hbs"),
            Self::MaintenanceStaff => include_str!("../templates/maintenance_staff.hbs"),
            Self::Timeline => include_str!("../templates/timeline.hbs"),
            Self::Labels => include_str!("../templates/labels.hbs"),
            Self::Topic => include_str!("../templates/topic.hbs"),
            Self::Ticket => include_str!("../templates/ticket.hbs"),
            Self::Chart => include_str!("../templates/chart.hbs"),
            Self::AlertsButton => include_str!("../templates/alerts_button.hbs"),
            Self::Event => include_str!("../templates/event.hbs"),
            Self::PostmortemReason => include_str!("../templates/postmortem_reason.hbs"),
        }
    }

    /// Whether the output is a Discord message (capped at 2000 characters) or a document.
    fn is_message(self) -> bool {
        // A social post is cut to its network's length when it is sent, not to Discord's.
        !self.is_plain()
            && !matches!(
                self,
                Self::Postmortem
                    | Self::SocialMastodon
                    | Self::SocialBluesky
                    | Self::SocialX
                    | Self::Ticket
            )
    }

    /// Whether the output is plain text, escaped wherever it is shown later (a timeline
    /// entry): rendered without escaping, and holding no [`Markup`].
    pub fn is_plain(self) -> bool {
        matches!(
            self,
            Self::Timeline | Self::Labels | Self::Event | Self::PostmortemReason
        )
    }

    /// The template of a network's posts.
    pub fn social(network: crate::domain::Network) -> Self {
        match network {
            crate::domain::Network::Mastodon => Self::SocialMastodon,
            crate::domain::Network::Bluesky => Self::SocialBluesky,
            crate::domain::Network::X => Self::SocialX,
        }
    }

    /// A view with every field filled, to prove at start that the template renders.
    fn sample(self) -> serde_json::Value {
        let v = match self {
            Self::ServiceAlert => serde_json::to_value(ServiceAlert::sample()),
            Self::AllClear => serde_json::to_value(AllClear::sample()),
            Self::StatusUpdate => serde_json::to_value(StatusUpdate::sample()),
            Self::Intro => serde_json::to_value(Intro::sample()),
            Self::Checklist => serde_json::to_value(Checklist::sample()),
            Self::CloseSummary => serde_json::to_value(CloseSummary::sample()),
            Self::Reminder => serde_json::to_value(Reminder::sample()),
            Self::Postmortem => serde_json::to_value(PostmortemDraft::sample()),
            Self::Notice => serde_json::to_value(Notice::sample()),
            Self::Status => serde_json::to_value(StatusView::sample()),
            Self::IncidentList => serde_json::to_value(IncidentList::sample()),
            Self::FactsChanged => serde_json::to_value(FactsChanged::sample()),
            Self::Help => serde_json::to_value(Help::sample()),
            Self::Meeting => serde_json::to_value(MeetingNotice::sample()),
            Self::AlertCard => serde_json::to_value(AlertCardView::sample()),
            Self::Answer => serde_json::to_value(Answer::sample()),
            Self::Action => serde_json::to_value(ActionNotice::sample()),
            Self::SocialMastodon | Self::SocialBluesky | Self::SocialX => {
                serde_json::to_value(SocialPostView::sample())
            }
            Self::SocialCancelled => serde_json::to_value(SocialCancelled::sample()),
            Self::Page => serde_json::to_value(PageView::sample()),
            Self::Refusal => serde_json::to_value(RefusalView::samples().first()),
            Self::Log => serde_json::to_value(LogPost::sample()),
            Self::NoEvent => serde_json::to_value(NoEvent::ChannelUnset),
            Self::Maintenance => serde_json::to_value(MaintenanceNotice::sample()),
            Self::MaintenanceStaff => serde_json::to_value(MaintenanceStaff::sample()),
            Self::Timeline => serde_json::to_value(TimelineView::samples().first()),
            Self::Labels => serde_json::to_value(Label::samples().first()),
            Self::Topic => serde_json::to_value(TopicView::sample()),
            Self::Ticket => serde_json::to_value(TicketText::sample()),
            Self::Chart => serde_json::to_value(ChartView::samples().first()),
            Self::AlertsButton => serde_json::to_value(AlertsButtonView::samples().first()),
            Self::Event => serde_json::to_value(EventText::samples().first()),
            Self::PostmortemReason => serde_json::to_value(reason_views::samples().first()),
        };
        v.unwrap_or_default()
    }

    /// The views to preview and to prove at start: the sample, or, for the templates with
    /// one block per kind, one view per kind (the sample's `common` fields and that kind).
    fn samples(self) -> Vec<serde_json::Value> {
        let common: &[&str] = match self {
            Self::NoEvent => return values(&NoEvent::samples()),
            Self::Chart => return values(&ChartView::samples()),
            Self::AlertsButton => return values(&AlertsButtonView::samples()),
            Self::Event => return values(&EventText::samples()),
            Self::PostmortemReason => return values(&reason_views::samples()),
            Self::Refusal => return values(&RefusalView::samples()),
            Self::Timeline => return values(&TimelineView::samples()),
            Self::Labels => return values(&Label::samples()),
            Self::Reminder => &["ping", "nobody"],
            Self::Notice => &["ping"],
            Self::Answer
            | Self::Action
            | Self::Page
            | Self::Log
            | Self::MaintenanceStaff
            | Self::Ticket => &[],
            _ => return vec![self.sample()],
        };
        let serde_json::Value::Object(all) = self.sample() else {
            return vec![self.sample()];
        };
        let kinds = all.keys().filter(|k| !common.contains(&k.as_str()));
        kinds
            .map(|kind| {
                let mut one = all.clone();
                for (key, value) in &mut one {
                    if key != kind && !common.contains(&key.as_str()) {
                        *value = serde_json::Value::Null;
                    }
                }
                serde_json::Value::Object(one)
            })
            .collect()
    }
}

/// A template that cannot be used, located as precisely as handlebars can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {reason}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct TemplateProblem {
    /// The file, or `built-in NAME` for an embedded template.
    pub file: String,
    /// The line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

/// Rendering failed at run time (a template and its view model disagree).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Handlebars refused.
    #[error("template {name} did not render: {source}")]
    Handlebars {
        /// The template.
        name: &'static str,
        /// Why.
        #[source]
        source: handlebars::RenderError,
    },
    /// The template printed bot markup with `{{{ }}}`, which bypasses the escaping by type.
    #[error("template {name} prints a value with {{{{{{ }}}}}}: write {{{{ }}}} instead")]
    TripleBraces {
        /// The template.
        name: &'static str,
    },
}

/// The loaded templates. Parsed once at start; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Templates {
    registries: Registries,
    /// The commands' names and descriptions per locale.
    commands: locales::CommandTexts,
}

/// Two registries, as handlebars escapes per registry: messages escape by type, plain text
/// (see [`TemplateName::is_plain`]) not at all.
#[derive(Debug)]
struct Registries {
    messages: Handlebars<'static>,
    plain: Handlebars<'static>,
}

impl Registries {
    fn new() -> Self {
        let mut messages = Handlebars::new();
        messages.set_strict_mode(true);
        messages.register_escape_fn(markup::escape_by_type);
        let mut plain = Handlebars::new();
        plain.set_strict_mode(true);
        plain.register_escape_fn(handlebars::no_escape);
        Self { messages, plain }
    }

    /// The registry that holds `t`.
    fn of(&self, t: TemplateName) -> &Handlebars<'static> {
        if t.is_plain() {
            &self.plain
        } else {
            &self.messages
        }
    }

    fn of_mut(&mut self, t: TemplateName) -> &mut Handlebars<'static> {
        if t.is_plain() {
            &mut self.plain
        } else {
            &mut self.messages
        }
    }

    /// Gives the messages `labels.hbs` as loaded (built in or overridden): they include its
    /// names of phases and roles (`{{> labels label="phase" number=…}}`).
    fn share_labels(&mut self) {
        if let Some(labels) = self.plain.get_template(TemplateName::Labels.name()) {
            let labels = labels.clone();
            self.messages
                .register_template(TemplateName::Labels.name(), labels);
        }
    }

    fn render(
        &self,
        t: TemplateName,
        view: &impl Serialize,
    ) -> Result<String, handlebars::RenderError> {
        self.of(t).render(t.name(), view)
    }
}

impl Templates {
    /// Loads the built-in templates, then the overrides in `dir`. Every problem is reported,
    /// each naming the file and line.
    pub fn load(dir: Option<&Path>) -> Result<Self, Vec<TemplateProblem>> {
        let mut registry = Registries::new();
        let mut problems = Vec::new();
        let mut origin = HashMap::new();
        for t in TemplateName::ALL {
            if let Err(e) = registry
                .of_mut(*t)
                .register_template_string(t.name(), t.builtin())
            {
                problems.push(parse_problem(format!("built-in {}", t.name()), &e));
            }
            origin.insert(t.name(), format!("built-in {}", t.name()));
        }
        let mut overridden = HashSet::new();
        if let Some(dir) = dir {
            problems.extend(load_overrides(
                &mut registry,
                dir,
                &mut origin,
                &mut overridden,
            ));
        }
        registry.share_labels();
        problems.extend(load_locales(&mut registry.messages, dir));
        let parsed: Vec<_> = TemplateName::ALL
            .iter()
            .filter_map(|t| {
                let file = origin.get(t.name()).cloned().unwrap_or_default();
                registry
                    .of(*t)
                    .get_template(t.name())
                    .map(|p| (t.name(), file, p))
            })
            .collect();
        for (name, file, template) in &parsed {
            if overridden.contains(name) {
                problems.extend(scan::refuse_unescaped(file, template));
            }
        }
        // Rendering templates that include each other would recurse until the stack overflows.
        let loops = scan::include_loops(&parsed);
        problems.extend(loops.problems);
        // Strict mode only finds a missing variable when rendering: prove each one now.
        for t in TemplateName::ALL {
            if loops.unsafe_to_render.contains(t.name()) {
                continue;
            }
            let file = || origin.get(t.name()).cloned().unwrap_or_default();
            // The first problem of a template is enough: its other samples would repeat it.
            let problem = t
                .samples()
                .iter()
                .find_map(|sample| match registry.render(*t, sample) {
                    Err(e) => Some(TemplateProblem {
                        file: file(),
                        line: e.line_no,
                        reason: e.reason().to_string(),
                    }),
                    Ok(text) if markup::leaked(&text) => Some(TemplateProblem {
                        file: file(),
                        line: None,
                        reason: RenderError::TripleBraces { name: t.name() }.to_string(),
                    }),
                    Ok(_) => None,
                });
            problems.extend(problem);
        }
        let (commands, more) = locales::load_commands(dir);
        problems.extend(more);
        if problems.is_empty() {
            Ok(Self {
                registries: registry,
                commands,
            })
        } else {
            Err(problems)
        }
    }

    /// Renders a template. Messages are capped at Discord's 2000 characters.
    pub fn render<V: Serialize>(
        &self,
        name: TemplateName,
        view: &V,
    ) -> Result<String, RenderError> {
        let text =
            self.registries
                .render(name, view)
                .map_err(|source| RenderError::Handlebars {
                    name: name.name(),
                    source,
                })?;
        if markup::leaked(&text) {
            return Err(RenderError::TripleBraces { name: name.name() });
        }
        let text = text.trim_end().to_owned();
        Ok(if name.is_message() {
            cap(&text, MESSAGE_LIMIT)
        } else {
            text
        })
    }

    /// Renders a player-facing message in `locale`: from its template in that locale, or the
    /// English one when the locale has none.
    pub fn render_in<V: Serialize>(
        &self,
        locale: crate::domain::Locale,
        name: TemplateName,
        view: &V,
    ) -> Result<String, RenderError> {
        let key = locales::key(locale, name);
        if !self.registries.messages.has_template(&key) {
            return self.render(name, view);
        }
        let text = self
            .registries
            .messages
            .render(&key, view)
            .map_err(|source| RenderError::Handlebars {
                name: name.name(),
                source,
            })?;
        if markup::leaked(&text) {
            return Err(RenderError::TripleBraces { name: name.name() });
        }
        Ok(cap(text.trim_end(), MESSAGE_LIMIT))
    }

    /// Whether `locale` has its own version of `name` (else players read the English one).
    pub fn has_in(&self, locale: crate::domain::Locale, name: TemplateName) -> bool {
        self.registries
            .messages
            .has_template(&locales::key(locale, name))
    }

    /// The commands' names and descriptions per locale.
    pub fn command_texts(&self) -> &locales::CommandTexts {
        &self.commands
    }

    /// Renders `refusal` for the person who asked.
    pub fn refusal(&self, refusal: &crate::domain::Refusal) -> Result<String, RenderError> {
        self.render(TemplateName::Refusal, &RefusalView::from(refusal))
    }

    /// Renders `refusal` as the log channel reads it, in a line about a job that gave up:
    /// without the ⛔ a person who asked sees.
    pub fn refusal_in_log(&self, refusal: &crate::domain::Refusal) -> Result<String, RenderError> {
        self.render(TemplateName::Refusal, &RefusalView::in_log(refusal))
    }

    /// The words of a timeline entry for `happened`, as stored.
    pub fn timeline_entry(
        &self,
        happened: crate::domain::Happened,
    ) -> Result<crate::domain::TimelineEntry, RenderError> {
        let text = self.render(TemplateName::Timeline, &TimelineView::from(&happened.event))?;
        Ok(crate::domain::TimelineEntry::worded(happened, text))
    }

    /// The words of a timeline entry the app writes itself, as stored.
    pub fn timeline_text(&self, view: &TimelineView) -> Result<String, RenderError> {
        self.render(TemplateName::Timeline, view)
    }

    /// The words of a button, menu or form. Every case renders at start, so this cannot fail
    /// with the templates loaded; were it to, the case's name stands in, and the error is logged.
    pub fn label(&self, label: &Label) -> String {
        self.render(TemplateName::Labels, label)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "a label did not render");
                serde_json::to_value(label)
                    .ok()
                    .and_then(|v| v.get("label").and_then(|l| l.as_str()).map(str::to_owned))
                    .unwrap_or_default()
            })
    }

    /// Renders a template's samples, as `incident-bot render NAME` previews them: one
    /// message, or one per kind for the templates with a block per kind.
    pub fn render_samples(&self, name: TemplateName) -> Result<Vec<String>, RenderError> {
        name.samples()
            .iter()
            .map(|v| self.render(name, v))
            .collect()
    }

    /// Renders a template from loose JSON, as `incident-bot render --set` does.
    pub fn render_json(
        &self,
        name: TemplateName,
        view: &serde_json::Value,
    ) -> Result<String, RenderError> {
        self.render(name, view)
    }
}

/// Each view as the JSON a template renders (a view that cannot be one renders as null, and
/// its template's proof at start then says so).
fn values<T: Serialize>(views: &[T]) -> Vec<serde_json::Value> {
    views
        .iter()
        .map(|v| serde_json::to_value(v).unwrap_or_default())
        .collect()
}

/// Loads the player templates per locale, and proves each renders its English samples (strict
/// mode finds a variable the view does not have only when rendering).
fn load_locales(registry: &mut Handlebars<'static>, dir: Option<&Path>) -> Vec<TemplateProblem> {
    let (mut problems, loaded) = locales::load_players(registry, dir);
    for (key, file) in &loaded {
        let Some(name) = locales::PLAYER_TEMPLATES
            .into_iter()
            .find(|t| key.ends_with(&format!("/{}", t.name())))
        else {
            continue;
        };
        if let Some(template) = registry.get_template(key) {
            if !file.starts_with("built-in") {
                problems.extend(scan::refuse_unescaped(file, template));
            }
        }
        let problem = name
            .samples()
            .iter()
            .find_map(|sample| match registry.render(key, sample) {
                Err(e) => Some(TemplateProblem {
                    file: file.clone(),
                    line: e.line_no,
                    reason: e.reason().to_string(),
                }),
                Ok(_) => None,
            });
        problems.extend(problem);
    }
    problems
}

fn parse_problem(file: String, e: &handlebars::TemplateError) -> TemplateProblem {
    TemplateProblem {
        file,
        line: e.pos().map(|(line, _)| line),
        reason: e.reason().to_string(),
    }
}

fn load_overrides(
    registry: &mut Registries,
    dir: &Path,
    origin: &mut HashMap<&'static str, String>,
    overridden: &mut HashSet<&'static str>,
) -> Vec<TemplateProblem> {
    let mut problems = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return vec![TemplateProblem {
                file: dir.display().to_string(),
                line: None,
                reason: format!("cannot read the template folder: {e}"),
            }]
        }
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    // The social posts' templates are in `social/`, as they are named (`social/mastodon`).
    let social = dir.join("social");
    if let Ok(more) = std::fs::read_dir(&social) {
        paths.extend(more.filter_map(|e| e.ok().map(|e| e.path())));
    }
    paths.sort();
    for path in paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "hbs"))
    {
        let file = path.display().to_string();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let nested = format!("social/{stem}");
        let stem = if path.parent() == Some(social.as_path()) {
            nested.as_str()
        } else {
            stem
        };
        if PAGE_TEMPLATES.contains(&stem) {
            // The status page's templates, loaded by `status::PageTemplates`.
            continue;
        }
        let Some(t) = TemplateName::parse(stem) else {
            let known: Vec<_> = TemplateName::ALL.iter().map(|t| t.name()).collect();
            problems.push(TemplateProblem {
                file,
                line: None,
                reason: format!(
                    "no template is called `{stem}`; the names are {}",
                    known.join(", ")
                ),
            });
            continue;
        };
        let source = match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) => {
                problems.push(TemplateProblem {
                    file,
                    line: None,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        match registry
            .of_mut(t)
            .register_template_string(t.name(), source)
        {
            Ok(()) => {
                origin.insert(t.name(), file);
                overridden.insert(t.name());
            }
            Err(e) => problems.push(parse_problem(file, &e)),
        }
    }
    problems
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
