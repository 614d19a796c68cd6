-- Maintenance windows, planned (/maintenance schedule) and unplanned (/maintenance start): what
-- players are told, the status page's scheduled_maintenances, and the Discord Scheduled Event
-- (entity type EXTERNAL) that carries it in the guild.
CREATE TABLE maintenance_windows (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL,
    -- The systems under maintenance, one name a line, in the order given.
    systems     TEXT    NOT NULL,
    message     TEXT,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    -- 'scheduled', 'in_progress', 'completed' or 'cancelled'
    status      TEXT    NOT NULL,
    -- The incident it was started for (the containment step), if any.
    incident_id INTEGER REFERENCES incidents (id),
    -- Its Discord Scheduled Event, once created.
    event_id    INTEGER,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    started_at  INTEGER,
    ended_at    INTEGER
);
CREATE INDEX maintenance_windows_by_event ON maintenance_windows (event_id);
CREATE INDEX maintenance_windows_by_start ON maintenance_windows (starts_at);
