//! What the bot counts for `/metrics`: one [`Metrics`] handle, shared through `App`, with a
//! method per thing that happens. Recorded at the adapters (commands, Discord REST, the
//! gateway), the job queue, and once per committed incident change; never by `domain/`.
//!
//! Names carry the `incident_bot_` prefix and base units (seconds), and counters end in
//! `_total`, as `promtool check metrics` wants them. `metrics/families.rs` is the table of
//! names, help texts and labels; the `prometheus` crate keeps the values and writes the text.

mod families;
mod registry;

use chrono::{DateTime, TimeDelta, Utc};

pub use registry::{Counter, Family, Gauge, Histogram, Registry};

use crate::domain::{Incident, Severity};
use families as f;

/// The bot's metrics. Cheap to clone: every clone records into the same registry.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    /// Slash commands and context-menu commands handled, by command and outcome.
    pub commands: Counter,
    /// Time from receiving an interaction to Discord accepting its first answer.
    pub ack: Histogram,
    /// Discord REST calls by method, route template and status class.
    pub discord_requests: Counter,
    /// Discord REST calls answered 429, by method and route template.
    pub discord_rate_limited: Counter,
    /// Whether the gateway session is ready (read at scrape time).
    pub gateway_connected: Gauge,
    /// Gateway sessions started again after the first (a new READY, or a RESUMED).
    pub gateway_reconnects: Counter,
    /// Pending jobs by kind (read from the database at scrape time).
    pub jobs_pending: Gauge,
    /// Pending jobs whose time has come, running or waiting for a worker (at scrape time).
    pub jobs_due: Gauge,
    /// How long after its due time a job was claimed.
    pub job_lateness: Histogram,
    /// Jobs given up, by kind.
    pub jobs_failed: Counter,
    /// Jobs performed, by kind.
    pub jobs_done: Counter,
    /// Incidents being worked, by severity (at scrape time).
    pub incidents_open: Gauge,
    /// Declaration to the first commander, by severity: mean time to acknowledge.
    pub time_to_command: Histogram,
    /// Detection to verified fix, by severity: mean time to resolve.
    pub time_to_resolve: Histogram,
    /// Status page snapshots built, by outcome (ok, failed).
    pub status_rebuilds: Counter,
    /// Status page requests, by route (page, incident, api, atom, other) and answer (200, 304, 404).
    pub status_requests: Counter,
    /// Webhook deliveries, by source and outcome (stored, ignored, unauthorized,
    /// unauthorized_limited, too_large, timed_out, bad_shape, rate_limited, stale, duplicate,
    /// error).
    pub webhooks: Counter,
    /// Requests to `POST /interactions`, by outcome (accepted, ping, unsigned, bad_signature,
    /// stale, unreadable): a wrong public key shows as bad_signature.
    pub interactions_http: Counter,
    /// Calls to outside services, by service and outcome.
    pub outbound_requests: Counter,
    /// How long calls to outside services took, by service.
    pub outbound_seconds: Histogram,
    /// Status webhook delivery attempts, by webhook name and outcome (sent, failed,
    /// turned_off).
    pub status_webhook_deliveries: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every family, and the series that should exist before their
    /// first event (so that a rate over them is defined from the first scrape).
    pub fn new() -> Self {
        let r = Registry::default();
        r.gauge(&f::BUILD_INFO)
            .set(&[env!("CARGO_PKG_VERSION")], 1.0);
        let m = Self {
            commands: r.counter(&f::COMMANDS),
            ack: r.histogram(&f::ACK, f::ACK_BUCKETS),
            discord_requests: r.counter(&f::DISCORD_REQUESTS),
            discord_rate_limited: r.counter(&f::DISCORD_RATE_LIMITED),
            gateway_connected: r.gauge(&f::GATEWAY_CONNECTED),
            gateway_reconnects: r.counter(&f::GATEWAY_RECONNECTS),
            jobs_pending: r.gauge(&f::JOBS_PENDING),
            jobs_due: r.gauge(&f::JOBS_DUE),
            job_lateness: r.histogram(&f::JOB_LATENESS, f::LATENESS_BUCKETS),
            jobs_failed: r.counter(&f::JOBS_FAILED),
            jobs_done: r.counter(&f::JOBS_DONE),
            status_rebuilds: r.counter(&f::STATUS_REBUILDS),
            status_requests: r.counter(&f::STATUS_REQUESTS),
            incidents_open: r.gauge(&f::INCIDENTS_OPEN),
            time_to_command: r.histogram(&f::TIME_TO_COMMAND, f::INCIDENT_BUCKETS),
            time_to_resolve: r.histogram(&f::TIME_TO_RESOLVE, f::INCIDENT_BUCKETS),
            webhooks: r.counter(&f::WEBHOOKS),
            interactions_http: r.counter(&f::INTERACTIONS_HTTP),
            outbound_requests: r.counter(&f::OUTBOUND_REQUESTS),
            outbound_seconds: r.histogram(&f::OUTBOUND_SECONDS, f::OUTBOUND_BUCKETS),
            status_webhook_deliveries: r.counter(&f::STATUS_WEBHOOK_DELIVERIES),
            registry: r,
        };
        m.touch_before_first_event();
        m
    }

    /// Creates the series a rate or a ratio is taken over, at zero, so that they are defined
    /// from the first scrape.
    fn touch_before_first_event(&self) {
        self.gateway_connected.set(&[], 0.0);
        self.gateway_reconnects.touch(&[]);
        self.jobs_due.set(&[], 0.0);
        self.ack.touch(&[]);
        self.job_lateness.touch(&[]);
        for s in Severity::ALL {
            self.incidents_open.set(&[s.as_str()], 0.0);
            self.time_to_command.touch(&[s.as_str()]);
            self.time_to_resolve.touch(&[s.as_str()]);
        }
    }

    /// Every family with a series, in the Prometheus text format.
    pub fn render(&self) -> String {
        self.registry.render()
    }

    /// One command handled, with its outcome.
    pub fn command(&self, name: &str, outcome: Outcome) {
        self.commands.inc(&[name, outcome.as_str()]);
    }

    /// One Discord REST call answered with `status` (`None`: no answer came).
    pub fn discord_request(&self, method: &str, route: &str, status: Option<u16>) {
        let class = match status {
            Some(s @ 100..=599) => ["1xx", "2xx", "3xx", "4xx", "5xx"][usize::from(s / 100 - 1)],
            Some(_) | None => "error",
        };
        self.discord_requests.inc(&[method, route, class]);
        if status == Some(429) {
            self.discord_rate_limited.inc(&[method, route]);
        }
    }

    /// Whether the gateway session is ready, as read at scrape or readiness time.
    pub fn set_gateway_connected(&self, connected: bool) {
        self.gateway_connected
            .set(&[], if connected { 1.0 } else { 0.0 });
    }

    /// A job claimed `now` that was due at `due`.
    pub fn job_started(&self, due: DateTime<Utc>, now: DateTime<Utc>) {
        self.job_lateness.observe(&[], seconds(now - due));
    }

    /// An incident went from `before` to `after` in one change committed at `now`: the first
    /// commander and the verified fix are observed once each.
    pub fn incident_changed(&self, before: &Incident, after: &Incident, now: DateTime<Utc>) {
        let severity = after.severity.as_str();
        if before.roles.commander.is_none() && after.roles.commander.is_some() {
            let took = now - after.declared_at;
            self.time_to_command.observe(&[severity], seconds(took));
        }
        if let (None, Some(took)) = (time_to_resolve(before), time_to_resolve(after)) {
            self.time_to_resolve.observe(&[severity], seconds(took));
        }
    }
}

/// Time to resolve: from when the incident was detected to when its fix was verified, once it
/// has been (the domain's own measure, so MTTR and the close summary agree).
pub fn time_to_resolve(incident: &Incident) -> Option<TimeDelta> {
    incident.time_to_resolve()
}

fn seconds(d: TimeDelta) -> f64 {
    // Milliseconds are exact in f64 for any duration the bot meets.
    #[expect(
        clippy::cast_precision_loss,
        reason = "a duration in milliseconds fits f64's 53 bits for 285,000 years"
    )]
    let ms = d.num_milliseconds().max(0) as f64;
    ms / 1000.0
}

/// How a command ended, as the `outcome` label says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did what was asked.
    Ok,
    /// It was refused with a reason the person read (a rule, a right).
    Refused,
    /// Something broke; the person got an apology with an error id.
    Error,
    /// Its options could not be read (a stale client).
    Invalid,
    /// The bot was shutting down and said to try again.
    Restarting,
}

impl Outcome {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused => "refused",
            Outcome::Error => "error",
            Outcome::Invalid => "invalid",
            Outcome::Restarting => "restarting",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_are_counted_by_class_and_429s_apart() {
        let m = Metrics::new();
        m.discord_request("POST", "/channels/{channel_id}/messages", Some(200));
        m.discord_request("POST", "/channels/{channel_id}/messages", Some(429));
        m.discord_request("POST", "/channels/{channel_id}/messages", None);
        let route = "/channels/{channel_id}/messages";
        assert_eq!(m.discord_requests.get(&["POST", route, "2xx"]), 1.0);
        assert_eq!(m.discord_requests.get(&["POST", route, "4xx"]), 1.0);
        assert_eq!(m.discord_requests.get(&["POST", route, "error"]), 1.0);
        assert_eq!(m.discord_rate_limited.get(&["POST", route]), 1.0);
    }

    #[test]
    fn every_family_has_help_type_and_the_prefix_once_it_has_a_series() {
        let m = Metrics::new();
        let fresh = m.render();
        assert!(!fresh.contains("incident_bot_commands_total"), "{fresh}");
        m.command("ping", Outcome::Ok);
        m.discord_request("GET", "/users/@me", Some(429));
        m.jobs_pending.set(&["post"], 1.0);
        m.jobs_failed.inc(&["post"]);
        m.jobs_done.inc(&["post"]);
        m.status_rebuilds.inc(&["ok"]);
        m.status_requests.inc(&["page", "200"]);
        m.webhooks.inc(&["sentry", "stored"]);
        m.interactions_http.inc(&["accepted"]);
        let text = m.render();
        let names: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .filter_map(|l| l.split(' ').next())
            .collect();
        assert_eq!(names.len(), 19, "{text}");
        for name in names {
            assert!(name.starts_with("incident_bot_"), "{name}");
            assert!(text.contains(&format!("# HELP {name} ")), "{name}");
        }
    }
}
