-- Runs of runbook actions ([[actions]]): recorded before the call goes out, so that after a
-- crash the bot knows a call may have gone out (state `sending`) and asks before sending it
-- again. `run_key` is the idempotency key sent with it (Idempotency-Key, `run_id`).
CREATE TABLE action_runs (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    action_id TEXT NOT NULL,
    run_key TEXT NOT NULL UNIQUE,
    requested_by INTEGER NOT NULL,
    requested_name TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    status INTEGER,
    snippet TEXT
);
CREATE INDEX action_runs_by_incident ON action_runs (incident_id, id);
