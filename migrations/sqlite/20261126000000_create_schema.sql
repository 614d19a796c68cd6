-- The whole schema of incident-bot. Times are Unix milliseconds (UTC); Discord ids are their
-- snowflakes stored as INTEGER (see store::convert). Kept portable to Postgres where possible.

CREATE TABLE incidents (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    number           INTEGER NOT NULL,
    title            TEXT    NOT NULL,
    summary          TEXT,
    kind             TEXT    NOT NULL CHECK (kind IN ('availability', 'security')),
    severity         TEXT    NOT NULL CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
    phase            INTEGER NOT NULL CHECK (phase BETWEEN 1 AND 5),
    status           TEXT    NOT NULL CHECK (status IN ('open', 'resolved', 'closed')),
    channel_id       INTEGER,
    declared_by      INTEGER NOT NULL,
    declared_at      INTEGER NOT NULL,
    last_update      TEXT,
    last_update_at   INTEGER,
    root_cause       TEXT,
    compensation     TEXT,
    resolved_at      INTEGER,
    closed_at        INTEGER,
    last_change_at   INTEGER NOT NULL,
    -- The interaction that declared it: a re-delivered interaction finds this row.
    interaction_id   INTEGER UNIQUE,
    UNIQUE (guild_id, number)
);
CREATE INDEX incidents_open ON incidents (guild_id, status);
CREATE UNIQUE INDEX incidents_channel ON incidents (channel_id) WHERE channel_id IS NOT NULL;

CREATE TABLE incident_systems (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    -- Lower-cased for the recurrence rule's case-insensitive match.
    name_key    TEXT    NOT NULL,
    PRIMARY KEY (incident_id, position)
);
CREATE INDEX incident_systems_by_name ON incident_systems (name_key);

CREATE TABLE incident_phases (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    phase       INTEGER NOT NULL CHECK (phase BETWEEN 1 AND 5),
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    PRIMARY KEY (incident_id, phase)
);

CREATE TABLE role_assignments (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('commander', 'comms', 'scribe')),
    user_id     INTEGER NOT NULL,
    assigned_at INTEGER NOT NULL,
    PRIMARY KEY (incident_id, role)
);

CREATE TABLE timeline (
    id                INTEGER PRIMARY KEY,
    incident_id       INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at                INTEGER NOT NULL,
    actor_id          INTEGER,
    kind              TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    -- A message noted from Discord is added once, however often it is pinned or reacted to.
    source_message_id INTEGER,
    UNIQUE (incident_id, source_message_id)
);
CREATE INDEX timeline_by_incident ON timeline (incident_id, at, id);

CREATE TABLE announcements (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('alert', 'update', 'all_clear')),
    channel_id   INTEGER NOT NULL,
    message_id   INTEGER,
    publish      INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    posted_at    INTEGER,
    published_at INTEGER
);
CREATE INDEX announcements_by_incident ON announcements (incident_id, kind);
CREATE INDEX announcements_published ON announcements (channel_id, published_at);

CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    incident_id     INTEGER REFERENCES incidents (id) ON DELETE CASCADE,
    idempotency_key TEXT    NOT NULL UNIQUE,
    due_at          INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    -- A claim is a lease: a worker that dies leaves it to expire, and the job runs again.
    claimed_until   INTEGER,
    done_at         INTEGER,
    failed_at       INTEGER,
    cancelled_at    INTEGER
);
CREATE INDEX jobs_pending ON jobs (due_at, id)
    WHERE done_at IS NULL AND failed_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX jobs_by_incident ON jobs (incident_id, kind);

CREATE TABLE postmortems (
    incident_id      INTEGER PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    reason           TEXT    NOT NULL,
    due_at           INTEGER NOT NULL,
    meeting_at       INTEGER,
    users_affected   INTEGER,
    downtime_minutes INTEGER,
    revenue          TEXT,
    done_at          INTEGER,
    link             TEXT
);

CREATE TABLE postmortem_actions (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    body        TEXT    NOT NULL,
    owner_id    INTEGER,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    guild_id    INTEGER NOT NULL,
    actor_id    INTEGER,
    incident_id INTEGER REFERENCES incidents (id) ON DELETE SET NULL,
    action      TEXT    NOT NULL,
    detail      TEXT    NOT NULL
);
CREATE INDEX audit_by_incident ON audit_log (incident_id, at);
