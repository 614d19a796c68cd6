//! The rights model: who may declare, work, take and hand over command, and see what.

use chrono::{TimeZone, Utc};

use super::*;
use crate::domain::{Declaration, IncidentTitle, Severity, Systems};

fn role(n: u64) -> RoleId {
    RoleId::new(n).expect("non-zero")
}

fn user(n: u64) -> UserId {
    UserId::new(n).expect("non-zero")
}

const RESPONDER: u64 = 1;
const COMMANDER: u64 = 2;
const SECURITY: u64 = 3;

fn team() -> TeamRoles {
    TeamRoles {
        responder: role(RESPONDER),
        commander: role(COMMANDER),
        security: role(SECURITY),
    }
}

fn actor(id: u64, roles: &[u64]) -> Actor {
    Actor {
        user: user(id),
        roles: roles.iter().map(|&r| role(r)).collect(),
    }
}

fn candidate(id: u64, roles: &[u64]) -> Candidate {
    Candidate {
        user: user(id),
        roles: roles.iter().map(|&r| role(r)).collect(),
        bot: false,
    }
}

fn incident(kind: IncidentKind, declared_by: u64) -> Incident {
    let d = Declaration {
        title: IncidentTitle::parse("Token leak").expect("title"),
        severity: Severity::P1,
        kind,
        systems: Systems::parse("Login").expect("systems"),
        summary: None,
        declared_by: user(declared_by),
        eta: None,
        detected_at: None,
    };
    let at = Utc
        .with_ymd_and_hms(2026, 11, 26, 12, 0, 0)
        .single()
        .expect("time");
    Incident::declare(d, at).0
}

#[test]
fn responders_work_and_declare_but_do_not_command() {
    let a = actor(5, &[RESPONDER]);
    assert_eq!(a.may(Action::Declare, &team(), None), Ok(()));
    assert_eq!(a.may(Action::Work, &team(), None), Ok(()));
    let err = a
        .may(Action::Command, &team(), None)
        .expect_err("not a commander");
    assert!(err.to_string().contains("<@&2>"), "{err}");
}

#[test]
fn the_incidents_own_commander_may_command_it() {
    let a = actor(5, &[RESPONDER]);
    assert_eq!(a.may(Action::Command, &team(), Some(user(5))), Ok(()));
}

#[test]
fn players_may_do_nothing() {
    let a = actor(9, &[77]);
    for action in [Action::Declare, Action::Work, Action::Command] {
        assert!(a.may(action, &team(), None).is_err(), "{action:?}");
    }
}

#[test]
fn a_responder_may_take_an_empty_command() {
    let a = actor(5, &[RESPONDER]);
    let me = candidate(5, &[RESPONDER]);
    assert_eq!(
        a.may_assign(IncidentRole::Commander, &me, &team(), None),
        Ok(())
    );
}

#[test]
fn a_responder_cannot_displace_a_commander() {
    let a = actor(5, &[RESPONDER]);
    let me = candidate(5, &[RESPONDER]);
    assert_eq!(
        a.may_assign(IncidentRole::Commander, &me, &team(), Some(user(6))),
        Err(NotAllowed::HandOver {
            commander: user(6),
            commander_role: role(COMMANDER),
        })
    );
}

#[test]
fn the_commander_or_the_commander_role_may_hand_over() {
    let next = candidate(7, &[RESPONDER]);
    let current = actor(6, &[RESPONDER]);
    assert_eq!(
        current.may_assign(IncidentRole::Commander, &next, &team(), Some(user(6))),
        Ok(())
    );
    let lead = actor(8, &[RESPONDER, COMMANDER]);
    assert_eq!(
        lead.may_assign(IncidentRole::Commander, &next, &team(), Some(user(6))),
        Ok(())
    );
}

#[test]
fn any_responder_may_name_the_comms_lead_or_scribe() {
    let a = actor(5, &[RESPONDER]);
    let other = candidate(7, &[RESPONDER]);
    for role in [IncidentRole::Comms, IncidentRole::Scribe] {
        assert_eq!(a.may_assign(role, &other, &team(), Some(user(6))), Ok(()));
    }
}

#[test]
fn players_and_bots_cannot_be_given_a_role() {
    let a = actor(5, &[RESPONDER, COMMANDER]);
    let player = candidate(9, &[77]);
    assert_eq!(
        a.may_assign(IncidentRole::Scribe, &player, &team(), None),
        Err(NotAllowed::NotAResponder {
            user: user(9),
            responder: role(RESPONDER),
        })
    );
    let bot = Candidate {
        bot: true,
        ..candidate(10, &[RESPONDER])
    };
    assert_eq!(
        a.may_assign(IncidentRole::Commander, &bot, &team(), None),
        Err(NotAllowed::Bot { user: user(10) })
    );
}

#[test]
fn security_incidents_are_seen_by_the_security_role_and_their_members_only() {
    let sec = incident(IncidentKind::Security, 5);
    assert!(actor(5, &[RESPONDER]).can_see(&sec, &team()), "declarer");
    assert!(actor(6, &[RESPONDER, SECURITY]).can_see(&sec, &team()));
    assert!(!actor(7, &[RESPONDER, COMMANDER]).can_see(&sec, &team()));
    assert!(!actor(9, &[]).can_see(&sec, &team()));
    let mut held = sec.clone();
    held.roles.set(IncidentRole::Scribe, user(7));
    assert!(
        actor(7, &[RESPONDER]).can_see(&held, &team()),
        "role holder"
    );
}

#[test]
fn availability_incidents_are_seen_by_responders_not_players() {
    let inc = incident(IncidentKind::Availability, 5);
    assert!(actor(7, &[RESPONDER]).can_see(&inc, &team()));
    assert!(actor(8, &[COMMANDER]).can_see(&inc, &team()));
    assert!(!actor(9, &[77]).can_see(&inc, &team()));
}

#[test]
fn a_tick_is_undone_by_whoever_made_it_or_a_commander_and_nobody_else() {
    let (rhea, rory) = (actor(10, &[RESPONDER]), actor(11, &[RESPONDER]));
    let cole = actor(12, &[RESPONDER, COMMANDER]);
    let t = team();
    assert_eq!(rhea.may_untick(rhea.user, &t, None), Ok(()));
    assert_eq!(cole.may_untick(rhea.user, &t, None), Ok(()));
    // The incident's own commander may, without the role.
    assert_eq!(rory.may_untick(rhea.user, &t, Some(rory.user)), Ok(()));
    let refused = rory
        .may_untick(rhea.user, &t, None)
        .expect_err("not theirs");
    assert_eq!(
        refused.to_string(),
        "<@10> ticked this step. Only they, this incident's commander or a member with the \
         <@&2> role can undo it: ask them to press it."
    );
    // A player may not even undo a tick that carries their id.
    let pat = actor(13, &[]);
    assert!(matches!(
        pat.may_untick(pat.user, &t, None),
        Err(NotAllowed::MissingRole { .. })
    ));
}
