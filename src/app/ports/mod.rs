//! What the use cases need from outside, owned here and implemented by the adapters: the
//! `Chat` port (Discord), the `Tracker` port (GitHub, Jira, Linear), `PublicChanges` (whoever
//! shows players anything), `Social` (Mastodon, Bluesky, X), and the recording double of `Chat`
//! for tests.

use super::*;

pub(super) mod actions;
pub(super) mod chat;
pub(super) mod lockdown;
pub(super) mod metrics_source;
pub(super) mod pager;
pub(super) mod public;
#[cfg(test)]
pub(super) mod recording;
pub(super) mod roles;
pub(super) mod social;
pub(super) mod status_hooks;
pub(super) mod tracker;
pub(super) mod waf;
