//! `/incident run action:<id>`: runs a runbook action (`[[actions]]`) in this incident, with
//! the action autocompleted from those the person may run here. The rules are in
//! `app::actions`.

use serenity::all as serenity;

use super::super::ask::Ask;
use super::super::Error;
use super::spec::{BoxFuture, Kind, Options, Param, Spec};
use crate::app::{self, RunAsked};
use crate::domain::{Actor, ChannelId, RoleId, UserId};

/// `/incident run`.
pub const SPEC: Spec = Spec::sub(
    super::incident::GROUP.command,
    "run",
    "Run a runbook action (snapshot, scale up, smoke tests) in this incident.",
    &[
        Param::required("action", Kind::Action, "The action: start typing its name"),
        Param::optional(
            "incident",
            Kind::Int {
                min: 1,
                max: u32::MAX as u64,
            },
            "Its number, from the log channel",
        ),
    ],
    run,
);

/// The name a person goes by in the server: their nickname, display name or username (what an
/// action's body says as `by`).
pub(crate) fn display_name(user: &serenity::User, nick: Option<&str>) -> String {
    nick.map(str::to_owned)
        .or_else(|| user.global_name.clone())
        .unwrap_or_else(|| user.name.clone())
}

fn run<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let id = o.need_text("action")?;
        ask.defer().await?;
        let place = ask.place(o.incident()?)?;
        let actor = ask.actor()?;
        let nick = ask
            .interaction
            .member
            .as_ref()
            .and_then(|m| m.nick.as_deref());
        let name = display_name(&ask.interaction.user, nick);
        let origin = format!("ix:{}", ask.id());
        let asked = app::request_run(ask.app(), &actor, &name, place, id.trim(), &origin).await;
        match asked {
            Ok(RunAsked::Confirm { content, buttons }) => {
                ask.say_with_buttons(content, &buttons).await
            }
            Ok(RunAsked::Queued(text)) => ask.say(text).await,
            Err(e) => ask.outcome(Err(e)).await,
        }
    })
}

/// The actions the person may run in this channel's incident (any incident elsewhere) whose
/// id or label holds what they typed: at most 25, named by label, sent as the id.
pub async fn complete(
    app: &app::App,
    interaction: &serenity::CommandInteraction,
    typed: &str,
) -> Vec<serenity::AutocompleteChoice> {
    let Some(user) = UserId::new(interaction.user.id.get()) else {
        return Vec::new();
    };
    let roles = interaction
        .member
        .as_ref()
        .map(|m| {
            m.roles
                .iter()
                .filter_map(|r| RoleId::new(r.get()))
                .collect()
        })
        .unwrap_or_default();
    let actor = Actor { user, roles };
    let kind = match ChannelId::new(interaction.channel_id.get()) {
        Some(channel) => app
            .db
            .incident_by_channel(channel)
            .await
            .ok()
            .flatten()
            .map(|r| r.incident.kind),
        None => None,
    };
    let typed = typed.trim().to_lowercase();
    app::runnable(app, &actor, kind)
        .into_iter()
        .filter(|(id, label)| id.contains(&typed) || label.to_lowercase().contains(&typed))
        .take(25)
        .map(|(id, label)| {
            serenity::AutocompleteChoice::new(crate::render::cap(label, 100), id.to_owned())
        })
        .collect()
}
