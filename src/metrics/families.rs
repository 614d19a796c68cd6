//! The table of families `/metrics` shows: every name, help text and label set in one place,
//! so a dashboard author reads them here and a new family is one entry.

use super::registry::Family;

pub(super) const BUILD_INFO: Family = Family {
    name: "incident_bot_build_info",
    help: "The running version; always 1.",
    labels: &["version"],
};

pub(super) const COMMANDS: Family = Family {
    name: "incident_bot_commands_total",
    help: "Commands handled, by command and outcome (ok, refused, error, invalid, restarting).",
    labels: &["command", "outcome"],
};

pub(super) const ACK: Family = Family {
    name: "incident_bot_interaction_ack_seconds",
    help: "Time from receiving an interaction to Discord accepting its first answer (Discord allows 3 s).",
    labels: &[],
};

pub(super) const DISCORD_REQUESTS: Family = Family {
    name: "incident_bot_discord_requests_total",
    help: "Discord REST requests, by method, route template and status class (2xx, 4xx, 5xx, or error when no answer came).",
    labels: &["method", "route", "status"],
};

pub(super) const DISCORD_RATE_LIMITED: Family = Family {
    name: "incident_bot_discord_rate_limited_total",
    help: "Discord REST requests answered 429 Too Many Requests, by method and route template.",
    labels: &["method", "route"],
};

pub(super) const GATEWAY_CONNECTED: Family = Family {
    name: "incident_bot_gateway_connected",
    help: "1 while the gateway session is ready, else 0.",
    labels: &[],
};

pub(super) const GATEWAY_RECONNECTS: Family = Family {
    name: "incident_bot_gateway_reconnects_total",
    help: "Gateway sessions started again after the first one (identified again or resumed).",
    labels: &[],
};

pub(super) const JOBS_PENDING: Family = Family {
    name: "incident_bot_jobs_pending",
    help: "Jobs not yet done, failed or cancelled, by kind.",
    labels: &["kind"],
};

pub(super) const JOBS_DUE: Family = Family {
    name: "incident_bot_jobs_due",
    help: "Pending jobs whose time has come: running, or waiting for a worker.",
    labels: &[],
};

pub(super) const JOB_LATENESS: Family = Family {
    name: "incident_bot_job_lateness_seconds",
    help: "How long after its due time a job was started.",
    labels: &[],
};

pub(super) const JOBS_FAILED: Family = Family {
    name: "incident_bot_jobs_failed_total",
    help: "Jobs given up after their last attempt, by kind.",
    labels: &["kind"],
};

pub(super) const JOBS_DONE: Family = Family {
    name: "incident_bot_jobs_done_total",
    help: "Jobs performed, by kind.",
    labels: &["kind"],
};

pub(super) const STATUS_REBUILDS: Family = Family {
    name: "incident_bot_status_rebuilds_total",
    help: "Status page snapshots built after a public change, by outcome (ok, failed).",
    labels: &["outcome"],
};

pub(super) const STATUS_REQUESTS: Family = Family {
    name: "incident_bot_status_requests_total",
    help: "Status page requests on the public listener, by route (page, incident, api, atom, other) and status code.",
    labels: &["route", "code"],
};

pub(super) const INCIDENTS_OPEN: Family = Family {
    name: "incident_bot_incidents_open",
    help: "Incidents being worked (not yet resolved), by severity.",
    labels: &["severity"],
};

pub(super) const TIME_TO_COMMAND: Family = Family {
    name: "incident_bot_time_to_command_seconds",
    help: "Time from declaring an incident to its first commander, by severity (MTTA).",
    labels: &["severity"],
};

pub(super) const TIME_TO_RESOLVE: Family = Family {
    name: "incident_bot_time_to_resolve_seconds",
    help: "Time from detecting an incident to its verified fix, by severity (MTTR).",
    labels: &["severity"],
};

pub(super) const INTERACTIONS_HTTP: Family = Family {
    name: "incident_bot_interactions_http_total",
    help: "Requests to POST /interactions, by outcome (accepted, ping, unsigned, bad_signature, stale, unreadable).",
    labels: &["outcome"],
};

pub(super) const WEBHOOKS: Family = Family {
    name: "incident_bot_webhooks_total",
    help: "Alert webhook deliveries, by source and outcome (stored, ignored, unauthorized, unauthorized_limited, too_large, timed_out, bad_shape, rate_limited, stale, duplicate, error).",
    labels: &["source", "outcome"],
};

pub(super) const STATUS_WEBHOOK_DELIVERIES: Family = Family {
    name: "incident_bot_status_webhook_deliveries_total",
    help:
        "Status webhook delivery attempts, by webhook name and outcome (sent, failed, turned_off).",
    labels: &["webhook", "outcome"],
};

pub(super) const OUTBOUND_REQUESTS: Family = Family {
    name: "incident_bot_outbound_requests_total",
    help: "Calls to outside services (pagerduty, ntfy, github, ...), by service and outcome (ok, rate_limited, unavailable, unauthorized, refused).",
    labels: &["service", "outcome"],
};

pub(super) const OUTBOUND_SECONDS: Family = Family {
    name: "incident_bot_outbound_request_seconds",
    help:
        "Time from sending a call to an outside service to its answer (or its timeout), by service.",
    labels: &["service"],
};

/// Buckets for calls to outside services: a fast API to a timeout.
pub(super) const OUTBOUND_BUCKETS: &[f64] =
    &[0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Buckets for the interaction acknowledgement, around Discord's 3 s deadline.
pub(super) const ACK_BUCKETS: &[f64] = &[0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0];
/// Buckets for how late a job started, from "on time" to "the bot was down for hours".
pub(super) const LATENESS_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0,
];
/// Buckets for incident durations: a minute to three days.
pub(super) const INCIDENT_BUCKETS: &[f64] = &[
    60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 86400.0, 259_200.0,
];
