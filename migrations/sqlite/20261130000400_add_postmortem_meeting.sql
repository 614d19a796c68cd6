-- The post-mortem meeting as a Discord Scheduled Event, action items sorted into the plan's
-- three groups, lessons learned, and who started an optional post-mortem.

-- The event that holds the review meeting, once created (its id on Discord).
ALTER TABLE postmortems ADD COLUMN meeting_event_id INTEGER;
-- Who started an optional post-mortem with /postmortem start (NULL: required by policy).
ALTER TABLE postmortems ADD COLUMN started_by INTEGER;

-- 'fix' (immediate, done), 'prevent' or 'process' (TODO); NULL for items added before kinds.
ALTER TABLE postmortem_actions ADD COLUMN kind TEXT;

CREATE TABLE postmortem_lessons (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    -- 'went_well' or 'went_badly'
    kind        TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX postmortem_lessons_by_incident ON postmortem_lessons (incident_id, id);
