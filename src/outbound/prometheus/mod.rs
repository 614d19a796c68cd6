//! Prometheus: the error rates of the fix check, read with `GET /api/v1/query` and
//! `/api/v1/query_range` on `[prometheus] url`, with the bearer token of
//! `INCIDENT_BOT_PROMETHEUS_TOKEN` when set. A query giving several series is read as their
//! highest value at each time: the worst of them is what the fix check must see.

mod wire;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use secrecy::{ExposeSecret, SecretString};

use crate::app::{MetricsError, MetricsSource, Series};
use crate::clock::BoxFuture;
use crate::config::PrometheusSettings;
use crate::domain::Sample;
use crate::outbound::{endpoint, CallError, Outbound};

/// The service label of its calls in `/metrics`.
const SERVICE: &str = "prometheus";

/// The adapter.
#[derive(Debug, Clone)]
pub struct Prometheus {
    outbound: Outbound,
    base: url::Url,
    token: Option<SecretString>,
    timeout: Duration,
    max_points: u32,
}

impl Prometheus {
    /// The adapter `settings` describe, or `None` when no URL is set.
    pub fn from_settings(
        outbound: Outbound,
        settings: &PrometheusSettings,
    ) -> anyhow::Result<Option<Self>> {
        let Some(url) = &settings.url else {
            return Ok(None);
        };
        let base = url::Url::parse(url)
            .map_err(|e| anyhow::anyhow!("[prometheus] url `{url}` is not a URL: {e}"))?;
        Ok(Some(Self {
            outbound,
            base,
            token: settings.token.clone(),
            timeout: settings.timeout,
            max_points: settings.max_points.max(2),
        }))
    }

    /// The step a range from `from` to `to` is read at: `step`, or coarser so that it holds
    /// at most `max_points` points.
    fn step_for(&self, from: DateTime<Utc>, to: DateTime<Utc>, step: Duration) -> Duration {
        let span = (to - from).to_std().unwrap_or_default();
        let least = span / (self.max_points - 1);
        step.max(least).max(Duration::from_secs(1))
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<wire::Data, MetricsError> {
        let mut url = endpoint(&self.base, &["api", "v1", path]).map_err(refused)?;
        url.query_pairs_mut().extend_pairs(query);
        let mut request = self.outbound.request(reqwest::Method::GET, url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose_secret());
        }
        let answer = self
            .outbound
            .send(SERVICE, self.timeout, request)
            .await
            .map_err(refused)?;
        let envelope: wire::Envelope = answer
            .json()
            .map_err(|e| MetricsError::Unavailable(format!("Prometheus answered: {e}")))?;
        match (envelope.status.as_str(), envelope.data) {
            ("success", Some(data)) => Ok(data),
            _ => Err(MetricsError::Refused(format!(
                "Prometheus refused the query: {}",
                envelope.error.unwrap_or_else(|| "no data".to_owned())
            ))),
        }
    }
}

/// A failed call in our words: Prometheus' own `error` when it gave one.
fn refused(e: CallError) -> MetricsError {
    match &e {
        CallError::Unavailable {
            message, reached, ..
        } => MetricsError::Unavailable(format!("Prometheus is unavailable: {reached}{message}")),
        CallError::Refused {
            message, status, ..
        } => {
            let why = wire::error_of(message).unwrap_or_else(|| message.clone());
            MetricsError::Refused(format!("Prometheus refused the query ({status}): {why}"))
        }
        CallError::Unauthorized { .. } => MetricsError::Refused(format!(
            "{e}: set {} to a token it takes",
            PrometheusSettings::TOKEN_VAR
        )),
    }
}

/// Seconds since the epoch, as Prometheus reads a time.
fn seconds(at: DateTime<Utc>) -> String {
    format!("{:.3}", at.timestamp_millis() as f64 / 1000.0)
}

fn time_of(secs: f64) -> DateTime<Utc> {
    #[expect(clippy::cast_possible_truncation, reason = "times within years of now")]
    let millis = (secs * 1000.0).round() as i64;
    Utc.timestamp_millis_opt(millis)
        .single()
        .unwrap_or_default()
}

/// The highest value of each time across `series`, oldest first.
fn worst_of(series: Vec<wire::RangeSeries>) -> Vec<Sample> {
    let mut by_time: std::collections::BTreeMap<i64, f64> = std::collections::BTreeMap::new();
    for point in series.iter().flat_map(|s| &s.values) {
        let Some(value) = point.value() else { continue };
        let at = time_of(point.0);
        let slot = by_time.entry(at.timestamp_millis()).or_insert(value);
        *slot = slot.max(value);
    }
    by_time
        .into_iter()
        .map(|(ms, value)| Sample {
            at: Utc.timestamp_millis_opt(ms).single().unwrap_or_default(),
            value,
        })
        .collect()
}

impl MetricsSource for Prometheus {
    fn at<'a>(
        &'a self,
        query: &'a str,
        at: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<f64>, MetricsError>> {
        Box::pin(async move {
            let params = [("query", query.to_owned()), ("time", seconds(at))];
            Ok(match self.get("query", &params).await? {
                wire::Data::Vector(v) => v
                    .iter()
                    .filter_map(|s| s.value.value())
                    .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x)))),
                wire::Data::Scalar(p) => p.value(),
                wire::Data::Matrix(_) | wire::Data::String(_) => None,
            })
        })
    }

    fn range<'a>(
        &'a self,
        query: &'a str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        step: Duration,
    ) -> BoxFuture<'a, Result<Series, MetricsError>> {
        Box::pin(async move {
            let step = self.step_for(from, to, step);
            let params = [
                ("query", query.to_owned()),
                ("start", seconds(from)),
                ("end", seconds(to)),
                ("step", format!("{}", step.as_secs_f64())),
            ];
            let samples = match self.get("query_range", &params).await? {
                wire::Data::Matrix(series) => worst_of(series),
                _ => Vec::new(),
            };
            Ok(Series { samples, step })
        })
    }
}
