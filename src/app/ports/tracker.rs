//! The `Tracker` port: where an incident's ticket and its post-mortem's action items live on
//! (GitHub issues, Jira, Linear), in our words: open a ticket, find one by its marker, comment,
//! close, reopen. The adapters in `outbound/` speak each tracker's wire format; jobs call this.

use std::time::Duration;

use crate::clock::BoxFuture;
use crate::scheduler::JobError;

/// A piece of a paragraph of a ticket's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Words, as people typed them: never markup in any tracker.
    Text(String),
    /// A link.
    Link {
        /// The words shown.
        text: String,
        /// Where it goes.
        url: String,
    },
}

/// A paragraph of a ticket's text (its body, a comment).
pub type Paragraph = Vec<Piece>;

/// What a ticket is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketKind {
    /// The incident's own ticket.
    Incident,
    /// A post-mortem's action item.
    ActionItem,
}

/// A ticket to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    /// Incident or action item.
    pub kind: TicketKind,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: Vec<Paragraph>,
    /// Labels: the severity, the systems.
    pub labels: Vec<String>,
    /// The hidden marker that finds it again after a lost answer
    /// (`incident-bot:inc-12:ticket`).
    pub marker: String,
    /// The tracker's user who owns it (mapped from Discord), if any.
    pub assignee: Option<String>,
    /// Whether it goes to the private project (a security incident's).
    pub private: bool,
}

/// A ticket that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// The tracker's key: `owner/name#42`, `OPS-12`, a Linear issue id.
    pub key: String,
    /// Its address, for people.
    pub url: String,
}

/// Why a tracker call failed.
#[derive(Debug, thiserror::Error)]
pub enum TrackerError {
    /// Passing (no answer, 429, 5xx, a secondary rate limit): try again, after `after` when
    /// the tracker said how long.
    #[error("{message}")]
    Passing {
        /// What happened.
        message: String,
        /// How long the tracker asked to wait.
        after: Option<Duration>,
    },
    /// The tracker refused for good (credentials, a missing project, issues disabled): what to
    /// fix, in a sentence.
    #[error("{0}")]
    Refused(String),
}

impl From<TrackerError> for JobError {
    fn from(e: TrackerError) -> Self {
        match e {
            TrackerError::Passing { after, .. } => JobError::Retry {
                after,
                error: e.into(),
            },
            TrackerError::Refused(_) => JobError::Fatal(e.into()),
        }
    }
}

/// A tracker.
pub trait Tracker: Send + Sync + std::fmt::Debug {
    /// Its name, as people read it: `GitHub`, `Jira`, `Linear`.
    fn name(&self) -> &'static str;

    /// Whether a private project is configured (without one, no security incident is sent).
    fn has_private(&self) -> bool;

    /// The ticket whose text carries `marker`, if there is one: how a retry finds what a lost
    /// answer created.
    fn find(
        &self,
        marker: &str,
        private: bool,
    ) -> BoxFuture<'_, Result<Option<Ticket>, TrackerError>>;

    /// Opens a ticket (an incident's, or an action item's).
    fn open(&self, ticket: &NewTicket) -> BoxFuture<'_, Result<Ticket, TrackerError>>;

    /// Adds a comment carrying `marker` where the tracker can hide one.
    fn comment(
        &self,
        ticket: &Ticket,
        text: &[Paragraph],
        marker: &str,
    ) -> BoxFuture<'_, Result<(), TrackerError>>;

    /// Whether the ticket has a comment carrying `marker` (a retry's look before commenting
    /// again). A tracker that cannot hide a marker says no.
    fn has_comment(
        &self,
        _ticket: &Ticket,
        _marker: &str,
    ) -> BoxFuture<'_, Result<bool, TrackerError>> {
        Box::pin(async { Ok(false) })
    }

    /// Closes the ticket (as done).
    fn close(&self, ticket: &Ticket) -> BoxFuture<'_, Result<(), TrackerError>>;

    /// Reopens it.
    fn reopen(&self, ticket: &Ticket) -> BoxFuture<'_, Result<(), TrackerError>>;

    /// Checks the set-up (credentials, project, team) and says what is wrong, in a sentence.
    fn check(&self) -> BoxFuture<'_, Result<(), TrackerError>>;
}
