//! The `Waf` port: blocking addresses at the web application firewall in front of the game's
//! sites (Cloudflare's, through `outbound::cloudflare`), in the bot's own words.

use crate::clock::BoxFuture;
use crate::domain::BlockTarget;
use crate::scheduler::JobError;

/// One entry to put in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRequest {
    /// What to block.
    pub target: BlockTarget,
    /// The entry's note at the WAF: names the incident (and the reason, when given), so that
    /// people reading the WAF's rules know where each came from, and a retry finds it.
    pub note: String,
}

/// What the bot asks of the WAF. Each call is safe to repeat: a block that exists already is
/// found and adopted, an unblock of an entry that is gone succeeds.
pub trait Waf: Send + Sync + std::fmt::Debug + 'static {
    /// The WAF's name as people know it: `Cloudflare`.
    fn name(&self) -> &'static str;

    /// Blocks `request.target`, unless an entry with its note blocks it already; returns the
    /// entry's id. A passing failure is `JobError::Retry`; a refusal a person must fix (the
    /// token's permissions) is `JobError::Forbidden`, said once.
    fn block<'a>(&'a self, request: &'a BlockRequest) -> BoxFuture<'a, Result<String, JobError>>;

    /// Lifts the block of `target`: the entry `entry_id` when known, else the one whose note is
    /// `note` (a block whose answer was lost).
    fn unblock<'a>(
        &'a self,
        target: &'a BlockTarget,
        entry_id: Option<&'a str>,
        note: &'a str,
    ) -> BoxFuture<'a, Result<(), JobError>>;
}
