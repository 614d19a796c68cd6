-- `/incident lockdown`: what was asked (invites and DMs paused until when, a slow-mode), the
-- pauses as they were before (read before the first change, so `/incident unlock` restores
-- them), and when it was in place, asked to be lifted and lifted.
CREATE TABLE lockdowns (
    id             INTEGER PRIMARY KEY,
    incident_id    INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    asked_by       INTEGER NOT NULL,
    asked_at       INTEGER NOT NULL,
    invites_until  INTEGER,
    dms_until      INTEGER,
    slowmode       INTEGER,
    before_read    INTEGER NOT NULL DEFAULT 0,
    before_invites INTEGER,
    before_dms     INTEGER,
    set_at         INTEGER,
    lift_asked_at  INTEGER,
    lifted_by      INTEGER,
    lifted_at      INTEGER
);
CREATE INDEX lockdowns_by_incident ON lockdowns (incident_id);

-- The channels a lockdown slows down, each with its slow-mode before (recorded before the
-- change) and when it was set and restored.
CREATE TABLE lockdown_channels (
    lockdown_id INTEGER NOT NULL REFERENCES lockdowns (id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL,
    previous    INTEGER,
    set_at      INTEGER,
    restored_at INTEGER,
    PRIMARY KEY (lockdown_id, channel_id)
);
