//! What people read: a message or a whole channel rendered as Discord's client shows it.

use chrono::{DateTime, Utc};
use serde_json::Value;
use serenity::all::ChannelId;

use super::state::FakeMessage;
use super::view::{render, Names};
use super::FakeDiscord;

impl FakeDiscord {
    /// `message`'s content as a member of the guild sees it at `now`: markdown rendered,
    /// mentions as names, timestamps as dates (see `view.rs` for each rule).
    pub fn seen(&self, message: &FakeMessage, now: DateTime<Utc>) -> String {
        let names = self.shared.read(Names::of);
        render(&message.content, &names, now)
    }

    /// `content` (an interaction's answer that is not a stored message, say) as a member of the
    /// guild sees it at `now`.
    pub fn seen_text(&self, content: &str, now: DateTime<Utc>) -> String {
        let names = self.shared.read(Names::of);
        render(content, &names, now)
    }

    /// The web addresses `message` links, each with whether Discord previews it below the
    /// message: what a reader could click.
    pub fn links(&self, message: &FakeMessage) -> Vec<(String, bool)> {
        super::view::links(&message.content)
    }

    /// Every message everyone sees in `channel` at `now`, oldest first, each as
    /// `author-name: text`, followed by `[embed: title]`, `[file: name]` and
    /// `[button: label]` for what it carries; a pin notice reads
    /// `name pinned a message to this channel.` Ephemeral messages are left out.
    pub fn seen_in(&self, channel: ChannelId, now: DateTime<Utc>) -> Vec<String> {
        let names = self.shared.read(Names::of);
        self.messages(channel)
            .iter()
            .map(|m| line(m, &names, now))
            .collect()
    }
}

fn line(message: &FakeMessage, names: &Names, now: DateTime<Utc>) -> String {
    let author = &message.author.username;
    if message.kind == 6 {
        return format!("{author} pinned a message to this channel.");
    }
    let mut parts = vec![render(&message.content, names, now)];
    for embed in &message.embeds {
        parts.push(match embed["title"].as_str() {
            Some(title) => format!("[embed: {}]", render(title, names, now)),
            None => "[embed]".to_owned(),
        });
    }
    for file in &message.attachments {
        parts.push(format!("[file: {}]", file.filename));
    }
    controls(&message.components, &mut parts);
    parts.retain(|p| !p.is_empty());
    format!("{author}: {}", parts.join(" "))
}

/// Buttons and selects, depth first through action rows.
fn controls(components: &[Value], parts: &mut Vec<String>) {
    for component in components {
        match component["type"].as_u64() {
            Some(2) => parts.push(format!(
                "[button: {}]",
                component["label"].as_str().unwrap_or_default()
            )),
            Some(3 | 5..=8) => parts.push(format!(
                "[select: {}]",
                component["placeholder"].as_str().unwrap_or_default()
            )),
            _ => {}
        }
        if let Some(inner) = component["components"].as_array() {
            controls(inner, parts);
        }
    }
}
