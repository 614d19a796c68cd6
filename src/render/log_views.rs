//! The view of `log.hbs`: what the bot tells responders in the log channel. The sentences are
//! in the template, one block per kind; here are only the values they print.

use serde::Serialize;

use super::Markup;

/// `log.hbs`: a post in the log channel. Exactly one kind is set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogPost {
    /// An incident was declared and its channel opened.
    pub declared: Option<DeclaredLog>,
    /// The incident's channel existed already and more people could see it.
    pub exposed: Option<ExposedLog>,
    /// The incident's channel could not be opened.
    pub channel_failed: Option<ChannelFailedLog>,
    /// A job gave up.
    pub job_failed: Option<JobFailedLog>,
    /// A status webhook kept failing and was turned off.
    pub webhook_off: Option<WebhookOffLog>,
}

/// A `[[status.webhooks]]` receiver kept failing and was turned off.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookOffLog {
    /// Its name, shown in code spans: `check` lets only letters, digits, `-` and `_` in.
    pub name: Markup,
    /// Failed attempts in a row.
    pub failures: u32,
    /// The last failure, as the bot words it (escaped where it needs to be).
    pub error: Markup,
}

/// An incident was declared.
#[derive(Debug, Clone, Serialize)]
pub struct DeclaredLog {
    /// Its number.
    pub number: u32,
    /// `P1`.
    pub severity: String,
    /// Who declared it (a mention).
    pub by: Markup,
    /// Its title as typed; none for a security incident, whose title is not told here.
    pub title: Option<String>,
    /// Its channel (a channel link).
    pub channel: Markup,
}

/// A channel that existed already had its permissions replaced.
#[derive(Debug, Clone, Serialize)]
pub struct ExposedLog {
    /// The channel (a channel link).
    pub channel: Markup,
    /// The security role (a role mention), for a security incident; none for the team.
    pub security_role: Option<Markup>,
}

/// The incident's channel could not be opened.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelFailedLog {
    /// The incident's number, or its id when its record is gone.
    pub number: String,
    /// Why, as the bot words it (escaped where it needs to be), without a closing period.
    pub reason: Markup,
}

/// A job gave up.
#[derive(Debug, Clone, Serialize)]
pub struct JobFailedLog {
    /// The job's kind, shown in a code span: `post`, `open_channel` (the bot's name for it).
    pub kind: Markup,
    /// The incident's number, when the job had one.
    pub incident: Option<u32>,
    /// Attempts made.
    pub attempts: u32,
    /// Why, as the bot words it (escaped where it needs to be).
    pub reason: Markup,
    /// It lacked a permission: the reason says what to grant, and the attempts do not count.
    pub forbidden: bool,
}

impl LogPost {
    /// Every kind at once, so that loading proves each block of the template renders.
    pub(crate) fn sample() -> Self {
        Self {
            declared: Some(DeclaredLog {
                number: 7,
                severity: "P1".into(),
                by: Markup::raw("<@5>"),
                title: Some("Login down".into()),
                channel: Markup::raw("<#9>"),
            }),
            exposed: Some(ExposedLog {
                channel: Markup::raw("<#9>"),
                security_role: Some(Markup::raw("<@&4>")),
            }),
            channel_failed: Some(ChannelFailedLog {
                number: "7".into(),
                reason: Markup::raw("I need **Manage Channels** in <#2>"),
            }),
            job_failed: Some(JobFailedLog {
                kind: Markup::raw("open_channel"),
                incident: Some(7),
                attempts: 2,
                reason: Markup::raw("Discord answered 500"),
                forbidden: false,
            }),
            webhook_off: Some(WebhookOffLog {
                name: Markup::raw("fansite"),
                failures: 8,
                error: Markup::raw("the service answered 503"),
            }),
        }
    }
}

#[cfg(test)]
#[path = "log_tests.rs"]
mod tests;
