//! Steps of an incident as responders take them, one line each in a test.

use chrono::{DateTime, Utc};
use serde_json::Value;
use serenity::all::{ChannelId, UserId};

use super::bot::{world, STEP};
use super::fake_discord::{FakeChannel, FakeDiscord, FakeMessage, InteractionHandle};

/// The definition of option `name` of `/incident <sub>`, as registered.
fn option_def(fake: &FakeDiscord, sub: &str, name: &str) -> Value {
    command_option(fake, "incident", sub, name)
}

/// The definition of option `name` of `/<command> <sub>`, as registered.
fn command_option(fake: &FakeDiscord, command: &str, sub: &str, name: &str) -> Value {
    let commands = fake.commands();
    let incident = commands
        .iter()
        .find(|c| c.name() == command)
        .unwrap_or_else(|| {
            panic!(
                "/{command} is not registered: {:?}",
                commands.iter().map(|c| c.json.clone()).collect::<Vec<_>>()
            )
        });
    let subs = incident.json["options"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let sub = subs
        .iter()
        .find(|o| o["name"] == sub)
        .unwrap_or_else(|| panic!("no subcommand {sub}"));
    let opts = sub["options"].as_array().cloned().unwrap_or_default();
    opts.into_iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("/{command} {sub} has no option {name}"))
}

/// Sends `/incident <sub>` in `channel` as `user`, with options written as a person types them
/// (a choice by its name, a user as `<@id>`); returns the handle.
pub async fn incident(
    fake: &FakeDiscord,
    user: UserId,
    channel: ChannelId,
    sub: &str,
    opts: &[(&str, &str)],
) -> InteractionHandle {
    let mut b = fake
        .slash(user)
        .in_channel(channel)
        .command("incident")
        .sub(sub);
    for (name, value) in opts {
        let def = option_def(fake, sub, name);
        b = match def["type"].as_u64() {
            Some(4) if def["choices"].as_array().is_some_and(|c| !c.is_empty()) => {
                let choices = def["choices"].as_array().cloned().unwrap_or_default();
                let choice = choices
                    .iter()
                    // A person types the key; Discord narrows the choices to the one it begins.
                    .find(|c| {
                        c["name"] == *value
                            || c["name"]
                                .as_str()
                                .is_some_and(|n| n.starts_with(&format!("{value}: ")))
                    })
                    .unwrap_or_else(|| panic!("{name} has no choice {value}"));
                b.opt_int(name, choice["value"].as_i64().expect("an integer choice"))
            }
            Some(4) => b.opt_int(name, value.parse().expect("an integer")),
            Some(5) => b.opt_bool(name, *value == "true"),
            Some(6) => {
                let id: u64 = value
                    .trim_start_matches("<@")
                    .trim_end_matches('>')
                    .parse()
                    .expect("a user mention");
                b.opt_user(name, UserId::new(id))
            }
            _ => b.opt_str(name, value),
        };
    }
    b.send().await
}

/// Runs `/incident <sub>` and returns the ephemeral answer's raw content.
pub async fn run(
    fake: &FakeDiscord,
    user: UserId,
    channel: ChannelId,
    sub: &str,
    opts: &[(&str, &str)],
) -> String {
    answer(fake, user, channel, sub, opts).await.content
}

/// Runs `/incident <sub>` and returns the ephemeral answer its user sees, as a message.
pub async fn answer(
    fake: &FakeDiscord,
    user: UserId,
    channel: ChannelId,
    sub: &str,
    opts: &[(&str, &str)],
) -> FakeMessage {
    let handle = incident(fake, user, channel, sub, opts).await;
    let ack = handle.ack().await;
    // Commands defer first; a declare refused before anything was written answers at once.
    assert!(
        ack.kind == 5 || (sub == "declare" && ack.kind == 4),
        "callback type {}",
        ack.kind
    );
    let reply = handle.reply().await;
    assert_eq!(
        reply.flags & 64,
        64,
        "answers are ephemeral: {}",
        reply.content
    );
    reply
}

/// Declares an incident from #general and waits for its channel; returns the channel.
pub async fn declare(fake: &FakeDiscord, user: UserId, opts: &[(&str, &str)]) -> FakeChannel {
    let before = fake.channels_under(world::INCIDENTS).len();
    let answer = run(fake, user, world::GENERAL, "declare", opts).await;
    assert!(answer.contains("declared"), "{answer}");
    fake.wait_for("the incident channel", STEP, |f| {
        f.channels_under(world::INCIDENTS).len() > before
    })
    .await;
    let channel = fake
        .channels_under(world::INCIDENTS)
        .into_iter()
        .max_by_key(|c| c.id)
        .expect("a channel");
    assert!(
        answer.contains(&format!("<#{}>", channel.id)),
        "the answer links the channel: {answer}"
    );
    channel
}

/// Waits until `channel` shows a message satisfying `pred`, and returns it.
pub async fn shows(
    fake: &FakeDiscord,
    channel: ChannelId,
    what: &str,
    pred: impl Fn(&FakeMessage) -> bool,
) -> FakeMessage {
    fake.wait_for(what, STEP, |f| f.messages(channel).iter().any(&pred))
        .await;
    fake.messages(channel)
        .into_iter()
        .find(|m| pred(m))
        .expect("just seen")
}

/// Waits until `channel` shows a message whose text, as a person reads it at `now`, satisfies
/// `pred`; returns the message and that text.
pub async fn shows_seen(
    fake: &FakeDiscord,
    channel: ChannelId,
    what: &str,
    now: DateTime<Utc>,
    pred: impl Fn(&str) -> bool,
) -> (FakeMessage, String) {
    let find = |f: &FakeDiscord| {
        f.messages(channel)
            .into_iter()
            .map(|m| {
                let text = f.seen(&m, now);
                (m, text)
            })
            .find(|(_, text)| pred(text))
    };
    fake.wait_for(what, STEP, |f| find(f).is_some()).await;
    find(fake).expect("just seen")
}

/// Runs `/postmortem <sub>` with string options and returns the ephemeral answer's raw content.
pub async fn run_pm(
    fake: &FakeDiscord,
    user: UserId,
    channel: ChannelId,
    sub: &str,
    opts: &[(&str, &str)],
) -> String {
    answer_pm(fake, user, channel, sub, opts).await.content
}

/// Runs `/postmortem <sub>` with string options and returns the ephemeral answer, as a message.
pub async fn answer_pm(
    fake: &FakeDiscord,
    user: UserId,
    channel: ChannelId,
    sub: &str,
    opts: &[(&str, &str)],
) -> FakeMessage {
    let mut b = fake
        .slash(user)
        .in_channel(channel)
        .command("postmortem")
        .sub(sub);
    for (name, value) in opts {
        let def = command_option(fake, "postmortem", sub, name);
        b = match (*name, value.parse::<i64>()) {
            ("users" | "downtime_minutes", Ok(n)) => b.opt_int(name, n),
            (_, _) if def["choices"].as_array().is_some_and(|c| !c.is_empty()) => {
                let choices = def["choices"].as_array().cloned().unwrap_or_default();
                let choice = choices
                    .iter()
                    .find(|c| c["name"] == *value)
                    .unwrap_or_else(|| panic!("{name} has no choice {value}"));
                b.opt_int(name, choice["value"].as_i64().expect("an integer choice"))
            }
            (_, _) if def["type"] == 5 => b.opt_bool(name, *value == "true"),
            ("owner", _) => b.opt_user(
                name,
                UserId::new(
                    value
                        .trim_start_matches("<@")
                        .trim_end_matches('>')
                        .parse()
                        .expect("a user mention"),
                ),
            ),
            _ => b.opt_str(name, value),
        };
    }
    let handle = b.send().await;
    assert_eq!(handle.ack().await.kind, 5, "every command defers first");
    handle.reply().await
}

/// Asserts that `text` reads as `pattern`, where each `{duration}` stands for a duration as
/// the bot writes it (`3s`, `1m 2s`, `1d 1h`): the part of a message that depends on how much
/// real time a test took.
#[track_caller]
pub fn assert_reads(text: &str, pattern: &str) {
    let mut parts = pattern.split("{duration}");
    let mut rest = text.strip_prefix(parts.next().unwrap_or_default());
    for part in parts {
        rest = rest
            .and_then(skip_duration)
            .and_then(|after| after.strip_prefix(part));
    }
    assert!(
        rest == Some(""),
        "what a person reads:\n{text}\n\ndoes not read as:\n{pattern}"
    );
}

/// `text` after the duration it starts with, if it starts with one.
fn skip_duration(text: &str) -> Option<&str> {
    fn part(text: &str) -> Option<&str> {
        let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let rest = &text[digits..];
        let unit = rest.strip_prefix(['d', 'h', 'm', 's'])?;
        (digits > 0).then_some(unit)
    }
    let mut rest = part(text)?;
    while let Some(next) = rest.strip_prefix(' ').and_then(part) {
        rest = next;
    }
    Some(rest)
}

/// The custom id of the button labelled `label` under `message`, as a person finds it.
pub fn button_labelled(message: &FakeMessage, label: &str) -> String {
    fn find(components: &[Value], label: &str) -> Option<String> {
        components.iter().find_map(|c| {
            if c["label"] == label {
                c["custom_id"].as_str().map(str::to_owned)
            } else {
                find(c["components"].as_array()?, label)
            }
        })
    }
    find(&message.components, label)
        .unwrap_or_else(|| panic!("no button {label:?} under: {:?}", message.components))
}

/// An answer to the fix check, as a person gives it.
#[derive(Debug, Clone, Copy)]
pub enum FixCheck<'a> {
    /// Presses "The fix held".
    Held,
    /// Presses "It did not hold" and types what is still wrong into the form it opens.
    Failed(&'a str),
}

/// Waits for the fix check in `channel`, answers it as `user`, and returns the question once
/// it shows the answer.
pub async fn answer_fix_check(
    fake: &FakeDiscord,
    user: UserId,
    channel: ChannelId,
    answer: FixCheck<'_>,
    now: DateTime<Utc>,
) -> FakeMessage {
    let ask = shows(fake, channel, "the fix check", |m| {
        !m.components.is_empty() && fake.seen(m, now).contains("did it hold?")
    })
    .await;
    let label = match answer {
        FixCheck::Held => "The fix held",
        FixCheck::Failed(_) => "It did not hold",
    };
    let custom_id = button_labelled(&ask, label);
    let click = fake.button(user, ask.id, &custom_id).send().await;
    let answered = match answer {
        FixCheck::Held => click,
        FixCheck::Failed(what) => {
            let modal = click.modal().await;
            assert_eq!(modal["custom_id"], custom_id.as_str(), "{modal}");
            fake.modal_submit(user, &custom_id)
                .field("what", what)
                .send()
                .await
        }
    };
    // The question shows the answer: by the answer itself (7), or, when it carries the
    // charts, by an edit after the acknowledgement (6), which keeps them.
    let kind = answered.ack().await.kind;
    assert!(
        matches!(kind, 6 | 7),
        "the question shows the answer: {kind}"
    );
    fake.wait_for("the answered fix check", STEP, |f| {
        f.message(ask.id).is_some_and(|m| m.components.is_empty())
    })
    .await;
    fake.message(ask.id).expect("the answered fix check")
}

/// The labels of a message's buttons, in order.
pub fn button_labels(message: &FakeMessage) -> Vec<String> {
    buttons(message)
        .into_iter()
        .map(|b| b["label"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The buttons of a message, as Discord stores them.
pub fn buttons(message: &FakeMessage) -> Vec<Value> {
    message
        .components
        .iter()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// `user` presses the button labelled `label` on the newest message of `channel` that has one;
/// returns the handle and the message.
pub async fn press(
    fake: &FakeDiscord,
    user: UserId,
    channel: ChannelId,
    label: &str,
) -> (InteractionHandle, FakeMessage) {
    let message = fake
        .messages(channel)
        .into_iter()
        .rev()
        .find(|m| button_labels(m).iter().any(|l| l == label))
        .unwrap_or_else(|| panic!("no button {label:?} in the channel"));
    let custom_id = buttons(&message)
        .into_iter()
        .find(|b| b["label"] == label)
        .and_then(|b| b["custom_id"].as_str().map(str::to_owned))
        .expect("a button has a custom id");
    let handle = fake.button(user, message.id, &custom_id).send().await;
    (handle, message)
}

/// Declares "`title`" at `severity` on Login as the responder, then runs `/incident update
/// message:<message> public:true translations:true` in its channel; returns the first
/// translations form Discord shows.
pub async fn open_translations(
    fake: &FakeDiscord,
    (title, severity): (&str, &str),
    message: &str,
) -> Value {
    let channel = declare(
        fake,
        world::RESPONDER,
        &[
            ("title", title),
            ("severity", severity),
            ("systems", "Login"),
        ],
    )
    .await;
    let opened = incident(
        fake,
        world::RESPONDER,
        channel.id,
        "update",
        &[
            ("message", message),
            ("public", "true"),
            ("translations", "true"),
        ],
    )
    .await;
    opened.modal().await
}
