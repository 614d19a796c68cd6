//! The post-mortem: the decision at resolve, `/postmortem …`, the draft, and the review
//! meeting.

use super::*;

pub(super) mod draft;
pub(super) mod meeting;
pub(super) mod start;
pub(super) mod workflow;
