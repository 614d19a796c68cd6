//! The `Social` port: what the jobs need from a social network (Mastodon, Bluesky, X) to put a
//! player announcement in the incident's thread there, and `Sessions`, where an adapter keeps a
//! login between posts and restarts. The adapters live in `outbound/<network>/`.

use std::fmt::Debug;

use chrono::{DateTime, Utc};

use crate::clock::BoxFuture;
use crate::domain::Network;
use crate::scheduler::JobError;
use crate::store::RemotePost;

/// Where a post goes in its incident's thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// The incident's first post on the network (the alert).
    pub root: RemotePost,
    /// The post just before this one.
    pub parent: RemotePost,
}

/// A post to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The key made once for this post before any call: sent as the network's idempotency
    /// key, or as the record key, so that a retry finds or repeats harmlessly what a lost
    /// answer made.
    pub key: String,
    /// The text, not yet cut to the network's length.
    pub body: String,
    /// The incident's status page, put at the end and never cut, when the post carries it.
    pub link: Option<String>,
    /// The thread it continues, unless it is the incident's first post there.
    pub thread: Option<Thread>,
    /// When it was first sent, if an earlier attempt sent it (and may have made it).
    pub first_tried_at: Option<DateTime<Utc>>,
}

/// A social network.
pub trait Social: Send + Sync + Debug {
    /// Which network.
    fn network(&self) -> Network;

    /// Makes the post, or finds the one an earlier attempt of the same draft made: never two.
    /// Cut to the network's length at a grapheme boundary. A passing failure (no answer, rate
    /// limited, a 5xx) is a retry, after the network's reset when it said one.
    fn post<'a>(&'a self, draft: &'a Draft) -> BoxFuture<'a, Result<RemotePost, JobError>>;
}

/// Where an adapter keeps its login (Bluesky's session tokens), so that it logs in once, not
/// once a post or once a start.
pub trait Sessions: Send + Sync + Debug {
    /// The stored login of `network`.
    fn load(&self, network: Network) -> BoxFuture<'_, anyhow::Result<Option<String>>>;

    /// Stores the login of `network`.
    fn save(&self, network: Network, session: String) -> BoxFuture<'_, anyhow::Result<()>>;
}
