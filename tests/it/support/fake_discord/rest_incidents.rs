//! REST: the guild's incident actions (`PUT /guilds/{guild_id}/incident-actions`) and the
//! `incidents_data` they keep on the guild, as Discord documents them
//! (discord/discord-api-docs `developers/resources/guild.mdx`, "Modify Guild Incident Actions"
//! and "Incidents Data Object"): each time at most 24 hours ahead; a field left out or null
//! lifts that pause (serenity's builder sends a field it was not given as null). The spec
//! types the response without `raid_detected_at` and `dm_spam_detected_at`, which the docs'
//! Incidents Data Object has: the fake adds them, so Discord's own raid signals can be
//! played.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

use super::reply::Reply;
use super::rest::Ctx;
use super::rest_guild::wrong_guild;
use super::shared::Shared;

/// The guild's incidents data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FakeIncidents {
    /// Invites paused until then.
    pub invites_disabled_until: Option<DateTime<Utc>>,
    /// DMs paused until then.
    pub dms_disabled_until: Option<DateTime<Utc>>,
    /// When Discord saw DM spam.
    pub dm_spam_detected_at: Option<DateTime<Utc>>,
    /// When Discord saw a raid.
    pub raid_detected_at: Option<DateTime<Utc>>,
}

fn time(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| json!(t.to_rfc3339()))
}

impl FakeIncidents {
    /// As the guild object carries it: `null` when nothing was ever set.
    pub fn to_json(self) -> Value {
        if self == Self::default() {
            return Value::Null;
        }
        json!({
            "invites_disabled_until": time(self.invites_disabled_until),
            "dms_disabled_until": time(self.dms_disabled_until),
            "dm_spam_detected_at": time(self.dm_spam_detected_at),
            "raid_detected_at": time(self.raid_detected_at),
        })
    }
}

/// `PUT /guilds/{guild_id}/incident-actions`.
pub fn incident_actions(shared: &Shared, ctx: &Ctx) -> Reply {
    if let Some(reply) = wrong_guild(shared, ctx) {
        return reply;
    }
    // A little slack for the time between the bot's clock and the request.
    let latest = shared.clock.wall() + TimeDelta::hours(24) + TimeDelta::minutes(1);
    let mut errors = serde_json::Map::new();
    let mut read = |key: &str| -> Option<DateTime<Utc>> {
        let text = ctx.body.get(key).and_then(Value::as_str)?;
        match DateTime::parse_from_rfc3339(text) {
            Ok(t) if t.with_timezone(&Utc) <= latest => Some(t.with_timezone(&Utc)),
            _ => {
                errors.insert(
                    key.to_owned(),
                    json!({ "_errors": [{ "code": "BASE_TYPE_BAD_TIME",
                        "message": "Must be a time at most 24 hours in the future." }] }),
                );
                None
            }
        }
    };
    let invites = read("invites_disabled_until");
    let dms = read("dms_disabled_until");
    if !errors.is_empty() {
        return Reply::invalid_form_tree(Value::Object(errors), "invalid-body");
    }
    let data = shared.write(|s| {
        s.incidents.invites_disabled_until = invites;
        s.incidents.dms_disabled_until = dms;
        super::safety::guild_updated(shared, s);
        s.incidents
    });
    shared.notify();
    Reply::ok(json!({
        "invites_disabled_until": time(data.invites_disabled_until),
        "dms_disabled_until": time(data.dms_disabled_until),
    }))
}
