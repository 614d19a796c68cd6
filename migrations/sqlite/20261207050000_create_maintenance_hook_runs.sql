-- Calls of the game's maintenance hook (`[maintenance] hook`, a runbook action): one per window
-- and mode (`on` at its start, `off` at its end). Recorded before the call goes out, so that
-- after a crash the bot knows it may have gone out (state `sending`) and says so instead of
-- sending it again. `run_key` is the idempotency key sent with it.
CREATE TABLE maintenance_hook_runs (
    id INTEGER PRIMARY KEY,
    window_id INTEGER NOT NULL REFERENCES maintenance_windows (id) ON DELETE CASCADE,
    mode TEXT NOT NULL,
    action_id TEXT NOT NULL,
    run_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    status INTEGER,
    snippet TEXT,
    UNIQUE (window_id, mode)
);
