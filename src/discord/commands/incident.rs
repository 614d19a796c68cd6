//! `/incident …`: the responders' commands. Each one reads its options, converts them to a
//! domain request once, calls the use case, and answers; rules live in `app/`.

use std::time::Duration;

use serenity::all as serenity;

use super::super::ask::Ask;
use super::super::Error;
use super::choices::{ALL_CLEAR_NAMES, KINDS, KIND_NAMES, PHASES, PHASE_NAMES, ROLES, ROLE_NAMES};
use super::spec::{BoxFuture, Group, Kind, Options, Param, Spec};
use super::translations::{self, Asked, TRANSLATIONS};
use crate::app::{self, AppError, ChangeArgs, ChannelCounts, DeclareArgs};
use crate::app::{AppEvent, ChannelState};
use crate::domain::{
    Candidate, Command, EtaInput, FreeText, IncidentKind, IncidentTitle, InteractionId, Refusal,
    RoleId, Severity, ShortText, SinceInput, Systems, UserId,
};

/// The top-level command.
pub const GROUP: Group = Group {
    command: "incident",
    description: "Work an incident: declare it, then run these in its channel.",
};

const INCIDENT: Param = Param::optional(
    "incident",
    Kind::Int {
        min: 1,
        max: u32::MAX as u64,
    },
    "Its number, from the log channel",
);
const ETA: Param = Param::optional("eta", Kind::Text, "Fix expected in: 45m, 2h, or words");

/// `/incident …`, in the order Discord lists them.
pub const SPECS: &[Spec] = &[
    Spec::sub(GROUP.command,
            "declare",
            "Declare an incident: opens its channel, pages responders, alerts players when the severity says so.",
            &[
                Param::required("title", Kind::Text, "What is broken, in a few words (at most 100 characters)"),
                Param::required("severity", Kind::Severity, "P0 critical … P3 minor"),
                Param::optional("kind", Kind::Choice(KIND_NAMES), "availability (default) or security (private channel, never announced)"),
                Param::optional("systems", Kind::Systems, "Affected systems, comma-separated"),
                Param::optional("summary", Kind::Text, "What you know so far"),
                ETA,
            ],
            declare,
        ),
    Spec::sub(GROUP.command,
            "severity",
            "Raise or lower this incident's severity (commanders).",
            &[
                Param::required("level", Kind::Severity, "The new severity"),
                Param::optional("reason", Kind::Text, "Why"),
                INCIDENT,
            ],
            severity,
        ),
    Spec::sub(GROUP.command,
            "phase",
            "Move this incident to a later phase and post its checklist.",
            &[Param::required("to", Kind::Choice(PHASE_NAMES), "The phase to move to"), INCIDENT],
            phase,
        ),
    Spec::sub(GROUP.command,
            "assign",
            "Give someone a role in this incident.",
            &[
                Param::required("role", Kind::Choice(ROLE_NAMES), "The role"),
                Param::required("user", Kind::User, "Who takes it"),
                INCIDENT,
            ],
            assign,
        ),
    Spec::sub(GROUP.command,
            "update",
            "Post a status update to this channel, and to players with public:true.",
            &[
                Param::required("message", Kind::Text, "The update"),
                Param::optional("public", Kind::Bool, "Also post it to the players' announcement channel"),
                ETA,
                Param::optional("publish", Kind::Bool, "Also publish to following servers (commanders; 8 an hour)"),
                INCIDENT,
                TRANSLATIONS,
            ],
            update,
        ),
    Spec::sub(GROUP.command,
            "note",
            "Add a note to this incident's timeline.",
            &[Param::required("text", Kind::Text, "The note"), INCIDENT],
            note,
        ),
    Spec::sub(GROUP.command,
            "status",
            "Show this incident's status, or the open incidents when run elsewhere.",
            &[INCIDENT],
            status,
        ),
    Spec::sub(GROUP.command,
            "announce",
            "Send players the service alert (commanders).",
            &[ETA, INCIDENT, TRANSLATIONS],
            announce,
        ),
    Spec::sub(GROUP.command,
            "edit",
            "Correct the title, systems, summary or start.",
            &[
                Param::optional("title", Kind::Text, "New title"),
                Param::optional("systems", Kind::Systems, "All affected systems, comma-separated"),
                Param::optional("summary", Kind::Text, "New summary"),
                Param::optional("detected_at", Kind::Text, "When it began: 25m ago, 08:40 UTC, 2026-11-30 08:40"),
                INCIDENT,
            ],
            edit,
        ),
    Spec::sub(GROUP.command,
            "kind",
            "Make this a security incident (private, unannounced), or back.",
            &[Param::required("to", Kind::Choice(KIND_NAMES), "Back to availability needs the security role"), INCIDENT],
            kind,
        ),
    Spec::sub(GROUP.command,
            "resolve",
            "Record the fix and verify it before players get the all-clear (commanders).",
            &[
                Param::required("root_cause", Kind::Text, "The root cause, in brief (players see it)"),
                Param::optional("compensation", Kind::Text, "What players get for their trouble, if anything"),
                Param::optional("all_clear", Kind::Choice(ALL_CLEAR_NAMES), "When players get the all-clear"),
                INCIDENT,
            ],
            resolve,
        ),
    Spec::sub(GROUP.command,
            "reopen",
            "The fix did not hold or the problem is back: work resumes in phase 4.",
            &[Param::required("reason", Kind::Text, "What is wrong again"), INCIDENT],
            reopen,
        ),
    Spec::sub(GROUP.command,
            "close",
            "Archive and lock this resolved incident's channel (commanders).",
            &[INCIDENT],
            close,
        ),
    Spec::sub(GROUP.command,
            "help",
            "What each severity means, the phases, and the commands, on one page.",
            &[],
            help,
        ),
];

/// Runs a change in this channel's incident (or, from the log channel, the one numbered
/// `incident`) and answers with its outcome. `parse` turns the options into the domain request
/// after the acknowledgement, so that a refusal is an answer, not a timeout.
async fn change(
    ask: &Ask<'_>,
    incident: Option<u32>,
    parse: impl FnOnce() -> Result<ChangeArgs, AppError> + Send,
) -> Result<(), Error> {
    ask.defer().await?;
    let actor = ask.actor()?;
    let result = match parse() {
        Ok(args) => {
            let origin = format!("ix:{}", ask.id());
            app::change(ask.app(), &actor, ask.place(incident)?, &origin, args)
                .await
                .map(|c| c.reply)
        }
        Err(e) => Err(e),
    };
    ask.outcome(result).await
}

/// The person a user option names, with their roles from the interaction's resolved members
/// (none when they are not a member of the server).
fn candidate(
    user: &serenity::User,
    member: Option<&serenity::PartialMember>,
) -> Result<Candidate, AppError> {
    let id = UserId::new(user.id.get()).ok_or(Refusal::BadUserId)?;
    let roles = member
        .map(|m| {
            m.roles
                .iter()
                .filter_map(|r| RoleId::new(r.get()))
                .collect()
        })
        .unwrap_or_default();
    Ok(Candidate {
        user: id,
        roles,
        bot: user.bot,
    })
}

/// How full the guild and the incident category are, from the cache when this replica holds
/// the gateway, else from Discord, for any interaction that declares.
pub(crate) async fn counts(
    reach: &super::super::ask::Reach,
    app: &crate::app::App,
) -> Result<ChannelCounts, Error> {
    let category = serenity::ChannelId::new(app.settings.channels.incident_category.get());
    let guild = serenity::GuildId::new(app.settings.discord.guild_id.get());
    let tally = |channels: &mut dyn Iterator<Item = Option<serenity::ChannelId>>| {
        let mut counts = ChannelCounts {
            guild: 0,
            category: 0,
        };
        for parent in channels {
            counts.guild += 1;
            if parent == Some(category) {
                counts.category += 1;
            }
        }
        counts
    };
    let cached = reach.cache.as_ref().and_then(|cache| {
        cache
            .guild(guild)
            .map(|g| tally(&mut g.channels.values().map(|c| c.parent_id)))
    });
    if let Some(counts) = cached {
        return Ok(counts);
    }
    let channels = super::super::metered::metered(
        &app.metrics,
        "GET",
        super::super::metered::route::GUILD_CHANNELS,
        guild.channels(&reach.http),
    )
    .await?;
    Ok(tally(&mut channels.values().map(|c| c.parent_id)))
}

fn declare<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let args = DeclareArgs {
            detected_at: None,
            title: o.need_text("title")?,
            severity: o.need_choice("severity", &Severity::ALL)?,
            kind: o
                .choice("kind", &KINDS)?
                .unwrap_or(IncidentKind::Availability),
            systems: o.text("systems")?,
            summary: o.text("summary")?,
            eta: o.text("eta")?,
        };
        declare_with(ask, args).await
    })
}

/// Declares, then waits (a little) for the incident's channel to open so that the answer can
/// link it. Declare commits before it acknowledges: an acknowledged declare always exists, even
/// if the bot dies right after. The commit needs no REST call, so it fits well inside the 3 s.
async fn declare_with(ask: &Ask<'_>, args: DeclareArgs) -> Result<(), Error> {
    let app = ask.app();
    let actor = ask.actor()?;
    let interaction =
        InteractionId::new(ask.id()).ok_or_else(|| anyhow::anyhow!("interaction id 0"))?;
    let opened = app.events.subscribe();
    let counts = counts(ask.reach, app).await?;
    let declared = match app::declare(app, &actor, args, interaction, counts).await {
        Ok(d) => d,
        Err(e) => return ask.outcome(Err(e)).await,
    };
    ask.defer().await?;
    let record = declared.record;
    let state = match record.channel_id {
        Some(c) => ChannelState::Open(c),
        None => channel_opened(app, record.id, opened).await?,
    };
    use crate::render::{channel_link, DeclareAnswer, Markup};
    let mut answer = DeclareAnswer::new(record.number.0, record.incident.severity);
    match state {
        ChannelState::Open(c) => answer.channel = Some(channel_link(c)),
        ChannelState::Opening => {
            answer.opening_under = Some(channel_link(app.settings.channels.incident_category));
        }
        // Escaped where it needs to be, as the reason's kind says.
        ChannelState::Failed(reason) => {
            answer.failed = Some(Markup::raw(app::readable_reason(&app.templates, &reason)));
        }
    }
    ask.outcome(app::answer(app, answer)).await
}

/// Waits up to 10 s for the channel of `incident` to open or fail, as announced on `opened`.
async fn channel_opened(
    app: &app::App,
    incident: crate::domain::IncidentId,
    mut opened: tokio::sync::broadcast::Receiver<AppEvent>,
) -> Result<ChannelState, Error> {
    use tokio::sync::broadcast::error::RecvError;
    let wait = async {
        loop {
            match opened.recv().await {
                Ok(AppEvent::ChannelOpened {
                    incident: i,
                    channel,
                }) if i == incident => return Some(ChannelState::Open(channel)),
                Ok(AppEvent::ChannelFailed {
                    incident: i,
                    reason,
                }) if i == incident => return Some(ChannelState::Failed(reason)),
                // Events may have been missed (another replica's notice, or a lag): look.
                Ok(AppEvent::LookAgain) | Err(RecvError::Lagged(_)) => {
                    match app::channel_state(app, incident).await {
                        Ok(ChannelState::Opening) | Err(_) => {}
                        Ok(state) => return Some(state),
                    }
                }
                Ok(_) => {}
                Err(RecvError::Closed) => return None,
            }
        }
    };
    // A shutdown stops the queue: the channel opens after the restart.
    let waited = tokio::select! {
        waited = tokio::time::timeout(Duration::from_secs(10), wait) => waited.ok().flatten(),
        () = app.shutdown.triggered() => None,
    };
    match waited {
        Some(state) => Ok(state),
        // It may have opened, or failed, between the declare and the subscription's first read.
        // The incident exists either way: a database that stopped answering meanwhile must not
        // make the answer say nothing was changed.
        None => Ok(match app::channel_state(app, incident).await {
            Ok(state) => state,
            Err(e) => {
                tracing::warn!(
                    incident = incident.0,
                    error = %e,
                    "could not read the declared incident's channel"
                );
                ChannelState::Opening
            }
        }),
    }
}

fn severity<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let to = o.need_choice("level", &Severity::ALL)?;
        let reason = o.text("reason")?;
        change(ask, o.incident()?, move || {
            let reason = reason.as_deref().map(ShortText::parse).transpose()?;
            Ok(ChangeArgs::from(Command::ChangeSeverity { to, reason }))
        })
        .await
    })
}

fn phase<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let to = o.need_choice("to", &PHASES)?;
        change(ask, o.incident()?, move || {
            Ok(ChangeArgs::from(Command::AdvancePhase { to }))
        })
        .await
    })
}

fn assign<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let role = o.need_choice("role", &ROLES)?;
        let (user, member) = o.user("user")?.ok_or(super::spec::Mismatch("user"))?;
        change(ask, o.incident()?, move || {
            let assignee = candidate(user, member)?;
            Ok(ChangeArgs {
                command: Command::Assign {
                    role,
                    user: assignee.user,
                },
                assignee: Some(assignee),
                translations: Default::default(),
            })
        })
        .await
    })
}

fn update<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let message = o.need_text("message")?;
        let public = o.flag("public")?.unwrap_or(false);
        let publish = o.flag("publish")?.unwrap_or(false);
        let eta = o.text("eta")?;
        if o.flag("translations")?.unwrap_or(false) {
            let asked = Asked::Update {
                message: message.clone(),
                public,
                publish,
                eta: eta.clone(),
            };
            if translations::open(ask, asked, o.incident()?).await? {
                return Ok(());
            }
        }
        change(ask, o.incident()?, move || {
            let eta = eta.as_deref().map(EtaInput::parse).transpose()?;
            let message = FreeText::parse(&message)?;
            Ok(ChangeArgs::from(Command::Update {
                message,
                public,
                publish,
                eta,
            }))
        })
        .await
    })
}

fn announce<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let eta = o.text("eta")?;
        if o.flag("translations")?.unwrap_or(false) {
            let asked = Asked::Announce { eta: eta.clone() };
            if translations::open(ask, asked, o.incident()?).await? {
                return Ok(());
            }
        }
        change(ask, o.incident()?, move || {
            let eta = eta.as_deref().map(EtaInput::parse).transpose()?;
            Ok(ChangeArgs::from(Command::Announce { eta }))
        })
        .await
    })
}

fn edit<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let (title, systems) = (o.text("title")?, o.text("systems")?);
        let (summary, detected_at) = (o.text("summary")?, o.text("detected_at")?);
        change(ask, o.incident()?, move || {
            Ok(ChangeArgs::from(Command::Edit {
                title: title.as_deref().map(IncidentTitle::parse).transpose()?,
                systems: systems.as_deref().map(Systems::parse).transpose()?,
                summary: summary.as_deref().map(FreeText::parse).transpose()?,
                detected_at: detected_at.as_deref().map(SinceInput::parse).transpose()?,
            }))
        })
        .await
    })
}

fn kind<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let to = o.need_choice("to", &KINDS)?;
        change(ask, o.incident()?, move || {
            Ok(ChangeArgs::from(Command::ChangeKind { to }))
        })
        .await
    })
}

fn note<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let text = o.need_text("text")?;
        change(ask, o.incident()?, move || {
            Ok(ChangeArgs::from(Command::Note {
                text: FreeText::parse(&text)?,
            }))
        })
        .await
    })
}

fn status<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let incident = o.incident()?;
        ask.defer().await?;
        let actor = ask.actor()?;
        match app::status(ask.app(), &actor, ask.place(incident)?).await {
            Ok(reply) if !reply.buttons.is_empty() => {
                ask.say_with_buttons(reply.text, &reply.buttons).await
            }
            result => ask.outcome(result.map(|s| s.text)).await,
        }
    })
}

fn resolve<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let root_cause = o.need_text("root_cause")?;
        let compensation = o.text("compensation")?;
        let all_clear_now = o.choice("all_clear", &[false, true])?.unwrap_or(false);
        change(ask, o.incident()?, move || {
            let root_cause = FreeText::parse(&root_cause)?;
            let compensation = compensation.as_deref().map(FreeText::parse).transpose()?;
            Ok(ChangeArgs::from(Command::Resolve {
                root_cause,
                compensation,
                all_clear_now,
            }))
        })
        .await
    })
}

fn reopen<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let reason = o.need_text("reason")?;
        change(ask, o.incident()?, move || {
            Ok(ChangeArgs::from(Command::Reopen {
                reason: FreeText::parse(&reason)?,
            }))
        })
        .await
    })
}

fn close<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(
        async move { change(ask, o.incident()?, || Ok(ChangeArgs::from(Command::Close))).await },
    )
}

fn help<'a>(ask: &'a Ask<'a>, _: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move { ask.outcome(app::help(ask.app())).await })
}
