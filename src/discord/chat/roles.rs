//! Giving and taking a member's role over serenity (`PUT`/`DELETE
//! /guilds/{guild}/members/{user}/roles/{role}`), with Discord's refusals sorted into
//! [`RoleError`]s the use case words.

use serenity::all as serenity;

use super::{classify, SerenityChat};
use crate::app::{RoleChange, RoleError};
use crate::discord::metered::route;
use crate::domain::{RoleId, UserId};

impl SerenityChat {
    /// Gives or takes `role` of `user`, `reason` going to the audit log.
    pub(super) async fn member_role(
        &self,
        user: UserId,
        role: RoleId,
        change: RoleChange,
        reason: &str,
    ) -> Result<(), RoleError> {
        let (user, role) = (
            serenity::UserId::new(user.get()),
            serenity::RoleId::new(role.get()),
        );
        let http = &*self.http;
        let done = match change {
            RoleChange::Add => {
                let call = http.add_member_role(self.guild, user, role, Some(reason));
                self.rest("PUT", route::MEMBER_ROLE, call).await
            }
            RoleChange::Remove => {
                let call = http.remove_member_role(self.guild, user, role, Some(reason));
                self.rest("DELETE", route::MEMBER_ROLE, call).await
            }
        };
        done.map_err(role_error)
    }
}

/// Discord's codes for the refusals a person fixes (a permission, the role list's order, a
/// deleted role, a member who left); anything else is sorted by [`classify`].
fn role_error(e: serenity::Error) -> RoleError {
    if let serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r)) = &e {
        match r.error.code {
            50001 | 50013 => return RoleError::Forbidden,
            10011 => return RoleError::UnknownRole,
            10007 => return RoleError::UnknownMember,
            _ => {}
        }
    }
    RoleError::Chat(classify(e))
}
