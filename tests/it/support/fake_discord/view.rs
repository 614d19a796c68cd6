//! What a person sees of a message: its markdown rendered to plain text, mentions as names,
//! timestamps as dates, so that tests assert on what players and responders read.
//!
//! Rendering choices (plain text has no bold or bars, so each rule picks what stands for it):
//! - escapes are consumed: `\*` shows `*`, `\<@1>` shows `<@1>` (and pings nobody);
//! - bold, italic, underline, strikethrough and spoilers show their text without markers
//!   (a spoiler as if revealed);
//! - code spans and blocks show their text verbatim, without fences or language line, and
//!   nothing inside them is markdown or a mention;
//! - `<@id>`/`<@!id>` show `@name` (`@unknown-user` for nobody the guild knows), `<@&id>`
//!   `@role` (`@deleted-role`), `<#id>` `#channel` (`#unknown`); `@everyone`/`@here` as typed;
//! - `<t:…>` as in `view_time`, in UTC; custom emoji as `:name:`; `</cmd:id>` as `/cmd`;
//!   a web address, bare or in `<https://…>`, as the address (`links` lists what is clickable);
//! - masked links `[text](https://…)` show `text`;
//! - headings (`# `, `## `, `### `) and subtext (`-# `) show their text alone; a quote line
//!   (`> `, or every line after `>>> `) shows `│ ` before its text; a list item (`- `, `* `)
//!   shows `• ` after its indentation; a numbered item keeps its `1. `.
//!
//! Sources for the rules:
//! - discord/discord-api-docs `developers/reference.mdx` "Message Formatting" (mention,
//!   emoji, command and timestamp forms) and "Timestamp Styles" (see `view_time`);
//! - simple-markdown, the parser Discord's client is built on, as ported in
//!   brussell98/discord-markdown and RiskyMH/discord-markdown (escape `\\([^0-9A-Za-z\s])`,
//!   `**`/`__` lazy with no third mark after the closer, `*em*` opening before a non-space,
//!   `_em_` only at word boundaries, code spans closed by a run of the same length);
//! - Discord's help article "Markdown Text 101" as summarised on pages found by the search
//!   tool (wiki.raccoon.fun "discord-formatting", paradoxv5.github.io/Discord-Markdown):
//!   headings need a space after one to three `#`, subtext `-# `, quotes `> ` and `>>> `,
//!   lists `- ` or `* `;
//! - masked links: once only in embeds, interaction responses and webhook messages
//!   (Rapptz/discord.py discussion #8451, 2022); since the 2023 markdown update they render in
//!   every message, bots' included (widgetbot-io/message-renderer PR #51, "Allow normal
//!   messages to use masked links", 2024), except when the text itself is a URL (such a link is
//!   left as typed; gist Nickguitar/7c6bdfa8…).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::markdown::{parse, LineStart, Node};
use super::state::State;
use super::view_time;

/// The names a message's mentions show: members, roles, channels.
#[derive(Clone, Debug, Default)]
pub struct Names {
    users: BTreeMap<u64, String>,
    roles: BTreeMap<u64, String>,
    channels: BTreeMap<u64, String>,
}

impl Names {
    /// The names in the fake's guild now.
    pub fn of(state: &State) -> Names {
        Names {
            users: state
                .members
                .iter()
                .map(|(id, m)| (*id, m.user.username.clone()))
                .collect(),
            roles: state
                .roles
                .iter()
                .map(|(id, r)| (*id, r.name.clone()))
                .collect(),
            channels: state
                .channels
                .iter()
                .map(|(id, c)| (*id, c.name.clone()))
                .collect(),
        }
    }

    /// Adds a member's display name.
    pub fn user(mut self, id: u64, name: &str) -> Self {
        self.users.insert(id, name.to_owned());
        self
    }

    /// Adds a role's name.
    pub fn role(mut self, id: u64, name: &str) -> Self {
        self.roles.insert(id, name.to_owned());
        self
    }

    /// Adds a channel's name.
    pub fn channel(mut self, id: u64, name: &str) -> Self {
        self.channels.insert(id, name.to_owned());
        self
    }
}

/// `content` as Discord's client shows it to a member of the guild at `now`.
pub fn render(content: &str, names: &Names, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    write(&parse(content), names, now, &mut out);
    out
}

fn write(nodes: &[Node], names: &Names, now: DateTime<Utc>, out: &mut String) {
    let named = |map: &BTreeMap<u64, String>, id: &u64, none: &str| {
        map.get(id).cloned().unwrap_or_else(|| none.to_owned())
    };
    for node in nodes {
        match node {
            Node::Text(text) | Node::Code(text) | Node::Url { url: text, .. } => {
                out.push_str(text);
            }
            Node::Line(start) => out.push_str(&line_start(start)),
            Node::Styled(_, inner) | Node::Link(inner) => write(inner, names, now, out),
            Node::User(id) => {
                out.push('@');
                out.push_str(&named(&names.users, id, "unknown-user"));
            }
            Node::Role(id) => {
                out.push('@');
                out.push_str(&named(&names.roles, id, "deleted-role"));
            }
            Node::Channel(id) => {
                out.push('#');
                out.push_str(&named(&names.channels, id, "unknown"));
            }
            Node::Everyone => out.push_str("@everyone"),
            Node::Here => out.push_str("@here"),
            Node::Time(unix, style) => match view_time::format(*unix, *style, now) {
                Some(text) => out.push_str(&text),
                None => out.push_str(&format!("<t:{unix}:{style}>")),
            },
            Node::Emoji(name) => out.push_str(&format!(":{name}:")),
            Node::Command(name) => out.push_str(&format!("/{name}")),
        }
    }
}

fn line_start(start: &LineStart) -> String {
    match start {
        LineStart::Quote => "│ ".to_owned(),
        LineStart::Heading(_) | LineStart::Subtext => String::new(),
        LineStart::Bullet(indent) => format!("{}• ", " ".repeat(*indent)),
        LineStart::Numbered(number) => format!("{number}. "),
    }
}

/// The web addresses a message's content links, each with whether the client previews it:
/// what a reader could click. Masked links are not among them (they show their text).
pub fn links(content: &str) -> Vec<(String, bool)> {
    fn walk(nodes: &[Node], found: &mut Vec<(String, bool)>) {
        for node in nodes {
            match node {
                Node::Url { url, preview } => found.push((url.clone(), *preview)),
                Node::Styled(_, inner) | Node::Link(inner) => walk(inner, found),
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    walk(&parse(content), &mut found);
    found
}

/// The users and roles a message's content mentions, in order of appearance and without
/// repeats, and whether it mentions `@everyone` or `@here`: escaped mentions and mentions in
/// code are text, so they are not among them.
pub fn mentions(content: &str) -> (Vec<u64>, Vec<u64>, bool) {
    fn walk(nodes: &[Node], found: &mut (Vec<u64>, Vec<u64>, bool)) {
        for node in nodes {
            match node {
                Node::User(id) if !found.0.contains(id) => found.0.push(*id),
                Node::Role(id) if !found.1.contains(id) => found.1.push(*id),
                Node::Everyone | Node::Here => found.2 = true,
                Node::Styled(_, inner) | Node::Link(inner) => walk(inner, found),
                _ => {}
            }
        }
    }
    let mut found = (Vec::new(), Vec::new(), false);
    walk(&parse(content), &mut found);
    found
}
