//! `/maintenance …`: planned and unplanned maintenance windows, told to players (🛠️), on the
//! status page, and as a Discord event members can mark Interested.

use super::super::ask::Ask;
use super::super::chat::SerenityChat;
use super::super::Error;
use super::spec::{BoxFuture, Group, Kind, Options, Param, Spec};
use crate::app::{self, Chat, MaintenanceArgs};
use crate::domain::ChannelId;

/// The top-level command.
pub const GROUP: Group = Group {
    command: "maintenance",
    description: "Maintenance windows: players are told, the status page shows them.",
};

const SYSTEMS: Param = Param::required(
    "systems",
    Kind::Systems,
    "The systems under maintenance, comma-separated",
);
const MESSAGE: Param = Param::optional("message", Kind::Text, "What players are told");

/// `/maintenance …`, in the order Discord lists them.
pub const SPECS: &[Spec] = &[
    Spec::sub(
        GROUP.command,
        "schedule",
        "Plan a window: a Discord event, players told now, at its start and at its end.",
        &[
            SYSTEMS,
            Param::required(
                "start",
                Kind::Text,
                "When it starts, e.g. tomorrow 06:00 (UTC)",
            ),
            Param::required("duration", Kind::Text, "How long: 45m, 2h, 1h30m"),
            Param::optional(
                "title",
                Kind::Text,
                "Its title (else: Maintenance: the systems)",
            ),
            MESSAGE,
        ],
        schedule,
    ),
    Spec::sub(
        GROUP.command,
        "move",
        "Move the next scheduled window (not one under way).",
        &[
            Param::required(
                "start",
                Kind::Text,
                "Its new start, e.g. tomorrow 07:00 (UTC)",
            ),
            Param::optional("duration", Kind::Text, "Its new length (else: as it was)"),
        ],
        move_window,
    ),
    Spec::sub(
        GROUP.command,
        "cancel",
        "Call off the next scheduled window (one under way is ended instead).",
        &[],
        cancel,
    ),
    Spec::sub(
        GROUP.command,
        "start",
        "Start an unplanned window now: players told, systems under maintenance.",
        &[
            SYSTEMS,
            Param::required(
                "duration",
                Kind::Text,
                "How long it is expected to last: 30m, 2h",
            ),
            MESSAGE,
            Param::optional(
                "incident",
                Kind::Int {
                    min: 1,
                    max: u32::MAX as u64,
                },
                "The incident it is for (else this channel's)",
            ),
        ],
        start,
    ),
    Spec::sub(
        GROUP.command,
        "extend",
        "Push back the end of the window under way.",
        &[Param::required("by", Kind::Text, "By how much: 30m, 1h")],
        extend,
    ),
    Spec::sub(
        GROUP.command,
        "end",
        "End the window under way now: players told, systems back to normal.",
        &[MESSAGE],
        end,
    ),
    Spec::sub(
        GROUP.command,
        "list",
        "The windows scheduled or under way, with how many members are interested.",
        &[],
        list,
    ),
];

async fn run(ask: &Ask<'_>, args: MaintenanceArgs) -> Result<(), Error> {
    ask.defer().await?;
    let actor = ask.actor()?;
    let channel = ChannelId::new(ask.interaction.channel_id.get())
        .ok_or_else(|| anyhow::anyhow!("channel id 0"))?;
    let origin = format!("ix:{}", ask.id());
    let result = app::maintenance(ask.app(), &actor, channel, &origin, args).await;
    ask.outcome(result).await
}

fn schedule<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let args = MaintenanceArgs::Schedule {
            systems: o.need_text("systems")?,
            start: o.need_text("start")?,
            duration: o.need_text("duration")?,
            title: o.text("title")?,
            message: o.text("message")?,
        };
        run(ask, args).await
    })
}

fn move_window<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let args = MaintenanceArgs::Move {
            start: o.need_text("start")?,
            duration: o.text("duration")?,
        };
        run(ask, args).await
    })
}

fn cancel<'a>(ask: &'a Ask<'a>, _: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(run(ask, MaintenanceArgs::Cancel))
}

fn start<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let args = MaintenanceArgs::Start {
            systems: o.need_text("systems")?,
            duration: o.need_text("duration")?,
            message: o.text("message")?,
            incident: o.incident()?,
        };
        run(ask, args).await
    })
}

fn extend<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let by = o.need_text("by")?;
        run(ask, MaintenanceArgs::Extend { by }).await
    })
}

fn end<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let message = o.text("message")?;
        run(ask, MaintenanceArgs::End { message }).await
    })
}

/// Asks Discord how many members are interested in each event first: a list without the
/// counts (Discord slow or refusing) still answers.
fn list<'a>(ask: &'a Ask<'a>, _: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        ask.defer().await?;
        let app = ask.app();
        let chat = SerenityChat::new(
            ask.reach.http.clone(),
            app.settings.discord.guild_id,
            app.metrics.clone(),
        );
        let interest = match chat.event_interest().await {
            Ok(counts) => Some(counts),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the events' interested counts");
                None
            }
        };
        run(ask, MaintenanceArgs::List { interest }).await
    })
}
