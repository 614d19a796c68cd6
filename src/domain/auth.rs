//! Who may do what. Checked by the bot itself: Discord's command permissions are defaults that
//! server admins can override.
//!
//! | who | may |
//! | --- | --- |
//! | responders (responder or commander role) | declare; work an incident (updates, notes, phases, comms lead and scribe, post-mortem details); **take** command when nobody holds it |
//! | the incident's commander, or the commander role | change severity, resolve, close; tell players on purpose (alert, published update); **hand over** command |
//! | the security role | turn a security incident back into an availability one |
//! | the commander role, the `[roles] maintenance` role, or the incident's commander | open, move, extend, end or cancel a maintenance window |
//! | responders | tick a checklist step; undo their own tick |
//! | the incident's commander, or the commander role | undo anyone's tick |
//! | the security role, or the incident's own members | see a security incident in lists |
//! | anyone else | nothing: lists and channel hints are refused |
//!
//! Only responders (never bots) may be given an incident role.

use std::fmt;

use super::{Incident, IncidentKind, IncidentRole, RoleId, UserId};

/// Something a person asks the bot to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Declare an incident.
    Declare,
    /// Work an open incident: updates, notes, phases, roles, post-mortem details.
    Work,
    /// Change severity, resolve or close.
    Command,
    /// Tell players on purpose: post the service alert, publish an update.
    Announce,
    /// Turn a security incident back into an availability one.
    Declassify,
    /// Open, move or end a maintenance window.
    Maintain,
}

/// The person asking, as the guild knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Who.
    pub user: UserId,
    /// Their guild roles.
    pub roles: Vec<RoleId>,
}

/// Someone about to be given an incident role, as the guild knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Who.
    pub user: UserId,
    /// Their guild roles (empty when they are not a member).
    pub roles: Vec<RoleId>,
    /// Whether the account is a bot.
    pub bot: bool,
}

/// The guild roles that grant rights, from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamRoles {
    /// May declare and work incidents.
    pub responder: RoleId,
    /// May also change severity, resolve, close and hand over command.
    pub commander: RoleId,
    /// Sees security incidents.
    pub security: RoleId,
}

/// A refusal, saying what would allow it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum NotAllowed {
    /// The asker lacks a role.
    MissingRole {
        /// The role that would allow it.
        needed: RoleId,
        /// What was asked.
        action: Action,
        /// Whether the incident's own commander could do it too.
        or_incident_commander: bool,
    },
    /// Someone else holds command; only they or a commander may hand it over.
    HandOver {
        /// The current commander.
        commander: UserId,
        /// The role that may hand over anyway.
        commander_role: RoleId,
    },
    /// The person to be given a role is not a responder.
    NotAResponder {
        /// Who.
        user: UserId,
        /// The role they would need.
        responder: RoleId,
    },
    /// The person to be given a role is a bot.
    Bot {
        /// Which bot.
        user: UserId,
    },
    /// The asker may see no incidents at all.
    NoAccess,
    /// Someone else ticked the step; only they or a commander may undo it.
    Untick {
        /// Who ticked it.
        ticked_by: UserId,
        /// The role that may undo anyone's tick.
        commander_role: RoleId,
    },
}

impl fmt::Display for NotAllowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingRole {
                needed,
                action,
                or_incident_commander,
            } => {
                let what = match action {
                    Action::Declare => "declare an incident",
                    Action::Work => "work on an incident",
                    Action::Command => "change severity, resolve or close an incident",
                    Action::Announce => "tell players with the service alert or a published update",
                    Action::Declassify => "turn a security incident back into an availability one",
                    Action::Maintain => "open, move or end a maintenance window",
                };
                write!(f, "To {what} you need the <@&{needed}> role")?;
                if *or_incident_commander {
                    f.write_str(" or to be this incident's commander")?;
                }
                f.write_str(". Ask a commander if you should have it.")
            }
            Self::HandOver {
                commander,
                commander_role,
            } => write!(
                f,
                "<@{commander}> is this incident's commander. Only they or a member with the \
                 <@&{commander_role}> role can hand command over: ask them to run this command."
            ),
            Self::NotAResponder { user, responder } => write!(
                f,
                "<@{user}> does not have the <@&{responder}> role, so they cannot hold an \
                 incident role. Pick a responder, or ask a commander to give them the role first."
            ),
            Self::Bot { user } => write!(
                f,
                "<@{user}> is a bot and cannot hold an incident role. Pick a person."
            ),
            Self::Untick {
                ticked_by,
                commander_role,
            } => write!(
                f,
                "<@{ticked_by}> ticked this step. Only they, this incident's commander or a \
                 member with the <@&{commander_role}> role can undo it: ask them to press it."
            ),
            Self::NoAccess => f.write_str(
                "Only responders can see incidents. What players are told is in the \
                 announcement channel.",
            ),
        }
    }
}

impl std::error::Error for NotAllowed {}

impl Actor {
    fn has(&self, role: RoleId) -> bool {
        self.roles.contains(&role)
    }

    /// Whether this person is on the response team at all (responder or commander role).
    pub fn is_responder(&self, team: &TeamRoles) -> bool {
        self.has(team.responder) || self.has(team.commander)
    }

    /// Whether this person may know that `incident` exists: a security incident only to the
    /// security role and its own members (who declared it or hold a role in it); the others to
    /// responders.
    pub fn can_see(&self, incident: &Incident, team: &TeamRoles) -> bool {
        let member =
            incident.declared_by == self.user || incident.roles.holders().any(|u| u == self.user);
        match incident.kind {
            IncidentKind::Security => self.has(team.security) || member,
            IncidentKind::Availability => self.is_responder(team) || member,
        }
    }

    /// Whether this person may take `action`, given the incident's commander (if any).
    pub fn may(
        &self,
        action: Action,
        team: &TeamRoles,
        incident_commander: Option<UserId>,
    ) -> Result<(), NotAllowed> {
        let commander = self.has(team.commander) || incident_commander == Some(self.user);
        let allowed = match action {
            Action::Declare | Action::Work => self.is_responder(team) || commander,
            Action::Command | Action::Announce | Action::Maintain => commander,
            Action::Declassify => self.has(team.security),
        };
        if allowed {
            return Ok(());
        }
        Err(match action {
            Action::Declare => NotAllowed::MissingRole {
                needed: team.responder,
                action,
                or_incident_commander: false,
            },
            Action::Work => NotAllowed::MissingRole {
                needed: team.responder,
                action,
                or_incident_commander: false,
            },
            Action::Command | Action::Maintain => NotAllowed::MissingRole {
                needed: team.commander,
                action,
                or_incident_commander: true,
            },
            Action::Announce => NotAllowed::MissingRole {
                needed: team.commander,
                action,
                or_incident_commander: true,
            },
            Action::Declassify => NotAllowed::MissingRole {
                needed: team.security,
                action,
                or_incident_commander: false,
            },
        })
    }

    /// Whether this person may open, move, extend or end a maintenance window: the commander
    /// role, the `[roles] maintenance` role when set, or the commander of the incident the
    /// window is for.
    pub fn may_maintain(
        &self,
        team: &TeamRoles,
        maintenance: Option<RoleId>,
        incident_commander: Option<UserId>,
    ) -> Result<(), NotAllowed> {
        let allowed = self.has(team.commander)
            || maintenance.is_some_and(|r| self.has(r))
            || incident_commander == Some(self.user);
        if allowed {
            return Ok(());
        }
        Err(NotAllowed::MissingRole {
            needed: maintenance.unwrap_or(team.commander),
            action: Action::Maintain,
            or_incident_commander: incident_commander.is_some(),
        })
    }

    /// Whether this person may undo a tick that `ticked_by` made: a responder their own, and
    /// whoever may command the incident anyone's.
    pub fn may_untick(
        &self,
        ticked_by: UserId,
        team: &TeamRoles,
        incident_commander: Option<UserId>,
    ) -> Result<(), NotAllowed> {
        self.may(Action::Work, team, incident_commander)?;
        if self.user == ticked_by || self.may(Action::Command, team, incident_commander).is_ok() {
            return Ok(());
        }
        Err(NotAllowed::Untick {
            ticked_by,
            commander_role: team.commander,
        })
    }

    /// Whether this person may give `role` to `to`, given the incident's current commander.
    ///
    /// Command is never seized: a responder may take an empty command (so an incident at 3 a.m.
    /// is never stuck), but only the current commander or the commander role may hand it over.
    pub fn may_assign(
        &self,
        role: IncidentRole,
        to: &Candidate,
        team: &TeamRoles,
        current_commander: Option<UserId>,
    ) -> Result<(), NotAllowed> {
        self.may(Action::Work, team, current_commander)?;
        if to.bot {
            return Err(NotAllowed::Bot { user: to.user });
        }
        if !(to.roles.contains(&team.responder) || to.roles.contains(&team.commander)) {
            return Err(NotAllowed::NotAResponder {
                user: to.user,
                responder: team.responder,
            });
        }
        match (role, current_commander) {
            (IncidentRole::Commander, Some(current))
                if current != to.user && current != self.user && !self.has(team.commander) =>
            {
                Err(NotAllowed::HandOver {
                    commander: current,
                    commander_role: team.commander,
                })
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
#[path = "auth_tests.rs"]
mod tests;
