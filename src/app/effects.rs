//! Effects: the Discord side effects a use case causes, stored as jobs in the same transaction
//! as the state change, and performed by [`super::jobs`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Button;
use crate::domain::{ChannelId, IncidentId, MessageId, Phase, RoleId, UserId};
use crate::store::{NewJob, Tx};

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The incident's own channel, looked up when the job runs.
    IncidentChannel,
    /// A fixed channel.
    Channel(ChannelId),
}

/// One side effect. The serde tag is the job's kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Effect {
    /// Opens the incident's channel, posts and pins its intro (paging the severity's roles),
    /// and queues the log line.
    OpenChannel,
    /// Posts and pins the intro of a channel opened already: queued by versions of the bot that
    /// did it in a second job, and still performed for their rows.
    PostIntro,
    /// Posts a rendered message.
    Post {
        /// Where.
        to: Target,
        /// The text.
        content: String,
        /// The roles it pings.
        ping_roles: Vec<RoleId>,
        /// A text file to attach (the post-mortem draft).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<TextFile>,
        /// Buttons under it (a checklist's steps, a question's answers).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Vec<Button>,
    },
    /// Posts messages in the incident channel one after the other, in this order: what one
    /// change says, then the checklist it opens (a message of its own, so that its buttons
    /// edit only it).
    PostInOrder {
        /// The messages, in order.
        messages: Vec<Said>,
    },
    /// Posts a player announcement and records its message; queues its publish when wanted.
    Announce {
        /// The announcement row.
        announcement: i64,
        /// The text.
        content: String,
        /// The roles it pings (the opt-in player role on P0 alerts).
        ping_roles: Vec<RoleId>,
    },
    /// Posts an announcement in a locale's own players' channel, in that locale.
    AnnounceIn {
        /// The announcement row.
        announcement: i64,
        /// The locale's code.
        locale: String,
        /// The locale's channel.
        channel: ChannelId,
        /// The roles it pings, as the announcement does.
        ping_roles: Vec<RoleId>,
    },
    /// Publishes an announcement, within the hourly budget.
    Publish {
        /// The announcement row.
        announcement: i64,
    },
    /// Makes the incident's channel private to the security role (and the bot), as a security
    /// incident's channel is opened: it became one.
    MakePrivate,
    /// Brings the channel's name and topic in line with the incident's facts as they are when
    /// the job runs (so two quick edits rename once), within Discord's two renames in 10 min.
    Relabel,
    /// Posts the close summary, then moves the channel to the archive and locks it.
    Archive {
        /// The summary text.
        summary: String,
    },
    /// Pings `escalate_to` when nobody has taken command; repeats up to a bound.
    EscalateCommander {
        /// 1 for the first escalation.
        attempt: u32,
    },
    /// Reminds the comms lead that no update came within the severity's cadence.
    UpdateDue,
    /// Nudges when a phase outlives its budget.
    PhaseNudge {
        /// The phase whose budget ran out.
        phase: Phase,
        /// 1 at the budget; 2 at twice the budget, which escalates. Jobs queued before rounds
        /// existed read as round 1.
        #[serde(default = "first_round")]
        round: u32,
    },
    /// Asks the channel to confirm the fix held, an hour after resolve.
    VerifyFix,
    /// Reads the error rates of the incident's systems at resolve (now, and an hour before
    /// detection) and says them in the channel.
    ErrorRatesAtFix,
    /// Reads the error rates through the verification window: a rate over its threshold is
    /// said at once, pinging the commander; then the next reading is queued.
    WatchErrorRates {
        /// The systems that were over their threshold at the last reading (said already).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        above: Vec<String>,
    },
    /// Draws the error-rate chart of each system and adds them to the fix check's message, by
    /// an edit: the verdict never waits for a chart.
    ErrorRateCharts {
        /// The fix check's message. Rows queued before the charts were an edit have none, and
        /// draw nothing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<MessageId>,
    },
    /// Something about the incident's system came back while its fix is verified: an alert
    /// fired again, players reported it again, or a report was declared. The channel is told
    /// at once, the commander pinged, with **It did not hold**.
    CameBack {
        /// What came back.
        news: Recurrence,
    },
    /// Posts the incident's timeline chart (phases against budgets) in its channel.
    TimelineChart,
    /// Reminds the commander that the post-mortem is due soon.
    PostmortemReminder {
        /// How long before the deadline this reminder is.
        before_secs: u64,
    },
    /// The post-mortem is overdue: escalate, and again every `overdue_every` until done.
    PostmortemOverdue {
        /// 1 for the first.
        round: u32,
    },
    /// Makes the review meeting's Discord Scheduled Event match the post-mortem record: creates
    /// it (or adopts the one a lost run created), moves it, or ends it once the post-mortem is
    /// done (completed if it started, canceled if not); then posts `notice`, if any.
    SyncMeeting {
        /// Who to tell about the meeting, in the incident channel.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notice: Option<MeetingCall>,
    },
    /// Renders the post-mortem draft as it stands, people by name, and posts it as a file in
    /// the incident channel.
    PostDraft,
    /// Posts an alert's triage card in `[channels] alerts` (or the log channel), or edits it
    /// to how it stands when the job runs.
    AlertCard {
        /// The card.
        card: i64,
    },
    /// Makes a maintenance window's Discord event (EXTERNAL) match the record: creates it (or
    /// adopts the one a lost run created), edits it, or ends it; then queues the post of
    /// `stage` to players.
    SyncWindow {
        /// The window.
        window: i64,
        /// What players are told after (`scheduled`, `moved`, `started`, `extended`, `ended`,
        /// `cancelled`), if anything.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stage: Option<String>,
    },
    /// Tells players of a maintenance window's `stage` (🛠️), in the announcement channel.
    AnnounceWindow {
        /// The window.
        window: i64,
        /// Which moment.
        stage: String,
    },
    /// Tells players of a maintenance window's `stage` in a locale's own players' channel, in
    /// that locale (`[channels.announcements_by_locale]`).
    AnnounceWindowIn {
        /// The window.
        window: i64,
        /// Which moment.
        stage: String,
        /// The locale's code.
        locale: String,
        /// The locale's channel.
        channel: ChannelId,
    },
    /// At a window's start or end: makes sure it moved on (Discord's update may have been
    /// missed while the bot was down), by the clock when Discord is late.
    WindowDue {
        /// The window.
        window: i64,
    },
    /// Reminds the staff that a window starts soon.
    WindowReminder {
        /// The window.
        window: i64,
        /// The start it was queued for (Unix seconds): a moved window's old reminder is void.
        start: i64,
    },
    /// Sends one run of a runbook action (`[[actions]]`) and records what came back; asks the
    /// channel instead when an earlier attempt may have sent it.
    RunAction {
        /// The run (`action_runs`).
        run: i64,
    },
    /// Calls the game's maintenance hook (`[maintenance] hook`) once for a window's start or
    /// end, as recorded in `maintenance_hook_runs`; says in the incident's channel (or the
    /// log channel) when it failed.
    MaintenanceHook {
        /// The `maintenance_hook_runs` row.
        run: i64,
    },
    /// Declares an incident from an alert's card, as an `[[intake.auto_declare]]` rule says:
    /// unless someone declared it, attached it or dismissed it first.
    AutoDeclare {
        /// The card.
        card: i64,
        /// The severity the rule declares.
        severity: crate::domain::Severity,
        /// The rule, as people read it.
        rule: String,
    },
    /// Posts a player announcement on one social network, in its incident's thread there.
    SocialPost {
        /// The `social_posts` row.
        post: i64,
    },
    /// Posts a 🛠️ maintenance notice on one social network, in its window's thread there.
    SocialNotice {
        /// The `social_notices` row.
        notice: i64,
    },
    /// Pages on-call outside Discord through `service`: `action` on the incident's page of
    /// `round` (its key), so a retry never pages twice.
    Page {
        /// PagerDuty or ntfy.
        service: crate::config::PageService,
        /// Trigger, acknowledge or resolve.
        action: super::PageAction,
        /// The page's round.
        round: u32,
    },
    /// Blocks at the WAF the rows of `waf_blocks` not blocked yet (each looked up before it is
    /// created, so a retry after a lost answer adopts it), then tells the incident channel.
    WafBlock {
        /// The `waf_blocks` rows.
        blocks: Vec<i64>,
    },
    /// Lifts at the WAF the blocks asked to be lifted, then tells the incident channel.
    WafUnblock {
        /// The `waf_blocks` rows.
        blocks: Vec<i64>,
        /// Queued at `until`: first marks those still in force as lifted by their time.
        #[serde(default)]
        expired: bool,
    },
    /// Puts a lockdown in place: the guild's pauses, then each channel's slow-mode, each
    /// with what was there before recorded first; then tells the incident channel.
    Lockdown {
        /// The `lockdowns` row.
        lockdown: i64,
    },
    /// Sets a lockdown's pauses again before Discord's 24 hours lapse, while it holds.
    LockdownRearm {
        /// The `lockdowns` row.
        lockdown: i64,
    },
    /// Lifts a lockdown: what was there before is put back; then tells the incident channel.
    Unlock {
        /// The `lockdowns` row.
        lockdown: i64,
    },
    /// Keeps the incident's ticket in the `[tracker]` in step: opens it (or adopts the one a
    /// lost answer opened, by its marker), comments, closes, reopens.
    Ticket {
        /// What to do.
        step: super::TicketStep,
    },
    /// Opens the tracker issue of a post-mortem action item (or adopts the one a lost answer
    /// opened).
    ActionTicket {
        /// The action item's row.
        item: i64,
    },
    /// POSTs one public change to one `[[status.webhooks]]` receiver, signed, after the
    /// webhook's earlier deliveries.
    StatusWebhook {
        /// The `status_webhook_deliveries` row.
        delivery: i64,
    },
}

/// The call to the review meeting: who is asked, and what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingCall {
    /// Everyone who acted on the incident's timeline.
    pub users: Vec<UserId>,
    /// The `[postmortem] participants` roles.
    pub roles: Vec<RoleId>,
    /// Whether it was moved from an earlier time.
    pub moved: bool,
    /// Who allowed a time after the deadline, if it is after it.
    pub late_by: Option<UserId>,
}

fn first_round() -> u32 {
    1
}

/// One message of [`Effect::PostInOrder`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Said {
    /// The text.
    pub content: String,
    /// The roles it pings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ping_roles: Vec<RoleId>,
    /// Buttons under it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<Button>,
}

/// What came back during a fix's verification, as [`Effect::CameBack`] says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    /// Who says so: `Alertmanager`, `Sentry`, `Players`, or the incident number of a report
    /// declared as an incident of its own.
    pub source: RecurrenceSource,
    /// What fired, or the report's title, as its source wrote it.
    pub title: String,
    /// The system, when the source names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// When it began.
    pub since: DateTime<Utc>,
}

/// Where a [`Recurrence`] came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum RecurrenceSource {
    /// An alert from monitoring (`Alertmanager`, `Grafana`, `Sentry`, `Cloudflare`).
    Alert {
        /// The source, as people know it.
        name: String,
    },
    /// Players naming the system in the reports channel.
    Players,
    /// A player's message reported as an incident (**Report as incident**).
    Report {
        /// The new incident's number.
        number: u32,
    },
}

/// A text file attached to a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextFile {
    /// Its name.
    pub filename: String,
    /// Its text.
    pub text: String,
}

/// The job kinds of reminders, to cancel them by kind.
pub mod kinds {
    /// [`super::Effect::EscalateCommander`].
    pub const ESCALATE: &str = "escalate_commander";
    /// [`super::Effect::UpdateDue`].
    pub const UPDATE_DUE: &str = "update_due";
    /// [`super::Effect::PhaseNudge`].
    pub const PHASE_NUDGE: &str = "phase_nudge";
    /// [`super::Effect::VerifyFix`].
    pub const VERIFY_FIX: &str = "verify_fix";
    /// [`super::Effect::PostmortemReminder`].
    pub const POSTMORTEM_REMINDER: &str = "postmortem_reminder";
    /// [`super::Effect::PostmortemOverdue`].
    pub const POSTMORTEM_OVERDUE: &str = "postmortem_overdue";
    /// [`super::Effect::Announce`].
    pub const ANNOUNCE: &str = "announce";
    /// [`super::Effect::Publish`].
    pub const PUBLISH: &str = "publish";
    /// [`super::Effect::AnnounceIn`].
    pub const ANNOUNCE_IN: &str = "announce_in";
    /// [`super::Effect::MakePrivate`].
    pub const MAKE_PRIVATE: &str = "make_private";
    /// [`super::Effect::Relabel`].
    pub const RELABEL: &str = "relabel";
    /// [`super::Effect::SyncMeeting`].
    pub const SYNC_MEETING: &str = "sync_meeting";
    /// [`super::Effect::AlertCard`].
    pub const ALERT_CARD: &str = "alert_card";
    /// [`super::Effect::AutoDeclare`].
    pub const AUTO_DECLARE: &str = "auto_declare";
    /// [`super::Effect::RunAction`].
    pub const RUN_ACTION: &str = "run_action";
    /// [`super::Effect::Page`].
    pub const PAGE: &str = "page";
    /// [`super::Effect::SyncWindow`].
    pub const SYNC_WINDOW: &str = "sync_window";
    /// [`super::Effect::AnnounceWindow`].
    pub const ANNOUNCE_WINDOW: &str = "announce_window";
    /// A window's notice in one more language's announcement channel.
    pub const ANNOUNCE_WINDOW_IN: &str = "announce_window_in";
    /// [`super::Effect::WindowDue`].
    pub const WINDOW_DUE: &str = "window_due";
    /// [`super::Effect::WindowReminder`].
    pub const WINDOW_REMINDER: &str = "window_reminder";
    /// [`super::Effect::WafBlock`].
    pub const WAF_BLOCK: &str = "waf_block";
    /// [`super::Effect::WafUnblock`].
    pub const WAF_UNBLOCK: &str = "waf_unblock";
    /// [`super::Effect::Lockdown`].
    pub const LOCKDOWN: &str = "lockdown";
    /// [`super::Effect::LockdownRearm`].
    pub const LOCKDOWN_REARM: &str = "lockdown_rearm";
    /// [`super::Effect::Unlock`].
    pub const UNLOCK: &str = "unlock";
    /// [`super::Effect::MaintenanceHook`].
    pub const MAINTENANCE_HOOK: &str = "maintenance_hook";
    /// [`super::Effect::WatchErrorRates`].
    pub const WATCH_ERROR_RATES: &str = "watch_error_rates";
    /// [`super::Effect::Ticket`].
    pub const TICKET: &str = "ticket";
    /// [`super::Effect::ActionTicket`].
    pub const ACTION_TICKET: &str = "action_ticket";
}

impl Effect {
    /// The job kind: the serde tag.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::OpenChannel => "open_channel",
            Self::PostIntro => "post_intro",
            Self::Post { .. } => "post",
            Self::PostInOrder { .. } => "post_in_order",
            Self::Announce { .. } => kinds::ANNOUNCE,
            Self::Publish { .. } => kinds::PUBLISH,
            Self::AnnounceIn { .. } => kinds::ANNOUNCE_IN,
            Self::Archive { .. } => "archive",
            Self::MakePrivate => kinds::MAKE_PRIVATE,
            Self::Relabel => kinds::RELABEL,
            Self::EscalateCommander { .. } => kinds::ESCALATE,
            Self::UpdateDue => kinds::UPDATE_DUE,
            Self::PhaseNudge { .. } => kinds::PHASE_NUDGE,
            Self::VerifyFix => kinds::VERIFY_FIX,
            Self::PostmortemReminder { .. } => kinds::POSTMORTEM_REMINDER,
            Self::PostmortemOverdue { .. } => kinds::POSTMORTEM_OVERDUE,
            Self::SyncMeeting { .. } => kinds::SYNC_MEETING,
            Self::PostDraft => "post_draft",
            Self::AlertCard { .. } => kinds::ALERT_CARD,
            Self::AutoDeclare { .. } => kinds::AUTO_DECLARE,
            Self::RunAction { .. } => kinds::RUN_ACTION,
            Self::MaintenanceHook { .. } => kinds::MAINTENANCE_HOOK,
            Self::SocialPost { .. } => super::social::SOCIAL_POST,
            Self::SocialNotice { .. } => super::social_notices::SOCIAL_NOTICE,
            Self::StatusWebhook { .. } => super::status_hooks::STATUS_WEBHOOK,
            Self::Page { .. } => kinds::PAGE,
            Self::SyncWindow { .. } => kinds::SYNC_WINDOW,
            Self::AnnounceWindow { .. } => kinds::ANNOUNCE_WINDOW,
            Self::AnnounceWindowIn { .. } => kinds::ANNOUNCE_WINDOW_IN,
            Self::WindowDue { .. } => kinds::WINDOW_DUE,
            Self::WindowReminder { .. } => kinds::WINDOW_REMINDER,
            Self::WafBlock { .. } => kinds::WAF_BLOCK,
            Self::WafUnblock { .. } => kinds::WAF_UNBLOCK,
            Self::Lockdown { .. } => kinds::LOCKDOWN,
            Self::LockdownRearm { .. } => kinds::LOCKDOWN_REARM,
            Self::Unlock { .. } => kinds::UNLOCK,
            Self::ErrorRatesAtFix => "error_rates_at_fix",
            Self::WatchErrorRates { .. } => kinds::WATCH_ERROR_RATES,
            Self::ErrorRateCharts { .. } => "error_rate_charts",
            Self::CameBack { .. } => "came_back",
            Self::Ticket { .. } => kinds::TICKET,
            Self::ActionTicket { .. } => kinds::ACTION_TICKET,
            Self::TimelineChart => "timeline_chart",
        }
    }
}

impl Effect {
    /// Whether it can only be done in the incident's own channel, so that it cannot be done at
    /// all when that channel could not be opened.
    pub fn needs_incident_channel(&self) -> bool {
        match self {
            Self::OpenChannel
            | Self::Announce { .. }
            | Self::AnnounceIn { .. }
            | Self::Publish { .. }
            | Self::AlertCard { .. }
            | Self::AutoDeclare { .. }
            | Self::Page { .. }
            | Self::SyncWindow { .. }
            | Self::AnnounceWindow { .. }
            | Self::AnnounceWindowIn { .. }
            | Self::WindowDue { .. }
            | Self::WindowReminder { .. }
            | Self::RunAction { .. }
            | Self::MaintenanceHook { .. }
            | Self::SocialPost { .. }
            | Self::SocialNotice { .. }
            | Self::StatusWebhook { .. }
            // The WAF acts whether or not the channel opened; they tell it when it exists.
            | Self::WafBlock { .. }
            | Self::WafUnblock { .. }
            | Self::Lockdown { .. }
            | Self::LockdownRearm { .. }
            | Self::Unlock { .. }
            | Self::Ticket { .. }
            | Self::ActionTicket { .. } => false,
            Self::Post { to, .. } => *to == Target::IncidentChannel,
            Self::SyncMeeting { notice } => notice.is_some(),
            Self::PostIntro
            | Self::MakePrivate
            | Self::Relabel
            | Self::PostInOrder { .. }
            | Self::PostDraft
            | Self::Archive { .. }
            | Self::EscalateCommander { .. }
            | Self::UpdateDue
            | Self::PhaseNudge { .. }
            | Self::VerifyFix
            | Self::ErrorRatesAtFix
            | Self::WatchErrorRates { .. }
            | Self::ErrorRateCharts { .. }
            | Self::CameBack { .. }
            | Self::TimelineChart
            | Self::PostmortemReminder { .. }
            | Self::PostmortemOverdue { .. } => true,
        }
    }
}

/// Queues effects of one use case under keys derived from `origin` (an interaction id, a job
/// id), so the same origin never queues the same effect twice.
pub struct Outbox<'a> {
    origin: &'a str,
    incident: IncidentId,
    now: DateTime<Utc>,
    next: u32,
    /// What one change says in the incident channel, posted as one message by
    /// [`Outbox::flush_here`] so that its parts read in order (jobs run in parallel).
    here: Vec<(String, Vec<RoleId>)>,
    /// The checklist the change opens, posted right after what it says.
    checklist: Option<(String, Vec<Button>)>,
    /// Evidence links the checklist opens, in a message of their own right after it (a
    /// checklist's edits rebuild its own buttons, which would drop them).
    evidence: Option<(String, Vec<Button>)>,
    /// A question with its buttons, in a message of its own after all of the above.
    question: Option<(String, Vec<Button>)>,
}

impl<'a> Outbox<'a> {
    /// An outbox for effects of `incident` caused by `origin`.
    pub fn new(origin: &'a str, incident: IncidentId, now: DateTime<Utc>) -> Self {
        Self {
            origin,
            incident,
            now,
            next: 0,
            here: Vec::new(),
            checklist: None,
            evidence: None,
            question: None,
        }
    }

    /// Posts a question with its buttons (a lockdown to lift at the all-clear) as a message of
    /// its own, after what this change says and its checklist, in the same job.
    pub fn question_here(&mut self, content: String, buttons: Vec<Button>) {
        self.question = Some((content, buttons));
    }

    /// The incident these effects are for.
    pub fn incident(&self) -> IncidentId {
        self.incident
    }

    /// Adds a part to what this change says in the incident channel.
    pub fn say_here(&mut self, content: String, ping_roles: Vec<RoleId>) {
        self.here.push((content, ping_roles));
    }

    /// Posts a checklist with its buttons as a message of its own, right after what this
    /// change says (in the same job, so the two never swap). It pings nobody. A second call
    /// replaces the first: one change opens one phase.
    pub fn checklist_here(&mut self, content: String, buttons: Vec<Button>) {
        self.checklist = Some((content, buttons));
    }

    /// Posts evidence links, as link buttons, right after the checklist of this change.
    pub fn evidence_here(&mut self, content: String, buttons: Vec<Button>) {
        self.evidence = Some((content, buttons));
    }

    /// Queues what [`Outbox::say_here`] collected: one message, its parts in order, pinging
    /// every role any part pings; parts that together pass Discord's 2000 characters go as
    /// messages of their own. A checklist from [`Outbox::checklist_here`] follows in the
    /// same job.
    pub async fn flush_here(&mut self, tx: &mut Tx) -> Result<(), crate::store::Error> {
        let parts = std::mem::take(&mut self.here);
        let total: usize = parts.iter().map(|(c, _)| c.chars().count() + 2).sum();
        let posts = if total <= crate::render::MESSAGE_LIMIT {
            let mut roles: Vec<RoleId> = Vec::new();
            for r in parts.iter().flat_map(|(_, r)| r) {
                if !roles.contains(r) {
                    roles.push(*r);
                }
            }
            let content: Vec<String> = parts.into_iter().map(|(c, _)| c).collect();
            if content.is_empty() {
                vec![]
            } else {
                vec![(content.join("\n\n"), roles)]
            }
        } else {
            parts
        };
        if self.checklist.is_some() || self.question.is_some() {
            let mut messages: Vec<Said> = posts
                .into_iter()
                .map(|(content, ping_roles)| Said {
                    content,
                    ping_roles,
                    buttons: vec![],
                })
                .collect();
            if let Some(checklist) = self.checklist.take() {
                let evidence = self.evidence.take();
                for (content, buttons) in std::iter::once(checklist).chain(evidence) {
                    messages.push(Said {
                        content,
                        ping_roles: vec![],
                        buttons,
                    });
                }
            }
            if let Some((content, buttons)) = self.question.take() {
                messages.push(Said {
                    content,
                    ping_roles: vec![],
                    buttons,
                });
            }
            return self.push(tx, Effect::PostInOrder { messages }).await;
        }
        for (content, ping_roles) in posts {
            let effect = Effect::Post {
                to: Target::IncidentChannel,
                content,
                ping_roles,
                file: None,
                buttons: vec![],
            };
            self.push(tx, effect).await?;
        }
        Ok(())
    }

    /// Queues `effect` to run at once.
    pub async fn push(&mut self, tx: &mut Tx, effect: Effect) -> Result<(), crate::store::Error> {
        let due = self.now;
        self.push_at(tx, effect, due).await
    }

    /// Queues `effect` to run at `due`.
    pub async fn push_at(
        &mut self,
        tx: &mut Tx,
        effect: Effect,
        due: DateTime<Utc>,
    ) -> Result<(), crate::store::Error> {
        self.next += 1;
        let key = format!("{}:{}:{}", self.origin, self.next, effect.kind());
        self.push_keyed(tx, effect, due, key).await
    }

    /// Queues a reminder at `due`, keyed by what it is about and by the origin that asks for it
    /// (`inc:4:escalate:P1:1@ix:1234`): a fresh need (a later change, the next round) always
    /// schedules, even after the same need was cancelled or met before, and a re-run of the
    /// same origin (a retried job, a re-delivered interaction) never schedules it twice.
    pub async fn push_reminder(
        &mut self,
        tx: &mut Tx,
        effect: Effect,
        due: DateTime<Utc>,
        about: &str,
    ) -> Result<(), crate::store::Error> {
        let key = format!("inc:{}:{about}@{}", self.incident, self.origin);
        self.push_keyed(tx, effect, due, key).await
    }

    /// Queues `effect` at `due` under an explicit key; a key that exists already adds nothing.
    pub async fn push_keyed(
        &mut self,
        tx: &mut Tx,
        effect: Effect,
        due: DateTime<Utc>,
        key: String,
    ) -> Result<(), crate::store::Error> {
        enqueue(tx, &effect, Some(self.incident), key, due, self.now).await
    }
}

/// Queues `effect` as a job due at `due` under `key` (a key that exists already adds nothing),
/// about `incident` when it has one: the one way an effect becomes a job.
pub(super) async fn enqueue(
    tx: &mut Tx,
    effect: &Effect,
    incident: Option<IncidentId>,
    key: String,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), crate::store::Error> {
    let job = NewJob {
        kind: effect.kind().to_owned(),
        payload: serde_json::to_value(effect).map_err(crate::store::Error::other)?,
        incident,
        idempotency_key: key,
        due_at: due,
    };
    tx.enqueue(&job, now).await?;
    Ok(())
}
