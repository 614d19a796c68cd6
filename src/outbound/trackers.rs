//! The `[tracker]` adapter the settings name, built once at start.

use std::sync::Arc;

use crate::app::Tracker;
use crate::config::tracker::{TrackerKind, TrackerSettings};

use super::Outbound;

/// The tracker of `settings`, or `None` when none is set up. Fails when a credential or the
/// target is missing (`check` names them first).
pub fn tracker(
    settings: Option<&TrackerSettings>,
    outbound: &Outbound,
) -> anyhow::Result<Option<Arc<dyn Tracker>>> {
    let Some(s) = settings else {
        return Ok(None);
    };
    let missing = s.missing_vars();
    if !missing.is_empty() {
        anyhow::bail!(
            "[tracker] needs the environment variable(s) {}",
            missing.join(", ")
        );
    }
    let base = s
        .base()
        .ok_or_else(|| anyhow::anyhow!("[tracker] api_base is missing or not a URL"))?;
    let target = s
        .target()
        .ok_or_else(|| anyhow::anyhow!("[tracker] does not say where tickets go"))?
        .to_owned();
    let token = s.secrets.token.clone().unwrap_or_default();
    let private = s.security_project.clone();
    let tracker: Arc<dyn Tracker> = match s.kind {
        TrackerKind::Github => Arc::new(super::github::GitHub::new(
            outbound.clone(),
            base,
            token,
            target,
            private,
            s.timeout,
        )),
        TrackerKind::Jira => Arc::new(super::jira::Jira::new(
            outbound.clone(),
            base,
            super::jira::Credentials {
                email: s.secrets.email.clone().unwrap_or_default(),
                token,
            },
            target,
            private,
            s.issue_type.clone(),
            s.timeout,
        )),
        TrackerKind::Linear => Arc::new(super::linear::Linear::new(
            outbound.clone(),
            base,
            token,
            target,
            private,
            s.timeout,
        )),
    };
    Ok(Some(tracker))
}
