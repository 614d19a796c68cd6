//! `/incident block`, `/incident unblock`, `/incident lockdown`, `/incident unlock`: the
//! containment steps that act outside the channel (the WAF, the server itself), in a security
//! incident; and `/incident flag`, what the game client turns off in an availability
//! one. Each reads its options and calls its use case; the rules live in `app/`.

use serenity::all as serenity;

use super::super::ask::Ask;
use super::super::Error;
use super::incident::GROUP;
use super::spec::{BoxFuture, Kind, Options, Param, Spec};
use crate::app::{self, AppError};

const INCIDENT: Param = Param::optional(
    "incident",
    Kind::Int {
        min: 1,
        max: u32::MAX as u64,
    },
    "Its number, from the log channel",
);

/// The containment subcommands of `/incident`, after the others.
pub const SPECS: &[Spec] = &[
    Spec::sub(
        GROUP.command,
        "block",
        "Block IPs or ranges at the WAF (security incidents).",
        &[
            Param::optional(
                "targets",
                Kind::Text,
                "IPs and ranges (v4 /16 /24, v6 /32 /48 /64)",
            ),
            Param::optional("file", Kind::Attachment, "A text file of IPs and ranges"),
            Param::optional(
                "note",
                Kind::Text,
                "Why, for the WAF's rule and the timeline",
            ),
            Param::optional("until", Kind::Text, "Lift after 24h, or at a time"),
            INCIDENT,
        ],
        block,
    ),
    Spec::sub(
        GROUP.command,
        "unblock",
        "Lift every WAF block of this incident.",
        &[INCIDENT],
        unblock,
    ),
    Spec::sub(
        GROUP.command,
        "lockdown",
        "Pause invites, DMs or slow channels (security incidents).",
        &[
            Param::optional("invites", Kind::Bool, "Pause invites to the server"),
            Param::optional(
                "dms",
                Kind::Bool,
                "Pause DMs between members who are not friends",
            ),
            Param::optional("slowmode", Kind::Text, "Slow-mode: 30s, 5m (at most 6h)"),
            Param::optional(
                "channels",
                Kind::Text,
                "The channels to slow down: type # and pick each",
            ),
            Param::optional(
                "until",
                Kind::Text,
                "How long: 24h (default), 48h, or a time",
            ),
            INCIDENT,
        ],
        lockdown,
    ),
    Spec::sub(
        GROUP.command,
        "unlock",
        "Lift this incident's lockdown.",
        &[INCIDENT],
        unlock,
    ),
    Spec::sub(
        GROUP.command,
        "flag",
        "Set or clear a game-client flag.",
        &[
            Param::required("name", Kind::Text, "From [players] flags"),
            // No `incident:`: /incident is near Discord's 4,000 characters a command.
            Param::optional("on", Kind::Bool, "false clears it"),
        ],
        flag,
    ),
];

/// Defers, runs `work` for the person asking with this interaction as the origin of its
/// jobs, and answers with its outcome.
async fn run<'a, F, Fut>(ask: &'a Ask<'a>, incident: Option<u32>, work: F) -> Result<(), Error>
where
    F: FnOnce(app::Place, crate::domain::Actor, String) -> Fut,
    Fut: std::future::Future<Output = Result<String, AppError>> + Send + 'a,
{
    ask.defer().await?;
    let actor = ask.actor()?;
    let origin = format!("ix:{}", ask.id());
    let result = work(ask.place(incident)?, actor, origin).await;
    ask.outcome(result).await
}

/// The most of an attached list read: some thousands of addresses.
const MAX_FILE: u32 = 64 * 1024;

/// The text of an attached list of addresses.
async fn read_list(file: &serenity::Attachment) -> Result<String, AppError> {
    if file.size > MAX_FILE {
        return Err(crate::domain::Refusal::ListTooLarge {
            kb: file.size / 1024,
            max_kb: MAX_FILE / 1024,
        }
        .into());
    }
    let bytes = async {
        reqwest::Client::new()
            .get(&file.url)
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await
    }
    .await
    .map_err(|e| anyhow::anyhow!("could not read the attached list: {}", e.without_url()))?;
    String::from_utf8(bytes.to_vec()).map_err(|_| crate::domain::Refusal::ListNotText.into())
}

fn block<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let typed = o.text("targets")?.unwrap_or_default();
        let file = o.attachment("file")?.cloned();
        let (note, until) = (o.text("note")?, o.text("until")?);
        run(ask, o.incident()?, |place, actor, origin| async move {
            let mut targets = typed;
            if let Some(file) = file {
                targets.push('\n');
                targets.push_str(&read_list(&file).await?);
            }
            let args = app::BlockArgs {
                targets,
                note,
                until,
            };
            app::block(ask.app(), &actor, place, &origin, args).await
        })
        .await
    })
}

fn unblock<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        run(ask, o.incident()?, |place, actor, origin| async move {
            app::unblock(ask.app(), &actor, place, &origin).await
        })
        .await
    })
}

fn lockdown<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let args = app::LockdownArgs {
            invites: o.flag("invites")?.unwrap_or(false),
            dms: o.flag("dms")?.unwrap_or(false),
            slowmode: o.text("slowmode")?,
            channels: o.text("channels")?,
            until: o.text("until")?,
        };
        run(ask, o.incident()?, |place, actor, origin| async move {
            app::lockdown(ask.app(), &actor, place, &origin, args).await
        })
        .await
    })
}

fn unlock<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        run(ask, o.incident()?, |place, actor, origin| async move {
            app::unlock(ask.app(), &actor, place, &origin).await
        })
        .await
    })
}

fn flag<'a>(ask: &'a Ask<'a>, o: Options<'a>) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        let args = app::FlagArgs {
            name: o.need_text("name")?,
            on: o.flag("on")?.unwrap_or(true),
        };
        run(ask, None, |place, actor, origin| async move {
            app::flag(ask.app(), &actor, place, &origin, args).await
        })
        .await
    })
}
