//! Grafana alerting's webhook contact point.

use super::alertmanager::parse_am_envelope;
use super::ShapeError;
use crate::domain::{AlertBatch, AlertSource};

/// Parses a Grafana alerting webhook body: Alertmanager's envelope at `version: "1"`, with
/// `orgId`, `title`, `state` and `message` besides.
pub fn parse_grafana(body: &[u8]) -> Result<AlertBatch, ShapeError> {
    parse_am_envelope(body, AlertSource::Grafana, "1")
}
