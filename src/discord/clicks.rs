//! Clicks on the bot's buttons. A button's custom id is `<prefix>:<what it is about>`; the
//! prefix picks the use case, which answers with the message's new look or a refusal only the
//! clicker sees.

use poise::serenity_prelude as serenity;

use super::chat::button_rows;
use super::{error_chain, reply, Data, Error};
use crate::app::{self, AppError, Clicked};
use crate::domain::{Actor, IncidentId, RoleId, UserId};

/// Routes a click to its use case and answers it. Clicks on buttons of other bots' or older
/// versions' messages are told the button no longer works.
pub(super) async fn on_click(
    ctx: &serenity::Context,
    click: &serenity::ComponentInteraction,
    data: &Data,
) -> Result<(), Error> {
    let actor = clicker(click)?;
    let (prefix, about) = click
        .data
        .custom_id
        .split_once(':')
        .unwrap_or((click.data.custom_id.as_str(), ""));
    let app = &data.app;
    let result = match prefix {
        app::VERIFY_BUTTON => match incident(about) {
            Ok(id) => app::confirm_fix(app, &actor, id).await,
            Err(e) => Err(e),
        },
        app::CHECK_BUTTON => match app::CheckClick::parse(about) {
            Ok(click) => app::tick(app, &actor, click).await,
            Err(e) => Err(e),
        },
        _ => Err(AppError::user(
            "This button no longer does anything. Run /incident status for what to do now.",
        )),
    };
    answer(ctx, click, result).await
}

/// The incident a button is about.
fn incident(about: &str) -> Result<IncidentId, AppError> {
    about
        .parse::<i64>()
        .map(IncidentId)
        .map_err(|_| AppError::user("That button belongs to no incident."))
}

/// The person who clicked, with their roles.
fn clicker(click: &serenity::ComponentInteraction) -> Result<Actor, Error> {
    let roles = click
        .member
        .as_ref()
        .map(|m| {
            m.roles
                .iter()
                .filter_map(|r| RoleId::new(r.get()))
                .collect()
        })
        .unwrap_or_default();
    Ok(Actor {
        user: UserId::new(click.user.id.get()).ok_or_else(|| anyhow::anyhow!("user id 0"))?,
        roles,
    })
}

/// Edits the clicked message to its new look, or tells the clicker alone why nothing changed.
/// Nothing in either answer pings anyone.
async fn answer(
    ctx: &serenity::Context,
    click: &serenity::ComponentInteraction,
    result: Result<Clicked, AppError>,
) -> Result<(), Error> {
    use serenity::{
        CreateInteractionResponse as Response, CreateInteractionResponseMessage as Message,
    };
    let quiet = serenity::CreateAllowedMentions::new;
    let response = match result {
        Ok(Clicked { content, buttons }) => Response::UpdateMessage(
            Message::new()
                .content(content)
                .components(button_rows(&buttons))
                .allowed_mentions(quiet()),
        ),
        Err(AppError::User(e)) => Response::Message(
            Message::new()
                .content(format!("⛔ {e}"))
                .ephemeral(true)
                .allowed_mentions(quiet()),
        ),
        Err(AppError::Internal(e)) => {
            let id = reply::error_id(click.id.get());
            tracing::error!(
                error_id = %id,
                button = %click.data.custom_id,
                error = %error_chain(&e),
                "button failed"
            );
            Response::Message(
                Message::new()
                    .content(format!(
                        "Something went wrong and nothing was recorded. Error id: `{id}`."
                    ))
                    .ephemeral(true)
                    .allowed_mentions(quiet()),
            )
        }
    };
    click.create_response(ctx, response).await?;
    Ok(())
}
