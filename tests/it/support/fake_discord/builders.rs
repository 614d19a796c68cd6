//! One-line builders for slash commands and autocomplete, checked against registered commands.

use std::sync::Arc;

use serde_json::{json, Map, Value};
use serenity::all::{ChannelId, MessageId, RoleId, UserId};

use super::handle::InteractionHandle;
use super::interaction::{member_with_permissions, pick_channel, preview, send, Outgoing};
use super::shapes;
use super::shared::Shared;
use super::state::{InteractionKind, State};

/// A slash command (or its autocomplete) being put together by a test.
pub struct SlashBuilder {
    shared: Arc<Shared>,
    user: UserId,
    channel: Option<ChannelId>,
    name: String,
    group: Option<String>,
    sub: Option<String>,
    options: Vec<Value>,
    resolved: Map<String, Value>,
    autocomplete: bool,
}

impl SlashBuilder {
    /// An empty builder for `user`; `autocomplete` makes it an autocomplete request.
    pub(super) fn new(shared: Arc<Shared>, user: UserId, autocomplete: bool) -> Self {
        SlashBuilder {
            shared,
            user,
            channel: None,
            name: String::new(),
            group: None,
            sub: None,
            options: vec![],
            resolved: Map::new(),
            autocomplete,
        }
    }

    /// The channel it is used in (default: the guild's first text channel).
    pub fn in_channel(mut self, channel: ChannelId) -> Self {
        self.channel = Some(channel);
        self
    }

    /// The top-level command name, e.g. "incident".
    pub fn command(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// A subcommand group (option type 2).
    pub fn group(mut self, name: &str) -> Self {
        self.group = Some(name.to_owned());
        self
    }

    /// A subcommand (option type 1); later options go inside it.
    pub fn sub(mut self, name: &str) -> Self {
        self.sub = Some(name.to_owned());
        self
    }

    fn opt(mut self, name: &str, kind: u8, value: Value) -> Self {
        self.options
            .push(json!({ "name": name, "type": kind, "value": value }));
        self
    }

    /// A string option (type 3).
    pub fn opt_str(self, name: &str, value: &str) -> Self {
        self.opt(name, 3, json!(value))
    }

    /// An integer option (type 4).
    pub fn opt_int(self, name: &str, value: i64) -> Self {
        self.opt(name, 4, json!(value))
    }

    /// A boolean option (type 5).
    pub fn opt_bool(self, name: &str, value: bool) -> Self {
        self.opt(name, 5, json!(value))
    }

    /// A number option (type 10).
    pub fn opt_number(self, name: &str, value: f64) -> Self {
        self.opt(name, 10, json!(value))
    }

    /// A user option (type 6); the user and their member object go into `resolved`.
    pub fn opt_user(mut self, name: &str, user: UserId) -> Self {
        let (user_json, member_json) = self.shared.read(|s| {
            let channel = pick_channel(s, self.channel);
            let mut member = member_with_permissions(&self.shared, s, user, channel);
            let user_json = member
                .as_object_mut()
                .and_then(|m| m.remove("user"))
                .unwrap_or_default();
            (user_json, member)
        });
        let key = user.to_string();
        resolved_entry(&mut self.resolved, "users").insert(key.clone(), user_json);
        resolved_entry(&mut self.resolved, "members").insert(key.clone(), member_json);
        self.opt(name, 6, json!(key))
    }

    /// A channel option (type 7), resolved.
    pub fn opt_channel(mut self, name: &str, channel: ChannelId) -> Self {
        let json = self.shared.read(|s| {
            let c = s
                .channels
                .get(&channel.get())
                .unwrap_or_else(|| panic!("fake Discord: no channel {channel}"));
            json!({ "id": c.id.to_string(), "name": c.name, "type": c.kind,
                "parent_id": c.parent_id.map(|p| p.to_string()), "permissions": "0" })
        });
        resolved_entry(&mut self.resolved, "channels").insert(channel.to_string(), json);
        self.opt(name, 7, json!(channel.to_string()))
    }

    /// A file option (type 11): the file is kept by the fake, which serves it at the
    /// resolved attachment's `url`, as Discord's CDN does.
    pub fn opt_attachment(mut self, name: &str, filename: &str, text: &str) -> Self {
        let id = super::state::snowflake(&self.shared.clock);
        let path = format!("/attachments/{id}/{filename}");
        let url = format!("{}{path}", self.shared.rest_base());
        self.shared
            .write(|s| s.uploads.insert(path, text.as_bytes().to_vec()));
        let json = json!({ "id": id.to_string(), "filename": filename, "size": text.len(),
            "url": url, "proxy_url": url, "content_type": "text/plain; charset=utf-8" });
        resolved_entry(&mut self.resolved, "attachments").insert(id.to_string(), json);
        self.opt(name, 11, json!(id.to_string()))
    }

    /// A role option (type 8), resolved.
    pub fn opt_role(mut self, name: &str, role: RoleId) -> Self {
        let json = self.shared.read(|s| {
            s.roles
                .get(&role.get())
                .map(shapes::role)
                .unwrap_or_else(|| panic!("fake Discord: no role {role}"))
        });
        resolved_entry(&mut self.resolved, "roles").insert(role.to_string(), json);
        self.opt(name, 8, json!(role.to_string()))
    }

    /// The option being typed in an autocomplete (`focused: true`, partial text as value).
    pub fn focused(mut self, name: &str, partial: &str) -> Self {
        self.options
            .push(json!({ "name": name, "type": 3, "value": partial, "focused": true }));
        self
    }

    fn outgoing(&self, state: &State) -> Outgoing {
        let mut options = Value::Array(self.options.clone());
        if let Some(sub) = &self.sub {
            options = json!([{ "name": sub, "type": 1, "options": options }]);
        }
        if let Some(group) = &self.group {
            options = json!([{ "name": group, "type": 2, "options": options }]);
        }
        let id = find_command(state, &self.name, 1).map_or(0, |c| {
            c["id"].as_str().and_then(|i| i.parse().ok()).unwrap_or(0)
        });
        let mut data = json!({ "id": id.max(1).to_string(), "name": self.name, "type": 1, "options": options,
            "guild_id": self.shared.config.guild_id.to_string() });
        if !self.resolved.is_empty() {
            data["resolved"] = Value::Object(self.resolved.clone());
        }
        Outgoing {
            kind: if self.autocomplete {
                InteractionKind::Autocomplete
            } else {
                InteractionKind::Command
            },
            user: self.user,
            channel: pick_channel(state, self.channel),
            data,
            source_message: None,
            message: None,
        }
    }

    /// The INTERACTION_CREATE payload this would send (nothing is recorded).
    pub fn to_json(&self) -> Value {
        preview(&self.shared, &self.shared.read(|s| self.outgoing(s)))
    }

    /// Sends it. Panics if the command is not registered or an option does not fit its
    /// registered definition: Discord's client could not send such an interaction.
    pub async fn send(self) -> InteractionHandle {
        let out = self.shared.read(|s| {
            let command = find_command(s, &self.name, 1).unwrap_or_else(|| {
                panic!(
                    "fake Discord: /{} is not a registered command (registered: {:?})",
                    self.name,
                    names(s)
                )
            });
            let out = self.outgoing(s);
            if let Err(why) =
                check_options(&command["options"], &out.data["options"], self.autocomplete)
            {
                panic!(
                    "fake Discord: /{} cannot be sent as built: {why}",
                    self.name
                );
            }
            out
        });
        send(&self.shared, out).await
    }

    /// Sends it without checking the options against the registered definition, as a Discord
    /// client still showing an older definition of the command does.
    pub async fn send_from_stale_client(self) -> InteractionHandle {
        let out = self.shared.read(|s| self.outgoing(s));
        send(&self.shared, out).await
    }
}

fn resolved_entry<'a>(
    resolved: &'a mut Map<String, Value>,
    key: &str,
) -> &'a mut Map<String, Value> {
    resolved
        .entry(key)
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("resolved entries are objects")
}

/// Names of the registered commands, for failure messages.
pub(super) fn names(state: &State) -> Vec<String> {
    state.commands.iter().map(|c| c.name().to_owned()).collect()
}

/// The registered command of that name and type, guild commands first.
pub(super) fn find_command(state: &State, name: &str, kind: u64) -> Option<Value> {
    let matches = |c: &&super::state::FakeCommand| {
        c.name() == name && c.json["type"].as_u64().unwrap_or(1) == kind
    };
    let guild = state
        .commands
        .iter()
        .filter(|c| c.guild_id.is_some())
        .find(matches);
    guild
        .or_else(|| state.commands.iter().find(matches))
        .map(|c| c.json.clone())
}

/// Checks sent options against the registered definitions, level by level.
fn check_options(defined: &Value, sent: &Value, autocomplete: bool) -> Result<(), String> {
    let defined: &[Value] = defined.as_array().map_or(&[], Vec::as_slice);
    for option in sent.as_array().into_iter().flatten() {
        let name = option["name"].as_str().unwrap_or_default();
        let Some(def) = defined.iter().find(|d| d["name"] == name) else {
            return Err(format!(
                "option {name:?} is not defined (defined: {:?})",
                defined.iter().map(|d| &d["name"]).collect::<Vec<_>>()
            ));
        };
        let focused = option["focused"].as_bool() == Some(true);
        if focused && def["autocomplete"].as_bool() != Some(true) {
            return Err(format!(
                "option {name:?} is focused but not registered with autocomplete"
            ));
        }
        if !focused && def["type"] != option["type"] {
            return Err(format!(
                "option {name:?} has type {} but is defined with type {}",
                option["type"], def["type"]
            ));
        }
        if matches!(option["type"].as_u64(), Some(1 | 2)) {
            check_options(&def["options"], &option["options"], autocomplete)?;
        }
    }
    let sent_names: Vec<&Value> = sent
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| &o["name"])
        .collect();
    let leaf = !defined
        .iter()
        .any(|d| matches!(d["type"].as_u64(), Some(1 | 2)));
    if leaf && !autocomplete {
        if let Some(missing) = defined
            .iter()
            .find(|d| d["required"].as_bool() == Some(true) && !sent_names.contains(&&d["name"]))
        {
            return Err(format!("required option {} is missing", missing["name"]));
        }
    }
    Ok(())
}
