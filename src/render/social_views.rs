//! The views of the social templates: a player announcement as a post (`social/*.hbs`), and
//! what a turn to security did to the posts (`social_cancelled.hbs`).

use serde::Serialize;

use super::Markup;

/// `social/<network>.hbs`: one player announcement as a post. The status link is added after
/// it when the post is sent (cut to the network's length, the link never is).
#[derive(Debug, Clone, Serialize)]
pub struct SocialPostView {
    /// Which announcement: `alert`, `update`, `all_clear`, or a kind added later.
    pub kind: String,
    /// The incident's severity, `P0`..`P3`.
    pub severity: String,
    /// The announcement as plain text, every mention and hashtag made inert: printed as is.
    pub text: Markup,
}

impl SocialPostView {
    pub(crate) fn sample() -> Self {
        Self {
            kind: "alert".into(),
            severity: "P0".into(),
            text: Markup::raw(
                "🚨 Service Alert 🚨\nWe are currently experiencing technical difficulties \
                 with Login.",
            ),
        }
    }
}

/// How many posts of one network went out.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkCount {
    /// The network, as people read it.
    pub network: String,
    /// How many of the incident's posts are on it.
    pub count: u64,
}

/// `social_cancelled.hbs`: the posts a turn to security cancelled, and those already out.
#[derive(Debug, Clone, Serialize)]
pub struct SocialCancelled {
    /// How many posts still waiting were cancelled.
    pub cancelled: u64,
    /// Whether exactly one was.
    pub one_cancelled: bool,
    /// The posts already out, per network.
    pub went_out: Vec<NetworkCount>,
    /// Whether exactly one post is out.
    pub one_out: bool,
}

impl SocialCancelled {
    pub(crate) fn sample() -> Self {
        Self {
            cancelled: 2,
            one_cancelled: false,
            went_out: vec![NetworkCount {
                network: "Mastodon".into(),
                count: 1,
            }],
            one_out: true,
        }
    }
}
