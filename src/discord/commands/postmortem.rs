//! `/postmortem …`: start, draft, impact, action items, lessons, the review meeting, done.

use super::super::ask::Ask;
use super::super::Error;
use super::choices::{ACTIONS, ACTION_NAMES, LESSONS, LESSON_NAMES};
use super::spec::{BoxFuture, Group, Kind, Options, Param, Spec};
use crate::app::{self, PostmortemArgs};
use crate::domain::{ChannelId, UserId};

/// The top-level command.
pub const GROUP: Group = Group {
    command: "postmortem",
    description:
        "The post-mortem of this incident: the plan requires one for every P0 and a recurring P1.",
};

/// `/postmortem …`, in the order Discord lists them.
pub const SPECS: &[Spec] = &[
    Spec::sub(GROUP.command,
            "start",
            "Start a post-mortem the plan does not require (a P1 that did not recur, a P2, a P3).",
            &[],
            start,
        ),
    Spec::sub(GROUP.command,
            "draft",
            "Post the post-mortem draft, filled from the timeline, as a Markdown file.",
            &[],
            draft,
        ),
    Spec::sub(GROUP.command,
            "impact",
            "Record the impact: users affected, downtime, revenue.",
            &[
                Param::optional("users", Kind::Int { min: 0, max: 10_000_000_000 }, "How many users were affected"),
                Param::optional("downtime_minutes", Kind::Int { min: 0, max: 525_600 }, "How many minutes of downtime (at most a year)"),
                Param::optional("revenue", Kind::Text, "The revenue impact, e.g. $1,200"),
            ],
            impact,
        ),
    Spec::sub(GROUP.command,
            "action",
            "Add an action item: an immediate fix (done), a preventive measure or a process improvement.",
            &[
                Param::required("kind", Kind::Choice(ACTION_NAMES), "fix: done already; prevent, process: to do, with an owner"),
                Param::required("text", Kind::Text, "What is to be done, or what was done"),
                Param::optional("owner", Kind::User, "Who owns it (to do: you, unless you name someone)"),
            ],
            action,
        ),
    Spec::sub(GROUP.command,
            "lesson",
            "Add a lesson learned: what went well or what didn't.",
            &[
                Param::required("kind", Kind::Choice(LESSON_NAMES), "What went well, or what went badly"),
                Param::required("text", Kind::Text, "The lesson"),
            ],
            lesson,
        ),
    Spec::sub(GROUP.command,
            "schedule",
            "Set or move the review meeting: a Discord event, and a call to everyone involved.",
            &[
                Param::required("when", Kind::Text, "When, e.g. tomorrow 15:00 (UTC)"),
                Param::optional("after_deadline", Kind::Bool, "Commanders: allow a time after the post-mortem's deadline"),
            ],
            schedule,
        ),
    Spec::sub(GROUP.command,
            "done",
            "Mark the post-mortem done, stop its reminders and end its meeting's event.",
            &[
                Param::required("link", Kind::Text, "Where it is written up"),
                Param::optional("without_tickets", Kind::Bool, "Mark it done even while action items have no tracker ticket yet"),
            ],
            done,
        ),
];

async fn run(ask: &Ask<'_>, args: PostmortemArgs) -> Result<(), Error> {
    ask.defer().await?;
    let actor = ask.actor()?;
    let channel = ChannelId::new(ask.interaction.channel_id.get())
        .ok_or_else(|| anyhow::anyhow!("channel id 0"))?;
    let origin = format!("ix:{}", ask.id());
    let result = app::postmortem(ask.app(), &actor, channel, &origin, args).await;
    ask.outcome(result).await
}

fn start<'a>(ask: &'a Ask<'a>, _: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(run(ask, PostmortemArgs::Start))
}

fn draft<'a>(ask: &'a Ask<'a>, _: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(run(ask, PostmortemArgs::Draft))
}

fn impact<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let args = PostmortemArgs::Impact {
            users: o.int("users")?,
            downtime_minutes: o.int("downtime_minutes")?,
            revenue: o.text("revenue")?,
        };
        run(ask, args).await
    })
}

fn action<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let args = PostmortemArgs::Action {
            kind: o.need_choice("kind", &ACTIONS)?,
            text: o.need_text("text")?,
            owner: o.user("owner")?.and_then(|(u, _)| UserId::new(u.id.get())),
        };
        run(ask, args).await
    })
}

fn lesson<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let args = PostmortemArgs::Lesson {
            kind: o.need_choice("kind", &LESSONS)?,
            text: o.need_text("text")?,
        };
        run(ask, args).await
    })
}

fn schedule<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let args = PostmortemArgs::Schedule {
            when: o.need_text("when")?,
            after_deadline: o.flag("after_deadline")?.unwrap_or(false),
        };
        run(ask, args).await
    })
}

fn done<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let link = o.need_text("link")?;
        let without_tickets = o.flag("without_tickets")?.unwrap_or(false);
        run(
            ask,
            PostmortemArgs::Done {
                link,
                without_tickets,
            },
        )
        .await
    })
}
