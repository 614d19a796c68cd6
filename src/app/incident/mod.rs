//! Working an incident: declaring it, changing it from its channel (severity, phase, roles,
//! updates, notes, corrections, resolve, close), its checklists and summary, and the jobs that
//! keep its channel and reminders in step.

use super::*;

pub(super) mod came_back;
pub(super) mod channel;
pub(super) mod checklists;
pub(super) mod corrections;
pub(super) mod declare;
pub(super) mod error_rates;
pub(super) mod evidence;
pub(super) mod flags;
pub(super) mod lifecycle;
pub(super) mod lockdown;
pub(super) mod lockdown_jobs;
pub(super) mod notes;
pub(super) mod relabel;
pub(super) mod reminders;
pub(super) mod resolution;
pub(super) mod summary;
pub(super) mod timeline_chart;
pub(super) mod waf;
pub(super) mod waf_jobs;
