//! One slash or context-menu command being answered, whichever way it arrived (the gateway or
//! `POST /interactions`): who asked, where, its options, and its answers. Answers are ephemeral
//! and ping nobody; internal errors get an apology with an error id that is also in the log.
//! It also keeps what the metrics need: when it arrived (the acknowledgement latency), how it
//! ended (the command count), and a guard that keeps a shutdown waiting until it is answered.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serenity::all as serenity;

use super::metered::{metered, route};
use super::{Data, Error};
use crate::app::{AppError, Place};
use crate::domain::{Actor, ChannelId, Refusal, RoleId, UserId};
use crate::metrics::Outcome;
use crate::shutdown::Busy;

/// What answers need from Discord: the REST client, and the gateway's cache where this
/// replica has a session (an interaction over HTTP has none).
#[derive(Clone)]
pub struct Reach {
    /// serenity's REST client.
    pub http: Arc<serenity::Http>,
    /// The gateway's cache, on the replica that holds the gateway.
    pub cache: Option<Arc<serenity::Cache>>,
}

impl serenity::CacheHttp for Reach {
    fn http(&self) -> &serenity::Http {
        &self.http
    }

    fn cache(&self) -> Option<&Arc<serenity::Cache>> {
        self.cache.as_ref()
    }
}

/// A command interaction and its answers so far.
pub struct Ask<'a> {
    /// The bot.
    pub data: &'a Data,
    /// Where answers go.
    pub reach: &'a Reach,
    /// The interaction as Discord sent it.
    pub interaction: &'a serenity::CommandInteraction,
    /// `incident declare`, `ping`, `Add to timeline`: how logs and metrics name it.
    pub name: String,
    received: Instant,
    answered: AtomicBool,
    outcome: Mutex<Option<Outcome>>,
    _busy: Busy,
}

impl<'a> Ask<'a> {
    /// Starts answering `interaction`, named `name`.
    pub fn new(
        data: &'a Data,
        reach: &'a Reach,
        interaction: &'a serenity::CommandInteraction,
        name: String,
    ) -> Self {
        Self {
            data,
            reach,
            interaction,
            name,
            received: Instant::now(),
            answered: AtomicBool::new(false),
            outcome: Mutex::new(None),
            _busy: data.app.shutdown.busy(),
        }
    }

    /// The application.
    pub fn app(&self) -> &'a crate::app::App {
        &self.data.app
    }

    /// The interaction's id.
    pub fn id(&self) -> u64 {
        self.interaction.id.get()
    }

    /// Where the command runs, with `incident:` as typed.
    pub fn place(&self, incident: Option<u32>) -> Result<Place, Error> {
        let channel = ChannelId::new(self.interaction.channel_id.get())
            .ok_or_else(|| anyhow::anyhow!("channel id 0"))?;
        Ok(Place { channel, incident })
    }

    /// The person running the command, with their roles, from the interaction's member data.
    pub fn actor(&self) -> Result<Actor, Error> {
        let user = UserId::new(self.interaction.user.id.get())
            .ok_or_else(|| anyhow::anyhow!("user id 0"))?;
        let roles = self
            .interaction
            .member
            .as_ref()
            .map(|m| {
                m.roles
                    .iter()
                    .filter_map(|r| RoleId::new(r.get()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Actor { user, roles })
    }

    /// Whether Discord has had an answer to this interaction already.
    fn first(&self) -> bool {
        !self.answered.load(Ordering::SeqCst)
    }

    /// Discord accepted the first answer: observes the latency since arrival, once.
    fn acked(&self) {
        if !self.answered.swap(true, Ordering::SeqCst) {
            let took = self.received.elapsed().as_secs_f64();
            self.data.app.metrics.ack.observe(&[], took);
        }
    }

    /// Acknowledges with "thinking…", visible to its user only: the first answer, for commands
    /// that call Discord or wait on the queue before they know what to say.
    pub async fn defer(&self) -> Result<(), Error> {
        if !self.first() {
            return Ok(());
        }
        let call = self.interaction.defer_ephemeral(self.reach);
        metered(&self.data.app.metrics, "POST", route::CALLBACK, call).await?;
        self.acked();
        Ok(())
    }

    /// Sends `text` to the user who ran the command, visible to them only.
    pub async fn say(&self, text: impl Into<String>) -> Result<(), Error> {
        let text = crate::render::cap(&text.into(), crate::render::MESSAGE_LIMIT);
        let quiet = serenity::CreateAllowedMentions::new();
        let metrics = &self.data.app.metrics;
        if self.first() {
            let message = serenity::CreateInteractionResponseMessage::new()
                .content(text)
                .ephemeral(true)
                .allowed_mentions(quiet);
            let call = self.interaction.create_response(
                self.reach,
                serenity::CreateInteractionResponse::Message(message),
            );
            metered(metrics, "POST", route::CALLBACK, call).await?;
            self.acked();
        } else {
            let message = serenity::CreateInteractionResponseFollowup::new()
                .content(text)
                .ephemeral(true)
                .allowed_mentions(quiet);
            let call = self.interaction.create_followup(self.reach, message);
            metered(metrics, "POST", route::FOLLOWUP, call).await?;
        }
        Ok(())
    }

    /// Sends `text` with `buttons` under it, visible only to the user who ran the command: a
    /// question such as a runbook action's "Run it?". The first answer, or a follow-up.
    pub async fn say_with_buttons(
        &self,
        text: impl Into<String>,
        buttons: &[crate::app::Button],
    ) -> Result<(), Error> {
        let text = crate::render::cap(&text.into(), crate::render::MESSAGE_LIMIT);
        let rows = super::chat::component_rows(buttons, None);
        let quiet = serenity::CreateAllowedMentions::new();
        let metrics = &self.data.app.metrics;
        if self.first() {
            let message = serenity::CreateInteractionResponseMessage::new()
                .content(text)
                .components(rows)
                .ephemeral(true)
                .allowed_mentions(quiet);
            let call = self.interaction.create_response(
                self.reach,
                serenity::CreateInteractionResponse::Message(message),
            );
            metered(metrics, "POST", route::CALLBACK, call).await?;
            self.acked();
        } else {
            let message = serenity::CreateInteractionResponseFollowup::new()
                .content(text)
                .components(rows)
                .ephemeral(true)
                .allowed_mentions(quiet);
            let call = self.interaction.create_followup(self.reach, message);
            metered(metrics, "POST", route::FOLLOWUP, call).await?;
        }
        Ok(())
    }

    /// Opens `modal`: it must be the first answer (a modal cannot follow a defer).
    pub async fn modal(&self, modal: serenity::CreateModal) -> Result<(), Error> {
        let call = self.interaction.create_response(
            self.reach,
            serenity::CreateInteractionResponse::Modal(modal),
        );
        metered(&self.data.app.metrics, "POST", route::CALLBACK, call).await?;
        self.acked();
        Ok(())
    }

    /// Answers with the outcome of a use case: its text, the refusal, or an apology with an id.
    pub async fn outcome(&self, result: Result<String, AppError>) -> Result<(), Error> {
        match result {
            Ok(text) => self.say(text).await,
            Err(AppError::User(why)) => self.refuse(Outcome::Refused, &why).await,
            Err(AppError::Internal(e)) => self.apologise(&e).await,
            Err(AppError::Unavailable(e)) => {
                tracing::warn!(
                    command = %self.name,
                    error = %super::error_chain(&e),
                    "command met the database down"
                );
                self.refuse(Outcome::Error, &Refusal::Unavailable).await
            }
        }
    }

    /// Answers `why`, worded by `refusal.hbs`, and counts the command as ended with `outcome`.
    pub async fn refuse(&self, outcome: Outcome, why: &Refusal) -> Result<(), Error> {
        self.set_outcome(outcome);
        let text = self.app().templates.refusal(why)?;
        self.say(text).await
    }

    /// Logs an internal error under a new error id and gives the user that id.
    pub async fn apologise(&self, error: &anyhow::Error) -> Result<(), Error> {
        self.set_outcome(Outcome::Error);
        let id = error_id(self.id());
        tracing::error!(
            error_id = %id,
            command = %self.name,
            error = %super::error_chain(error),
            "command failed"
        );
        let text = self
            .app()
            .templates
            .refusal(&Refusal::Broke { error_id: id })?;
        self.say(text).await
    }

    /// Records how the command ended, for [`Ask::finish`].
    pub fn set_outcome(&self, outcome: Outcome) {
        if let Ok(mut slot) = self.outcome.lock() {
            *slot = Some(outcome);
        }
    }

    /// Counts the command with the outcome recorded, or `fallback` when none was.
    pub fn finish(&self, fallback: Outcome) {
        let recorded = self.outcome.lock().ok().and_then(|slot| *slot);
        let outcome = recorded.unwrap_or(fallback);
        self.data.app.metrics.command(&self.name, outcome);
    }
}

/// A short id for an error, unique per interaction.
pub fn error_id(interaction: u64) -> String {
    format!("E{interaction:x}")
}
