//! What the bot writes on a ticket, as plain paragraphs: each tracker's adapter turns them
//! into its own format (Markdown, Atlassian Document Format) and escapes what people typed.

use crate::domain::{FreeText, Incident, Severity, ShortText};

/// A severity change.
pub(super) fn severity_changed(
    from: Severity,
    to: Severity,
    reason: &Option<ShortText>,
) -> Vec<String> {
    let mut out = vec![format!("Severity changed from {from} to {to}.")];
    if let Some(reason) = reason {
        out.push(format!("Why: {reason}"));
    }
    out
}

/// The fix went in.
pub(super) fn resolved(root_cause: &FreeText) -> Vec<String> {
    vec![
        "Resolved: the fix is in.".to_owned(),
        format!("Root cause: {root_cause}"),
    ]
}

/// The close summary.
pub(super) fn closed(incident: &Incident) -> Vec<String> {
    let mut out = vec![format!(
        "Closed. Severity {}, declared {}.",
        incident.severity,
        incident.declared_at.format("%Y-%m-%d %H:%M UTC")
    )];
    if let Some(cause) = &incident.root_cause {
        out.push(format!("Root cause: {cause}"));
    }
    if let Some(summary) = &incident.summary {
        out.push(format!("Summary: {summary}"));
    }
    out
}

/// A reopen.
pub(super) fn reopened(reason: &FreeText) -> Vec<String> {
    vec![format!("Reopened: {reason}")]
}
