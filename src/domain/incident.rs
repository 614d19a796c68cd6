//! An incident and its lifecycle: declared in triage, phases forward, resolve, then close.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Eta, EtaInput, FreeText, Happened, IncidentKind, IncidentRole, IncidentTitle, Phase, Roles,
    Severity, ShortText, SinceInput, Systems, TimelineEvent, UserId, MAX_DETECTED_BEFORE,
};

/// Where an incident is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Being worked.
    Open,
    /// A fix is in and is being verified (phase 4) before players are told.
    Verifying,
    /// The fix held: in recovery and communication, awaiting close.
    Resolved,
    /// Archived. Accepts nothing more.
    Closed,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Verifying => "verifying",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Open, Self::Verifying, Self::Resolved, Self::Closed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One phase the incident went through, for the per-phase durations in summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseSpan {
    /// The phase.
    pub phase: Phase,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// When it ended; `None` while current.
    pub ended_at: Option<DateTime<Utc>>,
}

/// What a responder asks for when declaring, already parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// The title.
    pub title: IncidentTitle,
    /// The severity.
    pub severity: Severity,
    /// Availability or security.
    pub kind: IncidentKind,
    /// The affected systems.
    pub systems: Systems,
    /// A first summary, if given.
    pub summary: Option<FreeText>,
    /// Who declared it.
    pub declared_by: UserId,
    /// When players can expect a fix, if said.
    pub eta: Option<EtaInput>,
    /// When the problem began, if known (the alert intake knows); else the declaration.
    pub detected_at: Option<DateTime<Utc>>,
}

/// The state of one incident. Built by [`Incident::declare`] and changed only by its methods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// The title.
    pub title: IncidentTitle,
    /// A summary of what is going on.
    pub summary: Option<FreeText>,
    /// Availability or security.
    pub kind: IncidentKind,
    /// The current severity.
    pub severity: Severity,
    /// The affected systems.
    pub systems: Systems,
    /// The current phase.
    pub phase: Phase,
    /// Open, resolved or closed.
    pub status: Status,
    /// Who holds which role.
    pub roles: Roles,
    /// Who declared it.
    pub declared_by: UserId,
    /// When it was declared.
    pub declared_at: DateTime<Utc>,
    /// When the problem began: the declaration unless someone knew better. Phase budgets, the
    /// time to resolve and the post-mortem's "when did it happen" count from it.
    pub detected_at: DateTime<Utc>,
    /// The last ETA given (at declare, in an update or with the alert).
    pub eta: Option<Eta>,
    /// Every phase so far, the current one last.
    pub phases: Vec<PhaseSpan>,
    /// The last status update, if any.
    pub last_update: Option<FreeText>,
    /// When the last status update was posted.
    pub last_update_at: Option<DateTime<Utc>>,
    /// The root cause given at resolve.
    pub root_cause: Option<FreeText>,
    /// The compensation offered to players, if any.
    pub compensation: Option<FreeText>,
    /// When the fix was applied (`/incident resolve`); cleared by a reopen.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When the fix was confirmed to hold; cleared by a reopen.
    pub verified_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// The time of the latest state change, so that entries never go back in time.
    pub last_change_at: DateTime<Utc>,
}

/// Why a command cannot apply to an incident in its current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum TransitionError {
    /// The incident is closed.
    #[error("this incident is closed: declare a new one if the problem is back")]
    Closed,
    /// The incident is already resolved.
    #[error(
        "this incident is already resolved: use /incident close to archive it, or \
         /incident reopen if the problem is back"
    )]
    AlreadyResolved,
    /// Resolve again while the fix is being verified.
    #[error(
        "the fix is already being verified: answer the fix check with The fix held or It did \
         not hold, or run /incident reopen if it failed"
    )]
    AlreadyVerifying,
    /// Close before resolve.
    #[error("this incident is not resolved yet: run /incident resolve first")]
    NotResolved,
    /// Close while the fix is being verified.
    #[error(
        "the fix is still being verified: press The fix held under the fix check once the \
         verify steps pass, then close"
    )]
    NotVerified,
    /// A fix check answered when no fix is being verified.
    #[error(
        "no fix is being verified: run /incident resolve when the fix is in, which starts the \
         verification"
    )]
    NotVerifying,
    /// Reopen an incident that is being worked.
    #[error("this incident is open already: nothing to reopen")]
    NotReopenable,
    /// A phase that is not after the current one.
    #[error(
        "the incident is in {} already; phases only move forward, so {} is refused",
        .current.key(),
        .requested.key()
    )]
    PhaseNotForward {
        /// The current phase, by number (`labels.hbs` words it).
        #[serde(serialize_with = "phase_number")]
        current: Phase,
        /// The phase asked for.
        #[serde(serialize_with = "phase_number")]
        requested: Phase,
    },
    /// Recovery is reached by resolving.
    #[error(
        "Recovery & Communication begins when the incident is resolved: run /incident resolve"
    )]
    RecoveryNeedsResolve,
    /// Phase changes after resolve.
    #[error(
        "the fix is in, so the phase follows the verification: run /incident reopen first if \
         the work is not over"
    )]
    PhaseAfterResolve,
    /// The severity is already that level.
    #[error("the severity is already {0}")]
    SameSeverity(Severity),
    /// Players are never told about a security incident by the bot.
    #[error(
        "security incidents are never announced to players, so nothing was posted. Run it again \
         without public:true to post it in this channel only; what players are told about a \
         security incident is the security lead's decision, posted by hand in the announcement \
         channel"
    )]
    SecurityNeverAnnounced,
    /// A service alert for a security incident.
    #[error(
        "security incidents are never announced to players, so no alert was posted; what \
         players are told about a security incident is the security lead's decision, posted by \
         hand in the announcement channel"
    )]
    SecurityNotAlerted,
    /// A service alert once the problem is fixed.
    #[error(
        "this incident is no longer open, so an alert would tell players about a problem that \
         is fixed: post news with /incident update public:true instead"
    )]
    AlertAfterFix,
    /// An edit that names nothing to change.
    #[error("give at least one of title, systems, summary or detected_at to change")]
    NothingToEdit,
    /// An edit that changes nothing.
    #[error("nothing changed: those are the incident's facts already")]
    NothingChanged,
    /// The kind is already that.
    #[error("this is already {} incident", article(*.0))]
    SameKind(IncidentKind),
    /// A start time after now.
    #[error(
        "the problem cannot have begun in the future ({0}): give a time before now (times are UTC)"
    )]
    DetectedInFuture(String),
    /// A start time after the declaration.
    #[error(
        "the problem began before it was declared ({declared}), and {given} is after that. \
         For a time on another day, write the date too, like `2026-11-29 23:50` (times are UTC)"
    )]
    DetectedAfterDeclared {
        /// When the incident was declared.
        declared: String,
        /// The time given.
        given: String,
    },
    /// A start time implausibly long before the declaration.
    #[error(
        "{0} is more than 30 days before the incident was declared: check the date (times are UTC)"
    )]
    DetectedTooEarly(String),
    /// The role already belongs to that user.
    #[error("<@{user}> is already the {}", .role.key())]
    AlreadyAssigned {
        /// The role, by its key (`labels.hbs` words it).
        role: IncidentRole,
        /// Its holder.
        user: UserId,
    },
}

/// What a command says happened, before it is stamped with who and when.
type Said = Vec<TimelineEvent>;

/// A change a responder asks of an incident. Each one yields timeline entries or an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Raise or lower the severity.
    ChangeSeverity {
        /// The new level.
        to: Severity,
        /// Why, if said.
        reason: Option<ShortText>,
    },
    /// Move to a later phase.
    AdvancePhase {
        /// The phase to move to.
        to: Phase,
    },
    /// Give a role to someone.
    Assign {
        /// The role.
        role: IncidentRole,
        /// Who takes it.
        user: UserId,
    },
    /// Post a status update.
    Update {
        /// The update.
        message: FreeText,
        /// Whether players see it too.
        public: bool,
        /// Whether it is also published (crossposted) to following servers; implies `public`.
        publish: bool,
        /// A new ETA, if given.
        eta: Option<EtaInput>,
    },
    /// Post the service alert for players, once, when the severity did not do it.
    Announce {
        /// A new ETA, if given.
        eta: Option<EtaInput>,
    },
    /// Correct the facts given at declare.
    Edit {
        /// A new title.
        title: Option<IncidentTitle>,
        /// New affected systems (replacing the old list).
        systems: Option<Systems>,
        /// A new summary.
        summary: Option<FreeText>,
        /// When the problem began.
        detected_at: Option<SinceInput>,
    },
    /// Turn an availability incident into a security one, or back.
    ChangeKind {
        /// The new kind.
        to: IncidentKind,
    },
    /// Add a note to the timeline.
    Note {
        /// The note.
        text: FreeText,
    },
    /// Record the fix: start verifying it, or, with `all_clear_now`, end the incident's work
    /// at once (for an incident that is obviously over).
    Resolve {
        /// The root cause, in brief.
        root_cause: FreeText,
        /// The compensation for players, if any.
        compensation: Option<FreeText>,
        /// Skip the verification window: the fix counts as held now.
        all_clear_now: bool,
    },
    /// The fix check's answer: the fix held. Recovery begins.
    FixHeld,
    /// The fix did not hold, or the problem is back: work resumes in phase 4.
    Reopen {
        /// Why, as people said it.
        reason: FreeText,
    },
    /// Archive the incident.
    Close,
}

impl Incident {
    /// Declares an incident: it starts open, in triage, with what its timeline records.
    pub fn declare(d: Declaration, now: DateTime<Utc>) -> (Self, Happened) {
        let entry = Happened {
            at: now,
            actor: d.declared_by,
            event: TimelineEvent::Declared {
                severity: d.severity,
                kind: d.kind,
                title: d.title.clone(),
            },
        };
        let incident = Self {
            title: d.title,
            summary: d.summary,
            kind: d.kind,
            severity: d.severity,
            systems: d.systems,
            phase: Phase::Triage,
            status: Status::Open,
            roles: Roles::default(),
            declared_by: d.declared_by,
            declared_at: now,
            // An intake's start time after the declaration would be a clock gone wrong.
            detected_at: d.detected_at.map_or(now, |at| at.min(now)),
            eta: d.eta.map(|e| e.at(now)),
            phases: vec![PhaseSpan {
                phase: Phase::Triage,
                started_at: now,
                ended_at: None,
            }],
            last_update: None,
            last_update_at: None,
            root_cause: None,
            compensation: None,
            resolved_at: None,
            verified_at: None,
            closed_at: None,
            last_change_at: now,
        };
        (incident, entry)
    }

    /// When the current phase began.
    pub fn phase_started_at(&self) -> DateTime<Utc> {
        self.phases
            .last()
            .map_or(self.declared_at, |span| span.started_at)
    }

    /// How long it took from the problem's start to a fix that held, once verified.
    pub fn time_to_resolve(&self) -> Option<TimeDelta> {
        self.verified_at.map(|at| at - self.detected_at)
    }

    /// Whether the incident is still being worked or verified (not yet in recovery).
    pub fn is_active(&self) -> bool {
        matches!(self.status, Status::Open | Status::Verifying)
    }

    /// Applies `command` by `actor` at `now`. On success the incident changed and the returned
    /// events say how (the timeline template words them); on error nothing changed.
    pub fn apply(
        &mut self,
        command: Command,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Happened>, TransitionError> {
        if self.status == Status::Closed {
            return Err(TransitionError::Closed);
        }
        // A clock that steps back must not reorder the timeline.
        let now = now.max(self.last_change_at);
        let said = match command {
            Command::ChangeSeverity { to, reason } => self.change_severity(to, reason)?,
            Command::AdvancePhase { to } => self.advance_phase(to, now)?,
            Command::Assign { role, user } => self.assign(role, user)?,
            Command::Update {
                message,
                public,
                publish,
                eta,
            } => self.update(message, public, publish, eta, now)?,
            Command::Announce { eta } => self.announce(eta, now)?,
            Command::Edit {
                title,
                systems,
                summary,
                detected_at,
            } => self.edit(title, systems, summary, detected_at, now)?,
            Command::ChangeKind { to } => self.change_kind(to)?,
            Command::Note { text } => vec![TimelineEvent::Note { text }],
            Command::Resolve {
                root_cause,
                compensation,
                all_clear_now,
            } => self.resolve(root_cause, compensation, all_clear_now, now)?,
            Command::FixHeld => self.fix_held(now)?,
            Command::Reopen { reason } => self.reopen(reason, now)?,
            Command::Close => self.close(now)?,
        };
        self.last_change_at = now;
        Ok(said
            .into_iter()
            .map(|event| Happened {
                at: now,
                actor,
                event,
            })
            .collect())
    }

    /// Raises or lowers the severity.
    fn change_severity(
        &mut self,
        to: Severity,
        reason: Option<ShortText>,
    ) -> Result<Said, TransitionError> {
        if to == self.severity {
            return Err(TransitionError::SameSeverity(to));
        }
        let from = std::mem::replace(&mut self.severity, to);
        Ok(vec![TimelineEvent::SeverityChanged { from, to, reason }])
    }

    /// Moves to a later phase, short of recovery (which only the fix's check reaches).
    fn advance_phase(&mut self, to: Phase, now: DateTime<Utc>) -> Result<Said, TransitionError> {
        if self.status != Status::Open {
            return Err(TransitionError::PhaseAfterResolve);
        }
        if to <= self.phase {
            return Err(TransitionError::PhaseNotForward {
                current: self.phase,
                requested: to,
            });
        }
        if to == Phase::Recovery {
            return Err(TransitionError::RecoveryNeedsResolve);
        }
        let from = self.phase;
        self.enter_phase(to, now);
        Ok(vec![TimelineEvent::PhaseMoved { from, to }])
    }

    /// Gives `role` to `user`.
    fn assign(&mut self, role: IncidentRole, user: UserId) -> Result<Said, TransitionError> {
        if self.roles.get(role) == Some(user) {
            return Err(TransitionError::AlreadyAssigned { role, user });
        }
        let before = self.roles.get(role);
        self.roles.set(role, user);
        Ok(vec![TimelineEvent::RoleAssigned { role, user, before }])
    }

    /// Records a status update, public or not, with a new ETA if given.
    fn update(
        &mut self,
        message: FreeText,
        public: bool,
        publish: bool,
        eta: Option<EtaInput>,
        now: DateTime<Utc>,
    ) -> Result<Said, TransitionError> {
        let public = public || publish;
        if public && self.kind == IncidentKind::Security {
            return Err(TransitionError::SecurityNeverAnnounced);
        }
        let eta = eta.map(|eta| eta.at(now));
        if let Some(eta) = &eta {
            self.eta = Some(eta.clone());
        }
        self.last_update = Some(message.clone());
        self.last_update_at = Some(now);
        Ok(vec![TimelineEvent::Update {
            message,
            public,
            published: publish,
            eta,
        }])
    }

    /// Records the service alert for players.
    fn announce(
        &mut self,
        eta: Option<EtaInput>,
        now: DateTime<Utc>,
    ) -> Result<Said, TransitionError> {
        if self.kind == IncidentKind::Security {
            return Err(TransitionError::SecurityNotAlerted);
        }
        if self.status != Status::Open {
            return Err(TransitionError::AlertAfterFix);
        }
        let eta: Option<Eta> = eta.map(|eta| eta.at(now));
        if let Some(eta) = &eta {
            self.eta = Some(eta.clone());
        }
        Ok(vec![TimelineEvent::Announced { eta }])
    }

    /// Turns an availability incident into a security one, or back.
    fn change_kind(&mut self, to: IncidentKind) -> Result<Said, TransitionError> {
        if to == self.kind {
            return Err(TransitionError::SameKind(to));
        }
        self.kind = to;
        Ok(vec![TimelineEvent::KindChanged { to }])
    }

    /// Records the fix: verification begins, or with `all_clear_now` recovery at once.
    fn resolve(
        &mut self,
        root_cause: FreeText,
        compensation: Option<FreeText>,
        all_clear_now: bool,
        now: DateTime<Utc>,
    ) -> Result<Said, TransitionError> {
        match self.status {
            Status::Open => {}
            Status::Verifying => return Err(TransitionError::AlreadyVerifying),
            Status::Resolved | Status::Closed => return Err(TransitionError::AlreadyResolved),
        }
        self.resolved_at = Some(now);
        self.root_cause = Some(root_cause.clone());
        self.compensation = compensation.clone();
        let mut entries = vec![TimelineEvent::Resolved {
            root_cause,
            compensation,
        }];
        if all_clear_now {
            entries.push(TimelineEvent::AllClearAtOnce);
            self.recover(now);
        } else {
            self.status = Status::Verifying;
            self.enter_phase(Phase::Resolution, now);
        }
        Ok(entries)
    }

    /// The fix held: recovery and communication begin.
    fn fix_held(&mut self, now: DateTime<Utc>) -> Result<Said, TransitionError> {
        match self.status {
            Status::Verifying => {}
            Status::Open => return Err(TransitionError::NotVerifying),
            Status::Resolved | Status::Closed => return Err(TransitionError::AlreadyResolved),
        }
        self.recover(now);
        Ok(vec![TimelineEvent::FixHeld])
    }

    /// The fix did not hold, or the problem is back: work resumes in phase 4.
    fn reopen(&mut self, reason: FreeText, now: DateTime<Utc>) -> Result<Said, TransitionError> {
        if self.status == Status::Open {
            return Err(TransitionError::NotReopenable);
        }
        let after_all_clear = self.status != Status::Verifying;
        self.status = Status::Open;
        self.resolved_at = None;
        self.verified_at = None;
        self.enter_phase(Phase::Resolution, now);
        Ok(vec![TimelineEvent::Reopened {
            after_all_clear,
            reason,
            back_to: Phase::Resolution,
        }])
    }

    /// Archives a resolved incident.
    fn close(&mut self, now: DateTime<Utc>) -> Result<Said, TransitionError> {
        match self.status {
            Status::Resolved => {}
            Status::Verifying => return Err(TransitionError::NotVerified),
            Status::Open | Status::Closed => return Err(TransitionError::NotResolved),
        }
        self.status = Status::Closed;
        self.closed_at = Some(now);
        if let Some(span) = self.phases.last_mut() {
            span.ended_at = Some(now);
        }
        Ok(vec![TimelineEvent::Closed])
    }

    /// Applies an edit; returns an event per fact that changed.
    fn edit(
        &mut self,
        title: Option<IncidentTitle>,
        systems: Option<Systems>,
        summary: Option<FreeText>,
        detected_at: Option<SinceInput>,
        now: DateTime<Utc>,
    ) -> Result<Said, TransitionError> {
        if title.is_none() && systems.is_none() && summary.is_none() && detected_at.is_none() {
            return Err(TransitionError::NothingToEdit);
        }
        let detected = detected_at.map(|d| d.at(now));
        if let Some(at) = detected {
            let given = written(at);
            if at > now {
                return Err(TransitionError::DetectedInFuture(given));
            }
            if at > self.declared_at {
                return Err(TransitionError::DetectedAfterDeclared {
                    declared: written(self.declared_at),
                    given,
                });
            }
            if at < self.declared_at - MAX_DETECTED_BEFORE {
                return Err(TransitionError::DetectedTooEarly(given));
            }
        }
        let mut changes = Vec::new();
        if let Some(title) = title.filter(|t| *t != self.title) {
            let from = std::mem::replace(&mut self.title, title.clone());
            changes.push(TimelineEvent::TitleChanged { from, to: title });
        }
        if let Some(systems) = systems.filter(|s| *s != self.systems) {
            let from = std::mem::replace(&mut self.systems, systems.clone());
            changes.push(TimelineEvent::SystemsChanged { from, to: systems });
        }
        if let Some(summary) = summary.filter(|s| Some(s) != self.summary.as_ref()) {
            self.summary = Some(summary.clone());
            changes.push(TimelineEvent::SummaryChanged { to: summary });
        }
        if let Some(at) = detected.filter(|at| *at != self.detected_at) {
            let from = std::mem::replace(&mut self.detected_at, at);
            changes.push(TimelineEvent::StartChanged { from, to: at });
        }
        if changes.is_empty() {
            return Err(TransitionError::NothingChanged);
        }
        Ok(changes)
    }

    /// The fix held at `now`: recovery and communication begin.
    fn recover(&mut self, now: DateTime<Utc>) {
        self.status = Status::Resolved;
        self.verified_at = Some(now);
        self.enter_phase(Phase::Recovery, now);
    }

    fn enter_phase(&mut self, to: Phase, now: DateTime<Utc>) {
        if self.phase == to {
            return;
        }
        if let Some(span) = self.phases.last_mut() {
            span.ended_at = Some(now);
        }
        self.phases.push(PhaseSpan {
            phase: to,
            started_at: now,
            ended_at: None,
        });
        self.phase = to;
    }
}

/// A full UTC date, as the timeline and the refusals write one.
fn written(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A phase by its number, for a template to word (`labels.hbs`).
fn phase_number<S: serde::Serializer>(phase: &Phase, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(phase.number())
}

/// `an availability` or `a security`.
fn article(kind: IncidentKind) -> String {
    match kind {
        IncidentKind::Availability => format!("an {kind}"),
        IncidentKind::Security => format!("a {kind}"),
    }
}

#[cfg(test)]
#[path = "incident_tests.rs"]
mod tests;
