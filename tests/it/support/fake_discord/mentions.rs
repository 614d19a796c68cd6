//! Who a message pings, by Discord's rules for content mentions and `allowed_mentions`.

use serde_json::{json, Value};
use serenity::all::{RoleId, UserId};

use super::state::FakeMessage;
use super::view;

/// The notifications a message causes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pings {
    /// `@everyone` or `@here` went off.
    pub everyone: bool,
    /// Users pinged, in order of appearance.
    pub users: Vec<UserId>,
    /// Roles pinged, in order of appearance.
    pub roles: Vec<RoleId>,
}

impl Pings {
    /// Nobody is pinged.
    pub fn nobody(&self) -> bool {
        !self.everyone && self.users.is_empty() && self.roles.is_empty()
    }

    /// The pings of a stored message.
    pub fn of(message: &FakeMessage) -> Pings {
        Pings::compute(&message.content, message.allowed_mentions.as_ref())
    }

    /// Discord's rule: without `allowed_mentions` everything mentioned in the content pings.
    /// With it, a user or role pings only if mentioned in the content AND allowed either by its
    /// type in `parse` or by its id in `users`/`roles`; `@everyone`/`@here` need "everyone" in
    /// `parse`. Embeds never ping.
    pub fn compute(content: &str, allowed: Option<&Value>) -> Pings {
        let (users, roles, everyone) = scan(content);
        let Some(allowed) = allowed.filter(|a| !a.is_null()) else {
            return Pings {
                everyone,
                users,
                roles,
            };
        };
        let parse: Vec<&str> = allowed["parse"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let listed = |key: &str, id: u64| {
            allowed[key]
                .as_array()
                .into_iter()
                .flatten()
                .any(|v| id_of(v) == Some(id))
        };
        Pings {
            everyone: everyone && parse.contains(&"everyone"),
            users: users
                .into_iter()
                .filter(|u| parse.contains(&"users") || listed("users", u.get()))
                .collect(),
            roles: roles
                .into_iter()
                .filter(|r| parse.contains(&"roles") || listed("roles", r.get()))
                .collect(),
        }
    }
}

/// Discord refuses `parse: ["users"]` together with a `users` list (and the same for roles).
pub fn allowed_mentions_error(allowed: Option<&Value>) -> Option<(String, Value)> {
    let allowed = allowed.filter(|a| a.is_object())?;
    let parse: Vec<&str> = allowed["parse"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    ["users", "roles"].into_iter().find_map(|kind| {
        let has_list = allowed[kind].as_array().is_some_and(|l| !l.is_empty());
        (has_list && parse.contains(&kind)).then(|| {
            (
                "/allowed_mentions".to_owned(),
                json!({ "code": "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    "message": format!("parse:[\"{kind}\"] and {kind}: [ids...] are mutually exclusive.") }),
            )
        })
    })
}

fn id_of(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// The mentions in the content as the renderer reads it (`view::mentions`): an escaped
/// `\<@id>` and a mention inside code are text, so they ping nobody.
///
/// Discord's own behaviour here has shifted: its March 2026 patch notes made `\@everyone` and
/// `\@here` stop pinging (jagrosh/Vortex PR #179 quotes them), and a formatting cheat sheet
/// (wiki.raccoon.fun "discord-formatting") says an escaped `\<@id>` still pings. The fake
/// takes the renderer's reading: a mention pings only where people see one.
fn scan(content: &str) -> (Vec<UserId>, Vec<RoleId>, bool) {
    let (users, roles, everyone) = view::mentions(content);
    (
        users.into_iter().map(UserId::new).collect(),
        roles.into_iter().map(RoleId::new).collect(),
        everyone,
    )
}
