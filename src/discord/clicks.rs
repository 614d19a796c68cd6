//! Clicks on the bot's buttons. A button's custom id is `<prefix>:<what it is about>`; the
//! prefix picks the use case, which answers with the message's new look or a refusal only the
//! clicker sees.

mod alerts;

use std::time::Instant;

use serenity::all as serenity;

use super::ask::{error_id, Reach};
use super::chat::component_rows;
use super::commands::report::{self, REPORT_FORM};
use super::commands::translations;
use super::metered::{metered, route};
use super::{error_chain, Data, Error};
use crate::app::{self, AppError, Clicked, DeclareArgs, FixAnswer};
use crate::domain::{
    Actor, FreeText, IncidentId, IncidentKind, InteractionId, Refusal, Severity, Typed, UserId,
};
use crate::metrics::Outcome;
use crate::render::{Label, Templates};

/// Routes a click to its use case and answers it. Clicks on buttons of other bots' or older
/// versions' messages are told the button no longer works.
pub(super) async fn on_click(
    reach: &Reach,
    click: &serenity::ComponentInteraction,
    data: &Data,
) -> Result<(), Error> {
    let (prefix, about) = split(&click.data.custom_id);
    let arrival = Arrival::new(data, format!("button {prefix}"));
    if data.app.shutdown.is_triggered() {
        let answer = click.create_response(reach, restarting(data)?);
        return arrival.answered(Outcome::Restarting, answer).await;
    }
    if prefix == translations::MORE {
        let answer = click.create_response(reach, more_languages(data, click, about).await?);
        return arrival.answered(Outcome::Ok, answer).await;
    }
    // A form must be the first answer to the click: it cannot follow a defer.
    if let Some(modal) = form_for(&data.app.templates, prefix, &click.data.custom_id) {
        let answer =
            click.create_response(reach, serenity::CreateInteractionResponse::Modal(modal));
        return arrival.answered(Outcome::Ok, answer).await;
    }
    if prefix == app::ALERTS_BUTTON {
        return alerts::alerts_click(reach, click, data, &arrival, about).await;
    }
    let actor = member_actor(&click.user, click.member.as_ref())?;
    let app = &data.app;
    let origin = format!("ix:{}", click.id);
    if prefix == app::TIMELINE_CHART_BUTTON {
        return chart_click(reach, click, data, &arrival, (&actor, about, &origin)).await;
    }
    let result = match prefix {
        app::FIX_HELD_BUTTON => match incident(about) {
            Ok(id) => app::answer_fix_check(app, &actor, id, FixAnswer::Held, &origin).await,
            Err(e) => Err(e),
        },
        app::CHECK_BUTTON | app::RUN_BUTTON | app::RAN_BUTTON | app::AGAIN_BUTTON => {
            let name = super::commands::display_name(
                &click.user,
                click.member.as_ref().and_then(|m| m.nick.as_deref()),
            );
            let shown = shown_ticked(click);
            let result = action_click(app, &actor, &name, (prefix, about, shown), &origin).await;
            let outcome = outcome_of(&result);
            let response = response(data, result, click.id.get(), &click.data.custom_id)?;
            arrival
                .answered(outcome, click.create_response(reach, response))
                .await?;
            return Ok(());
        }
        app::TAKE_COMMAND_BUTTON => match incident(about) {
            Ok(id) => app::take_command(app, &actor, id, &origin).await,
            Err(e) => Err(e),
        },
        app::MAINTENANCE_BUTTON => app::maintenance_click(app, &actor, about, &origin).await,
        app::UNLOCK_BUTTON => app::unlock_click(app, &actor, about, &origin).await,
        app::DECLARE_BUTTON => match app::card_of(about) {
            Ok((card, Some(severity))) => {
                let interaction = InteractionId::new(click.id.get())
                    .ok_or_else(|| anyhow::anyhow!("interaction id 0"))?;
                let counts = super::commands::counts(reach, &data.app).await?;
                app::declare_from_card(app, &actor, card, severity, interaction, counts).await
            }
            Ok((_, None)) => Err(Refusal::ButtonWithoutSeverity.into()),
            Err(e) => Err(e),
        },
        app::ATTACH_MENU => match (app::card_of(about), &click.data.kind) {
            (Ok((card, None)), serenity::ComponentInteractionDataKind::StringSelect { values }) => {
                app::attach_card(app, &actor, card, values).await
            }
            (Err(e), _) => Err(e),
            _ => Err(Refusal::PickAnIncident.into()),
        },
        _ => Err(Refusal::StaleButton.into()),
    };
    rewrite_clicked(reach, click, data, &arrival, result).await
}

/// Answers a click by rewriting its message as `result` says (keeping the message's files).
async fn rewrite_clicked(
    reach: &Reach,
    click: &serenity::ComponentInteraction,
    data: &Data,
    arrival: &Arrival<'_>,
    result: Result<Clicked, AppError>,
) -> Result<(), Error> {
    let outcome = outcome_of(&result);
    if let (Ok(clicked), Some(message)) = (&result, with_files(Some(&click.message))) {
        let ack = click.create_response(reach, serenity::CreateInteractionResponse::Acknowledge);
        arrival.answered(outcome, ack).await?;
        return edit_keeping_files(reach, data, message, clicked).await;
    }
    let response = response(
        data,
        result.map(Answer::Edit),
        click.id.get(),
        &click.data.custom_id,
    )?;
    arrival
        .answered(outcome, click.create_response(reach, response))
        .await
}

/// `message`, when it carries files.
fn with_files(message: Option<&serenity::Message>) -> Option<&serenity::Message> {
    message.filter(|m| !m.attachments.is_empty())
}

/// Rewrites `message` as `clicked` says, leaving its files. An answer that updates the message
/// (callback type 7) would drop them: serenity always sends its file list, empty, and Discord
/// keeps only the files listed. So a message with files (a fix check with its charts) is
/// acknowledged (type 6), then edited here.
async fn edit_keeping_files(
    reach: &Reach,
    data: &Data,
    message: &serenity::Message,
    clicked: &Clicked,
) -> Result<(), Error> {
    let builder = serenity::EditMessage::new()
        .content(&clicked.content)
        .components(component_rows(&clicked.buttons, clicked.menu.as_ref()))
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    let call = message.channel_id.edit_message(reach, message.id, builder);
    metered(&data.app.metrics, "PATCH", route::MESSAGE, call).await?;
    Ok(())
}

/// A press on **Timeline chart** under `/incident status`: the chart is queued for the
/// incident channel, and the one who pressed is told so where only they see it.
async fn chart_click(
    reach: &Reach,
    click: &serenity::ComponentInteraction,
    data: &Data,
    arrival: &Arrival<'_>,
    (actor, about, origin): (&Actor, &str, &str),
) -> Result<(), Error> {
    let result = match incident(about) {
        Ok(id) => app::timeline_chart_click(&data.app, actor, id, origin).await,
        Err(e) => Err(e),
    };
    say_to_clicker(reach, click, data, arrival, result).await
}

/// Answers a form with what its use case said (or why it refused).
async fn answer_form(
    reach: &Reach,
    submit: &serenity::ModalInteraction,
    data: &Data,
    arrival: &Arrival<'_>,
    result: Result<Answer, AppError>,
) -> Result<(), Error> {
    let outcome = outcome_of(&result);
    let response = response(data, result, submit.id.get(), &submit.data.custom_id)?;
    arrival
        .answered(outcome, submit.create_response(reach, response))
        .await
}

/// Answers a click with what its use case said (or why it refused), where only the one who
/// clicked sees it.
async fn say_to_clicker(
    reach: &Reach,
    click: &serenity::ComponentInteraction,
    data: &Data,
    arrival: &Arrival<'_>,
    result: Result<String, AppError>,
) -> Result<(), Error> {
    let outcome = outcome_of(&result);
    let response = response(
        data,
        result.map(Answer::Say),
        click.id.get(),
        &click.data.custom_id,
    )?;
    arrival
        .answered(outcome, click.create_response(reach, response))
        .await
}

/// **More languages**: the next translations form, the first answer to the click.
async fn more_languages(
    data: &Data,
    click: &serenity::ComponentInteraction,
    about: &str,
) -> Result<serenity::CreateInteractionResponse, Error> {
    let user = click.user.id.get();
    match translations::next_form(&data.app, (about, user)).await {
        Ok(modal) => Ok(serenity::CreateInteractionResponse::Modal(modal)),
        Err(e) => response(data, Err(e), click.id.get(), about),
    }
}

/// A press on a checklist step (which may ask for its runbook action), "Run it" under an
/// action's confirmation, or "It ran" / "Run again" under the question of an unknown outcome.
async fn action_click(
    app: &app::App,
    actor: &Actor,
    name: &str,
    (prefix, about, shown_ticked): (&str, &str, bool),
    origin: &str,
) -> Result<Answer, AppError> {
    match prefix {
        app::CHECK_BUTTON => {
            let click = app::CheckClick::parse(about)?;
            Ok(
                match app::press_step(app, actor, name, click, shown_ticked, origin).await? {
                    app::StepPress::Ticked(clicked) => Answer::Edit(clicked),
                    app::StepPress::Asked(app::RunAsked::Confirm { content, buttons }) => {
                        Answer::Ask(content, buttons)
                    }
                    app::StepPress::Asked(app::RunAsked::Queued(text)) => Answer::Say(text),
                },
            )
        }
        app::RUN_BUTTON => app::confirm_run(app, actor, name, about, origin)
            .await
            .map(Answer::Edit),
        ran => app::answer_unknown(app, actor, about, ran == app::RAN_BUTTON, origin)
            .await
            .map(Answer::Edit),
    }
}

/// Whether the pressed button showed its step ticked (`✓ …`) on the message the person saw.
fn shown_ticked(click: &serenity::ComponentInteraction) -> bool {
    let pressed = |b: &serenity::Button| matches!(&b.data, serenity::ButtonKind::NonLink { custom_id, .. } if *custom_id == click.data.custom_id);
    click
        .message
        .components
        .iter()
        .flat_map(|row| &row.components)
        .any(|c| match c {
            serenity::ActionRowComponent::Button(b) => {
                pressed(b) && b.label.as_deref().is_some_and(|l| l.starts_with('✓'))
            }
            _ => false,
        })
}

/// The form a button asks its question in, for the buttons that ask one.
fn form_for(templates: &Templates, prefix: &str, custom_id: &str) -> Option<serenity::CreateModal> {
    let [title, label, hint] = match prefix {
        app::DISMISS_BUTTON => [
            Label::NotRealTitle,
            Label::NotRealQuestion,
            Label::NotRealHint,
        ],
        app::FIX_FAILED_BUTTON => [
            Label::FixFailedTitle,
            Label::FixFailedQuestion,
            Label::FixFailedHint,
        ],
        _ => return None,
    };
    let input = if prefix == app::DISMISS_BUTTON {
        WHY_NOT_REAL
    } else {
        WHAT_FAILED
    };
    Some(question(
        custom_id,
        &templates.label(&title),
        &templates.label(&label),
        input,
        &templates.label(&hint),
    ))
}

/// A form of one required question with a paragraph to answer in, as long as typed text may be.
fn question(
    custom_id: &str,
    title: &str,
    label: &str,
    input: &str,
    placeholder: &str,
) -> serenity::CreateModal {
    let answer = serenity::CreateInputText::new(serenity::InputTextStyle::Paragraph, label, input)
        .placeholder(placeholder)
        .max_length(u16::try_from(FreeText::MAX).unwrap_or(u16::MAX))
        .required(true);
    serenity::CreateModal::new(custom_id, title)
        .components(vec![serenity::CreateActionRow::InputText(answer)])
}

/// `<prefix>:<what it is about>`, the parts of a button's or a form's custom id.
fn split(custom_id: &str) -> (&str, &str) {
    custom_id.split_once(':').unwrap_or((custom_id, ""))
}

/// A click or a form as it arrived: when, and how the commands metric names it.
struct Arrival<'a> {
    received: Instant,
    label: String,
    metrics: &'a crate::metrics::Metrics,
}

impl<'a> Arrival<'a> {
    fn new(data: &'a Data, label: String) -> Self {
        Self {
            received: Instant::now(),
            label,
            metrics: &data.app.metrics,
        }
    }

    /// Sends the answer `call` and counts it: the callback by route, the time to answer
    /// (unless the bot was restarting and did nothing), and the outcome.
    async fn answered(
        &self,
        outcome: Outcome,
        call: impl std::future::Future<Output = Result<(), serenity::Error>>,
    ) -> Result<(), Error> {
        metered(self.metrics, "POST", route::CALLBACK, call).await?;
        if !matches!(outcome, Outcome::Restarting) {
            self.metrics
                .ack
                .observe(&[], self.received.elapsed().as_secs_f64());
        }
        self.metrics.command(&self.label, outcome);
        Ok(())
    }
}

/// The answer while the bot shuts down: nothing was done, try again shortly.
fn restarting(data: &Data) -> Result<serenity::CreateInteractionResponse, Error> {
    let text = data.app.templates.refusal(&Refusal::Restarting)?;
    Ok(serenity::CreateInteractionResponse::Message(
        serenity::CreateInteractionResponseMessage::new()
            .content(text)
            .ephemeral(true),
    ))
}

/// What an interaction's answer is: the message it came from, edited, or a message only its
/// author sees.
enum Answer {
    Edit(Clicked),
    Say(String),
    /// A question with its buttons, only its author sees it.
    Ask(String, Vec<app::Button>),
}

/// A player's message reported as an incident, from the submitted report form: declared with
/// the report's time as its detection time. Returns the answer to the responder.
async fn report(
    reach: &Reach,
    data: &Data,
    actor: &Actor,
    submit: &serenity::ModalInteraction,
    about: &str,
) -> Result<String, AppError> {
    let reported = about
        .split_once(':')
        .and_then(|(_, message)| message.parse::<u64>().ok())
        .filter(|id| *id != 0)
        .map(serenity::MessageId::new)
        .ok_or(Refusal::FormWithoutMessage)?;
    let severity = Severity::parse(&typed(submit, report::field::SEVERITY))
        .map_err(|e| Refusal::NotASeverity { typed: Typed(e.0) })?;
    let optional = |id| Some(typed(submit, id)).filter(|t| !t.trim().is_empty());
    let args = DeclareArgs {
        title: typed(submit, report::field::TITLE),
        severity,
        kind: IncidentKind::Availability,
        systems: optional(report::field::SYSTEMS),
        summary: optional(report::field::SUMMARY),
        eta: None,
        detected_at: Some(*reported.created_at()),
    };
    let interaction = InteractionId::new(submit.id.get()).ok_or(Refusal::ZeroInteractionId)?;
    let app = &data.app;
    let counts = super::commands::counts(reach, app)
        .await
        .map_err(AppError::Internal)?;
    let declared = app::declare(app, actor, args, interaction, counts).await?;
    let record = declared.record;
    let category = app.settings.channels.incident_category;
    let answer = crate::render::DeclareAnswer {
        from_report: Some(crate::render::channel_link(category)),
        ..crate::render::DeclareAnswer::new(record.number.0, record.incident.severity)
    };
    app::answer(app, answer)
}

/// How a use case behind a click or a form ended, as the commands metric counts it.
fn outcome_of<T>(result: &Result<T, AppError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Ok,
        Err(AppError::User(_)) => Outcome::Refused,
        Err(AppError::Internal(_) | AppError::Unavailable(_)) => Outcome::Error,
    }
}

/// The text input of the "It did not hold" modal.
const WHAT_FAILED: &str = "what";

/// The text input of the "Not real" modal.
const WHY_NOT_REAL: &str = "why";

/// Routes a modal's submission to its use case; the modal's custom id is its button's.
pub(super) async fn on_modal(
    reach: &Reach,
    submit: &serenity::ModalInteraction,
    data: &Data,
) -> Result<(), Error> {
    let (prefix, about) = split(&submit.data.custom_id);
    let arrival = Arrival::new(data, format!("form {prefix}"));
    if data.app.shutdown.is_triggered() {
        let answer = submit.create_response(reach, restarting(data)?);
        return arrival.answered(Outcome::Restarting, answer).await;
    }
    let actor = member_actor(&submit.user, submit.member.as_ref())?;
    let origin = format!("ix:{}", submit.id);
    if prefix == translations::FORM {
        let typed = |id: &str| typed(submit, id);
        let result = translations::sent(&data.app, &actor, about, typed).await;
        let result = result.map(|sent| match sent {
            translations::Sent::More(text, buttons) => Answer::Ask(text, buttons),
            translations::Sent::Done(text) => Answer::Say(text),
        });
        return answer_form(reach, submit, data, &arrival, result).await;
    }
    if prefix == REPORT_FORM {
        let result = report(reach, data, &actor, submit, about).await;
        return answer_form(reach, submit, data, &arrival, result.map(Answer::Say)).await;
    }
    let result = match (prefix, incident(about)) {
        (app::DISMISS_BUTTON, _) => match app::card_of(about) {
            Ok((card, _)) => {
                let why = typed(submit, WHY_NOT_REAL);
                app::dismiss_card(&data.app, &actor, card, &why).await
            }
            Err(e) => Err(e),
        },
        (app::FIX_FAILED_BUTTON, Ok(id)) => {
            let what = typed(submit, WHAT_FAILED);
            app::answer_fix_check(&data.app, &actor, id, FixAnswer::DidNotHold(what), &origin).await
        }
        (_, Err(e)) => Err(e),
        _ => Err(Refusal::StaleForm.into()),
    };
    let outcome = outcome_of(&result);
    if let (Ok(clicked), Some(message)) = (&result, with_files(submit.message.as_deref())) {
        let ack = submit.create_response(reach, serenity::CreateInteractionResponse::Acknowledge);
        arrival.answered(outcome, ack).await?;
        return edit_keeping_files(reach, data, message, clicked).await;
    }
    answer_form(reach, submit, data, &arrival, result.map(Answer::Edit)).await
}

/// What the person typed into the text input `id` of a submitted modal.
fn typed(submit: &serenity::ModalInteraction, id: &str) -> String {
    submit
        .data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|c| match c {
            serenity::ActionRowComponent::InputText(input) if input.custom_id == id => {
                input.value.clone()
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// The incident a button is about.
fn incident(about: &str) -> Result<IncidentId, AppError> {
    about
        .parse::<i64>()
        .map(IncidentId)
        .map_err(|_| AppError::User(Refusal::ButtonWithoutIncident))
}

/// The person who clicked or submitted, with their roles.
fn member_actor(user: &serenity::User, member: Option<&serenity::Member>) -> Result<Actor, Error> {
    let roles = member
        .map(|m| super::role_ids(&m.roles))
        .unwrap_or_default();
    Ok(Actor {
        user: UserId::new(user.id.get()).ok_or_else(|| anyhow::anyhow!("user id 0"))?,
        roles,
    })
}

/// The answer to a click or a submitted form: the message it came from, edited, or a refusal
/// only its author sees, worded by `refusal.hbs`.
fn response(
    data: &Data,
    result: Result<Answer, AppError>,
    interaction: u64,
    custom_id: &str,
) -> Result<serenity::CreateInteractionResponse, Error> {
    use serenity::{
        CreateInteractionResponse as Response, CreateInteractionResponseMessage as Message,
    };
    let quiet = serenity::CreateAllowedMentions::new;
    let why = match result {
        Ok(Answer::Say(text)) => {
            return Ok(Response::Message(
                Message::new()
                    .content(crate::render::cap(&text, crate::render::MESSAGE_LIMIT))
                    .ephemeral(true)
                    .allowed_mentions(quiet()),
            ))
        }
        Ok(Answer::Ask(text, buttons)) => {
            return Ok(Response::Message(
                Message::new()
                    .content(crate::render::cap(&text, crate::render::MESSAGE_LIMIT))
                    .components(component_rows(&buttons, None))
                    .ephemeral(true)
                    .allowed_mentions(quiet()),
            ))
        }
        Ok(Answer::Edit(Clicked {
            content,
            buttons,
            menu,
        })) => {
            return Ok(Response::UpdateMessage(
                Message::new()
                    .content(content)
                    .components(component_rows(&buttons, menu.as_ref()))
                    .allowed_mentions(quiet()),
            ))
        }
        Err(AppError::User(why)) => why,
        Err(AppError::Unavailable(e)) => {
            tracing::warn!(button = %custom_id, error = %error_chain(&e), "button met the database down");
            Refusal::Unavailable
        }
        Err(AppError::Internal(e)) => {
            let id = error_id(interaction);
            tracing::error!(
                error_id = %id,
                button = %custom_id,
                error = %error_chain(&e),
                "button failed"
            );
            Refusal::ClickBroke { error_id: id }
        }
    };
    Ok(Response::Message(
        Message::new()
            .content(data.app.templates.refusal(&why)?)
            .ephemeral(true)
            .allowed_mentions(quiet()),
    ))
}
