//! Who may do what. Checked by the bot itself: Discord's command permissions are defaults that
//! server admins can override.

use std::fmt;

use super::{RoleId, UserId};

/// Something a person asks the bot to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Declare an incident.
    Declare,
    /// Work an open incident: updates, notes, phases, roles, post-mortem details.
    Work,
    /// Change severity, resolve or close.
    Command,
}

/// The person asking, as the guild knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Who.
    pub user: UserId,
    /// Their guild roles.
    pub roles: Vec<RoleId>,
}

/// The guild roles that grant rights, from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamRoles {
    /// May declare and work incidents.
    pub responder: RoleId,
    /// May also change severity, resolve and close.
    pub commander: RoleId,
}

/// A refusal that names the role needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAllowed {
    /// The role that would allow it.
    pub needed: RoleId,
    /// What was asked, in words.
    pub what: &'static str,
    /// Whether the incident's own commander could do it too.
    pub or_incident_commander: bool,
}

impl fmt::Display for NotAllowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "To {} you need the <@&{}> role", self.what, self.needed)?;
        if self.or_incident_commander {
            f.write_str(" or to be this incident's commander")?;
        }
        f.write_str(". Ask a commander if you should have it.")
    }
}

impl std::error::Error for NotAllowed {}

impl Actor {
    fn has(&self, role: RoleId) -> bool {
        self.roles.contains(&role)
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
            Action::Declare | Action::Work => self.has(team.responder) || commander,
            Action::Command => commander,
        };
        if allowed {
            return Ok(());
        }
        Err(match action {
            Action::Declare => NotAllowed {
                needed: team.responder,
                what: "declare an incident",
                or_incident_commander: false,
            },
            Action::Work => NotAllowed {
                needed: team.responder,
                what: "work on an incident",
                or_incident_commander: false,
            },
            Action::Command => NotAllowed {
                needed: team.commander,
                what: "change severity, resolve or close an incident",
                or_incident_commander: true,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(n: u64) -> RoleId {
        RoleId::new(n).expect("non-zero")
    }

    fn user(n: u64) -> UserId {
        UserId::new(n).expect("non-zero")
    }

    const TEAM: fn() -> TeamRoles = || TeamRoles {
        responder: role(1),
        commander: role(2),
    };

    #[test]
    fn responders_work_and_declare_but_do_not_command() {
        let a = Actor {
            user: user(5),
            roles: vec![role(1)],
        };
        assert!(a.may(Action::Declare, &TEAM(), None).is_ok());
        assert!(a.may(Action::Work, &TEAM(), None).is_ok());
        let err = a
            .may(Action::Command, &TEAM(), None)
            .expect_err("not a commander");
        assert!(err.to_string().contains("<@&2>"), "{err}");
    }

    #[test]
    fn the_incidents_own_commander_may_command_it() {
        let a = Actor {
            user: user(5),
            roles: vec![role(1)],
        };
        assert!(a.may(Action::Command, &TEAM(), Some(user(5))).is_ok());
    }

    #[test]
    fn players_may_do_nothing() {
        let a = Actor {
            user: user(9),
            roles: vec![role(77)],
        };
        for action in [Action::Declare, Action::Work, Action::Command] {
            assert!(a.may(action, &TEAM(), None).is_err());
        }
    }
}
